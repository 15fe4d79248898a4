import { strict as assert } from 'node:assert';
import { applyOk, startCluster, waitFor } from './helpers';
import type { Cluster } from '../../../../src/sim/cluster';
import type { Job, Pod, PodFailurePolicy } from '../../../../src/sim/api/types';
import { matchPodFailurePolicy } from '../../../../src/sim/controllers/job/pod-failure-policy';

function failedPod(exitCodes: Record<string, number>, conditions: { type: string; status: 'True' | 'False' }[] = [], init: Record<string, number> = {}): Pod {
  const statuses = (codes: Record<string, number>) => Object.entries(codes).map(([name, exitCode]) => ({ name, ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode, reason: 'Error' } } }));
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [] },
    status: { phase: 'Failed', conditions: conditions as never, containerStatuses: statuses(exitCodes) as never, initContainerStatuses: statuses(init) as never },
  };
}

const POLICY: PodFailurePolicy = {
  rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2, 42] } },
    { action: 'FailIndex', onExitCodes: { operator: 'In', values: [2] } },
  ],
};

describe('Jobs: podFailurePolicy decisions (matchPodFailurePolicy)', () => {
  it('decides by the first matching rule, as upstream', () => {
    assert.deepEqual(matchPodFailurePolicy(POLICY, failedPod({ main: 42 }, [{ type: 'DisruptionTarget', status: 'True' }])), { action: 'Ignore', countFailed: false });
    assert.deepEqual(matchPodFailurePolicy(POLICY, failedPod({ main: 42 })), { action: 'FailJob', countFailed: true, failJobMessage: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1' });
    assert.deepEqual(matchPodFailurePolicy(POLICY, failedPod({ side: 42 })), { countFailed: true }, 'FailJob names container main; NotIn excludes 42');
    assert.deepEqual(matchPodFailurePolicy(POLICY, failedPod({ main: 7 })), { action: 'Count', countFailed: true });
    assert.deepEqual(matchPodFailurePolicy(POLICY, failedPod({ main: 2 })), { action: 'FailIndex', countFailed: true });
    assert.deepEqual(matchPodFailurePolicy(POLICY, failedPod({ main: 1 })), { countFailed: true }, 'no rule: counted');
    assert.deepEqual(matchPodFailurePolicy(POLICY, failedPod({ main: 0 }, [], { setup: 7 })), { action: 'Count', countFailed: true }, 'init containers are looked at after the containers, and exit code 0 never matches');
    assert.deepEqual(matchPodFailurePolicy({ rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget' }] }] }, failedPod({ main: 137 }, [{ type: 'DisruptionTarget', status: 'True' }])),
      { action: 'FailJob', countFailed: true, failJobMessage: 'Pod ns/p has condition DisruptionTarget matching FailJob rule at index 0' });
    assert.deepEqual(matchPodFailurePolicy(undefined, failedPod({ main: 1 })), { countFailed: true });
  });
});

function job(name: string, command: string, policy: PodFailurePolicy, spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
    spec: { podFailurePolicy: policy, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', command] }] } }, ...spec },
  };
}
const jobOf = (cluster: Cluster, name: string) => cluster.read.get<Job>('jobs', 'default', name);
const podsOfJob = (cluster: Cluster, name: string) => cluster.read.list<Pod>('pods', 'default').filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name);
const condition = (j: Job | undefined, type: string) => (j?.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');

describe('Jobs: podFailurePolicy in the job controller', () => {
  it('FailJob: the first matching failure fails the Job at once with reason PodFailurePolicy and upstream\'s message', () => {
    const cluster = startCluster();
    applyOk(cluster, job('fj', 'exit 42', { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }] }, { backoffLimit: 6 }));
    const j0 = jobOf(cluster, 'fj')!;
    assert.equal(j0.spec.podReplacementPolicy, 'Failed', 'defaulted to Failed with a pod failure policy');
    waitFor(cluster, 'Failed', () => !!condition(jobOf(cluster, 'fj'), 'Failed'), 120_000);
    const j = jobOf(cluster, 'fj')!;
    const pod = podsOfJob(cluster, 'fj')[0];
    assert.equal(podsOfJob(cluster, 'fj').length, 1, 'no retry');
    for (const type of ['FailureTarget', 'Failed']) {
      const c = condition(j, type)!;
      assert.equal(c.reason, 'PodFailurePolicy');
      assert.equal(c.message, `Container main for pod default/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`);
    }
    assert.equal(j.status?.failed, 1);
  });

  it('Ignore: the failure is not counted against backoffLimit, and the pod is replaced', () => {
    const cluster = startCluster();
    // The first pod exits 3 (ignored); its replacement finds no marker... each pod is fresh, so count pods instead.
    applyOk(cluster, job('ig', 'exit 3', { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }] }, { backoffLimit: 0 }));
    waitFor(cluster, 'three ignored failures', () => podsOfJob(cluster, 'ig').filter((p) => p.status?.phase === 'Failed' && !p.metadata.finalizers).length >= 3, 300_000);
    const j = jobOf(cluster, 'ig')!;
    assert.equal(condition(j, 'Failed'), undefined, 'backoffLimit 0, yet not failed');
    assert.equal(j.status?.failed, undefined, 'ignored failures are not counted');
  });

  it('Count: a matching failure counts as usual (backoffLimit 0 fails the Job with BackoffLimitExceeded)', () => {
    const cluster = startCluster();
    applyOk(cluster, job('ct', 'exit 5', { rules: [{ action: 'Count', onExitCodes: { operator: 'NotIn', values: [3] } }] }, { backoffLimit: 0 }));
    waitFor(cluster, 'Failed', () => !!condition(jobOf(cluster, 'ct'), 'Failed'), 120_000);
    const j = jobOf(cluster, 'ct')!;
    assert.equal(condition(j, 'Failed')!.reason, 'BackoffLimitExceeded');
    assert.equal(j.status?.failed, 1);
  });

  it('FailIndex: the index fails at once (no per-index retry), the others complete', () => {
    const cluster = startCluster();
    // Index 0 exits 0, index 1 exits 1, which a FailIndex rule matches.
    applyOk(cluster, job('fi', 'sleep 1; exit $JOB_COMPLETION_INDEX', { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }] },
      { completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimitPerIndex: 3 }));
    waitFor(cluster, 'Failed', () => !!condition(jobOf(cluster, 'fi'), 'Failed'), 120_000);
    const j = jobOf(cluster, 'fi')!;
    assert.equal(j.status?.failedIndexes, '1');
    assert.equal(j.status?.completedIndexes, '0');
    assert.equal(condition(j, 'Failed')!.reason, 'FailedIndexes');
    assert.equal(podsOfJob(cluster, 'fi').filter((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '1').length, 1, 'index 1 was not retried');
  });
});
