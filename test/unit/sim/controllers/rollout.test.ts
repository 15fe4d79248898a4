import { strict as assert } from 'node:assert';
import { applyOk, deployment, podsOf, readyPods, replicaSetsOf, startCluster, waitFor } from './helpers';
import { rolloutUndo, type UndoResult } from '../../../../src/sim/controllers/deployment/rollback';
import type { Cluster } from '../../../../src/sim/cluster';
import type { Deployment, Pod } from '../../../../src/sim/api/types';

const imageOf = (p: Pod) => p.spec.containers[0].image;
const getDeployment = (c: Cluster) => c.read.get<Deployment>('deployments', 'default', 'web')!;

function undo(cluster: Cluster, toRevision = 0): UndoResult {
  let r: UndoResult | undefined;
  rolloutUndo(cluster.client('kubectl'), 'default', 'web', toRevision, { traceId: cluster.log.newTraceId() }, (x) => (r = x));
  cluster.clock.runUntilCondition(() => r !== undefined, 30_000);
  return r!;
}

function rolledOutTo(cluster: Cluster, image: string): boolean {
  const live = podsOf(cluster, 'web').filter((p) => !p.metadata.deletionTimestamp);
  const d = getDeployment(cluster);
  return live.length === 6 && live.every((p) => imageOf(p) === image) && readyPods(cluster, 'web').length === 6 &&
    d.status?.updatedReplicas === 6 && d.status.availableReplicas === 6 && d.status.replicas === 6;
}

describe('Deployment rollouts', () => {
  it('rolls nginx:1.26 → nginx:1.27 without ever dropping below replicas − maxUnavailable ready pods, then undoes it', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 6));
    waitFor(cluster, 'revision 1 rolled out', () => rolledOutTo(cluster, 'nginx:1.26'));

    let minReady = Infinity;
    let maxTotal = 0;
    const unsubscribe = cluster.read.subscribe((change) => {
      if (change.resource !== 'pods') return;
      minReady = Math.min(minReady, readyPods(cluster, 'web').length);
      maxTotal = Math.max(maxTotal, podsOf(cluster, 'web').filter((p) => !p.metadata.deletionTimestamp).length);
    });
    applyOk(cluster, deployment('web', 6, 'nginx:1.27'));
    waitFor(cluster, 'revision 2 rolled out', () => rolledOutTo(cluster, 'nginx:1.27'), 300_000);
    unsubscribe();
    // 25% of 6: maxUnavailable rounds down to 1, maxSurge up to 2.
    assert.ok(Number.isFinite(minReady), 'pod changes were observed');
    assert.ok(minReady >= 5, `ready pods dropped to ${minReady}`);
    assert.ok(maxTotal > 6 && maxTotal <= 8, `up to ${maxTotal} pods at once (the surge is used, within maxSurge)`);

    const d = getDeployment(cluster);
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    const rss = replicaSetsOf(cluster, 'web');
    assert.equal(rss.length, 2);
    const byRev = new Map(rss.map((rs) => [rs.metadata.annotations!['deployment.kubernetes.io/revision'], rs]));
    assert.equal(byRev.get('1')!.spec.replicas, 0);
    assert.equal(byRev.get('2')!.spec.replicas, 6);
    assert.ok(cluster.log.all().some((e) => e.kind === 'decision' && /Scaled down replica set web-\w+ from \d to \d/.test(e.summary)));
    const progressing = d.status!.conditions!.find((c) => c.type === 'Progressing')!;
    assert.equal(progressing.reason, 'NewReplicaSetAvailable');
    assert.equal(progressing.message, `ReplicaSet "${byRev.get('2')!.metadata.name}" has successfully progressed.`);

    // kubectl rollout undo: back to the template of revision 1, which becomes revision 3.
    assert.deepEqual(undo(cluster), { ok: true, message: 'deployment.apps/web rolled back' });
    waitFor(cluster, 'rolled back to nginx:1.26', () => rolledOutTo(cluster, 'nginx:1.26'), 300_000);
    const old = cluster.read.get<typeof rss[0]>('replicasets', 'default', byRev.get('1')!.metadata.name!)!;
    assert.equal(old.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal(old.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(old.spec.replicas, 6);
    assert.equal(replicaSetsOf(cluster, 'web').length, 2, 'no new ReplicaSet for a rollback');
    assert.equal(getDeployment(cluster).metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.deepEqual(undo(cluster, 7), { ok: false, message: 'error: unable to find specified revision 7 in history' });
    assert.match(undo(cluster, 3).message, /skipped rollback \(current template already matches revision 3\)/);
  });

  it('keeps at most revisionHistoryLimit old ReplicaSets', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 2, 'nginx:1.25', { revisionHistoryLimit: 1 }));
    for (const image of ['nginx:1.26', 'nginx:1.27']) {
      waitFor(cluster, 'ready', () => readyPods(cluster, 'web').length === 2 && podsOf(cluster, 'web').every((p) => !p.metadata.deletionTimestamp));
      applyOk(cluster, deployment('web', 2, image, { revisionHistoryLimit: 1 }));
    }
    waitFor(cluster, 'rolled out to 1.27 with one old ReplicaSet kept', () => {
      const rss = replicaSetsOf(cluster, 'web');
      return rss.length === 2 && readyPods(cluster, 'web').every((p) => imageOf(p) === 'nginx:1.27') && readyPods(cluster, 'web').length === 2;
    }, 300_000);
    const revisions = replicaSetsOf(cluster, 'web').map((rs) => rs.metadata.annotations!['deployment.kubernetes.io/revision']).sort();
    assert.deepEqual(revisions, ['2', '3']);
  });

  it('scales a ReplicaSet down, unscheduled and not-ready pods first', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 5));
    waitFor(cluster, '5 ready', () => readyPods(cluster, 'web').length === 5);
    applyOk(cluster, deployment('web', 2));
    waitFor(cluster, '2 left', () => podsOf(cluster, 'web').length === 2 && readyPods(cluster, 'web').length === 2, 120_000);
    assert.ok(cluster.log.all().some((e) => e.kind === 'decision' && /Too many replicas for ReplicaSet default\/web-\w+: need 2, deleting 3/.test(e.summary)));
  });
});
