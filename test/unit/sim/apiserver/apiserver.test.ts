import { strict as assert } from 'node:assert';
import type { ListObject } from '../../../../src/sim/api/request';
import type { KubeObject, Pod } from '../../../../src/sim/api/types';
import type { Cluster } from '../../../../src/sim/cluster';
import { bootCluster, call, createPod, message, pod, record } from '../support/harness';

describe('sim/apiserver', () => {
  let cluster: Cluster;
  before(() => {
    cluster = bootCluster({ kubelets: false, controlPlane: [] });
  });

  it('creates a pod with upstream defaults and resourceVersion = the etcd revision', () => {
    const res = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: pod('defaults', { spec: { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'nginx:1.27' }] } }) });
    assert.equal(res.code, 201);
    const p = res.body as Pod;
    assert.equal(p.metadata.namespace, 'default');
    assert.match(p.metadata.uid!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(p.spec.restartPolicy, 'Always');
    assert.equal(p.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(p.spec.terminationGracePeriodSeconds, 30);
    assert.equal(p.spec.schedulerName, 'default-scheduler');
    assert.equal(p.spec.serviceAccountName, 'default');
    assert.equal(p.spec.containers[0].imagePullPolicy, 'Always', 'no tag means :latest');
    assert.equal(p.spec.containers[1].imagePullPolicy, 'IfNotPresent');
    assert.equal(p.spec.containers[0].terminationMessagePath, '/dev/termination-log');
    assert.deepEqual(p.spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(p.status?.qosClass, 'BestEffort');
    const leader = cluster.etcd.leader()!;
    const kv = leader.store.get('/registry/pods/default/defaults') as { modRevision: number };
    assert.equal(p.metadata.resourceVersion, String(kv.modRevision));
    assert.ok(Object.isFrozen(p), 'stored objects are frozen and shared');
  });

  it('gives NodePort and LoadBalancer Services a node port per port, checks the ones asked for, and none to ClusterIP', () => {
    const svc = (name: string, spec: Record<string, unknown>) => call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'services', namespace: 'default', body: { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec } });
    type Spec = { ports: { nodePort?: number }[]; externalTrafficPolicy?: string; allocateLoadBalancerNodePorts?: boolean };
    const specOf = (res: { body?: unknown }) => (res.body as { spec: Spec }).spec;
    const np = svc('np', { type: 'NodePort', selector: { app: 'x' }, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443, nodePort: 30443 }] });
    assert.equal(np.code, 201, message(np));
    const npSpec = specOf(np);
    assert.ok(npSpec.ports[0].nodePort! >= 30000 && npSpec.ports[0].nodePort! <= 32767, `allocated ${npSpec.ports[0].nodePort}`);
    assert.equal(npSpec.ports[1].nodePort, 30443);
    assert.equal(npSpec.externalTrafficPolicy, 'Cluster');
    const lb = specOf(svc('lb', { type: 'LoadBalancer', ports: [{ port: 80 }] }));
    assert.equal(lb.allocateLoadBalancerNodePorts, true);
    assert.ok(lb.ports[0].nodePort! >= 30000 && lb.ports[0].nodePort! !== npSpec.ports[0].nodePort);
    const lbNone = specOf(svc('lb-none', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] }));
    assert.equal(lbNone.ports[0].nodePort, undefined);
    assert.equal(specOf(svc('cip', { ports: [{ port: 80 }] })).ports[0].nodePort, undefined);
    const taken = svc('taken', { type: 'NodePort', ports: [{ port: 80, nodePort: 30443 }] });
    assert.equal(taken.code, 422);
    assert.equal(message(taken), 'Service "taken" is invalid: spec.ports[0].nodePort: Invalid value: 30443: provided port is already allocated');
    assert.equal(message(svc('low', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })),
      'Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
    assert.equal(message(svc('cip2', { ports: [{ port: 80, nodePort: 30999 }] })), "Service \"cip2\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  });

  it('keeps, allocates and drops node ports across updates as the type changes', () => {
    type Port = { name?: string; port: number; nodePort?: number };
    const body = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'moves' }, spec: { selector: { app: 'x' }, ...spec } });
    const ports = (res: { code: number; body?: unknown }) => {
      assert.ok(res.code === 200 || res.code === 201, message(res as never));
      return (res.body as { spec: { ports: Port[]; type: string } }).spec.ports;
    };
    const merge = (patch: Record<string, unknown>) => call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'services', namespace: 'default', name: 'moves', patchType: 'application/merge-patch+json', body: patch });
    assert.equal(ports(call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'services', namespace: 'default', body: body({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }) }))[0].nodePort, undefined);
    const exposed = ports(merge({ spec: { type: 'NodePort' } }));
    assert.ok(exposed.every((p) => p.nodePort! >= 30000 && p.nodePort! <= 32767), JSON.stringify(exposed));
    assert.notEqual(exposed[0].nodePort, exposed[1].nodePort);
    // A replace that leaves the node ports out keeps them (kubectl apply of the original manifest does).
    const current = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'services', namespace: 'default', name: 'moves' }).body as unknown as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    const replaced = call(cluster, { verb: 'update', apiVersion: 'v1', resource: 'services', namespace: 'default', name: 'moves', body: { ...body({ type: 'NodePort', clusterIP: current.spec.clusterIP, ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }), metadata: current.metadata } });
    assert.deepEqual(ports(replaced).map((p) => p.nodePort), exposed.map((p) => p.nodePort));
    const back = ports(merge({ spec: { type: 'ClusterIP' } }));
    assert.deepEqual(back.map((p) => p.nodePort), [undefined, undefined]);
  });

  it('refuses type-dependent fields a Service type does not use, as upstream validation', () => {
    const create = (name: string, spec: Record<string, unknown>) => call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'services', namespace: 'default', body: { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }], ...spec } } });
    assert.equal(message(create('etp', { externalTrafficPolicy: 'Local' })), 'Service "etp" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services');
    assert.equal(message(create('alloc', { type: 'NodePort', allocateLoadBalancerNodePorts: false })), "Service \"alloc\" is invalid: spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'");
    assert.equal(create('external-ips', { externalIPs: ['203.0.113.7'], externalTrafficPolicy: 'Local' }).code, 201, 'a ClusterIP Service with external IPs is reachable from outside');
  });

  it('defaults, keeps and drops type-dependent Service fields across updates as upstream\'s registry', () => {
    type Spec = Record<string, unknown> & { ports: { nodePort?: number; protocol?: string }[] };
    const spec = (res: { code: number; body?: unknown }) => {
      assert.ok(res.code === 200 || res.code === 201, message(res as never));
      return (res.body as { spec: Spec }).spec;
    };
    const merge = (patch: Record<string, unknown>) => call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'services', namespace: 'default', name: 'types', patchType: 'application/merge-patch+json', body: { spec: patch } });
    const created = spec(call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'services', namespace: 'default', body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'types' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } } }));
    const clusterIP = created.clusterIP as string;
    const lb = spec(merge({ type: 'LoadBalancer' }));
    assert.equal(lb.externalTrafficPolicy, 'Cluster', 'defaulted on update, as decoding the body does');
    assert.equal(lb.allocateLoadBalancerNodePorts, true);
    assert.equal(lb.clusterIP, clusterIP);
    const back = spec(merge({ type: 'ClusterIP' }));
    assert.equal(back.externalTrafficPolicy, undefined, 'dropped: a ClusterIP Service takes no outside traffic');
    assert.equal(back.allocateLoadBalancerNodePorts, undefined);
    assert.equal(back.ports[0].nodePort, undefined);
    // kubectl replace of a manifest without clusterIP keeps the allocated one.
    const current = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'services', namespace: 'default', name: 'types' }).body as unknown as { metadata: Record<string, unknown> };
    const replaced = spec(call(cluster, { verb: 'update', apiVersion: 'v1', resource: 'services', namespace: 'default', name: 'types', body: { apiVersion: 'v1', kind: 'Service', metadata: current.metadata, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } } }));
    assert.equal(replaced.clusterIP, clusterIP);
    assert.equal(replaced.ports[0].protocol, 'TCP');
    const moved = merge({ clusterIP: '10.96.200.200', clusterIPs: ['10.96.200.200'] });
    assert.equal(message(moved), 'Service "types" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.200.200"}: may not change once set');
    const external = spec(merge({ type: 'ExternalName', externalName: 'example.com' }));
    for (const field of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'internalTrafficPolicy']) assert.equal(external[field], undefined, field);
    const again = spec(merge({ type: 'ClusterIP', externalName: null }));
    assert.match(again.clusterIP as string, /^10\.96\.\d+\.\d+$/, 'a type that needs a cluster IP gets one');
    assert.deepEqual(again.clusterIPs, [again.clusterIP]);
    assert.equal(again.internalTrafficPolicy, 'Cluster');
  });

  it('traces a create as request → forward → etcd quorum → commit → response', () => {
    const res = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: pod('traced') });
    const trace = cluster.log.trace(res.traceId);
    assert.deepEqual(trace.map((e) => e.kind).filter((k, i, all) => all.indexOf(k) === i), ['request', 'forward', 'etcd-propose', 'etcd-append', 'etcd-ack', 'etcd-commit', 'response']);
    const commit = trace.find((e) => e.kind === 'etcd-commit')!;
    const response = trace.find((e) => e.kind === 'response')!;
    assert.equal(response.parentId, commit.seq, 'the answer follows the commit');
    assert.equal(response.detail!.code, 201);
    assert.ok((commit.detail!.acks as string[]).length >= 2);
    assert.equal(trace[0].summary, 'POST /api/v1/namespaces/default/pods');
  });

  it('answers like upstream: AlreadyExists, NotFound, Invalid, missing namespace', () => {
    createPod(cluster, 'dup');
    const again = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: pod('dup') });
    assert.equal(again.code, 409);
    assert.equal(message(again), 'pods "dup" already exists');
    const missing = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'nope' });
    assert.equal(missing.code, 404);
    assert.equal(message(missing), 'pods "nope" not found');
    const invalid = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'app' }] } } });
    assert.equal(invalid.code, 422);
    assert.equal(message(invalid), 'Pod "x" is invalid: spec.containers[0].image: Required value');
    const deploy = call(cluster, { verb: 'get', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', name: 'web' });
    assert.equal(message(deploy), 'deployments.apps "web" not found');
    const noNs = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'ghost', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } });
    assert.equal(noNs.code, 404);
    assert.equal(message(noNs), 'namespaces "ghost" not found');
  });

  it('refuses a stale update with 409 and the upstream message; a fresh one bumps generation only on spec change', () => {
    const created = createPod(cluster, 'occ');
    const first = call(cluster, { verb: 'update', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'occ', body: { ...created, metadata: { ...created.metadata, labels: { a: 'b' } } } });
    assert.equal(first.code, 200);
    assert.equal((first.body as KubeObject).metadata.generation, 1, 'labels are not spec');
    const stale = call(cluster, { verb: 'update', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'occ', body: { ...created, metadata: { ...created.metadata, labels: { a: 'c' } } } });
    assert.equal(stale.code, 409);
    assert.equal(message(stale), 'Operation cannot be fulfilled on pods "occ": the object has been modified; please apply your changes to the latest version and try again');
    const current = first.body as Pod;
    const image = call(cluster, { verb: 'update', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'occ', body: { ...current, spec: { ...current.spec, containers: [{ ...current.spec.containers[0], image: 'nginx:1.28' }] } } });
    assert.equal(image.code, 200);
    assert.equal((image.body as KubeObject).metadata.generation, 2);
    const forbidden = call(cluster, { verb: 'update', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'occ', body: { ...current, metadata: { ...current.metadata, resourceVersion: undefined }, spec: { ...current.spec, restartPolicy: 'Never' } } });
    assert.equal(forbidden.code, 422);
    assert.match(message(forbidden), /^Pod "occ" is invalid: spec: Forbidden: pod updates may not change fields other than/);
  });

  it('patches: strategic merge by container name, JSON merge patch, JSON patch', () => {
    const p = { ...pod('patched'), spec: { containers: [{ name: 'a', image: 'nginx:1.27', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'redis:7' }] } };
    call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: p });
    const smp = call(cluster, {
      verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'patched', patchType: 'application/strategic-merge-patch+json',
      body: { spec: { containers: [{ name: 'b', image: 'redis:7.2' }] } },
    });
    assert.equal(smp.code, 200, message(smp));
    const containers = (smp.body as Pod).spec.containers;
    assert.deepEqual(containers.map((c) => [c.name, c.image]), [['a', 'nginx:1.27'], ['b', 'redis:7.2']]);
    assert.deepEqual(containers[0].env, [{ name: 'X', value: '1' }]);
    const envChange = call(cluster, {
      verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'patched', patchType: 'application/strategic-merge-patch+json',
      body: { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }] }] } },
    });
    assert.equal(envChange.code, 422, 'a pod\'s env is immutable');
    const merge = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'patched', patchType: 'application/merge-patch+json', body: { metadata: { labels: { tier: 'web' } } } });
    assert.equal((merge.body as KubeObject).metadata.labels?.tier, 'web');
    const json = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'patched', patchType: 'application/json-patch+json', body: [{ op: 'replace', path: '/metadata/labels/tier', value: 'db' }] });
    assert.equal((json.body as KubeObject).metadata.labels?.tier, 'db');
    const noop = call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'patched', patchType: 'application/merge-patch+json', body: { metadata: { labels: { tier: 'db' } } } });
    assert.equal((noop.body as KubeObject).metadata.resourceVersion, (json.body as KubeObject).metadata.resourceVersion, 'a no-op patch writes nothing');
  });

  it('binds a pod once: spec.nodeName and PodScheduled, then 409 for a second binding', () => {
    createPod(cluster, 'bindme');
    const binding = (node: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { kind: 'Node', name: node } });
    const ok = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'bindme', subresource: 'binding', body: binding('worker-1') });
    assert.equal(ok.code, 201);
    const got = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'bindme' }).body as Pod;
    assert.equal(got.spec.nodeName, 'worker-1');
    assert.equal(got.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
    const twice = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'bindme', subresource: 'binding', body: binding('worker-2') });
    assert.equal(twice.code, 409);
    assert.equal(message(twice), 'Operation cannot be fulfilled on pods/binding "bindme": pod bindme is already assigned to node "worker-1"');
  });

  it('deletes gracefully: a bound pod gets deletionTimestamp and stays until deleted with grace 0; an unbound one goes at once', () => {
    createPod(cluster, 'graceful');
    call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'graceful', subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'graceful' }, target: { kind: 'Node', name: 'worker-2' } } });
    const del = call(cluster, { verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'graceful' });
    assert.equal(del.code, 200);
    const marked = del.body as Pod;
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(marked.metadata.deletionTimestamp);
    assert.equal(call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'graceful' }).code, 200);
    const confirm = call(cluster, { verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'graceful', query: { gracePeriodSeconds: 0 } });
    assert.equal(confirm.code, 200);
    assert.equal(call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'graceful' }).code, 404);
    createPod(cluster, 'unbound');
    call(cluster, { verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'unbound' });
    assert.equal(call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'unbound' }).code, 404);
  });

  it('evicts through pods/eviction: the pod is deleted gracefully and the answer is a Status Success (201)', () => {
    createPod(cluster, 'evictme');
    call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'evictme', subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'evictme' }, target: { kind: 'Node', name: 'worker-1' } } });
    const eviction = (name: string, deleteOptions?: object) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, deleteOptions });
    const evict = (name: string, body: unknown) => call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name, subresource: 'eviction', body });

    const mismatch = evict('evictme', eviction('other'));
    assert.equal(mismatch.code, 400);
    assert.equal(message(mismatch), 'name in URL does not match name in Eviction object');
    assert.equal(evict('evictme', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evictme' } }).code, 400, 'only an Eviction');
    assert.equal(evict('evictme', eviction('evictme', { gracePeriodSeconds: -1 })).code, 400);
    const get = () => call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'evictme' }).body as Pod;
    assert.equal(get().metadata.deletionTimestamp, undefined, 'refused evictions delete nothing');

    const ok = evict('evictme', eviction('evictme', { gracePeriodSeconds: 5 }));
    assert.equal(ok.code, 201);
    assert.equal((ok.body as { kind: string; status: string }).kind, 'Status');
    assert.equal((ok.body as { status: string }).status, 'Success');
    const marked = get();
    assert.ok(marked.metadata.deletionTimestamp, 'a bound pod stops gracefully');
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 5, "the Eviction's deleteOptions apply");

    const missing = evict('nosuchpod', eviction('nosuchpod'));
    assert.equal(missing.code, 404);
    assert.equal(message(missing), 'pods "nosuchpod" not found');
  });

  it('lists with label and field selectors; unsupported fields are refused as upstream', () => {
    call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: pod('sel-a', { metadata: { name: 'sel-a', labels: { app: 'sel', tier: 'a' } } }) });
    call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: pod('sel-b', { metadata: { name: 'sel-b', labels: { app: 'sel', tier: 'b' } } }) });
    const byLabel = call(cluster, { verb: 'list', apiVersion: 'v1', resource: 'pods', namespace: 'default', query: { labelSelector: 'app=sel,tier!=b' } }).body as ListObject;
    assert.deepEqual(byLabel.items.map((i) => i.metadata.name), ['sel-a']);
    const byName = call(cluster, { verb: 'list', apiVersion: 'v1', resource: 'pods', query: { fieldSelector: 'metadata.name=sel-b' } }).body as ListObject;
    assert.deepEqual(byName.items.map((i) => i.metadata.name), ['sel-b']);
    assert.equal(byName.kind, 'PodList');
    const bad = call(cluster, { verb: 'list', apiVersion: 'v1', resource: 'pods', query: { fieldSelector: 'spec.image=x' } });
    assert.equal(bad.code, 400);
    assert.equal(message(bad), 'field label not supported: spec.image');
    const badLabel = call(cluster, { verb: 'list', apiVersion: 'v1', resource: 'pods', query: { labelSelector: 'a in b' } });
    assert.equal(badLabel.code, 400);
  });

  it('watches: filtered transitions, replay from a resourceVersion, and 410 once it is too old', () => {
    const rv0 = (call(cluster, { verb: 'list', apiVersion: 'v1', resource: 'configmaps', namespace: 'default' }).body as ListObject).metadata.resourceVersion;
    const w = record(cluster, { apiVersion: 'v1', resource: 'configmaps', namespace: 'default', query: { labelSelector: 'keep=yes', resourceVersion: rv0 } });
    const cm = (name: string, keep: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { keep } }, data: { v: '1' } });
    call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: cm('w1', 'yes') });
    call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: cm('w2', 'no') });
    call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', name: 'w2', patchType: 'application/merge-patch+json', body: { metadata: { labels: { keep: 'yes' } } } });
    call(cluster, { verb: 'patch', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', name: 'w1', patchType: 'application/merge-patch+json', body: { metadata: { labels: { keep: 'no' } } } });
    call(cluster, { verb: 'delete', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', name: 'w2' });
    cluster.clock.advance(100);
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.name}`), ['ADDED w1', 'ADDED w2', 'DELETED w1', 'DELETED w2']);
    const watchEntry = cluster.log.get(w.events[0].ctx.parentId!)!;
    assert.equal(watchEntry.kind, 'watch');
    assert.equal(cluster.log.get(watchEntry.parentId!)!.kind, 'etcd-commit', 'a watch delivery descends from the commit');
    w.stop();
    const replay = record(cluster, { apiVersion: 'v1', resource: 'configmaps', namespace: 'default', query: { resourceVersion: rv0 } });
    cluster.clock.advance(100);
    assert.deepEqual(replay.events.map((e) => `${e.type} ${e.name}`), ['ADDED w1', 'ADDED w2', 'MODIFIED w2', 'MODIFIED w1', 'DELETED w2']);
    replay.stop();
    // Push rv0 out of the window: more than 100 events, older than 75 s.
    cluster.clock.advance(80_000);
    for (let i = 0; i < 110; i++) {
      cluster.client().request({ verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: cm(`filler-${i}`, 'x') }, { traceId: 'fill' }, () => undefined);
    }
    cluster.clock.advance(5_000);
    const old = record(cluster, { apiVersion: 'v1', resource: 'configmaps', namespace: 'default', query: { resourceVersion: rv0 } });
    cluster.clock.advance(100);
    assert.equal(old.closed?.code, 410);
    assert.match(old.closed!.message, new RegExp(`^too old resource version: ${rv0} \\(\\d+\\)$`));
  });

  it('an update whose body shares the stored object stores the JSON a copied body would, key order included', () => {
    // Stored metadata carries keys whose value is undefined (an update's deletionTimestamp ...), here before a
    // label added later by a patch; a copy of the body drops them, and the deletion puts deletionTimestamp last.
    const run = (name: string, copyBody: boolean) => {
      const send = (obj: KubeObject) => (copyBody ? (JSON.parse(JSON.stringify(obj)) as KubeObject) : obj);
      const path = { apiVersion: 'v1', resource: 'configmaps', namespace: 'default', name };
      let obj = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, finalizers: ['lab/hold'] }, data: { v: '1' } } }).body as KubeObject;
      obj = call(cluster, { ...path, verb: 'update', body: send({ ...obj, data: { v: '2' } } as KubeObject) }).body as KubeObject;
      obj = call(cluster, { ...path, verb: 'patch', patchType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b' } } } }).body as KubeObject;
      obj = call(cluster, { ...path, verb: 'update', body: send({ ...obj, data: { v: '3' } } as KubeObject) }).body as KubeObject;
      assert.equal(obj.metadata.labels?.a, 'b');
      const deleted = call(cluster, { ...path, verb: 'delete' });
      assert.equal(deleted.code, 200, message(deleted));
      const keysOf = (o: unknown): unknown => (o && typeof o === 'object' && !Array.isArray(o) ? Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [k, keysOf(v)]) : null);
      return keysOf(deleted.body);
    };
    const shared = run('order-shared', false);
    assert.deepEqual(shared, run('order-copied', true));
    const meta = (shared as [string, unknown][]).find(([k]) => k === 'metadata')![1] as [string, unknown][];
    assert.deepEqual(meta.map(([k]) => k).slice(-3), ['labels', 'deletionTimestamp', 'deletionGracePeriodSeconds']);
  });

  it('serves the scale subresource of a deployment with defaults applied', () => {
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } };
    const created = call(cluster, { verb: 'create', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', body: d });
    assert.equal(created.code, 201, message(created));
    const spec = (created.body as KubeObject).spec as Record<string, unknown>;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    const scaled = call(cluster, { verb: 'patch', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', name: 'web', subresource: 'scale', patchType: 'application/merge-patch+json', body: { spec: { replicas: 4 } } });
    assert.equal(scaled.code, 200, message(scaled));
    assert.deepEqual((scaled.body as KubeObject).spec, { replicas: 4 });
    assert.equal(((scaled.body as KubeObject).status as { selector: string }).selector, 'app=web');
    const after = call(cluster, { verb: 'get', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', name: 'web' }).body as KubeObject;
    assert.equal(after.metadata.generation, 2);
    const mismatch = call(cluster, { verb: 'create', apiVersion: 'apps/v1', resource: 'deployments', namespace: 'default', body: { ...d, metadata: { name: 'bad' }, spec: { ...d.spec, selector: { matchLabels: { app: 'other' } } } } });
    assert.equal(mismatch.code, 422);
    assert.match(message(mismatch), /^Deployment\.apps "bad" is invalid: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`$/);
  });
});
