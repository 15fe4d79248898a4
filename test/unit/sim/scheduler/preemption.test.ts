import { strict as assert } from 'node:assert';
import type { Cluster } from '../../../../src/sim/cluster';
import type { CoreEvent as Event, Pod, PodDisruptionBudget, PriorityClass } from '../../../../src/sim/api/types';
import { applyOk, deployment, podsOf, startCluster, waitFor } from '../controllers/helpers';
import { call, message } from '../support/harness';
import { pickOneNodeForPreemption, selectVictimsOnNode, splitByBudgetViolation, type Candidate } from '../../../../src/sim/scheduler/plugins/defaultpreemption';
import { CycleState } from '../../../../src/sim/scheduler/framework';
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
});
