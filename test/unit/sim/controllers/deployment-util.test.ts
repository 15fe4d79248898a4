import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { computeHash, equalIgnoreHash, newRSNewReplicas, planOldScaleDown, resolveFenceposts, safeEncodeString } from '../../../../src/sim/controllers/deployment/util';
import { replicaSetForRevision } from '../../../../src/sim/controllers/deployment/rollback';
import { computeZoneState } from '../../../../src/sim/controllers/nodelifecycle/nodelifecycle-controller';
import { minTolerationMs } from '../../../../src/sim/controllers/nodelifecycle/taint-eviction-controller';
import type { Deployment, ReplicaSet } from '../../../../src/sim/api/types';

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });
function dep(replicas: number, maxSurge: number | string = '25%', maxUnavailable: number | string = '25%'): Deployment {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas, selector: {}, template: template('new'), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } } };
}
function rs(name: string, replicas: number, available: number, created: string): ReplicaSet {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, creationTimestamp: created }, spec: { replicas, selector: {}, template: template(name) }, status: { replicas, availableReplicas: available } };
}

describe('deployment controller arithmetic', () => {
  it('resolves fenceposts as upstream: surge rounds up, unavailable down, never both 0', () => {
    assert.deepEqual(resolveFenceposts(dep(6)), { maxSurge: 2, maxUnavailable: 1 });
    assert.deepEqual(resolveFenceposts(dep(3)), { maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(resolveFenceposts(dep(10, 0, 0)), { maxSurge: 0, maxUnavailable: 1 });
    assert.deepEqual(resolveFenceposts(dep(10, '50%', 3)), { maxSurge: 5, maxUnavailable: 3 });
  });

  it('hashes templates into safe strings; equal templates ignore the hash label', () => {
    const h = computeHash(template('nginx:1.26'));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(computeHash(template('nginx:1.26')), h);
    assert.notEqual(computeHash(template('nginx:1.27')), h);
    assert.notEqual(computeHash(template('nginx:1.26'), 1), h, 'the collision count salts the hash');
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
    const withHash = { ...template('x'), metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } };
    assert.ok(equalIgnoreHash(withHash, template('x')));
    assert.ok(!equalIgnoreHash(withHash, template('y')));
  });

  it('a rolling step never plans below replicas − maxUnavailable available nor above replicas + maxSurge', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }),
      (replicas, surge, unavail, newSize, oldSize, oldAvailRaw) => {
        const d = dep(replicas, surge, unavail);
        const { maxSurge, maxUnavailable } = resolveFenceposts(d);
        const oldAvail = Math.min(oldAvailRaw, oldSize);
        const newRS = rs('new', newSize, newSize, '2026-01-01T00:00:01Z');
        const old = rs('old', oldSize, oldAvail, '2026-01-01T00:00:00Z');
        const up = newRSNewReplicas(d, [old, newRS], newRS);
        if (newSize + oldSize <= replicas + maxSurge) assert.ok(up + oldSize <= Math.max(replicas + maxSurge, newSize + oldSize));
        assert.ok(up <= Math.max(replicas, newSize));
        const plan = planOldScaleDown(d, [old, newRS], [old], newRS);
        const after = plan.get(old) ?? oldSize;
        assert.ok(after >= 0 && after <= oldSize);
        const availableAfter = Math.min(oldAvail, after) + newSize;
        const availableBefore = oldAvail + newSize;
        // Scaling down removes unavailable pods first and never takes availability below the floor.
        assert.ok(availableAfter >= Math.min(availableBefore, replicas - Math.min(maxUnavailable, replicas)), `${availableAfter} < floor`);
      },
    ), { numRuns: 500 });
  });

  it('finds the ReplicaSet to roll back to as kubectl does', () => {
    const r = (rev: number) => ({ ...rs(`r${rev}`, 0, 0, ''), metadata: { name: `r${rev}`, annotations: { 'deployment.kubernetes.io/revision': String(rev) } } });
    const d = dep(1);
    assert.equal((replicaSetForRevision(d, [r(1), r(3), r(2)], 0) as ReplicaSet).metadata.name, 'r2');
    assert.equal((replicaSetForRevision(d, [r(1), r(3), r(2)], 1) as ReplicaSet).metadata.name, 'r1');
    assert.equal(replicaSetForRevision(d, [r(1)], 0), 'no rollout history found for deployment "web"');
    assert.equal(replicaSetForRevision(d, [r(1)], 5), 'unable to find specified revision 5 in history');
  });
});

describe('node lifecycle arithmetic', () => {
  it('zone states as upstream ComputeZoneState', () => {
    assert.equal(computeZoneState(0, 3, 0.55), 'FullDisruption');
    assert.equal(computeZoneState(2, 3, 0.55), 'PartialDisruption');
    assert.equal(computeZoneState(1, 2, 0.55), 'Normal', 'at most 2 not-ready nodes never disrupt');
    assert.equal(computeZoneState(10, 3, 0.55), 'Normal');
    assert.equal(computeZoneState(0, 0, 0.55), 'Normal');
  });

  it('minimum toleration time over the NoExecute taints', () => {
    const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const };
    const notReady = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' as const };
    const defaults = [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 60 },
    ];
    assert.equal(minTolerationMs(defaults, [unreachable]), 60_000);
    assert.equal(minTolerationMs(defaults, [unreachable, notReady]), 60_000);
    assert.equal(minTolerationMs([], [unreachable]), undefined, 'not tolerated: evict now');
    assert.equal(minTolerationMs([{ operator: 'Exists' }], [unreachable]), Infinity, 'tolerated forever');
  });
});
