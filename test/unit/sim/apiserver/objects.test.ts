import { strict as assert } from 'node:assert';
import { deepClone, deepCloneSharingFrozen, deepEqual, deepFreeze, stampResourceVersion } from '../../../../src/sim/apiserver/objects';
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

  it('deepCloneSharingFrozen shares frozen parts a copy would equal key for key, and copies the rest as deepClone', () => {
    const clean = deepFreeze({ labels: { a: 'b' }, refs: [{ uid: '1' }, { uid: '2' }] });
    const holey = deepFreeze({ name: 'x', gone: undefined, labels: { c: 'd' } });
    const list = deepFreeze([{ a: 1 }, { b: 2, gone: undefined }, { c: 3 }]);
    const body = { meta: clean, holey, list, spec: { n: 1, skip: undefined }, items: [1, undefined] };
    const copy = deepCloneSharingFrozen(body);
    assert.equal(JSON.stringify(copy), JSON.stringify(deepClone(body)));
    assert.deepEqual(copy, deepClone(body), 'no key whose value is undefined is left');
    assert.equal(copy.meta, clean, 'a clean frozen subtree is shared');
    assert.notEqual(copy.spec, body.spec, 'what is not frozen is copied');
    assert.equal(Object.isFrozen(copy.spec), false);
    assert.notEqual(copy.holey, holey, 'a frozen object with an undefined value is copied');
    assert.deepEqual(Object.keys(copy.holey), ['name', 'labels']);
    assert.equal(copy.holey.labels, holey.labels, '... sharing its clean parts');
    assert.notEqual(copy.list, list);
    assert.equal(copy.list[0], list[0]);
    assert.equal(copy.list[2], list[2]);
    assert.deepEqual(Object.keys(copy.list[1]), ['b']);
    assert.equal(deepCloneSharingFrozen(list.slice(0, 1)).length, 1);
    assert.equal(deepCloneSharingFrozen(deepFreeze({ a: [clean] })).a[0], clean);
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
