import { strict as assert } from 'node:assert';
import type { Container, Pod } from '../../../../src/sim/api/types';
import type { ContainerInfo } from '../../../../src/sim/runtime/runtime';
import { Backoff } from '../../../../src/sim/kubelet/backoff';
import { generatePodStatus, qosClass, type ContainerInstances, type WaitingReason } from '../../../../src/sim/kubelet/pod-status';

const iso = (ms: number) => `t${ms}`;

function pod(restartPolicy: 'Always' | 'OnFailure' | 'Never', containers: Partial<Container>[] = [{}], extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u1', ...extra },
    spec: { restartPolicy, containers: containers.map((c, i) => ({ name: c.name ?? `c${i}`, image: 'busybox:1.36', ...c })) },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 'sched' }] },
  };
}

let seq = 0;
function instance(state: 'running' | 'exited' | 'created', exitCode = 0, attempt = 0, name = 'c0'): ContainerInfo {
  return {
    id: `id${++seq}`,
    sandboxId: 's',
    podUid: 'u1',
    name,
    attempt,
    image: 'docker.io/library/busybox:1.36',
    imageRef: 'docker.io/library/busybox@sha256:abc',
    createdAt: 100,
    state: state === 'running' ? 'CONTAINER_RUNNING' : state === 'exited' ? 'CONTAINER_EXITED' : 'CONTAINER_CREATED',
    startedAt: 200,
    ...(state === 'exited' ? { finishedAt: 300, exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } : {}),
  };
}

function status(p: Pod, containers: [string, ContainerInstances][], waiting: [string, WaitingReason][] = [], opts: { terminal?: boolean; sandbox?: boolean; now?: number } = {}) {
  return generatePodStatus({
    pod: p,
    containers: new Map(containers),
    waiting: new Map(waiting),
    sandboxReady: opts.sandbox ?? true,
    podIP: opts.sandbox === false ? undefined : '10.244.1.2',
    hostIP: '10.0.1.10',
    terminal: opts.terminal ?? false,
    now: opts.now ?? 1000,
    iso,
    startTime: 't0',
  });
}

const cond = (s: ReturnType<typeof status>, type: string) => s.conditions!.find((c) => c.type === type)!;

describe('sim/kubelet/pod-status', () => {
  const rows: { name: string; policy: 'Always' | 'OnFailure' | 'Never'; c: ContainerInstances; waiting?: WaitingReason; terminal?: boolean; phase: string; state: string; reason?: string; ready: 'True' | 'False'; readyReason?: string; restarts?: number }[] = [
    { name: 'nothing created yet', policy: 'Always', c: {}, phase: 'Pending', state: 'waiting', reason: 'ContainerCreating', ready: 'False', readyReason: 'ContainersNotReady' },
    { name: 'image pull failing', policy: 'Always', c: {}, waiting: { reason: 'ErrImagePull', message: 'rpc error' }, phase: 'Pending', state: 'waiting', reason: 'ErrImagePull', ready: 'False' },
    { name: 'running', policy: 'Always', c: { latest: instance('running') }, phase: 'Running', state: 'running', ready: 'True' },
    { name: 'exited 0 under Never', policy: 'Never', c: { latest: instance('exited', 0) }, phase: 'Succeeded', state: 'terminated', reason: 'Completed', ready: 'False', readyReason: 'PodCompleted' },
    { name: 'exited 1 under Never', policy: 'Never', c: { latest: instance('exited', 1) }, phase: 'Failed', state: 'terminated', reason: 'Error', ready: 'False', readyReason: 'PodFailed' },
    { name: 'exited 0 under OnFailure', policy: 'OnFailure', c: { latest: instance('exited', 0) }, phase: 'Succeeded', state: 'terminated', reason: 'Completed', ready: 'False' },
    { name: 'exited 1 under OnFailure restarts', policy: 'OnFailure', c: { latest: instance('exited', 1) }, phase: 'Running', state: 'terminated', reason: 'Error', ready: 'False' },
    { name: 'exited 0 under Always restarts', policy: 'Always', c: { latest: instance('exited', 0) }, phase: 'Running', state: 'terminated', reason: 'Completed', ready: 'False' },
    {
      name: 'crash loop back-off',
      policy: 'Always',
      c: { latest: instance('exited', 1, 3), previous: instance('exited', 1, 2) },
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=c0 pod=p_default(u1)' },
      phase: 'Running',
      state: 'waiting',
      reason: 'CrashLoopBackOff',
      ready: 'False',
      restarts: 3,
    },
    { name: 'deleted and stopped: terminal by exit codes', policy: 'Always', c: { latest: instance('exited', 137) }, terminal: true, phase: 'Failed', state: 'terminated', reason: 'Error', ready: 'False' },
    { name: 'deleted before it ever ran', policy: 'Always', c: {}, terminal: true, phase: 'Failed', state: 'terminated', reason: 'ContainerStatusUnknown', ready: 'False' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const s = status(pod(row.policy), [['c0', row.c]], row.waiting ? [['c0', row.waiting]] : [], { terminal: row.terminal });
      assert.equal(s.phase, row.phase);
      const cs = s.containerStatuses![0];
      assert.ok(cs.state && row.state in cs.state, JSON.stringify(cs.state));
      const detail = cs.state?.waiting ?? cs.state?.terminated;
      if (row.reason) assert.equal(detail?.reason, row.reason);
      assert.equal(cond(s, 'Ready').status, row.ready);
      assert.equal(cond(s, 'ContainersReady').status, row.ready);
      if (row.readyReason) assert.equal(cond(s, 'Ready').reason, row.readyReason);
      if (row.restarts !== undefined) assert.equal(cs.restartCount, row.restarts);
    });
  }

  it('crash-looping container keeps the last termination in lastState', () => {
    const latest = instance('exited', 2, 1);
    const s = status(pod('Always'), [['c0', { latest, previous: instance('exited', 2, 0) }]], [['c0', { reason: 'CrashLoopBackOff' }]]);
    assert.equal(s.containerStatuses![0].lastState?.terminated?.containerID, `containerd://${latest.id}`);
  });

  it('running after a restart shows the previous instance as lastState', () => {
    const previous = instance('exited', 1, 0);
    const s = status(pod('Always'), [['c0', { latest: instance('running', 0, 1), previous }]]);
    const cs = s.containerStatuses![0];
    assert.equal(cs.restartCount, 1);
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.equal(cs.lastState?.terminated?.containerID, `containerd://${previous.id}`);
  });

  it('conditions come in upstream order, keep the scheduler\'s PodScheduled and name unready containers', () => {
    const s = status(pod('Always', [{ name: 'a' }, { name: 'b' }]), [['a', { latest: instance('running', 0, 0, 'a') }]], [], { sandbox: false });
    assert.deepEqual(s.conditions!.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    assert.equal(cond(s, 'PodReadyToStartContainers').status, 'False');
    assert.equal(cond(s, 'PodScheduled').lastTransitionTime, 'sched');
    assert.equal(cond(s, 'Ready').message, 'containers with unready status: [b]');
    assert.equal(s.hostIP, '10.0.1.10');
    assert.equal(s.podIP, undefined);
    assert.equal(s.startTime, 't0');
  });

  it('a readiness probe delays Ready until its initial delay has passed', () => {
    const p = pod('Always', [{ readinessProbe: { httpGet: { port: 80 }, initialDelaySeconds: 5 } }]);
    const c: [string, ContainerInstances][] = [['c0', { latest: instance('running') }]];
    assert.equal(cond(status(p, c, [], { now: 200 + 4999 }), 'Ready').status, 'False');
    assert.equal(cond(status(p, c, [], { now: 200 + 5000 }), 'Ready').status, 'True');
  });

  it('init containers: PodInitializing until they complete', () => {
    const p = pod('Always');
    p.spec.initContainers = [{ name: 'init', image: 'busybox:1.36' }];
    const s = status(p, [['init', { latest: instance('running', 0, 0, 'init') }]]);
    assert.equal(s.phase, 'Pending');
    assert.equal(s.containerStatuses![0].state?.waiting?.reason, 'PodInitializing');
    assert.equal(cond(s, 'Initialized').message, 'containers with incomplete status: [init]');
    const done = status(p, [['init', { latest: instance('exited', 0, 0, 'init') }], ['c0', { latest: instance('running') }]]);
    assert.equal(cond(done, 'Initialized').status, 'True');
    assert.equal(done.phase, 'Running');
  });

  it('a terminal phase never changes back', () => {
    const p = pod('Always');
    p.status!.phase = 'Succeeded';
    assert.equal(status(p, [['c0', { latest: instance('running') }]]).phase, 'Succeeded');
  });

  it('keeps lastTransitionTime of conditions that did not change', () => {
    const p = pod('Always');
    const first = status(p, [['c0', { latest: instance('running') }]], [], { now: 1000 });
    p.status = first;
    const second = status(p, [['c0', { latest: instance('running') }]], [], { now: 5000 });
    assert.equal(cond(second, 'Ready').lastTransitionTime, 't1000');
  });

  it('reports the pod\'s own conditions and IP lists again when they did not change, the same JSON as new ones', () => {
    const p = pod('Always');
    const running = { latest: instance('running') };
    const first = status(p, [['c0', running]], [], { now: 1000 });
    p.status = JSON.parse(JSON.stringify(first));
    const second = status(p, [['c0', running]], [], { now: 5000 });
    assert.equal(second.conditions, p.status!.conditions);
    assert.equal(second.hostIPs, p.status!.hostIPs);
    assert.equal(second.podIPs, p.status!.podIPs);
    assert.equal(JSON.stringify(second), JSON.stringify(first));
    // A condition written with its keys in another order (or with extra ones) is not reported as is.
    const ready = p.status!.conditions!.find((c) => c.type === 'Ready')!;
    const { type, ...rest } = ready;
    p.status!.conditions = p.status!.conditions!.map((c) => (c === ready ? ({ ...rest, type } as typeof c) : c));
    const third = status(p, [['c0', running]], [], { now: 6000 });
    assert.notEqual(third.conditions, p.status!.conditions);
    assert.notEqual(cond(third, 'Ready'), p.status!.conditions!.find((c) => c.type === 'Ready'));
    assert.equal(cond(third, 'Initialized'), p.status!.conditions!.find((c) => c.type === 'Initialized'));
    assert.equal(JSON.stringify(third), JSON.stringify(first));
    // A changed condition is new; the others stay the pod's.
    const stopped = status(p, [['c0', { latest: instance('exited', 1) }]], [], { now: 7000 });
    assert.equal(cond(stopped, 'Ready').status, 'False');
    assert.equal(cond(stopped, 'Ready').lastTransitionTime, 't7000');
    assert.equal(cond(stopped, 'PodReadyToStartContainers'), p.status!.conditions!.find((c) => c.type === 'PodReadyToStartContainers'));
  });

  it('pods that change alike in the same second share their new conditions and container states, frozen, with the same JSON', () => {
    const a = pod('Always');
    const b = pod('Always', [{}], { name: 'q', uid: 'u2' });
    const pending = [status(a, [['c0', {}]], [], { now: 42_000 }), status(b, [['c0', {}]], [], { now: 42_000 })];
    assert.equal(cond(pending[0], 'Ready'), cond(pending[1], 'Ready'));
    assert.equal(pending[0].containerStatuses![0].state, pending[1].containerStatuses![0].state);
    assert.ok(Object.isFrozen(cond(pending[0], 'Ready')) && Object.isFrozen(pending[0].containerStatuses![0].state));
    assert.equal(JSON.stringify(pending[0]), JSON.stringify(pending[1]));
    const running = [status(a, [['c0', { latest: instance('running') }]], [], { now: 43_000 }), status(b, [['c0', { latest: instance('running') }]], [], { now: 43_000 })];
    assert.equal(cond(running[0], 'Ready'), cond(running[1], 'Ready'));
    assert.equal(running[0].containerStatuses![0].state, running[1].containerStatuses![0].state);
    assert.deepEqual(running[0].containerStatuses![0].state, { running: { startedAt: 't200' } });
    // Another second: new conditions, with that time.
    const later = status(b, [['c0', {}]], [], { now: 44_000 });
    assert.notEqual(cond(later, 'Ready'), cond(pending[1], 'Ready'));
    assert.equal(cond(later, 'Ready').lastTransitionTime, 't44000');
  });

  it('computes the QoS class', () => {
    assert.equal(qosClass(pod('Always').spec), 'BestEffort');
    assert.equal(qosClass(pod('Always', [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }]).spec), 'Guaranteed');
    assert.equal(qosClass(pod('Always', [{ resources: { requests: { cpu: '100m' } } }]).spec), 'Burstable');
  });
});

describe('sim/kubelet/backoff', () => {
  it('doubles from 10 s to 5 min, measured from the event', () => {
    const b = new Backoff(10_000, 300_000);
    const seen: number[] = [];
    let t = 0;
    for (let i = 0; i < 8; i++) {
      b.next('k', t, t);
      seen.push(b.get('k'));
      t += b.get('k');
    }
    assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('is in back-off since an exit for the current duration only', () => {
    const b = new Backoff(10_000, 300_000);
    b.next('k', 0, 0);
    assert.equal(b.isInBackOffSince('k', 5_000, 14_999), true);
    assert.equal(b.isInBackOffSince('k', 5_000, 15_000), false);
    assert.equal(b.isInBackOffSinceUpdate('k', 9_999), true);
    assert.equal(b.isInBackOffSinceUpdate('k', 10_000), false);
  });

  it('starts over after 10 minutes without an update', () => {
    const b = new Backoff(10_000, 300_000);
    b.next('k', 0, 0);
    b.next('k', 1000, 1000);
    assert.equal(b.get('k'), 20_000);
    b.next('k', 1000 + 600_001, 1000 + 600_001);
    assert.equal(b.get('k'), 10_000);
    assert.equal(b.isInBackOffSince('k', 0, 2_000_000), false);
  });
});
