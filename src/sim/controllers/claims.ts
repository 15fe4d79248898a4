/**
 * client-go's ControllerRefManager (pkg/controller/controller_ref_manager.go): before a controller acts
 * on the objects its selector matches, it claims them.
 *   - An orphan (no controller reference) in its namespace that it selects, and that is not being deleted,
 *     is adopted: a strategic merge patch adds the controller's reference. (`kubectl delete rs web
 *     --cascade=orphan`, then applying it again: the new ReplicaSet takes the running pods, creates none.)
 *   - An object it controls whose labels it no longer selects is released: a patch deletes that reference.
 *     (Relabel a pod to take it out of its ReplicaSet for debugging: the ReplicaSet makes a new one.)
 *   - A controller being deleted does neither. Before its first adoption a sync reads the controller again
 *     from the API server (RecheckDeletionTimestamp): the cached one may be gone or being deleted already.
 * Both patches carry the object's uid, so an object deleted and created again under its name is left alone.
 * Claimers: the ReplicaSet controller (pods), the Deployment controller (ReplicaSets), the DaemonSet controller
 * (its ControllerRevisions, then its pods: controlledHistories and getDaemonPods).
 *
 * ClaimIndex keeps, from informer events, the orphans per namespace and, per controller, the objects it
 * controls whose labels its selector does not match: a sync with nothing to claim (nearly all) costs two
 * map lookups, and an event that keeps the references and labels (nearly all: status changes) nothing.
 */
import type { Selector } from '../api/labels';
import type { Informer } from '../api/informer';
import { objectKey } from '../api/informer';
import type { ApiResponse } from '../api/request';
import type { KubeObject, ObjectRef } from '../api/types';
import type { TraceContext } from '../log';
import { logDecision, message, type ControllerContext } from './context';
import { KeyIndex } from './key-index';
import { controllerRef } from './pods';

export class ClaimIndex<T extends KubeObject> {
  private readonly orphans: KeyIndex<T>;
  private readonly unmatched: KeyIndex<T>;

  /** `selectorOf(uid)`: the selector of the controller with that uid, if it is cached. */
  constructor(cache: Pick<Informer<T>, 'get'>, private readonly selectorOf: (ownerUid: string) => Selector | undefined) {
    this.orphans = new KeyIndex(cache);
    this.unmatched = new KeyIndex(cache);
  }

  add(obj: T): void {
    const ref = controllerRef(obj);
    if (!ref) return this.orphans.insert(obj.metadata.namespace ?? '', objectKey(obj));
    if (this.selectorOf(ref.uid)?.matches(obj.metadata.labels ?? {}) === false) this.unmatched.insert(ref.uid, objectKey(obj));
  }

  /** `old`: the version the informer replaced, the one this index last saw. */
  update(old: T, obj: T): void {
    // Frozen versions share the references and labels they did not change.
    if (old.metadata.ownerReferences === obj.metadata.ownerReferences && old.metadata.labels === obj.metadata.labels) return;
    this.delete(old);
    this.add(obj);
  }

  delete(obj: T): void {
    const ref = controllerRef(obj);
    if (!ref) this.orphans.remove(obj.metadata.namespace ?? '', objectKey(obj));
    else this.unmatched.remove(ref.uid, objectKey(obj));
  }

  /** Look again at what `ownerUid` controls, once its selector is known (it may arrive after its objects). */
  recheck(ownerUid: string, owned: readonly T[]): void {
    for (const obj of owned) {
      this.unmatched.remove(ownerUid, objectKey(obj));
      this.add(obj);
    }
  }

  /** What `owner` (selecting with `selector`) should adopt and release now. `eligible`: what may be adopted at all (active pods). */
  plan(owner: KubeObject, selector: Selector, eligible: (obj: T) => boolean = () => true): ClaimPlan<T> {
    const uid = owner.metadata.uid!;
    const release = this.unmatched.objects(uid).filter((o) => controllerRef(o)?.uid === uid && !selector.matches(o.metadata.labels ?? {}));
    const adopt = this.orphans.objects(owner.metadata.namespace ?? '').filter((o) =>
      !controllerRef(o) && !o.metadata.deletionTimestamp && eligible(o) && selector.matches(o.metadata.labels ?? {}));
    return { adopt, release };
  }

  clear(): void {
    this.orphans.clear();
    this.unmatched.clear();
  }
}

export interface ClaimPlan<T> {
  adopt: T[];
  release: T[];
}

/** What a claim did: the objects as its patches left them. */
export interface ClaimResult<T> {
  adopted: T[];
  released: T[];
  error?: string;
}

/**
 * Where the claimed objects live: `pods` (core) for a ReplicaSet or a DaemonSet, `replicasets` (apps/v1) for a
 * Deployment, `controllerrevisions` (apps/v1) for a DaemonSet's history.
 */
export interface ClaimTarget {
  apiVersion: string;
  resource: string;
  /** Singular, for the log ("pod", "ReplicaSet"). */
  noun: string;
}

/** The owner's own resource, for RecheckDeletionTimestamp's read. */
const OWNER_RESOURCE: Record<string, string> = { ReplicaSet: 'replicasets', Deployment: 'deployments', DaemonSet: 'daemonsets' };

/**
 * What the owner with `ownerUid` controls once a claim is done, whether or not its informer has seen the patches:
 * `controlled` (the cache's objects whose controller it is) less what the claim released, plus what it adopted that
 * the cache does not show as its own yet. An adopted object the cache no longer holds is gone, and stays out.
 */
export function controlledAfterClaim<T extends KubeObject>(controlled: readonly T[], result: ClaimResult<T> | undefined, cache: Pick<Informer<T>, 'get'>, ownerUid: string): T[] {
  if (!result || (result.adopted.length === 0 && result.released.length === 0)) return controlled as T[];
  const released = new Set(result.released.map(objectKey));
  const out = released.size ? controlled.filter((o) => !released.has(objectKey(o))) : [...controlled];
  for (const obj of result.adopted) {
    const cached = cache.get(objectKey(obj));
    if (cached && controllerRef(cached)?.uid !== ownerUid) out.push(obj);
  }
  return out;
}

/**
 * Adopt and release what `plan` says, for `owner` (not being deleted), through the API server; `done`
 * gets what was adopted and released (objects gone meanwhile are neither) and the first error.
 */
export function claim<T extends KubeObject>(cc: ControllerContext, controller: string, owner: KubeObject, target: ClaimTarget, plan: ClaimPlan<T>, ctx: TraceContext, done: (result: ClaimResult<T>) => void): void {
  const result: ClaimResult<T> = { adopted: [], released: [] };
  if (owner.metadata.deletionTimestamp || (plan.adopt.length === 0 && plan.release.length === 0)) return done(result);
  const ownerKey = objectKey(owner);
  const ownerRef: ObjectRef = { resource: OWNER_RESOURCE[owner.kind] ?? owner.kind.toLowerCase(), namespace: owner.metadata.namespace, name: owner.metadata.name! };
  const names = (objs: readonly T[]) => objs.map((o) => o.metadata.name!);
  // Answers outstanding, plus one for this call until it has sent everything.
  let pending = 1;
  const finish = () => {
    if (--pending === 0) done(result);
  };
  const patch = (obj: T, ownerReferences: unknown[], pctx: TraceContext, onDone: (res: ApiResponse) => void) => {
    pending++;
    cc.client.request({
      verb: 'patch', apiVersion: target.apiVersion, resource: target.resource, namespace: obj.metadata.namespace, name: obj.metadata.name,
      patchType: 'application/strategic-merge-patch+json', body: { metadata: { ownerReferences, uid: obj.metadata.uid } },
    }, pctx, (res) => {
      onDone(res);
      finish();
    });
  };
  const plural = (n: number) => `${n} ${target.noun}${n === 1 ? '' : 's'}`;
  if (plan.release.length > 0) {
    const rctx = logDecision(cc, controller, ctx, ownerRef, `Releasing ${plural(plan.release.length)} from ${owner.kind} ${ownerKey}: the selector no longer matches the labels`, { releasing: names(plan.release) });
    for (const obj of plan.release) {
      patch(obj, [{ $patch: 'delete', uid: owner.metadata.uid }], rctx, (res) => {
        // Gone, or no longer ours (Invalid: the reference or the uid changed meanwhile): nothing to release.
        if (res.code === 200) result.released.push(res.body as T);
        else if (res.code !== 404 && res.code !== 422) result.error ??= message(res);
      });
    }
  }
  if (plan.adopt.length === 0) return finish();
  const actx = logDecision(cc, controller, ctx, ownerRef, `Adopting ${plural(plan.adopt.length)} into ${owner.kind} ${ownerKey}: no controller, and the selector matches`, { adopting: names(plan.adopt) });
  // RecheckDeletionTimestamp: a fresh read of the controller before it adopts anything.
  cc.client.request({ verb: 'get', apiVersion: owner.apiVersion, resource: ownerRef.resource, namespace: owner.metadata.namespace, name: owner.metadata.name }, actx, (res, gctx) => {
    const fresh = res.code === 200 ? (res.body as KubeObject) : undefined;
    if (!fresh || fresh.metadata.uid !== owner.metadata.uid) {
      result.error ??= `original ${owner.kind} ${ownerKey} is gone: got uid ${fresh?.metadata.uid ?? '<none>'}, wanted ${owner.metadata.uid}`;
    } else if (fresh.metadata.deletionTimestamp) {
      result.error ??= `${owner.kind} ${ownerKey} has just been deleted at ${fresh.metadata.deletionTimestamp}`;
    } else {
      const ref = { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
      for (const obj of plan.adopt) {
        patch(obj, [ref], gctx, (res) => {
          // Gone meanwhile: nothing to adopt. (Adopted by another meanwhile: the API server refuses a second controller.)
          if (res.code === 200) result.adopted.push(res.body as T);
          else if (res.code !== 404) result.error ??= message(res);
        });
      }
    }
    finish();
  });
}
