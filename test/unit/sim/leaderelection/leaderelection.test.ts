import { strict as assert } from 'node:assert';
import { startCluster, waitFor } from '../controllers/helpers';
import { LeaderElector } from '../../../../src/sim/leaderelection';
import { Faults } from '../../../../src/sim/faults';
import { controllerManagerOn, schedulerOn } from '../../../../src/sim/presets';
import type { Lease } from '../../../../src/sim/api/types';

describe('leader election with Leases', () => {
  it('one holder per lease, renewing every retry period, with upstream-shaped Lease fields', () => {
    const cluster = startCluster();
    const lease = () => cluster.read.get<Lease>('leases', 'kube-system', 'kube-controller-manager')!;
    const first = lease();
    assert.match(first.spec.holderIdentity!, /^master-\d_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(first.spec.leaseDurationSeconds, 15);
    assert.equal(first.spec.leaseTransitions, 0);
    assert.match(first.spec.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const leaders = cluster.masters.filter((m) => controllerManagerOn(cluster.controlPlane.get(m.name))!.isLeader());
    assert.equal(leaders.length, 1);
    // Renewals: about every 2 s, the acquire time stays.
    const renewals = new Set<string>();
    for (let i = 0; i < 10; i++) {
      cluster.clock.advance(1_000);
      renewals.add(lease().spec.renewTime!);
      assert.equal(lease().spec.acquireTime, first.spec.acquireTime);
      assert.equal(lease().spec.holderIdentity, first.spec.holderIdentity);
    }
    assert.ok(renewals.size >= 4 && renewals.size <= 6, `${renewals.size} renewals in 10 s`);
    // Followers keep trying but never write while the lease is valid.
    const writes = cluster.log.all().filter((e) => e.kind === 'request' && e.summary.startsWith('PUT') && e.summary.includes('/leases/kube-controller-manager'));
    assert.ok(writes.every((e) => e.from === `kube-controller-manager@${leaders[0].name}`), 'only the holder writes the lease');
    const acquired = cluster.log.all().filter((e) => e.kind === 'decision' && e.summary === 'successfully acquired lease kube-system/kube-controller-manager');
    assert.equal(acquired.length, 1);
    assert.equal(acquired[0].detail!.holderIdentity, first.spec.holderIdentity);
  });

  it('after the holder dies another candidate takes over once the lease expires, with leaseTransitions + 1', () => {
    const cluster = startCluster();
    const faults = new Faults(cluster);
    const before = cluster.read.get<Lease>('leases', 'kube-system', 'kube-scheduler')!;
    const holderHost = before.spec.holderIdentity!.split('_')[0];
    faults.stop('scheduler', holderHost);
    const t0 = cluster.clock.now();
    const others = cluster.masters.map((m) => m.name).filter((m) => m !== holderHost);
    waitFor(cluster, 'new holder', () => others.some((m) => schedulerOn(cluster.controlPlane.get(m))!.isLeader()), 60_000);
    const waited = cluster.clock.now() - t0;
    assert.ok(waited >= 13_000 && waited <= 25_000, `takeover after ${waited} ms`);
    const after = cluster.read.get<Lease>('leases', 'kube-system', 'kube-scheduler')!;
    assert.equal(after.spec.leaseTransitions, 1);
    assert.notEqual(after.spec.acquireTime, before.spec.acquireTime);
    const newHost = after.spec.holderIdentity!.split('_')[0];
    assert.ok(schedulerOn(cluster.controlPlane.get(newHost))!.isLeader());
    const elector: LeaderElector = schedulerOn(cluster.controlPlane.get(holderHost))!.elector;
    assert.equal(elector.terms.length, 1);
    assert.ok(elector.terms[0].to !== undefined, 'the stopped holder\'s term ended');
  });

  it('a holder that cannot reach etcd quorum stops acting within the renew deadline', () => {
    const cluster = startCluster();
    const faults = new Faults(cluster);
    const kcm = controllerManagerOn(cluster.controlPlane.get('master-1'))!;
    assert.ok(kcm.isLeader());
    faults.stop('etcd', 'master-2');
    faults.stop('etcd', 'master-3');
    const t0 = cluster.clock.now();
    waitFor(cluster, 'loss of leadership', () => !kcm.isLeader(), 30_000);
    assert.ok(cluster.clock.now() - t0 <= 12_100);
    assert.equal(kcm.controllers().length, 0, 'controllers stopped');
    assert.ok(cluster.log.all().some((e) => e.kind === 'decision' && e.from === 'kube-controller-manager@master-1' &&
      e.summary === 'failed to renew lease kube-system/kube-controller-manager: timed out waiting for the condition; leaderelection lost'));
    faults.start('etcd', 'master-2');
    waitFor(cluster, 'a leader again', () => cluster.masters.some((m) => controllerManagerOn(cluster.controlPlane.get(m.name))!.isLeader()), 60_000);
  });

  it('a restarted holder is a new process with a new identity and waits for its old lease like everyone else', () => {
    const cluster = startCluster();
    const kcms = cluster.masters.map((m) => controllerManagerOn(cluster.controlPlane.get(m.name))!);
    const holder = kcms.find((k) => k.isLeader())!;
    const before = holder.elector.identity;
    holder.stop();
    holder.start();
    assert.notEqual(holder.elector.identity, before);
    assert.match(holder.elector.identity, /^master-\d_[0-9a-f-]{36}$/);
    const t0 = cluster.clock.now();
    waitFor(cluster, 'some leader', () => kcms.some((k) => k.isLeader()), 60_000);
    assert.ok(cluster.clock.now() - t0 >= 13_000, `leader again after ${cluster.clock.now() - t0} ms`);
    assert.equal(cluster.read.get<Lease>('leases', 'kube-system', 'kube-controller-manager')!.spec.leaseTransitions, 1);
  });
});
