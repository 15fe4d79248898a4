import { strict as assert } from 'node:assert';
import { deepClone, deepEqual, deepFreeze, stampResourceVersion } from '../../../../src/sim/apiserver/objects';
import { objectKey } from '../../../../src/sim/api/informer';
import type { KubeObject } from '../../../../src/sim/api/types';

describe('sim/apiserver/objects', () => {
  it('deepEqual compares JSON data, ignoring keys whose value is undefined', () => {
    assert.equal(deepEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }), true);
    assert.equal(deepEqual({ a: 1, gone: undefined }, { a: 1 }), true);
    assert.equal(deepEqual({ a: 1 }, { a: 1, gone: undefined }), true);
    assert.equal(deepEqual({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(deepEqual({ a: 1, b: 2 }, { a: 1 }), false);
    assert.equal(deepEqual({ a: 1, b: undefined }, { a: 1, c: 2 }), false);
    assert.equal(deepEqual({ a: null }, { a: undefined }), false);
    assert.equal(deepEqual([1, 2], { 0: 1, 1: 2 }), false);
    assert.equal(deepEqual({ a: [] }, { a: {} }), false);
  });

  it('deepFreeze freezes nested data and deepClone gives a thawed copy without undefined keys', () => {
    const frozen = deepFreeze({ a: { b: [{ c: 1 }] } });
    assert.equal(Object.isFrozen(frozen.a.b[0]), true);
    const copy = deepClone({ ...frozen, d: undefined });
    assert.deepEqual(copy, { a: { b: [{ c: 1 }] } });
    assert.equal(Object.isFrozen(copy.a.b[0]), false);
    assert.equal('d' in copy, false);
  });

  it('a stored version carries its key, invisible to JSON, spreads, keys and comparisons', () => {
    const v1 = stampResourceVersion({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' } }, 5) as KubeObject;
    assert.equal(objectKey(v1), 'default/web');
    assert.equal(v1.metadata.resourceVersion, '5');
    assert.ok(Object.isFrozen(v1) && Object.isFrozen(v1.metadata));
    assert.equal(JSON.stringify(v1), '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","resourceVersion":"5"}}');
    assert.deepEqual(Object.keys(v1.metadata), ['name', 'namespace', 'resourceVersion']);
    assert.ok(deepEqual(v1, deepClone(v1)));
    // A new metadata object (an update) gets the key again; a cluster-scoped object's key is its name.
    const v2 = stampResourceVersion({ ...v1, metadata: { ...v1.metadata, labels: { a: 'b' } } }, 6, v1) as KubeObject;
    assert.equal(objectKey(v2), 'default/web');
    assert.equal(objectKey(stampResourceVersion({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' } }, 7) as KubeObject), 'worker-1');
    // Objects that never went through the API server are keyed the same way.
    assert.equal(objectKey({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'ns' } } as KubeObject), 'ns/x');
  });
});
