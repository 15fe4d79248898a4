import { strict as assert } from 'node:assert';
import type { ChannelStatus } from '../../../../src/sim/api/exec';
import type { ApiResponse } from '../../../../src/sim/api/request';
import type { Pod, Service } from '../../../../src/sim/api/types';
import type { Cluster } from '../../../../src/sim/cluster';
import { Faults } from '../../../../src/sim/faults';
import { NGINX_WELCOME } from '../../../../src/sim/runtime/http-answer';
import { applyOk, deployment, readyPods, service, startCluster, waitFor } from '../controllers/helpers';

const CLIENT: Pod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'default' },
  spec: { containers: [{ name: 'client', image: 'busybox:1.37', command: ['sleep', '3600'] }] },
};

interface Session {
  response: ApiResponse;
  stdout: string;
  stderr: string;
  status?: ChannelStatus;
  traceId: string;
}

/** kubectl exec through the load balancer, run until the session ends (or `maxMs` pass). */
function exec(cluster: Cluster, pod: string, command: string[], extra: { container?: string } = {}, maxMs = 60_000): Session {
  const traceId = cluster.log.newTraceId();
  const s: Partial<Session> & { stdout: string; stderr: string; traceId: string } = { stdout: '', stderr: '', traceId };
  cluster.client('kubectl').request(
    { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: pod, subresource: 'exec', query: { command, stdout: true, stderr: true, ...extra } },
    { traceId },
    (res) => {
      s.response = res;
      res.stream?.attach({ output: (which, text) => (s[which] += text), end: (status) => (s.status = status) });
    },
  );
  cluster.clock.runUntilCondition(() => s.response !== undefined && (s.response.code !== 101 || s.status !== undefined), maxMs);
  assert.ok(s.response, 'no answer');
  return s as Session;
}

describe('kubectl exec in the simulated cluster', function () {
  this.timeout(60_000);
  let cluster: Cluster;

  before(() => {
    cluster = startCluster();
    applyOk(cluster, deployment('web', 2, 'nginx:1.27'), service('web', { app: 'web' }, 80, 80));
    waitFor(cluster, '2 ready', () => readyPods(cluster, 'web').length === 2);
    // Created after the Service, so the kubelet gives it WEB_SERVICE_HOST and WEB_SERVICE_PORT.
    applyOk(cluster, CLIENT);
    waitFor(cluster, 'client running', () => cluster.read.get<Pod>('pods', 'default', 'client')?.status?.phase === 'Running');
    cluster.clock.advance(3_000);
  });

  it('goes kubectl → load balancer → API server → the node\'s kubelet → CRI Exec, and wget reaches the Service through kube-proxy', () => {
    const s = exec(cluster, 'client', ['sh', '-c', 'wget -qO- $WEB_SERVICE_HOST:$WEB_SERVICE_PORT']);
    assert.equal(s.response.code, 101);
    assert.deepEqual(s.status, { metadata: {}, status: 'Success' });
    assert.equal(s.stdout, NGINX_WELCOME);
    const node = cluster.read.get<Pod>('pods', 'default', 'client')!.spec.nodeName!;
    const trace = cluster.log.all().filter((e) => e.traceId === s.traceId);
    const hops = trace.map((e) => `${e.kind} ${e.from} → ${e.to}`);
    const at = (pattern: RegExp) => trace.findIndex((e) => pattern.test(`${e.kind} ${e.from} → ${e.to} ${e.summary}`));
    const order = [
      at(/^request kubectl → lb GET \/api\/v1\/namespaces\/default\/pods\/client\/exec/),
      at(/^forward lb → apiserver@master-\d/),
      at(/^response apiserver@master-\d → kubectl 101 Switching Protocols/),
      at(new RegExp(`^request apiserver@master-\\d → kubelet@${node} POST https://10\\.0\\.\\d+\\.\\d+:10250/exec/default/client/client\\?command=sh&command=-c&command=wget`)),
      at(new RegExp(`^cri kubelet@${node} → runtime@${node} Exec \\["sh","-c"`)),
      at(new RegExp(`^cri runtime@${node} → kubelet@${node} Exec OK: streaming URL http://127\\.0\\.0\\.1:\\d+/exec/`)),
      at(new RegExp(`^response kubelet@${node} → apiserver@master-\\d 101 Switching Protocols`)),
      at(/^note apiserver@master-\d → kubectl exec ended: exit code 0/),
    ];
    assert.ok(order.every((i) => i >= 0), hops.join('\n'));
    assert.deepEqual([...order].sort((a, b) => a - b), order, hops.join('\n'));
    const proxied = cluster.log.all().filter((e) => e.kind === 'note' && e.from === `pod@${node}` && /KUBE-SVC-.* → 10\.244\.\d+\.\d+:80 \(pod default\/web-/.test(e.summary));
    assert.equal(proxied.length, 1, 'the request went through the node\'s kube-proxy rules once');
  });

  it('a non-zero exit code, a missing binary, an invalid container and a pod that does not exist', () => {
    const failed = exec(cluster, 'client', ['sh', '-c', 'echo oops >&2; exit 3']);
    assert.equal(failed.stderr, 'oops\n');
    assert.equal(failed.status?.reason, 'NonZeroExitCode');
    assert.deepEqual(failed.status?.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
    const missing = exec(cluster, 'client', ['bash']);
    assert.match(missing.status!.message!, /^Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in \$PATH: unknown$/);
    const invalid = exec(cluster, 'client', ['ls'], { container: 'nope' });
    assert.equal(invalid.response.code, 400);
    assert.equal((invalid.response.body as { message: string }).message, 'container nope is not valid for pod client');
    const absent = exec(cluster, 'ghost', ['ls']);
    assert.equal(absent.response.code, 404);
    assert.equal((absent.response.body as { message: string }).message, 'pods "ghost" not found');
  });

  it('curl to a Service without endpoints is refused by kube-proxy\'s REJECT, to a pod IP goes over the pod network', () => {
    applyOk(cluster, service('empty', { app: 'nothing' }, 80, 80));
    cluster.clock.advance(3_000);
    const ip = cluster.read.get<Service>('services', 'default', 'empty')!.spec.clusterIP!;
    const empty = exec(cluster, 'client', ['sh', '-c', `wget -qO- ${ip}`]);
    assert.equal(empty.stderr, `wget: can't connect to remote host (${ip}): Connection refused\n`);
    const web = readyPods(cluster, 'web')[0];
    const direct = exec(cluster, 'client', ['wget', '-qO-', `${web.status!.podIP}:80`]);
    assert.equal(direct.stdout, NGINX_WELCOME);
    const closedPort = exec(cluster, 'client', ['wget', '-qO-', `${web.status!.podIP}:8080`]);
    assert.match(closedPort.stderr, /Connection refused/);
  });

  it('a pod whose node is down: the API server cannot dial the kubelet', () => {
    const web = readyPods(cluster, 'web')[0];
    const faults = new Faults(cluster);
    faults.stop('node', web.spec.nodeName!);
    const s = exec(cluster, web.metadata.name!, ['ls'], {}, 60_000);
    assert.equal(s.response.code, 101);
    assert.match(s.status!.message!, /^Internal error occurred: error sending request: Post "https:\/\/10\.0\.\d+\.\d+:10250\/exec\/default\/web-[^"]+": dial tcp 10\.0\.\d+\.\d+:10250: i\/o timeout$/);
    faults.start('node', web.spec.nodeName!);
  });
});
