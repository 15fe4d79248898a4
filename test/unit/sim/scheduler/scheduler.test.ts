import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import { EventLog } from '../../../../src/sim/log';
import type { Pod } from '../../../../src/sim/api/types';
import { Scheduler } from '../../../../src/sim/scheduler/scheduler';
import { FakeApi } from './fake-api';
import { labNodes, makeNode, makePod } from './fixtures';

function setup(options: ConstructorParameters<typeof Scheduler>[1] = {}, log = new EventLog()) {
  const clock = new Clock(42);
  const api = new FakeApi(clock, log);
  for (const n of labNodes()) api.put('nodes', n);
  const scheduler = new Scheduler(api.env('master-1'), options);
  scheduler.start();
  clock.advance(10);
  return { clock, api, scheduler };
}

const condition = (pod: Pod | undefined) => pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');

describe('sim/scheduler/Scheduler (component, fake API)', () => {
  it('binds a pending pod to a worker through pods/binding, with a Scheduled event and a decision entry', () => {
    const { clock, api, scheduler } = setup();
    api.put('pods', makePod('web', { cpu: '100m' }));
    clock.advance(50);
    const pod = api.pod('default/web')!;
    assert.match(pod.spec.nodeName ?? '', /^worker-[123]$/);
    const binding = api.requests.find((r) => r.subresource === 'binding')!;
    assert.deepEqual(binding.body, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web', namespace: 'default', uid: 'uid-web' }, target: { kind: 'Node', name: pod.spec.nodeName } });
    const scheduled = api.events().find((e) => e.reason === 'Scheduled')!;
    assert.equal(scheduled.message, `Successfully assigned default/web to ${pod.spec.nodeName}`);
    assert.equal(scheduled.reportingComponent, 'default-scheduler');
    const decision = api.log.all().find((e) => e.kind === 'decision' && e.objectRef?.name === 'web')!;
    assert.equal(decision.from, 'kube-scheduler@master-1');
    assert.equal(decision.to, decision.from);
    assert.equal((decision.detail!.nodes as unknown[]).length, 6);
    assert.equal(decision.detail!.selected, pod.spec.nodeName);
    assert.equal(scheduler.scheduledCount, 1);
  });

  it('marks a pod too big for any node Unschedulable with upstream\'s message, then schedules it when a node fits', () => {
    const { clock, api, scheduler } = setup();
    api.put('pods', makePod('big', { cpu: '6' }));
    clock.advance(50);
    const msg =
      '0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. ' +
      'preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.';
    const c = condition(api.pod('default/big'));
    assert.deepEqual({ status: c?.status, reason: c?.reason, message: c?.message }, { status: 'False', reason: 'Unschedulable', message: msg });
    const failed = api.events().find((e) => e.reason === 'FailedScheduling')!;
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.message, msg);
    assert.equal(scheduler.queuedIn('default/big'), 'unschedulablePods');
    // A status-only change (our own condition) did not wake it; a new big node does.
    api.put('nodes', makeNode('worker-big', { zone: 'us-east-2a', cpu: '8' }));
    clock.advance(2000);
    assert.equal(api.pod('default/big')!.spec.nodeName, 'worker-big');
  });

  it('does not patch the same condition twice when retries fail the same way', () => {
    const { clock, api } = setup();
    api.put('pods', makePod('big', { cpu: '6' }));
    clock.advance(50);
    api.put('nodes', { ...makeNode('worker-1', { zone: 'us-east-2a', cpu: '4' }), metadata: { name: 'worker-1', labels: { 'kubernetes.io/hostname': 'worker-1', 'topology.kubernetes.io/zone': 'us-east-2a', extra: 'x' } } });
    clock.advance(60_000);
    assert.equal(api.requests.filter((r) => r.subresource === 'binding').length, 0);
    // After 5 minutes in the unschedulable pods it is retried anyway, and fails the same way.
    clock.advance(300_000);
    const attempts = api.log.all().filter((e) => e.kind === 'decision' && e.objectRef?.name === 'big').length;
    assert.equal(attempts, 2, 'a label change does not wake a pod rejected for cpu; the 5-minute flush does');
    assert.equal(api.requests.filter((r) => r.subresource === 'status').length, 1);
    const failed = api.events().filter((e) => e.reason === 'FailedScheduling');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].count, 2);
  });

  it('only the leader schedules; a follower keeps its queue and takes over when it leads', () => {
    let leading = false;
    const { clock, api, scheduler } = setup({ leader: () => leading });
    api.put('pods', makePod('web'));
    clock.advance(5000);
    assert.equal(api.pod('default/web')!.spec.nodeName, undefined);
    assert.equal(scheduler.queuedIn('default/web'), 'activeQ');
    leading = true;
    clock.advance(1500);
    assert.ok(api.pod('default/web')!.spec.nodeName);
  });

  it('retries with backoff when the binding fails', () => {
    const { clock, api } = setup();
    api.failNextBinding = 500;
    api.put('pods', makePod('web'));
    clock.advance(50);
    assert.equal(api.pod('default/web')!.spec.nodeName, undefined);
    assert.equal(condition(api.pod('default/web'))?.reason, 'SchedulerError');
    clock.advance(2000);
    assert.ok(api.pod('default/web')!.spec.nodeName);
  });

  it('ignores pods for another scheduler and pods already bound', () => {
    const { clock, api } = setup();
    api.put('pods', makePod('other', { spec: { schedulerName: 'my-scheduler' } }));
    api.put('pods', makePod('pinned', { nodeName: 'worker-3' }));
    clock.advance(100);
    assert.equal(api.pod('default/other')!.spec.nodeName, undefined);
    assert.equal(api.requests.filter((r) => r.subresource === 'binding').length, 0);
  });

  it('accounts for bound pods: fills nodes without exceeding allocatable', () => {
    const { clock, api } = setup();
    for (let i = 0; i < 14; i++) api.put('pods', makePod(`p${i}`, { cpu: '1' }));
    clock.advance(500);
    const perNode = new Map<string, number>();
    let pending = 0;
    for (let i = 0; i < 14; i++) {
      const n = api.pod(`default/p${i}`)!.spec.nodeName;
      if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
      else pending++;
    }
    assert.equal(pending, 2, 'three 4-cpu workers take twelve 1-cpu pods');
    assert.deepEqual([...perNode.values()], [4, 4, 4]);
  });

  it('forgets everything when stopped and rebuilds from the API when restarted', () => {
    const { clock, api, scheduler } = setup();
    scheduler.stop();
    assert.equal(scheduler.running, false);
    api.put('pods', makePod('later'));
    clock.advance(100);
    assert.equal(api.pod('default/later')!.spec.nodeName, undefined);
    scheduler.start();
    clock.advance(100);
    assert.ok(api.pod('default/later')!.spec.nodeName);
  });
  it('decides the same when nobody records the log: same placements, same number of entries (the table is left out)', () => {
    const run = (log: EventLog) => {
      const { clock, api } = setup({}, log);
      // Ties among equal nodes go through the seeded RNG; sizes that fill nodes make some pods fail.
      for (let i = 0; i < 16; i++) api.put('pods', makePod(`p${i}`, { cpu: i % 3 === 0 ? '1500m' : '300m', memory: `${64 * (i % 4)}Mi` }));
      clock.advance(60_000);
      const placements = Array.from({ length: 16 }, (_, i) => api.pod(`default/p${i}`)!.spec.nodeName ?? '-');
      const probe = log.append({ t: clock.now(), traceId: 'probe', from: 'test', to: 'test', kind: 'decision', summary: 'probe' });
      return { placements, seq: probe.seq, log };
    };
    const recorded = run(new EventLog());
    const silent = run(new EventLog({ store: false }));
    assert.equal(recorded.log.recording, true);
    assert.equal(silent.log.recording, false);
    assert.deepEqual(silent.placements, recorded.placements);
    assert.ok(recorded.placements.some((n) => n === '-') && recorded.placements.some((n) => n !== '-'));
    assert.equal(silent.seq, recorded.seq);
    const decision = recorded.log.all().find((e) => e.kind === 'decision' && e.objectRef?.name === 'p1')!;
    assert.ok((decision.detail!.nodes as unknown[]).length > 0, 'a recorded decision keeps its node table');
  });
});
