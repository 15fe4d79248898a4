/**
 * Property tests over random sequences of API operations (fast-check): revisions strictly increase,
 * every acknowledged write is readable, every watcher sees every change in order (or is closed with
 * 410 and relists), and the same seed gives the same log.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { ApiResponse, Status, WatchEvent } from '../../../../src/sim/api/request';
import type { KubeObject } from '../../../../src/sim/api/types';
import { Cluster } from '../../../../src/sim/cluster';

type Op =
  | { kind: 'create'; name: number; value: number }
  | { kind: 'update'; name: number; value: number }
  | { kind: 'patch'; name: number; value: number }
  | { kind: 'delete'; name: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'apiserver-restart'; which: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), name: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 0, max: 99 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), name: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 0, max: 99 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('patch' as const), name: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 0, max: 99 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), name: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('apiserver-restart' as const), which: fc.integer({ min: 0, max: 2 }) }) },
);

interface Outcome {
  revisions: number[];
  /** Last acknowledged state per name: the data value, or null when deleted. */
  acked: Map<string, number | null>;
  watched: { type: string; name: string; rv: number }[];
  watchClosed: Status[];
  cluster: Cluster;
}

function run(seed: number, ops: Op[]): Outcome {
  const cluster = new Cluster({ seed, kubelets: false, controlPlane: [] });
  cluster.start();
  const client = cluster.client();
  const base = { apiVersion: 'v1', resource: 'configmaps', namespace: 'default' };
  const out: Outcome = { revisions: [], acked: new Map(), watched: [], watchClosed: [], cluster };
  const watch = cluster.env('master-3', 'watcher@master-3', 'local').client;
  watch.watch({ ...base, query: { resourceVersion: '0' } }, { traceId: 'watch' }, (e: WatchEvent) => {
    const o = e.object as KubeObject;
    out.watched.push({ type: e.type, name: o.metadata.name!, rv: Number(o.metadata.resourceVersion) });
  }, (s) => out.watchClosed.push(s));
  const send = (req: Parameters<typeof client.request>[0]): ApiResponse => {
    let res: ApiResponse | undefined;
    client.request(req, { traceId: cluster.log.newTraceId() }, (r) => (res = r));
    cluster.clock.runUntilCondition(() => res !== undefined, 60_000);
    return res!;
  };
  const lastRV = new Map<string, number>();
  const record = (name: string, res: ApiResponse, value: number | null) => {
    if (res.code >= 300) return;
    out.acked.set(name, value);
    const rv = Number((res.body as KubeObject).metadata?.resourceVersion);
    // A no-op update writes nothing and answers with the unchanged resourceVersion: not a new write.
    if (value !== null && Number.isFinite(rv) && lastRV.get(name) !== rv) out.revisions.push(rv);
    lastRV.set(name, rv);
  };
  for (const op of ops) {
    if (op.kind === 'wait') {
      cluster.clock.advance(op.ms);
      continue;
    }
    if (op.kind === 'apiserver-restart') {
      cluster.apiservers[op.which].stop();
      cluster.clock.advance(1000);
      cluster.apiservers[op.which].start();
      continue;
    }
    const name = `cm-${op.name}`;
    if (op.kind === 'create') record(name, send({ ...base, verb: 'create', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: String(op.value) } } }), op.value);
    if (op.kind === 'update') {
      const got = send({ ...base, verb: 'get', name });
      if (got.code === 200) {
        const current = got.body as KubeObject;
        record(name, send({ ...base, verb: 'update', name, body: { ...current, data: { v: String(op.value) } } }), op.value);
      }
    }
    if (op.kind === 'patch') record(name, send({ ...base, verb: 'patch', name, patchType: 'application/merge-patch+json', body: { data: { v: String(op.value) } } }), op.value);
    if (op.kind === 'delete') record(name, send({ ...base, verb: 'delete', name }), null);
  }
  cluster.clock.advance(100);
  return out;
}

describe('sim/cluster properties', () => {
  it('revisions strictly increase, acknowledged writes are readable, watchers see every change in order', () => {
    let acknowledged = 0;
    let events = 0;
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(opArb, { minLength: 5, maxLength: 40 }), (seed, ops) => {
      const out = run(seed, ops);
      acknowledged += out.revisions.length;
      events += out.watched.length;
      for (let i = 1; i < out.revisions.length; i++) assert.ok(out.revisions[i] > out.revisions[i - 1], `revision ${out.revisions[i]} after ${out.revisions[i - 1]}`);
      for (const [name, value] of out.acked) {
        const stored = out.cluster.read.get('configmaps', 'default', name);
        if (value === null) assert.equal(stored, undefined, `${name} was deleted`);
        else assert.equal((stored?.data as { v: string } | undefined)?.v, String(value), `${name} holds its last acknowledged value`);
      }
      // The watcher's resourceVersions only go up, and (unless it was closed) it ends at the store's state.
      for (let i = 1; i < out.watched.length; i++) assert.ok(out.watched[i].rv >= out.watched[i - 1].rv);
      if (out.watchClosed.length === 0) {
        const last = new Map<string, string>();
        for (const e of out.watched) last.set(e.name, e.type);
        for (const [name, value] of out.acked) assert.equal(last.get(name) === 'DELETED' || !last.has(name) ? null : 'present', value === null ? null : 'present', name);
      } else {
        assert.ok(out.watchClosed.every((s) => s.code === 503 || s.code === 410), 'closed only by a lost connection or 410');
      }
    }), { numRuns: 12, seed: 20260101 });
    assert.ok(acknowledged > 20 && events > 20, `the runs exercised writes (${acknowledged}) and watch events (${events})`);
    console.log(`      ${acknowledged} acknowledged writes, ${events} watch events`);
  });

  it('the same seed and operations give the same log', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(opArb, { minLength: 1, maxLength: 10 }), (seed, ops) => {
      const a = JSON.stringify(run(seed, ops).cluster.log.all());
      const b = JSON.stringify(run(seed, ops).cluster.log.all());
      assert.equal(a, b);
    }), { numRuns: 4, seed: 7 });
  });
});
