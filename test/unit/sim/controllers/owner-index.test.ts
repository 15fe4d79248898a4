import { strict as assert } from 'node:assert';
import { OwnerIndex } from '../../../../src/sim/controllers/owner-index';
import type { OwnerReference, Pod } from '../../../../src/sim/api/types';

const ref = (uid: string, controller = false): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller });
const pod = (name: string, owners: OwnerReference[]): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ownerReferences: owners }, spec: { containers: [] } }) as Pod;
const names = (pods: Pod[]) => pods.map((p) => p.metadata.name).sort();

describe('sim/controllers/owner-index', () => {
  it('indexes dependents under one or several owners, and follows owner changes and deletions', () => {
    const all = new OwnerIndex<Pod>(false);
    all.upsert(pod('a', [ref('rs1', true)]));
    all.upsert(pod('b', [ref('rs1', true), ref('rs2')]));
    assert.deepEqual(names(all.dependents('rs1')), ['a', 'b']);
    assert.deepEqual(names(all.dependents('rs2')), ['b']);
    // b loses rs1, a moves to rs2; a new version with the same references replaces the cached one.
    all.upsert(pod('b', [ref('rs2')]));
    all.upsert(pod('a', [ref('rs2', true)]));
    const a2 = pod('a', all.dependents('rs2').find((p) => p.metadata.name === 'a')!.metadata.ownerReferences!);
    all.upsert(a2);
    assert.deepEqual(names(all.dependents('rs1')), []);
    assert.deepEqual(names(all.dependents('rs2')), ['a', 'b']);
    assert.ok(all.dependents('rs2').includes(a2));
    all.delete(pod('b', []));
    assert.deepEqual(names(all.dependents('rs2')), ['a']);
    all.upsert(pod('a', []));
    assert.equal(all.count('rs2'), 0);

    const controllers = new OwnerIndex<Pod>(true);
    controllers.upsert(pod('c', [ref('rs1'), ref('rs2', true)]));
    assert.deepEqual(names(controllers.dependents('rs2')), ['c']);
    assert.deepEqual(names(controllers.dependents('rs1')), []);
  });
});
