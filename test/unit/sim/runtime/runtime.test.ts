import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import { EventLog, type TraceContext } from '../../../../src/sim/log';
import { ContainerRuntime, criErrorMessage, type ContainerInfo, type CriResult, type PulledImage, type Sandbox } from '../../../../src/sim/runtime/runtime';
import { PodAddressPool } from '../../../../src/sim/runtime/address-pool';

function setup() {
  const clock = new Clock(7);
  const log = new EventLog();
  const runtime = new ContainerRuntime(clock, log, 'worker-1', { podCIDR: '10.244.1.0/24', hostIP: '10.0.1.10' });
  const ctx: TraceContext = { traceId: 't0' };
  /** Run a callback-style CRI call to completion and return its result. */
  function call<T>(start: (done: (r: CriResult<T>) => void) => void): CriResult<T> {
    let result: CriResult<T> | undefined;
    start((r) => (result = r));
    clock.runUntilCondition(() => result !== undefined, 600_000);
    assert.ok(result, 'the CRI call never answered');
    return result;
  }
  const sandbox = (name = 'web', uid = `uid-${name}`) => {
    const r = call<Sandbox>((d) => runtime.runPodSandbox({ uid, name, namespace: 'default', attempt: 0 }, ctx, d));
    assert.ok(r.ok);
    return r.value;
  };
  const pull = (image: string) => call<PulledImage>((d) => runtime.pullImage(image, undefined, ctx, d));
  const startContainer = (sb: Sandbox, image: string, command?: string[], name = 'c') => {
    assert.ok(pull(image).ok);
    const created = call<ContainerInfo>((d) => runtime.createContainer(sb.id, { name, attempt: 0, image, command, env: [] }, ctx, d));
    assert.ok(created.ok);
    return call<ContainerInfo>((d) => runtime.startContainer(created.value.id, ctx, d));
  };
  return { clock, log, runtime, ctx, call, sandbox, pull, startContainer };
}

describe('sim/runtime/runtime', () => {
  it('takes the same seqs and hands the same trace contexts back whether or not the log is recorded', () => {
    /** Sandbox, pull, create, start and stop, with the contexts every reply hands back. */
    const run = (log: EventLog) => {
      const clock = new Clock(7);
      const runtime = new ContainerRuntime(clock, log, 'worker-1', { podCIDR: '10.244.1.0/24', hostIP: '10.0.1.10' });
      const replies: TraceContext[] = [];
      const ctx: TraceContext = { traceId: 't0', parentId: 0 };
      runtime.runPodSandbox({ uid: 'u', name: 'web', namespace: 'default', attempt: 0 }, ctx, (sb, c1) => {
        replies.push(c1);
        assert.ok(sb.ok);
        runtime.pullImage('nginx:1.27', undefined, c1, (_p, c2) => {
          replies.push(c2);
          runtime.createContainer(sb.value.id, { name: 'c', attempt: 0, image: 'nginx:1.27', env: [] }, c2, (created, c3) => {
            replies.push(c3);
            assert.ok(created.ok);
            runtime.startContainer(created.value.id, c3, (_s, c4) => {
              replies.push(c4);
              runtime.stopContainer(created.value.id, 1, c4, (_x, c5) => replies.push(c5));
            });
          });
        });
      });
      clock.runUntilIdle();
      return { replies, size: log.size };
    };
    const recorded = new EventLog();
    const unrecorded = new EventLog({ store: false });
    const a = run(recorded);
    assert.equal(a.replies.length, 5);
    assert.deepEqual(run(unrecorded), a);
    // Recorded, each reply's context points at the reply entry, whose parent is its call.
    for (const r of a.replies) assert.equal(recorded.get(recorded.get(r.parentId!)!.parentId!)!.kind, 'cri');
  });

  it('gives sandboxes IPs from the pod CIDR and logs each CRI call and its reply, linked', () => {
    const { runtime, log, sandbox } = setup();
    const a = sandbox('a');
    const b = sandbox('b');
    assert.equal(a.ip, '10.244.1.2');
    assert.equal(b.ip, '10.244.1.3');
    assert.equal(runtime.sandboxesOf('uid-a')[0].state, 'SANDBOX_READY');
    const cri = log.all().filter((e) => e.kind === 'cri');
    assert.equal(cri.length, 4);
    assert.equal(cri[0].from, 'kubelet@worker-1');
    assert.equal(cri[0].to, 'runtime@worker-1');
    assert.equal(cri[0].summary, 'RunPodSandbox default/a');
    assert.equal(cri[1].from, 'runtime@worker-1');
    assert.equal(cri[1].parentId, cri[0].seq);
    assert.deepEqual(cri[0].objectRef, { resource: 'pods', namespace: 'default', name: 'a' });
  });

  it('pulls take time by size, are cached per node, and unknown images fail like containerd', () => {
    const { clock, pull } = setup();
    let t = clock.now();
    assert.ok(pull('nginx:1.27').ok);
    const first = clock.now() - t;
    t = clock.now();
    assert.ok(pull('nginx:1.27').ok);
    const cached = clock.now() - t;
    t = clock.now();
    assert.ok(pull('busybox:1.36').ok);
    const small = clock.now() - t;
    assert.ok(first > 1500, `nginx pull took ${first} ms`);
    assert.ok(cached < 500 && small < first, `cached ${cached} ms, busybox ${small} ms`);
    const missing = pull('nginx:1.999');
    assert.ok(!missing.ok);
    assert.equal(
      criErrorMessage(missing),
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.999": failed to resolve reference "docker.io/library/nginx:1.999": docker.io/library/nginx:1.999: not found',
    );
  });

  it('runs `echo hi` to completion, reports the exit and keeps the log', () => {
    const { clock, runtime, sandbox, startContainer } = setup();
    const exits: number[] = [];
    runtime.onContainerExit((e) => exits.push(e.exitCode));
    const started = startContainer(sandbox(), 'busybox:1.36', ['sh', '-c', 'echo hi; exit 3']);
    assert.ok(started.ok);
    clock.advance(1000);
    const c = runtime.containerStatus(started.value.id)!;
    assert.equal(c.state, 'CONTAINER_EXITED');
    assert.equal(c.exitCode, 3);
    assert.equal(c.reason, 'Error');
    assert.deepEqual(exits, [3]);
    assert.equal(runtime.containerLogs(c.id), 'hi\n');
    assert.match(runtime.containerLogs(c.id, { timestamps: true }), /^2026-01-01T00:00:\d\d\.\d{9}Z hi\n$/);
  });

  it('stops gracefully: a server exits 0 on SIGTERM, a shell as PID 1 is killed after the grace period', () => {
    const { clock, runtime, ctx, call, sandbox, startContainer } = setup();
    const sb = sandbox();
    const nginx = startContainer(sb, 'nginx:1.27', undefined, 'nginx');
    const sleeper = startContainer(sb, 'busybox:1.36', ['sleep', '3600'], 'sleeper');
    assert.ok(nginx.ok && sleeper.ok);
    let t = clock.now();
    const a = call<ContainerInfo>((d) => runtime.stopContainer(nginx.value.id, 30, ctx, d));
    assert.ok(a.ok);
    assert.equal(a.value.exitCode, 0);
    assert.equal(a.value.reason, 'Completed');
    assert.ok(clock.now() - t < 1000);
    assert.match(runtime.containerLogs(nginx.value.id), /signal 3 \(SIGQUIT\) received, shutting down/);
    t = clock.now();
    const b = call<ContainerInfo>((d) => runtime.stopContainer(sleeper.value.id, 30, ctx, d));
    assert.ok(b.ok);
    assert.equal(b.value.exitCode, 137);
    assert.ok(clock.now() - t >= 30_000);
  });

  it('a missing binary fails StartContainer with StartError and exit code 128', () => {
    const { sandbox, startContainer, runtime } = setup();
    const r = startContainer(sandbox(), 'busybox:1.36', ['nope']);
    assert.ok(!r.ok);
    const c = runtime.containersOfPod('uid-web')[0];
    assert.equal(c.reason, 'StartError');
    assert.equal(c.exitCode, 128);
  });

  it('power-off kills every process and drops replies; images survive', () => {
    const { clock, runtime, ctx, sandbox, startContainer } = setup();
    const sb = sandbox();
    const started = startContainer(sb, 'nginx:1.27');
    assert.ok(started.ok);
    let answered = false;
    runtime.runPodSandbox({ uid: 'x', name: 'x', namespace: 'default', attempt: 0 }, ctx, () => (answered = true));
    runtime.powerOff();
    clock.advance(10_000);
    assert.equal(answered, false);
    assert.equal(runtime.containerStatus(started.value.id)?.state, 'CONTAINER_EXITED');
    assert.equal(runtime.sandboxesOf('uid-web')[0].state, 'SANDBOX_NOTREADY');
    runtime.powerOn();
    assert.ok(runtime.imageStatus('nginx:1.27'));
  });

  it('newestSandboxOf is the first of sandboxesOf, without sorting', () => {
    const { runtime, ctx, call } = setup();
    assert.equal(runtime.newestSandboxOf('uid-web'), undefined);
    const made: Sandbox[] = [];
    for (const attempt of [0, 1, 2]) {
      const r = call<Sandbox>((d) => runtime.runPodSandbox({ uid: 'uid-web', name: 'web', namespace: 'default', attempt }, ctx, d));
      assert.ok(r.ok);
      made.push(r.value);
    }
    assert.equal(runtime.newestSandboxOf('uid-web'), runtime.sandboxesOf('uid-web')[0]);
    assert.equal(runtime.newestSandboxOf('uid-web'), made[2]);
    assert.ok(call<void>((d) => runtime.removePodSandbox(made[2].id, ctx, d)).ok);
    assert.equal(runtime.newestSandboxOf('uid-web'), made[1]);
  });

  it('the address pool hands out addresses round robin and reports exhaustion', () => {
    const pool = new PodAddressPool('10.244.7.0/29');
    const got = [pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()];
    assert.deepEqual(got, ['10.244.7.2', '10.244.7.3', '10.244.7.4', '10.244.7.5', '10.244.7.6']);
    assert.equal(pool.allocate(), undefined);
    pool.release('10.244.7.3');
    assert.equal(pool.allocate(), '10.244.7.3');
  });
});
