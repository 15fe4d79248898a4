import { strict as assert } from 'node:assert';
import { ActivePodCounts } from '../../../../src/sim/controllers/replicaset/pod-counts';
import type { Pod } from '../../../../src/sim/api/types';

const pod = (name: string, owner: string | undefined, opts: { ready?: boolean; phase?: string; labels?: Record<string, string>; deleting?: boolean } = {}): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: opts.labels ?? { app: 'a' },
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}),
      ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [] },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }] },
  }) as Pod;

describe('sim/controllers/replicaset/pod-counts', () => {
  it('counts active, ready and labelled pods per owner through updates, owner changes and deletions', () => {
    const counts = new ActivePodCounts(() => ({ app: 'a' }));
    counts.upsert(pod('p1', 'rs1'));
    counts.upsert(pod('p2', 'rs1', { ready: true }));
    counts.upsert(pod('p3', 'rs1', { labels: { app: 'b' } }));
    assert.deepEqual(counts.counts('rs1'), { active: 3, ready: 1, labeled: 2 });
    // Updates that change nothing counted, then ones that do.
    counts.upsert(pod('p1', 'rs1'));
    counts.upsert(pod('p2', 'rs1', { ready: true }));
    assert.deepEqual(counts.counts('rs1'), { active: 3, ready: 1, labeled: 2 });
    counts.upsert(pod('p1', 'rs1', { ready: true }));
    counts.upsert(pod('p3', 'rs1', { labels: { app: 'a' } }));
    assert.deepEqual(counts.counts('rs1'), { active: 3, ready: 2, labeled: 3 });
    counts.upsert(pod('p2', 'rs1', { ready: true, deleting: true }));
    counts.upsert(pod('p3', 'rs2'));
    assert.deepEqual(counts.counts('rs1'), { active: 1, ready: 1, labeled: 1 });
    assert.deepEqual(counts.counts('rs2'), { active: 1, ready: 0, labeled: 1 });
    counts.upsert(pod('p3', undefined));
    counts.delete(pod('p1', 'rs1'));
    assert.deepEqual(counts.counts('rs1'), { active: 0, ready: 0, labeled: 0 });
    assert.deepEqual(counts.counts('rs2'), { active: 0, ready: 0, labeled: 0 });
  });

  it('answers counts as a snapshot: later pod events never change counts already read (the ReplicaSet status is written from them after its API calls)', () => {
    const counts = new ActivePodCounts(() => ({ app: 'a' }));
    counts.upsert(pod('p1', 'rs1', { ready: true }));
    const held = counts.counts('rs1');
    // The only pod changes (not ready any more), then goes: what was read stays what it was.
    counts.upsert(pod('p1', 'rs1', { ready: false }));
    assert.deepEqual(held, { active: 1, ready: 1, labeled: 1 });
    assert.deepEqual(counts.counts('rs1'), { active: 1, ready: 0, labeled: 1 });
    counts.delete(pod('p1', 'rs1'));
    assert.deepEqual(held, { active: 1, ready: 1, labeled: 1 });
    assert.deepEqual(counts.counts('rs1'), { active: 0, ready: 0, labeled: 0 });
  });
});
