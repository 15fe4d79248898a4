/**
 * The simulated cluster in fast-forward: pods from creation to Running per second of wall time, on
 * 3 workers and on 1,000 workers (30,000 pods; the floor for issue 3 is all Running in under 30 s),
 * and heap per 10,000 pods. Pods are created through the load balancer as kubectl would, all at once;
 * the clock then runs until every pod reports Running.
 * Run: node scripts/build.mjs && node --expose-gc --max-old-space-size=4096 dist/bench/sim.bench.js [--quick] [--large] [--pods N]
 */
import { loadavg } from 'node:os';
import type { KubeObject, Pod } from '../src/sim/api/types';
import { Cluster } from '../src/sim/cluster';

interface Result {
  name: string;
  nodes: number;
  pods: number;
  bootMs: number;
  wallMs: number;
  /** CPU time of this process over the same span (the machine is shared: wall time varies with load). */
  cpuMs: number;
  virtualMs: number;
  running: number;
  logEntries: number;
  heapPer10kMB?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** The 1-minute load average: on a shared machine it explains wall-time swings. */
function loadAverage(): string {
  return loadavg()[0].toFixed(1);
}

function heapMB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1048576;
}

function podFor(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `bench-${i}`, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

function scenario(name: string, workers: number, pods: number, maxVirtualMs: number): Result {
  const bootStarted = performance.now();
  const cluster = new Cluster({
    seed: 7,
    workers,
    storeLog: false,
    // Kubelet Events are off: their names do not accept fractional virtual time yet (kubelet/events.ts).
    kubelet: { recordEvents: false },
  });
  cluster.start();
  const bootMs = performance.now() - bootStarted;
  const heapBefore = heapMB();
  const running = new Set<string>();
  cluster.read.subscribe((change) => {
    if (change.resource !== 'pods') return;
    const p = change.object as Pod;
    if (change.type !== 'DELETED' && p.status?.phase === 'Running') running.add(p.metadata.name!);
  });
  const client = cluster.client('bench');
  let refused = 0;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const virtualStart = cluster.clock.now();
  for (let i = 0; i < pods; i++) {
    client.request({ verb: 'create', apiVersion: 'v1', resource: 'pods', namespace: 'default', body: podFor(i) }, { traceId: cluster.log.newTraceId() }, (res) => {
      if (res.code !== 201) refused++;
    });
  }
  cluster.clock.runUntilCondition(() => running.size >= pods, maxVirtualMs);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const result: Result = {
    name, nodes: cluster.nodes.length, pods, bootMs, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, virtualMs: cluster.clock.now() - virtualStart,
    running: running.size, logEntries: cluster.log.size,
  };
  const heapAfter = heapMB();
  result.heapPer10kMB = ((heapAfter - heapBefore) / pods) * 10_000;
  if (refused > 0) console.log(`  (${refused} creations refused)`);
  return result;
}

function report(r: Result): void {
  const rate = (r.running / r.wallMs) * 1000;
  console.log(`${r.name}: ${r.nodes} nodes, ${r.pods} pods`);
  console.log(`  boot                ${(r.bootMs / 1000).toFixed(2)} s wall`);
  console.log(`  all Running         ${r.running === r.pods ? 'yes' : `NO (${r.running}/${r.pods})`} after ${(r.wallMs / 1000).toFixed(2)} s wall, ${(r.virtualMs / 1000).toFixed(1)} s virtual`);
  console.log(`  throughput          ${rate.toFixed(0)} pods/s (creation to Running, wall time); ${((r.running / r.cpuMs) * 1000).toFixed(0)} pods per CPU second (${(r.cpuMs / 1000).toFixed(1)} s CPU)`);
  console.log(`  log entries         ${r.logEntries.toLocaleString('en-US')} (${((r.logEntries / r.wallMs) * 1000).toFixed(0)} per wall second)`);
  if (r.heapPer10kMB !== undefined) console.log(`  heap                ${r.heapPer10kMB.toFixed(0)} MB per 10,000 pods${gc ? '' : ' (run with --expose-gc for a precise figure)'}`);
}

const quick = process.argv.includes('--quick');
/** `--pods N`: the large scenario's pod count (for profiling); `--large`: skip the small scenario. */
const podsArg = process.argv.indexOf('--pods');
const largePods = podsArg > 0 ? Number(process.argv[podsArg + 1]) : quick ? 3000 : 30_000;
if (!process.argv.includes('--large')) report(scenario('small', 3, 300, 600_000));
const large = scenario('large', 1000, largePods, 1_800_000);
report(large);
if (largePods === 30_000) {
  const floor = large.running === large.pods && large.wallMs < 30_000;
  console.log(`  floor (30,000 pods Running on 1,000 workers in < 30 s): ${floor ? 'met' : 'NOT met'} (load average ${loadAverage()})`);
}
