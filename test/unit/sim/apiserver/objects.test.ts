import { strict as assert } from 'node:assert';
import { deepClone, deepEqual, deepFreeze } from '../../../../src/sim/apiserver/objects';

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
});
