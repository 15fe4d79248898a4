import { strict as assert } from 'node:assert';
import { applyOk, deployment, readyPods, startCluster, waitFor } from './helpers';
import { call, message } from '../support/harness';
import type { Cluster } from '../../../../src/sim/cluster';
import type { Pod, PodDisruptionBudget } from '../../../../src/sim/api/types';
import { budgetCounts, budgetStatus, DELETION_TIMEOUT_MS } from '../../../../src/sim/controllers/disruption/budget';

function budget(name: string, spec: PodDisruptionBudget['spec']): PodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'default' }, spec };
}

function statusOf(cluster: Cluster, name: string): PodDisruptionBudget['status'] {
  return cluster.read.get<PodDisruptionBudget>('poddisruptionbudgets', 'default', name)?.status;
}

function evict(cluster: Cluster, pod: string) {
  return call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: pod, subresource: 'eviction', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: 'default' } } });
}

describe('PodDisruptionBudgets: the disruption controller and eviction', () => {
  it('a budget that allows no disruption refuses an eviction with 429; one that allows one takes it', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 3), budget('web', { minAvailable: 3, selector: { matchLabels: { app: 'web' } } }));
    waitFor(cluster, '3 ready', () => readyPods(cluster, 'web').length === 3);
    waitFor(cluster, 'the budget counts them', () => statusOf(cluster, 'web')?.currentHealthy === 3);
    assert.deepEqual(
      (({ expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed }) => ({ expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed }))(statusOf(cluster, 'web')!),
      { expectedPods: 3, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
    assert.equal(statusOf(cluster, 'web')!.conditions![0].reason, 'InsufficientPods');
    const [victim] = readyPods(cluster, 'web');
    const refused = evict(cluster, victim.metadata.name!);
    assert.equal(refused.code, 429);
    assert.equal(message(refused), "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual((refused.body as { details?: unknown }).details, { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 3 healthy pods and has 3 currently' }] });
    assert.ok(!cluster.read.get<Pod>('pods', 'default', victim.metadata.name!)!.metadata.deletionTimestamp, 'the pod is left alone');

    const patched = call(cluster, { verb: 'patch', apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespace: 'default', name: 'web', patchType: 'application/merge-patch+json', body: { spec: { minAvailable: 2 } } });
    assert.equal(patched.code, 200, message(patched));
    waitFor(cluster, 'one disruption allowed', () => statusOf(cluster, 'web')?.disruptionsAllowed === 1 && statusOf(cluster, 'web')?.observedGeneration === 2);
    const taken = evict(cluster, victim.metadata.name!);
    assert.equal(taken.code, 201, message(taken));
    const evicted = cluster.read.get<Pod>('pods', 'default', victim.metadata.name!);
    assert.ok(!evicted || evicted.metadata.deletionTimestamp, 'the pod is being deleted');
    assert.ok(statusOf(cluster, 'web')!.disruptedPods?.[victim.metadata.name!], 'the eviction is in disruptedPods');
    // The budget's status was written before the pod was deleted: the disruption is spoken for.
    const second = evict(cluster, readyPods(cluster, 'web').find((p) => p.metadata.name !== victim.metadata.name)!.metadata.name!);
    assert.equal(second.code, 429, 'the one allowed disruption was used up');
    // The ReplicaSet replaces the pod; once ready, the budget allows one again.
    waitFor(cluster, 'replaced and allowed again', () => readyPods(cluster, 'web').length === 3 && statusOf(cluster, 'web')?.disruptionsAllowed === 1);
    assert.equal(statusOf(cluster, 'web')!.disruptedPods, undefined);
  });

  it('evicts a Pending pod without asking, and refuses a pod two budgets select', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 1), budget('a', { minAvailable: 1, selector: { matchLabels: { app: 'web' } } }), budget('b', { maxUnavailable: 0, selector: { matchLabels: { app: 'web' } } }));
    waitFor(cluster, '1 ready', () => readyPods(cluster, 'web').length === 1);
    const res = evict(cluster, readyPods(cluster, 'web')[0].metadata.name!);
    assert.equal(res.code, 500);
    assert.equal(message(res), 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pending = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'waiting', labels: { app: 'web' } }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'c', image: 'nginx:1.27' }] } } });
    assert.equal(pending.code, 201, message(pending));
    assert.equal(evict(cluster, 'waiting').code, 201, 'a Pending pod is not counted, so evicting it costs nothing');
  });

  describe('what a sync computes (pure)', () => {
    const ready = (name: string, extra: Partial<Pod['metadata']> = {}, isReady = true): Pod => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs', controller: true }], ...extra },
      spec: { containers: [] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }] },
    });
    const scale = () => ({ uid: 'deploy', replicas: 4 });

    it('counts expected pods from the controllers\' scale for maxUnavailable and percentages, from the pods for an integer minAvailable', () => {
      const pods = [ready('a'), ready('b'), ready('c', {}, false)];
      assert.deepEqual(budgetCounts(budget('x', { maxUnavailable: '25%' }), pods, scale, {}), { expectedPods: 4, desiredHealthy: 3, currentHealthy: 2, disruptionsAllowed: 0 });
      assert.deepEqual(budgetCounts(budget('x', { minAvailable: '50%' }), pods, scale, {}), { expectedPods: 4, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
      assert.deepEqual(budgetCounts(budget('x', { minAvailable: 1 }), pods, scale, {}), { expectedPods: 3, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1 });
      assert.deepEqual(budgetCounts(budget('x', {}), pods, scale, {}), { expectedPods: 0, desiredHealthy: 0, currentHealthy: 2, disruptionsAllowed: 0 });
      // A pod without a controller counts for nothing; one whose controller is unknown fails safe.
      const orphan = ready('o', { ownerReferences: undefined });
      assert.equal((budgetCounts(budget('x', { maxUnavailable: 1 }), [orphan], scale, {}) as { expectedPods: number }).expectedPods, 0);
      assert.deepEqual(budgetCounts(budget('x', { maxUnavailable: 1 }), pods, () => undefined, {}), { error: 'found no controllers for pod "a"' });
    });

    it('keeps an eviction in disruptedPods until its pod is deleted or 2 minutes pass', () => {
      const t0 = Date.UTC(2026, 0, 1);
      const pdb = { ...budget('x', { minAvailable: 1 }), status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2, disruptedPods: { a: new Date(t0).toISOString() } } };
      const pods = [ready('a'), ready('b')];
      const soon = budgetStatus(pdb, pods, scale, t0 + 1000, new Date(t0 + 1000).toISOString());
      assert.deepEqual(soon.status.disruptedPods, { a: new Date(t0).toISOString() });
      assert.equal(soon.status.currentHealthy, 1, 'the evicted pod no longer counts as healthy');
      assert.equal(soon.recheckAtMs, t0 + DELETION_TIMEOUT_MS);
      const late = budgetStatus(pdb, pods, scale, t0 + DELETION_TIMEOUT_MS + 1, new Date(t0 + DELETION_TIMEOUT_MS + 1).toISOString());
      assert.equal(late.status.disruptedPods, undefined);
      assert.equal(late.status.disruptionsAllowed, 1);
      assert.equal(soon.status.disruptionsAllowed, 0);
      assert.equal(soon.status.conditions![0].reason, 'InsufficientPods');
      const syncFailed = budgetStatus(budget('x', { maxUnavailable: 1 }), pods, () => undefined, t0, new Date(t0).toISOString());
      assert.deepEqual([syncFailed.status.conditions![0].reason, syncFailed.status.conditions![0].message], ['SyncFailed', 'found no controllers for pod "a"']);
    });
  });
});
