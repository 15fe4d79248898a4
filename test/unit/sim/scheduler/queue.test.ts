import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import type { ClusterEvent } from '../../../../src/sim/scheduler/framework';
import { SchedulingQueue } from '../../../../src/sim/scheduler/queue';
import { makePod } from './fixtures';

const ctx = { traceId: 't1' };
const nodeAdd: ClusterEvent = { resource: 'Node', actions: ['Add'], label: 'NodeAdd' };
const podDelete: ClusterEvent = { resource: 'Pod', actions: ['Delete'], label: 'AssignedPodDelete' };
const nodeLabel: ClusterEvent = { resource: 'Node', actions: ['UpdateNodeLabel'], label: 'NodeUpdate' };

/** Registrations as the default plugins declare them (a subset is enough here). */
const wants = (plugin: string, e: ClusterEvent) =>
  plugin === 'NodeResourcesFit'
    ? (e.resource === 'Pod' && e.actions.includes('Delete')) || (e.resource === 'Node' && e.actions.includes('Add'))
    : plugin === 'NodeAffinity'
      ? e.resource === 'Node' && (e.actions.includes('Add') || e.actions.includes('UpdateNodeLabel'))
      : false;

describe('sim/scheduler/queue', () => {
  it('pops higher priority first, then first come first served', () => {
    const clock = new Clock(1);
    const q = new SchedulingQueue(clock);
    q.add(makePod('a'), ctx);
    clock.advance(1);
    q.add(makePod('b', { priority: 10 }), ctx);
    clock.advance(1);
    q.add(makePod('c'), ctx);
    q.add(makePod('d', { priority: 10 }), ctx);
    assert.deepEqual([q.pop(), q.pop(), q.pop(), q.pop(), q.pop()].map((p) => p?.pod.metadata.name), ['b', 'd', 'a', 'c', undefined]);
  });

  it('backs off 1 s, doubling per attempt, capped at 10 s', () => {
    const q = new SchedulingQueue(new Clock(1));
    assert.deepEqual([1, 2, 3, 4, 5, 6, 10].map((n) => q.backoffDuration(n)), [1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  it('retries a failed pod after its backoff, flushed on the 1 s tick', () => {
    const clock = new Clock(1);
    const q = new SchedulingQueue(clock);
    q.add(makePod('p'), ctx);
    const times: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      clock.runUntilCondition(() => q.where('default/p') === 'activeQ', 60_000);
      times.push(clock.now());
      const p = q.pop()!;
      assert.equal(p.attempts, attempt);
      q.addBackoff(p);
      assert.equal(q.where('default/p'), 'backoffQ');
    }
    assert.deepEqual(times, [0, 1000, 3000, 7000, 15000]);
  });

  it('parks unschedulable pods until an event a rejecting plugin cares about', () => {
    const clock = new Clock(1);
    let woken = 0;
    const q = new SchedulingQueue(clock, { pluginWantsEvent: wants, onActive: () => woken++ });
    q.add(makePod('big'), ctx);
    const p = q.pop()!;
    q.addUnschedulable(p, ['NodeResourcesFit'], q.cycle);
    assert.equal(q.where('default/big'), 'unschedulablePods');
    assert.equal(q.onClusterEvent(nodeLabel), 0, 'a label change does not help a pod that lacked cpu');
    clock.advance(5000);
    assert.equal(q.onClusterEvent(podDelete), 1);
    assert.equal(q.where('default/big'), 'activeQ', 'backoff (1 s) is over: straight to activeQ');
    assert.equal(woken, 2);
  });

  it('sends a moved pod to backoffQ while its backoff runs', () => {
    const clock = new Clock(1);
    const q = new SchedulingQueue(clock, { pluginWantsEvent: wants });
    q.add(makePod('p'), ctx);
    q.addUnschedulable(q.pop()!, ['NodeAffinity'], q.cycle);
    clock.advance(200);
    q.onClusterEvent(nodeAdd);
    assert.equal(q.where('default/p'), 'backoffQ');
    clock.advance(1000);
    assert.equal(q.where('default/p'), 'activeQ');
  });

  it('an event during the pod\'s own cycle sends it to backoff, not to the unschedulable pods', () => {
    const clock = new Clock(1);
    const q = new SchedulingQueue(clock, { pluginWantsEvent: wants });
    q.add(makePod('p'), ctx);
    const p = q.pop()!;
    const cycle = q.cycle;
    q.onClusterEvent(podDelete);
    q.addUnschedulable(p, ['NodeResourcesFit'], cycle);
    assert.equal(q.where('default/p'), 'backoffQ');
  });

  it('gives unschedulable pods another try after 5 minutes (checked every 30 s)', () => {
    const clock = new Clock(1);
    const q = new SchedulingQueue(clock, { pluginWantsEvent: wants });
    q.add(makePod('p'), ctx);
    q.addUnschedulable(q.pop()!, ['NodeResourcesFit'], q.cycle);
    clock.runUntilCondition(() => q.where('default/p') === 'activeQ', 10 * 60_000);
    assert.equal(clock.now(), 300_000);
  });

  it('wakes an unschedulable pod when its spec changes, not when only its status does', () => {
    const clock = new Clock(1);
    const q = new SchedulingQueue(clock, { pluginWantsEvent: wants });
    const pod = makePod('p', { cpu: '8' });
    q.add(pod, ctx);
    q.addUnschedulable(q.pop()!, ['NodeResourcesFit'], q.cycle);
    q.update({ ...pod, status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } }, ctx);
    assert.equal(q.where('default/p'), 'unschedulablePods');
    clock.advance(2000);
    q.update(makePod('p', { cpu: '1' }), ctx);
    assert.equal(q.where('default/p'), 'activeQ');
  });

  it('forgets deleted pods and stops its timers when closed', () => {
    const clock = new Clock(1);
    const q = new SchedulingQueue(clock);
    q.add(makePod('a'), ctx);
    q.add(makePod('b'), ctx);
    q.addBackoff(q.pop()!);
    q.delete('default/b');
    assert.deepEqual(q.sizes(), { activeQ: 0, backoffQ: 1, unschedulablePods: 0, inFlight: 0 });
    q.close();
    assert.equal(clock.pending(), 0);
  });
});
