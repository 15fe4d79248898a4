import { strict as assert } from 'node:assert';
import { ERR_COMPACTED, MvccStore, type MvccEvent } from '../../../../src/sim/etcd/mvcc';

describe('sim/etcd/mvcc', () => {
  it('bumps one global revision per write and tracks create/mod revision and version per key', () => {
    const store = new MvccStore();
    const a1 = store.txn({ key: '/registry/pods/default/a', op: { type: 'put', value: 1 } });
    const b1 = store.txn({ key: '/registry/pods/default/b', op: { type: 'put', value: 2 } });
    const a2 = store.txn({ key: '/registry/pods/default/a', op: { type: 'put', value: 3 } });
    assert.deepEqual([a1.revision, b1.revision, a2.revision], [1, 2, 3]);
    assert.deepEqual(a2.kv, { key: '/registry/pods/default/a', value: 3, createRevision: 1, modRevision: 3, version: 2 });
    assert.equal(store.revision, 3);
  });

  it('compares modRevision: 0 means create-only; a failed compare returns the current value and writes nothing', () => {
    const store = new MvccStore();
    store.txn({ key: '/k/x', expectModRevision: 0, op: { type: 'put', value: 'a' } });
    const again = store.txn({ key: '/k/x', expectModRevision: 0, op: { type: 'put', value: 'b' } });
    assert.equal(again.succeeded, false);
    assert.equal(again.current?.value, 'a');
    assert.equal(store.revision, 1);
    const stale = store.txn({ key: '/k/x', expectModRevision: 7, op: { type: 'delete' } });
    assert.equal(stale.succeeded, false);
    const ok = store.txn({ key: '/k/x', expectModRevision: 1, op: { type: 'delete' } });
    assert.equal(ok.succeeded, true);
    assert.equal(store.get('/k/x'), undefined);
    const recreated = store.txn({ key: '/k/x', expectModRevision: 0, op: { type: 'put', value: 'c' } });
    assert.equal(recreated.kv?.version, 1, 'deletion resets the version');
    assert.equal(recreated.kv?.createRevision, 3);
  });

  it('ranges by prefix, sorted, now and at a past revision', () => {
    const store = new MvccStore();
    store.txn({ key: '/registry/pods/ns1/b', op: { type: 'put', value: 'b1' } });
    store.txn({ key: '/registry/pods/ns2/a', op: { type: 'put', value: 'a1' } });
    store.txn({ key: '/registry/pods/ns1/a', op: { type: 'put', value: 'a1' } });
    store.txn({ key: '/registry/podsx/ns1/z', op: { type: 'put', value: 'no' } });
    store.txn({ key: '/registry/pods/ns1/b', op: { type: 'delete' } });
    store.txn({ key: '/registry/pods/ns1/a', op: { type: 'put', value: 'a2' } });
    const now = store.range('/registry/pods/');
    assert.ok(!('error' in now));
    assert.deepEqual(now.kvs.map((kv) => [kv.key, kv.value]), [['/registry/pods/ns1/a', 'a2'], ['/registry/pods/ns2/a', 'a1']]);
    const ns1 = store.range('/registry/pods/ns1/', 3);
    assert.ok(!('error' in ns1));
    assert.deepEqual(ns1.kvs.map((kv) => [kv.key, kv.value]), [['/registry/pods/ns1/a', 'a1'], ['/registry/pods/ns1/b', 'b1']]);
  });

  it('refuses reads and watches below the compacted revision with etcd\'s message', () => {
    const store = new MvccStore();
    for (let i = 0; i < 5; i++) store.txn({ key: `/k/${i % 2}`, op: { type: 'put', value: i } });
    assert.deepEqual(store.compact(3), {});
    assert.deepEqual(store.range('/k/', 2), { error: ERR_COMPACTED });
    const w = store.watch('/k/', 2, () => undefined);
    assert.equal(typeof w, 'object');
    assert.equal((w as { error: string }).error, 'mvcc: required revision has been compacted');
    const r = store.range('/k/', 4);
    assert.ok(!('error' in r));
    assert.deepEqual(r.kvs.map((kv) => kv.value), [2, 3]);
  });

  it('replays history from a revision, then streams new events in order', () => {
    const store = new MvccStore();
    store.txn({ key: '/a/1', op: { type: 'put', value: 1 } });
    store.txn({ key: '/b/1', op: { type: 'put', value: 2 } });
    store.txn({ key: '/a/1', op: { type: 'put', value: 3 } });
    const seen: MvccEvent[] = [];
    const cancel = store.watch('/a/', 2, (events) => seen.push(...events));
    assert.equal(typeof cancel, 'function');
    store.txn({ key: '/a/1', op: { type: 'delete' } });
    (cancel as () => void)();
    store.txn({ key: '/a/2', op: { type: 'put', value: 9 } });
    assert.deepEqual(seen.map((e) => [e.type, e.kv.modRevision, e.prevKv?.value]), [['put', 3, 1], ['delete', 4, 3]]);
  });

  it('stamps values at their revision', () => {
    const store = new MvccStore({ stamp: (value, rev) => ({ ...(value as object), rv: rev }) });
    const r = store.txn({ key: '/x/y', op: { type: 'put', value: { a: 1 } } });
    assert.deepEqual(r.kv?.value, { a: 1, rv: 1 });
  });
});
