import { strict as assert } from 'node:assert';
import { applyOk, deployment, readyPods, service, startCluster, waitFor, zoneOf } from './helpers';
import { call, message } from '../support/harness';
import type { Cluster } from '../../../../src/sim/cluster';
import type { EndpointSlice, Pod, Service } from '../../../../src/sim/api/types';
import { desiredGroups, MAX_ENDPOINTS_PER_SLICE, planSliceWrites } from '../../../../src/sim/controllers/endpointslice/slices';

function slicesOf(cluster: Cluster, svc: string): EndpointSlice[] {
  return cluster.read.list<EndpointSlice>('endpointslices', 'default').filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc);
}

const addresses = (slices: readonly EndpointSlice[]) => slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)).sort();

describe('EndpointSlice controller', () => {
  it('lists a Service\'s ready pods in one slice, with conditions, node, zone, pod reference and its owner', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 3), service('web', { app: 'web' }));
    waitFor(cluster, '3 ready', () => readyPods(cluster, 'web').length === 3);
    waitFor(cluster, 'a slice with 3 endpoints', () => slicesOf(cluster, 'web').some((s) => s.endpoints.length === 3 && s.endpoints.every((e) => e.conditions?.ready)));
    const [slice] = slicesOf(cluster, 'web');
    const svc = cluster.read.get<Service>('services', 'default', 'web')!;
    assert.match(slice.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.equal(slice.addressType, 'IPv4');
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(slice.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    const pods = readyPods(cluster, 'web');
    assert.deepEqual(addresses([slice]), pods.map((p) => p.status!.podIP!).sort());
    for (const e of slice.endpoints) {
      const pod = pods.find((p) => p.metadata.name === e.targetRef?.name)!;
      assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(e.nodeName, pod.spec.nodeName);
      assert.equal(e.zone, zoneOf(cluster, pod.spec.nodeName));
      assert.equal(e.targetRef?.uid, pod.metadata.uid);
    }
  });

  it('follows scaling; a Service with no pods keeps one empty placeholder slice', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 2), service('web', { app: 'web' }));
    waitFor(cluster, '2 endpoints', () => addresses(slicesOf(cluster, 'web')).length === 2);
    applyOk(cluster, deployment('web', 0));
    waitFor(cluster, 'the placeholder', () => {
      const slices = slicesOf(cluster, 'web');
      return slices.length === 1 && slices[0].endpoints.length === 0 && slices[0].ports === undefined;
    });
    // Each change of the slices is a decision in the log: at least the first listing and the placeholder.
    const seen = cluster.log.all().filter((e) => e.kind === 'decision' && e.summary.startsWith('endpointslice-controller: EndpointSlices for Service default/web'));
    assert.ok(seen.length >= 2, seen.map((e) => e.summary).join('\n'));
  });

  it('puts a slice back that someone deleted, and the garbage collector removes the slices with their Service', () => {
    const cluster = startCluster();
    applyOk(cluster, deployment('web', 1), service('web', { app: 'web' }));
    waitFor(cluster, '1 endpoint', () => addresses(slicesOf(cluster, 'web')).length === 1);
    const [slice] = slicesOf(cluster, 'web');
    assert.equal(call(cluster, { verb: 'delete', apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices', namespace: 'default', name: slice.metadata.name }).code, 200);
    waitFor(cluster, 'recreated', () => slicesOf(cluster, 'web').some((s) => s.metadata.name !== slice.metadata.name && s.endpoints.length === 1));
    const del = call(cluster, { verb: 'delete', apiVersion: 'v1', resource: 'services', namespace: 'default', name: 'web' });
    assert.equal(del.code, 200, message(del));
    waitFor(cluster, 'slices collected', () => slicesOf(cluster, 'web').length === 0);
  });

  it('never has two slices where one will do: the placeholder turns into the first real slice', () => {
    const cluster = startCluster();
    let most = 0;
    cluster.read.subscribe((change) => {
      if (change.resource === 'endpointslices') most = Math.max(most, slicesOf(cluster, 'web').length);
    });
    applyOk(cluster, service('web', { app: 'web' }), deployment('web', 1));
    for (const [replicas, image] of [[5, 'nginx:1.26'], [2, 'nginx:1.26'], [4, 'nginx:1.27'], [3, 'nginx:1.26']] as const) {
      applyOk(cluster, deployment('web', replicas, image));
      waitFor(cluster, `${replicas} ready endpoints`, () => slicesOf(cluster, 'web').flatMap((sl) => sl.endpoints).filter((e) => e.conditions?.ready).length === replicas && readyPods(cluster, 'web').length === replicas);
    }
    assert.equal(most, 1);
  });

  it('writes the kubernetes Service\'s slice beside its Endpoints: one ready endpoint per API server', () => {
    const cluster = startCluster();
    waitFor(cluster, 'the kubernetes slice', () => (cluster.read.get<EndpointSlice>('endpointslices', 'default', 'kubernetes')?.endpoints.length ?? 0) === 3, 60_000);
    const slice = cluster.read.get<EndpointSlice>('endpointslices', 'default', 'kubernetes')!;
    assert.deepEqual(slice.ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
    assert.ok(slice.endpoints.every((e) => e.conditions?.ready === true));
  });

  describe('what a sync computes (pure)', () => {
    const svc: Service = {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    };
    const pod = (i: number, extra: { ready?: boolean; deleting?: boolean; port?: number; phase?: string } = {}): Pod => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `web-${i}`, namespace: 'default', uid: `uid-${i}`, labels: { app: 'web' }, ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
      spec: { nodeName: `worker-${1 + (i % 3)}`, containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: extra.port ?? 8080 }] }] },
      status: {
        phase: (extra.phase ?? 'Running') as 'Running', podIP: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }],
      },
    });
    const zoneOf = (node: string) => `zone-${node}`;

    it('chunks endpoints 100 to a slice and groups pods by the ports they resolve to', () => {
      const pods = [...Array.from({ length: 150 }, (_, i) => pod(i)), pod(150, { port: 9090 }), pod(151, { port: 9090 })];
      const groups = desiredGroups(svc, pods, zoneOf);
      assert.deepEqual(groups.map((g) => [g.ports[0].port, g.endpoints.length]), [[8080, 150], [9090, 2]]);
      const writes = planSliceWrites(svc, [], groups);
      assert.deepEqual(writes.create.map((s) => s.endpoints.length), [MAX_ENDPOINTS_PER_SLICE, 50, 2]);
      assert.deepEqual(writes.create[0].metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
      // Written back as they are, nothing changes; one pod fewer rewrites only the slice that held it.
      const existing = writes.create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `web-${'abc'[i]}` } }));
      assert.deepEqual(planSliceWrites(svc, existing, groups), { create: [], update: [], delete: [] });
      const fewer = planSliceWrites(svc, existing, desiredGroups(svc, pods.filter((p) => p.metadata.name !== 'web-151'), zoneOf));
      assert.deepEqual(fewer.update.map((s) => [s.metadata.name, s.endpoints.length]), [['web-c', 1]]);
      assert.deepEqual(fewer.create.length + fewer.delete.length, 0);
    });

    it('marks terminating and unready pods, and leaves out pods without an IP or finished for good', () => {
      const noIP = { ...pod(5), status: { phase: 'Pending' as const } };
      const done: Pod = { ...pod(6, { phase: 'Succeeded' }), spec: { ...pod(6).spec, restartPolicy: 'Never' } };
      const [group] = desiredGroups(svc, [pod(1, { deleting: true }), pod(2, { ready: false }), pod(3), noIP, done], zoneOf);
      assert.deepEqual(group.endpoints.map((e) => [e.targetRef?.name, e.conditions]), [
        ['web-1', { ready: false, serving: true, terminating: true }],
        ['web-2', { ready: false, serving: false, terminating: false }],
        ['web-3', { ready: true, serving: true, terminating: false }],
      ]);
      assert.equal(group.endpoints[2].zone, 'zone-worker-1');
    });

    it('turns the placeholder into the first real slice: one update, no create and delete', () => {
      const [placeholder] = planSliceWrites(svc, [], []).create;
      assert.deepEqual([placeholder.endpoints, placeholder.ports], [[], undefined]);
      const named = { ...placeholder, metadata: { ...placeholder.metadata, name: 'web-p', resourceVersion: '7' } };
      const writes = planSliceWrites(svc, [named], desiredGroups(svc, [pod(1)], zoneOf));
      assert.deepEqual([writes.create.length, writes.delete.length], [0, 0]);
      assert.deepEqual(writes.update.map((sl) => [sl.metadata.name, sl.metadata.resourceVersion, sl.endpoints.length, sl.ports?.[0].port]), [['web-p', '7', 1, 8080]]);
    });

    it('deletes the slices of an older Service of the same name', () => {
      const [stale] = planSliceWrites({ ...svc, metadata: { ...svc.metadata, uid: 'old-uid' } }, [], desiredGroups(svc, [pod(1)], zoneOf)).create;
      const writes = planSliceWrites(svc, [{ ...stale, metadata: { ...stale.metadata, name: 'web-old' } }], desiredGroups(svc, [pod(1)], zoneOf));
      assert.deepEqual(writes.delete.map((s) => s.metadata.name), ['web-old']);
      assert.equal(writes.create.length, 1);
    });
  });
});
