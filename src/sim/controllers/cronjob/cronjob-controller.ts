/**
 * The CronJob controller (pkg/controller/cronjob, the v2 controller): a work queue keyed by CronJob; each reconcile
 * trims the finished Jobs beyond the history limits, reconciles status.active with the Jobs the CronJob controls,
 * and, when a scheduled time has come, creates the Job `<cronjob>-<scheduled minutes since epoch>` (the name is the
 * lock against creating one time's Job twice), then requeues the key at the next scheduled time (+100 ms, upstream's
 * nextScheduleDelta) on the virtual clock. Schedule times are wall-clock times (clock.wallMs()), so a lab served at
 * speed 1 fires on real minutes.
 *
 * Missed times follow upstream's mostRecentScheduleTime: only the most recent unmet time is run; with
 * startingDeadlineSeconds, times older than the deadline are not considered at all; more than 100 missed times
 * record TooManyMissedTimes (and still run the latest). Upstream's MissSchedule check is kept as it is written,
 * though with the deadline already applied to the search it practically never fires (as upstream).
 *
 * Cost with no CronJobs: it watches CronJobs and Jobs (not pods); a Job event reads the Job's owner references and
 * returns when no controller reference names a CronJob.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { CronJob, Job, ObjectReference } from '../../api/types';
import { objectKey } from '../../api/informer';
import { deepClone, deepEqual } from '../../apiserver/objects';
import { CronSyntaxError, loadZone, parseStandard, type CronSchedule, type Zone } from '../../../manifest';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import { ObjectEventRecorder } from '../events';
import type { ReconcileFn, ReconcileResult } from '../workqueue/workqueue';

export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** upstream's nextScheduleDelta: requeue a little after the scheduled time. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
export const TOO_MANY_MISSED = 100;

type Status = NonNullable<CronJob['status']>;
type Finish = (r?: ReconcileResult) => void;

/** The controller reference of a Job when it names a CronJob, without allocating (called for every Job event). */
function cronJobRef(job: Job): { name: string; uid: string } | undefined {
  const refs = job.metadata.ownerReferences;
  if (!refs) return undefined;
  for (const r of refs) if (r.controller) return r.kind === 'CronJob' && r.apiVersion === 'batch/v1' ? r : undefined;
  return undefined;
}

/** Complete or Failed (upstream's FinishedCondition), else undefined. */
export function finishedCondition(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

/** Go's time.RFC3339 in a zone ("2026-01-01T00:01:00Z", "2026-01-01T01:01:00+01:00"). */
export function formatRfc3339(ms: number, zone: Zone): string {
  const offset = zone.offset(ms);
  const wall = new Date(ms + offset).toISOString().slice(0, 19);
  if (offset === 0) return `${wall}Z`;
  const m = Math.abs(offset) / 60_000;
  return `${wall}${offset < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z of a UTC time ("Mon, 02 Jan 2006 15:04:05 +0000"). */
export function formatRfc1123z(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The Job's name for a scheduled time (upstream's getJobName: minutes since the epoch). */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

export interface MostRecent {
  earliest: number;
  mostRecent?: number;
  missed: 'none' | 'few' | 'many';
  error?: string;
}

/** upstream's mostRecentScheduleTime (all times epoch ms; `now` is the wall clock). */
export function mostRecentScheduleTime(cj: CronJob, now: number, sched: CronSchedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '');
  if (Number.isNaN(earliest)) earliest = now;
  const deadline = cj.spec.startingDeadlineSeconds;
  if (includeStartingDeadline && typeof deadline === 'number') {
    const schedulingDeadline = now - deadline * 1000;
    if (schedulingDeadline > earliest) earliest = schedulingDeadline;
  }
  const tooClose = { earliest, missed: 'none' as const, error: 'time difference between two schedules is less than 1 second' };
  const t1 = sched.next(earliest);
  if (t1 === undefined) return tooClose;
  if (now < t1) return { earliest, missed: 'none' };
  const t2 = sched.next(t1);
  if (t2 !== undefined && now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = t2 === undefined ? 0 : Math.round((t2 - t1) / 1000);
  if (between < 1) return tooClose;
  const elapsed = Math.trunc((now - t1) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  let mostRecent: number | undefined;
  for (let t = sched.next(potentialEarliest); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  const missed = missedCount > TOO_MANY_MISSED ? 'many' : missedCount > 0 ? 'few' : 'none';
  return mostRecent === undefined ? { earliest, missed } : { earliest, mostRecent, missed };
}

/** upstream's nextScheduleTimeDuration: how long until the key should be looked at again (undefined: never). */
export function nextScheduleDelay(cj: CronJob, now: number, sched: CronSchedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, sched, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  const next = sched.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** upstream's byJobStartTime: started Jobs by start time (then name), unstarted ones last. */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  if (sa && sb && sa !== sb) return Date.parse(sa) - Date.parse(sb);
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export class CronJobController extends QueueController {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly events: ObjectEventRecorder;
  /** CronJob key by uid, for the Jobs' controller references. */
  private readonly keyByUid = new Map<string, string>();
  /** Job keys by the uid of the CronJob controlling them (only Jobs a CronJob controls are indexed). */
  private readonly jobsByOwner = new Map<string, Set<string>>();
  /** The resourceVersion of the last status this controller wrote, per CronJob: act only on a cache that has caught up. */
  private readonly written = new Map<string, number>();

  constructor(cc: ControllerContext) {
    super(cc, 'cronjob-controller');
    this.events = new ObjectEventRecorder(cc.clock, cc.client, 'cronjob-controller', cc.host);
    this.cronJobs = cc.informers.get<CronJob>('batch/v1', 'cronjobs');
    this.jobs = cc.informers.get<Job>('batch/v1', 'jobs');
    this.cronJobs.addHandlers({
      onAdd: (cj, ctx) => {
        this.keyByUid.set(cj.metadata.uid!, objectKey(cj));
        this.enqueue(objectKey(cj), ctx);
      },
      onUpdate: (old, cj, ctx) => this.cronJobUpdated(old, cj, ctx),
      onDelete: (cj) => {
        const key = objectKey(cj);
        this.keyByUid.delete(cj.metadata.uid!);
        this.jobsByOwner.delete(cj.metadata.uid!);
        this.written.delete(key);
      },
    });
    this.jobs.addHandlers({
      onAdd: (job, ctx) => this.jobChanged(undefined, job, ctx),
      onUpdate: (old, job, ctx) => this.jobChanged(old, job, ctx),
      onDelete: (job, ctx) => {
        const ref = cronJobRef(job);
        if (ref === undefined) return;
        this.unindex(ref.uid, objectKey(job));
        this.enqueueOwner(ref.uid, ctx);
      },
    });
  }

  override stop(): void {
    super.stop();
    this.keyByUid.clear();
    this.jobsByOwner.clear();
    this.written.clear();
  }

  private jobChanged(old: Job | undefined, job: Job, ctx: TraceContext): void {
    const ref = cronJobRef(job);
    const oldRef = old && old.metadata.ownerReferences !== job.metadata.ownerReferences ? cronJobRef(old) : undefined;
    if (ref === undefined && oldRef === undefined) return;
    const key = objectKey(job);
    if (oldRef !== undefined && oldRef.uid !== ref?.uid) {
      this.unindex(oldRef.uid, key);
      this.enqueueOwner(oldRef.uid, ctx);
    }
    if (ref === undefined) return;
    let set = this.jobsByOwner.get(ref.uid);
    if (!set) this.jobsByOwner.set(ref.uid, (set = new Set()));
    set.add(key);
    this.enqueueOwner(ref.uid, ctx);
  }

  private unindex(ownerUid: string, jobKey: string): void {
    const set = this.jobsByOwner.get(ownerUid);
    if (!set) return;
    set.delete(jobKey);
    if (set.size === 0) this.jobsByOwner.delete(ownerUid);
  }

  private enqueueOwner(uid: string, ctx: TraceContext): void {
    const key = this.keyByUid.get(uid);
    if (key !== undefined) this.enqueue(key, ctx);
  }

  /** A new schedule or time zone: look again at its next time; any other change: now (upstream's updateCronJob). */
  private cronJobUpdated(old: CronJob, cj: CronJob, ctx: TraceContext): void {
    const key = objectKey(cj);
    if (old.spec.schedule !== cj.spec.schedule || old.spec.timeZone !== cj.spec.timeZone) {
      const sched = this.schedule(cj, false);
      if (!sched) return;
      const delay = nextScheduleDelay(cj, this.now(), sched);
      if (delay !== undefined) this.queue.addAfter(key, delay, ctx);
      return;
    }
    this.enqueue(key, ctx);
  }

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const cj = this.cronJobs.get(key);
    if (!cj) return finish();
    if (!this.jobs.hasSynced()) return finish({ requeueAfterMs: 100 });
    if ((this.written.get(key) ?? 0) > Number(cj.metadata.resourceVersion)) return finish(); // our status write is on its way
    const jobs: Job[] = [];
    for (const jobKey of this.jobsByOwner.get(cj.metadata.uid!) ?? []) {
      const job = this.jobs.get(jobKey);
      if (job && cronJobRef(job)?.uid === cj.metadata.uid) jobs.push(job);
    }
    new CronJobSync(this, cj, key, jobs, ctx, finish).run();
  };

  // ------------------------------------------------------------------ what CronJobSync uses

  /** The parsed schedule (upstream's formatSchedule: spec.timeZone as a TZ= prefix), or undefined after an event. */
  /** @internal */
  schedule(cj: CronJob, record: boolean, ctx?: TraceContext): CronSchedule | undefined {
    let zone: Zone | undefined;
    const schedule = cj.spec.schedule ?? '';
    if (schedule.includes('TZ')) {
      if (record) this.recordEvent(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`, ctx);
    } else if (cj.spec.timeZone !== undefined && cj.spec.timeZone !== null) {
      zone = loadZone(cj.spec.timeZone);
    }
    try {
      return parseStandard(schedule, zone);
    } catch (e) {
      if (!(e instanceof CronSyntaxError)) throw e;
      if (record) this.recordEvent(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(schedule)} : ${e.message}`, ctx);
      return undefined;
    }
  }

  /** @internal */
  getCronJob(cj: CronJob, ctx: TraceContext, done: (fresh: CronJob | undefined, error?: string) => void): void {
    this.cc.client.request({ verb: 'get', apiVersion: 'batch/v1', resource: 'cronjobs', namespace: cj.metadata.namespace, name: cj.metadata.name }, ctx, (res) => {
      if (res.code === 200) return done(res.body as CronJob);
      done(undefined, message(res));
    });
  }

  /** @internal */
  getJob(namespace: string | undefined, name: string, ctx: TraceContext, done: (job: Job | undefined, code: number, error?: string) => void): void {
    this.cc.client.request({ verb: 'get', apiVersion: 'batch/v1', resource: 'jobs', namespace, name }, ctx, (res) => {
      done(res.code === 200 ? (res.body as Job) : undefined, res.code, res.code === 200 ? undefined : message(res));
    });
  }

  /** @internal */
  createJob(job: Job, ctx: TraceContext, done: (created: Job | undefined, code: number, error?: string) => void): void {
    this.cc.client.request({ verb: 'create', apiVersion: 'batch/v1', resource: 'jobs', namespace: job.metadata.namespace, body: job }, ctx, (res) => {
      done(res.code === 201 ? (res.body as Job) : undefined, res.code, res.code === 201 ? undefined : message(res));
    });
  }

  /** upstream's deleteJob: delete in the background, drop it from active, SuccessfulDelete (FailedDelete on error). */
  /** @internal */
  deleteJob(cj: CronJob, status: Status, job: { name: string; namespace?: string; uid?: string }, ctx: TraceContext, done: (ok: boolean) => void): void {
    this.cc.client.request({ verb: 'delete', apiVersion: 'batch/v1', resource: 'jobs', namespace: job.namespace, name: job.name, query: { propagationPolicy: 'Background' } }, ctx, (res, rctx) => {
      if (res.code !== 200 && res.code !== 202) {
        this.recordEvent(cj, 'Warning', 'FailedDelete', `Deleted job: ${message(res)}`, rctx);
        return done(false);
      }
      if (status.active) status.active = status.active.filter((r) => r.uid !== job.uid);
      this.recordEvent(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.name}`, rctx);
      done(true);
    });
  }

  /** @internal */
  writeStatus(cj: CronJob, status: Status, ctx: TraceContext, done: (error?: string) => void): void {
    if (deepEqual(cj.status ?? {}, status)) return done();
    const key = objectKey(cj);
    const [namespace, name] = splitKey(key);
    this.cc.client.request({ verb: 'update', apiVersion: 'batch/v1', resource: 'cronjobs', namespace, name, subresource: 'status', body: { ...cj, status } }, ctx, (res) => {
      if (res.code !== 200) return done(message(res));
      this.written.set(key, Number((res.body as CronJob).metadata.resourceVersion));
      done();
    });
  }

  /** @internal */
  recordEvent(cj: CronJob, type: 'Normal' | 'Warning', reason: string, note: string, ctx: TraceContext | undefined): void {
    if (this.cc.options.events && ctx) this.events.record(cj, type, reason, note, ctx);
  }

  /** @internal */
  now(): number {
    return this.cc.clock.wallMs();
  }

  /** @internal */
  decideFor(ctx: TraceContext, cj: CronJob, summary: string, detail?: Record<string, unknown>): TraceContext {
    return this.decide(ctx, { resource: 'cronjobs', namespace: cj.metadata.namespace, name: cj.metadata.name! }, summary, detail);
  }
}

/** One reconcile of one CronJob (upstream's sync: cleanupFinishedJobs, then syncCronJob, then the status): a chain of API calls. */
class CronJobSync {
  private readonly status: Status;
  private updateStatus = false;
  private readonly now: number;

  constructor(
    private readonly c: CronJobController,
    private cj: CronJob,
    private readonly key: string,
    private readonly jobs: Job[],
    private readonly ctx: TraceContext,
    private readonly finish: Finish,
  ) {
    this.status = this.copyStatus(cj);
    this.now = c.now();
  }

  private copyStatus(cj: CronJob): Status {
    const s = cj.status ?? {};
    return { ...s, ...(s.active ? { active: s.active.map((r) => ({ ...r })) } : {}) };
  }

  run(): void {
    this.cleanupFinishedJobs(() => this.reconcileJobs(0));
  }

  /** Delete the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
  private cleanupFinishedJobs(next: () => void): void {
    const spec = this.cj.spec;
    if (spec.successfulJobsHistoryLimit === undefined && spec.failedJobsHistoryLimit === undefined) return next();
    const succeeded = this.jobs.filter((j) => finishedCondition(j) === 'Complete').sort(byStartTime);
    const failed = this.jobs.filter((j) => finishedCondition(j) === 'Failed').sort(byStartTime);
    const doomed = [
      ...(spec.successfulJobsHistoryLimit !== undefined ? succeeded.slice(0, Math.max(0, succeeded.length - spec.successfulJobsHistoryLimit)) : []),
      ...(spec.failedJobsHistoryLimit !== undefined ? failed.slice(0, Math.max(0, failed.length - spec.failedJobsHistoryLimit)) : []),
    ];
    if (doomed.length === 0) return next();
    const dctx = this.c.decideFor(this.ctx, this.cj, `CronJob ${this.key}: removing ${doomed.length} finished job${doomed.length === 1 ? '' : 's'} beyond the history limits`, { jobs: doomed.map((j) => j.metadata.name) });
    let pending = doomed.length;
    for (const job of doomed) {
      this.c.deleteJob(this.cj, this.status, { name: job.metadata.name!, namespace: job.metadata.namespace, uid: job.metadata.uid }, dctx, (ok) => {
        if (ok) this.updateStatus = true;
        if (--pending === 0) next();
      });
    }
  }

  /** The Jobs against status.active: unexpected ones, finished ones, lastSuccessfulTime. One at a time (a GET may be needed). */
  private reconcileJobs(i: number): void {
    if (i >= this.jobs.length) return this.dropMissing(0);
    const job = this.jobs[i];
    const uid = job.metadata.uid;
    const found = (this.status.active ?? []).some((r) => r.uid === uid);
    const finished = finishedCondition(job);
    if (!found && !finished) {
      // Perhaps our own status write is not in the cache yet: ask the API server.
      return this.c.getCronJob(this.cj, this.ctx, (fresh, error) => {
        if (!fresh) return this.finish({ error: error ?? 'get cronjob failed' });
        if ((fresh.status?.active ?? []).some((r) => r.uid === uid)) {
          this.cj = fresh;
          Object.assign(this.status, this.copyStatus(fresh));
          if (!fresh.status?.active) delete this.status.active;
        } else {
          this.c.recordEvent(this.cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`, this.ctx);
        }
        this.reconcileJobs(i + 1);
      });
    }
    if (finished) {
      if (found) {
        this.status.active = (this.status.active ?? []).filter((r) => r.uid !== uid);
        this.c.recordEvent(this.cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${finished}`, this.ctx);
        this.updateStatus = true;
      }
      const completion = job.status?.completionTime;
      if (finished === 'Complete' && completion) {
        const last = this.status.lastSuccessfulTime;
        if (!last || Date.parse(completion) > Date.parse(last)) {
          this.status.lastSuccessfulTime = completion;
          this.updateStatus = true;
        }
      }
    }
    this.reconcileJobs(i + 1);
  }

  /** Active references whose Job is gone (confirmed with a GET): MissingJob, dropped from the list. */
  private dropMissing(i: number): void {
    const active = this.status.active ?? [];
    if (i >= active.length) return this.schedule();
    const ref = active[i];
    if (this.jobs.some((j) => j.metadata.uid === ref.uid)) return this.dropMissing(i + 1);
    this.c.getJob(ref.namespace, ref.name!, this.ctx, (_job, code, error) => {
      if (code === 404) {
        this.c.recordEvent(this.cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`, this.ctx);
        this.status.active = (this.status.active ?? []).filter((r) => r.uid !== ref.uid);
        this.updateStatus = true;
        return this.dropMissing(i);
      }
      if (code !== 200) return this.done(undefined, error);
      this.dropMissing(i + 1);
    });
  }

  /** syncCronJob from "is it being deleted" on: the decision to create a Job for the most recent unmet time. */
  private schedule(): void {
    const cj = this.cj;
    if (cj.metadata.deletionTimestamp) return this.done();
    const tz = cj.spec.timeZone;
    if (tz !== undefined && tz !== null && !loadZone(tz)) {
      this.c.recordEvent(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`, this.ctx);
      return this.done();
    }
    if (cj.spec.suspend) return this.done();
    const sched = this.c.schedule(cj, true, this.ctx);
    if (!sched) return this.done();
    const view: CronJob = { ...cj, status: this.status };
    const r = mostRecentScheduleTime(view, this.now, sched, true);
    const requeue = () => nextScheduleDelay(view, this.now, sched);
    if (r.mostRecent !== undefined && r.missed === 'many') {
      this.c.recordEvent(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew', this.ctx);
    }
    if (r.error) {
      this.c.recordEvent(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${r.error}`, this.ctx);
      return this.done();
    }
    const scheduled = r.mostRecent;
    if (scheduled === undefined) return this.done(requeue());
    const deadline = cj.spec.startingDeadlineSeconds;
    if (typeof deadline === 'number' && scheduled + deadline * 1000 < this.now) {
      this.c.recordEvent(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatRfc1123z(scheduled)}`, this.ctx);
      return this.done(requeue());
    }
    const name = jobNameFor(cj.metadata.name!, scheduled);
    const last = this.status.lastScheduleTime ? Date.parse(this.status.lastScheduleTime) : NaN;
    if ((this.status.active ?? []).some((a) => a.name === name && a.namespace === cj.metadata.namespace) || last === scheduled) {
      return this.done(requeue());
    }
    const policy = cj.spec.concurrencyPolicy ?? 'Allow';
    const active = this.status.active ?? [];
    if (policy === 'Forbid' && active.length > 0) {
      this.c.decideFor(this.ctx, cj, `CronJob ${this.key}: not starting ${name}: ${active.length} job(s) still active and concurrencyPolicy is Forbid`);
      this.c.recordEvent(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid', this.ctx);
      return this.done(requeue());
    }
    if (policy === 'Replace' && active.length > 0) {
      const dctx = this.c.decideFor(this.ctx, cj, `CronJob ${this.key}: replacing ${active.map((a) => a.name).join(', ')} with ${name} (concurrencyPolicy Replace)`);
      return this.replace([...active], 0, dctx, () => this.create(scheduled, name, sched, dctx));
    }
    this.create(scheduled, name, sched, this.c.decideFor(this.ctx, cj, `CronJob ${this.key}: creating ${name} for ${new Date(scheduled).toISOString()}`, { scheduled: new Date(scheduled).toISOString(), job: name }));
  }

  private replace(refs: ObjectReference[], i: number, ctx: TraceContext, next: () => void): void {
    if (i >= refs.length) return next();
    const ref = refs[i];
    this.c.getJob(ref.namespace, ref.name!, ctx, (job, _code, error) => {
      if (!job) {
        this.c.recordEvent(this.cj, 'Warning', 'FailedGet', `Get job: ${error}`, ctx);
        return this.done(undefined, error);
      }
      this.c.deleteJob(this.cj, this.status, { name: job.metadata.name!, namespace: job.metadata.namespace, uid: job.metadata.uid }, ctx, (ok) => {
        if (!ok) return this.done(undefined, `could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
        this.updateStatus = true;
        this.replace(refs, i + 1, ctx, next);
      });
    });
  }

  private create(scheduled: number, name: string, sched: CronSchedule, ctx: TraceContext): void {
    const cj = this.cj;
    const template = cj.spec.jobTemplate ?? { spec: {} };
    const zone = loadZone(cj.spec.timeZone ?? '') ?? loadZone('')!;
    const job: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        labels: { ...template.metadata?.labels },
        annotations: { ...template.metadata?.annotations, [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: formatRfc3339(scheduled, zone) },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name!, uid: cj.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: deepClone(template.spec),
    };
    this.c.createJob(job, ctx, (created, code, error) => {
      let result = created;
      const after = (j: Job) => {
        const ref: ObjectReference = { kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion };
        this.status.active = [...(this.status.active ?? []), ref];
        this.status.lastScheduleTime = new Date(scheduled).toISOString().replace('.000Z', 'Z');
        this.updateStatus = true;
        this.done(nextScheduleDelay({ ...cj, status: this.status }, this.now, sched));
      };
      if (result) {
        this.c.recordEvent(cj, 'Normal', 'SuccessfulCreate', `Created job ${result.metadata.name}`, ctx);
        return after(result);
      }
      if (code === 409) {
        // Created before, but the status write was lost: adopt it into active if it is ours.
        return this.c.getJob(cj.metadata.namespace, name, ctx, (existing, _c, gerr) => {
          if (!existing) return this.done(undefined, gerr);
          result = existing;
          if (cronJobRef(existing)?.uid !== cj.metadata.uid) return this.done();
          if ((this.status.active ?? []).some((r) => r.uid === existing.metadata.uid)) return this.done();
          after(existing);
        });
      }
      this.c.recordEvent(cj, 'Warning', 'FailedCreate', `Error creating job: ${error}`, ctx);
      this.done(undefined, error);
    });
  }

  /** Write the status when it changed, then finish: requeue after `delay`, or with back-off on `error`. */
  private done(delay?: number, error?: string): void {
    const status = cleanStatus(this.status);
    const finish = () => {
      if (error) return this.finish({ error });
      if (delay !== undefined) return this.finish({ requeueAfterMs: Math.max(1, delay) });
      this.finish();
    };
    if (!this.updateStatus) return finish();
    this.c.writeStatus(this.cj, status, this.ctx, (werr) => {
      if (werr) return this.finish({ error: werr });
      finish();
    });
  }
}

/** The status as upstream serialises it: an empty active list omitted. */
function cleanStatus(s: Status): Status {
  const out: Status = {};
  if (s.active?.length) out.active = s.active;
  if (s.lastScheduleTime) out.lastScheduleTime = s.lastScheduleTime;
  if (s.lastSuccessfulTime) out.lastSuccessfulTime = s.lastSuccessfulTime;
  return out;
}
