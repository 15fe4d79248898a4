/**
 * The Job controller (pkg/controller/job): runs each Job's pods until `completions` of them succeed, or the Job
 * fails (backoffLimit, activeDeadlineSeconds). Handlers only enqueue the owning Job's key; `reconcile` is
 * level-triggered and idempotent, with the whole state in the API: the Job's status and its pods' tracking
 * finalizer (`batch.kubernetes.io/job-tracking`), as upstream's finalizer-based tracking:
 *  1. a finished pod that still has the finalizer and is not yet in status.uncountedTerminatedPods is added
 *     there (status write);
 *  2. then its finalizer is removed (a strategic merge patch of the pod);
 *  3. then, in the next status write, it leaves uncountedTerminatedPods and is counted (succeeded / failed).
 * A pod is counted once: only a uid in uncountedTerminatedPods whose finalizer is gone moves to a counter, in one
 * write guarded by the Job's resourceVersion, so a new leader (or a stale cache) cannot count it twice.
 *
 * Terminal conditions are two-step as in 1.32 (JobPodReplacementPolicy and JobSuccessPolicy are on by default):
 * SuccessCriteriaMet then Complete (with completionTime), FailureTarget then Failed, the second once no pod is
 * left terminating or uncounted. Failed pods are replaced after a back-off of 10 s doubling per failure since the
 * last success, capped at 10 minutes (upstream's MaxJobPodFailureBackOff). ttlSecondsAfterFinished is the
 * ttl-after-finished controller's.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { Job, JobCondition, Pod, PodTemplateSpec } from '../../api/types';
import { objectKey } from '../../api/informer';
import { deepEqual } from '../../apiserver/objects';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import { Expectations } from '../expectations';
import { sharedPodsByOwner, type OwnerIndex } from '../owner-index';
import { isPodReady, podFromTemplate, rankPodsForDeletion } from '../pods';
import { slowStartBatch } from '../batch';
import { ObjectEventRecorder } from '../events';
import type { ReconcileFn } from '../workqueue/workqueue';
import {
  completionIndexOf, firstPendingIndexes, formatIndexes, generateNameWithIndex, indexedPodTemplate, mergeIntervals, parseIndexes, totalIndexes,
  withIndexes, INDEX_FAILURE_COUNT_ANNOTATION, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION, UNKNOWN_INDEX, type Interval,
} from './indexes';
import { failJobMessage, matchPodFailurePolicy } from './pod-failure-policy';
import { calculateFailedIndexes, hasBackoffLimitPerIndex, isPodFailed, newIndexFailureCounts, onlyReplaceFailedPods, perIndexRemainingMs, podsWithDelayedDeletionPerIndex } from './backoff-per-index';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** upstream DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
const BURST = 500;

type JobStatus = NonNullable<Job['status']>;

/** What upstream prints for each terminal reason. */
const REASON_MESSAGES: Record<string, string> = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  CompletionsReached: 'Reached expected number of succeeded pods',
  MaxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  FailedIndexes: 'Job has failed indexes',
};

function hasTrackingFinalizer(pod: Pod): boolean {
  const f = pod.metadata.finalizers;
  if (!f) return false;
  for (const x of f) if (x === JOB_TRACKING_FINALIZER) return true;
  return false;
}

/** The controller reference of a pod when it names a Job, without allocating (called for every pod event). */
function jobRef(pod: Pod): { name: string; uid: string } | undefined {
  const refs = pod.metadata.ownerReferences;
  if (!refs) return undefined;
  for (const r of refs) if (r.controller) return r.kind === 'Job' && r.apiVersion === 'batch/v1' ? r : undefined;
  return undefined;
}

function conditionTrue(job: Job, type: string): JobCondition | undefined {
  for (const c of job.status?.conditions ?? []) if (c.type === type && c.status === 'True') return c;
  return undefined;
}

export function isJobFinished(job: Job): boolean {
  return !!conditionTrue(job, 'Complete') || !!conditionTrue(job, 'Failed');
}

/** Not finished and not being deleted (upstream's FilterActivePods). */
function isActive(pod: Pod): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

function isIndexedJob(job: Job): boolean {
  return job.spec.completionMode === 'Indexed';
}

/**
 * upstream's appendDuplicatedIndexPodsForRemoval: active pods without a valid index (none, or not below completions)
 * are extra, and of the pods sharing an index all but the one furthest along (the last in deletion order) are extra.
 */
function duplicatedIndexPods(active: readonly Pod[], completions: number, rank: (pods: Pod[]) => Pod[]): { extra: Pod[]; left: Pod[] } {
  const extra: Pod[] = [];
  const byIndex = new Map<number, Pod[]>();
  for (const p of active) {
    const ix = completionIndexOf(p);
    if (ix === UNKNOWN_INDEX || ix >= completions) extra.push(p);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
  }
  const left: Pod[] = [];
  for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
    const pods = byIndex.get(ix)!;
    if (pods.length === 1) {
      left.push(pods[0]);
      continue;
    }
    const ranked = rank(pods);
    extra.push(...ranked.slice(0, -1));
    left.push(ranked[ranked.length - 1]);
  }
  return { extra, left };
}

function finishedAtMs(pod: Pod, fallback: number): number {
  let t = NaN;
  for (const s of pod.status?.containerStatuses ?? []) {
    const at = s.state?.terminated?.finishedAt ? Date.parse(s.state.terminated.finishedAt) : NaN;
    if (!Number.isNaN(at) && (Number.isNaN(t) || at > t)) t = at;
  }
  return Number.isNaN(t) ? fallback : t;
}

/** The back-off before the next pod: 10 s × 2^(failures − 1), capped (upstream's backoff record). */
export function podFailureBackoffMs(failuresSinceSuccess: number): number {
  if (failuresSinceSuccess <= 0) return 0;
  return Math.min(MAX_POD_FAILURE_BACKOFF_MS, POD_FAILURE_BACKOFF_MS * 2 ** Math.min(failuresSinceSuccess - 1, 30));
}

interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureMs: number;
}

export class JobController extends QueueController {
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly podsByOwner: OwnerIndex<Pod>;
  private readonly expectations: Expectations;
  private readonly events: ObjectEventRecorder;
  /** Job key by uid, for the pods' controller references. */
  private readonly jobKeyByUid = new Map<string, string>();
  /** The resourceVersion of the last status this controller wrote, per Job: act only on a cache that has caught up. */
  private readonly written = new Map<string, number>();
  /** Pods whose finalizer this controller removed and whose change its cache has not shown yet (upstream's finalizer expectations). */
  private readonly finalizerRemoved = new Set<string>();
  private readonly backoff = new Map<string, BackoffRecord>();

  constructor(cc: ControllerContext) {
    super(cc, 'job-controller');
    this.expectations = new Expectations(cc.clock);
    this.events = new ObjectEventRecorder(cc.clock, cc.client, 'job-controller', cc.host);
    this.jobs = cc.informers.get<Job>('batch/v1', 'jobs');
    this.pods = cc.informers.get<Pod>('v1', 'pods');
    this.podsByOwner = sharedPodsByOwner(cc.informers);
    this.jobs.addHandlers({
      onAdd: (job, ctx) => {
        this.jobKeyByUid.set(job.metadata.uid!, objectKey(job));
        this.enqueue(objectKey(job), ctx);
      },
      onUpdate: (_old, job, ctx) => this.enqueue(objectKey(job), ctx),
      onDelete: (job, ctx) => {
        const key = objectKey(job);
        this.jobKeyByUid.delete(job.metadata.uid!);
        this.expectations.delete(key);
        this.written.delete(key);
        this.backoff.delete(key);
        // Its pods lose their tracking finalizer (orphan cleanup).
        this.enqueue(key, ctx);
      },
    });
    this.pods.addHandlers({
      onAdd: (pod, ctx) => this.podChanged(pod, true, ctx),
      onUpdate: (_old, pod, ctx) => this.podChanged(pod, false, ctx),
      onDelete: (pod, ctx) => this.podDeleted(pod, ctx),
    });
  }

  override stop(): void {
    super.stop();
    this.jobKeyByUid.clear();
    this.written.clear();
    this.finalizerRemoved.clear();
    this.backoff.clear();
  }

  private podChanged(pod: Pod, added: boolean, ctx: TraceContext): void {
    const ref = jobRef(pod);
    if (ref === undefined) {
      // An orphan still carrying our finalizer (its Job was deleted, or released it): remove the finalizer.
      if (pod.metadata.finalizers !== undefined && hasTrackingFinalizer(pod)) this.enqueue(`orphan|${objectKey(pod)}`, ctx);
      return;
    }
    if (!hasTrackingFinalizer(pod)) this.finalizerRemoved.delete(pod.metadata.uid!);
    const key = this.jobKeyByUid.get(ref.uid);
    if (key === undefined) {
      if (hasTrackingFinalizer(pod)) this.enqueue(`orphan|${objectKey(pod)}`, ctx);
      return;
    }
    if (added) this.expectations.creationObserved(key);
    this.enqueue(key, ctx);
  }

  private podDeleted(pod: Pod, ctx: TraceContext): void {
    const ref = jobRef(pod);
    if (ref === undefined) return;
    this.finalizerRemoved.delete(pod.metadata.uid!);
    const key = this.jobKeyByUid.get(ref.uid);
    if (key !== undefined) this.enqueue(key, ctx);
  }

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    if (key.startsWith('orphan|')) return this.releaseOrphan(key.slice('orphan|'.length), ctx, finish);
    const job = this.jobs.get(key);
    if (!job) {
      // Deleted: remove the finalizer from the pods it left (the garbage collector deletes or orphans them).
      return finish();
    }
    const rv = Number(job.metadata.resourceVersion);
    if ((this.written.get(key) ?? 0) > rv) return finish(); // our last status write is on its way to the cache
    if (!this.expectations.satisfied(key)) return finish();
    const pods = this.podsByOwner.dependents(job.metadata.uid).filter((p) => jobRef(p)?.uid === job.metadata.uid);
    new JobSync(this, job, key, pods, ctx, finish).run();
  };

  /** An orphaned pod with the tracking finalizer: remove it (upstream's orphan pod cleanup). */
  private releaseOrphan(podKey: string, ctx: TraceContext, finish: (r?: { error: string } | { requeueAfterMs: number }) => void): void {
    const pod = this.pods.get(podKey);
    if (!pod || !hasTrackingFinalizer(pod)) return finish();
    if (!this.jobs.hasSynced()) return finish({ requeueAfterMs: 1000 });
    const ref = jobRef(pod);
    if (ref && this.jobKeyByUid.has(ref.uid)) return finish();
    this.removeFinalizer(pod, ctx, (ok, error) => finish(ok ? undefined : { error: error ?? 'finalizer removal failed' }));
  }

  // ------------------------------------------------------------------ actions JobSync uses

  /** @internal */
  removeFinalizer(pod: Pod, ctx: TraceContext, done: (ok: boolean, error?: string) => void): void {
    const [namespace, name] = splitKey(objectKey(pod));
    const body = { metadata: { uid: pod.metadata.uid, [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } };
    this.cc.client.request({ verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace, name, patchType: 'application/strategic-merge-patch+json', body }, ctx, (res) => {
      if (res.code === 200) {
        this.finalizerRemoved.add(pod.metadata.uid!);
        return done(true);
      }
      if (res.code === 404) return done(true); // gone: nothing holds it any more
      done(false, message(res));
    });
  }

  /** @internal */
  finalizerPending(pod: Pod): boolean {
    return hasTrackingFinalizer(pod) && !this.finalizerRemoved.has(pod.metadata.uid!);
  }

  /** @internal */
  writeStatus(job: Job, status: JobStatus, ctx: TraceContext, done: (job: Job | undefined, error?: string) => void): void {
    if (deepEqual(job.status, status)) return done(job);
    const key = objectKey(job);
    const [namespace, name] = splitKey(key);
    this.cc.client.request({ verb: 'update', apiVersion: 'batch/v1', resource: 'jobs', namespace, name, subresource: 'status', body: { ...job, status } }, ctx, (res) => {
      if (res.code !== 200) return done(undefined, message(res));
      const updated = res.body as Job;
      this.written.set(key, Number(updated.metadata.resourceVersion));
      done(updated);
    });
  }

  /** @internal */
  createPods(job: Job, key: string, count: number, ctx: TraceContext, done: (error?: string) => void, templates?: readonly { template: PodTemplateSpec; generateName: string }[]): void {
    this.expectations.expectCreations(key, count);
    let firstError: string | undefined;
    let attempted = 0;
    slowStartBatch(count, 1, (i, ok) => {
      attempted++;
      const t = templates?.[i];
      const pod = podFromTemplate(t?.template ?? job.spec.template, job, t?.generateName ?? `${job.metadata.name}-`);
      pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
      this.cc.client.request({ verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: job.metadata.namespace, body: pod }, ctx, (res, rctx) => {
        if (res.code === 201) {
          if (this.cc.options.events) this.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${(res.body as Pod).metadata.name}`, rctx);
          return ok(true);
        }
        this.expectations.creationObserved(key);
        firstError ??= message(res);
        ok(false);
      });
    }, () => {
      // Creations never attempted will never be observed.
      for (let i = attempted; i < count; i++) this.expectations.creationObserved(key);
      done(firstError);
    });
  }

  /** @internal */
  deletePods(job: Job, pods: readonly Pod[], ctx: TraceContext, done: (error?: string) => void): void {
    if (pods.length === 0) return done();
    let pending = pods.length;
    let firstError: string | undefined;
    for (const pod of pods) {
      this.cc.client.request({ verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name }, ctx, (res, rctx) => {
        if (res.code === 200 || res.code === 202) {
          if (this.cc.options.events) this.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, rctx);
        } else if (res.code !== 404) firstError ??= message(res);
        if (--pending === 0) done(firstError);
      });
    }
  }

  /** @internal */
  recordEvent(job: Job, type: 'Normal' | 'Warning', reason: string, note: string, ctx: TraceContext): void {
    if (this.cc.options.events) this.events.record(job, type, reason, note, ctx);
  }

  /** @internal */
  backoffOf(key: string): BackoffRecord {
    let b = this.backoff.get(key);
    if (!b) this.backoff.set(key, (b = { failuresAfterLastSuccess: 0, lastFailureMs: 0 }));
    return b;
  }

  /** @internal */
  now(): number {
    return this.cc.clock.wallMs();
  }

  /** @internal */
  iso(): string {
    return this.cc.clock.iso();
  }

  /** @internal */
  decideFor(ctx: TraceContext, job: Job, summary: string, detail?: Record<string, unknown>): TraceContext {
    return this.decide(ctx, { resource: 'jobs', namespace: job.metadata.namespace, name: job.metadata.name! }, summary, detail);
  }
}

function condition(type: string, status: 'True' | 'False', reason: string, msg: string, now: string): JobCondition {
  return { type, status, lastProbeTime: now, lastTransitionTime: now, reason, message: msg };
}

/** Set a condition (a new one, or a changed status); returns the new list. */
function withCondition(conds: readonly JobCondition[], c: JobCondition): JobCondition[] {
  const i = conds.findIndex((x) => x.type === c.type);
  if (i < 0) return [...conds, c];
  if (conds[i].status === c.status) return [...conds];
  const out = [...conds];
  out[i] = c;
  return out;
}

/** One reconcile of one Job: a chain of API calls, each step working from the previous step's answer. */
class JobSync {
  private readonly nowIso: string;
  /** Finished pods whose finalizer this sync removes without counting them in uncountedTerminatedPods. */
  private readonly release: Pod[] = [];
  /** backoffLimitPerIndex: per index, the failed pod kept (finalizer and all) until its replacement exists. */
  private delayed = new Map<number, Pod>();

  constructor(
    private readonly jc: JobController,
    private job: Job,
    private readonly key: string,
    private readonly pods: Pod[],
    private readonly ctx: TraceContext,
    private readonly finish: (r?: { error: string } | { requeueAfterMs: number }) => void,
  ) {
    this.nowIso = jc.iso();
  }

  run(): void {
    const job = this.job;
    const status = this.baseStatus();
    if (isJobFinished(job)) {
      // Finished: only pods still carrying the finalizer remain to be released (no counting any more).
      return this.releaseFinished();
    }
    const indexed = isIndexedJob(job);
    const completions = job.spec.completions ?? 0;
    const perIndex = hasBackoffLimitPerIndex(job);
    const policy = job.spec.podFailurePolicy;
    const now = this.jc.now();
    // 1. Newly finished pods go to uncountedTerminatedPods (Indexed Jobs: succeeded ones to completedIndexes);
    //    pods whose failure is not counted (an Ignore rule, a pod without a valid index) are only released.
    const uncounted = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
    const inUncountedSucceeded = new Set(uncounted.succeeded);
    const inUncountedFailed = new Set(uncounted.failed);
    const record = this.jc.backoffOf(this.key);
    const pending = this.pods.filter((p) => this.jc.finalizerPending(p));
    const prevSucceeded = indexed ? parseIndexes(status.completedIndexes, completions) : [];
    let succeededIndexes: Interval[] = prevSucceeded;
    if (indexed) {
      const fresh = pending.filter((p) => p.status?.phase === 'Succeeded').map(completionIndexOf).filter((ix) => ix !== UNKNOWN_INDEX && ix < completions);
      succeededIndexes = withIndexes(prevSucceeded, [...new Set(fresh)].sort((a, b) => a - b));
      status.completedIndexes = formatIndexes(succeededIndexes);
      status.succeeded = totalIndexes(succeededIndexes);
    }
    let failedIndexes: Interval[] = [];
    let delayed = new Map<number, Pod>();
    if (perIndex) {
      failedIndexes = calculateFailedIndexes(job, this.pods);
      status.failedIndexes = formatIndexes(failedIndexes);
      const active = this.pods.filter(isActive);
      delayed = podsWithDelayedDeletionPerIndex(job, pending, active, succeededIndexes, failedIndexes, now);
    }
    this.delayed = delayed;
    // A FailJob rule matching a failed pod: the FailureTarget goes out with this write, before any finalizer is removed.
    let conds = status.conditions ?? [];
    const hasTarget = conds.some((c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True');
    if (!hasTarget && policy) {
      const msg = failJobMessage(job, this.pods.filter((p) => isPodFailed(p, job)));
      if (msg !== undefined) {
        conds = withCondition(conds, condition('FailureTarget', 'True', 'PodFailurePolicy', msg, this.nowIso));
        status.conditions = conds;
        this.jc.decideFor(this.ctx, job, `Job ${this.key}: FailureTarget (PodFailurePolicy): ${msg}`);
      }
    }
    const finishing = hasTarget || conds.some((c) => c.type === 'FailureTarget' && c.status === 'True');
    let added = 0;
    const ordered = indexed ? [...pending].sort((a, b) => completionIndexOf(a) - completionIndexOf(b)) : pending;
    for (const pod of ordered) {
      const uid = pod.metadata.uid!;
      const phase = pod.status?.phase;
      const failed = isPodFailed(pod, job);
      // upstream's canRemoveFinalizer (a failed pod waiting for its index's replacement keeps it).
      const removable = !!job.metadata.deletionTimestamp || finishing || phase === 'Succeeded' || (failed && !(perIndex && delayed.get(completionIndexOf(pod)) === pod));
      if (!removable || (!failed && phase !== 'Succeeded')) continue;
      this.release.push(pod);
      const ix = completionIndexOf(pod);
      const validIndex = !indexed || (ix !== UNKNOWN_INDEX && ix < completions);
      if (phase === 'Succeeded' && !inUncountedFailed.has(uid)) {
        if (!indexed && !inUncountedSucceeded.has(uid)) {
          uncounted.succeeded.push(uid);
          added++;
        }
        record.failuresAfterLastSuccess = 0;
      } else if (failed && !inUncountedFailed.has(uid) && validIndex) {
        if (matchPodFailurePolicy(policy, pod).countFailed) {
          uncounted.failed.push(uid);
          added++;
        }
        if (!perIndex) {
          record.failuresAfterLastSuccess++;
          record.lastFailureMs = Math.max(record.lastFailureMs, finishedAtMs(pod, now));
        }
      }
    }
    status.uncountedTerminatedPods = uncounted;
    const changed = !deepEqual(cleanStatus(status), cleanStatus(this.baseStatus()));
    if (!changed && this.release.length === 0 && uncounted.succeeded.length + uncounted.failed.length === 0) return this.manage(status);
    const dctx = added > 0 ? this.jc.decideFor(this.ctx, job, `Job ${this.key}: ${added} pod${added === 1 ? '' : 's'} finished, tracking them in uncountedTerminatedPods`) : this.ctx;
    this.jc.writeStatus(job, cleanStatus(status), dctx, (updated, error) => {
      if (!updated) return this.finish({ error: error! });
      this.job = updated;
      this.releaseUncounted(dctx);
    });
  }

  /** 2 and 3: remove the finalizers of the uncounted pods (and of the pods released uncounted), then count the ones released. */
  private releaseUncounted(ctx: TraceContext): void {
    const status = this.baseStatus();
    const uncounted = status.uncountedTerminatedPods ?? {};
    const byUid = new Map(this.pods.map((p) => [p.metadata.uid!, p]));
    const uids = [...new Set([...(uncounted.succeeded ?? []), ...(uncounted.failed ?? []), ...this.release.map((p) => p.metadata.uid!)])];
    const released = new Set<string>();
    let pending = uids.length;
    let firstError: string | undefined;
    const after = () => {
      const keep = (list: string[] | undefined) => (list ?? []).filter((u) => !released.has(u));
      status.succeeded = (status.succeeded ?? 0) + (uncounted.succeeded ?? []).filter((u) => released.has(u)).length;
      status.failed = (status.failed ?? 0) + (uncounted.failed ?? []).filter((u) => released.has(u)).length;
      status.uncountedTerminatedPods = { succeeded: keep(uncounted.succeeded), failed: keep(uncounted.failed) };
      if (firstError) {
        return this.jc.writeStatus(this.job, cleanStatus(status), ctx, () => this.finish({ error: firstError! }));
      }
      this.manage(status);
    };
    if (pending === 0) return after();
    for (const uid of uids) {
      const pod = byUid.get(uid);
      if (!pod || !this.jc.finalizerPending(pod)) {
        released.add(uid);
        if (--pending === 0) after();
        continue;
      }
      this.jc.removeFinalizer(pod, ctx, (ok, error) => {
        if (ok) released.add(uid);
        else firstError ??= error;
        if (--pending === 0) after();
      });
    }
  }

  /** A finished Job: release the finalizers its pods still carry; the counts are final. */
  private releaseFinished(): void {
    const left = this.pods.filter((p) => this.jc.finalizerPending(p));
    if (left.length === 0) return this.finish();
    let pending = left.length;
    let firstError: string | undefined;
    for (const pod of left) {
      this.jc.removeFinalizer(pod, this.ctx, (ok, error) => {
        if (!ok) firstError ??= error;
        if (--pending === 0) this.finish(firstError ? { error: firstError } : undefined);
      });
    }
  }

  /** The rest of syncJob: conditions, deadline, suspend, back-off, creating and deleting pods, the status. */
  private manage(status: JobStatus): void {
    const job = this.job;
    const spec = job.spec;
    const now = this.jc.now();
    const indexed = isIndexedJob(job);
    const perIndex = hasBackoffLimitPerIndex(job);
    const completions = spec.completions ?? 0;
    const active = this.pods.filter(isActive);
    const terminating = this.pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
    const uncounted = status.uncountedTerminatedPods ?? {};
    const succeeded = (status.succeeded ?? 0) + (uncounted.succeeded?.length ?? 0);
    const failed = (status.failed ?? 0) + (uncounted.failed?.length ?? 0);
    const succeededIndexes = indexed ? parseIndexes(status.completedIndexes, completions) : [];
    const failedIndexes = perIndex ? parseIndexes(status.failedIndexes, completions) : [];
    const suspended = spec.suspend === true;
    let conds = status.conditions ?? [];
    const requeue: number[] = [];

    // Suspend / resume.
    if (suspended) {
      if (!conditionTrue(job, 'Suspended')) {
        conds = withCondition(conds, condition('Suspended', 'True', 'JobSuspended', 'Job suspended', this.nowIso));
        this.jc.recordEvent(job, 'Normal', 'Suspended', 'Job suspended', this.ctx);
      }
    } else if (conds.some((c) => c.type === 'Suspended' && c.status === 'True')) {
      conds = withCondition(conds, condition('Suspended', 'False', 'JobResumed', 'Job resumed', this.nowIso));
      this.jc.recordEvent(job, 'Normal', 'Resumed', 'Job resumed', this.ctx);
      status.startTime = this.nowIso; // the deadline counts from the resumption
    }
    if (!status.startTime && !suspended) status.startTime = this.nowIso;

    // Terminal criteria: a target condition first, the terminal one once nothing is left terminating or uncounted.
    // (A FailJob rule's FailureTarget was set by run(), before the pods' finalizers were removed.)
    let target = conds.find((c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True');
    if (!target) {
      const restarts = spec.template.spec.restartPolicy === 'OnFailure' ? active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, s) => m + s.restartCount, 0), 0) : 0;
      const backoffLimit = spec.backoffLimit ?? 6;
      let reason: string | undefined;
      if (failed > backoffLimit || (restarts > 0 && restarts >= backoffLimit)) reason = 'BackoffLimitExceeded';
      else if (spec.activeDeadlineSeconds !== undefined && status.startTime && !suspended) {
        const deadline = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000;
        if (now >= deadline) reason = 'DeadlineExceeded';
        else requeue.push(deadline - now);
      }
      if (!reason && perIndex) {
        const failedCount = totalIndexes(failedIndexes);
        if (spec.maxFailedIndexes !== undefined && failedCount > spec.maxFailedIndexes) reason = 'MaxFailedIndexesExceeded';
        else if (failedCount > 0 && failedCount + totalIndexes(succeededIndexes) >= completions) reason = 'FailedIndexes';
      }
      if (reason) {
        target = condition('FailureTarget', 'True', reason, REASON_MESSAGES[reason], this.nowIso);
      } else {
        const done = spec.completions !== undefined ? succeeded >= spec.completions : succeeded > 0 && active.length === 0;
        if (done) target = condition('SuccessCriteriaMet', 'True', 'CompletionsReached', REASON_MESSAGES.CompletionsReached, this.nowIso);
      }
      if (target) {
        conds = withCondition(conds, target);
        this.jc.decideFor(this.ctx, job, `Job ${this.key}: ${target.type} (${target.reason})`, { succeeded, failed });
      }
    }

    let toDelete: Pod[] = [];
    let indexesToCreate: number[] = [];
    let toCreate = 0;
    if (target) {
      // Finishing: no new pods; the active ones are stopped.
      toDelete = active;
      const settled = terminating === 0 && toDelete.length === 0 && (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) === 0;
      if (settled) {
        const type = target.type === 'FailureTarget' ? 'Failed' : 'Complete';
        conds = withCondition(conds, condition(type, 'True', target.reason!, target.message!, this.nowIso));
        if (type === 'Complete') status.completionTime = this.nowIso;
        this.jc.recordEvent(job, type === 'Complete' ? 'Normal' : 'Warning', type === 'Complete' ? 'Completed' : target.reason!, type === 'Complete' ? 'Job completed' : target.message!, this.ctx);
      }
    } else if (suspended) {
      toDelete = active;
    } else {
      const parallelism = spec.parallelism ?? 1;
      let want: number;
      if (spec.completions === undefined) want = succeeded > 0 ? active.length : parallelism;
      else want = Math.max(0, Math.min(parallelism, spec.completions - succeeded));
      const busy = active.length + (onlyReplaceFailedPods(job) ? terminating : 0);
      const rank = (pods: Pod[]) => {
        const onNode = new Map<string, number>();
        for (const p of active) if (p.spec.nodeName) onNode.set(p.spec.nodeName, (onNode.get(p.spec.nodeName) ?? 0) + 1);
        return rankPodsForDeletion(pods, (n) => onNode.get(n) ?? 0);
      };
      // Indexed: pods without a valid index, and all but one pod of a repeated index, go first (upstream's activePodsForRemoval).
      const { extra, left } = indexed ? duplicatedIndexPods(active, completions, rank) : { extra: [] as Pod[], left: active };
      const excess = Math.max(0, active.length - want);
      toDelete = extra.length >= excess ? extra : [...extra, ...rank(left).slice(0, excess - extra.length)];
      if (toDelete.length === 0 && busy < want) {
        const record = this.jc.backoffOf(this.key);
        const wait = !perIndex && record.failuresAfterLastSuccess > 0 ? record.lastFailureMs + podFailureBackoffMs(record.failuresAfterLastSuccess) - now : 0;
        if (wait > 0) requeue.push(wait);
        else if (indexed) {
          const taken = perIndex ? mergeIntervals(succeededIndexes, failedIndexes) : succeededIndexes;
          indexesToCreate = firstPendingIndexes(active.map(completionIndexOf), taken, Math.min(BURST, want - busy), completions);
          if (perIndex) {
            // Each index waits its own back-off; create the ones whose back-off is over, else look again when the first ends.
            const ready: number[] = [];
            let soonest = Infinity;
            for (const ix of indexesToCreate) {
              const left = perIndexRemainingMs(this.delayed.get(ix), now, podFailureBackoffMs);
              if (left === 0) ready.push(ix);
              else soonest = Math.min(soonest, left);
            }
            indexesToCreate = ready;
            if (ready.length === 0 && soonest !== Infinity) requeue.push(soonest);
          }
          toCreate = indexesToCreate.length;
        } else toCreate = Math.min(BURST, want - busy);
      }
    }

    const stillActive = active.length - toDelete.length;
    status.conditions = conds.length > 0 ? conds : undefined;
    status.active = stillActive;
    status.ready = active.filter((p) => !toDelete.includes(p) && isPodReady(p)).length;
    status.terminating = terminating + toDelete.length;
    if (conds.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) status.terminating = 0;

    const after = (error?: string) => {
      this.jc.writeStatus(this.job, cleanStatus(status), this.ctx, (updated, werr) => {
        if (!updated) return this.finish({ error: werr ?? error! });
        this.job = updated;
        if (error) return this.finish({ error });
        const soonest = requeue.length > 0 ? Math.max(1, Math.min(...requeue)) : undefined;
        this.finish(soonest !== undefined ? { requeueAfterMs: soonest } : undefined);
      });
    };
    if (toCreate > 0) {
      const what = indexed ? `creating ${toCreate} (index${toCreate === 1 ? '' : 'es'} ${indexesToCreate.join(', ')})` : `creating ${toCreate}`;
      const dctx = this.jc.decideFor(this.ctx, job, `Job ${this.key}: ${active.length} active, ${succeeded} succeeded, ${what}`, { active: active.length, succeeded, failed, creating: toCreate, ...(indexed ? { indexes: indexesToCreate } : {}) });
      status.active = stillActive + toCreate;
      const templates = indexed ? indexesToCreate.map((ix) => this.podTemplateFor(ix)) : undefined;
      return this.jc.createPods(job, this.key, toCreate, dctx, after, templates);
    }
    if (toDelete.length > 0) {
      const dctx = this.jc.decideFor(this.ctx, job, `Job ${this.key}: deleting ${toDelete.length} active pod${toDelete.length === 1 ? '' : 's'}`, { pods: toDelete.map((p) => p.metadata.name) });
      return this.jc.deletePods(job, toDelete, dctx, after);
    }
    after();
  }

  /** The pod of one index: the index's annotation, label, env and hostname; with backoffLimitPerIndex, the failure counts. */
  private podTemplateFor(index: number): { template: PodTemplateSpec; generateName: string } {
    const job = this.job;
    const template = indexedPodTemplate(job.spec.template, job.metadata.name!, index);
    if (hasBackoffLimitPerIndex(job)) {
      const { failures, ignored } = newIndexFailureCounts(job, this.delayed.get(index));
      template.metadata!.annotations = {
        ...template.metadata!.annotations,
        [INDEX_FAILURE_COUNT_ANNOTATION]: String(failures),
        ...(ignored > 0 ? { [INDEX_IGNORED_FAILURE_COUNT_ANNOTATION]: String(ignored) } : {}),
      };
    }
    return { template, generateName: generateNameWithIndex(job.metadata.name!, index) };
  }

  /** A copy of the Job's status to edit (upstream's zero values written out as the API shows them). */
  private baseStatus(): JobStatus {
    const s = this.job.status ?? {};
    return { ...s, conditions: s.conditions ? [...s.conditions] : undefined };
  }
}

/** The status as upstream serialises it: counters omitted at 0, ready/terminating pointers kept, uncounted always present. */
function cleanStatus(s: JobStatus): JobStatus {
  const out: JobStatus = {};
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.startTime) out.startTime = s.startTime;
  if (s.completionTime) out.completionTime = s.completionTime;
  if (s.active) out.active = s.active;
  if (s.succeeded) out.succeeded = s.succeeded;
  if (s.failed) out.failed = s.failed;
  if (s.completedIndexes) out.completedIndexes = s.completedIndexes;
  if (s.failedIndexes !== undefined) out.failedIndexes = s.failedIndexes;
  out.terminating = s.terminating ?? 0;
  out.uncountedTerminatedPods = {
    ...(s.uncountedTerminatedPods?.succeeded?.length ? { succeeded: s.uncountedTerminatedPods.succeeded } : {}),
    ...(s.uncountedTerminatedPods?.failed?.length ? { failed: s.uncountedTerminatedPods.failed } : {}),
  };
  out.ready = s.ready ?? 0;
  return out;
}
