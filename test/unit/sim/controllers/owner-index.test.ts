import { strict as assert } from 'node:assert';
import { OwnerIndex } from '../../../../src/sim/controllers/owner-index';
import { PodsByNode } from '../../../../src/sim/controllers/pods';
import type { OwnerReference, Pod } from '../../../../src/sim/api/types';

const ref = (uid: string, controller = false): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller });
const pod = (name: string, owners: OwnerReference[], nodeName?: string): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: owners }, spec: { containers: [], ...(nodeName ? { nodeName } : {}) } }) as Pod;
const names = (pods: Pod[]) => pods.map((p) => p.metadata.name).sort();

interface PodIndex {
  add(p: Pod): void;
  update(old: Pod, p: Pod): void;
  delete(p: Pod): void;
}

/** What an informer does with its cache and an index's handlers: add, update (with the replaced version), delete. */
function feeder(cache: Map<string, Pod>, index: PodIndex) {
  return {
    set(p: Pod): void {
      const key = `default/${p.metadata.name}`;
      const old = cache.get(key);
      cache.set(key, p);
      if (old) index.update(old, p);
      else index.add(p);
    },
    remove(name: string): void {
      const old = cache.get(`default/${name}`)!;
      cache.delete(`default/${name}`);
      index.delete(old);
    },
  };
}

describe('sim/controllers/owner-index', () => {
  it('indexes dependents under one or several owners, and follows owner changes and deletions', () => {
    const cache = new Map<string, Pod>();
    const all = new OwnerIndex<Pod>(cache, false);
    const { set, remove } = feeder(cache, all);
    set(pod('a', [ref('rs1', true)]));
    set(pod('b', [ref('rs1', true), ref('rs2')]));
    assert.deepEqual(names(all.dependents('rs1')), ['a', 'b']);
    assert.deepEqual(names(all.dependents('rs2')), ['b']);
    // b loses rs1, a moves to rs2; a new version with the same references is what the index answers.
    set(pod('b', [ref('rs2')]));
    set(pod('a', [ref('rs2', true)]));
    const a2 = pod('a', cache.get('default/a')!.metadata.ownerReferences!);
    set(a2);
    assert.deepEqual(names(all.dependents('rs1')), []);
    assert.deepEqual(names(all.dependents('rs2')), ['a', 'b']);
    assert.ok(all.dependents('rs2').includes(a2));
    remove('b');
    assert.deepEqual(names(all.dependents('rs2')), ['a']);
    set(pod('a', []));
    assert.equal(all.count('rs2'), 0);

    const controllerCache = new Map<string, Pod>();
    const controllers = new OwnerIndex<Pod>(controllerCache, true);
    feeder(controllerCache, controllers).set(pod('c', [ref('rs1'), ref('rs2', true)]));
    assert.deepEqual(names(controllers.dependents('rs2')), ['c']);
    assert.deepEqual(names(controllers.dependents('rs1')), []);
  });

  it('answers dependents in the order they were first indexed under the owner, whatever updated since', () => {
    const cache = new Map<string, Pod>();
    const idx = new OwnerIndex<Pod>(cache, true);
    const { set } = feeder(cache, idx);
    for (const n of ['p3', 'p1', 'p2']) set(pod(n, [ref('rs1', true)]));
    set(pod('p3', [ref('rs1', true)]));
    assert.deepEqual(idx.dependents('rs1').map((p) => p.metadata.name), ['p3', 'p1', 'p2']);
  });
});

describe('sim/controllers/pods PodsByNode', () => {
  it('follows binding, moves and deletions, and answers the latest cached versions in binding order', () => {
    const cache = new Map<string, Pod>();
    const byNode = new PodsByNode(cache);
    const { set, remove } = feeder(cache, byNode);
    set(pod('a', []));
    assert.deepEqual(byNode.on('n1'), []);
    set(pod('b', [], 'n1'));
    set(pod('a', [], 'n1'));
    const b2 = pod('b', [], 'n1');
    set(b2);
    assert.deepEqual(byNode.on('n1').map((p) => p.metadata.name), ['b', 'a']);
    assert.equal(byNode.on('n1')[0], b2);
    set(pod('a', [], 'n2'));
    assert.deepEqual(names(byNode.on('n1')), ['b']);
    assert.deepEqual(names(byNode.on('n2')), ['a']);
    remove('b');
    set(pod('a', []));
    assert.deepEqual(byNode.on('n1'), []);
    assert.deepEqual(byNode.on('n2'), []);
  });
});
