/**
 * What the scheduler precomputes or shares to keep a cycle cheap must never show: per-node facts
 * follow the node's updates, shared statuses read as fresh ones, and a FitError built from shared
 * statuses reads as upstream's.
 */
import { strict as assert } from 'node:assert';
import { reasonHistogram } from '../../../../src/sim/scheduler/fit-error';
import { StatusCache, sharedStatus, unresolvable, unschedulable, withPlugin } from '../../../../src/sim/scheduler/framework';
import { NO_TAINTS, NodeInfo, NodeTable, newPodInfo, podInfoOf, podRequests } from '../../../../src/sim/scheduler/node-info';
import { NodeStatuses } from '../../../../src/sim/scheduler/schedule-one';
import { nodeChanges, sameLabels } from '../../../../src/sim/scheduler/scheduler';
import { selectorFromSet } from '../../../../src/sim/api/labels';
import type { ReplicaSet, Service } from '../../../../src/sim/api/types';
import type { Listers } from '../../../../src/sim/scheduler/framework';
import { defaultSelector } from '../../../../src/sim/scheduler/plugins/podtopologyspread/constraints';
import { CONTROL_PLANE_TAINT, Harness, makeNode, makePod } from './fixtures';

describe('sim/scheduler hot path', () => {
  it('NodeInfo keeps the NoSchedule/NoExecute and PreferNoSchedule taints and the cordon up to date', () => {
    const prefer = { key: 'soft', value: 'x', effect: 'PreferNoSchedule' as const };
    const execute = { key: 'gone', effect: 'NoExecute' as const };
    const info = new NodeInfo(makeNode('n', { taints: [prefer, CONTROL_PLANE_TAINT, execute] }));
    assert.deepEqual(info.doNotScheduleTaints, [CONTROL_PLANE_TAINT, execute], "in the node's order");
    assert.deepEqual(info.preferNoScheduleTaints, [prefer]);
    assert.equal(info.unschedulable, false);
    info.setNode(makeNode('n', { taints: [CONTROL_PLANE_TAINT], unschedulable: true }));
    assert.deepEqual(info.doNotScheduleTaints, [CONTROL_PLANE_TAINT]);
    assert.deepEqual(info.preferNoScheduleTaints, []);
    assert.equal(info.unschedulable, true);
    info.setNode(makeNode('n'));
    assert.deepEqual([info.doNotScheduleTaints.length, info.preferNoScheduleTaints.length, info.unschedulable], [0, 0, false]);
  });

  it('PodInfo reads each container once for both its requests and its non-zero requests, as podRequests does', () => {
    const pods = [
      makePod('none'),
      makePod('cpu-only', { cpu: '250m' }),
      makePod('both', { cpu: '1', memory: '1Gi' }),
      makePod('limits', { spec: { containers: [{ name: 'a', resources: { limits: { cpu: '2', memory: '64Mi' } } }, { name: 'b', resources: { requests: { memory: '32Mi' } } }] } }),
      makePod('init', {
        spec: {
          containers: [{ name: 'a', resources: { requests: { cpu: '100m', 'example.com/gpu': '1' } } }],
          initContainers: [{ name: 'i', resources: { requests: { cpu: '3', 'example.com/gpu': '2', 'ephemeral-storage': '1Gi' } } }, { name: 'j' }],
        },
      }),
    ];
    for (const pod of pods) {
      const info = podInfoOf(pod);
      assert.deepEqual(info.requests, podRequests(pod), pod.metadata.name);
      assert.deepEqual(info.nonZeroRequests, podRequests(pod, true), pod.metadata.name);
    }
    assert.deepEqual(podInfoOf(pods[0]).nonZeroRequests, { milliCPU: 100, memory: 200 * 1024 * 1024, ephemeralStorage: 0 });
  });

  it('an unmemoized PodInfo (queue entries, a new leader\'s cache) reads as podInfoOf\'s; pods without host ports share one frozen empty list', () => {
    const ports = makePod('ports', { hostPort: 8080 });
    const plain = makePod('plain', { cpu: '100m' });
    for (const pod of [ports, plain]) assert.deepEqual(newPodInfo(pod), podInfoOf(pod), pod.metadata.name);
    assert.notEqual(newPodInfo(plain), newPodInfo(plain), 'not memoized');
    assert.equal(newPodInfo(plain).hostPorts, newPodInfo(makePod('other')).hostPorts);
    assert.ok(Object.isFrozen(newPodInfo(plain).hostPorts));
    assert.deepEqual(newPodInfo(ports).hostPorts, [{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }]);
  });

  it('NodeInfo parses allocatable again only when it changed', () => {
    const info = new NodeInfo(makeNode('n', { cpu: '4', pods: 10 }));
    const before = info.allocatable;
    info.setNode(makeNode('n', { cpu: '4', pods: 10 }));
    assert.equal(info.allocatable, before, 'equal quantities in a new object: kept');
    info.setNode(makeNode('n', { cpu: '2', pods: 5 }));
    assert.deepEqual([info.allocatable.milliCPU, info.allowedPodNumber], [2000, 5]);
    info.setNode(makeNode('n', { cpu: '2', pods: 5, extra: { 'example.com/gpu': '1' } }));
    assert.deepEqual(info.allocatable.scalar, { 'example.com/gpu': 1 });
  });

  it('a shared status reads as a fresh one, and is tagged once per plugin', () => {
    const shared = sharedStatus('Unschedulable', 'Insufficient cpu');
    assert.equal(JSON.stringify(shared), JSON.stringify(unschedulable('Insufficient cpu')));
    const tagged = withPlugin(shared, 'NodeResourcesFit');
    assert.equal(JSON.stringify(tagged), JSON.stringify(withPlugin(unschedulable('Insufficient cpu'), 'NodeResourcesFit')));
    assert.equal(withPlugin(shared, 'NodeResourcesFit'), tagged);
    assert.notEqual(withPlugin(shared, 'Other'), tagged);
    assert.equal(shared.plugin, undefined, 'the shared status itself is untouched');
    assert.ok(Object.isFrozen(tagged) && Object.isFrozen(shared.reasons));
    const cache = new StatusCache('UnschedulableAndUnresolvable', (k, v) => `taint {${k}: ${v}}`);
    assert.equal(cache.get('a', ''), cache.get('a', ''));
    assert.deepEqual(cache.get('a', 'b'), unresolvable('taint {a: b}'));
  });

  it('counts shared and fresh statuses alike in the FitError histogram', () => {
    const cpu = sharedStatus('Unschedulable', 'Insufficient cpu');
    const both = sharedStatus('Unschedulable', 'Insufficient cpu', 'Insufficient memory');
    const statuses = [cpu, both, ...Array.from({ length: 9 }, () => cpu), unschedulable('Insufficient memory'), unresolvable('Insufficient cpu')];
    assert.deepEqual(reasonHistogram(statuses), ['12 Insufficient cpu', '2 Insufficient memory']);
  });

  it('reports each node\'s own untolerated taint and resource shortfall through the shared statuses', () => {
    const h = new Harness().nodes(
      makeNode('a', { taints: [{ key: 'k', value: 'v1', effect: 'NoSchedule' }] }),
      makeNode('b', { taints: [{ key: 'k', value: 'v2', effect: 'NoExecute' }] }),
      makeNode('c', { taints: [{ key: 'k', value: 'v1', effect: 'NoSchedule' }] }),
      makeNode('d', { cpu: '1', unschedulable: true }),
      makeNode('e', { cpu: '1' }),
      makeNode('f', { cpu: '1', pods: 0 }),
    );
    const r = h.schedule(makePod('p', { cpu: '2' }));
    assert.match(
      r.fitError!,
      /^0\/6 nodes are available: 1 Too many pods, 1 node\(s\) had untolerated taint \{k: v2\}, 1 node\(s\) were unschedulable, 2 Insufficient cpu, 2 node\(s\) had untolerated taint \{k: v1\}\. /,
    );
    assert.deepEqual(r.failed.get('f'), { code: 'Unschedulable', reasons: ['Too many pods', 'Insufficient cpu'], plugin: 'NodeResourcesFit' });
    assert.deepEqual(r.failed.get('d'), { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'], plugin: 'NodeUnschedulable' });
  });

  it('NodeInfo keeps what is free (pods, cpu, memory, storage) with every pod and node change', () => {
    const info = new NodeInfo(makeNode('n', { cpu: '1', memory: '1Gi', pods: 3 }));
    const free = () => [info.freePods, info.freeMilliCPU, info.freeMemory];
    assert.deepEqual(free(), [3, 1000, 1024 ** 3]);
    info.addPod(podInfoOf(makePod('a', { cpu: '250m', memory: '256Mi' })));
    info.addPod(podInfoOf(makePod('a', { cpu: '250m', memory: '256Mi' })));
    assert.deepEqual(free(), [2, 750, 768 * 1024 ** 2], 'the same pod again replaces it');
    info.setNode(makeNode('n', { cpu: '2', memory: '1Gi', pods: 1 }));
    assert.deepEqual(free(), [0, 1750, 768 * 1024 ** 2]);
    info.removePod('default/a');
    assert.deepEqual(free(), [1, 2000, 1024 ** 3]);
    info.addPod(podInfoOf(makePod('b', { memory: '1Mi' })));
    const flat = [info.allocatableMilliCPU, info.allocatableMemory, info.requestedMilliCPU, info.requestedMemory, info.nonZeroRequestedMilliCPU, info.nonZeroRequestedMemory];
    const nested = [info.allocatable.milliCPU, info.allocatable.memory, info.requested.milliCPU, info.requested.memory, info.nonZeroRequested.milliCPU, info.nonZeroRequested.memory];
    assert.deepEqual(flat, nested);
    assert.deepEqual(flat, [2000, 1024 ** 3, 0, 1024 ** 2, 100, 1024 ** 2], 'non-zero requests count the default cpu only');
  });

  it("NodeInfos sharing a NodeTable keep their own rows, also once the table has grown", () => {
    const table = new NodeTable(2);
    const infos = Array.from({ length: 5 }, (_, i) => new NodeInfo(makeNode(`n${i}`, { cpu: String(i + 1), memory: `${i + 1}Gi` }), table));
    infos[1].addPod(podInfoOf(makePod('a', { cpu: '500m', memory: '1Gi' })));
    infos[4].addPod(podInfoOf(makePod('b', { cpu: '1' })));
    const rows = infos.map((n) => [n.freePods, n.freeMilliCPU, n.freeMemory, n.requestedMilliCPU, n.nonZeroRequestedMemory]);
    assert.deepEqual(rows, [
      [110, 1000, 1024 ** 3, 0, 0],
      [109, 1500, 1024 ** 3, 500, 1024 ** 3],
      [110, 3000, 3 * 1024 ** 3, 0, 0],
      [110, 4000, 4 * 1024 ** 3, 0, 0],
      [109, 4000, 5 * 1024 ** 3, 1000, 200 * 1024 ** 2],
    ]);
  });

  it('NodeInfo.label reads the hostname and zone from fields that follow node updates, other keys from the labels', () => {
    const info = new NodeInfo(makeNode('n', { zone: 'z1', labels: { rack: 'r1' } }));
    assert.deepEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'rack', 'none'].map((k) => info.label(k)), ['n', 'z1', 'r1', undefined]);
    info.setNode(makeNode('n', { labels: { rack: 'r2' } }));
    assert.deepEqual(['topology.kubernetes.io/zone', 'rack'].map((k) => info.label(k)), [undefined, 'r2']);
  });

  it('an empty taint list is NO_TAINTS, whatever the node object says', () => {
    const info = new NodeInfo(makeNode('n', { taints: [] }));
    assert.equal(info.doNotScheduleTaints, NO_TAINTS);
    info.setNode(makeNode('n', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }));
    assert.deepEqual([info.doNotScheduleTaints, info.preferNoScheduleTaints.length], [NO_TAINTS, 1]);
  });

  it('a node that leaves the cache and comes back counts only the pods placed on it again', () => {
    const h = new Harness().nodes(makeNode('n1'), makeNode('n2'));
    const app = selectorFromSet({ app: 'web' });
    h.bound(makePod('a', { nodeName: 'n1', labels: { app: 'web' } }), makePod('b', { nodeName: 'n2', labels: { app: 'web' } }));
    const counter = h.cache.podCounter('default', app);
    assert.deepEqual([counter.count(h.cache.get('n1')!), counter.count(h.cache.get('n2')!)], [1, 1]);
    h.cache.removeNode('n1');
    h.cache.removePod(makePod('a', { nodeName: 'n1' }));
    h.cache.addNode(makeNode('n1'));
    assert.deepEqual([counter.count(h.cache.get('n1')!), counter.count(h.cache.get('n2')!)], [0, 1]);
    assert.deepEqual([...counter.domainCounts('kubernetes.io/hostname')], [['n2', 1], ['n1', 0]]);
    assert.equal(counter.count(new NodeInfo(makeNode('n2'))), 0, 'a NodeInfo outside the cache (a preemption trial) has no pods counted');
  });

  it('the default spreading selector of a ReplicaSet\'s pods is shared per ReplicaSet selector object, and reads as a fresh one', () => {
    const rs = (selector: ReplicaSet['spec']['selector']): ReplicaSet => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default' }, spec: { replicas: 1, selector, template: { spec: { containers: [] } } } });
    let current = rs({ matchLabels: { app: 'web', hash: '1' } });
    let services: Service[] = [];
    const listers: Listers = { services: () => services, replicaSet: (_ns, name) => (name === current.metadata.name ? current : undefined), namespace: () => undefined, namespaces: () => [] };
    const pod = makePod('p', { labels: { app: 'web', hash: '1', tier: 'front' }, ownerRS: 'web-1' });
    const first = defaultSelector(pod, listers);
    assert.equal(first.toString(), 'app=web,hash=1');
    assert.equal(defaultSelector(makePod('q', { labels: { app: 'web', hash: '1' }, ownerRS: 'web-1' }), listers), first, 'shared for the same ReplicaSet object');
    current = { ...current, status: { replicas: 1 } };
    assert.equal(defaultSelector(pod, listers), first, 'shared by a new version of the ReplicaSet with the same selector object');
    current = rs({ matchLabels: { app: 'web', hash: '2' } });
    assert.equal(defaultSelector(pod, listers).toString(), 'app=web,hash=2', 'a new ReplicaSet object gets its own');
    services = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'front', namespace: 'default' }, spec: { selector: { tier: 'front' } } }];
    assert.equal(defaultSelector(pod, listers).toString(), 'app=web,hash=2,tier=front', 'a Service that selects the pod adds its selector');
    current = rs({ matchLabels: { 'bad key!': 'x' } });
    services = [];
    assert.ok(defaultSelector(pod, listers).empty(), 'an invalid ReplicaSet selector adds nothing');
  });

  it('NodeStatuses reads as a Map of the failed nodes, in evaluation order', () => {
    const s = new NodeStatuses();
    const cpu = sharedStatus('Unschedulable', 'Insufficient cpu');
    s.add('b', cpu);
    s.add('a', unresolvable('x'));
    const m = new Map(s);
    assert.deepEqual([...m.keys()], ['b', 'a']);
    assert.deepEqual([s.size, [...s.keys()], s.get('b'), s.get('zz'), s.has('a')], [2, ['b', 'a'], cpu, undefined, true]);
    s.add('c', cpu);
    assert.equal(s.get('c'), cpu, 'the index follows additions');
    const seen: string[] = [];
    s.forEach((status, name) => seen.push(`${name}:${status.reasons[0]}`));
    assert.deepEqual(seen, ['b:Insufficient cpu', 'a:x', 'c:Insufficient cpu']);
    assert.deepEqual([...s.values()].length, 3);
    // Reset for another cycle: nothing of the old entries shows, fewer new ones included.
    s.reset();
    assert.deepEqual([s.size, [...s], s.get('b'), s.has('c')], [0, [], undefined, false]);
    s.add('d', cpu);
    assert.deepEqual([s.size, [...s.keys()], [...s.values()], s.get('d'), s.get('a')], [1, ['d'], [cpu], cpu, undefined]);
    const again: string[] = [];
    s.forEach((_, name) => again.push(name));
    assert.deepEqual(again, ['d']);
  });

  it('sameLabels answers as comparing the labels\' JSON did, key order included', () => {
    const pod = (labels?: Record<string, string>) => makePod('p', { labels });
    const cases: [Record<string, string> | undefined, Record<string, string> | undefined][] = [
      [undefined, undefined],
      [undefined, {}],
      [{ a: '1', b: '2' }, { a: '1', b: '2' }],
      [{ a: '1', b: '2' }, { b: '2', a: '1' }],
      [{ a: '1' }, { a: '2' }],
      [{ a: '1' }, { a: '1', b: '2' }],
      [{ a: '1' }, { b: '1' }],
    ];
    for (const [a, b] of cases) assert.equal(sameLabels(pod(a), pod(b)), JSON.stringify(a ?? {}) === JSON.stringify(b ?? {}), JSON.stringify([a, b]));
  });

  it('nodeChanges sees taint, cordon and allocatable changes as before, and none in an equal copy', () => {
    const n = makeNode('n', { taints: [CONTROL_PLANE_TAINT] });
    assert.deepEqual(nodeChanges(n, structuredClone(n)), []);
    assert.deepEqual(nodeChanges(makeNode('n'), makeNode('n', { taints: [] })), []);
    assert.deepEqual(nodeChanges(n, makeNode('n')), ['UpdateNodeTaint']);
    assert.deepEqual(nodeChanges(makeNode('n'), makeNode('n', { unschedulable: true })), ['UpdateNodeTaint']);
    assert.deepEqual(nodeChanges(makeNode('n'), makeNode('n', { cpu: '8', labels: { x: 'y' } })), ['UpdateNodeLabel', 'UpdateNodeAllocatable']);
    // Compared as their JSON text was: the same taint written with its keys in another order is a change.
    const reordered = makeNode('n', { taints: [{ effect: 'NoSchedule', key: CONTROL_PLANE_TAINT.key }] });
    assert.deepEqual(nodeChanges(n, reordered), JSON.stringify(n.spec?.taints) === JSON.stringify(reordered.spec?.taints) ? [] : ['UpdateNodeTaint']);
    const undefinedValue = makeNode('n', { taints: [{ ...CONTROL_PLANE_TAINT, value: undefined }] });
    assert.deepEqual(nodeChanges(n, undefinedValue), JSON.stringify(n.spec?.taints) === JSON.stringify(undefinedValue.spec?.taints) ? [] : ['UpdateNodeTaint']);
  });

  it('a bound pod\'s new version is counted by its labels and deletion, whether or not they changed', () => {
    const h = new Harness().nodes(makeNode('n1'));
    const web = h.cache.podCounter('default', selectorFromSet({ app: 'web' }));
    const n1 = h.cache.get('n1')!;
    h.bound(makePod('a', { nodeName: 'n1', labels: { app: 'web' } }));
    h.bound({ ...makePod('a', { nodeName: 'n1', labels: { app: 'web' } }), status: { phase: 'Running' } });
    assert.equal(web.count(n1), 1, 'a status update');
    h.bound(makePod('a', { nodeName: 'n1', labels: { app: 'db' } }));
    assert.equal(web.count(n1), 0, 'relabelled');
    h.bound(makePod('a', { nodeName: 'n1', labels: { app: 'web' } }));
    h.bound(makePod('a', { nodeName: 'n1', labels: { app: 'web' }, deleting: true }));
    assert.equal(web.count(n1), 0, 'terminating pods do not count for spreading');
    assert.deepEqual([...web.domainCounts('kubernetes.io/hostname')], [['n1', 0]]);
  });

  it('a result says which feasible node was selected, by index', () => {
    const h = new Harness().nodes(...['a', 'b', 'c', 'd'].map((n) => makeNode(n)));
    for (let i = 0; i < 8; i++) {
      const r = h.schedule(makePod(`p${i}`, { cpu: '100m' }));
      assert.equal(r.feasible[r.selected!].name, r.nodeName);
      h.cache.assumePod(makePod(`p${i}`, { cpu: '100m' }), r.nodeName!);
    }
    const single = new Harness().nodes(makeNode('only')).schedule(makePod('p'));
    assert.deepEqual([single.nodeName, single.selected], ['only', 0]);
    const none = new Harness().nodes(makeNode('small', { cpu: '1' })).schedule(makePod('p', { cpu: '2' }));
    assert.equal(none.selected, undefined);
  });
});
