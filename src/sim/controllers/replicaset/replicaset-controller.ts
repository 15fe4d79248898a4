/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps `spec.replicas` active pods for each
 * ReplicaSet. Handlers only enqueue the owning ReplicaSet's key; `reconcile` compares the active
 * pods it owns with the desired count, creates (in slow-start batches, with generateName
 * "<rs>-" so the API server appends 5 random characters) or deletes (ranked, unready and
 * unscheduled first) the difference, and writes the status. Expectations stop it from acting twice
 * on the same change before its informer has caught up.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { Pod, ReplicaSet } from '../../api/types';
import { objectKey } from '../../api/informer';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import { Expectations } from '../expectations';
import { sharedPodsByOwner, type OwnerIndex } from '../owner-index';
import { controllerRef, isPodActive, isPodAvailable, isPodReady, podFromTemplate, rankPodsForDeletion } from '../pods';
import { slowStartBatch } from '../batch';
import { ObjectEventRecorder } from '../events';
import { ActivePodCounts, type PodCounts } from './pod-counts';
import { claim, ClaimIndex, type ClaimTarget } from '../claims';
import { compileSelector } from '../selectors';
import { deepEqual } from '../../apiserver/objects';
import type { ReconcileFn } from '../workqueue/workqueue';

const PODS: ClaimTarget = { apiVersion: 'v1', resource: 'pods', noun: 'pod' };

/** upstream BurstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;
/** upstream SlowStartInitialBatchSize. */
const SLOW_START_INITIAL_BATCH = 1;

export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

/** calculateStatus: what the ReplicaSet's status should say about its active pods. */
export function calculateReplicaSetStatus(rs: ReplicaSet, activePods: readonly Pod[], nowEpochMs: number): ReplicaSetStatus {
  const templateLabels = rs.spec.template.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  const minReady = rs.spec.minReadySeconds ?? 0;
  for (const pod of activePods) {
    const labels = pod.metadata.labels ?? {};
    if (Object.keys(templateLabels).every((k) => labels[k] === templateLabels[k])) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, nowEpochMs)) available++;
    }
  }
  return {
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation,
  };
}

/** The counts of an explicit list of active pods. */
function countsOf(rs: ReplicaSet, active: readonly Pod[]): PodCounts {
  const status = calculateReplicaSetStatus(rs, active, 0);
  return { active: status.replicas, ready: status.readyReplicas ?? 0, labeled: status.fullyLabeledReplicas ?? 0 };
}

function sameStatus(a: ReplicaSet['status'], b: ReplicaSetStatus): boolean {
  return !!a && a.replicas === b.replicas && (a.fullyLabeledReplicas ?? 0) === b.fullyLabeledReplicas &&
    (a.readyReplicas ?? 0) === b.readyReplicas && (a.availableReplicas ?? 0) === b.availableReplicas &&
    a.observedGeneration === b.observedGeneration;
}

export class ReplicaSetController extends QueueController {
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly podsByOwner: OwnerIndex<Pod>;
  private readonly counts: ActivePodCounts;
  /** Orphans to adopt and pods to release (ControllerRefManager). */
  private readonly claims: ClaimIndex<Pod>;
  private readonly rsKeyByUid = new Map<string, string>();
  private readonly expectations: Expectations;
  private readonly events: ObjectEventRecorder;

  constructor(cc: ControllerContext) {
    super(cc, 'replicaset-controller');
    this.expectations = new Expectations(cc.clock);
    this.events = new ObjectEventRecorder(cc.clock, cc.client, 'replicaset-controller', cc.host);
    this.counts = new ActivePodCounts((uid) => {
      const key = this.rsKeyByUid.get(uid);
      return key ? this.replicaSets.get(key)?.spec.template.metadata?.labels : undefined;
    });
    this.replicaSets = cc.informers.get<ReplicaSet>('apps/v1', 'replicasets');
    this.pods = cc.informers.get<Pod>('v1', 'pods');
    this.podsByOwner = sharedPodsByOwner(cc.informers);
    this.claims = new ClaimIndex<Pod>(this.pods, (uid) => {
      const key = this.rsKeyByUid.get(uid);
      const rs = key === undefined ? undefined : this.replicaSets.get(key);
      return rs ? compileSelector(rs.spec.selector) : undefined;
    });
    this.replicaSets.addHandlers({
      onAdd: (rs, ctx) => {
        this.rsKeyByUid.set(rs.metadata.uid!, objectKey(rs));
        const owned = this.podsByOwner.dependents(rs.metadata.uid);
        for (const pod of owned) this.counts.upsert(pod);
        this.claims.recheck(rs.metadata.uid!, owned);
        this.enqueue(objectKey(rs), ctx);
      },
      onUpdate: (old, rs, ctx) => {
        this.rsKeyByUid.set(rs.metadata.uid!, objectKey(rs));
        // New template labels change which pods count as fully labelled.
        if (!deepEqual(old.spec.template.metadata?.labels, rs.spec.template.metadata?.labels)) {
          for (const pod of this.podsByOwner.dependents(rs.metadata.uid)) this.counts.upsert(pod);
        }
        this.enqueue(objectKey(rs), ctx);
      },
      onDelete: (rs, ctx) => {
        this.rsKeyByUid.delete(rs.metadata.uid!);
        this.expectations.delete(objectKey(rs));
        this.enqueue(objectKey(rs), ctx);
      },
    });
    this.pods.addHandlers({
      onAdd: (pod, ctx) => this.podAdded(pod, ctx),
      onUpdate: (old, pod, ctx) => this.podUpdated(old, pod, ctx),
      onDelete: (pod, ctx) => this.podDeleted(pod, ctx),
    });
  }

  override stop(): void {
    super.stop();
    this.counts.clear();
    this.claims.clear();
    this.rsKeyByUid.clear();
  }

  /**
   * The ReplicaSet key a pod's controller reference points to, if it is one we know: the cached
   * ReplicaSet named by the reference in the pod's namespace, with the reference's uid. Found by uid
   * (rsKeyByUid follows the cache), which spares building and hashing "namespace/name" on every pod event.
   */
  private ownerKey(pod: Pod): string | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const key = this.rsKeyByUid.get(ref.uid);
    const rs = key === undefined ? undefined : this.replicaSets.get(key);
    if (!rs || rs.metadata.uid !== ref.uid || rs.metadata.name !== ref.name || rs.metadata.namespace !== pod.metadata.namespace) return undefined;
    return key;
  }

  /** An orphan: every ReplicaSet of its namespace that selects it may want to adopt it (getPodReplicaSets). */
  private orphanChanged(pod: Pod, ctx: TraceContext): void {
    if (pod.metadata.deletionTimestamp || controllerRef(pod)) return;
    for (const rs of this.replicaSets.list()) {
      if (rs.metadata.namespace === pod.metadata.namespace && compileSelector(rs.spec.selector).matches(pod.metadata.labels ?? {})) this.enqueue(objectKey(rs), ctx);
    }
  }

  private podAdded(pod: Pod, ctx: TraceContext): void {
    this.counts.upsert(pod);
    this.claims.add(pod);
    const key = this.ownerKey(pod);
    if (!key) return this.orphanChanged(pod, ctx);
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod, ctx);
    this.expectations.creationObserved(key);
    this.enqueue(key, ctx);
  }

  private podUpdated(old: Pod, pod: Pod, ctx: TraceContext): void {
    this.counts.upsert(pod);
    this.claims.update(old, pod);
    const key = this.ownerKey(pod);
    // Owner references are shared by the versions of a pod that did not change them (nearly all).
    const sameOwners = old.metadata.ownerReferences === pod.metadata.ownerReferences && old.metadata.namespace === pod.metadata.namespace;
    const oldKey = sameOwners ? key : this.ownerKey(old);
    if (oldKey && oldKey !== key) this.enqueue(oldKey, ctx);
    if (!key) {
      if (!sameOwners || old.metadata.labels !== pod.metadata.labels) this.orphanChanged(pod, ctx);
      return;
    }
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(key, objectKey(pod));
    this.enqueue(key, ctx);
    // A pod that just became ready turns available minReadySeconds later: look again then.
    const minReady = this.replicaSets.get(key)?.spec.minReadySeconds ?? 0;
    if (minReady > 0 && isPodReady(pod) && !isPodReady(old)) this.queue.addAfter(key, minReady * 1000 + 1000, ctx);
  }

  private podDeleted(pod: Pod, ctx: TraceContext): void {
    this.counts.delete(pod);
    this.claims.delete(pod);
    const key = this.ownerKey(pod);
    if (!key) return;
    this.expectations.deletionObserved(key, objectKey(pod));
    this.enqueue(key, ctx);
  }

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const rs = this.replicaSets.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return finish();
    }
    // claimPods: adopt the orphans it selects, release the pods it no longer selects (nearly always neither).
    const plan = this.claims.plan(rs, compileSelector(rs.spec.selector), isPodActive);
    if (rs.metadata.deletionTimestamp || (plan.adopt.length === 0 && plan.release.length === 0)) return this.sync(key, rs, undefined, ctx, finish);
    claim(this.cc, this.name, rs, PODS, plan, ctx, (result) => {
      if (result.error) return finish({ error: result.error });
      // This sync's pods are what it claimed, whether or not its informer has seen the patches yet.
      const released = new Set(result.released.map(objectKey));
      const claimed = new Map<string, Pod>();
      for (const p of this.ownedActive(rs)) if (!released.has(objectKey(p))) claimed.set(objectKey(p), p);
      for (const p of result.adopted) if (isPodActive(p)) claimed.set(objectKey(p), p);
      this.sync(key, rs, [...claimed.values()], ctx, finish);
    });
  };

  /** The active pods the cache shows `rs` controlling. */
  private ownedActive(rs: ReplicaSet): Pod[] {
    return this.podsByOwner.dependents(rs.metadata.uid).filter((p) => isPodActive(p) && controllerRef(p)?.uid === rs.metadata.uid);
  }

  /**
   * manageReplicas and the status, from the counts kept up to date by pod events or, after a sync that
   * claimed pods, from the pods it claimed (`claimed`).
   */
  private sync(key: string, rs: ReplicaSet, claimed: Pod[] | undefined, ctx: TraceContext, finish: Parameters<ReconcileFn>[2]): void {
    const counts: PodCounts = claimed ? countsOf(rs, claimed) : this.counts.counts(rs.metadata.uid);
    const minReady = rs.spec.minReadySeconds ?? 0;
    // The pods themselves are only needed to pick which to delete, or to judge availability over time.
    let activePods: Pod[] | undefined = claimed;
    const active = () => (activePods ??= this.ownedActive(rs));
    const needsSync = this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const afterManage = (error?: string): void => {
      const status = minReady > 0 || claimed ? calculateReplicaSetStatus(rs, active(), this.nowEpoch()) : {
        replicas: counts.active, fullyLabeledReplicas: counts.labeled, readyReplicas: counts.ready, availableReplicas: counts.ready,
        observedGeneration: rs.metadata.generation,
      };
      this.updateStatus(rs, status, ctx, (statusError) => {
        const err = error ?? statusError;
        if (err) return finish({ error: err });
        if (minReady > 0 && status.readyReplicas !== status.availableReplicas && (rs.spec.replicas ?? 1) === status.replicas) {
          return finish({ requeueAfterMs: minReady * 1000 });
        }
        finish();
      });
    };
    if (!needsSync || counts.active === (rs.spec.replicas ?? 1)) return afterManage();
    this.manageReplicas(key, rs, counts.active, active, ctx, afterManage);
  }

  private nowEpoch(): number {
    return this.cc.clock.wallMs();
  }

  /**
   * Create or delete the difference between `activeCount` and the desired replicas. The active pods
   * themselves (`activePods`, O(replicas) to gather) are only needed to choose which to delete.
   */
  private manageReplicas(key: string, rs: ReplicaSet, activeCount: number, activePods: () => Pod[], ctx: TraceContext, done: (error?: string) => void): void {
    const desired = rs.spec.replicas ?? 1;
    const diff = activeCount - desired;
    const ref = { resource: 'replicasets', namespace: rs.metadata.namespace, name: rs.metadata.name! };
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      const dctx = this.decide(ctx, ref, `Too few replicas for ReplicaSet ${key}: need ${desired}, creating ${count}`, { need: desired, creating: count });
      this.expectations.expectCreations(key, count);
      let firstError: string | undefined;
      let failures = 0;
      slowStartBatch(count, SLOW_START_INITIAL_BATCH, (_i, ok) => {
        const pod = podFromTemplate(rs.spec.template, rs, `${rs.metadata.name}-`);
        this.cc.client.request({ verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: rs.metadata.namespace, body: pod }, dctx, (res, rctx) => {
          if (res.code === 201) {
            const created = res.body as Pod;
            if (this.cc.options.events) this.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, rctx);
            return ok(true);
          }
          this.expectations.creationObserved(key);
          failures++;
          firstError ??= message(res);
          if (this.cc.options.events) this.events.record(rs, 'Warning', 'FailedCreate', `Error creating: ${message(res)}`, rctx);
          ok(false);
        });
      }, (successes) => {
        // Creations that were never attempted will never be observed either.
        for (let i = successes + failures; i < count; i++) this.expectations.creationObserved(key);
        done(firstError);
      });
      return;
    }
    if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const active = activePods();
      const onNode = new Map<string, number>();
      for (const p of active) if (p.spec.nodeName) onNode.set(p.spec.nodeName, (onNode.get(p.spec.nodeName) ?? 0) + 1);
      const victims = rankPodsForDeletion(active, (n) => onNode.get(n) ?? 0).slice(0, count);
      const dctx = this.decide(ctx, ref, `Too many replicas for ReplicaSet ${key}: need ${desired}, deleting ${count}`, {
        need: desired, deleting: count, pods: victims.map((p) => p.metadata.name),
      });
      this.expectations.expectDeletions(key, victims.map(objectKey));
      let pending = victims.length;
      let firstError: string | undefined;
      for (const pod of victims) {
        this.cc.client.request({ verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name }, dctx, (res, rctx) => {
          if (res.code === 200 || res.code === 202) {
            if (this.cc.options.events) this.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, rctx);
          } else {
            this.expectations.deletionObserved(key, objectKey(pod));
            if (res.code !== 404) firstError ??= message(res);
          }
          if (--pending === 0) done(firstError);
        });
      }
      return;
    }
    done();
  }

  private updateStatus(rs: ReplicaSet, status: ReplicaSetStatus, ctx: TraceContext, done: (error?: string) => void): void {
    if (sameStatus(rs.status, status)) return done();
    const [namespace, name] = splitKey(objectKey(rs));
    const body: ReplicaSet = { ...rs, status };
    this.cc.client.request({ verb: 'update', apiVersion: 'apps/v1', resource: 'replicasets', namespace, name, subresource: 'status', body }, ctx, (res) => {
      done(res.code === 200 ? undefined : message(res));
    });
  }
}
