/**
 * The garbage collector (pkg/controller/garbagecollector), for the kinds the lab serves with owners:
 * it keeps a graph of ownerReferences between Deployments, ReplicaSets, CronJobs, Jobs, DaemonSets (and their
 * ControllerRevisions) and pods, and Services and
 * their EndpointSlices.
 * - Background deletion: when an owner disappears, each dependent whose owners are all gone is
 *   deleted (owners are confirmed absent with a live GET first, as upstream, so a cache that has not
 *   caught up never causes a deletion); a dependent with some owners left only loses the dead
 *   references.
 * - Foreground deletion: an owner being deleted with the `foregroundDeletion` finalizer has its
 *   dependents deleted (in foreground too); when none remain, the finalizer is removed and the API
 *   server finishes deleting the owner.
 * - Orphan: an owner with the `orphan` finalizer has its references removed from every dependent,
 *   then the finalizer is removed.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { KubeObject, OwnerReference } from '../../api/types';
import { objectKey } from '../../api/informer';
import { resourceForKind } from '../../apiserver/resources';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import { OwnerIndex, sharedPodsByOwner } from '../owner-index';
import type { ReconcileFn } from '../workqueue/workqueue';

export const FINALIZER_FOREGROUND = 'foregroundDeletion';
export const FINALIZER_ORPHAN = 'orphan';

interface Tracked {
  apiVersion: string;
  resource: string;
}

const TRACKED: Tracked[] = [
  { apiVersion: 'apps/v1', resource: 'deployments' },
  { apiVersion: 'apps/v1', resource: 'replicasets' },
  { apiVersion: 'batch/v1', resource: 'jobs' },
  { apiVersion: 'batch/v1', resource: 'cronjobs' },
  { apiVersion: 'apps/v1', resource: 'daemonsets' },
  { apiVersion: 'apps/v1', resource: 'controllerrevisions' },
  { apiVersion: 'v1', resource: 'pods' },
  { apiVersion: 'v1', resource: 'services' },
  { apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices' },
];

export class GarbageCollector extends QueueController {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  /** Dependents by owner uid, one index per resource (pods' is shared with the other controllers). */
  private readonly indexes = new Map<string, OwnerIndex<KubeObject>>();
  /** uid → the object (its latest cached version), for every tracked object in the caches. */
  private readonly byUid = new Map<string, KubeObject>();

  constructor(cc: ControllerContext) {
    super(cc, 'garbage-collector-controller');
    for (const t of TRACKED) {
      const inf = cc.informers.get<KubeObject>(t.apiVersion, t.resource);
      const own = t.resource !== 'pods';
      const idx = own ? new OwnerIndex<KubeObject>(inf, false) : sharedPodsByOwner(cc.informers) as unknown as OwnerIndex<KubeObject>;
      this.indexes.set(t.resource, idx);
      this.informers.set(t.resource, inf);
      inf.addHandlers({
        onAdd: (o, ctx) => {
          if (own) idx.add(o);
          this.observed(t.resource, o, ctx);
        },
        onUpdate: (old, o, ctx) => {
          if (own) idx.update(old, o);
          this.observed(t.resource, o, ctx);
        },
        onDelete: (o, ctx) => this.gone(t.resource, o, ctx),
      });
    }
  }

  override stop(): void {
    super.stop();
    for (const [resource, idx] of this.indexes) if (resource !== 'pods') idx.clear();
    this.byUid.clear();
  }

  private itemKey(resource: string, obj: KubeObject): string {
    return `${resource}|${objectKey(obj)}`;
  }

  /**
   * Every pod event of the cluster comes here: an object that is not being deleted and whose owners
   * are all present and not waiting for their dependents costs a few lookups, and allocates nothing.
   */
  private observed(resource: string, obj: KubeObject, ctx: TraceContext): void {
    const meta = obj.metadata;
    if (meta.uid) this.byUid.set(meta.uid, obj);
    if (meta.deletionTimestamp && (hasFinalizer(obj, FINALIZER_FOREGROUND) || hasFinalizer(obj, FINALIZER_ORPHAN))) this.enqueue(this.itemKey(resource, obj), ctx);
    const refs = meta.ownerReferences;
    if (!refs) return;
    // Once per owner that is missing or waiting (as many adds as before: each one sets the key's context).
    for (const ref of refs) {
      const owner = this.byUid.get(ref.uid);
      if (!owner || waitsForDependents(owner)) this.enqueue(this.itemKey(resource, obj), ctx);
    }
  }

  private gone(resource: string, obj: KubeObject, ctx: TraceContext): void {
    const uid = obj.metadata.uid;
    if (uid) this.byUid.delete(uid);
    if (resource !== 'pods') this.indexes.get(resource)!.delete(obj);
    // Its dependents may now be orphans to collect.
    for (const dep of this.dependentsOf(uid)) this.enqueue(this.keyOf(dep), ctx);
    // An owner waiting in foreground deletion may now be free to go.
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const owner = this.byUid.get(ref.uid);
      if (owner) this.enqueue(this.keyOf(owner), ctx);
    }
  }

  private dependentsOf(uid: string | undefined): KubeObject[] {
    const out: KubeObject[] = [];
    for (const idx of this.indexes.values()) out.push(...idx.dependents(uid));
    return out;
  }

  private keyOf(obj: KubeObject): string {
    const def = resourceForKind(obj.apiVersion, obj.kind);
    return `${def?.resource ?? obj.kind.toLowerCase() + 's'}|${objectKey(obj)}`;
  }

  private lookup(key: string): KubeObject | undefined {
    const [resource, objKey] = key.split('|');
    return this.informers.get(resource)?.get(objKey);
  }


  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const obj = this.lookup(key);
    if (!obj) return finish();
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && finalizers.includes(FINALIZER_ORPHAN)) return this.orphanDependents(key, obj, ctx, finish);
    if (obj.metadata.deletionTimestamp && finalizers.includes(FINALIZER_FOREGROUND)) return this.deleteDependentsInForeground(key, obj, ctx, finish);
    this.attemptToDelete(key, obj, ctx, finish);
  };

  /** attemptToDeleteItem: classify the owners as solid, dangling (absent) or waiting for dependents. */
  private attemptToDelete(key: string, obj: KubeObject, ctx: TraceContext, finish: (r?: { error: string }) => void): void {
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0 || obj.metadata.deletionTimestamp) return finish();
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    let pending = refs.length;
    let failed: string | undefined;
    const decide = () => {
      if (failed) return finish({ error: failed });
      if (solid.length > 0) {
        if (dangling.length + waiting.length === 0) return finish();
        return this.removeOwnerRefs(key, obj, new Set([...dangling, ...waiting].map((r) => r.uid)), ctx, finish);
      }
      const policy = waiting.length > 0 ? 'Foreground' : 'Background';
      const [resource, objKey] = key.split('|');
      const [namespace, name] = splitKey(objKey);
      const reason = waiting.length > 0 ? 'its owner is being deleted in foreground' : `all its owners are gone (${dangling.map((r) => `${r.kind} ${r.name}`).join(', ')})`;
      const dctx = this.decide(ctx, { resource, namespace, name }, `deleting ${resource} ${objKey}: ${reason}`, { propagationPolicy: policy });
      const def = resourceForKind(obj.apiVersion, obj.kind);
      this.cc.client.request({ verb: 'delete', apiVersion: def?.apiVersion ?? obj.apiVersion, resource, namespace, name, query: { propagationPolicy: policy } }, dctx, (res) => {
        finish(res.code === 200 || res.code === 202 || res.code === 404 ? undefined : { error: message(res) });
      });
    };
    for (const ref of refs) {
      const owner = this.byUid.get(ref.uid);
      if (owner) {
        (waitsForDependents(owner) ? waiting : solid).push(ref);
        if (--pending === 0) decide();
        continue;
      }
      // Not in our caches: ask the API server before believing it is gone.
      const def = resourceForKind(ref.apiVersion, ref.kind);
      if (!def) {
        solid.push(ref);
        if (--pending === 0) decide();
        continue;
      }
      const ns = def.namespaced ? obj.metadata.namespace : undefined;
      this.cc.client.request({ verb: 'get', apiVersion: def.apiVersion, resource: def.resource, namespace: ns, name: ref.name }, ctx, (res) => {
        if (res.code === 404) dangling.push(ref);
        else if (res.code === 200) {
          const owner = res.body as KubeObject;
          if (owner.metadata.uid !== ref.uid) dangling.push(ref);
          else if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FINALIZER_FOREGROUND)) waiting.push(ref);
          else solid.push(ref);
        } else failed ??= message(res);
        if (--pending === 0) decide();
      });
    }
  }

  private removeOwnerRefs(key: string, obj: KubeObject, uids: Set<string>, ctx: TraceContext, finish: (r?: { error: string }) => void): void {
    const [resource, objKey] = key.split('|');
    const [namespace, name] = splitKey(objKey);
    const def = resourceForKind(obj.apiVersion, obj.kind);
    const body = { ...obj, metadata: { ...obj.metadata, ownerReferences: (obj.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid)) } };
    const dctx = this.decide(ctx, { resource, namespace, name }, `removing owner references of ${resource} ${objKey} to ${[...uids].join(', ')}`);
    this.cc.client.request({ verb: 'update', apiVersion: def?.apiVersion ?? obj.apiVersion, resource, namespace, name, body }, dctx, (res) => {
      finish(res.code === 200 || res.code === 404 ? undefined : { error: message(res) });
    });
  }

  private orphanDependents(key: string, owner: KubeObject, ctx: TraceContext, finish: (r?: { error: string }) => void): void {
    const deps = this.dependentsOf(owner.metadata.uid);
    let pending = deps.length;
    let failed: string | undefined;
    const then = () => (failed ? finish({ error: failed }) : this.removeFinalizer(key, owner, FINALIZER_ORPHAN, ctx, finish));
    if (pending === 0) return then();
    for (const dep of deps) {
      this.removeOwnerRefs(this.keyOf(dep), dep, new Set([owner.metadata.uid!]), ctx, (r) => {
        if (r) failed ??= r.error;
        if (--pending === 0) then();
      });
    }
  }

  private deleteDependentsInForeground(key: string, owner: KubeObject, ctx: TraceContext, finish: (r?: { error: string }) => void): void {
    const deps = this.dependentsOf(owner.metadata.uid);
    if (deps.length === 0) return this.removeFinalizer(key, owner, FINALIZER_FOREGROUND, ctx, finish);
    const todo = deps.filter((d) => !d.metadata.deletionTimestamp);
    // Dependents already terminating: their deletion events bring the owner back here.
    if (todo.length === 0) return finish();
    let pending = todo.length;
    let failed: string | undefined;
    for (const dep of todo) {
      const [resource, objKey] = this.keyOf(dep).split('|');
      const [namespace, name] = splitKey(objKey);
      const dctx = this.decide(ctx, { resource, namespace, name }, `deleting ${resource} ${objKey}: its owner ${owner.kind} ${owner.metadata.name} is being deleted in foreground`);
      const def = resourceForKind(dep.apiVersion, dep.kind);
      this.cc.client.request({ verb: 'delete', apiVersion: def?.apiVersion ?? dep.apiVersion, resource, namespace, name, query: { propagationPolicy: 'Foreground' } }, dctx, (res) => {
        if (!(res.code === 200 || res.code === 202 || res.code === 404)) failed ??= message(res);
        if (--pending === 0) finish(failed ? { error: failed } : undefined);
      });
    }
  }

  private removeFinalizer(key: string, owner: KubeObject, finalizer: string, ctx: TraceContext, finish: (r?: { error: string }) => void): void {
    const [resource, objKey] = key.split('|');
    const [namespace, name] = splitKey(objKey);
    const def = resourceForKind(owner.apiVersion, owner.kind);
    const body = { ...owner, metadata: { ...owner.metadata, finalizers: (owner.metadata.finalizers ?? []).filter((f) => f !== finalizer) } };
    const dctx = this.decide(ctx, { resource, namespace, name }, `removing the ${finalizer} finalizer of ${resource} ${objKey}`);
    this.cc.client.request({ verb: 'update', apiVersion: def?.apiVersion ?? owner.apiVersion, resource, namespace, name, body }, dctx, (res) => {
      finish(res.code === 200 || res.code === 404 ? undefined : { error: message(res) });
    });
  }
}

/** An owner being deleted in foreground: its dependents go first. */
function waitsForDependents(owner: KubeObject): boolean {
  return !!owner.metadata.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND);
}

function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}
