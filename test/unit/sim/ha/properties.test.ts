/**
 * Property tests over random fault schedules on a real cluster (fast-check, fixed seeds, few runs:
 * each run is a whole cluster in fast-forward).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { applyOk, deployment, podsOf, readyPods, startCluster, waitFor } from '../controllers/helpers';
import { Faults, type FaultKind } from '../../../../src/sim/faults';
import { controllerManagerOn, schedulerOn } from '../../../../src/sim/presets';
import type { Cluster } from '../../../../src/sim/cluster';
import type { ApiResponse } from '../../../../src/sim/api/request';
import type { LeadershipTerm } from '../../../../src/sim/leaderelection';

const MASTERS = ['master-1', 'master-2', 'master-3'];
const WORKERS = ['worker-1', 'worker-2', 'worker-3'];

type Step =
  | { op: 'stop' | 'start'; kind: FaultKind; name: string }
  | { op: 'wait'; ms: number }
  | { op: 'write' };

const masterFault = fc.record({
  op: fc.constantFrom<'stop' | 'start'>('stop', 'start'),
  kind: fc.constantFrom<FaultKind>('node', 'etcd', 'apiserver', 'partition', 'scheduler', 'controller-manager'),
  name: fc.constantFrom(...MASTERS),
});
const workerFault = fc.record({
  op: fc.constantFrom<'stop' | 'start'>('stop', 'start'),
  kind: fc.constantFrom<FaultKind>('node'),
  name: fc.constantFrom(...WORKERS),
});
const zoneFault = fc.record({ op: fc.constantFrom<'stop' | 'start'>('stop', 'start'), kind: fc.constant<FaultKind>('zone'), name: fc.constantFrom('us-east-2a', 'us-east-2b', 'us-east-2c') });
const wait = fc.record({ op: fc.constant<'wait'>('wait'), ms: fc.integer({ min: 500, max: 40_000 }) });
const write = fc.record({ op: fc.constant<'write'>('write') });

function healAll(faults: Faults): void {
  for (const f of faults.list()) faults.start(f.kind, f.name);
}

/** Every term of every candidate for a lease, across the masters. */
function termsOf(cluster: Cluster, lease: 'kube-scheduler' | 'kube-controller-manager'): LeadershipTerm[] {
  return MASTERS.flatMap((m) => {
    const comps = cluster.controlPlane.get(m);
    const elector = lease === 'kube-scheduler' ? schedulerOn(comps)?.elector : controllerManagerOn(comps)?.elector;
    return elector ? elector.terms : [];
  });
}

function assertNoOverlap(terms: LeadershipTerm[], now: number, what: string): void {
  const sorted = [...terms].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const end = prev.to ?? now;
    assert.ok(end <= sorted[i].from, `${what}: ${prev.identity} (term ${prev.transitions}, until ${end}) overlaps ${sorted[i].identity} (from ${sorted[i].from})`);
    assert.ok(sorted[i].transitions > prev.transitions || sorted[i].identity === prev.identity, `${what}: term numbers must grow across holders`);
  }
}

describe('HA properties under random fault schedules', function () {
  this.timeout(120_000);

  it('every acknowledged write survives, and no two leaders ever act at once', () => {
    let ackedTotal = 0;
    let handovers = 0;
    fc.assert(fc.property(fc.array(fc.oneof(masterFault, wait, write, write), { minLength: 4, maxLength: 14 }), fc.integer({ min: 1, max: 1000 }), (steps: Step[], seed) => {
      const cluster = startCluster({ seed });
      const faults = new Faults(cluster);
      const client = cluster.client('kubectl');
      const acked: string[] = [];
      let n = 0;
      for (const step of steps) {
        if (step.op === 'wait') cluster.clock.advance(step.ms);
        else if (step.op === 'write') {
          const name = `w-${n++}`;
          client.request({ verb: 'create', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: name } } },
            { traceId: cluster.log.newTraceId() }, (r: ApiResponse) => { if (r.code === 201) acked.push(name); });
          cluster.clock.advance(200);
        } else if (step.op === 'stop') faults.stop(step.kind, step.name);
        else faults.start(step.kind, step.name);
      }
      cluster.clock.advance(15_000);
      healAll(faults);
      waitFor(cluster, 'etcd leader after healing', () => cluster.etcd.leader() !== undefined, 60_000);
      cluster.clock.advance(30_000);
      for (const name of acked) {
        let got: ApiResponse | undefined;
        client.request({ verb: 'get', apiVersion: 'v1', resource: 'configmaps', namespace: 'default', name }, { traceId: 'check' }, (r) => (got = r));
        cluster.clock.runUntilCondition(() => got !== undefined, 30_000);
        assert.equal(got?.code, 200, `acknowledged write ${name} lost`);
        for (const m of cluster.etcd.members) assert.ok(m.store.get(`/registry/configmaps/default/${name}`), `${name} missing on ${m.name}`);
      }
      ackedTotal += acked.length;
      for (const lease of ['kube-scheduler', 'kube-controller-manager'] as const) {
        const terms = termsOf(cluster, lease);
        handovers += terms.length - 1;
        assertNoOverlap(terms, cluster.clock.now(), lease);
      }
      // And after healing there is exactly one leader of each.
      const leaders = MASTERS.filter((m) => schedulerOn(cluster.controlPlane.get(m))!.isLeader());
      assert.equal(leaders.length, 1, `scheduler leaders: ${leaders.join(', ')}`);
    }), { numRuns: 8, seed: 42 });
    // The schedules did exercise something: writes were acknowledged and leadership changed hands.
    assert.ok(ackedTotal > 0 && handovers > 0, `acked ${ackedTotal}, handovers ${handovers}`);
  });

  it('replica counts converge once faults heal', () => {
    fc.assert(fc.property(fc.array(fc.oneof(workerFault, zoneFault, masterFault, wait, wait), { minLength: 3, maxLength: 8 }), (steps: Step[]) => {
      const cluster = startCluster();
      const faults = new Faults(cluster);
      applyOk(cluster, deployment('web', 6));
      waitFor(cluster, '6 ready', () => readyPods(cluster, 'web').length === 6);
      for (const step of steps) {
        if (step.op === 'wait') cluster.clock.advance(step.ms * 10);
        else if (step.op === 'stop') faults.stop(step.kind, step.name);
        else if (step.op === 'start') faults.start(step.kind, step.name);
      }
      healAll(faults);
      waitFor(cluster, 'back to exactly 6 ready pods', () => podsOf(cluster, 'web').length === 6 && readyPods(cluster, 'web').length === 6, 900_000);
    }), { numRuns: 6, seed: 7 });
  });
});
