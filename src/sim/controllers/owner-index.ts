/**
 * An index of cached objects by the uid of their controller (or of every owner): what upstream
 * controllers get from an informer indexer, so finding a ReplicaSet's pods costs O(its pods), not
 * O(all pods in the namespace).
 */
import type { KubeObject } from '../api/types';
import { objectKey } from '../api/informer';

export class OwnerIndex<T extends KubeObject> {
  private readonly byOwner = new Map<string, Map<string, T>>();
  private readonly ownersOf = new Map<string, string[]>();

  /** `controllersOnly`: index by the controller reference only (else by every owner reference). */
  constructor(private readonly controllersOnly = true) {}

  private owners(obj: T): string[] {
    const refs = obj.metadata.ownerReferences;
    if (!refs || refs.length === 0) return [];
    const out: string[] = [];
    for (const r of refs) if (!this.controllersOnly || r.controller) out.push(r.uid);
    return out;
  }

  upsert(obj: T): void {
    const key = objectKey(obj);
    const next = this.owners(obj);
    const prev = this.ownersOf.get(key);
    if (prev) for (const uid of prev) if (!next.includes(uid)) this.remove(uid, key);
    for (const uid of next) {
      let m = this.byOwner.get(uid);
      if (!m) this.byOwner.set(uid, (m = new Map()));
      m.set(key, obj);
    }
    if (next.length) this.ownersOf.set(key, next);
    else this.ownersOf.delete(key);
  }

  delete(obj: T): void {
    const key = objectKey(obj);
    for (const uid of this.ownersOf.get(key) ?? []) this.remove(uid, key);
    this.ownersOf.delete(key);
  }

  /** Objects owned by `uid` (latest cached versions). */
  dependents(uid: string | undefined): T[] {
    if (!uid) return [];
    const m = this.byOwner.get(uid);
    return m ? [...m.values()] : [];
  }

  count(uid: string): number {
    return this.byOwner.get(uid)?.size ?? 0;
  }

  clear(): void {
    this.byOwner.clear();
    this.ownersOf.clear();
  }

  private remove(uid: string, key: string): void {
    const m = this.byOwner.get(uid);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.byOwner.delete(uid);
  }
}
