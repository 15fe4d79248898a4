import { strict as assert } from 'node:assert';
import { applyOk, startCluster, waitFor } from './helpers';
import type { Cluster } from '../../../../src/sim/cluster';
import type { Job, Pod } from '../../../../src/sim/api/types';
import { firstPendingIndexes, formatIndexes, generateNameWithIndex, parseIndexes, withIndexes } from '../../../../src/sim/controllers/job/indexes';

function indexedJob(name: string, command: string, spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
    spec: { completionMode: 'Indexed', template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', command] }] } }, ...spec },
  };
}

const jobOf = (cluster: Cluster, name: string) => cluster.read.get<Job>('jobs', 'default', name);
const podsOfJob = (cluster: Cluster, name: string) => cluster.read.list<Pod>('pods', 'default').filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name);
const finished = (j: Job | undefined, type: string) => (j?.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
function logsOf(cluster: Cluster, pod: Pod): string {
  const r = cluster.kubelets.get(pod.spec.nodeName!)!.logs('default', pod.metadata.name!, undefined);
  return 'text' in r ? r.text : '';
}

describe('Jobs: Indexed completion mode', () => {
  it('writes completed indexes as upstream compresses them ("1,3-5"; a pair as "1,2")', () => {
    assert.equal(formatIndexes(withIndexes([], [1, 3, 4, 5])), '1,3-5');
    assert.equal(formatIndexes(withIndexes([], [0, 1])), '0,1');
    assert.equal(formatIndexes(withIndexes(parseIndexes('0,2', 10), [1, 7])), '0-2,7');
    assert.equal(formatIndexes(parseIndexes('1,3-5,9', 5)), '1,3,4', 'indexes beyond completions are dropped');
    assert.equal(formatIndexes(parseIndexes('x,2,4-z', 10)), '2', 'bad parts are skipped');
    assert.deepEqual(firstPendingIndexes([2], parseIndexes('0,4', 6), 3, 6), [1, 3, 5]);
    assert.equal(generateNameWithIndex('pi', 3), 'pi-3-');
    assert.equal(generateNameWithIndex('x'.repeat(60), 12), `${'x'.repeat(54)}-12-`);
  });

  it('gives each pod its index (annotation, label, JOB_COMPLETION_INDEX from the downward API, hostname, name) and completes with completedIndexes', () => {
    const cluster = startCluster();
    applyOk(cluster, indexedJob('idx', 'echo index=$JOB_COMPLETION_INDEX host=$(hostname); sleep 2', { completions: 3, parallelism: 3 }));
    waitFor(cluster, '3 pods', () => podsOfJob(cluster, 'idx').length === 3);
    const pods = podsOfJob(cluster, 'idx').sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    pods.forEach((pod, i) => {
      assert.match(pod.metadata.name!, new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
      assert.equal(pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], String(i));
      assert.equal(pod.metadata.labels?.['batch.kubernetes.io/job-completion-index'], String(i));
      assert.equal(pod.spec.hostname, `idx-${i}`);
      assert.deepEqual(pod.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } }]);
    });
    waitFor(cluster, 'Complete', () => finished(jobOf(cluster, 'idx'), 'Complete'));
    const j = jobOf(cluster, 'idx')!;
    assert.equal(j.status?.completedIndexes, '0-2');
    assert.equal(j.status?.succeeded, 3);
    for (const [i, pod] of podsOfJob(cluster, 'idx').sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)).entries()) {
      assert.equal(logsOf(cluster, pod), `index=${i} host=idx-${i}\n`);
    }
  });

  it('retries a failed index with a new pod of the same index, lowest pending index first, until backoffLimit', () => {
    const cluster = startCluster();
    // Index 0 exits 0, index 1 exits 1, index 2 would exit 2.
    applyOk(cluster, indexedJob('retry', 'sleep 1; exit $JOB_COMPLETION_INDEX', { completions: 3, parallelism: 1, backoffLimit: 2 }));
    let sawPartial = false;
    waitFor(cluster, 'Failed', () => {
      const j = jobOf(cluster, 'retry');
      if (j?.status?.completedIndexes === '0') sawPartial = true;
      return finished(j, 'Failed');
    }, 300_000);
    const j = jobOf(cluster, 'retry')!;
    assert.ok(sawPartial, 'index 0 completed first');
    assert.equal(j.status?.failed, 3);
    assert.equal(j.status?.completedIndexes, '0');
    assert.equal(j.status!.conditions!.find((c) => c.type === 'Failed')!.reason, 'BackoffLimitExceeded');
    const byIndex = (ix: string) => podsOfJob(cluster, 'retry').filter((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === ix);
    assert.equal(byIndex('0').length, 1);
    assert.equal(byIndex('1').length, 3, 'index 1 was retried with new pods');
    assert.equal(byIndex('2').length, 0, 'parallelism 1: index 2 waits for index 1');
  });

  it('backoffLimitPerIndex: an index that fails too often is failed on its own, the others go on; failedIndexes and FailedIndexes', () => {
    const cluster = startCluster();
    applyOk(cluster, indexedJob('per', 'sleep 1; exit $JOB_COMPLETION_INDEX', { completions: 2, parallelism: 2, backoffLimitPerIndex: 1 }));
    waitFor(cluster, 'Failed', () => finished(jobOf(cluster, 'per'), 'Failed'), 300_000);
    const j = jobOf(cluster, 'per')!;
    assert.equal(j.spec.backoffLimit, 2147483647, 'backoffLimit defaults to MaxInt32 with backoffLimitPerIndex');
    assert.equal(j.status?.completedIndexes, '0');
    assert.equal(j.status?.failedIndexes, '1');
    assert.equal(j.status?.failed, 2);
    const failed = j.status!.conditions!.find((c) => c.type === 'Failed')!;
    assert.equal(failed.reason, 'FailedIndexes');
    assert.equal(failed.message, 'Job has failed indexes');
    const one = podsOfJob(cluster, 'per').filter((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '1')
      .map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).sort();
    assert.deepEqual(one, ['0', '1'], 'the replacement carries its index\'s failure count');
  });
});
