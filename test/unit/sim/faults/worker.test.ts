import { strict as assert } from 'node:assert';
import { applyOk, deployment, podsOf, readyPods, replicaSetsOf, startCluster, waitFor, zoneOf } from '../controllers/helpers';
import { Faults } from '../../../../src/sim/faults';
import type { Node, Pod } from '../../../../src/sim/api/types';

const node = (c: ReturnType<typeof startCluster>, name: string) => c.read.get<Node>('nodes', undefined, name)!;
const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('faults: a worker powers off', () => {
  it('goes Unknown after the grace period, is tainted, and its pods are replaced in the other zones after 300 s', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 6));
    waitFor(cluster, '6 ready pods', () => readyPods(cluster, 'web').length === 6);
    const victims = podsOf(cluster, 'web').filter((p) => p.spec.nodeName === 'worker-1');
    assert.equal(victims.length, 2);

    const faults = new Faults(cluster);
    const stoppedAt = cluster.clock.now();
    faults.stop('node', 'worker-1');
    assert.deepEqual(faults.list().map((f) => `${f.kind}/${f.name}`), ['node/worker-1']);
    assert.ok(cluster.log.all().some((e) => e.kind === 'fault' && e.summary.includes('power off worker-1')));

    cluster.clock.advance(35_000);
    assert.equal(ready(node(cluster, 'worker-1')), 'True', 'still Ready within the grace period');

    waitFor(cluster, 'worker-1 Ready=Unknown', () => ready(node(cluster, 'worker-1')) === 'Unknown', 60_000);
    const unknownAfter = cluster.clock.now() - stoppedAt;
    assert.ok(unknownAfter >= 40_000 && unknownAfter <= 65_000, `Unknown after ${unknownAfter} ms`);
    const cond = node(cluster, 'worker-1').status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(cond.reason, 'NodeStatusUnknown');
    assert.equal(cond.message, 'Kubelet stopped posting node status.');

    waitFor(cluster, 'unreachable NoExecute taint', () => (node(cluster, 'worker-1').spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'), 30_000);
    const taintedAt = cluster.clock.now();

    // Tolerated for 300 s: the pods stay until then.
    cluster.clock.advance(290_000);
    for (const v of victims) assert.equal(cluster.read.get<Pod>('pods', 'default', v.metadata.name!)?.metadata.deletionTimestamp, undefined);

    waitFor(cluster, '6 ready pods away from worker-1', () => {
      const live = podsOf(cluster, 'web').filter((p) => !p.metadata.deletionTimestamp);
      return live.length === 6 && live.every((p) => p.spec.nodeName !== 'worker-1') && readyPods(cluster, 'web').length === 6;
    }, 120_000);
    assert.ok(cluster.clock.now() - taintedAt >= 300_000);
    const zones = new Set(readyPods(cluster, 'web').map((p) => zoneOf(cluster, p.spec.nodeName)));
    assert.deepEqual([...zones].sort(), ['us-east-2b', 'us-east-2c']);
    // The evicted pods are Terminating: their kubelet is gone and cannot confirm.
    for (const v of victims) {
      const p = cluster.read.get<Pod>('pods', 'default', v.metadata.name!)!;
      assert.ok(p.metadata.deletionTimestamp);
      assert.ok(p.status!.conditions!.some((c) => c.type === 'DisruptionTarget' && c.reason === 'DeletionByTaintManager'));
    }
    waitFor(cluster, 'ReplicaSet status 6/6', () => {
      const [rs] = replicaSetsOf(cluster, 'web');
      return rs.status?.replicas === 6 && rs.status.readyReplicas === 6;
    }, 30_000);

    // Power back on: the kubelet reports Ready, the taints go, the old pods finish terminating.
    faults.start('node', 'worker-1');
    assert.deepEqual(faults.list(), []);
    waitFor(cluster, 'worker-1 Ready again without taints', () => ready(node(cluster, 'worker-1')) === 'True' && !(node(cluster, 'worker-1').spec.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')), 120_000);
    waitFor(cluster, 'evicted pods gone', () => victims.every((v) => !cluster.read.get<Pod>('pods', 'default', v.metadata.name!)), 120_000);
    assert.equal(readyPods(cluster, 'web').length, 6);
  });
});
