import { strict as assert } from 'node:assert';
import { applyOk, startCluster, waitFor } from './helpers';
import { call, message } from '../support/harness';
import type { Cluster } from '../../../../src/sim/cluster';
import type { CronJob, CoreEvent, Job, Pod } from '../../../../src/sim/api/types';
import { Faults } from '../../../../src/sim/faults';
import { parseStandard } from '../../../../src/manifest';
import { CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION, mostRecentScheduleTime } from '../../../../src/sim/controllers/cronjob/cronjob-controller';

const MIN = 60_000;

function cronJob(name: string, command: string, spec: Partial<CronJob['spec']> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', command] }] } } } },
      ...spec,
    },
  };
}

const cronJobOf = (cluster: Cluster, name: string) => cluster.read.get<CronJob>('cronjobs', 'default', name);
const jobsOf = (cluster: Cluster, name: string) =>
  cluster.read.list<Job>('jobs', 'default').filter((j) => j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === name))
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
const eventsOf = (cluster: Cluster, name: string) =>
  cluster.read.list<CoreEvent>('events', 'default').filter((e) => e.involvedObject.kind === 'CronJob' && e.involvedObject.name === name);
const reasons = (cluster: Cluster, name: string) => eventsOf(cluster, name).map((e) => e.reason);
const complete = (j: Job) => (j.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');
/** The wall-clock minute (since the epoch) of the cluster's clock. */
const wallMinute = (cluster: Cluster) => Math.floor(cluster.clock.wallMs() / MIN);
/** Run the virtual clock to `seconds` past the start of wall minute `minute`. */
function runTo(cluster: Cluster, minute: number, seconds = 0): void {
  cluster.clock.runUntil(cluster.clock.now() + (minute * MIN + seconds * 1000 - cluster.clock.wallMs()));
}

describe('CronJobs: the cronjob controller', () => {
  it('*/1 creates a Job each minute named <cronjob>-<minutes since epoch> with the scheduled-timestamp annotation; history is trimmed to 3', () => {
    const cluster = startCluster();
    applyOk(cluster, cronJob('tick', 'echo hi'));
    const m0 = wallMinute(cluster);
    runTo(cluster, m0 + 5, 50);
    const jobs = jobsOf(cluster, 'tick');
    // Runs at m0+1 .. m0+5: the two oldest (complete) were deleted, successfulJobsHistoryLimit 3 keeps three.
    assert.deepEqual(jobs.map((j) => j.metadata.name), [3, 4, 5].map((k) => `tick-${m0 + k}`));
    const cj = cronJobOf(cluster, 'tick')!;
    const uid = cj.metadata.uid!;
    for (const j of jobs) {
      const minute = Number(j.metadata.name!.split('-')[1]);
      assert.equal(j.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION], new Date(minute * MIN).toISOString().replace('.000Z', 'Z'));
      assert.deepEqual(j.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid, controller: true, blockOwnerDeletion: true }]);
      assert.ok(complete(j), `${j.metadata.name} completed`);
    }
    const pods = cluster.read.list<Pod>('pods', 'default').filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name']?.startsWith('tick-'));
    assert.equal(pods.length, 3, 'the deleted Jobs took their pods with them');
    assert.ok(pods.every((p) => p.status?.phase === 'Succeeded'));
    assert.equal(cj.status?.lastScheduleTime, new Date((m0 + 5) * MIN).toISOString().replace('.000Z', 'Z'));
    assert.ok(cj.status?.lastSuccessfulTime && Date.parse(cj.status.lastSuccessfulTime) > (m0 + 5) * MIN);
    assert.equal(cj.status?.active, undefined, 'nothing active once the last Job completed');
    const events = eventsOf(cluster, 'tick');
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job tick-${m0 + 1}`));
    assert.ok(events.some((e) => e.reason === 'SawCompletedJob' && e.message === `Saw completed job: tick-${m0 + 1}, condition: Complete`));
    assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job tick-${m0 + 1}`));
    assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job tick-${m0 + 2}`));
  });

  it('keeps failedJobsHistoryLimit failed Jobs (1 by default)', () => {
    const cluster = startCluster();
    const spec = cronJob('oops', 'exit 1').spec;
    spec.jobTemplate.spec.backoffLimit = 0;
    applyOk(cluster, { ...cronJob('oops', 'exit 1'), spec });
    const m0 = wallMinute(cluster);
    runTo(cluster, m0 + 3, 50);
    assert.deepEqual(jobsOf(cluster, 'oops').map((j) => j.metadata.name), [`oops-${m0 + 3}`]);
    assert.ok(reasons(cluster, 'oops').includes('SawCompletedJob'));
    assert.equal(cronJobOf(cluster, 'oops')!.status?.lastSuccessfulTime, undefined, 'failed Jobs are no success');
  });

  it('Forbid skips the times a long Job is still running (JobAlreadyActive)', () => {
    const cluster = startCluster();
    applyOk(cluster, cronJob('solo', 'sleep 150', { concurrencyPolicy: 'Forbid' }));
    const m0 = wallMinute(cluster);
    runTo(cluster, m0 + 3, 20);
    const first = jobsOf(cluster, 'solo');
    assert.deepEqual(first.map((j) => j.metadata.name), [`solo-${m0 + 1}`], 'no second Job while the first runs');
    assert.ok(reasons(cluster, 'solo').includes('JobAlreadyActive'));
    assert.deepEqual(cronJobOf(cluster, 'solo')!.status?.active?.map((a) => a.name), [`solo-${m0 + 1}`]);
    // As upstream: once the first finishes, the most recent missed time (m0+3) runs at once, late, without a deadline.
    runTo(cluster, m0 + 3, 59);
    const [a, b] = jobsOf(cluster, 'solo');
    assert.deepEqual([a, b].map((j) => j?.metadata.name), [`solo-${m0 + 1}`, `solo-${m0 + 3}`]);
    assert.ok(complete(a) && Date.parse(b.metadata.creationTimestamp!) >= Date.parse(a.status!.completionTime!), 'started after the first completed');
  });

  it('Replace deletes the running Job and starts the new one', () => {
    const cluster = startCluster();
    applyOk(cluster, cronJob('swap', 'sleep 600', { concurrencyPolicy: 'Replace' }));
    const m0 = wallMinute(cluster);
    runTo(cluster, m0 + 1, 30);
    assert.deepEqual(jobsOf(cluster, 'swap').map((j) => j.metadata.name), [`swap-${m0 + 1}`]);
    runTo(cluster, m0 + 2, 40);
    assert.deepEqual(jobsOf(cluster, 'swap').map((j) => j.metadata.name), [`swap-${m0 + 2}`]);
    assert.deepEqual(cronJobOf(cluster, 'swap')!.status?.active?.map((a) => a.name), [`swap-${m0 + 2}`]);
    assert.ok(eventsOf(cluster, 'swap').some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job swap-${m0 + 1}`));
    waitFor(cluster, 'the replaced pods gone', () => !cluster.read.list<Pod>('pods', 'default').some((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === `swap-${m0 + 1}`), 60_000);
  });

  it('suspend stops creation; resuming runs the most recent missed time at once, then each minute', () => {
    const cluster = startCluster();
    applyOk(cluster, cronJob('nap', 'echo hi', { suspend: true }));
    const m0 = wallMinute(cluster);
    runTo(cluster, m0 + 3, 30);
    assert.equal(jobsOf(cluster, 'nap').length, 0);
    const res = call(cluster, { verb: 'patch', apiVersion: 'batch/v1', resource: 'cronjobs', namespace: 'default', name: 'nap', patchType: 'application/merge-patch+json', body: { spec: { suspend: false } } });
    assert.equal(res.code, 200, message(res));
    waitFor(cluster, 'a Job for the missed minute', () => jobsOf(cluster, 'nap').length === 1, 10_000);
    assert.equal(jobsOf(cluster, 'nap')[0].metadata.name, `nap-${m0 + 3}`);
    runTo(cluster, m0 + 4, 30);
    assert.deepEqual(jobsOf(cluster, 'nap').map((j) => j.metadata.name), [`nap-${m0 + 3}`, `nap-${m0 + 4}`]);
  });

  describe('startingDeadlineSeconds across a controller-manager outage', () => {
    function outage(deadline: number): { cluster: Cluster; m0: number } {
      const cluster = startCluster();
      applyOk(cluster, cronJob('late', 'echo hi', { startingDeadlineSeconds: deadline }));
      const m0 = wallMinute(cluster);
      runTo(cluster, m0 + 1, 15);
      assert.deepEqual(jobsOf(cluster, 'late').map((j) => j.metadata.name), [`late-${m0 + 1}`]);
      const faults = new Faults(cluster);
      const masters = cluster.nodes.filter((n) => n.role === 'control-plane').map((n) => n.name);
      for (const m of masters) faults.stop('controller-manager', m);
      runTo(cluster, m0 + 5, 30); // minutes m0+2 .. m0+5 pass with no controller-manager
      assert.equal(jobsOf(cluster, 'late').length, 1);
      for (const m of masters) faults.start('controller-manager', m);
      return { cluster, m0 };
    }

    it('a short deadline skips the missed runs: nothing until the next time', () => {
      const { cluster, m0 } = outage(20);
      runTo(cluster, m0 + 5, 59);
      assert.deepEqual(jobsOf(cluster, 'late').map((j) => j.metadata.name), [`late-${m0 + 1}`], 'm0+2..m0+5 are beyond the 20 s deadline');
      runTo(cluster, m0 + 6, 30);
      assert.deepEqual(jobsOf(cluster, 'late').map((j) => j.metadata.name), [`late-${m0 + 1}`, `late-${m0 + 6}`]);
    });

    it('a deadline that still covers a missed time runs the latest one only', () => {
      const { cluster, m0 } = outage(200);
      waitFor(cluster, 'the late Job', () => jobsOf(cluster, 'late').length === 2, 60_000);
      assert.ok(cluster.clock.wallMs() < (m0 + 6) * MIN, 'before the next scheduled time');
      assert.deepEqual(jobsOf(cluster, 'late').map((j) => j.metadata.name), [`late-${m0 + 1}`, `late-${m0 + 5}`]);
    });
  });

  it('deleting the CronJob deletes its Jobs and their pods (garbage collector)', () => {
    const cluster = startCluster();
    applyOk(cluster, cronJob('gone', 'sleep 600'));
    const m0 = wallMinute(cluster);
    runTo(cluster, m0 + 2, 30);
    assert.equal(jobsOf(cluster, 'gone').length, 2);
    const res = call(cluster, { verb: 'delete', apiVersion: 'batch/v1', resource: 'cronjobs', namespace: 'default', name: 'gone' });
    assert.equal(res.code, 200, message(res));
    const podsLeft = () => cluster.read.list<Pod>('pods', 'default').filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name']?.startsWith('gone-')).length;
    waitFor(cluster, 'the Jobs and pods gone', () => jobsOf(cluster, 'gone').length === 0 && podsLeft() === 0, 120_000);
    assert.equal(cronJobOf(cluster, 'gone'), undefined);
  });

  it('mostRecentScheduleTime: the latest missed time, and "many" past 100 missed', () => {
    const sched = parseStandard('*/1 * * * *');
    const base = Date.UTC(2026, 0, 1, 0, 0, 0);
    const cj = (last: number, deadline?: number): CronJob => ({
      ...cronJob('x', 'true', deadline === undefined ? {} : { startingDeadlineSeconds: deadline }),
      metadata: { name: 'x', creationTimestamp: new Date(base).toISOString() },
      status: { lastScheduleTime: new Date(last).toISOString() },
    });
    assert.deepEqual(mostRecentScheduleTime(cj(base), base + 30_000, sched, true), { earliest: base, missed: 'none' });
    assert.deepEqual(mostRecentScheduleTime(cj(base), base + 61_000, sched, true), { earliest: base, mostRecent: base + MIN, missed: 'none' });
    assert.deepEqual(mostRecentScheduleTime(cj(base), base + 5 * MIN + 1000, sched, true), { earliest: base, mostRecent: base + 5 * MIN, missed: 'few' });
    assert.equal(mostRecentScheduleTime(cj(base), base + 150 * MIN + 1000, sched, true).missed, 'many');
    assert.equal(mostRecentScheduleTime(cj(base), base + 150 * MIN + 1000, sched, true).mostRecent, base + 150 * MIN);
    // With a deadline the search starts at now - deadline: older times are not even counted.
    assert.deepEqual(mostRecentScheduleTime(cj(base, 30), base + 150 * MIN + 40_000, sched, true), { earliest: base + 150 * MIN + 10_000, missed: 'none' });
    assert.equal(mostRecentScheduleTime(cj(base), base + 5 * MIN, parseStandard('0 0 30 2 *'), true).error, 'time difference between two schedules is less than 1 second');
  });
});
