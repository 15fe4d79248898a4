import { strict as assert } from 'node:assert';
import type { CoreEvent, KubeObject, Pod } from '../../../../src/sim/api/types';
import type { Cluster } from '../../../../src/sim/cluster';
import { bootCluster, call, message } from '../support/harness';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function create(cluster: Cluster, resource: string, body: KubeObject): void {
  const res = call(cluster, { verb: 'create', apiVersion: 'v1', resource, namespace: 'default', body });
  assert.equal(res.code, 201, message(res));
}

/** A busybox pod that prints `script`'s output and exits (restartPolicy Never). */
function printer(name: string, script: string, container: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'printer' } },
    spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', script], ...container }] },
  };
}

function podOf(cluster: Cluster, name: string): Pod | undefined {
  return cluster.read.get<Pod>('pods', 'default', name);
}

function logsOf(cluster: Cluster, name: string): string {
  const pod = podOf(cluster, name)!;
  const r = cluster.kubelets.get(pod.spec.nodeName!)!.logs('default', name, undefined);
  assert.equal(r.code, 200);
  return (r as { text: string }).text;
}

function until(cluster: Cluster, what: () => boolean, maxMs = 120_000): void {
  assert.ok(cluster.clock.runUntilCondition(what, maxMs), 'condition not reached in time');
}

describe('sim/kubelet: environment from ConfigMaps, Secrets and the pod (makeEnvironmentVariables)', () => {
  it('resolves secretKeyRef, configMapKeyRef, envFrom with prefix and fieldRef into the process environment', () => {
    const cluster = bootCluster();
    create(cluster, 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: b64('s3cr3t wörd'), user: b64('root') } } as KubeObject);
    create(cluster, 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { host: 'db.local', 'log.level': 'debug', MODE: 'from-cm' } } as KubeObject);
    create(cluster, 'pods', printer('p1', 'echo "$PASSWORD|$DB_HOST|$CFG_host|$S_user|$MODE|$ME|$NS|$NODE|$APP|$IP|$SA"; printenv CFG_log.level', {
      envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app' } }, { prefix: 'S_', secretRef: { name: 'db' } }, { configMapRef: { name: 'app' } }],
      env: [
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'DB_HOST', valueFrom: { configMapKeyRef: { name: 'app', key: 'host' } } },
        { name: 'MODE', value: 'env-wins' },
        { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      ],
    }) as KubeObject);
    until(cluster, () => podOf(cluster, 'p1')?.status?.phase === 'Succeeded');
    const pod = podOf(cluster, 'p1')!;
    assert.equal(logsOf(cluster, 'p1'), `s3cr3t wörd|db.local|db.local|root|env-wins|p1|default|${pod.spec.nodeName}|printer|${pod.status!.podIP}|default\ndebug\n`);
    // The kubelet read both objects through the API server: a GET from kubelet@<node> for each.
    const gets = cluster.log.all().filter((e) => e.kind === 'request' && e.from === `kubelet@${pod.spec.nodeName}` && /configmaps|secrets/.test(e.objectRef?.resource ?? '') && e.detail?.verb === 'get');
    assert.deepEqual(gets.map((e) => `${e.objectRef!.resource}/${e.objectRef!.name}`).sort(), ['configmaps/app', 'secrets/db']);
  });

  it('a missing Secret leaves the container Waiting in CreateContainerConfigError, retried until the Secret exists', () => {
    const cluster = bootCluster();
    create(cluster, 'pods', printer('p2', 'echo "token=$TOKEN"', { env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } }] }) as KubeObject);
    const waiting = () => podOf(cluster, 'p2')?.status?.containerStatuses?.[0]?.state?.waiting;
    until(cluster, () => waiting()?.reason === 'CreateContainerConfigError');
    assert.deepEqual(waiting(), { reason: 'CreateContainerConfigError', message: 'secret "api" not found' });
    assert.equal(podOf(cluster, 'p2')!.status!.phase, 'Pending');
    const events = () => cluster.read.list<CoreEvent>('events').filter((e) => e.involvedObject.name === 'p2' && e.reason === 'Failed').map((e) => e.message);
    until(cluster, () => events().length > 0, 5_000);
    assert.deepEqual(events(), ['Error: secret "api" not found']);
    // The Secret appears without the key: the message names the key.
    create(cluster, 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api' }, stringData: { other: 'x' } } as KubeObject);
    until(cluster, () => waiting()?.message === "couldn't find key token in Secret default/api", 30_000);
    const res = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'secrets', namespace: 'default', name: 'api', patchType: 'application/merge-patch+json', body: { stringData: { token: 'abc123' } } });
    assert.equal(res.code, 200, message(res));
    until(cluster, () => podOf(cluster, 'p2')?.status?.phase === 'Succeeded', 60_000);
    assert.equal(logsOf(cluster, 'p2'), 'token=abc123\n');
  });

  it('a missing ConfigMap key is reported with the ConfigMap; optional references do not block', () => {
    const cluster = bootCluster();
    create(cluster, 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } } as KubeObject);
    create(cluster, 'pods', printer('p3', 'echo "[$A][$B][$C][$D]"', {
      envFrom: [{ secretRef: { name: 'nope', optional: true } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'a' } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'b', optional: true } } },
        { name: 'C', valueFrom: { configMapKeyRef: { name: 'gone', key: 'c', optional: true } } },
        { name: 'D', valueFrom: { secretKeyRef: { name: 'gone', key: 'd', optional: true } } },
      ],
    }) as KubeObject);
    create(cluster, 'pods', printer('p4', 'echo $X', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'x' } } }] }) as KubeObject);
    create(cluster, 'pods', printer('p5', 'echo $X', { envFrom: [{ configMapRef: { name: 'missing' } }] }) as KubeObject);
    until(cluster, () => podOf(cluster, 'p3')?.status?.phase === 'Succeeded');
    assert.equal(logsOf(cluster, 'p3'), '[1][][][]\n');
    const waiting = (name: string) => podOf(cluster, name)?.status?.containerStatuses?.[0]?.state?.waiting;
    until(cluster, () => waiting('p4')?.reason === 'CreateContainerConfigError' && waiting('p5')?.reason === 'CreateContainerConfigError');
    assert.deepEqual(waiting('p4'), { reason: 'CreateContainerConfigError', message: "couldn't find key x in ConfigMap default/cm" });
    assert.deepEqual(waiting('p5'), { reason: 'CreateContainerConfigError', message: 'configmap "missing" not found' });
  });
});
