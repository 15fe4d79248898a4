/**
 * An index of cached objects by the uid of their controller (or of every owner): what upstream
 * controllers get from an informer indexer, so finding a ReplicaSet's pods costs O(its pods), not
 * O(all pods in the namespace).
 *
 * It keeps keys (see KeyIndex): an update that keeps the owner references (nearly every pod event:
 * status changes) costs nothing here. The informer hands each handler the version it replaces, which
 * is the one indexed before.
 */
import type { KubeObject, Pod } from '../api/types';
import { objectKey, type Informer } from '../api/informer';
import type { SharedInformers } from './context';
import { KeyIndex } from './key-index';

export class OwnerIndex<T extends KubeObject> {
  private readonly byOwner: KeyIndex<T>;

  /**
   * `cache`: the informer whose objects are indexed (its handlers must call add/update/delete);
   * `controllersOnly`: index by the controller reference only (else by every owner reference).
   */
  constructor(cache: Pick<Informer<T>, 'get'>, private readonly controllersOnly = true) {
    this.byOwner = new KeyIndex(cache);
  }

  add(obj: T): void {
    forEachOwner(obj, this.controllersOnly, (uid) => this.byOwner.insert(uid, objectKey(obj)));
  }

  /** `old`: the version the informer replaced, the one this index last saw. */
  update(old: T, obj: T): void {
    // Same references array (frozen versions share it): same owners.
    if (old.metadata.ownerReferences === obj.metadata.ownerReferences) return;
    const key = objectKey(obj);
    forEachOwner(old, this.controllersOnly, (uid) => {
      if (!ownedBy(obj, this.controllersOnly, uid)) this.byOwner.remove(uid, key);
    });
    forEachOwner(obj, this.controllersOnly, (uid) => this.byOwner.insert(uid, key));
  }

  delete(obj: T): void {
    forEachOwner(obj, this.controllersOnly, (uid) => this.byOwner.remove(uid, objectKey(obj)));
  }

  /** Objects owned by `uid` (latest cached versions), in the order they were first indexed under it. */
  dependents(uid: string | undefined): T[] {
    return this.byOwner.objects(uid);
  }

  count(uid: string): number {
    return this.byOwner.count(uid);
  }

  clear(): void {
    this.byOwner.clear();
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
