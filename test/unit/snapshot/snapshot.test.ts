import { strict as assert } from 'node:assert';
import type { KubeObject, Pod } from '../../../src/sim/api/types';
import { createLabCluster, clusterOptions, type LabTopology } from '../../../src/host/lab-cluster';
import { Cluster } from '../../../src/sim/cluster';
import { EPOCH_MS } from '../../../src/sim/clock';
import { parseSnapshot, restoredSeed, restoreInto, serializeSnapshot, SnapshotError, takeSnapshot } from '../../../src/sim/snapshot';

const topologyOf = (v: unknown): LabTopology | undefined =>
  typeof v === 'object' && v !== null && (v as LabTopology).preset === 'default' && typeof (v as LabTopology).seed === 'number' ? (v as LabTopology) : undefined;

function pod(name: string, nodeSelector?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeSelector, containers: [{ name: 'main', image: 'nginx:1.26' }] } };
}

const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'lab' } };
/** A pod no node can take: it stays Pending with the scheduler's message. */
const stuck = pod('stuck', { disktype: 'ssd' });

function summary(cluster: Cluster, resource: string): string[] {
  return cluster.read.list(resource).map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name} uid=${o.metadata.uid} rv=${o.metadata.resourceVersion}`);
}

describe('lab snapshots', function () {
  this.timeout(60_000);
  const topology: LabTopology = { preset: 'default', seed: 7 };
  let original: Cluster;
  let text: string;

  before(() => {
    original = createLabCluster(topology);
    original.start();
    const results = original.applyAndWait([configMap, stuck]);
    assert.deepEqual(results.map((r) => r.action), ['created', 'created']);
    assert.ok(original.settle(120_000), 'pods settle');
    assert.equal(original.read.get<Pod>('pods', 'default', 'stuck')?.status?.conditions?.find((c) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
    text = serializeSnapshot(takeSnapshot(original, topology, [{ kind: 'node', name: 'worker-2' }]));
  });

  it('restores the same objects, revisions and time, and the cluster goes on from there', () => {
    const snapshot = parseSnapshot(text, topologyOf);
    assert.equal(snapshot.faults[0].name, 'worker-2');
    const restored = new Cluster({ ...clusterOptions(topology), seed: restoredSeed(topology.seed, snapshot) });
    restoreInto(restored, snapshot);
    assert.equal(restored.clock.now(), original.clock.now());
    for (const resource of ['namespaces', 'nodes', 'pods', 'leases', 'configmaps', 'events']) assert.deepEqual(summary(restored, resource), summary(original, resource), resource);
    assert.deepEqual(restored.read.get('configmaps', 'default', 'settings'), original.read.get('configmaps', 'default', 'settings'));
    assert.deepEqual(restored.read.get('pods', 'default', 'stuck'), original.read.get('pods', 'default', 'stuck'));

    restored.start();
    const [created] = restored.applyAndWait([pod('later', { disktype: 'nvme' })]);
    assert.equal(created.action, 'created');
    assert.ok(Number(created.object!.metadata.resourceVersion) > snapshot.etcd.revision, 'revisions keep increasing');
    const uids = new Set(original.read.list('pods').map((p) => p.metadata.uid));
    assert.ok(!uids.has(created.object!.metadata.uid), 'the restored cluster does not replay old uids');
    assert.ok(restored.settle(120_000), 'settles after restore');
    // The restored scheduler picked up both pending pods from the API and explains why they wait.
    for (const name of ['stuck', 'later']) {
      const p = restored.read.get<Pod>('pods', 'default', name)!;
      assert.match(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? '', /^0\/6 nodes are available: /, name);
    }
    // Nodes came back Ready: the restored kubelets renewed their leases and posted status.
    const nodes = restored.read.list('nodes') as unknown as { status: { conditions: { type: string; status: string }[] } }[];
    assert.ok(nodes.every((n) => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')));
    // Re-applying is a no-op: the restored store kept the last-applied configuration.
    const [again] = restored.applyAndWait([configMap]);
    assert.equal(again.action, 'unchanged');
  });

  it('keeps the clock epoch: a restored lab goes on writing timestamps from it; old snapshots read as EPOCH_MS', () => {
    const epochMs = Date.UTC(2030, 2, 15, 9, 0, 0);
    const first = new Cluster({ ...clusterOptions(topology), epochMs });
    first.start();
    const [made] = first.applyAndWait([configMap]);
    assert.equal(made.action, 'created');
    const createdAt = made.object!.metadata.creationTimestamp!;
    assert.ok(createdAt.startsWith('2030-03-15T09:00:'), createdAt);
    const saved = parseSnapshot(serializeSnapshot(takeSnapshot(first, topology)), topologyOf);
    assert.equal(saved.epochMs, epochMs);

    // A cluster built with another epoch would shift every age: restoring into it is refused.
    assert.throws(() => restoreInto(new Cluster({ ...clusterOptions(topology) }), saved), (err: unknown) => err instanceof SnapshotError && /epoch/.test(err.message));

    const again = new Cluster({ ...clusterOptions(topology), seed: restoredSeed(topology.seed, saved), epochMs: saved.epochMs });
    restoreInto(again, saved);
    again.start();
    assert.equal(again.read.get('configmaps', 'default', 'settings')?.metadata.creationTimestamp, createdAt);
    const [later] = again.applyAndWait([pod('after-restore')]);
    const laterAt = Date.parse(later.object!.metadata.creationTimestamp!);
    // Timestamps are the saved epoch plus virtual time, which goes on from the saved time.
    assert.ok(laterAt >= epochMs + Math.floor(saved.time / 1000) * 1000 && laterAt <= epochMs + again.clock.now(), later.object!.metadata.creationTimestamp);

    // A snapshot written before the epoch was saved: its timestamps were written from EPOCH_MS.
    const old = JSON.parse(text) as Record<string, unknown>;
    delete old.epochMs;
    assert.equal(parseSnapshot(JSON.stringify(old), topologyOf).epochMs, EPOCH_MS);
  });

  it('rejects corrupt snapshots with a clear message', () => {
    const bad = (mutate: (s: Record<string, unknown>) => void): string => {
      const s = JSON.parse(text) as Record<string, unknown>;
      mutate(s);
      return JSON.stringify(s);
    };
    const cases: [string, RegExp][] = [
      ['{"format": "k8s-lab-snapshot", "vers', /^not valid JSON/],
      ['[]', /not a Kubernetes Lab snapshot/],
      [bad((s) => (s.version = 99)), /unsupported snapshot version 99/],
      [bad((s) => (s.topology = { preset: 'huge' })), /topology is missing or unknown/],
      [bad((s) => ((s.etcd as { revision: number }).revision = 1)), /needs 1 ≤ createRevision ≤ modRevision ≤ revision 1/],
      [bad((s) => ((s.etcd as { kvs: { key: string }[] }).kvs[0].key = 'elsewhere')), /etcd\.kvs\[0\]: key must be a string under \/registry\//],
      [bad((s) => ((s.etcd as { kvs: { value: unknown }[] }).kvs[3].value = 'x')), /etcd\.kvs\[3\] \(.*\): value is not a Kubernetes object/],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => parseSnapshot(input, topologyOf), (err: unknown) => err instanceof SnapshotError && message.test(err.message), String(message));
    }
  });
});
