/**
 * The TTL-after-finished controller (pkg/controller/ttlafterfinished): deletes a finished Job once
 * `spec.ttlSecondsAfterFinished` seconds have passed since it finished, as upstream:
 * - its handlers enqueue a Job (add and update, never delete) that is not being deleted, has a TTL and is finished
 *   (a Complete or Failed condition that is True);
 * - the finish time is that condition's lastTransitionTime (second precision, as the API stores it), the expiry
 *   finish + TTL; before it, the key is requeued for the time left (on the virtual clock, against the wall mapping);
 * - on expiry it reads the Job again from the API server (the cache may be stale: the TTL may have been changed),
 *   checks again, and deletes it with propagationPolicy Foreground and a uid precondition, so a Job recreated under
 *   the same name is never taken for the old one. The Job's pods then go through the garbage collector (foreground:
 *   the Job stays, with a deletionTimestamp, until they are gone).
 * A Job with a TTL that is never finished is never touched. Cost without such Jobs: one condition scan per Job event.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { Job } from '../../api/types';
import { objectKey } from '../../api/informer';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import type { ReconcileFn, ReconcileResult } from '../workqueue/workqueue';

type Finish = (r?: ReconcileResult) => void;

/** The time (wall ms) the Job finished: its True Complete or Failed condition's lastTransitionTime; undefined when not finished. */
export function jobFinishTimeMs(job: Job): number | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') {
      const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
      return Number.isNaN(t) ? undefined : t;
    }
  }
  return undefined;
}

/** upstream's needsCleanup: a TTL is set and the Job is finished. */
export function needsCleanup(job: Job): boolean {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  return typeof ttl === 'number' && jobFinishTimeMs(job) !== undefined;
}

/**
 * When the Job expires (wall ms), or undefined when it does not need cleaning up (no TTL, not finished, being
 * deleted, or a finished condition without a time: upstream reports that as an error and does nothing).
 */
export function jobExpiresAtMs(job: Job): number | undefined {
  if (job.metadata.deletionTimestamp || !needsCleanup(job)) return undefined;
  return jobFinishTimeMs(job)! + job.spec.ttlSecondsAfterFinished! * 1000;
}

export class TTLAfterFinishedController extends QueueController {
  private readonly jobs: Informer<Job>;

  constructor(cc: ControllerContext) {
    super(cc, 'ttl-after-finished-controller');
    this.jobs = cc.informers.get<Job>('batch/v1', 'jobs');
    const consider = (job: Job, ctx: TraceContext) => {
      if (!job.metadata.deletionTimestamp && needsCleanup(job)) this.enqueue(objectKey(job), ctx);
    };
    this.jobs.addHandlers({
      onAdd: consider,
      onUpdate: (_old, job, ctx) => consider(job, ctx),
    });
  }

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const cached = this.jobs.get(key);
    if (!cached) return finish();
    const expiresAt = jobExpiresAtMs(cached);
    if (expiresAt === undefined) return finish();
    const left = expiresAt - this.cc.clock.wallMs();
    if (left > 0) return finish({ requeueAfterMs: left });
    // The cache says it has expired; the TTL might have changed since: read the Job again before deleting it.
    const [namespace, name] = splitKey(key);
    this.cc.client.request({ verb: 'get', apiVersion: 'batch/v1', resource: 'jobs', namespace, name }, ctx, (res, rctx) => {
      if (res.code === 404) return finish();
      if (res.code !== 200) return finish({ error: message(res) });
      const fresh = res.body as Job;
      const freshExpiry = jobExpiresAtMs(fresh);
      if (freshExpiry === undefined) return finish();
      const freshLeft = freshExpiry - this.cc.clock.wallMs();
      if (freshLeft > 0) return finish({ requeueAfterMs: freshLeft });
      this.deleteJob(fresh, rctx, finish);
    });
  };

  private deleteJob(job: Job, ctx: TraceContext, finish: Finish): void {
    const ttl = job.spec.ttlSecondsAfterFinished!;
    const dctx = this.decide(ctx, { resource: 'jobs', namespace: job.metadata.namespace, name: job.metadata.name! },
      `Job ${objectKey(job)} finished and its ttlSecondsAfterFinished (${ttl} s) has passed: deleting it (foreground)`, { ttlSecondsAfterFinished: ttl });
    this.cc.client.request({
      verb: 'delete', apiVersion: 'batch/v1', resource: 'jobs', namespace: job.metadata.namespace, name: job.metadata.name,
      query: { propagationPolicy: 'Foreground' },
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', preconditions: { uid: job.metadata.uid } },
    }, dctx, (res) => {
      if (res.code === 200 || res.code === 202) return finish();
      // As upstream, any error requeues the key (with back-off); the next look starts from the cache again, where a
      // deleted Job is gone and a Job recreated under the name (a failed uid precondition, 409) has its own TTL.
      finish({ error: message(res) });
    });
  }
}
