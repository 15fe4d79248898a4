import { strict as assert } from 'node:assert';
import type { Lease, Node, Pod } from '../../../../src/sim/api/types';
import { Cluster, podAtRest, type StateChange } from '../../../../src/sim/cluster';
import { bootCluster, call, createPod, message } from '../support/harness';
import { presetOptions } from '../../../../src/sim/presets';
import { Faults } from '../../../../src/sim/faults';

/** The kubelet's core/v1 Events are off until its event names accept fractional virtual time (events.ts stamp()). */
const KUBELET = { recordEvents: false };

describe('sim/cluster', () => {
  it('behaves the same whether or not anyone records the log (entries left unbuilt are still numbered)', () => {
    const run = (record: boolean) => {
      const cluster = new Cluster(presetOptions('default', { seed: 9, workers: 6, storeLog: record, controllerManager: { nodeEvictionRate: 100 } }));
      const kinds = new Map<string, number>();
      if (record) cluster.log.subscribe((e) => kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1));
      cluster.start();
      cluster.apply([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } } as never]);
      cluster.clock.advance(30_000);
      new Faults(cluster).stop('zone', 'us-east-2a');
      cluster.clock.advance(400_000);
      const placement = cluster.read.list<Pod>('pods').map((p) => `${p.metadata.name}@${p.spec.nodeName}:${p.status?.phase}${p.metadata.deletionTimestamp ? ':terminating' : ''}`);
      return { entries: cluster.log.size, now: cluster.clock.now(), placement, kinds };
    };
    const recorded = run(true);
    const unrecorded = run(false);
    assert.ok((recorded.kinds.get('watch') ?? 0) > 100 && (recorded.kinds.get('etcd-append') ?? 0) > 100, 'the recorded run logged deliveries and replication');
    assert.equal(unrecorded.entries, recorded.entries);
    assert.equal(unrecorded.now, recorded.now);
    assert.deepEqual(unrecorded.placement, recorded.placement);
    assert.ok(recorded.placement.filter((p) => p.endsWith(':Running')).length >= 6);
  });

  it('boots: an etcd leader, three ready API servers, the bootstrap namespaces, six registered nodes', () => {
    const cluster = bootCluster();
    assert.ok(cluster.etcd.leader());
    assert.ok(cluster.apiservers.every((a) => a.ready));
    for (const ns of ['default', 'kube-system', 'kube-node-lease', 'kube-public']) assert.ok(cluster.read.get('namespaces', undefined, ns), ns);
    const nodes = cluster.read.list<Node>('nodes');
    assert.deepEqual(nodes.map((n) => n.metadata.name), ['master-1', 'master-2', 'master-3', 'worker-1', 'worker-2', 'worker-3']);
    const master = nodes[0];
    assert.deepEqual(master.spec.taints?.map((t) => `${t.key}:${t.effect}`), ['node-role.kubernetes.io/control-plane:NoSchedule']);
    assert.equal(master.metadata.labels?.['node-role.kubernetes.io/control-plane'], '');
    assert.equal(nodes[4].metadata.labels?.['topology.kubernetes.io/zone'], 'us-east-2b');
    cluster.clock.advance(15_000);
    const lease = cluster.read.get<Lease>('leases', 'kube-node-lease', 'worker-1');
    assert.equal(lease?.spec.holderIdentity, 'worker-1');
  });

  it('runs a bound pod on its worker: Pending → Running, traced from the binding to the kubelet\'s status', () => {
    const cluster = bootCluster({ kubelet: KUBELET, controlPlane: [] });
    createPod(cluster, 'web');
    const bind = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'web', subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'worker-2' } } });
    assert.equal(bind.code, 201);
    assert.ok(cluster.settle(120_000));
    const p = cluster.read.get<Pod>('pods', 'default', 'web')!;
    assert.equal(p.status?.phase, 'Running');
    assert.ok(podAtRest(p));
    // The binding's trace reaches the kubelet through a watch and comes back as a status write.
    const trace = cluster.log.trace(bind.traceId);
    const kubeletWatch = trace.find((e) => e.kind === 'watch' && e.to === 'kubelet@worker-2');
    assert.ok(kubeletWatch, 'the kubelet learns of the binding by watching');
    const statusWrite = cluster.log.descendants(kubeletWatch.seq).find((e) => e.kind === 'request' && e.objectRef?.subresource === 'status');
    assert.ok(statusWrite, 'and reports through pods/status in the same trace');
    assert.equal(statusWrite.from, 'kubelet@worker-2');
    assert.equal(statusWrite.to, 'lb');
  });

  it('end to end: kubectl → lb → apiserver → etcd quorum → scheduler watch → binding → kubelet watch → runtime → status', () => {
    const cluster = bootCluster({ kubelet: KUBELET });
    const [applied] = cluster.applyAndWait([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'e2e' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } }]);
    assert.equal(applied.action, 'created');
    assert.ok(cluster.settle(120_000));
    const p = cluster.read.get<Pod>('pods', 'default', 'e2e')!;
    assert.equal(p.status?.phase, 'Running');
    assert.match(p.spec.nodeName!, /^worker-/, 'the control-plane taint keeps it off the masters');
    const trace = cluster.log.trace(applied.traceId);
    const first = (pred: (e: (typeof trace)[number]) => boolean, after = 0) => trace.find((e) => e.seq > after && pred(e));
    const post = first((e) => e.kind === 'request' && e.from === 'kubectl' && e.summary.startsWith('POST'))!;
    const forward = first((e) => e.kind === 'forward', post.seq)!;
    const commit = first((e) => e.kind === 'etcd-commit', forward.seq)!;
    const toScheduler = first((e) => e.kind === 'watch' && e.to === 'kube-scheduler@master-1', commit.seq)!;
    const binding = first((e) => e.kind === 'request' && e.objectRef?.subresource === 'binding', toScheduler.seq)!;
    const bindCommit = first((e) => e.kind === 'etcd-commit', binding.seq)!;
    const toKubelet = first((e) => e.kind === 'watch' && e.to === `kubelet@${p.spec.nodeName}`, bindCommit.seq)!;
    const cri = first((e) => e.kind === 'cri', toKubelet.seq)!;
    const status = first((e) => e.kind === 'request' && e.objectRef?.subresource === 'status', cri.seq)!;
    const statusCommit = first((e) => e.kind === 'etcd-commit', status.seq)!;
    for (const e of [post, forward, commit, toScheduler, binding, bindCommit, toKubelet, cri, status, statusCommit]) assert.ok(e);
    assert.equal(binding.from, 'kube-scheduler@master-1');
    assert.equal(binding.to, 'apiserver@master-1', 'the scheduler talks to its local API server');
    // Causality: every step descends from the kubectl request.
    const tree = new Set(cluster.log.descendants(post.seq).map((e) => e.seq));
    for (const e of [commit, toScheduler, binding, toKubelet, cri, status, statusCommit]) assert.ok(tree.has(e.seq), `${e.kind} ${e.summary}`);
  });

  it('serves pods/log from the kubelet of the pod\'s node, and refuses a container the pod does not have', () => {
    const cluster = bootCluster({ kubelet: KUBELET });
    cluster.applyAndWait([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'talker' }, spec: { containers: [{ name: 'echo', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello from the lab; sleep 3600'] }] } }]);
    assert.ok(cluster.settle(120_000));
    const logs = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'talker', subresource: 'log' });
    assert.equal(logs.code, 200, JSON.stringify(logs.body));
    assert.match(String(logs.body), /hello from the lab/);
    const wrong = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'talker', subresource: 'log', query: { container: 'nope' } });
    assert.equal(wrong.code, 400);
    assert.equal(message(wrong), 'container nope is not valid for pod talker');
  });

  it('applies like kubectl: created, then unchanged, then configured with removed fields dropped', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', labels: { a: '1', b: '2' } }, data: { k: 'v' } };
    const [first] = cluster.applyAndWait([cm]);
    assert.equal(first.action, 'created');
    assert.equal(first.ref, 'configmap/conf');
    const [second] = cluster.applyAndWait([cm]);
    assert.equal(second.action, 'unchanged');
    const [third] = cluster.applyAndWait([{ ...cm, metadata: { name: 'conf', labels: { a: '1' } }, data: { k: 'w' } }]);
    assert.equal(third.action, 'configured');
    const stored = cluster.read.get('configmaps', 'default', 'conf')!;
    assert.deepEqual(stored.metadata.labels, { a: '1' });
    assert.deepEqual(stored.data, { k: 'w' });
    const [unknown] = cluster.applyAndWait([{ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } }]);
    assert.equal(unknown.action, 'failed');
    assert.match(unknown.error!.message, /no matches for kind "Widget" in version "v1"/);
    const trace = cluster.log.trace(third.traceId).filter((e) => e.kind === 'request');
    assert.deepEqual(trace.map((e) => e.summary), ['GET /api/v1/namespaces/default/configmaps/conf', 'PATCH /api/v1/namespaces/default/configmaps/conf']);
  });

  it('reports committed changes to subscribers without writing log entries', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    const seen: StateChange[] = [];
    cluster.read.subscribe((c) => seen.push(c));
    const before = cluster.log.size;
    let logged = 0;
    const unsubscribe = cluster.log.subscribe(() => logged++);
    createPod(cluster, 'observed');
    unsubscribe();
    assert.equal(cluster.log.size - before, logged);
    const change = seen.find((c) => c.resource === 'pods');
    assert.equal(change?.type, 'ADDED');
    assert.equal(change?.object.metadata.name, 'observed');
  });

  it('stays available when an API server dies: the load balancer takes it out of rotation', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    cluster.apiservers[0].stop();
    cluster.clock.advance(12_000);
    assert.deepEqual(cluster.lb.healthy().map((a) => a.name), ['apiserver@master-2', 'apiserver@master-3']);
    assert.ok(cluster.log.all().some((e) => e.kind === 'decision' && e.summary === 'apiserver@master-1 taken out of rotation (2 health checks failed)'));
    for (let i = 0; i < 4; i++) assert.equal(createPod(cluster, `ha-${i}`).kind, 'Pod');
    cluster.apiservers[0].start();
    cluster.clock.advance(12_000);
    assert.equal(cluster.lb.healthy().length, 3);
  });

  it('an API server whose etcd member is down still serves through the other members', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    cluster.etcd.member('master-1')!.stop();
    cluster.clock.advance(5_000);
    const direct = cluster.env('master-1', 'probe', 'local').client;
    const res = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'via-other-member' } } }, direct);
    assert.equal(res.code, 201, message(res));
    const propose = cluster.log.trace(res.traceId).find((e) => e.kind === 'etcd-propose')!;
    assert.notEqual(propose.to, 'etcd@master-1');
  });

  it('without etcd quorum: writes and consistent reads fail with etcd\'s error, cached reads still answer, nothing acknowledged is lost', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    const acked = ['q1', 'q2', 'q3'].map((n) => createPod(cluster, n).metadata.name);
    cluster.etcd.members[1].stop();
    cluster.etcd.members[2].stop();
    cluster.clock.advance(3_000);
    const write = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lost' }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } });
    assert.equal(write.code, 500);
    assert.equal(message(write), 'etcdserver: request timed out');
    assert.ok(cluster.log.trace(write.traceId).some((e) => e.kind === 'etcd-error'));
    const consistent = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'q1' });
    assert.equal(consistent.code, 500);
    const cached = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'q1', query: { resourceVersion: '0' } });
    assert.equal(cached.code, 200);
    cluster.etcd.members[1].start();
    cluster.clock.advance(5_000);
    for (const name of acked) assert.equal(call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: name! }).code, 200, name);
    assert.equal(createPod(cluster, 'after').metadata.name, 'after');
  });

  it('gives the same log for the same seed, byte for byte', () => {
    const run = () => {
      const cluster = bootCluster({ seed: 9, kubelet: KUBELET });
      createPod(cluster, 'same');
      call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'same', subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'same' }, target: { kind: 'Node', name: 'worker-1' } } });
      cluster.settle(60_000);
      return JSON.stringify(cluster.log.all());
    };
    const a = run();
    assert.equal(a, run());
    assert.ok(a.length > 10_000);
  });
});
