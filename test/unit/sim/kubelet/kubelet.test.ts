import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import { EventLog } from '../../../../src/sim/log';
import type { CoreEvent, Lease, Node, Pod } from '../../../../src/sim/api/types';
import { Kubelet, type NodeConfig } from '../../../../src/sim/kubelet/kubelet';
import { FakeApi } from './fake-api';

const WORKER: NodeConfig = { name: 'worker-1', zone: 'us-east-2a', role: 'worker', capacity: { cpu: '4', memory: '8Gi', pods: '110' }, internalIP: '10.0.1.10', podCIDR: '10.244.1.0/24' };

function setup(config: NodeConfig = WORKER) {
  const clock = new Clock(3);
  const log = new EventLog();
  const api = new FakeApi(clock, log);
  const kubelet = new Kubelet(api.env(config.name), config);
  kubelet.start();
  clock.advance(100);
  const pod = (name: string) => api.get<Pod>('pods', 'default', name);
  const events = (name: string) =>
    [...api.objects.values()].filter((o): o is CoreEvent => o.kind === 'Event' && (o as CoreEvent).involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
  const until = (what: () => boolean, maxMs = 120_000) => assert.ok(clock.runUntilCondition(what, maxMs), 'condition not reached in time');
  return { clock, log, api, kubelet, pod, events, until };
}

describe('sim/kubelet', () => {
  it('registers its Node with well-known labels and renews its Lease every 10 s', () => {
    const { api, clock } = setup({ ...WORKER, name: 'master-1', role: 'control-plane' });
    const node = api.get<Node>('nodes', undefined, 'master-1')!;
    assert.equal(node.metadata.labels!['kubernetes.io/hostname'], 'master-1');
    assert.equal(node.metadata.labels!['topology.kubernetes.io/zone'], 'us-east-2a');
    assert.equal(node.metadata.labels!['node-role.kubernetes.io/control-plane'], '');
    assert.deepEqual(node.spec.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    assert.equal(node.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
    assert.equal(node.status!.nodeInfo!.kubeletVersion, 'v1.32.2');
    assert.deepEqual(node.status!.addresses![0], { type: 'InternalIP', address: '10.0.1.10' });
    const lease = () => api.get<Lease>('leases', 'kube-node-lease', 'master-1')!;
    const first = lease().spec.renewTime;
    assert.ok(first);
    assert.equal(lease().metadata.ownerReferences![0].uid, node.metadata.uid);
    clock.advance(10_000);
    assert.notEqual(lease().spec.renewTime, first);
  });

  it('runs a pod: sandbox, pull, create, start; Running and Ready with an IP from the pod CIDR', () => {
    const { api, pod, events, until, log } = setup();
    api.createPod('web', 'worker-1', { containers: [{ name: 'nginx', image: 'nginx:1.27' }] });
    until(() => pod('web')?.status?.phase === 'Running');
    const status = pod('web')!.status!;
    assert.match(status.podIP!, /^10\.244\.1\.\d+$/);
    assert.equal(status.hostIP, '10.0.1.10');
    assert.equal(status.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
    const cs = status.containerStatuses![0];
    assert.ok(cs.state?.running?.startedAt);
    assert.equal(cs.image, 'docker.io/library/nginx:1.27');
    assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:/);
    assert.match(cs.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
    const reasons = events('web').map((e) => e.split(':')[0]);
    assert.deepEqual(reasons, ['Pulling', 'Pulled', 'Created', 'Started']);
    assert.match(events('web')[1], /^Pulled: Successfully pulled image "nginx:1.27" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/);
    const calls = log.all().filter((e) => e.kind === 'cri' && e.from === 'kubelet@worker-1').map((e) => e.detail!.method);
    assert.deepEqual(calls, ['RunPodSandbox', 'PullImage', 'CreateContainer', 'StartContainer']);
  });

  it('a wrong image ends in ImagePullBackOff, with pulls retried after 10, 20, 40 s', () => {
    const { api, pod, until, log, clock, events } = setup();
    api.createPod('bad', 'worker-1', { containers: [{ name: 'app', image: 'nginx:1.999' }] });
    until(() => pod('bad')?.status?.containerStatuses?.[0].state?.waiting?.reason === 'ErrImagePull');
    const waiting = pod('bad')!.status!.containerStatuses![0].state!.waiting!;
    assert.match(waiting.message!, /^rpc error: code = NotFound desc = failed to pull and unpack image "docker.io\/library\/nginx:1.999"/);
    until(() => pod('bad')?.status?.containerStatuses?.[0].state?.waiting?.reason === 'ImagePullBackOff');
    assert.match(pod('bad')!.status!.containerStatuses![0].state!.waiting!.message!, /^Back-off pulling image "nginx:1.999": ErrImagePull: rpc error/);
    clock.advance(200_000);
    const pulls = log.all().filter((e) => e.kind === 'cri' && e.detail?.method === 'PullImage' && e.from.startsWith('runtime')).map((e) => e.t);
    const gaps = pulls.slice(1).map((t, i) => Math.round((t - pulls[i]) / 1000));
    assert.deepEqual(gaps.slice(0, 3), [10, 20, 40]);
    assert.equal(pod('bad')!.status!.phase, 'Pending');
    assert.ok(events('bad').includes('BackOff: Back-off pulling image "nginx:1.999"'));
    assert.ok(events('bad').includes('Failed: Error: ImagePullBackOff'));
  });

  it('a crashing command ends in CrashLoopBackOff, restarts after 10, 20, 40 s', () => {
    const { api, pod, until, clock, log } = setup();
    api.createPod('crash', 'worker-1', { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'echo oops; exit 1'] }] });
    until(() => pod('crash')?.status?.containerStatuses?.[0].state?.waiting?.reason === 'CrashLoopBackOff');
    const cs = pod('crash')!.status!.containerStatuses![0];
    assert.match(cs.state!.waiting!.message!, /^back-off 10s restarting failed container=app pod=crash_default\(uid-\d+\)$/);
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    clock.advance(200_000);
    const starts = log.all().filter((e) => e.kind === 'cri' && e.detail?.method === 'StartContainer' && e.from.startsWith('runtime')).map((e) => e.t);
    const gaps = starts.slice(1).map((t, i) => Math.round((t - starts[i]) / 1000));
    assert.deepEqual(gaps.slice(1, 4), [10, 20, 40]);
    assert.ok(pod('crash')!.status!.containerStatuses![0].restartCount >= 4);
    assert.equal(pod('crash')!.status!.phase, 'Running');
  });

  it('`echo hi` with restartPolicy Never ends Succeeded, and its log says "hi"', () => {
    const { api, pod, until, kubelet } = setup();
    api.createPod('hello', 'worker-1', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['echo', 'hi'] }] });
    until(() => pod('hello')?.status?.phase === 'Succeeded');
    const cs = pod('hello')!.status!.containerStatuses![0];
    assert.equal(cs.state?.terminated?.reason, 'Completed');
    assert.equal(cs.restartCount, 0);
    assert.deepEqual(kubelet.logs('default', 'hello', undefined), { code: 200, text: 'hi\n' });
    assert.deepEqual(kubelet.logs('default', 'hello', 'c', { previous: true }), { code: 400, reason: 'BadRequest', message: 'previous terminated container "c" in pod "hello" not found' });
    assert.equal(kubelet.logs('default', 'nope', undefined).code, 404);
  });

  it('deletion is graceful: SIGTERM, containers stop, then the kubelet confirms with grace 0', () => {
    const { api, pod, until, clock, events } = setup();
    api.createPod('web', 'worker-1', { containers: [{ name: 'nginx', image: 'nginx:1.27' }] });
    api.createPod('sleeper', 'worker-1', { containers: [{ name: 'sh', image: 'busybox:1.36', command: ['sleep', '3600'] }] });
    until(() => pod('web')?.status?.phase === 'Running' && pod('sleeper')?.status?.phase === 'Running');
    const t0 = clock.now();
    api.deletePod('web');
    api.deletePod('sleeper');
    clock.advance(50);
    assert.ok(pod('web')?.metadata.deletionTimestamp, 'Terminating');
    until(() => !pod('web'));
    assert.ok(clock.now() - t0 < 5_000, 'nginx stops at once on SIGTERM');
    assert.ok(pod('sleeper'), 'sleep as PID 1 ignores SIGTERM');
    until(() => !pod('sleeper'), 40_000);
    assert.ok(clock.now() - t0 >= 30_000, 'killed after the 30 s grace period');
    const confirm = api.requests.filter((r) => r.verb === 'delete' && r.client === 'kubelet/worker-1');
    assert.equal(confirm.length, 2);
    assert.equal(confirm[0].query?.gracePeriodSeconds, 0);
    assert.ok(events('web').includes('Killing: Stopping container nginx'));
  });

  it('a kubelet restart does not restart running containers; a power-off kills them', () => {
    const { api, pod, until, clock, kubelet } = setup();
    api.createPod('web', 'worker-1', { containers: [{ name: 'nginx', image: 'nginx:1.27' }] });
    until(() => pod('web')?.status?.phase === 'Running');
    const id = pod('web')!.status!.containerStatuses![0].containerID;
    kubelet.stop();
    clock.advance(30_000);
    assert.equal(kubelet.runtime.containersOfPod(pod('web')!.metadata.uid!)[0].state, 'CONTAINER_RUNNING');
    kubelet.start();
    clock.advance(5_000);
    assert.equal(pod('web')!.status!.containerStatuses![0].containerID, id);
    assert.equal(pod('web')!.status!.containerStatuses![0].restartCount, 0);
    kubelet.powerOff();
    clock.advance(60_000);
    kubelet.start();
    until(() => pod('web')!.status!.containerStatuses![0].restartCount === 1 && pod('web')!.status!.phase === 'Running');
    assert.equal(pod('web')!.status!.containerStatuses![0].lastState?.terminated?.exitCode, 255);
  });
});
