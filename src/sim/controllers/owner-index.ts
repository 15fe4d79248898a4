/**
 * An index of cached objects by the uid of their controller (or of every owner): what upstream
 * controllers get from an informer indexer, so finding a ReplicaSet's pods costs O(its pods), not
 * O(all pods in the namespace).
 */
import type { KubeObject, Pod } from '../api/types';
import { objectKey } from '../api/informer';
import type { SharedInformers } from './context';

export class OwnerIndex<T extends KubeObject> {
  private readonly byOwner = new Map<string, Map<string, T>>();
  /** The owners each key is indexed under: one uid (nearly always), or several. */
  private readonly ownersOf = new Map<string, string | string[]>();
  /** The ownerReferences array each key was last indexed with (frozen objects share it across versions). */
  private readonly refsOf = new Map<string, unknown>();

  /** `controllersOnly`: index by the controller reference only (else by every owner reference). */
  constructor(private readonly controllersOnly = true) {}

  private owners(obj: T): string | string[] | undefined {
    const refs = obj.metadata.ownerReferences;
    if (!refs || refs.length === 0) return undefined;
    const out: string[] = [];
    for (const r of refs) if (!this.controllersOnly || r.controller) out.push(r.uid);
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
  }

  upsert(obj: T): void {
    const key = objectKey(obj);
    const refs = obj.metadata.ownerReferences;
    if (refs && this.refsOf.get(key) === refs) {
      // Same owners as before (nearly every event): only the cached version changes. No callback
      // here, so this path allocates nothing.
      const owners = this.ownersOf.get(key);
      if (typeof owners === 'string') this.byOwner.get(owners)?.set(key, obj);
      else if (owners !== undefined) for (const uid of owners) this.byOwner.get(uid)?.set(key, obj);
      return;
    }
    if (refs) this.refsOf.set(key, refs);
    else this.refsOf.delete(key);
    const next = this.owners(obj);
    forEachUid(this.ownersOf.get(key), (uid) => {
      if (!hasUid(next, uid)) this.remove(uid, key);
    });
    forEachUid(next, (uid) => {
      let m = this.byOwner.get(uid);
      if (!m) this.byOwner.set(uid, (m = new Map()));
      m.set(key, obj);
    });
    if (next !== undefined) this.ownersOf.set(key, next);
    else this.ownersOf.delete(key);
  }

  delete(obj: T): void {
    const key = objectKey(obj);
    forEachUid(this.ownersOf.get(key), (uid) => this.remove(uid, key));
    this.ownersOf.delete(key);
    this.refsOf.delete(key);
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
    this.refsOf.clear();
  }

  private remove(uid: string, key: string): void {
    const m = this.byOwner.get(uid);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.byOwner.delete(uid);
  }
}

function forEachUid(uids: string | string[] | undefined, fn: (uid: string) => void): void {
  if (uids === undefined) return;
  if (typeof uids === 'string') fn(uids);
  else for (const uid of uids) fn(uid);
}

function hasUid(uids: string | string[] | undefined, uid: string): boolean {
  return typeof uids === 'string' ? uids === uid : !!uids?.includes(uid);
}

/** Pods by the uid of every owner, shared by the controllers of one controller-manager. */
export function sharedPodsByOwner(informers: SharedInformers): OwnerIndex<Pod> {
  return informers.shared('pods/by-owner', () => {
    const idx = new OwnerIndex<Pod>(false);
    informers.get<Pod>('v1', 'pods').addHandlers({
      onAdd: (p) => idx.upsert(p),
      onUpdate: (_o, p) => idx.upsert(p),
      onDelete: (p) => idx.delete(p),
    });
    return idx;
  });
}
