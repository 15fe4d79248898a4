import { strict as assert } from 'node:assert';
import type { Cluster } from '../../../../src/sim/cluster';
import type { CoreEvent as Event, Pod, PodDisruptionBudget, PriorityClass } from '../../../../src/sim/api/types';
import { applyOk, deployment, podsOf, startCluster, waitFor } from '../controllers/helpers';
import { call, message } from '../support/harness';
import { evaluatePreemption, numCandidates, pickOneNodeForPreemption, selectVictimsOnNode, splitByBudgetViolation, type Candidate } from '../../../../src/sim/scheduler/plugins/defaultpreemption';
import { CycleState, sharedStatus, type Status } from '../../../../src/sim/scheduler/framework';
import { Rng } from '../../../../src/sim/clock';
import { schedulerOn } from '../../../../src/sim/presets';
import { podInfoOf } from '../../../../src/sim/scheduler/node-info';
import { Harness, makeNode, makePod } from './fixtures';

const PC = { apiVersion: 'scheduling.k8s.io/v1', resource: 'priorityclasses' } as const;

function priorityClass(name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra };
}

function createPod(cluster: Cluster, name: string, spec: Partial<Pod['spec']>, cpu = '100m') {
  return call(cluster, {
    verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default',
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu } } }], ...spec } },
  });
}

describe('PriorityClasses and the Priority admission plugin', () => {
  it('has the two system classes from the start, and resolves a pod\'s class into its priority and preemption policy', () => {
    const cluster = startCluster();
    const system = cluster.read.list<PriorityClass>('priorityclasses').map((pc) => [pc.metadata.name, pc.value, pc.preemptionPolicy]);
    assert.deepEqual(system, [['system-cluster-critical', 2000000000, 'PreemptLowerPriority'], ['system-node-critical', 2000001000, 'PreemptLowerPriority']]);

    assert.equal(call(cluster, { verb: 'create', ...PC, body: priorityClass('batch', -10, { preemptionPolicy: 'Never' }) }).code, 201);
    const created = createPod(cluster, 'job', { priorityClassName: 'batch' });
    assert.equal(created.code, 201, message(created));
    const spec = (created.body as Pod).spec;
    assert.equal(spec.priority, -10);
    assert.equal(spec.preemptionPolicy, 'Never');
    const plain = (createPod(cluster, 'plain', {}).body as Pod).spec;
    assert.equal(plain.priority, 0);
    assert.equal(plain.preemptionPolicy, 'PreemptLowerPriority');
    assert.equal(plain.priorityClassName, undefined);
  });

  it('refuses an unknown class, a priority the class does not give, and a second global default (403, upstream\'s words)', () => {
    const cluster = startCluster();
    const unknown = createPod(cluster, 'a', { priorityClassName: 'nope' });
    assert.equal(unknown.code, 403);
    assert.equal(message(unknown), 'pods "a" is forbidden: no PriorityClass with name nope was found');
    const forced = createPod(cluster, 'b', { priority: 100 });
    assert.equal(forced.code, 403);
    assert.equal(message(forced), 'pods "b" is forbidden: the integer value of priority (100) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name');

    assert.equal(call(cluster, { verb: 'create', ...PC, body: priorityClass('default-low', 5, { globalDefault: true }) }).code, 201);
    const second = call(cluster, { verb: 'create', ...PC, body: priorityClass('other', 7, { globalDefault: true }) });
    assert.equal(second.code, 403);
    assert.equal(message(second), 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass default-low is already marked as default. Only one default can exist');
    // A pod naming no class gets the global default's name and value.
    const defaulted = (createPod(cluster, 'c', {}).body as Pod).spec;
    assert.equal(defaulted.priorityClassName, 'default-low');
    assert.equal(defaulted.priority, 5);
  });

  it('validates classes as upstream: reserved system- names, the user ceiling, immutable value', () => {
    const cluster = startCluster();
    const big = call(cluster, { verb: 'create', ...PC, body: priorityClass('huge', 1_000_000_001) });
    assert.equal(big.code, 422);
    assert.equal(message(big), 'PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
    const reserved = call(cluster, { verb: 'create', ...PC, body: priorityClass('system-mine', 10) });
    assert.equal(reserved.code, 422);
    assert.match(message(reserved), /metadata\.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only\. error: system-mine is not a known system priority class$/);
    assert.equal(call(cluster, { verb: 'create', ...PC, body: priorityClass('mid', 50) }).code, 201);
    const changed = call(cluster, { verb: 'patch', ...PC, name: 'mid', patchType: 'application/merge-patch+json', body: { value: 60 } });
    assert.equal(changed.code, 422);
    assert.match(message(changed), /value: Forbidden: may not be changed in an update\./);
    const described = call(cluster, { verb: 'patch', ...PC, name: 'mid', patchType: 'application/merge-patch+json', body: { description: 'middle' } });
    assert.equal(described.code, 200, message(described));
  });
});

describe('Preemption (DefaultPreemption PostFilter)', () => {
  it('makes room for a higher-priority pod: the victim gets DisruptionTarget and is deleted, the pod is nominated, then runs there', () => {
    const cluster = startCluster({ workers: 3 });
    assert.equal(call(cluster, { verb: 'create', ...PC, body: priorityClass('high', 1000) }).code, 201);
    // Each worker (4 CPU) runs one 3-CPU filler: nothing is left for a 2-CPU pod.
    applyOk(cluster, deployment('filler', 3, 'nginx:1.27', {
      template: { metadata: { labels: { app: 'filler' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '3' } } }] } },
    }));
    waitFor(cluster, '3 fillers running', () => podsOf(cluster, 'filler').filter((p) => p.status?.phase === 'Running').length === 3);
    const before = new Map(podsOf(cluster, 'filler').map((p) => [p.metadata.name!, p.spec.nodeName!]));

    assert.equal(createPod(cluster, 'urgent', { priorityClassName: 'high' }, '2').code, 201);
    waitFor(cluster, 'a victim marked', () => podsOf(cluster, 'filler').some((p) => p.metadata.deletionTimestamp));
    const victim = podsOf(cluster, 'filler').find((p) => p.metadata.deletionTimestamp)!;
    const target = victim.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.equal(target?.status, 'True');
    assert.equal(target?.reason, 'PreemptionByScheduler');
    assert.equal(target?.message, 'default-scheduler: preempting to accommodate a higher priority pod');
    const urgent = () => cluster.read.get<Pod>('pods', 'default', 'urgent')!;
    waitFor(cluster, 'nominated', () => urgent().status?.nominatedNodeName === before.get(victim.metadata.name!));
    assert.equal(urgent().spec.nodeName, undefined, 'it waits for the victim\'s graceful termination');

    waitFor(cluster, 'urgent running on the victim\'s node', () => urgent().status?.phase === 'Running');
    assert.equal(urgent().spec.nodeName, before.get(victim.metadata.name!));
    // Exactly one filler was preempted; its replacement cannot fit anywhere and preempts nobody (lower priority).
    const events = cluster.read.list<Event>('events', 'default').filter((e) => e.reason === 'Preempted');
    assert.deepEqual(events.map((e) => [e.involvedObject.name, e.message]), [[victim.metadata.name, `Preempted by pod ${urgent().metadata.uid} on node ${urgent().spec.nodeName}`]]);
    waitFor(cluster, 'replacement pending', () => podsOf(cluster, 'filler').filter((p) => !p.metadata.deletionTimestamp && !p.spec.nodeName).length === 1);
    const pending = podsOf(cluster, 'filler').find((p) => !p.spec.nodeName)!;
    waitFor(cluster, 'its FailedScheduling', () => /preemption: 0\/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling\.$/.test(
      cluster.read.get<Pod>('pods', 'default', pending.metadata.name!)?.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? ''));
    assert.equal(podsOf(cluster, 'filler').filter((p) => p.metadata.deletionTimestamp).length, 0);
  });

  it('clears a nomination that preemption can no longer serve: the nominated node was cordoned while its victim terminated', () => {
    const cluster = startCluster({ workers: 3 });
    assert.equal(call(cluster, { verb: 'create', ...PC, body: priorityClass('high', 1000) }).code, 201);
    assert.equal(createPod(cluster, 'filler', { nodeName: 'worker-1' }, '3').code, 201);
    waitFor(cluster, 'the filler running', () => cluster.read.get<Pod>('pods', 'default', 'filler')?.status?.phase === 'Running');
    // Only worker-1 will do for it: preemption there is the one way in.
    assert.equal(createPod(cluster, 'urgent', { priorityClassName: 'high', nodeSelector: { 'kubernetes.io/hostname': 'worker-1' } }, '2').code, 201);
    const urgent = () => cluster.read.get<Pod>('pods', 'default', 'urgent')!;
    waitFor(cluster, 'nominated to worker-1', () => urgent().status?.nominatedNodeName === 'worker-1');
    const cordon = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'nodes', name: 'worker-1', patchType: 'application/merge-patch+json', body: { spec: { unschedulable: true } } });
    assert.equal(cordon.code, 200, message(cordon));
    // Once the victim is gone the pod is tried again: nowhere to go and nothing preemption can do.
    waitFor(cluster, 'the nomination cleared', () => urgent().status?.nominatedNodeName === undefined);
    assert.match(urgent().status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? '', /preemption: 0\/6 nodes are available: 6 Preemption is not helpful for scheduling\.$/);
    assert.equal(urgent().spec.nodeName, undefined);
    cluster.clock.runUntil(cluster.clock.now() + 2_000); // the standbys' watches deliver the update too
    const schedulers = [...cluster.controlPlane.values()].map((components) => schedulerOn(components)?.scheduler);
    assert.equal(schedulers.filter((sc) => sc !== undefined).length, 3);
    assert.deepEqual(schedulers.flatMap((sc) => sc?.nominatedOn('worker-1') ?? []), []);
  });

  it('a pod of equal priority never preempts, and a preemptionPolicy Never class does not either', () => {
    const cluster = startCluster({ workers: 3 });
    assert.equal(call(cluster, { verb: 'create', ...PC, body: priorityClass('polite', 1000, { preemptionPolicy: 'Never' }) }).code, 201);
    applyOk(cluster, deployment('filler', 3, 'nginx:1.27', {
      template: { metadata: { labels: { app: 'filler' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '3' } } }] } },
    }));
    waitFor(cluster, '3 fillers running', () => podsOf(cluster, 'filler').filter((p) => p.status?.phase === 'Running').length === 3);
    createPod(cluster, 'peer', {}, '2');
    createPod(cluster, 'polite', { priorityClassName: 'polite' }, '2');
    const condition = (name: string) => cluster.read.get<Pod>('pods', 'default', name)?.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? '';
    waitFor(cluster, 'both unschedulable', () => condition('peer') !== '' && condition('polite') !== '');
    assert.match(condition('peer'), /preemption: 0\/6 nodes are available: 3 No preemption victims found for incoming pod/);
    assert.match(condition('polite'), /preemption: not eligible due to preemptionPolicy=Never\.$/);
    cluster.clock.runUntil(cluster.clock.now() + 30_000);
    assert.equal(podsOf(cluster, 'filler').filter((p) => p.metadata.deletionTimestamp).length, 0);
  });
});

describe('Preemption: victims and the node (pure)', () => {
  const cpuNode = (name: string) => makeNode(name, { cpu: '4' });

  it('reprieves the most important pods that can stay, and takes the fewest', () => {
    const h = new Harness().nodes(cpuNode('n1'));
    const low = makePod('low', { nodeName: 'n1', cpu: '1', priority: 1 });
    const lower = makePod('lower', { nodeName: 'n1', cpu: '1', priority: 0 });
    const mid = makePod('mid', { nodeName: 'n1', cpu: '1', priority: 5 });
    h.bound(low, lower, mid);
    const high = podInfoOf(makePod('high', { cpu: '2', priority: 10 }));
    const result = selectVictimsOnNode(h.profile, new CycleState(), high, h.cache.nodeInfos()[0], []);
    assert.ok('victims' in result);
    // 3 CPU in use, 2 wanted: one pod must go, the least important (priority 0).
    assert.deepEqual(result.victims.map((v) => v.key), ['default/lower']);
    assert.equal(result.numPDBViolations, 0);
  });

  it('prefers victims whose eviction keeps a PodDisruptionBudget, and counts the violations', () => {
    const a = podInfoOf(makePod('a', { nodeName: 'n1', cpu: '1', priority: 0, labels: { app: 'db' } }));
    const b = podInfoOf(makePod('b', { nodeName: 'n1', cpu: '1', priority: 0, labels: { app: 'web' } }));
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } } as PodDisruptionBudget;
    const split = splitByBudgetViolation([a, b], [pdb]);
    assert.deepEqual(split.violating.map((p) => p.key), ['default/a']);
    assert.deepEqual(split.nonViolating.map((p) => p.key), ['default/b']);

    const h = new Harness().nodes(cpuNode('n1'));
    h.bound(a.pod, b.pod, makePod('c', { nodeName: 'n1', cpu: '1', priority: 0 }));
    const result = selectVictimsOnNode(h.profile, new CycleState(), podInfoOf(makePod('high', { cpu: '2', priority: 10 })), h.cache.nodeInfos()[0], [pdb]);
    assert.ok('victims' in result);
    // The db pod is reprieved first (its eviction would break the budget); two others make the room.
    assert.ok(!result.victims.some((v) => v.key === 'default/a'), result.victims.map((v) => v.key).join());
    assert.equal(result.victims.length, 1);
    assert.equal(result.numPDBViolations, 0);
  });

  it('picks the node as upstream: fewest violations, then lowest top victim, smallest sum, fewest victims', () => {
    const v = (name: string, priority: number) => podInfoOf(makePod(name, { priority }));
    const cand = (node: string, victims: ReturnType<typeof v>[], numPDBViolations = 0): Candidate => ({ node, victims, numPDBViolations });
    assert.equal(pickOneNodeForPreemption([cand('a', [v('x', 1)], 1), cand('b', [v('y', 5)])])?.node, 'b');
    assert.equal(pickOneNodeForPreemption([cand('a', [v('x', 5)]), cand('b', [v('y', 3), v('z', 3)])])?.node, 'b');
    assert.equal(pickOneNodeForPreemption([cand('a', [v('x', 5), v('w', 4)]), cand('b', [v('y', 5), v('z', 1)])])?.node, 'b');
    assert.equal(pickOneNodeForPreemption([cand('a', [v('x', 5), v('w', 1)]), cand('b', [v('y', 5), v('z', 0), v('q', 1)])])?.node, 'a');
    assert.equal(pickOneNodeForPreemption([]), undefined);
  });

  it('takes the victims\' topology spread counts out: removing them brings the zone back within maxSkew (PreFilter RemovePod)', () => {
    const h = new Harness().nodes(makeNode('n-a', { cpu: '4', zone: 'us-east-2a' }), makeNode('n-b', { cpu: '4', zone: 'us-east-2b' }));
    h.bound(
      makePod('web-low-1', { nodeName: 'n-a', cpu: '1', priority: 0, labels: { app: 'web' } }),
      makePod('web-low-2', { nodeName: 'n-a', cpu: '1', priority: 0, labels: { app: 'web' } }),
      makePod('big-a', { nodeName: 'n-a', cpu: '2', priority: 100 }),
      makePod('big-b', { nodeName: 'n-b', cpu: '4', priority: 100 }),
    );
    const high = makePod('high', {
      cpu: '1', priority: 10, labels: { app: 'web' },
      spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] },
    });
    // n-a: zone a already has 2 web pods (skew 3 with this one); n-b: no room, and nothing of lower priority.
    const r = h.schedule(high);
    assert.equal(r.nodeName, undefined);
    assert.equal(r.preemption?.node, 'n-a', r.fitError);
    // Both web pods must go: with either one back, zone a would be 2 against 0.
    assert.deepEqual(r.preemption?.victims.map((v) => v.key).sort(), ['default/web-low-1', 'default/web-low-2']);
  });

  it('counts nominated pods into the spread too, through the AddPod extension', () => {
    const h = new Harness().nodes(makeNode('n-a', { cpu: '4', zone: 'us-east-2a' }), makeNode('n-b', { cpu: '4', zone: 'us-east-2b' }));
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'web' } } }] };
    h.bound(makePod('web-1', { nodeName: 'n-a', cpu: '1', labels: { app: 'web' } }));
    const nominated = podInfoOf(makePod('web-2', { cpu: '1', priority: 5, labels: { app: 'web' }, spec: { nominatedNodeName: 'n-b' } as Partial<Pod['spec']> }));
    const pod = podInfoOf(makePod('web-3', { cpu: '1', labels: { app: 'web' }, spec: spread }));
    const state = new CycleState();
    h.profile.runPreFilter(state, pod, h.cache.nodeInfos());
    const [nodeA, nodeB] = h.cache.nodeInfos();
    // Counts a=1, b=0: alone, zone b is the place (skew 1) and zone a is not (skew 2).
    assert.equal(h.profile.runFilter(state, pod, nodeB).code, 'Success');
    assert.equal(h.profile.runFilter(state, pod, nodeA).code, 'Unschedulable');
    // With web-2 nominated to n-b (higher priority), zone b counts 1: n-b then means 2 against 1 — still fine —
    // and n-a means 2 against 1 too: the nominated pod's count is seen on the node it is nominated to only.
    assert.equal(h.profile.runFilterWithNominatedPods(state, pod, nodeB, [nominated]).code, 'Success');
    const two = [nominated, podInfoOf(makePod('web-4', { cpu: '1', priority: 5, labels: { app: 'web' } }))];
    // Two nominated to n-b: zone b would hold 2, and a third there is skew 2 over zone a's 1.
    assert.equal(h.profile.runFilterWithNominatedPods(state, pod, nodeB, two).code, 'Unschedulable');
    // The cycle's own state is untouched by the trial.
    assert.equal(h.profile.runFilter(state, pod, nodeB).code, 'Success');
  });

  it('tries numCandidates nodes from a random offset, as upstream (10% of the potential nodes, at least 100)', () => {
    assert.deepEqual([numCandidates(6), numCandidates(100), numCandidates(300), numCandidates(2000)], [6, 100, 100, 200]);
    const nodes = Array.from({ length: 300 }, (_, i) => makeNode(`n${String(i).padStart(3, '0')}`, { cpu: '4' }));
    const h = new Harness().nodes(...nodes);
    h.bound(...nodes.map((n) => makePod(`low-${n.metadata.name}`, { nodeName: n.metadata.name, cpu: '3', priority: 0, labels: { app: 'low' } })));
    const pod = podInfoOf(makePod('high', { cpu: '2', priority: 10 }));
    const infos = h.cache.nodeInfos();
    const failed = new Map<string, Status>(infos.map((n) => [n.name, sharedStatus('Unschedulable', 'Insufficient cpu')]));
    const run = (seed: number, budgets: PodDisruptionBudget[] = []) => {
      const state = new CycleState();
      h.profile.runPreFilter(state, pod, infos);
      return evaluatePreemption(h.profile, state, pod, infos, failed, { rng: new Rng(seed), budgets: () => budgets });
    };
    const first = run(1);
    assert.equal(first.candidates.length, 100);
    const second = run(2);
    assert.equal(second.candidates.length, 100);
    assert.notEqual(first.candidates[0].node, second.candidates[0].node, 'the offset comes from the random draw');
    // Consecutive nodes from the offset, wrapping around.
    const at = infos.findIndex((n) => n.name === first.candidates[0].node);
    assert.deepEqual(first.candidates.map((c) => c.node), Array.from({ length: 100 }, (_, i) => infos[(at + i) % 300].name));
    // With every eviction breaking a budget there is no candidate that breaks none: every node is tried.
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'low', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'low' } } }, status: { disruptionsAllowed: 0, currentHealthy: 300, desiredHealthy: 300, expectedPods: 300 } } as PodDisruptionBudget;
    assert.equal(run(1, [pdb]).candidates.length, 300);
  });
});
