/**
 * Saving a lab cluster and bringing it back: what survives a window reload.
 *
 * As in Kubernetes, the durable state is etcd's: every live key with its createRevision, modRevision and
 * version, and the store's revision (so resourceVersions keep increasing and optimistic concurrency
 * still holds). Next to it: the virtual time, the topology (whatever the caller needs to rebuild the
 * same machines: a preset and a seed) and the active faults. Nothing else is saved — the API servers'
 * watch caches, the scheduler's queue, the kubelets' pod workers rebuild themselves from the API when
 * the restored cluster starts, as real components do after a restart.
 *
 * The RNG is not saved: the restored cluster draws from a seed mixed with the saved revision, so it never
 * replays the uids and names the first run generated.
 */
import { deepFreeze, isPlainObject } from './apiserver/objects';
import type { Cluster } from './cluster';
import { MvccStore, type KeyValue } from './etcd/mvcc';
import type { KubeObject } from './api/types';
import { stampResourceVersion } from './apiserver/objects';
import { EPOCH_MS } from './clock';

export const SNAPSHOT_FORMAT = 'k8s-lab-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface SnapshotFault {
  kind: string;
  name: string;
}

export interface SnapshotKeyValue {
  key: string;
  value: KubeObject;
  createRevision: number;
  modRevision: number;
  version: number;
}

export interface LabSnapshot<T = unknown> {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** What rebuilds the same machines (the host's preset and seed). */
  topology: T;
  /** Virtual time in ms when saved. */
  time: number;
  /**
   * The clock's epoch (Unix ms of virtual time 0) the saved timestamps were written with; the restored
   * cluster must be built with it (`ClusterOptions.epochMs`). Snapshots from before it was saved used EPOCH_MS.
   */
  epochMs: number;
  etcd: { revision: number; kvs: SnapshotKeyValue[] };
  faults: SnapshotFault[];
}

export class SnapshotError extends Error {}

/** The etcd member that has applied the most: its store holds the newest committed state. */
function newestStore(cluster: Cluster): MvccStore {
  return cluster.etcd.members.reduce((a, b) => (b.appliedIndex > a.appliedIndex ? b : a)).store;
}

export function takeSnapshot<T>(cluster: Cluster, topology: T, faults: readonly SnapshotFault[] = []): LabSnapshot<T> {
  const store = newestStore(cluster);
  const range = store.range('/registry/');
  if ('error' in range) throw new SnapshotError(`cannot read etcd: ${range.error}`);
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    topology,
    time: cluster.clock.now(),
    epochMs: cluster.clock.epochMs,
    etcd: {
      revision: store.revision,
      kvs: range.kvs.map((kv) => ({ key: kv.key, value: kv.value as KubeObject, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version })),
    },
    faults: faults.map((f) => ({ kind: f.kind, name: f.name })),
  };
}

export function serializeSnapshot(snapshot: LabSnapshot): string {
  return JSON.stringify(snapshot);
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/**
 * Parse and check a saved snapshot; throws SnapshotError saying what is wrong (the host then keeps the
 * file aside and starts a fresh cluster). `topology` checks the caller's part and returns it typed.
 */
export function parseSnapshot<T>(text: string, topology: (value: unknown) => T | undefined): LabSnapshot<T> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SnapshotError(`not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isPlainObject(data) || data.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`not a Kubernetes Lab snapshot (format is not "${SNAPSHOT_FORMAT}")`);
  if (data.version !== SNAPSHOT_VERSION) throw new SnapshotError(`unsupported snapshot version ${JSON.stringify(data.version)} (this version reads ${SNAPSHOT_VERSION})`);
  const topo = topology(data.topology);
  if (topo === undefined) throw new SnapshotError('the topology is missing or unknown');
  if (!isCount(data.time) && !(typeof data.time === 'number' && data.time >= 0 && Number.isFinite(data.time))) throw new SnapshotError('time must be a non-negative number');
  const epochMs = data.epochMs ?? EPOCH_MS;
  if (typeof epochMs !== 'number' || !Number.isInteger(epochMs)) throw new SnapshotError('epochMs must be a whole number of milliseconds');
  const etcd = data.etcd;
  if (!isPlainObject(etcd) || !isCount(etcd.revision) || !Array.isArray(etcd.kvs)) throw new SnapshotError('etcd must have a revision and a list of keys');
  const seen = new Set<string>();
  const kvs: SnapshotKeyValue[] = etcd.kvs.map((kv: unknown, i: number) => {
    const where = `etcd.kvs[${i}]`;
    if (!isPlainObject(kv) || typeof kv.key !== 'string' || !kv.key.startsWith('/registry/')) throw new SnapshotError(`${where}: key must be a string under /registry/`);
    if (seen.has(kv.key)) throw new SnapshotError(`${where}: duplicate key ${kv.key}`);
    seen.add(kv.key);
    if (!isCount(kv.createRevision) || !isCount(kv.modRevision) || !isCount(kv.version) || kv.version < 1) throw new SnapshotError(`${where} (${kv.key}): revisions must be whole numbers and version at least 1`);
    if (kv.createRevision < 1 || kv.createRevision > kv.modRevision || kv.modRevision > (etcd.revision as number)) {
      throw new SnapshotError(`${where} (${kv.key}): needs 1 ≤ createRevision ≤ modRevision ≤ revision ${etcd.revision}`);
    }
    const value = kv.value;
    if (!isPlainObject(value) || !isPlainObject(value.metadata) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
      throw new SnapshotError(`${where} (${kv.key}): value is not a Kubernetes object`);
    }
    return { key: kv.key, value: value as KubeObject, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version };
  });
  const faults = Array.isArray(data.faults) ? data.faults : [];
  for (const f of faults) if (!isPlainObject(f) || typeof f.kind !== 'string' || typeof f.name !== 'string') throw new SnapshotError('faults must be {kind, name} pairs');
  return {
    format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, topology: topo, time: data.time as number, epochMs,
    etcd: { revision: etcd.revision, kvs }, faults: faults as SnapshotFault[],
  };
}

/** The seed a restored cluster draws from: the saved seed mixed with the saved revision (splitmix32 step). */
export function restoredSeed(seed: number, snapshot: LabSnapshot): number {
  let z = (seed + Math.imul(snapshot.etcd.revision, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Load a snapshot into a cluster that has been constructed (with `epochMs: snapshot.epochMs`) but not
 * started: every etcd member gets the saved store and the clock moves to the saved time. Then
 * `cluster.start()` boots the components, which list and watch the restored state.
 */
export function restoreInto(cluster: Cluster, snapshot: LabSnapshot): void {
  if (cluster.clock.epochMs !== snapshot.epochMs) {
    // The saved timestamps are absolute: another epoch would shift every age by the difference.
    throw new SnapshotError(`the cluster's clock epoch ${cluster.clock.epochMs} differs from the snapshot's ${snapshot.epochMs}`);
  }
  const kvs: KeyValue[] = snapshot.etcd.kvs.map((kv) => ({
    key: kv.key,
    // Stored values are frozen and carry their resourceVersion, as the API server stores them.
    value: deepFreeze(stampResourceVersion(kv.value, kv.modRevision)),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
  }));
  const loaded = MvccStore.load(kvs, snapshot.etcd.revision);
  for (const member of cluster.etcd.members) member.store.restore(loaded);
  cluster.clock.runUntil(snapshot.time);
}
