import { strict as assert } from 'node:assert';
import { applyOk, deployment, readyPods, service, startCluster, waitFor } from '../controllers/helpers';
import { proxyOn, sendToService } from '../../../../src/sim/proxy';
import { Faults } from '../../../../src/sim/faults';
import type { Endpoints, Node, Service } from '../../../../src/sim/api/types';

describe('Services: endpoints controller and kube-proxy on a real cluster', () => {
  it('a request from a pod on a node reaches a ready endpoint through that node\'s rules', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 3), service('web', { app: 'web' }));
    waitFor(cluster, '3 ready', () => readyPods(cluster, 'web').length === 3);
    const svc = cluster.read.get<Service>('services', 'default', 'web')!;
    assert.match(svc.spec.clusterIP!, /^10\.96\.\d+\.\d+$/);
    waitFor(cluster, 'endpoints with 3 addresses', () => cluster.read.get<Endpoints>('endpoints', 'default', 'web')?.subsets?.[0]?.addresses?.length === 3, 30_000);
    const ep = cluster.read.get<Endpoints>('endpoints', 'default', 'web')!;
    assert.deepEqual(ep.subsets![0].ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    const podIPs = readyPods(cluster, 'web').map((p) => p.status!.podIP).sort();
    assert.deepEqual(ep.subsets![0].addresses!.map((a) => a.ip).sort(), podIPs);
    cluster.clock.advance(2_000);
    const proxy = proxyOn(cluster, 'worker-1')!;
    assert.ok(proxy.iptablesSave().includes(`-d ${svc.spec.clusterIP}/32`));
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const r = sendToService(cluster, 'worker-1', { name: 'web' });
      assert.ok(r.ok, JSON.stringify(r));
      assert.ok(podIPs.includes(r.endpoint.split(':')[0]));
      seen.add(r.pod);
    }
    assert.equal(seen.size, 3, 'every endpoint gets traffic');
    assert.ok(cluster.log.all().some((e) => e.kind === 'note' && e.from === 'pod@worker-1' && e.summary.includes('KUBE-SVC-')));

    // worker-3 powers off: after the grace period its pod is marked not ready and leaves the rules.
    const faults = new Faults(cluster);
    faults.stop('node', 'worker-3');
    const onW3 = readyPods(cluster, 'web').find((p) => p.spec.nodeName === 'worker-3')!.status!.podIP!;
    waitFor(cluster, 'endpoint on worker-3 not ready', () => {
      const s = cluster.read.get<Endpoints>('endpoints', 'default', 'web')?.subsets ?? [];
      return s.some((x) => (x.notReadyAddresses ?? []).some((a) => a.ip === onW3));
    }, 120_000);
    cluster.clock.advance(2_000);
    for (let i = 0; i < 30; i++) {
      const r = sendToService(cluster, 'worker-1', { name: 'web' });
      assert.ok(r.ok);
      assert.notEqual(r.node, 'worker-3');
    }
    assert.equal(sendToService(cluster, 'worker-3', { name: 'web' }).ok, false, 'a powered-off node sends nothing');
  });

  it('a NodePort Service answers on every node\'s address: the packet goes to that node, whose rules send it on', () => {
    const cluster = startCluster();
    const np = service('web-np', { app: 'web' });
    np.spec.type = 'NodePort';
    applyOk(cluster, deployment('web', 2), np);
    waitFor(cluster, '2 ready', () => readyPods(cluster, 'web').length === 2);
    waitFor(cluster, 'endpoints', () => cluster.read.get<Endpoints>('endpoints', 'default', 'web-np')?.subsets?.[0]?.addresses?.length === 2, 30_000);
    cluster.clock.advance(2_000);
    const nodePort = cluster.read.get<Service>('services', 'default', 'web-np')!.spec.ports![0].nodePort!;
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    const podIPs = readyPods(cluster, 'web').map((p) => p.status!.podIP);
    const ipOf = (node: string) => cluster.read.get<Node>('nodes', undefined, node)!.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
    for (const node of ['worker-1', 'worker-2', 'worker-3', 'master-2']) {
      const r = sendToService(cluster, 'worker-1', { ip: ipOf(node) }, nodePort);
      assert.ok(r.ok, `${node}: ${JSON.stringify(r)}`);
      assert.equal(r.chains[1], 'KUBE-NODEPORTS');
      assert.ok(podIPs.includes(r.endpoint.split(':')[0]));
    }
    assert.match((sendToService(cluster, 'worker-1', { ip: ipOf('worker-2') }, nodePort + 1) as { error: string }).error, /no Service has node port/);
    // A powered-off machine's address answers nothing.
    new Faults(cluster).stop('node', 'worker-3');
    assert.match((sendToService(cluster, 'worker-1', { ip: ipOf('worker-3') }, nodePort) as { error: string }).error, /node worker-3 unreachable/);
  });

  it('the kubernetes Service at 10.96.0.1 lists the live API servers', () => {
    const cluster = startCluster();
    cluster.clock.advance(12_000);
    const svc = cluster.read.get<Service>('services', 'default', 'kubernetes')!;
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
    const ips = () => (cluster.read.get<Endpoints>('endpoints', 'default', 'kubernetes')?.subsets?.[0]?.addresses ?? []).map((a) => a.ip);
    assert.equal(ips().length, 3);
    const r = sendToService(cluster, 'worker-2', { name: 'kubernetes' });
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.endpoint.endsWith(':6443') && r.pod.startsWith('(host network of master-'));
    new Faults(cluster).stop('node', 'master-2');
    waitFor(cluster, 'master-2 leaves the kubernetes endpoints', () => ips().length === 2, 60_000);
  });
});
