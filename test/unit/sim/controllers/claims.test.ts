import { strict as assert } from 'node:assert';
import { applyOk, deployment, podsOf, readyPods, replicaSetsOf, startCluster, waitFor } from './helpers';
import { call, message } from '../support/harness';
import type { Cluster } from '../../../../src/sim/cluster';
import type { Pod, ReplicaSet } from '../../../../src/sim/api/types';
import { controllerRef } from '../../../../src/sim/controllers/pods';

function replicaSet(name: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
}

const names = (pods: readonly Pod[]) => pods.map((p) => p.metadata.name!).sort();

function deleteOrphaning(cluster: Cluster, resource: string, name: string): void {
  const res = call(cluster, { verb: 'delete', apiVersion: 'apps/v1', resource, namespace: 'default', name, query: { propagationPolicy: 'Orphan' } });
  assert.equal(res.code, 200, message(res));
  waitFor(cluster, `${resource}/${name} gone`, () => !cluster.read.get(resource, 'default', name));
}

function decisions(cluster: Cluster, text: string): string[] {
  return cluster.log.all().filter((e) => e.kind === 'decision' && e.summary.includes(text)).map((e) => e.summary);
}

describe('controllers claim what their selectors match (ControllerRefManager)', () => {
  it('a ReplicaSet created again adopts the pods an orphaning delete left, and creates none', () => {
    const cluster = startCluster();
    applyOk(cluster, replicaSet('web', 3));
    waitFor(cluster, '3 ready', () => readyPods(cluster, 'web').length === 3);
    const before = names(readyPods(cluster, 'web'));
    deleteOrphaning(cluster, 'replicasets', 'web');
    waitFor(cluster, 'pods orphaned', () => podsOf(cluster, 'web').every((p) => !p.metadata.ownerReferences?.length));
    assert.ok(podsOf(cluster, 'web').every((p) => !('ownerReferences' in p.metadata)), 'no empty list left behind (omitempty)');
    applyOk(cluster, replicaSet('web', 3));
    const rs = cluster.read.get<ReplicaSet>('replicasets', 'default', 'web')!;
    waitFor(cluster, 'pods adopted', () => podsOf(cluster, 'web').every((p) => controllerRef(p)?.uid === rs.metadata.uid));
    waitFor(cluster, 'status counts them', () => cluster.read.get<ReplicaSet>('replicasets', 'default', 'web')?.status?.readyReplicas === 3);
    cluster.clock.advance(30_000);
    assert.deepEqual(names(podsOf(cluster, 'web')), before, 'the same three pods, no new one');
    assert.deepEqual(decisions(cluster, 'Adopting'), ['replicaset-controller: Adopting 3 pods into ReplicaSet default/web: no controller, and the selector matches']);
    // The fresh read before adopting (RecheckDeletionTimestamp) went to the API server.
    const adopt = cluster.log.all().find((e) => e.kind === 'decision' && e.summary.includes('Adopting'))!;
    assert.ok(cluster.log.trace(adopt.traceId).some((e) => e.kind === 'request' && e.summary === 'GET /apis/apps/v1/namespaces/default/replicasets/web'));
  });

  it('a pod relabelled out of its ReplicaSet is released and replaced; it keeps running', () => {
    const cluster = startCluster();
    applyOk(cluster, replicaSet('web', 2));
    waitFor(cluster, '2 ready', () => readyPods(cluster, 'web').length === 2);
    const [quarantined] = names(readyPods(cluster, 'web'));
    const res = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: quarantined, patchType: 'application/merge-patch+json', body: { metadata: { labels: { app: 'debug' } } } });
    assert.equal(res.code, 200, message(res));
    waitFor(cluster, 'released', () => !cluster.read.get<Pod>('pods', 'default', quarantined)!.metadata.ownerReferences?.length);
    waitFor(cluster, 'a replacement', () => readyPods(cluster, 'web').length === 2);
    const pod = cluster.read.get<Pod>('pods', 'default', quarantined)!;
    assert.equal(pod.status?.phase, 'Running', 'the released pod runs on, for debugging');
    assert.ok(!('ownerReferences' in pod.metadata), 'no empty list left behind (omitempty)');
    assert.ok(!names(readyPods(cluster, 'web')).includes(quarantined));
    assert.equal(decisions(cluster, 'Releasing 1 pod from ReplicaSet default/web').length, 1);
    // Labelled back, it is adopted again and the ReplicaSet, one over, scales down by one.
    call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: quarantined, patchType: 'application/merge-patch+json', body: { metadata: { labels: { app: 'web' } } } });
    waitFor(cluster, 'adopted again and back to 2', () => {
      const active = podsOf(cluster, 'web').filter((p) => !p.metadata.deletionTimestamp);
      return active.length === 2 && active.every((p) => controllerRef(p)?.name === 'web');
    });
  });

  it('a Deployment created again adopts its orphaned ReplicaSet, and its pods stay', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 3));
    waitFor(cluster, '3 ready', () => readyPods(cluster, 'web').length === 3);
    const pods = names(readyPods(cluster, 'web'));
    const [rs] = replicaSetsOf(cluster, 'web');
    deleteOrphaning(cluster, 'deployments', 'web');
    waitFor(cluster, 'ReplicaSet orphaned', () => !cluster.read.get<ReplicaSet>('replicasets', 'default', rs.metadata.name!)!.metadata.ownerReferences?.length);
    applyOk(cluster, deployment('web', 3));
    const d = cluster.read.get('deployments', 'default', 'web')!;
    waitFor(cluster, 'ReplicaSet adopted', () => controllerRef(cluster.read.get<ReplicaSet>('replicasets', 'default', rs.metadata.name!)!)?.uid === d.metadata.uid);
    waitFor(cluster, 'Deployment available', () => (cluster.read.get<{ status?: { availableReplicas?: number } } & ReplicaSet>('deployments', 'default', 'web')?.status?.availableReplicas ?? 0) === 3);
    cluster.clock.advance(30_000);
    assert.deepEqual(replicaSetsOf(cluster, 'web').map((r) => r.metadata.name), [rs.metadata.name], 'no second ReplicaSet');
    assert.deepEqual(names(readyPods(cluster, 'web')), pods);
    assert.equal(decisions(cluster, 'Adopting 1 ReplicaSet into Deployment default/web').length, 1);
  });

  it('the API server refuses a second controller reference, as upstream', () => {
    const cluster = startCluster();
    applyOk(cluster, replicaSet('web', 1));
    waitFor(cluster, '1 ready', () => readyPods(cluster, 'web').length === 1);
    const [pod] = readyPods(cluster, 'web');
    const other = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'other', uid: '00000000-0000-4000-8000-000000000001', controller: true };
    const res = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: pod.metadata.name, patchType: 'application/strategic-merge-patch+json', body: { metadata: { ownerReferences: [other] } } });
    assert.equal(res.code, 422);
    assert.match(message(res), /metadata\.ownerReferences: Invalid value: .*: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/web and ReplicaSet\/other$/);
    const noUid = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: pod.metadata.name, patchType: 'application/merge-patch+json', body: { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'worker-1' }] } } });
    assert.equal(message(noUid), `Pod "${pod.metadata.name}" is invalid: metadata.ownerReferences.uid: Invalid value: "": must not be empty`);
    const noVersion = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: pod.metadata.name, patchType: 'application/merge-patch+json', body: { metadata: { ownerReferences: [{ apiVersion: 'apps/', kind: 'ReplicaSet', name: 'x', uid: 'u' }] } } });
    assert.equal(message(noVersion), `Pod "${pod.metadata.name}" is invalid: metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty`);
  });
});
