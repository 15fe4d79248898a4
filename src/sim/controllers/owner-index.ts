/**
 * An index of cached objects by the uid of their controller (or of every owner): what upstream
 * controllers get from an informer indexer, so finding a ReplicaSet's pods costs O(its pods), not
 * O(all pods in the namespace).
 *
 * As client-go's indexers, it keeps keys, not objects: the objects are read from the informer's
 * cache when asked for, so they are always its latest versions. An update that keeps the owner
 * references (nearly every pod event: status changes) then costs nothing here — no lookup, no write.
 * The informer hands each handler the version it replaces, which is the one indexed before.
 */
import type { KubeObject, Pod } from '../api/types';
import { objectKey, type Informer } from '../api/informer';
import type { SharedInformers } from './context';

export class OwnerIndex<T extends KubeObject> {
  private readonly byOwner = new Map<string, Set<string>>();

  /**
   * `cache`: the informer whose objects are indexed (its handlers must call add/update/delete);
   * `controllersOnly`: index by the controller reference only (else by every owner reference).
   */
  constructor(private readonly cache: Pick<Informer<T>, 'get'>, private readonly controllersOnly = true) {}

  add(obj: T): void {
    forEachOwner(obj, this.controllersOnly, (uid) => this.insert(uid, objectKey(obj)));
  }

  /** `old`: the version the informer replaced, the one this index last saw. */
  update(old: T, obj: T): void {
    // Same references array (frozen versions share it): same owners.
    if (old.metadata.ownerReferences === obj.metadata.ownerReferences) return;
    const key = objectKey(obj);
    forEachOwner(old, this.controllersOnly, (uid) => {
      if (!ownedBy(obj, this.controllersOnly, uid)) this.remove(uid, key);
    });
    forEachOwner(obj, this.controllersOnly, (uid) => this.insert(uid, key));
  }

  delete(obj: T): void {
    forEachOwner(obj, this.controllersOnly, (uid) => this.remove(uid, objectKey(obj)));
  }

  /** Objects owned by `uid` (latest cached versions), in the order they were first indexed under it. */
  dependents(uid: string | undefined): T[] {
    const keys = uid ? this.byOwner.get(uid) : undefined;
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.cache.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  count(uid: string): number {
    return this.byOwner.get(uid)?.size ?? 0;
  }

  clear(): void {
    this.byOwner.clear();
  }

  private insert(uid: string, key: string): void {
    let keys = this.byOwner.get(uid);
    if (!keys) this.byOwner.set(uid, (keys = new Set()));
    keys.add(key);
  }

  private remove(uid: string, key: string): void {
    const keys = this.byOwner.get(uid);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.byOwner.delete(uid);
  }
}

function forEachOwner(obj: KubeObject, controllersOnly: boolean, fn: (uid: string) => void): void {
  const refs = obj.metadata.ownerReferences;
  if (!refs) return;
  for (const r of refs) if (!controllersOnly || r.controller) fn(r.uid);
}

function ownedBy(obj: KubeObject, controllersOnly: boolean, uid: string): boolean {
  const refs = obj.metadata.ownerReferences;
  if (!refs) return false;
  for (const r of refs) if (r.uid === uid && (!controllersOnly || r.controller)) return true;
  return false;
}

/** Pods by the uid of every owner, shared by the controllers of one controller-manager. */
export function sharedPodsByOwner(informers: SharedInformers): OwnerIndex<Pod> {
  return informers.shared('pods/by-owner', () => {
    const pods = informers.get<Pod>('v1', 'pods');
    const idx = new OwnerIndex<Pod>(pods, false);
    pods.addHandlers({
      onAdd: (p) => idx.add(p),
      onUpdate: (old, p) => idx.update(old, p),
      onDelete: (p) => idx.delete(p),
    });
    return idx;
  });
}
