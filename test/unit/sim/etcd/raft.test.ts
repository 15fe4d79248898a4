import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import { EventLog } from '../../../../src/sim/log';
import { Network } from '../../../../src/sim/network';
import { ELECTION_MS, ERR_TIMEOUT, EtcdCluster, REQUEST_TIMEOUT_MS } from '../../../../src/sim/etcd/raft';
import { EtcdClient, type TxnReply } from '../../../../src/sim/etcd/client';

function setup(seed = 7) {
  const clock = new Clock(seed);
  const log = new EventLog();
  const network = new Network(clock);
  const zones = ['us-east-2a', 'us-east-2b', 'us-east-2c'];
  const hosts = ['master-1', 'master-2', 'master-3'];
  hosts.forEach((name, i) => network.addHost({ name, zone: zones[i] }));
  const etcd = new EtcdCluster({ clock, log, network, hosts });
  etcd.start();
  clock.runUntilCondition(() => etcd.leader() !== undefined, 10_000);
  const client = new EtcdClient(etcd, 'master-1', 'apiserver@master-1');
  const put = (key: string, value: unknown, expectModRevision?: number) => {
    let out: TxnReply | undefined;
    client.txn({ key, expectModRevision, op: { type: 'put', value } }, { traceId: log.newTraceId() }, { proposalDone: (r) => (out = r) });
    clock.runUntilCondition(() => out !== undefined, 20_000);
    return out!;
  };
  return { clock, log, network, etcd, client, put };
}

describe('sim/etcd/raft', () => {
  it('elects exactly one leader, and the same seed elects the same one', () => {
    const a = setup(3);
    const b = setup(3);
    assert.equal(a.etcd.members.filter((m) => m.isLeader).length, 1);
    assert.equal(a.etcd.leader()!.name, b.etcd.leader()!.name);
    assert.equal(a.clock.now(), b.clock.now());
  });

  it('commits a write only after a quorum and logs propose → append → ack → commit causally', () => {
    const { put, log, etcd, clock } = setup();
    const r = put('/registry/pods/default/web', { v: 1 });
    assert.ok(r.ok);
    assert.equal(r.result.succeeded, true);
    const trace = log.all().filter((e) => e.traceId === r.commitCtx.traceId);
    const kinds = trace.map((e) => e.kind);
    assert.equal(kinds[0], 'etcd-propose');
    assert.equal(kinds.filter((k) => k === 'etcd-append').length, 2);
    assert.ok(kinds.includes('etcd-ack'));
    const commit = trace.find((e) => e.kind === 'etcd-commit')!;
    assert.equal((commit.detail!.acks as string[]).length >= 2, true);
    assert.equal(commit.detail!.revision, r.result.revision);
    // The commit descends from the proposal.
    assert.ok(log.descendants(trace[0].seq).some((e) => e.seq === commit.seq));
    clock.advance(500);
    for (const m of etcd.members) assert.equal((m.store.get('/registry/pods/default/web') as { value: unknown }).value, r.result.kv!.value);
  });

  it('members share what applying an entry produces: one key-value per write, not one per member', () => {
    const { put, etcd, clock } = setup();
    put('/registry/pods/default/web', { v: 1 });
    const r = put('/registry/pods/default/web', { v: 2 });
    assert.ok(r.ok);
    clock.advance(500);
    const kvs = etcd.members.map((m) => m.store.get('/registry/pods/default/web'));
    assert.equal(kvs[0], r.result.kv);
    assert.equal(kvs[1], kvs[0]);
    assert.equal(kvs[2], kvs[0]);
    assert.deepEqual(kvs[0], { key: '/registry/pods/default/web', value: { v: 2 }, createRevision: r.result.revision - 1, modRevision: r.result.revision, version: 2 });
  });

  it('keeps working with one member down, refuses writes without quorum, loses nothing acknowledged', () => {
    const { put, etcd, clock } = setup();
    const acked: string[] = [];
    const leader = etcd.leader()!;
    const followers = etcd.members.filter((m) => m !== leader);
    followers[0].stop();
    for (let i = 0; i < 5; i++) {
      const r = put(`/k/${i}`, i);
      assert.ok(r.ok, 'one member down still has quorum');
      acked.push(`/k/${i}`);
    }
    followers[1].stop();
    const refused = put('/k/refused', 'x');
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error, 'etcdserver: request timed out');
    followers[0].start();
    clock.advance(5000);
    const again = put('/k/after', 'y');
    assert.ok(again.ok, 'quorum back: writes succeed');
    clock.advance(500);
    for (const key of acked) assert.ok(followers[0].store.get(key), `returning member caught up ${key}`);
    const current = etcd.leader()!;
    for (const key of acked) assert.ok(current.store.get(key), `leader has ${key}`);
  });

  it('fails over to another member for a new leader when the leader dies', () => {
    const { put, etcd, clock, log } = setup();
    const old = etcd.leader()!;
    old.stop();
    clock.advance(4000);
    const fresh = etcd.leader();
    assert.ok(fresh && fresh !== old);
    assert.ok(fresh.term > old.term);
    assert.ok(log.all().some((e) => e.kind === 'decision' && e.summary.includes(`${fresh.name} became leader`)));
    const r = put('/after/failover', 1);
    assert.ok(r.ok);
  });

  it('a watch through the client survives the loss of its member and sees every revision once', () => {
    const { put, etcd, client, clock } = setup();
    const seen: number[] = [];
    client.watch('/w/', 1, { onEvents: (events) => seen.push(...events.map((e) => e.kv.modRevision)), onCompacted: () => assert.fail('not compacted') });
    const revs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = put(`/w/${i}`, i);
      assert.ok(r.ok);
      revs.push(r.result.revision);
    }
    etcd.member('master-1')!.stop();
    clock.advance(5000);
    for (let i = 3; i < 6; i++) {
      const r = put(`/w/${i}`, i);
      assert.ok(r.ok, `write ${i}`);
      revs.push(r.result.revision);
    }
    clock.advance(2000);
    assert.deepEqual(seen, revs);
  });
  it('elects a new leader when the old one stops just before the clock crosses a power of two (no frozen election timer)', () => {
    // Times with every bit of a double's fraction in use (as in a long run), and a leader lost ~1.4 s
    // before 8,192 ms: a follower's wait then ended at an instant that floating point rounds back to
    // "now", and its election timer ran at that same instant forever (virtual time never moved again).
    for (const stopAt of [30, 35, 40].map((k) => 8192 - 1900 + k * 17.123456789)) {
      const clock = new Clock(2);
      const log = new EventLog();
      const network = new Network(clock);
      ['master-1', 'master-2', 'master-3'].forEach((name, i) => network.addHost({ name, zone: `us-east-2${'abc'[i]}` }));
      clock.advance(Math.PI * 20);
      const etcd = new EtcdCluster({ clock, log, network, hosts: ['master-1', 'master-2', 'master-3'] });
      etcd.start();
      clock.runUntilCondition(() => etcd.leader() !== undefined, 10_000);
      clock.advance(stopAt - clock.now());
      const old = etcd.leader()!;
      old.stop();
      let steps = 0;
      const elected = clock.runUntilCondition(() => ++steps > 100_000 || (etcd.leader() !== undefined && etcd.leader() !== old), 30_000);
      assert.ok(steps <= 100_000, `stopped at ${stopAt}: ${steps} timers ran without a new leader, virtual time stuck at ${clock.now()}`);
      assert.ok(elected && etcd.leader() !== old);
    }
  });

  it('a linearizable read without a quorum fails once, after the request timeout, and reads again once quorum is back', () => {
    const { put, etcd, client, clock } = setup();
    assert.ok(put('/r/a', 1).ok);
    const range = () => {
      const answers: Parameters<Parameters<EtcdClient['range']>[2]>[0][] = [];
      const started = clock.now();
      client.range('/r/', { traceId: 'read' }, (r) => answers.push(r));
      clock.runUntilCondition(() => answers.length > 0, 30_000);
      const waited = clock.now() - started;
      clock.advance(REQUEST_TIMEOUT_MS); // a second answer (a late barrier, a second timeout) would come in this time
      return { answers, waited };
    };
    etcd.member('master-2')!.stop();
    etcd.member('master-3')!.stop();
    // A leader answers reads while it heard from a majority within an election timeout (no other
    // leader can exist meanwhile); past that, check-quorum makes it step down.
    clock.advance(2 * ELECTION_MS);
    const refused = range();
    assert.equal(refused.answers.length, 1);
    const [answer] = refused.answers;
    assert.equal(answer.ok, false);
    assert.equal(!answer.ok && answer.error, ERR_TIMEOUT);
    assert.ok(refused.waited >= REQUEST_TIMEOUT_MS && refused.waited < REQUEST_TIMEOUT_MS + 1000, `answered after ${refused.waited} ms`);
    // The member's own barrier (the client above has its own deadline too): refused at its timeout,
    // then forgotten, so a quorum coming back does not pass it late.
    const barrier: boolean[] = [];
    etcd.member('master-1')!.readBarrier({ readDone: (ok) => barrier.push(ok) });
    clock.advance(REQUEST_TIMEOUT_MS - 1);
    assert.deepEqual(barrier, []);
    clock.advance(1);
    assert.deepEqual(barrier, [false]);
    etcd.member('master-2')!.start();
    clock.advance(5000);
    assert.deepEqual(barrier, [false]);
    const read = range();
    assert.equal(read.answers.length, 1);
    const [again] = read.answers;
    assert.ok(again.ok, 'quorum back: the read barrier passes');
    assert.deepEqual(again.result.kvs.map((kv) => kv.key), ['/r/a']);
  });
});
