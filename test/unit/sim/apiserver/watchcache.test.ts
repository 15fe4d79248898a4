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
});
