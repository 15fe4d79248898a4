import { strict as assert } from 'node:assert';
import type { KubeObject } from '../../../../src/sim/api/types';
import { resourceFor } from '../../../../src/sim/apiserver/resources';
import { DEFAULT_WATCH_CACHE, WatchCache } from '../../../../src/sim/apiserver/watchcache';

const pods = resourceFor('v1', 'pods')!;
const ctx = { traceId: 't' };

function pod(name: string, rv: number, nodeName?: string, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, resourceVersion: String(rv) }, spec: { containers: [], ...(nodeName ? { nodeName } : {}) } } as unknown as KubeObject;
}

describe('sim/apiserver/watchcache', () => {
  it('lists one namespace, or one node\'s pods in it, sorted by key, through adds, moves and deletions', () => {
    const cache = new WatchCache(pods, DEFAULT_WATCH_CACHE);
    cache.reset([pod('z', 1, undefined, 'team-a'), pod('b', 2, 'worker-1')], 2);
    cache.apply('ADDED', pod('a', 3, 'worker-1', 'team-a'), undefined, 3, 0, ctx);
    cache.apply('ADDED', pod('c', 4, 'worker-2', 'team-a'), undefined, 4, 0, ctx);
    cache.apply('MODIFIED', pod('z', 5, 'worker-1', 'team-a'), pod('z', 1, undefined, 'team-a'), 5, 0, ctx);
    cache.apply('DELETED', pod('c', 4, 'worker-2', 'team-a'), pod('c', 4, 'worker-2', 'team-a'), 6, 0, ctx);
    const names = (list: KubeObject[]) => list.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    assert.deepEqual(names(cache.list({ namespace: 'team-a', fields: [] })), ['team-a/a', 'team-a/z']);
    assert.deepEqual(names(cache.list({ namespace: 'default', fields: [] })), ['default/b']);
    assert.deepEqual(names(cache.list({ fields: [] })), ['default/b', 'team-a/a', 'team-a/z']);
    assert.deepEqual(names(cache.list({ namespace: 'team-a', fields: [{ field: 'spec.nodeName', op: '=', value: 'worker-1' }] })), ['team-a/a', 'team-a/z']);
    assert.deepEqual(names(cache.list({ namespace: 'nobody', fields: [] })), []);
  });

  it('keeps fresh events only up to upstream\'s upper bound, then answers older watches with "too old"', () => {
    assert.equal(DEFAULT_WATCH_CACHE.maxCapacity, 102_400);
    const cache = new WatchCache(pods, { capacity: 2, freshMs: 75_000, maxCapacity: 5 });
    cache.reset([], 0);
    for (let rv = 1; rv <= 8; rv++) cache.apply('ADDED', pod(`p${rv}`, rv), undefined, rv, 1000, ctx);
    const all = { fields: [] };
    // All eight are fresh (same instant), but only the newest five are kept.
    assert.equal(cache.replayFor(all, 2), undefined, 'rv 2 is older than the window');
    assert.deepEqual(cache.replayFor(all, 3)?.map((e) => e.object.metadata.name), ['p4', 'p5', 'p6', 'p7', 'p8']);
    assert.deepEqual(cache.replayFor(all, 6)?.map((e) => e.object.metadata.name), ['p7', 'p8']);
  });

  it('still drops events older than the fresh duration beyond the lower bound', () => {
    const cache = new WatchCache(pods, { capacity: 2, freshMs: 75_000, maxCapacity: 100 });
    cache.reset([], 0);
    cache.apply('ADDED', pod('old', 1), undefined, 1, 0, ctx);
    cache.apply('ADDED', pod('a', 2), undefined, 2, 80_000, ctx);
    cache.apply('ADDED', pod('b', 3), undefined, 3, 80_000, ctx);
    assert.equal(cache.replayFor({ fields: [] }, 0), undefined);
    assert.deepEqual(cache.replayFor({ fields: [] }, 1)?.map((e) => e.object.metadata.name), ['a', 'b']);
  });

  it('replays to a node-pinned watch only that node\'s pods, with a pod leaving the node as DELETED', () => {
    const cache = new WatchCache(pods, DEFAULT_WATCH_CACHE);
    cache.reset([], 0);
    cache.apply('ADDED', pod('a', 1), undefined, 1, 0, ctx);
    cache.apply('MODIFIED', pod('a', 2, 'worker-1'), pod('a', 1), 2, 0, ctx);
    cache.apply('ADDED', pod('b', 3, 'worker-2'), undefined, 3, 0, ctx);
    cache.apply('MODIFIED', pod('c', 4, 'worker-2'), pod('c', 3, 'worker-1'), 4, 0, ctx);
    const kubelet1 = { fields: [{ field: 'spec.nodeName', op: '=' as const, value: 'worker-1' }] };
    assert.deepEqual(cache.replayFor(kubelet1, 0)?.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`), [
      'ADDED a 2',
      'DELETED c 4',
    ]);
    const unassigned = { fields: [{ field: 'spec.nodeName', op: '=' as const, value: '' }] };
    assert.deepEqual(cache.replayFor(unassigned, 0)?.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED a', 'DELETED a']);
  });

  it('replays to a watch on one name only that object\'s events', () => {
    const cache = new WatchCache(pods, DEFAULT_WATCH_CACHE);
    cache.reset([], 0);
    cache.apply('ADDED', pod('a', 1), undefined, 1, 0, ctx);
    cache.apply('ADDED', pod('b', 2), undefined, 2, 0, ctx);
    cache.apply('MODIFIED', pod('a', 3, 'worker-1'), pod('a', 1), 3, 0, ctx);
    cache.apply('DELETED', pod('b', 4), pod('b', 2), 4, 0, ctx);
    const onlyB = { fields: [{ field: 'metadata.name', op: '=' as const, value: 'b' }] };
    assert.deepEqual(cache.replayFor(onlyB, 0)?.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED b', 'DELETED b']);
    const notB = { fields: [{ field: 'metadata.name', op: '!=' as const, value: 'b' }] };
    assert.deepEqual(cache.replayFor(notB, 0)?.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED a', 'MODIFIED a']);
  });

  it('replays and lists a node\'s pods as a scan of the whole window would, through binds, deletions, trimming and compaction', () => {
    const cache = new WatchCache(pods, { capacity: 2, freshMs: 1e9, maxCapacity: 300 });
    cache.reset([], 0);
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    const nodes = ['', 'worker-1', 'worker-2', 'worker-3'];
    const live = new Map<string, KubeObject>();
    const history: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; prev?: KubeObject; rv: number }[] = [];
    const nodeOf = (o: KubeObject | undefined) => (o?.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
    for (let rv = 1; rv <= 5000; rv++) {
      const name = `p${rand(60)}`;
      const prev = live.get(name);
      if (!prev) {
        const object = pod(name, rv, nodes[rand(4)] || undefined);
        live.set(name, object);
        cache.apply('ADDED', object, undefined, rv, rv, ctx);
        history.push({ type: 'ADDED', object, rv });
      } else if (rand(4) === 0) {
        live.delete(name);
        cache.apply('DELETED', prev, prev, rv, rv, ctx);
        history.push({ type: 'DELETED', object: prev, prev, rv });
      } else {
        const object = pod(name, rv, nodeOf(prev) || nodes[rand(4)] || undefined);
        live.set(name, object);
        cache.apply('MODIFIED', object, prev, rv, rv, ctx);
        history.push({ type: 'MODIFIED', object, prev, rv });
      }
      if (rv % 250 !== 0) continue;
      for (const node of nodes) {
        const filter = { fields: [{ field: 'spec.nodeName', op: '=' as const, value: node }] };
        assert.deepEqual(cache.list(filter).map((o) => o.metadata.name).sort(), [...live.values()].filter((o) => nodeOf(o) === node).map((o) => o.metadata.name).sort());
        for (const from of [cache.windowStart, cache.windowStart + 37, rv - 5]) {
          const expected: string[] = [];
          for (const e of history) {
            if (e.rv <= from) continue;
            const before = e.prev !== undefined && nodeOf(e.prev) === node;
            const after = e.type !== 'DELETED' && nodeOf(e.object) === node;
            const type = after ? (before ? 'MODIFIED' : 'ADDED') : before ? 'DELETED' : undefined;
            if (type) expected.push(`${type} ${e.object.metadata.name} ${e.rv}`);
          }
          assert.deepEqual(cache.replayFor(filter, from)?.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`), expected, `node "${node}" from ${from} at ${rv}`);
        }
      }
    }
    assert.ok(cache.windowStart > 4000, 'the window was trimmed and compacted');
  });
});
