import { strict as assert } from 'node:assert';
import { applyOk, deployment, podsOf, readyPods, replicaSetsOf, startCluster, waitFor, zoneOf } from './helpers';
import type { Deployment } from '../../../../src/sim/api/types';

describe('Deployment and ReplicaSet controllers on a real cluster', () => {
  it('runs a 6-replica Deployment, 2 pods per zone, with a ReplicaSet named after the template hash', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 6));
    waitFor(cluster, '6 ready pods', () => readyPods(cluster, 'web').length === 6);
    const pods = readyPods(cluster, 'web');
    const perZone = new Map<string, number>();
    for (const p of pods) perZone.set(zoneOf(cluster, p.spec.nodeName)!, (perZone.get(zoneOf(cluster, p.spec.nodeName)!) ?? 0) + 1);
    assert.deepEqual([...perZone.values()].sort(), [2, 2, 2]);
    const [rs] = replicaSetsOf(cluster, 'web');
    const hash = rs.metadata.labels!['pod-template-hash'];
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
    for (const p of pods) {
      assert.match(p.metadata.name!, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      assert.equal(p.metadata.ownerReferences![0].uid, rs.metadata.uid);
    }
    waitFor(cluster, 'deployment status', () => {
      const d = cluster.read.get<Deployment>('deployments', 'default', 'web')!;
      return d.status?.availableReplicas === 6 && d.status.conditions?.find((c) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable';
    });
    const d = cluster.read.get<Deployment>('deployments', 'default', 'web')!;
    assert.equal(d.status!.conditions!.find((c) => c.type === 'Available')!.status, 'True');
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.equal(podsOf(cluster, 'web').length, 6);
  });
});
