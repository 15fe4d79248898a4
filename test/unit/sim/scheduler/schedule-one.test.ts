import { strict as assert } from 'node:assert';
import { Rng } from '../../../../src/sim/clock';
import { fitErrorMessage, reasonHistogram } from '../../../../src/sim/scheduler/fit-error';
import { unresolvable, unschedulable } from '../../../../src/sim/scheduler/framework';
import { CycleBuffers, numFeasibleNodesToFind, selectHost } from '../../../../src/sim/scheduler/schedule-one';
import { CONTROL_PLANE_TAINT, Harness, labNodes, makeNode, makePod } from './fixtures';

describe('sim/scheduler/scheduleOne', () => {
  it('places an ordinary pod on a worker, never on a tainted master', () => {
    const h = new Harness().nodes(...labNodes());
    for (let i = 0; i < 20; i++) assert.match(h.place(makePod(`p${i}`, { cpu: '100m' }))!, /^worker-/);
  });

  it('reports upstream\'s FitError message when nothing fits', () => {
    const h = new Harness().nodes(...labNodes());
    const r = h.schedule(makePod('big', { cpu: '5' }));
    assert.equal(r.nodeName, undefined);
    assert.equal(
      r.fitError,
      '0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. ' +
        'preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.',
    );
    assert.equal(r.failed.size, 6);
    assert.deepEqual([...r.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
  });

  it('sorts the reason entries as plain strings ("10 ..." before "2 ...")', () => {
    const nodes = [
      ...Array.from({ length: 10 }, (_, i) => makeNode(`small-${i}`, { cpu: '1' })),
      ...Array.from({ length: 2 }, (_, i) => makeNode(`cordoned-${i}`, { unschedulable: true })),
    ];
    const r = new Harness().nodes(...nodes).schedule(makePod('p', { cpu: '2' }));
    assert.match(r.fitError!, /^0\/12 nodes are available: 10 Insufficient cpu, 2 node\(s\) were unschedulable\. /);
    assert.deepEqual(reasonHistogram([unschedulable('b'), unschedulable('b'), unresolvable('a'), ...Array.from({ length: 10 }, () => unschedulable('z'))]), ['1 a', '10 z', '2 b']);
  });

  it('formats PreFilter rejections and preemptionPolicy Never as upstream', () => {
    assert.equal(fitErrorMessage({ numAllNodes: 3, statuses: [], preFilterMsg: 'pod affinity terms conflict' }), '0/3 nodes are available: pod affinity terms conflict.');
    const h = new Harness().nodes(...labNodes());
    const r = h.schedule(makePod('p', { cpu: '5', spec: { preemptionPolicy: 'Never' } }));
    assert.match(r.fitError!, /\. preemption: not eligible due to preemptionPolicy=Never\.$/);
  });

  it('says when evicting lower-priority pods would make room (preemption dry run)', () => {
    const h = new Harness().nodes(makeNode('n1', { cpu: '1' })).bound(makePod('low', { nodeName: 'n1', cpu: '800m', priority: 0 }));
    const high = h.schedule(makePod('high', { cpu: '500m', priority: 1000 }));
    assert.equal(high.fitError, '0/1 nodes are available: 1 Insufficient cpu.', 'a candidate exists: upstream would preempt, so no preemption text');
    const same = h.schedule(makePod('same', { cpu: '500m', priority: 0 }));
    assert.equal(same.fitError, '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  });

  it('records per-node statuses and per-plugin weighted scores for the flow view', () => {
    const h = new Harness().nodes(...labNodes());
    const r = h.schedule(makePod('web', { cpu: '100m' }));
    assert.equal(r.feasible.length, 3);
    assert.equal(r.failed.get('master-1')?.plugin, 'TaintToleration');
    assert.deepEqual([...r.scores.keys()].sort(), ['NodeResourcesBalancedAllocation', 'NodeResourcesFit', 'TaintToleration']);
    assert.equal(r.scores.get('TaintToleration')![0], 300, 'weight 3 × 100');
    const sum = r.feasible.map((_, i) => [...r.scores.values()].reduce((s, v) => s + v[i], 0));
    assert.deepEqual(sum, r.totals);
  });

  it('without keepScores keeps only the totals: same choices, same totals, no per-plugin scores', () => {
    const run = (keepScores: boolean) => {
      const h = new Harness(undefined, 3).nodes(...labNodes(), ...Array.from({ length: 6 }, (_, i) => makeNode(`n${i}`, { zone: 'us-east-2b' })));
      return Array.from({ length: 12 }, (_, i) => {
        const pod = makePod(`p${i}`, { cpu: `${100 * (i % 4)}m`, ownerRS: 'web' });
        const r = h.schedule(pod, keepScores);
        if (r.nodeName) h.cache.addPod({ ...pod, spec: { ...pod.spec, nodeName: r.nodeName } });
        return r;
      });
    };
    const kept = run(true);
    const lean = run(false);
    for (let i = 0; i < kept.length; i++) {
      assert.equal(lean[i].nodeName, kept[i].nodeName);
      assert.deepEqual(lean[i].totals, kept[i].totals);
      assert.deepEqual(lean[i].feasible.map((n) => n.name), kept[i].feasible.map((n) => n.name));
      assert.equal(lean[i].scores.size, 0);
    }
    assert.ok(kept.some((r) => r.scores.size > 0));
  });

  it('with CycleBuffers decides as with fresh arrays, the result\'s feasible, totals and failed being the buffers', () => {
    // Cycles whose feasible lists grow and shrink (cpu fills nodes up), so the buffers are cut and grown.
    const run = (buffers?: CycleBuffers) => {
      const h = new Harness(undefined, 5).nodes(...labNodes(), ...Array.from({ length: 9 }, (_, i) => makeNode(`n${i}`, { zone: 'us-east-2c', cpu: '1' })));
      return Array.from({ length: 30 }, (_, i) => {
        const pod = makePod(`p${i}`, { cpu: i % 5 === 0 ? '3' : '150m' });
        const r = h.schedule(pod, i % 2 === 0, buffers);
        if (r.nodeName) h.cache.addPod({ ...pod, spec: { ...pod.spec, nodeName: r.nodeName } });
        // Read now: with buffers the next cycle overwrites them.
        const row = { node: r.nodeName, feasible: r.feasible.map((n) => n.name), totals: [...r.totals], scores: [...r.scores], failed: [...r.failed], fitError: r.fitError };
        if (buffers && r.feasible.length > 1) {
          assert.equal(r.feasible, buffers.feasible);
          assert.equal(r.totals, buffers.totals);
        }
        if (buffers) assert.equal(r.failed, buffers.failed);
        return row;
      });
    };
    const fresh = run();
    assert.deepEqual(run(new CycleBuffers()), fresh);
    assert.ok(fresh.some((r) => r.fitError) && new Set(fresh.map((r) => r.feasible.length)).size > 2);
  });

  it('breaks ties deterministically for a seed, and spreads over tied nodes', () => {
    const picks = (seed: number) => {
      const h = new Harness(undefined, seed).nodes(...Array.from({ length: 5 }, (_, i) => makeNode(`n${i}`)));
      return Array.from({ length: 10 }, (_, i) => h.schedule(makePod(`p${i}`)).nodeName);
    };
    assert.deepEqual(picks(7), picks(7));
    assert.ok(new Set(picks(7)).size > 1, 'several tied nodes get picked');
  });

  it('selectHost keeps the highest total and samples ties uniformly', () => {
    const rng = new Rng(3);
    assert.equal(selectHost([1, 5, 3], rng), 1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[selectHost([9, 9, 2, 9], rng)]++;
    assert.equal(counts[2], 0);
    for (const i of [0, 1, 3]) assert.ok(counts[i] > 1100 && counts[i] < 1570, `${counts}`);
  });

  it('evaluates a share of the nodes in large clusters, rotating the start', () => {
    assert.equal(numFeasibleNodesToFind(0, 50), 50);
    assert.equal(numFeasibleNodesToFind(0, 1000), 420);
    assert.equal(numFeasibleNodesToFind(0, 5000), 500);
    assert.equal(numFeasibleNodesToFind(0, 200), 98 < 100 ? 100 : 98);
    const h = new Harness().nodes(...Array.from({ length: 1000 }, (_, i) => makeNode(`n${i}`, { zone: `z${i % 3}` })));
    const r = h.schedule(makePod('p', { cpu: '100m' }));
    assert.equal(r.feasible.length, 420);
    assert.equal(r.evaluatedNodes, 420);
    assert.equal(r.nextStartNodeIndex, 420);
    assert.equal(h.schedule(makePod('q')).nextStartNodeIndex, 840);
  });

  it('lists nodes zone by zone in turn (upstream node tree)', () => {
    const h = new Harness().nodes(makeNode('a1', { zone: 'a' }), makeNode('a2', { zone: 'a' }), makeNode('b1', { zone: 'b' }), makeNode('c1', { zone: 'c' }), makeNode('a3', { zone: 'a' }));
    assert.deepEqual(h.cache.nodeInfos().map((n) => n.name), ['a1', 'b1', 'c1', 'a2', 'a3']);
  });

  it('spreads replicas of a ReplicaSet over zones by default', () => {
    const h = new Harness().nodes(...labNodes({ workerCpu: '16' }));
    h.listers.rss.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } } });
    const perNode = new Map<string, number>();
    for (let i = 0; i < 9; i++) {
      const node = h.place(makePod(`web-${i}`, { labels: { app: 'web' }, ownerRS: 'web-1' }))!;
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
    assert.deepEqual([...perNode.values()], [3, 3, 3], JSON.stringify([...perNode]));
  });

  it('one replica per worker with hostname anti-affinity; a fourth stays pending with upstream\'s reasons', () => {
    const h = new Harness().nodes(...labNodes());
    const replica = (i: number) =>
      makePod(`web-${i}`, {
        labels: { app: 'web' },
        spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
      });
    const placed = [0, 1, 2].map((i) => h.place(replica(i)));
    assert.deepEqual([...placed].sort(), ['worker-1', 'worker-2', 'worker-3']);
    const r = h.schedule(replica(3));
    assert.equal(
      r.fitError,
      "0/6 nodes are available: 3 node(s) didn't match pod anti-affinity rules, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. " +
        'preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.',
    );
  });

  it('honours tolerations for the control-plane taint', () => {
    const h = new Harness().nodes(makeNode('master-1', { taints: [CONTROL_PLANE_TAINT] }));
    assert.equal(h.schedule(makePod('p', { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] })).nodeName, 'master-1');
  });

  it('fails with "no nodes available" when the cluster has no nodes', () => {
    assert.equal(new Harness().schedule(makePod('p')).error, 'no nodes available to schedule pods');
  });
});
