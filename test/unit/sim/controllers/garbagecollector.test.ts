import { strict as assert } from 'node:assert';
import { applyOk, deployment, podsOf, readyPods, replicaSetsOf, startCluster, waitFor } from './helpers';
import type { Cluster } from '../../../../src/sim/cluster';
import type { ApiRequest, ApiResponse } from '../../../../src/sim/api/request';
import type { ReplicaSet } from '../../../../src/sim/api/types';

function call(cluster: Cluster, req: Omit<ApiRequest, 'client'>): ApiResponse {
  let res: ApiResponse | undefined;
  cluster.client('kubectl').request(req, { traceId: cluster.log.newTraceId() }, (r) => (res = r));
  cluster.clock.runUntilCondition(() => res !== undefined, 30_000);
  return res!;
}

describe('garbage collector', () => {
  it('deleting a Deployment removes its ReplicaSets and pods (background cascade)', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 4));
    waitFor(cluster, '4 ready', () => readyPods(cluster, 'web').length === 4);
    applyOk(cluster, deployment('web', 4, 'nginx:1.27'));
    waitFor(cluster, 'two ReplicaSets', () => replicaSetsOf(cluster, 'web').length === 2);
    const del = call(cluster, { verb: 'delete', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', name: 'web' });
    assert.equal(del.code, 200);
    waitFor(cluster, 'ReplicaSets and pods gone', () => replicaSetsOf(cluster, 'web').length === 0 && podsOf(cluster, 'web').length === 0, 120_000);
    const gcDecisions = cluster.log.all().filter((e) => e.kind === 'decision' && e.summary.startsWith('garbage-collector-controller: deleting replicasets default/web-'));
    assert.equal(gcDecisions.length, 2);
    assert.match(gcDecisions[0].summary, /all its owners are gone \(Deployment web\)/);
  });

  it('a dependent with another live owner only loses the dead reference', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 1));
    waitFor(cluster, '1 ready', () => readyPods(cluster, 'web').length === 1);
    const [rs] = replicaSetsOf(cluster, 'web');
    // A second owner that does not exist (never did): the collector confirms with a live GET, then drops it.
    const dangling = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: '00000000-0000-4000-8000-000000000000' };
    const body = { metadata: { ownerReferences: [...rs.metadata.ownerReferences!, dangling] } };
    const patched = call(cluster, { verb: 'patch', apiVersion: 'apps/v1', resource: 'replicasets', namespace: 'default', name: rs.metadata.name, patchType: 'application/merge-patch+json', body });
    assert.equal(patched.code, 200);
    waitFor(cluster, 'dangling reference removed', () => {
      const now = cluster.read.get<ReplicaSet>('replicasets', 'default', rs.metadata.name!)!;
      return now.metadata.ownerReferences!.length === 1 && now.metadata.ownerReferences![0].kind === 'Deployment';
    }, 30_000);
    assert.equal(replicaSetsOf(cluster, 'web').length, 1);
  });

  // The API server sets these finalizers for DELETE ?propagationPolicy=Foreground|Orphan; here they are
  // put on by hand before a plain DELETE, which exercises the same collector path.
  for (const [finalizer, expectDependents] of [['foregroundDeletion', false], ['orphan', true]] as const) {
    it(`honours the ${finalizer} finalizer`, () => {
      const cluster = startCluster();
      applyOk(cluster, deployment('web', 2));
      waitFor(cluster, '2 ready', () => readyPods(cluster, 'web').length === 2);
      const patch = { metadata: { finalizers: [finalizer] } };
      assert.equal(call(cluster, { verb: 'patch', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', name: 'web', patchType: 'application/merge-patch+json', body: patch }).code, 200);
      assert.equal(call(cluster, { verb: 'delete', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', name: 'web' }).code, 200);
      waitFor(cluster, 'the Deployment is gone', () => !cluster.read.get('deployments', 'default', 'web'), 120_000);
      if (expectDependents) {
        const rss = replicaSetsOf(cluster, 'web');
        assert.equal(rss.length, 1, 'the ReplicaSet is orphaned, not deleted');
        assert.deepEqual(rss[0].metadata.ownerReferences ?? [], []);
        assert.equal(readyPods(cluster, 'web').length, 2);
      } else {
        assert.equal(replicaSetsOf(cluster, 'web').length, 0, 'dependents deleted before the owner');
        assert.ok(cluster.log.all().some((e) => e.kind === 'decision' && e.summary.includes('is being deleted in foreground')));
      }
    });
  }

  for (const [propagationPolicy, finalizer, expectDependents] of [['Foreground', 'foregroundDeletion', false], ['Orphan', 'orphan', true]] as const) {
    it(`DELETE with propagationPolicy=${propagationPolicy} sets the ${finalizer} finalizer (kubectl --cascade=${propagationPolicy.toLowerCase()})`, () => {
      const cluster = startCluster();
      applyOk(cluster, deployment('web', 2));
      waitFor(cluster, '2 ready', () => readyPods(cluster, 'web').length === 2);
      const del = call(cluster, { verb: 'delete', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', name: 'web', query: { propagationPolicy } });
      assert.equal(del.code, 200);
      const marked = del.body as { metadata: { finalizers?: string[]; deletionTimestamp?: string } };
      assert.deepEqual(marked.metadata.finalizers, [finalizer]);
      assert.ok(marked.metadata.deletionTimestamp);
      waitFor(cluster, 'the Deployment is gone', () => !cluster.read.get('deployments', 'default', 'web'), 120_000);
      assert.equal(replicaSetsOf(cluster, 'web').length, expectDependents ? 1 : 0);
    });
  }
});
