import { strict as assert } from 'node:assert';
import { applyOk, startCluster, waitFor } from './helpers';
import { call, message } from '../support/harness';
import type { Cluster } from '../../../../src/sim/cluster';
import type { Job, Pod } from '../../../../src/sim/api/types';
import { jobExpiresAtMs } from '../../../../src/sim/controllers/ttlafterfinished/ttlafterfinished-controller';

function job(name: string, command: string, spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', command] }] } }, ...spec },
  };
}
const jobOf = (cluster: Cluster, name: string) => cluster.read.get<Job>('jobs', 'default', name);
const podsOfJob = (cluster: Cluster, name: string) => cluster.read.list<Pod>('pods', 'default').filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name);
const finishedAt = (j: Job) => Date.parse(j.status!.conditions!.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')!.lastTransitionTime!);

describe('Jobs: the TTL-after-finished controller', () => {
  it('expiry is the Finished condition\'s lastTransitionTime plus the TTL; none without a TTL, unfinished, or being deleted', () => {
    const base: Job = { ...job('x', 'true', { ttlSecondsAfterFinished: 30 }), status: { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-01-01T00:00:10Z' }] } };
    assert.equal(jobExpiresAtMs(base), Date.parse('2026-01-01T00:00:40Z'));
    assert.equal(jobExpiresAtMs({ ...base, spec: { ...base.spec, ttlSecondsAfterFinished: undefined } }), undefined);
    assert.equal(jobExpiresAtMs({ ...base, status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: '2026-01-01T00:00:10Z' }] } }), undefined);
    assert.equal(jobExpiresAtMs({ ...base, metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:11Z' } }), undefined);
    const failed: Job = { ...base, status: { conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: '2026-01-01T00:01:00Z' }] } };
    assert.equal(jobExpiresAtMs(failed), Date.parse('2026-01-01T00:01:30Z'));
  });

  it('deletes a finished Job when its TTL expires, not before; its pods go with it (foreground, through the garbage collector)', () => {
    const cluster = startCluster();
    applyOk(cluster, job('short', 'echo hi; sleep 1', { ttlSecondsAfterFinished: 20, completions: 2, parallelism: 2 }), job('keep', 'echo hi; sleep 1'));
    waitFor(cluster, 'Complete', () => (jobOf(cluster, 'short')?.status?.conditions ?? []).some((c) => c.type === 'Complete'));
    const finished = finishedAt(jobOf(cluster, 'short')!);
    assert.equal(podsOfJob(cluster, 'short').length, 2);
    // Just before the expiry the Job is still there, untouched.
    const untilMs = finished + 20_000 - cluster.clock.wallMs() - 500;
    cluster.clock.advance(untilMs);
    const before = jobOf(cluster, 'short');
    assert.ok(before && !before.metadata.deletionTimestamp, 'deleted before its TTL expired');
    waitFor(cluster, 'the Job gone', () => jobOf(cluster, 'short') === undefined, 30_000);
    const goneAt = cluster.clock.wallMs();
    assert.ok(goneAt >= finished + 20_000 && goneAt < finished + 23_000, `deleted ${goneAt - finished} ms after it finished`);
    assert.equal(podsOfJob(cluster, 'short').length, 0, 'its pods were deleted first (foreground)');
    const decision = cluster.log.all().find((e) => e.kind === 'decision' && e.summary.startsWith('ttl-after-finished-controller: Job default/short'));
    assert.ok(decision, 'the deletion is a decision in the event log');
    // A Job without a TTL stays.
    cluster.clock.advance(60_000);
    assert.ok(jobOf(cluster, 'keep'));
  });

  it('a Job whose TTL is raised before it expires lives on until the new expiry', () => {
    const cluster = startCluster();
    applyOk(cluster, job('raise', 'echo hi', { ttlSecondsAfterFinished: 10 }));
    waitFor(cluster, 'Complete', () => (jobOf(cluster, 'raise')?.status?.conditions ?? []).some((c) => c.type === 'Complete'));
    const finished = finishedAt(jobOf(cluster, 'raise')!);
    const res = call(cluster, { verb: 'patch', apiVersion: 'batch/v1', resource: 'jobs', namespace: 'default', name: 'raise', patchType: 'application/merge-patch+json', body: { spec: { ttlSecondsAfterFinished: 60 } } });
    assert.equal(res.code, 200, message(res));
    cluster.clock.advance(finished + 30_000 - cluster.clock.wallMs());
    assert.ok(jobOf(cluster, 'raise'), 'still there after the old TTL');
    waitFor(cluster, 'the Job gone', () => jobOf(cluster, 'raise') === undefined, 60_000);
    assert.ok(cluster.clock.wallMs() >= finished + 60_000);
  });
});
