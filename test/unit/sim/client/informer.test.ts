import { strict as assert } from 'node:assert';
import type { KubeObject } from '../../../../src/sim/api/types';
import { createInformer } from '../../../../src/sim/client/informer';
import { bootCluster, call, createPod, record } from '../support/harness';

describe('sim/client', () => {
  it('times out a request that is dropped, with client-go\'s message, after 10 s of virtual time', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    cluster.network.setDown('lb');
    const started = cluster.clock.now();
    const res = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'x' });
    assert.equal(res.code, 504);
    assert.equal(Math.round(cluster.clock.now() - started), 10_000);
    assert.equal((res.body as { message: string }).message, 'Get "https://lb:6443/api/v1/namespaces/default/pods/x": net/http: request canceled (Client.Timeout exceeded while awaiting headers)');
  });

  it('an informer lists, watches, hands its handlers the watch entry\'s context, and relists after its API server dies', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    createPod(cluster, 'before');
    const env = cluster.env('master-2', 'test-controller@master-2', 'local');
    const informer = createInformer<KubeObject>(env.client, cluster.clock, { apiVersion: 'v1', resource: 'pods', namespace: 'default' });
    const seen: string[] = [];
    const parents: number[] = [];
    informer.addHandlers({
      onAdd: (o, ctx) => {
        seen.push(`add ${o.metadata.name}`);
        if (ctx.parentId) parents.push(ctx.parentId);
      },
      onUpdate: (_o, n) => seen.push(`update ${n.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    informer.start({ traceId: 'informer-test' });
    cluster.clock.advance(100);
    assert.ok(informer.hasSynced());
    assert.deepEqual(seen, ['add before']);
    createPod(cluster, 'during');
    cluster.clock.advance(100);
    assert.deepEqual(seen, ['add before', 'add during']);
    const watchEntry = cluster.log.get(parents[parents.length - 1])!;
    assert.equal(watchEntry.kind, 'watch');
    assert.equal(watchEntry.to, 'test-controller@master-2');
    // Its API server crashes and comes back: the informer notices, relists and catches up.
    cluster.apiserver('master-2')!.stop();
    call(cluster, { verb: 'delete', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'before' });
    createPod(cluster, 'while-down');
    cluster.apiserver('master-2')!.start();
    cluster.clock.advance(40_000);
    assert.deepEqual(informer.list().map((p) => p.metadata.name).sort(), ['during', 'while-down']);
    assert.ok(seen.includes('delete before'));
    assert.ok(seen.includes('add while-down'));
    informer.stop();
    assert.equal(informer.hasSynced(), false);
  });

  it('a kubelet-style watch with spec.nodeName sees only its node\'s pods', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    const mine = createInformer<KubeObject>(cluster.env('worker-1', 'kubelet@worker-1', 'lb').client, cluster.clock, { apiVersion: 'v1', resource: 'pods', fieldSelector: 'spec.nodeName=worker-1' });
    mine.start({ traceId: 'k' });
    for (const [name, node] of [['p1', 'worker-1'], ['p2', 'worker-2'], ['p3', 'worker-1']]) {
      createPod(cluster, name);
      call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', name, subresource: 'binding', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } } });
    }
    cluster.clock.advance(100);
    assert.deepEqual(mine.list().map((p) => p.metadata.name).sort(), ['p1', 'p3']);
  });

  it('a watch delivers a burst of events in order, and events lost on arrival never take the place of later ones', () => {
    const cluster = bootCluster({ kubelets: false, controlPlane: [] });
    const client = cluster.env('worker-1', 'watcher@worker-1', 'lb').client;
    const rec = record(cluster, { apiVersion: 'v1', resource: 'configmaps', namespace: 'default' }, client);
    cluster.clock.advance(100);
    const create = (name: string) => client.request({ verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } }, { traceId: name }, () => undefined);
    // Many events in flight at once on one stream.
    const burst = Array.from({ length: 12 }, (_, i) => `burst-${i}`);
    for (const name of burst) create(name);
    cluster.clock.advance(100);
    assert.deepEqual(rec.events.map((e) => e.name), burst);
    // Cut the watcher off from the load balancer right after the server sends these, heal before the next.
    let partition: number | undefined;
    cluster.log.subscribe((entry) => {
      if (entry.kind === 'watch' && entry.to === 'watcher@worker-1' && entry.objectRef?.name.startsWith('lost-') && partition === undefined) {
        cluster.clock.schedule(0, () => (partition = cluster.network.partition('worker-1', ['lb']).id));
      }
    });
    const lostBefore = cluster.network.dropped;
    call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lost-1' } } });
    assert.ok(partition !== undefined);
    // The answer may reach the client before the watch event reaches the cut-off watcher.
    cluster.clock.runUntilCondition(() => cluster.network.dropped > lostBefore, 1000);
    assert.ok(cluster.network.dropped > lostBefore, 'the event was lost on arrival');
    cluster.network.heal(partition);
    for (const name of ['after-1', 'after-2']) create(name);
    cluster.clock.advance(100);
    assert.deepEqual(rec.events.map((e) => e.name), [...burst, 'after-1', 'after-2']);
    assert.equal(rec.closed, undefined);
  });
});
