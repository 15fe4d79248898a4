import { strict as assert } from 'node:assert';
import { applyOk, startCluster, waitFor } from './helpers';
import { call, message } from '../support/harness';
import type { Cluster } from '../../../../src/sim/cluster';
import type { Job, Lease, Pod } from '../../../../src/sim/api/types';
import { Faults } from '../../../../src/sim/faults';
import { JOB_TRACKING_FINALIZER, podFailureBackoffMs } from '../../../../src/sim/controllers/job/job-controller';

function job(name: string, command: string, spec: Partial<Job['spec']> = {}, restartPolicy: 'Never' | 'OnFailure' = 'Never'): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', command] }] } }, ...spec },
  };
}

function jobOf(cluster: Cluster, name: string): Job | undefined {
  return cluster.read.get<Job>('jobs', 'default', name);
}

function podsOfJob(cluster: Cluster, name: string): Pod[] {
  return cluster.read.list<Pod>('pods', 'default').filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name);
}

function conditionTypes(j: Job | undefined): string[] {
  return (j?.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);
}

describe('Jobs: the job controller', () => {
  it('completions 3, parallelism 2: runs 2 pods, then 1, and ends Complete with succeeded 3', () => {
    const cluster = startCluster();
    applyOk(cluster, job('pi', 'echo hello; sleep 2', { completions: 3, parallelism: 2 }));
    let maxActive = 0;
    waitFor(cluster, 'Complete', () => {
      const j = jobOf(cluster, 'pi');
      const running = podsOfJob(cluster, 'pi').filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
      maxActive = Math.max(maxActive, running);
      return conditionTypes(j).includes('Complete');
    });
    const j = jobOf(cluster, 'pi')!;
    assert.equal(maxActive, 2, 'never more than parallelism pods at once');
    assert.equal(j.status?.succeeded, 3);
    assert.equal(j.status?.failed, undefined);
    assert.deepEqual(conditionTypes(j), ['SuccessCriteriaMet', 'Complete']);
    const complete = j.status!.conditions!.find((c) => c.type === 'Complete')!;
    assert.equal(complete.reason, 'CompletionsReached');
    assert.equal(complete.message, 'Reached expected number of succeeded pods');
    assert.ok(j.status?.startTime && j.status.completionTime && j.status.completionTime >= j.status.startTime);
    assert.deepEqual(j.status?.uncountedTerminatedPods, {});
    assert.equal(j.status?.active, undefined);
    const pods = podsOfJob(cluster, 'pi');
    assert.equal(pods.length, 3, 'three pods, all kept');
    assert.ok(pods.every((p) => p.status?.phase === 'Succeeded'));
  });

  it('pods carry the labels, the controller reference and the tracking finalizer, removed once counted', () => {
    const cluster = startCluster();
    applyOk(cluster, job('one', 'echo hi; sleep 5'));
    const j = jobOf(cluster, 'one')!;
    const uid = j.metadata.uid!;
    assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    waitFor(cluster, 'a pod', () => podsOfJob(cluster, 'one').length === 1);
    const pod = podsOfJob(cluster, 'one')[0];
    assert.ok(pod.metadata.name!.startsWith('one-'));
    assert.deepEqual(pod.metadata.labels, {
      'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'one', 'controller-uid': uid, 'job-name': 'one',
    });
    assert.deepEqual(pod.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
    assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'one', uid, controller: true, blockOwnerDeletion: true }]);
    waitFor(cluster, 'Complete', () => conditionTypes(jobOf(cluster, 'one')).includes('Complete'));
    const done = cluster.read.get<Pod>('pods', 'default', pod.metadata.name!)!;
    assert.equal(done.status?.phase, 'Succeeded');
    assert.equal(done.metadata.finalizers, undefined, 'the finalizer is removed once the pod is counted');
    assert.equal(jobOf(cluster, 'one')!.status?.succeeded, 1);
  });

  it('a failing command with backoffLimit 1 fails twice, 10 s apart, and ends Failed with BackoffLimitExceeded', () => {
    const cluster = startCluster();
    applyOk(cluster, job('bad', 'echo oops; exit 1', { backoffLimit: 1 }));
    waitFor(cluster, 'Failed', () => conditionTypes(jobOf(cluster, 'bad')).includes('Failed'), 300_000);
    const j = jobOf(cluster, 'bad')!;
    assert.deepEqual(conditionTypes(j), ['FailureTarget', 'Failed']);
    const failed = j.status!.conditions!.find((c) => c.type === 'Failed')!;
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
    assert.equal(j.status?.failed, 2);
    assert.equal(j.status?.completionTime, undefined);
    const pods = podsOfJob(cluster, 'bad').sort((a, b) => a.metadata.creationTimestamp!.localeCompare(b.metadata.creationTimestamp!));
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.status?.phase === 'Failed' && !p.metadata.finalizers));
    const gap = Date.parse(pods[1].metadata.creationTimestamp!) - Date.parse(pods[0].status!.containerStatuses![0].state!.terminated!.finishedAt!);
    assert.ok(gap >= 10_000 && gap < 13_000, `the replacement waited the 10 s back-off (${gap} ms)`);
  });

  it('back-off doubles from 10 s and is capped at 10 minutes', () => {
    assert.deepEqual([1, 2, 3, 4, 7, 8, 20].map(podFailureBackoffMs), [10_000, 20_000, 40_000, 80_000, 600_000, 600_000, 600_000]);
  });

  it('activeDeadlineSeconds stops the pods and fails the Job with DeadlineExceeded', () => {
    const cluster = startCluster();
    applyOk(cluster, job('slow', 'sleep 600', { activeDeadlineSeconds: 20 }));
    waitFor(cluster, 'Failed', () => conditionTypes(jobOf(cluster, 'slow')).includes('Failed'), 200_000);
    const j = jobOf(cluster, 'slow')!;
    assert.equal(j.status!.conditions!.find((c) => c.type === 'Failed')!.reason, 'DeadlineExceeded');
    waitFor(cluster, 'the pod gone', () => podsOfJob(cluster, 'slow').length === 0, 120_000);
  });

  it('deleting the Job (background, as kubectl does) deletes its pods through the garbage collector', () => {
    const cluster = startCluster();
    applyOk(cluster, job('gone', 'sleep 600', { parallelism: 2, completions: 4 }));
    waitFor(cluster, '2 pods running', () => podsOfJob(cluster, 'gone').filter((p) => p.status?.phase === 'Running').length === 2);
    const res = call(cluster, { verb: 'delete', apiVersion: 'batch/v1', resource: 'jobs', namespace: 'default', name: 'gone', query: { propagationPolicy: 'Background' } });
    assert.equal(res.code, 200, message(res));
    waitFor(cluster, 'the pods gone', () => podsOfJob(cluster, 'gone').length === 0, 120_000);
    assert.equal(jobOf(cluster, 'gone'), undefined);
  });

  it('survives a controller-manager leader change without counting a pod twice', () => {
    const cluster = startCluster();
    applyOk(cluster, job('ha', 'echo hi; sleep 3', { completions: 6, parallelism: 3 }));
    waitFor(cluster, 'some succeeded', () => (jobOf(cluster, 'ha')?.status?.succeeded ?? 0) >= 2);
    const holder = () => cluster.read.get<Lease>('leases', 'kube-system', 'kube-controller-manager')?.spec.holderIdentity ?? '';
    const leader = holder().split('_')[0];
    new Faults(cluster).stop('controller-manager', leader);
    waitFor(cluster, 'a new leader', () => holder() !== '' && !holder().startsWith(`${leader}_`), 60_000);
    waitFor(cluster, 'Complete', () => conditionTypes(jobOf(cluster, 'ha')).includes('Complete'), 200_000);
    const j = jobOf(cluster, 'ha')!;
    assert.equal(j.status?.succeeded, 6);
    const succeededPods = podsOfJob(cluster, 'ha').filter((p) => p.status?.phase === 'Succeeded');
    assert.ok(succeededPods.length >= 6);
    assert.ok(podsOfJob(cluster, 'ha').every((p) => !p.metadata.finalizers));
  });
});
