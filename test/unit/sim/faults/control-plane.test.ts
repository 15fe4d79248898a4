import { strict as assert } from 'node:assert';
import { applyOk, deployment, readyPods, startCluster, waitFor } from '../controllers/helpers';
import { Faults } from '../../../../src/sim/faults';
import { controllerManagerOn, schedulerOn } from '../../../../src/sim/presets';
import type { Cluster } from '../../../../src/sim/cluster';
import type { ApiResponse } from '../../../../src/sim/api/request';
import type { ConfigMap, Lease } from '../../../../src/sim/api/types';

/** Send one request as kubectl and run the clock until it is answered. */
function call(cluster: Cluster, req: Parameters<ReturnType<Cluster['client']>['request']>[0]): ApiResponse {
  let res: ApiResponse | undefined;
  cluster.client('kubectl').request(req, { traceId: cluster.log.newTraceId() }, (r) => (res = r));
  cluster.clock.runUntilCondition(() => res !== undefined, 60_000);
  assert.ok(res, 'no answer within 60 s');
  return res;
}

const configMap = (name: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: name } });
const createCM = (c: Cluster, name: string) => call(c, { verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: configMap(name) });
const holder = (c: Cluster, lease: string) => c.read.get<Lease>('leases', 'kube-system', lease)?.spec.holderIdentity ?? '';

describe('faults: control plane', () => {
  it('master-1 powers off: the API stays available through the LB, etcd keeps quorum, leadership moves', () => {
    const cluster = startCluster();
    const faults = new Faults(cluster);
    assert.match(holder(cluster, 'kube-scheduler'), /^master-1_[0-9a-f-]{36}$/);
    assert.match(holder(cluster, 'kube-controller-manager'), /^master-1_/);
    faults.stop('node', 'master-1');
    const stoppedAt = cluster.clock.now();
    waitFor(cluster, 'etcd leader among the survivors', () => ['master-2', 'master-3'].some((m) => cluster.etcd.member(m)!.isLeader), 30_000);
    // Until the LB's health checks take master-1 out of rotation, a request sent there times out (as for real).
    waitFor(cluster, 'the LB routes around master-1', () => !cluster.lb.isHealthy(cluster.apiserver('master-1')!), 30_000);
    const r0 = createCM(cluster, 'during-outage');
    assert.equal(r0.code, 201, JSON.stringify(r0.body));
    assert.equal(call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', name: 'during-outage' }).code, 200);
    waitFor(cluster, 'new scheduler and controller-manager leaders', () =>
      !holder(cluster, 'kube-scheduler').startsWith('master-1_') && !holder(cluster, 'kube-controller-manager').startsWith('master-1_'), 60_000);
    // Not before the 15 s lease has expired in the eyes of the other candidates.
    assert.ok(cluster.clock.now() - stoppedAt >= 15_000, `took over after ${cluster.clock.now() - stoppedAt} ms`);
    const lease = cluster.read.get<Lease>('leases', 'kube-system', 'kube-scheduler')!;
    assert.ok((lease.spec.leaseTransitions ?? 0) >= 1);
    // The Lease is committed a moment before the winner hears back and logs its acquisition.
    waitFor(cluster, 'the new scheduler leader logs its acquisition', () =>
      cluster.log.all().some((e) => e.kind === 'decision' && e.summary === 'successfully acquired lease kube-system/kube-scheduler' && e.from !== 'kube-scheduler@master-1'), 5_000);
    // The new leaders do their jobs.
    applyOk(cluster, deployment('after', 3));
    waitFor(cluster, '3 ready pods', () => readyPods(cluster, 'after').length === 3, 60_000);
    // master-1 comes back and stays a follower: the lease is held.
    faults.start('node', 'master-1');
    cluster.clock.advance(30_000);
    assert.equal(schedulerOn(cluster.controlPlane.get('master-1'))!.isLeader(), false);
    assert.equal(controllerManagerOn(cluster.controlPlane.get('master-1'))!.isLeader(), false);
    assert.ok(schedulerOn(cluster.controlPlane.get('master-1'))!.running);
  });

  it('two etcd members stop: writes fail with a clear error; one returns: writes succeed and nothing acknowledged is lost', () => {
    const cluster = startCluster();
    const faults = new Faults(cluster);
    const acked: string[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `before-${i}`;
      if (createCM(cluster, name).code === 201) acked.push(name);
    }
    assert.equal(acked.length, 5);
    faults.stop('etcd', 'master-2');
    assert.equal(createCM(cluster, 'one-down').code, 201, 'one member down: writes still work');
    acked.push('one-down');
    faults.stop('etcd', 'etcd@master-3');
    const refused = createCM(cluster, 'no-quorum');
    assert.ok(refused.code >= 500, `expected a server error, got ${refused.code}`);
    assert.match(String((refused.body as { message?: string }).message), /etcdserver: (request timed out|no leader)/);
    faults.start('etcd', 'master-3');
    waitFor(cluster, 'etcd leader', () => cluster.etcd.leader() !== undefined, 30_000);
    let ok: ApiResponse | undefined;
    for (let i = 0; i < 5 && ok?.code !== 201; i++) ok = createCM(cluster, `after-${i}`);
    assert.equal(ok!.code, 201);
    faults.start('etcd', 'master-2');
    cluster.clock.advance(5_000);
    for (const name of acked) {
      const got = call(cluster, { verb: 'get', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', name });
      assert.equal(got.code, 200, `${name} lost`);
    }
    // The returning member caught up: its store has every acknowledged write.
    for (const name of acked) assert.ok(cluster.etcd.member('master-2')!.store.get(`/registry/configmaps/default/${name}`), `${name} missing on master-2`);
  });

  it('stopping the scheduler leader hands scheduling to another master', () => {
    const cluster = startCluster();
    const faults = new Faults(cluster);
    const stopped = faults.stop('scheduler', 'leader');
    assert.equal(stopped.name, 'master-1');
    applyOk(cluster, deployment('web', 2));
    waitFor(cluster, '2 ready pods', () => readyPods(cluster, 'web').length === 2, 60_000);
    const binder = cluster.log.all().filter((e) => e.kind === 'decision' && e.summary.startsWith('bind default/web-')).map((e) => e.from);
    assert.ok(binder.length >= 2 && binder.every((f) => f !== 'kube-scheduler@master-1'), binder.join());
  });

  it('"start scheduler leader" starts the instance "stop scheduler leader" stopped, though another holds the lease now', () => {
    const cluster = startCluster();
    const faults = new Faults(cluster);
    assert.equal(faults.stop('scheduler', 'leader').name, 'master-1');
    waitFor(cluster, 'another scheduler leader', () => ['master-2', 'master-3'].some((m) => schedulerOn(cluster.controlPlane.get(m))?.isLeader()), 60_000);
    assert.equal(faults.start('scheduler', 'leader'), true);
    assert.equal(faults.list().length, 0);
    assert.ok(schedulerOn(cluster.controlPlane.get('master-1'))!.running);
    // Nothing stopped: nothing to start. Two stopped: which one is ambiguous.
    assert.equal(faults.start('scheduler', 'leader'), false);
    faults.stop('controller-manager', 'master-2');
    faults.stop('controller-manager', 'master-3');
    assert.throws(() => faults.start('controller-manager', 'leader'), /2 kube-controller-manager instances are stopped \(master-2, master-3\): name the master to start/);
  });

  it('delayCacheUntilActive: standby schedulers watch nothing; the next leader lists, waits for its caches, then schedules', () => {
    const cluster = startCluster({ scheduler: { delayCacheUntilActive: true } });
    const faults = new Faults(cluster);
    applyOk(cluster, deployment('web', 3));
    waitFor(cluster, '3 ready pods', () => readyPods(cluster, 'web').length === 3, 60_000);
    const watchesTo = (to: string) => cluster.log.all().filter((e) => e.kind === 'watch' && e.to === to).length;
    assert.ok(watchesTo('kube-scheduler@master-1') > 0);
    assert.equal(watchesTo('kube-scheduler@master-2') + watchesTo('kube-scheduler@master-3'), 0);
    assert.equal(schedulerOn(cluster.controlPlane.get('master-2'))!.scheduler.running, false);
    faults.stop('scheduler', 'leader');
    applyOk(cluster, deployment('after', 2));
    waitFor(cluster, '2 ready pods', () => readyPods(cluster, 'after').length === 2, 60_000);
    const leader = ['master-2', 'master-3'].find((m) => schedulerOn(cluster.controlPlane.get(m))!.isLeader())!;
    const elected = schedulerOn(cluster.controlPlane.get(leader))!;
    assert.ok(elected.scheduler.running && elected.scheduler.cachesSynced());
    // Its first bind comes after the replies to its lists: it never schedules from a half-filled cache.
    const name = `kube-scheduler@${leader}`;
    const entries = cluster.log.all();
    const firstBind = entries.findIndex((e) => e.kind === 'decision' && e.from === name && e.summary.startsWith('bind '));
    const lists = entries.filter((e, i) => e.kind === 'response' && e.to === name && e.objectRef?.resource !== 'leases' && e.objectRef?.resource !== 'events' && i < firstBind);
    assert.ok(firstBind > 0 && lists.length >= 5, `first bind at ${firstBind}, ${lists.length} list replies before it`);
    const other = schedulerOn(cluster.controlPlane.get(leader === 'master-2' ? 'master-3' : 'master-2'))!;
    assert.equal(other.scheduler.running, false);
  });

  it('a partition isolating master-1: its leaders step down within the renew deadline, others take over', () => {
    const cluster = startCluster();
    const faults = new Faults(cluster);
    const kcm1 = controllerManagerOn(cluster.controlPlane.get('master-1'))!;
    assert.ok(kcm1.isLeader());
    faults.stop('partition', 'master-1');
    const at = cluster.clock.now();
    waitFor(cluster, 'master-1 steps down', () => !kcm1.isLeader(), 30_000);
    assert.ok(cluster.clock.now() - at <= 12_100, `stepped down after ${cluster.clock.now() - at} ms`);
    waitFor(cluster, 'a new controller-manager leader', () => ['master-2', 'master-3'].some((m) => controllerManagerOn(cluster.controlPlane.get(m))!.isLeader()), 60_000);
    assert.equal(createCM(cluster, 'during-partition').code, 201);
    faults.start('partition', 'master-1');
    cluster.clock.advance(20_000);
    const leaders = cluster.masters.filter((m) => controllerManagerOn(cluster.controlPlane.get(m.name))!.isLeader());
    assert.equal(leaders.length, 1);
  });

  it('rejects unknown kinds and names with clear messages', () => {
    const cluster = startCluster();
    const faults = new Faults(cluster);
    assert.throws(() => faults.stop('kubelet' as never, 'worker-1'), /unknown fault kind "kubelet": expected one of node, zone, apiserver, etcd, scheduler, controller-manager, partition/);
    assert.throws(() => faults.stop('node', 'worker-9'), /node "worker-9" not found/);
    assert.throws(() => faults.stop('etcd', 'worker-1'), /expected a master/);
    assert.throws(() => faults.stop('zone', 'mars'), /zone "mars" not found/);
    assert.equal(faults.start('node', 'worker-1'), false);
  });

  it('etcd compaction goes on, once an interval, while master-1 (whose API server compacted first) is down', () => {
    const cluster = startCluster({ compactionIntervalMs: 60_000 });
    const compacted = () => cluster.etcd.member('master-2')!.store.compactedRevision;
    cluster.clock.advance(125_000);
    const before = compacted();
    assert.ok(before > 0, 'compacted while all three API servers run');
    new Faults(cluster).stop('node', 'master-1');
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      cluster.clock.advance(60_000);
      seen.push(compacted());
    }
    assert.ok(seen[3] > seen[1] && seen[1] > before, `compacted revision moves on without master-1: ${before} then ${seen.join(', ')}`);
    // Each compaction commits once (the leader's commit entry): one an interval, from 121 s on.
    const compactions = cluster.log.all().filter((e) => e.kind === 'etcd-commit' && e.summary.includes('compact to revision'));
    const intervals = compactions.map((e) => Math.round((e.t - compactions[0].t) / 60_000));
    assert.deepEqual(intervals, [0, 1, 2, 3, 4], compactions.map((e) => `${e.t.toFixed(0)} ${e.summary}`).join('; '));
  });
});
