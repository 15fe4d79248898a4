import { strict as assert } from 'node:assert';
import { applyOk, startCluster, waitFor } from './helpers';
import { call, message } from '../support/harness';
import type { Cluster } from '../../../../src/sim/cluster';
import type { ControllerRevision, CoreEvent as Event, DaemonSet, Lease, Node, Pod } from '../../../../src/sim/api/types';
import { Faults } from '../../../../src/sim/faults';
import { controllerRef, isPodReady } from '../../../../src/sim/controllers/pods';

const WORKERS = ['worker-1', 'worker-2', 'worker-3'];
const ALL = ['master-1', 'master-2', 'master-3', ...WORKERS];

function daemonSet(name: string, image = 'nginx:1.26', podSpec: Partial<DaemonSet['spec']['template']['spec']> = {}, spec: Partial<DaemonSet['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image }], ...podSpec } },
      ...spec,
    },
  };
}

const dsOf = (cluster: Cluster, name: string) => cluster.read.get<DaemonSet>('daemonsets', 'default', name);
const podsOf = (cluster: Cluster, name: string) => cluster.read.list<Pod>('pods', 'default').filter((p) => p.metadata.labels?.app === name);
const livePods = (cluster: Cluster, name: string) => podsOf(cluster, name).filter((p) => !p.metadata.deletionTimestamp);
const nodesOf = (pods: Pod[]) => pods.map((p) => p.spec.nodeName ?? '?').sort();
const revisionsOf = (cluster: Cluster, name: string) =>
  cluster.read.list<ControllerRevision>('controllerrevisions', 'default').filter((r) => r.metadata.ownerReferences?.[0]?.name === name).sort((a, b) => a.revision - b.revision);

/** All live pods ready on exactly `nodes`, one each. */
function settledOn(cluster: Cluster, name: string, nodes: string[], image?: string): boolean {
  const pods = podsOf(cluster, name);
  if (pods.some((p) => p.metadata.deletionTimestamp)) return false;
  if (image && pods.some((p) => p.spec.containers[0].image !== image)) return false;
  return pods.every((p) => isPodReady(p)) && JSON.stringify(nodesOf(pods)) === JSON.stringify(nodes);
}

function rolledOut(cluster: Cluster, name: string): boolean {
  const ds = dsOf(cluster, name);
  const s = ds?.status;
  return !!ds && !!s && (s.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0) && (s.updatedNumberScheduled ?? 0) === s.desiredNumberScheduled && (s.numberAvailable ?? 0) === s.desiredNumberScheduled;
}

function patch(cluster: Cluster, resource: string, name: string, body: unknown, patchType: 'application/merge-patch+json' | 'application/strategic-merge-patch+json' = 'application/merge-patch+json', namespace: string | undefined = 'default') {
  const res = call(cluster, { verb: 'patch', apiVersion: resource === 'nodes' || resource === 'pods' ? 'v1' : 'apps/v1', resource, namespace: resource === 'nodes' ? undefined : namespace, name, patchType, body });
  assert.equal(res.code, 200, message(res));
  return res.body;
}

describe('DaemonSets: the daemonset controller', () => {
  it('runs one pod per worker (none on the tainted masters), placed by the scheduler through the node affinity', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent'));
    waitFor(cluster, 'a ready pod on each worker', () => settledOn(cluster, 'agent', WORKERS) && rolledOut(cluster, 'agent'));
    const ds = dsOf(cluster, 'agent')!;
    assert.deepEqual(ds.status, {
      currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 3, observedGeneration: 1,
      updatedNumberScheduled: 3, numberAvailable: 3,
    });
    const [rev] = revisionsOf(cluster, 'agent');
    const hash = rev.metadata.labels?.['controller-revision-hash'];
    assert.equal(rev.revision, 1);
    assert.equal(rev.metadata.name, `agent-${hash}`);
    for (const pod of podsOf(cluster, 'agent')) {
      assert.deepEqual(pod.metadata.labels, { app: 'agent', 'controller-revision-hash': hash, 'pod-template-generation': '1' });
      assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.deepEqual(pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName!] }] },
      ]);
      const tolerations = (pod.spec.tolerations ?? []).map((t) => `${t.key}:${t.effect}${t.tolerationSeconds !== undefined ? `:${t.tolerationSeconds}` : ''}`);
      assert.deepEqual(tolerations, [
        'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
      ]);
      // The controller created it unbound; the scheduler bound it (its Scheduled event).
      const scheduled = cluster.read.list<Event>('events', 'default').find((e) => e.involvedObject.name === pod.metadata.name && e.reason === 'Scheduled');
      assert.ok(scheduled, `a Scheduled event for ${pod.metadata.name}`);
      assert.equal(scheduled.source?.component ?? scheduled.reportingComponent, 'default-scheduler');
    }
    const createdUnbound = cluster.log.all().some((e) => e.kind === 'request' && e.from.startsWith('kube-controller-manager') && e.summary.includes('POST') && e.summary.includes('pods/binding'));
    assert.equal(createdUnbound, false, 'the controller never binds');
  });

  it('with a toleration of the control-plane taint, runs on all six nodes', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('everywhere', 'nginx:1.26', { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }));
    waitFor(cluster, 'six ready pods', () => settledOn(cluster, 'everywhere', ALL) && rolledOut(cluster, 'everywhere'));
    assert.equal(dsOf(cluster, 'everywhere')!.status?.desiredNumberScheduled, 6);
  });

  it('a stopped worker keeps its daemon pod; a NoExecute taint and a nodeSelector change the set of nodes', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent'), daemonSet('ssd', 'nginx:1.26', { nodeSelector: { disk: 'ssd' } }));
    waitFor(cluster, 'agent on the workers', () => settledOn(cluster, 'agent', WORKERS));
    const before = podsOf(cluster, 'agent').find((p) => p.spec.nodeName === 'worker-2')!;
    const faults = new Faults(cluster);
    faults.stop('node', 'worker-2');
    const node = () => cluster.read.get<Node>('nodes', undefined, 'worker-2')!;
    waitFor(cluster, 'worker-2 tainted unreachable', () => (node().spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
    cluster.clock.advance(400_000); // past the 300 s other pods tolerate
    const after = podsOf(cluster, 'agent').find((p) => p.spec.nodeName === 'worker-2');
    assert.equal(after?.metadata.uid, before.metadata.uid, 'the daemon pod tolerates not-ready and unreachable for ever');
    assert.equal(after?.metadata.deletionTimestamp, undefined);
    faults.start('node', 'worker-2');
    waitFor(cluster, 'worker-2 back', () => !(node().spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable'), 120_000);

    // A NoExecute taint the pod does not tolerate: its pod goes; the taint removed, a pod comes back.
    patch(cluster, 'nodes', 'worker-3', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] } });
    waitFor(cluster, 'no pod on worker-3', () => settledOn(cluster, 'agent', ['worker-1', 'worker-2']) && dsOf(cluster, 'agent')!.status?.desiredNumberScheduled === 2);
    patch(cluster, 'nodes', 'worker-3', { spec: { taints: null } });
    waitFor(cluster, 'a pod on worker-3 again', () => settledOn(cluster, 'agent', WORKERS) && dsOf(cluster, 'agent')!.status?.desiredNumberScheduled === 3);

    // nodeSelector disk=ssd: nothing until a node has the label, and its pod goes when the label does.
    assert.equal(podsOf(cluster, 'ssd').length, 0);
    assert.equal(dsOf(cluster, 'ssd')!.status?.desiredNumberScheduled, 0);
    patch(cluster, 'nodes', 'worker-1', { metadata: { labels: { disk: 'ssd' } } });
    waitFor(cluster, 'a pod on worker-1', () => settledOn(cluster, 'ssd', ['worker-1']));
    patch(cluster, 'nodes', 'worker-1', { metadata: { labels: { disk: null } } });
    waitFor(cluster, 'no ssd pod', () => podsOf(cluster, 'ssd').length === 0 && dsOf(cluster, 'ssd')!.status?.desiredNumberScheduled === 0);
  });

  it('a rolling update replaces pods one node at a time, records ControllerRevisions, and rolls back', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent', 'nginx:1.26', {}, { minReadySeconds: 2 }));
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS) && rolledOut(cluster, 'agent'));
    patch(cluster, 'daemonsets', 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.27' }] } } } });
    let maxUnavailable = 0;
    waitFor(cluster, 'nginx:1.27 everywhere', () => {
      const ready = new Set(livePods(cluster, 'agent').filter(isPodReady).map((p) => p.spec.nodeName));
      maxUnavailable = Math.max(maxUnavailable, WORKERS.filter((w) => !ready.has(w)).length);
      return settledOn(cluster, 'agent', WORKERS, 'nginx:1.27') && rolledOut(cluster, 'agent');
    }, 300_000);
    assert.equal(maxUnavailable, 1, 'one node at a time (maxUnavailable 1)');
    let revs = revisionsOf(cluster, 'agent');
    assert.deepEqual(revs.map((r) => r.revision), [1, 2]);
    const newHash = revs[1].metadata.labels?.['controller-revision-hash'];
    assert.ok(podsOf(cluster, 'agent').every((p) => p.metadata.labels?.['controller-revision-hash'] === newHash && p.metadata.labels?.['pod-template-generation'] === '2'));
    assert.equal(dsOf(cluster, 'agent')!.status?.updatedNumberScheduled, 3);

    // kubectl rollout undo: the old revision's data, sent back as a strategic merge patch.
    patch(cluster, 'daemonsets', 'agent', revs[0].data, 'application/strategic-merge-patch+json');
    waitFor(cluster, 'nginx:1.26 again', () => settledOn(cluster, 'agent', WORKERS, 'nginx:1.26') && rolledOut(cluster, 'agent'), 300_000);
    revs = revisionsOf(cluster, 'agent');
    assert.deepEqual(revs.map((r) => [r.metadata.name, r.revision]), [[revs[0].metadata.name, 2], [revs[1].metadata.name, 3]]);
    assert.equal(revs[1].metadata.labels?.['controller-revision-hash'], podsOf(cluster, 'agent')[0].metadata.labels?.['controller-revision-hash'], 'the first revision, now the newest');
  });

  it('maxSurge 1 starts the new pod beside the old one before deleting it', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent', 'nginx:1.26', {}, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }));
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS) && rolledOut(cluster, 'agent'));
    patch(cluster, 'daemonsets', 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.27' }] } } } });
    let maxPods = 0;
    let minReady = 3;
    waitFor(cluster, 'nginx:1.27 everywhere', () => {
      const live = livePods(cluster, 'agent');
      maxPods = Math.max(maxPods, live.length);
      minReady = Math.min(minReady, new Set(live.filter(isPodReady).map((p) => p.spec.nodeName)).size);
      return settledOn(cluster, 'agent', WORKERS, 'nginx:1.27') && rolledOut(cluster, 'agent');
    }, 300_000);
    assert.equal(maxPods, 4, 'one surge pod at a time');
    assert.equal(minReady, 3, 'every node kept a ready pod');
  });

  it('replaces a failed daemon pod', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent'));
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS));
    const victim = podsOf(cluster, 'agent').find((p) => p.spec.nodeName === 'worker-1')!;
    const status = { ...victim.status, phase: 'Failed', conditions: (victim.status?.conditions ?? []).map((c) => ({ ...c, status: c.type === 'PodScheduled' ? c.status : 'False' })) };
    const res = call(cluster, { verb: 'update', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: victim.metadata.name, subresource: 'status', body: { ...victim, status } });
    assert.equal(res.code, 200, message(res));
    waitFor(cluster, 'a new pod on worker-1', () => settledOn(cluster, 'agent', WORKERS) && !podsOf(cluster, 'agent').some((p) => p.metadata.uid === victim.metadata.uid));
    assert.ok(cluster.read.list<Event>('events', 'default').some((e) => e.reason === 'FailedDaemonPod' && e.message?.includes(victim.metadata.name!)));
  });

  it('deleting the DaemonSet deletes its pods and revisions (garbage collector)', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent'));
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS));
    assert.equal(revisionsOf(cluster, 'agent').length, 1);
    const res = call(cluster, { verb: 'delete', apiVersion: 'apps/v1', resource: 'daemonsets', namespace: 'default', name: 'agent' });
    assert.equal(res.code, 200, message(res));
    waitFor(cluster, 'pods and revisions gone', () => podsOf(cluster, 'agent').length === 0 && revisionsOf(cluster, 'agent').length === 0, 120_000);
  });

  it('converges when the controller-manager leader changes mid-rollout', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent'));
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS) && rolledOut(cluster, 'agent'));
    patch(cluster, 'daemonsets', 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.27' }] } } } });
    waitFor(cluster, 'the first new pod', () => podsOf(cluster, 'agent').some((p) => p.spec.containers[0].image === 'nginx:1.27'));
    const holder = () => cluster.read.get<Lease>('leases', 'kube-system', 'kube-controller-manager')?.spec.holderIdentity ?? '';
    const leader = holder().split('_')[0];
    new Faults(cluster).stop('controller-manager', leader);
    waitFor(cluster, 'a new leader', () => holder() !== '' && !holder().startsWith(`${leader}_`), 60_000);
    waitFor(cluster, 'nginx:1.27 everywhere', () => settledOn(cluster, 'agent', WORKERS, 'nginx:1.27') && rolledOut(cluster, 'agent'), 300_000);
    assert.deepEqual(revisionsOf(cluster, 'agent').map((r) => r.revision), [1, 2]);
  });
});

describe('DaemonSets claim their pods and ControllerRevisions (ControllerRefManager)', () => {
  const byName = (objs: { metadata: { name?: string } }[]) => objs.map((o) => o.metadata.name!).sort();
  const revisionsNamed = (cluster: Cluster, prefix: string) => cluster.read.list<ControllerRevision>('controllerrevisions', 'default').filter((r) => r.metadata.name!.startsWith(`${prefix}-`));
  const decisions = (cluster: Cluster, text: string) => cluster.log.all().filter((e) => e.kind === 'decision' && e.summary.includes(text)).map((e) => e.summary);
  const perNode = (pods: Pod[]) => {
    const counts: Record<string, number> = {};
    for (const p of pods) counts[p.spec.nodeName ?? '?'] = (counts[p.spec.nodeName ?? '?'] ?? 0) + 1;
    return counts;
  };

  function deleteDaemonSet(cluster: Cluster, name: string, propagationPolicy?: 'Orphan') {
    const res = call(cluster, { verb: 'delete', apiVersion: 'apps/v1', resource: 'daemonsets', namespace: 'default', name, ...(propagationPolicy ? { query: { propagationPolicy } } : {}) });
    assert.equal(res.code, 200, message(res));
  }

  it('created again after an orphaning delete, adopts the running daemon pods and the old revision: no second pod per node', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent'));
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS) && rolledOut(cluster, 'agent'));
    const pods = byName(podsOf(cluster, 'agent'));
    const revisions = byName(revisionsNamed(cluster, 'agent'));
    assert.equal(revisions.length, 1);
    deleteDaemonSet(cluster, 'agent', 'Orphan');
    waitFor(cluster, 'the DaemonSet gone, its pods and revision orphaned', () => !dsOf(cluster, 'agent') &&
      [...podsOf(cluster, 'agent'), ...revisionsNamed(cluster, 'agent')].every((o) => !o.metadata.ownerReferences?.length));

    applyOk(cluster, daemonSet('agent'));
    const uid = dsOf(cluster, 'agent')!.metadata.uid;
    waitFor(cluster, 'pods and revision adopted', () => [...podsOf(cluster, 'agent'), ...revisionsNamed(cluster, 'agent')].every((o) => controllerRef(o)?.uid === uid));
    waitFor(cluster, 'rolled out again', () => rolledOut(cluster, 'agent'));
    cluster.clock.advance(30_000);
    assert.deepEqual(perNode(podsOf(cluster, 'agent')), { 'worker-1': 1, 'worker-2': 1, 'worker-3': 1 }, 'one pod per node');
    assert.deepEqual(byName(podsOf(cluster, 'agent')), pods, 'the same pods, none created');
    for (const o of [...podsOf(cluster, 'agent'), ...revisionsNamed(cluster, 'agent')]) {
      assert.deepEqual(o.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid, controller: true, blockOwnerDeletion: true }]);
    }
    assert.deepEqual(byName(revisionsNamed(cluster, 'agent')), revisions, 'the same revision: no second one, no name clash');
    const ds = dsOf(cluster, 'agent')!;
    assert.equal(ds.status?.collisionCount, undefined, 'no hash collision counted');
    assert.equal(ds.status?.updatedNumberScheduled, 3, 'the adopted pods carry the current revision\'s hash');
    assert.deepEqual(decisions(cluster, 'Adopting'), [
      'daemonset-controller: Adopting 1 ControllerRevision into DaemonSet default/agent: no controller, and the selector matches',
      'daemonset-controller: Adopting 3 pods into DaemonSet default/agent: no controller, and the selector matches',
    ]);
    // RecheckDeletionTimestamp: a fresh read of the DaemonSet before adopting.
    const adopt = cluster.log.all().find((e) => e.kind === 'decision' && e.summary.includes('Adopting 3 pods'))!;
    assert.ok(cluster.log.trace(adopt.traceId).some((e) => e.kind === 'request' && e.summary === 'GET /apis/apps/v1/namespaces/default/daemonsets/agent'));
  });

  it('a daemon pod relabelled out of its DaemonSet is released and replaced; labelled back, it is adopted and the newer pod goes', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent'));
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS));
    const quarantined = podsOf(cluster, 'agent').find((p) => p.spec.nodeName === 'worker-2')!.metadata.name!;
    patch(cluster, 'pods', quarantined, { metadata: { labels: { app: 'debug' } } });
    const pod = () => cluster.read.get<Pod>('pods', 'default', quarantined)!;
    waitFor(cluster, 'released', () => !pod().metadata.ownerReferences?.length);
    waitFor(cluster, 'a replacement on worker-2', () => settledOn(cluster, 'agent', WORKERS));
    assert.ok(!byName(podsOf(cluster, 'agent')).includes(quarantined));
    assert.equal(pod().status?.phase, 'Running', 'the released pod runs on, for debugging');
    assert.ok(!('ownerReferences' in pod().metadata), 'no empty list left behind (omitempty)');
    assert.equal(decisions(cluster, 'Releasing 1 pod from DaemonSet default/agent').length, 1);

    // Back in: adopted, and of two pods on worker-2 the oldest (the one adopted) stays.
    patch(cluster, 'pods', quarantined, { metadata: { labels: { app: 'agent' } } });
    waitFor(cluster, 'adopted again, one pod on worker-2', () => controllerRef(pod())?.uid === dsOf(cluster, 'agent')!.metadata.uid && settledOn(cluster, 'agent', WORKERS));
    assert.equal(podsOf(cluster, 'agent').find((p) => p.spec.nodeName === 'worker-2')!.metadata.name, quarantined);
  });

  it('an old ControllerRevision relabelled is released, and stays out of the history', () => {
    const cluster = startCluster();
    applyOk(cluster, daemonSet('agent'));
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS) && rolledOut(cluster, 'agent'));
    patch(cluster, 'daemonsets', 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.27' }] } } } });
    waitFor(cluster, 'nginx:1.27 everywhere', () => settledOn(cluster, 'agent', WORKERS, 'nginx:1.27') && rolledOut(cluster, 'agent'), 300_000);
    const [first, second] = revisionsOf(cluster, 'agent');
    patch(cluster, 'controllerrevisions', first.metadata.name!, { metadata: { labels: { app: 'archived' } } });
    const uid = dsOf(cluster, 'agent')!.metadata.uid;
    waitFor(cluster, 'released', () => !cluster.read.get<ControllerRevision>('controllerrevisions', 'default', first.metadata.name!)!.metadata.ownerReferences?.length);
    assert.deepEqual(decisions(cluster, 'Releasing'), ['daemonset-controller: Releasing 1 ControllerRevision from DaemonSet default/agent: the selector no longer matches the labels']);
    cluster.clock.advance(30_000);
    assert.deepEqual(revisionsOf(cluster, 'agent').map((r) => [r.metadata.name, controllerRef(r)?.uid]), [[second.metadata.name, uid]]);
    assert.ok(cluster.read.get('controllerrevisions', 'default', first.metadata.name!), 'released, not deleted');
  });

  it('a DaemonSet being deleted adopts nothing; created again, it adopts the orphan', () => {
    const cluster = startCluster();
    const held = daemonSet('agent');
    held.metadata.finalizers = ['example.com/hold'];
    applyOk(cluster, held);
    waitFor(cluster, 'rolled out', () => settledOn(cluster, 'agent', WORKERS));
    deleteDaemonSet(cluster, 'agent');
    const deleting = dsOf(cluster, 'agent')!;
    assert.ok(deleting.metadata.deletionTimestamp, 'held by its finalizer');
    // A copy of a daemon pod (same revision hash, so no rolling update replaces it once adopted), without an owner.
    const hash = podsOf(cluster, 'agent')[0].metadata.labels!['controller-revision-hash'];
    const orphan: Pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { app: 'agent', 'controller-revision-hash': hash } },
      spec: { nodeName: 'worker-1', containers: [{ name: 'agent', image: 'nginx:1.26' }] },
    };
    const res = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: orphan });
    assert.equal(res.code, 201, message(res));
    cluster.clock.advance(30_000);
    assert.equal(cluster.read.get<Pod>('pods', 'default', 'stray')!.metadata.ownerReferences, undefined, 'not adopted while its DaemonSet is being deleted');
    assert.deepEqual(decisions(cluster, 'Adopting'), []);

    // Let it go: the garbage collector deletes its pods; the stray pod, never its own, stays.
    patch(cluster, 'daemonsets', 'agent', { metadata: { finalizers: null } });
    waitFor(cluster, 'only the stray pod left', () => !dsOf(cluster, 'agent') && byName(podsOf(cluster, 'agent')).join() === 'stray' && revisionsNamed(cluster, 'agent').length === 0, 120_000);
    applyOk(cluster, daemonSet('agent'));
    const uid = dsOf(cluster, 'agent')!.metadata.uid;
    waitFor(cluster, 'a pod on each worker', () => settledOn(cluster, 'agent', WORKERS));
    cluster.clock.advance(30_000);
    assert.equal(controllerRef(cluster.read.get<Pod>('pods', 'default', 'stray')!)?.uid, uid, 'adopted by the new DaemonSet');
    assert.deepEqual(perNode(podsOf(cluster, 'agent')), { 'worker-1': 1, 'worker-2': 1, 'worker-3': 1 }, 'it serves worker-1: no second pod there');
  });
});
