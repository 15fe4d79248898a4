import { strict as assert } from 'node:assert';
import { applyOk, deployment, podsOf, readyPods, startCluster, waitFor } from './helpers';
import type { Deployment, Node } from '../../../../src/sim/api/types';
import { Faults } from '../../../../src/sim/faults';

describe('Deployment strategies and conditions', () => {
  it('Recreate: the old pods are gone before any new one starts', () => {
    const cluster = startCluster();
    const recreate = { strategy: { type: 'Recreate' as const } };
    applyOk(cluster, deployment('web', 3, 'nginx:1.26', recreate));
    waitFor(cluster, '3 ready', () => readyPods(cluster, 'web').length === 3);
    let overlap = false;
    const unsubscribe = cluster.read.subscribe((c) => {
      if (c.resource !== 'pods') return;
      const images = new Set(podsOf(cluster, 'web').map((p) => p.spec.containers[0].image));
      if (images.has('nginx:1.26') && images.has('nginx:1.27')) overlap = true;
    });
    applyOk(cluster, deployment('web', 3, 'nginx:1.27', recreate));
    waitFor(cluster, 'recreated on 1.27', () => readyPods(cluster, 'web').length === 3 && podsOf(cluster, 'web').every((p) => p.spec.containers[0].image === 'nginx:1.27'), 300_000);
    unsubscribe();
    assert.equal(overlap, false, 'old and new pods existed at the same time');
  });

  it('reports ProgressDeadlineExceeded when a rollout cannot progress', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 2, 'nginx:1.26', { progressDeadlineSeconds: 60 }));
    waitFor(cluster, '2 ready', () => readyPods(cluster, 'web').length === 2);
    applyOk(cluster, deployment('web', 2, 'nginx:9.99-does-not-exist', { progressDeadlineSeconds: 60 }));
    const progressing = () => cluster.read.get<Deployment>('deployments', 'default', 'web')!.status?.conditions?.find((c) => c.type === 'Progressing');
    waitFor(cluster, 'deadline exceeded', () => progressing()?.reason === 'ProgressDeadlineExceeded', 300_000);
    assert.equal(progressing()!.status, 'False');
    assert.match(progressing()!.message!, /^ReplicaSet "web-\w+" has timed out progressing\.$/);
    // The old pods keep serving: maxUnavailable 25% of 2 rounds down to 0.
    assert.equal(readyPods(cluster, 'web').filter((p) => p.spec.containers[0].image === 'nginx:1.26').length, 2);
  });

  it('a whole zone fails: leaders leave master-1, pods are replaced in the other zones', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 6));
    waitFor(cluster, '6 ready', () => readyPods(cluster, 'web').length === 6);
    const faults = new Faults(cluster);
    const f = faults.stop('zone', 'us-east-2a');
    assert.match(f.description, /zone us-east-2a fails: 2 machine\(s\) power off \(master-1, worker-1\)/);
    waitFor(cluster, '6 ready outside the zone', () => {
      const ready = readyPods(cluster, 'web');
      return ready.length === 6 && ready.every((p) => p.spec.nodeName !== 'worker-1');
    }, 600_000);
    assert.ok(cluster.log.all().some((e) => e.kind === 'decision' && /zone us-east-2a is now in state FullDisruption/.test(e.summary)));
    faults.start('zone', 'us-east-2a');
    waitFor(cluster, 'all 6 nodes Ready', () => cluster.read.list<Node>('nodes').every((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'), 120_000);
  });
});
