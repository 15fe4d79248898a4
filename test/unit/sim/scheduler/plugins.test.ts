import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Node, Pod, Taint, Toleration } from '../../../../src/sim/api/types';
import { findUntoleratedTaint } from '../../../../src/sim/scheduler/plugins/tainttoleration/helpers';
import { untoleratedTaintReason } from '../../../../src/sim/scheduler/plugins/tainttoleration';
import { CycleState, type PluginFactory, type Status } from '../../../../src/sim/scheduler/framework';
import { podInfoOf, type NodeInfo } from '../../../../src/sim/scheduler/node-info';
import { Profile } from '../../../../src/sim/scheduler/profile';
import { CONTROL_PLANE_TAINT, Harness, makeNode, makePod } from './fixtures';

/** Run one plugin's PreFilter + Filter for a pod on each node; returns "ok" or the status. */
function filterWith(plugin: string, pod: Pod, nodes: Node[], bound: Pod[] = []): Record<string, string> {
  const h = new Harness({ schedulerName: 'default-scheduler', plugins: [{ name: plugin }] }).nodes(...nodes).bound(...bound);
  const state = new CycleState();
  const info = podInfoOf(pod);
  const pre = h.profile.runPreFilter(state, info, h.cache.nodeInfos());
  const out: Record<string, string> = {};
  for (const node of h.cache.nodeInfos()) {
    let s: Status = pre.status;
    if (s.code === 'Success') s = pre.nodeNames && !pre.nodeNames.has(node.name) ? { code: 'UnschedulableAndUnresolvable', reasons: ['(not a candidate)'] } : h.profile.runFilter(state, info, node);
    out[node.name] = s.code === 'Success' ? 'ok' : `${s.code}: ${s.reasons.join(' | ')}`;
  }
  return out;
}

/** Run one plugin's PreScore + Score + NormalizeScore over the nodes (weight 1). */
function scoreWith(plugin: string, pod: Pod, nodes: Node[], bound: Pod[] = [], h?: Harness): Record<string, number> {
  h ??= new Harness({ schedulerName: 'default-scheduler', plugins: [{ name: plugin, weight: 1 }] });
  h.nodes(...nodes).bound(...bound);
  const state = new CycleState();
  const info = podInfoOf(pod);
  const feasible = h.cache.nodeInfos();
  h.profile.runPreScore(state, info, feasible);
  const r = h.profile.runScore(state, info, feasible);
  assert.ok(!('code' in r));
  const scores = (r as { perPlugin: ReadonlyMap<string, readonly number[]> }).perPlugin.get(plugin) ?? feasible.map(() => -1);
  return Object.fromEntries(feasible.map((n, i) => [n.name, scores[i]]));
}

describe('sim/scheduler/plugins', () => {
  describe('NodeUnschedulable', () => {
    const cordoned = makeNode('n1', { unschedulable: true });
    const cases: [string, Pod, string][] = [
      ['rejects a cordoned node', makePod('p'), "UnschedulableAndUnresolvable: node(s) were unschedulable"],
      ['admits a pod tolerating node.kubernetes.io/unschedulable', makePod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), 'ok'],
      ['admits a pod tolerating everything', makePod('p', { tolerations: [{ operator: 'Exists' }] }), 'ok'],
    ];
    for (const [name, pod, expected] of cases) it(name, () => assert.equal(filterWith('NodeUnschedulable', pod, [cordoned]).n1, expected));
    it('ignores schedulable nodes', () => assert.equal(filterWith('NodeUnschedulable', makePod('p'), [makeNode('n2')]).n2, 'ok'));
  });

  describe('NodeName', () => {
    const cases: [string, Pod, Record<string, string>][] = [
      ['no nodeName fits anywhere', makePod('p'), { a: 'ok', b: 'ok' }],
      ['nodeName fits only that node', makePod('p', { nodeName: 'b' }), { a: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name", b: 'ok' }],
    ];
    for (const [name, pod, expected] of cases) it(name, () => assert.deepEqual(filterWith('NodeName', pod, [makeNode('a'), makeNode('b')]), expected));
    it('skips its Filter for a pod that names no node', () => {
      const h = new Harness({ schedulerName: 'default-scheduler', plugins: [{ name: 'NodeName' }] }).nodes(makeNode('a'));
      assert.equal(h.profile.runPreFilter(new CycleState(), podInfoOf(makePod('p')), h.cache.nodeInfos()).status.code, 'Success');
      const state = new CycleState();
      h.profile.runPreFilter(state, podInfoOf(makePod('p')), h.cache.nodeInfos());
      assert.ok(state.skipFilter.has('NodeName'));
      const named = new CycleState();
      h.profile.runPreFilter(named, podInfoOf(makePod('p', { nodeName: 'a' })), h.cache.nodeInfos());
      assert.ok(!named.skipFilter.has('NodeName'));
    });
  });

  describe('TaintToleration', () => {
    const nodes = [
      makeNode('master', { taints: [CONTROL_PLANE_TAINT] }),
      makeNode('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoExecute' }] }),
      makeNode('soft', { taints: [{ key: 'spot', value: 'yes', effect: 'PreferNoSchedule' }] }),
      makeNode('plain'),
    ];
    const cases: [string, Pod, Record<string, string>][] = [
      [
        'untolerated NoSchedule and NoExecute taints reject; PreferNoSchedule does not',
        makePod('p'),
        {
          master: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
          gpu: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {gpu: true}',
          soft: 'ok',
          plain: 'ok',
        },
      ],
      [
        'Equal toleration needs the same value',
        makePod('p', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'false' }] }),
        { master: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }', gpu: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {gpu: true}', soft: 'ok', plain: 'ok' },
      ],
      [
        'Exists with a key tolerates any value; effect must match when set',
        makePod('p', { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoExecute' }, { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoExecute' }] }),
        { master: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }', gpu: 'ok', soft: 'ok', plain: 'ok' },
      ],
      ['an empty-key Exists toleration tolerates all', makePod('p', { tolerations: [{ operator: 'Exists' }] }), { master: 'ok', gpu: 'ok', soft: 'ok', plain: 'ok' }],
    ];
    for (const [name, pod, expected] of cases) it(name, () => assert.deepEqual(filterWith('TaintToleration', pod, nodes), expected));

    it('answers as a check per node would, for frozen and unfrozen tolerations (property)', () => {
      const taint = fc.record({ key: fc.constantFrom('a', 'b'), value: fc.constantFrom(undefined, 'x', 'y'), effect: fc.constantFrom('NoSchedule', 'NoExecute', 'PreferNoSchedule') }, { requiredKeys: ['key', 'effect'] });
      const toleration = fc.record({ key: fc.constantFrom(undefined, 'a', 'b'), operator: fc.constantFrom(undefined, 'Equal', 'Exists'), value: fc.constantFrom(undefined, 'x', 'y'), effect: fc.constantFrom(undefined, 'NoSchedule', 'NoExecute') }, { requiredKeys: [] });
      const tolerations = fc.option(fc.array(toleration, { maxLength: 3 }), { nil: undefined });
      fc.assert(fc.property(fc.array(fc.array(taint, { maxLength: 3 }), { minLength: 1, maxLength: 8 }), fc.array(fc.tuple(tolerations, fc.boolean()), { minLength: 1, maxLength: 6 }), (taintLists, pods) => {
        // One plugin instance for every pod, as in a scheduler; frozen lists as the API serves them, or not.
        const h = new Harness({ schedulerName: 'default-scheduler', plugins: [{ name: 'TaintToleration' }] }).nodes(...taintLists.map((taints, i) => makeNode(`n${i}`, { taints })));
        for (const [list, frozen] of pods) {
          const pod = makePod('p', { tolerations: list && (frozen ? Object.freeze(list.map((t) => Object.freeze(t))) as Toleration[] : list) });
          for (const node of h.cache.nodeInfos()) {
            const s = h.profile.runFilter(new CycleState(), podInfoOf(pod), node);
            const expected = findUntoleratedTaint(node.doNotScheduleTaints, pod.spec.tolerations);
            assert.equal(s.code === 'Success' ? 'ok' : s.reasons.join(), expected ? untoleratedTaintReason(expected.key, expected.value) : 'ok');
          }
        }
      }), { numRuns: 300 });
    });

    it('scores nodes with fewer untolerated PreferNoSchedule taints higher (reverse-normalised)', () => {
      const soft = [
        makeNode('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] }),
        makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
        makeNode('none'),
      ];
      assert.deepEqual(scoreWith('TaintToleration', makePod('p'), soft), { two: 0, one: 50, none: 100 });
      const tolerant = makePod('p', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] });
      assert.deepEqual(scoreWith('TaintToleration', tolerant, soft), { two: 0, one: 100, none: 100 });
    });
  });

  describe('filters that read only the cordon and the taints (asked once per cycle per kind of node)', () => {
    const taint = fc.record({ key: fc.constantFrom('a', 'b'), value: fc.constantFrom(undefined, 'x'), effect: fc.constantFrom('NoSchedule', 'NoExecute', 'PreferNoSchedule') }, { requiredKeys: ['key', 'effect'] });
    const nodeSpec = fc.tuple(fc.array(taint, { maxLength: 2 }), fc.boolean(), fc.constantFrom('1', '2'));
    const toleration = fc.record({ key: fc.constantFrom(undefined, 'a', 'b', 'node.kubernetes.io/unschedulable'), operator: fc.constantFrom(undefined, 'Exists'), effect: fc.constantFrom(undefined, 'NoSchedule', 'NoExecute') }, { requiredKeys: [] });
    const podSpec = fc.tuple(fc.option(fc.array(toleration, { maxLength: 2 }), { nil: undefined }), fc.constantFrom('500m', '1500m'), fc.option(fc.constantFrom('n0', 'n1'), { nil: undefined }));
    const makeTestNode = (name: string, [taints, unschedulable, cpu]: [Taint[], boolean, string]) => makeNode(name, { taints, unschedulable, cpu });
    /** What runFilter answered before: every filter in order, on this node alone, the first failure tagged. */
    const uncached = (h: Harness, state: CycleState, pod: Pod, node: NodeInfo): Status => {
      for (const p of h.profile.plugins) {
        if (!p.filter || state.skipFilter.has(p.name)) continue;
        const s = p.filter(state, podInfoOf(pod), node);
        if (s.code !== 'Success') return { ...s, plugin: p.name };
      }
      return { code: 'Success', reasons: [] };
    };
    const same = (a: Status, b: Status) => assert.deepEqual({ code: a.code, reasons: [...a.reasons], plugin: a.code === 'Success' ? undefined : a.plugin }, { code: b.code, reasons: [...b.reasons], plugin: b.code === 'Success' ? undefined : b.plugin });

    it('give every node the verdict a check of that node would, in one cycle for many nodes and pods (property)', () => {
      fc.assert(fc.property(fc.array(nodeSpec, { minLength: 1, maxLength: 8 }), fc.array(podSpec, { minLength: 1, maxLength: 4 }), (nodes, pods) => {
        const h = new Harness().nodes(...nodes.map((n, i) => makeTestNode(`n${i}`, n)));
        for (const [tolerations, cpu, nodeName] of pods) {
          const pod = makePod('p', { tolerations, cpu, nodeName });
          const state = new CycleState();
          const pre = h.profile.runPreFilter(state, podInfoOf(pod), h.cache.nodeInfos());
          assert.equal(pre.status.code, 'Success');
          for (const node of [...h.cache.nodeInfos(), ...h.cache.nodeInfos()]) same(h.profile.runFilter(state, podInfoOf(pod), node), uncached(h, state, pod, node));
        }
      }), { numRuns: 300 });
    });

    it('follow a node whose cordon or taints change, within a cycle too (property)', () => {
      fc.assert(fc.property(fc.array(nodeSpec, { minLength: 2, maxLength: 6 }), podSpec, fc.array(fc.tuple(fc.nat(), nodeSpec), { maxLength: 6 }), (nodes, [tolerations, cpu], updates) => {
        const h = new Harness().nodes(...nodes.map((n, i) => makeTestNode(`n${i}`, n)));
        const pod = makePod('p', { tolerations, cpu });
        const state = new CycleState();
        h.profile.runPreFilter(state, podInfoOf(pod), h.cache.nodeInfos());
        for (const [which, spec] of updates) {
          for (const node of h.cache.nodeInfos()) same(h.profile.runFilter(state, podInfoOf(pod), node), uncached(h, state, pod, node));
          h.cache.updateNode(makeTestNode(`n${which % nodes.length}`, spec));
        }
        for (const node of h.cache.nodeInfos()) same(h.profile.runFilter(state, podInfoOf(pod), node), uncached(h, state, pod, node));
      }), { numRuns: 300 });
    });

    it('give nodes the same id exactly when their cordon and NoSchedule/NoExecute taints are the same', () => {
      const h = new Harness().nodes(
        makeNode('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }),
        makeNode('b', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }] }),
        makeNode('c', { taints: [{ key: 'k', value: 'w', effect: 'NoSchedule' }] }),
        makeNode('d', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], unschedulable: true }),
        makeNode('e'),
        makeNode('f', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
      );
      const id = (name: string) => h.cache.get(name)!.cordonAndTaintsId;
      assert.equal(id('a'), id('b'));
      assert.equal(id('e'), id('f'));
      assert.equal(new Set(['a', 'c', 'd', 'e'].map(id)).size, 4);
    });
  });

  describe('NodeAffinity', () => {
    const nodes = [makeNode('ssd-a', { labels: { disk: 'ssd', zone: 'a' } }), makeNode('hdd-b', { labels: { disk: 'hdd', zone: 'b' } })];
    const miss = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";
    const cases: [string, Pod, Record<string, string>][] = [
      ['no selector: every node', makePod('p'), { 'ssd-a': 'ok', 'hdd-b': 'ok' }],
      ['nodeSelector', makePod('p', { nodeSelector: { disk: 'ssd' } }), { 'ssd-a': 'ok', 'hdd-b': miss }],
      ['nodeSelector nobody has', makePod('p', { nodeSelector: { disk: 'nvme' } }), { 'ssd-a': miss, 'hdd-b': miss }],
      [
        'required affinity NotIn',
        makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }] } } } } }),
        { 'ssd-a': miss, 'hdd-b': 'ok' },
      ],
      [
        'nodeSelector AND affinity',
        makePod('p', {
          nodeSelector: { disk: 'ssd' },
          spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }] } } } },
        }),
        { 'ssd-a': miss, 'hdd-b': miss },
      ],
      [
        'matchFields metadata.name In narrows the candidates in PreFilter',
        makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hdd-b'] }] }] } } } } }),
        { 'ssd-a': 'UnschedulableAndUnresolvable: (not a candidate)', 'hdd-b': 'ok' },
      ],
    ];
    for (const [name, pod, expected] of cases) it(name, () => assert.deepEqual(filterWith('NodeAffinity', pod, nodes), expected));

    it('scores the sum of matching preferred weights, normalised to 100', () => {
      const pod = makePod('p', {
        spec: {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 80, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
                { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } },
              ],
            },
          },
        },
      });
      assert.deepEqual(scoreWith('NodeAffinity', pod, nodes), { 'ssd-a': 100, 'hdd-b': 25 });
    });
  });

  describe('NodeResourcesFit', () => {
    const node = makeNode('n', { cpu: '2', memory: '4Gi', pods: 2, extra: { 'example.com/gpu': '1' } });
    const existing = makePod('old', { nodeName: 'n', cpu: '1500m', memory: '1Gi' });
    const cases: [string, Pod, Pod[], string][] = [
      ['fits', makePod('p', { cpu: '500m', memory: '1Gi' }), [existing], 'ok'],
      ['Insufficient cpu', makePod('p', { cpu: '600m' }), [existing], 'Unschedulable: Insufficient cpu'],
      ['Insufficient cpu and memory together', makePod('p', { cpu: '1', memory: '4Gi' }), [existing], 'Unschedulable: Insufficient cpu | Insufficient memory'],
      ['Too many pods, even with no requests', makePod('p'), [existing, makePod('old2', { nodeName: 'n' })], 'Unschedulable: Too many pods'],
      ['extended resources', makePod('p', { spec: { containers: [{ name: 'c', resources: { limits: { 'example.com/gpu': '2' } } }] } }), [], 'Unschedulable: Insufficient example.com/gpu'],
      [
        'init containers count by their maximum, not their sum',
        makePod('p', { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }], initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }] } }),
        [],
        'ok',
      ],
      ['limits stand in for missing requests', makePod('p', { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '3' } } }] } }), [], 'Unschedulable: Insufficient cpu'],
    ];
    for (const [name, pod, bound, expected] of cases) it(name, () => assert.equal(filterWith('NodeResourcesFit', pod, [node], bound).n, expected));

    it('LeastAllocated: emptier nodes score higher, with non-zero defaults for request-less pods', () => {
      const nodes = [makeNode('busy', { cpu: '4', memory: '8Gi' }), makeNode('idle', { cpu: '4', memory: '8Gi' })];
      const bound = [makePod('x', { nodeName: 'busy', cpu: '2', memory: '4Gi' })];
      // idle: cpu (4000-100)*100/4000 = 97, memory (8Gi-200Mi)*100/8Gi = 97 → 97; busy: cpu 47, memory 47 → 47
      assert.deepEqual(scoreWith('NodeResourcesFit', makePod('p'), nodes, bound), { busy: 47, idle: 97 });
    });

    it('BalancedAllocation prefers even use of cpu and memory and skips best-effort pods', () => {
      const nodes = [makeNode('cpu-heavy', { cpu: '4', memory: '8Gi' }), makeNode('even', { cpu: '4', memory: '8Gi' })];
      const bound = [makePod('x', { nodeName: 'cpu-heavy', cpu: '3' }), makePod('y', { nodeName: 'even', cpu: '1', memory: '2Gi' })];
      // cpu-heavy: fractions 0.875/0.125 → std 0.375 → 62; even: 0.375/0.375 → 100
      assert.deepEqual(scoreWith('NodeResourcesBalancedAllocation', makePod('p', { cpu: '500m', memory: '1Gi' }), nodes, bound), { 'cpu-heavy': 62, even: 100 });
      assert.deepEqual(scoreWith('NodeResourcesBalancedAllocation', makePod('q'), nodes, bound), { 'cpu-heavy': -1, even: -1 });
    });

    it('BalancedAllocation gives 100 when a node lacks cpu or memory allocatable (one fraction: no spread)', () => {
      const nodes = [makeNode('no-memory', { cpu: '4', memory: '0' }), makeNode('no-cpu', { cpu: '0', memory: '8Gi' }), makeNode('both', { cpu: '4', memory: '8Gi' })];
      const bound = [makePod('x', { nodeName: 'no-memory', cpu: '3' }), makePod('y', { nodeName: 'no-cpu', memory: '6Gi' }), makePod('z', { nodeName: 'both', cpu: '3' })];
      // both: fractions 0.875/0.125 → 62
      assert.deepEqual(scoreWith('NodeResourcesBalancedAllocation', makePod('p', { cpu: '500m', memory: '1Gi' }), nodes, bound), { 'no-memory': 100, 'no-cpu': 100, both: 62 });
    });
  });

  describe('NodePorts', () => {
    const nodes = [makeNode('a'), makeNode('b')];
    const taken = makePod('web', { nodeName: 'a', hostPort: 8080 });
    const cases: [string, Pod, Record<string, string>][] = [
      ['no host ports: skipped', makePod('p'), { a: 'ok', b: 'ok' }],
      ['a used port conflicts', makePod('p', { hostPort: 8080 }), { a: "Unschedulable: node(s) didn't have free ports for the requested pod ports", b: 'ok' }],
      ['another port is free', makePod('p', { hostPort: 9090 }), { a: 'ok', b: 'ok' }],
      [
        'same port over UDP is free',
        makePod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 53, hostPort: 8080, protocol: 'UDP' }] }] } }),
        { a: 'ok', b: 'ok' },
      ],
      [
        'a specific host IP conflicts with 0.0.0.0',
        makePod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }] }] } }),
        { a: "Unschedulable: node(s) didn't have free ports for the requested pod ports", b: 'ok' },
      ],
    ];
    for (const [name, pod, expected] of cases) it(name, () => assert.deepEqual(filterWith('NodePorts', pod, nodes, [taken]), expected));
  });

  describe('InterPodAffinity', () => {
    const nodes = [makeNode('a1', { zone: 'a' }), makeNode('a2', { zone: 'a' }), makeNode('b1', { zone: 'b' })];
    const term = (app: string, key = 'topology.kubernetes.io/zone', extra: Record<string, unknown> = {}) => ({ labelSelector: { matchLabels: { app } }, topologyKey: key, ...extra });
    const withAffinity = (name: string, affinity: Record<string, unknown>, labels: Record<string, string> = {}, nodeName?: string) =>
      makePod(name, { labels, nodeName, spec: { affinity: affinity as Pod['spec']['affinity'] } });
    const cache = makePod('cache', { nodeName: 'a1', labels: { app: 'cache' } });
    const affinityMiss = "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules";
    const antiMiss = "Unschedulable: node(s) didn't match pod anti-affinity rules";
    const existingMiss = "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules";
    const cases: [string, Pod, Pod[], Record<string, string>][] = [
      ['no terms and no anti-affinity pods: skipped', makePod('p'), [cache], { a1: 'ok', a2: 'ok', b1: 'ok' }],
      [
        'required affinity: only the zone that runs a cache pod',
        withAffinity('web', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache')] } }),
        [cache],
        { a1: 'ok', a2: 'ok', b1: affinityMiss },
      ],
      [
        'required affinity to pods that do not exist anywhere: nowhere',
        withAffinity('web', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } }),
        [cache],
        { a1: affinityMiss, a2: affinityMiss, b1: affinityMiss },
      ],
      [
        'the first pod of a self-affine group may go anywhere',
        withAffinity('web-0', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } }, { app: 'web' }),
        [cache],
        { a1: 'ok', a2: 'ok', b1: 'ok' },
      ],
      [
        'required anti-affinity per hostname',
        withAffinity('web', { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', 'kubernetes.io/hostname')] } }),
        [cache],
        { a1: antiMiss, a2: 'ok', b1: 'ok' },
      ],
      [
        'an existing pod\'s anti-affinity keeps matching pods out of its zone (symmetry)',
        makePod('newcomer', { labels: { app: 'web' } }),
        [withAffinity('loner', { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } }, { app: 'loner' }, 'b1')],
        { a1: 'ok', a2: 'ok', b1: existingMiss },
      ],
      [
        'terms look in the pod\'s own namespace unless told otherwise',
        withAffinity('web', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache')] } }),
        [makePod('other-cache', { namespace: 'other', nodeName: 'b1', labels: { app: 'cache' } })],
        { a1: affinityMiss, a2: affinityMiss, b1: affinityMiss },
      ],
      [
        'an empty namespaceSelector looks everywhere',
        withAffinity('web', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', 'topology.kubernetes.io/zone', { namespaceSelector: {} })] } }),
        [makePod('other-cache', { namespace: 'other', nodeName: 'b1', labels: { app: 'cache' } })],
        { a1: affinityMiss, a2: affinityMiss, b1: 'ok' },
      ],
      [
        'several required terms: only pods that match all of them count (none here, though each term alone finds one)',
        withAffinity('web', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache'), { labelSelector: { matchLabels: { tier: 'hot' } }, topologyKey: 'topology.kubernetes.io/zone' }] } }),
        [cache, makePod('hot', { nodeName: 'a2', labels: { tier: 'hot' } })],
        { a1: affinityMiss, a2: affinityMiss, b1: affinityMiss },
      ],
      [
        'several required terms: a pod that matches all of them draws the pod to its zone',
        withAffinity('web', { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache'), { labelSelector: { matchLabels: { tier: 'hot' } }, topologyKey: 'kubernetes.io/hostname' }] } }),
        [makePod('hot-cache', { nodeName: 'a2', labels: { app: 'cache', tier: 'hot' } })],
        { a1: affinityMiss, a2: 'ok', b1: affinityMiss },
      ],
    ];
    for (const [name, pod, bound, expected] of cases) it(name, () => assert.deepEqual(filterWith('InterPodAffinity', pod, nodes, bound), expected));

    it('scores preferred affinity up and preferred anti-affinity down', () => {
      const prefer = withAffinity('web', { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache') }] } });
      assert.deepEqual(scoreWith('InterPodAffinity', prefer, nodes, [cache]), { a1: 100, a2: 100, b1: 0 });
      const avoid = withAffinity('web', { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache', 'kubernetes.io/hostname') }] } });
      assert.deepEqual(scoreWith('InterPodAffinity', avoid, nodes, [cache]), { a1: 0, a2: 100, b1: 100 });
    });
  });

  describe('PodTopologySpread', () => {
    const nodes = [
      makeNode('a1', { zone: 'a' }),
      makeNode('a2', { zone: 'a' }),
      makeNode('b1', { zone: 'b' }),
      makeNode('nolabel'),
    ];
    nodes[3].metadata.labels = { 'kubernetes.io/hostname': 'nolabel' };
    const spread = (maxSkew: number, key: string, when: 'DoNotSchedule' | 'ScheduleAnyway' = 'DoNotSchedule') =>
      makePod('p', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [{ maxSkew, topologyKey: key, whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } } }] } });
    const web = (name: string, node: string) => makePod(name, { nodeName: node, labels: { app: 'web' } });
    const notMatch = "Unschedulable: node(s) didn't match pod topology spread constraints";
    const missing = "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)";
    const cases: [string, Pod, Pod[], Record<string, string>][] = [
      ['balanced zones: all fit', spread(1, 'topology.kubernetes.io/zone'), [web('w1', 'a1'), web('w2', 'b1')], { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: missing }],
      ['zone a is ahead: only b fits', spread(1, 'topology.kubernetes.io/zone'), [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1')], { a1: notMatch, a2: notMatch, b1: 'ok', nolabel: missing }],
      ['maxSkew 2 tolerates it', spread(2, 'topology.kubernetes.io/zone'), [web('w1', 'a1'), web('w2', 'a2'), web('w3', 'b1')], { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: missing }],
      [
        'pods of other apps and terminating pods do not count',
        spread(1, 'topology.kubernetes.io/zone'),
        [web('w1', 'a1'), makePod('x', { nodeName: 'a2', labels: { app: 'db' } }), makePod('t', { nodeName: 'a2', labels: { app: 'web' }, deleting: true })],
        { a1: notMatch, a2: notMatch, b1: 'ok', nolabel: missing },
      ],
      ['hostname spreading', spread(1, 'kubernetes.io/hostname'), [web('w1', 'a1')], { a1: notMatch, a2: 'ok', b1: 'ok', nolabel: 'ok' }],
      ['ScheduleAnyway does not filter', spread(1, 'topology.kubernetes.io/zone', 'ScheduleAnyway'), [web('w1', 'a1'), web('w2', 'a2')], { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: 'ok' }],
    ];
    for (const [name, pod, bound, expected] of cases) it(name, () => assert.deepEqual(filterWith('PodTopologySpread', pod, nodes, bound), expected));

    it('ScheduleAnyway scores emptier domains higher', () => {
      const zoned = nodes.slice(0, 3);
      const scores = scoreWith('PodTopologySpread', spread(1, 'topology.kubernetes.io/zone', 'ScheduleAnyway'), zoned, [web('w1', 'a1'), web('w2', 'a2')]);
      // zone a has 2, zone b 0; weight ln(2+2): a → round(2·1.386) = 3, b → 0; normalised: a 100·(3+0−3)/3 = 0, b 100
      assert.deepEqual(scores, { a1: 0, a2: 0, b1: 100 });
    });

    it('applies the system default constraints to pods of a ReplicaSet', () => {
      const h = new Harness({ schedulerName: 'default-scheduler', plugins: [{ name: 'PodTopologySpread', weight: 1 }] });
      h.listers.rss.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } } });
      const rsPod = (name: string, node?: string) => makePod(name, { nodeName: node, labels: { app: 'web' }, ownerRS: 'web-abc' });
      const zoned = nodes.slice(0, 3);
      const scores = scoreWith('PodTopologySpread', rsPod('new'), zoned, [rsPod('w1', 'a1'), rsPod('w2', 'a1'), rsPod('w3', 'a2')], h);
      assert.ok(scores.b1 > scores.a2 && scores.a2 > scores.a1, JSON.stringify(scores));
      const bare = scoreWith('PodTopologySpread', makePod('bare', { labels: { app: 'web' } }), [], [], h);
      assert.deepEqual(bare, { a1: -1, a2: -1, b1: -1 }, 'a pod without owner or service gets no default constraints');
    });

    it('PreScore counts the zones present among the feasible nodes, whether or not they are all the cluster has', () => {
      const h = new Harness({ schedulerName: 'default-scheduler', plugins: [{ name: 'PodTopologySpread', weight: 1 }] });
      h.listers.rss.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } } });
      const rsPod = (name: string, node?: string) => makePod(name, { nodeName: node, labels: { app: 'web' }, ownerRS: 'web-abc' });
      h.nodes(makeNode('a1', { zone: 'a' }), makeNode('a2', { zone: 'a' }), makeNode('b1', { zone: 'b' }), makeNode('c1', { zone: 'c' }));
      h.bound(rsPod('w1', 'a1'), rsPod('w2', 'b1'), rsPod('w3', 'b1'));
      const preScore = (names: string[]) => {
        const state = new CycleState();
        h.profile.runPreScore(state, podInfoOf(rsPod('new')), names.map((n) => h.cache.get(n)!));
        const s = state.read<{ valueCounts: Map<string, number>[]; weights: number[] }>('PreScorePodTopologySpread')!;
        return { zones: Object.fromEntries(s.valueCounts[1]), weights: s.weights.map((w) => w.toFixed(4)) };
      };
      // Every zone of the cluster among them (the scan may stop at c1), then only two of the three.
      assert.deepEqual(preScore(['a1', 'b1', 'c1', 'a2']), { zones: { a: 1, b: 2, c: 0 }, weights: [Math.log(6).toFixed(4), Math.log(5).toFixed(4)] });
      assert.deepEqual(preScore(['a1', 'a2', 'b1']), { zones: { a: 1, b: 2 }, weights: [Math.log(5).toFixed(4), Math.log(4).toFixed(4)] });
    });
  });
});

describe('sim/scheduler/profile runScore', () => {
  /** A profile of two scorers: "raw" (no NormalizeScore) and "normalized" (halves its scores), with the given raw scores. */
  function scoring(raw: number[], normalized: number[]) {
    const h = new Harness().nodes(makeNode('a'), makeNode('b'));
    const nodes = h.cache.nodeInfos();
    const at = (node: NodeInfo) => nodes.indexOf(node);
    const registry = new Map<string, PluginFactory>([
      ['raw', () => ({ name: 'raw', score: (_s, _p, node) => raw[at(node)] })],
      ['normalized', () => ({ name: 'normalized', score: (_s, _p, node) => normalized[at(node)], normalizeScore: (_s, _p, scores) => scores.forEach((s) => (s.score /= 2)) })],
    ]);
    const profile = new Profile({ schedulerName: 's', plugins: [{ name: 'raw', weight: 2 }, { name: 'normalized', weight: 3 }] }, registry, h.handle);
    return profile.runScore(new CycleState(), podInfoOf(makePod('p')), nodes);
  }

  it('weights final scores, with and without NormalizeScore', () => {
    const r = scoring([10, 100], [200, 0]) as { perPlugin: ReadonlyMap<string, readonly number[]>; totals: number[] };
    assert.deepEqual([...r.perPlugin], [['raw', [20, 200]], ['normalized', [300, 0]]]);
    assert.deepEqual(r.totals, [320, 200]);
  });

  it('fails the cycle on a score out of [0, 100], raw or normalized', () => {
    const invalid = (plugin: string, score: number) => ({ code: 'Error', reasons: [`plugin "${plugin}" returns an invalid score ${score}, it should in the range of [0, 100] after normalizing`] });
    assert.deepEqual(scoring([10, 101], [0, 0]), invalid('raw', 101));
    assert.deepEqual(scoring([10, Number.NaN], [0, 0]), invalid('raw', Number.NaN));
    assert.deepEqual(scoring([10, 10], [202, 0]), invalid('normalized', 101));
  });
});
