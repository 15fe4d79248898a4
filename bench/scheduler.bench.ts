/**
 * Scheduler hot path: scheduleOne over a 5,000-node cache, as the scale benchmark drives it —
 * pods of Deployments (system default spreading through their ReplicaSet), cpu/memory requests and
 * the API server's default tolerations — in three phases: a healthy cluster; a third of the nodes
 * tainted unreachable (NoSchedule + NoExecute, as after a zone failure) and a few cordoned; pods
 * that fit nowhere (FitError and the preemption dry run). Each chosen node is assumed, as the
 * scheduler does. Prints µs per pod for each phase; then (not with --verify) the tainted phase
 * again as the Scheduler runs cycles when its log is not recorded (totals only, CycleBuffers).
 *
 * With --verify, also prints a hash of every decision (chosen node, evaluated nodes, feasible nodes,
 * each failed node's status, the per-plugin scores, totals, FitError messages), so that an
 * optimisation can be checked to change no decision and no output.
 *
 * Run: node scripts/build.mjs && node --expose-gc dist/bench/scheduler.bench.js [--nodes 5000 --pods 3000 --verify]
 */
import { createHash } from 'node:crypto';
import { Rng } from '../src/sim/clock';
import type { Node, Pod, ReplicaSet, Taint } from '../src/sim/api/types';
import { SchedulerCache } from '../src/sim/scheduler/cache';
import type { Handle, Listers } from '../src/sim/scheduler/framework';
import { podInfoOf } from '../src/sim/scheduler/node-info';
import { Profile } from '../src/sim/scheduler/profile';
import { defaultProfile, inTreeRegistry } from '../src/sim/scheduler/registry';
import { CycleBuffers, scheduleOne, type ScheduleResult } from '../src/sim/scheduler/schedule-one';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const NODES = arg('nodes', 5000);
const PODS = arg('pods', 3000);
const PREFILL = arg('prefill', 20);
const VERIFY = process.argv.includes('--verify');
const APPS = 20;
const ZONES = ['us-east-2a', 'us-east-2b', 'us-east-2c'];

function node(name: string, zone: string, master: boolean): Node {
  const capacity = master ? { cpu: '2', memory: '4Gi', pods: '110' } : { cpu: '4', memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/region': 'us-east-2',
        'topology.kubernetes.io/zone': zone,
        ...(master ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      },
    },
    spec: { taints: master ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : [] },
    status: { capacity, allocatable: capacity },
  };
}

const rsName = (app: number) => `app-${app}-5d8f7c`;

function pod(name: string, app: number, cpu = '10m', nodeName?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: `app-${app}`, 'pod-template-hash': '5d8f7c' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName(app), uid: `uid-rs-${app}`, controller: true }],
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu, memory: '16Mi' } } }],
      nodeName,
      schedulerName: 'default-scheduler',
      priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
  };
}

const replicaSets: ReplicaSet[] = Array.from({ length: APPS }, (_, app) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: rsName(app), namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { app: `app-${app}`, 'pod-template-hash': '5d8f7c' } }, template: { spec: { containers: [] } } },
}));
const listers: Listers = {
  services: () => [],
  replicaSet: (_ns, name) => replicaSets.find((r) => r.metadata.name === name),
  namespace: () => undefined,
  namespaces: () => [],
};

const cache = new SchedulerCache();
const handle: Handle = { snapshot: cache, listers };
const profile = new Profile(defaultProfile(), inTreeRegistry(), handle);
const rng = new Rng(7);
const fill = new Rng(3);
const nodes: Node[] = [];
for (let i = 0; i < 3; i++) nodes.push(node(`master-${i + 1}`, ZONES[i], true));
for (let i = 0; i < NODES; i++) nodes.push(node(`worker-${i + 1}`, ZONES[i % 3], false));
for (const n of nodes) cache.addNode(n);
// Pods already running: PREFILL per 100 nodes on average, spread unevenly.
for (let i = 0; i < NODES * PREFILL / 100 * 10; i++) cache.addPod(pod(`pre-${i}`, i % APPS, '10m', `worker-${1 + fill.int(NODES)}`));

const hash = createHash('sha256');
function record(r: ScheduleResult): void {
  if (!VERIFY) return;
  const failed: string[] = [];
  for (const [name, status] of r.failed) failed.push(`${name}=${JSON.stringify(status)}`);
  const scores: string[] = [];
  for (const [plugin, s] of r.scores) scores.push(`${plugin}:${s.join(',')}`);
  hash.update(
    [r.nodeName, r.numAllNodes, r.evaluatedNodes, r.nextStartNodeIndex, r.feasible.map((n) => n.name).join(','), failed.join(';'), scores.join(';'), r.totals.join(','), r.fitError, r.error, [...r.unschedulablePlugins].join(',')].join('|') + '\n',
  );
}

let start = 0;
let seq = 0;
/** For the phase run as the Scheduler runs cycles when its log is not recorded: totals only, reused arrays. */
const buffers = new CycleBuffers();
function phase(label: string, count: number, make: (i: number) => Pod, asScheduler = false): void {
  const pods = Array.from({ length: count }, (_, i) => make(i));
  const t = performance.now();
  let placed = 0;
  for (const p of pods) {
    const lean = asScheduler ? { keepScores: false, buffers } : {};
    const r = scheduleOne({ profile, snapshot: cache, pod: podInfoOf(p), rng, startNodeIndex: start, ...lean });
    start = r.nextStartNodeIndex;
    record(r);
    if (r.nodeName) {
      cache.assumePod(p, r.nodeName);
      placed++;
    }
  }
  const ms = performance.now() - t;
  console.log(`  ${label.padEnd(34)} ${((ms * 1000) / count).toFixed(1).padStart(8)} µs/pod  (${count} pods, ${placed} placed, ${ms.toFixed(0)} ms)`);
}

console.log(`scheduler: ${nodes.length} nodes, ${PODS} pods per phase${VERIFY ? ', verifying' : ''}`);
// Warm-up: the JIT, and the spreading counters of every app (built once, then kept incrementally).
phase('warm-up', Math.max(APPS, Math.round(PODS / 10)), (i) => pod(`w-${seq++}`, i % APPS));
phase('healthy', PODS, (i) => pod(`a-${seq++}`, i % APPS));
// A zone fails: its nodes are tainted unreachable; a few others are cordoned.
const unreachable: Taint[] = [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
];
for (let i = 0; i < NODES; i++) {
  const n = nodes[3 + i];
  if (i % 3 === 0) cache.updateNode({ ...n, spec: { ...n.spec, taints: unreachable } });
  else if (i % 97 === 1) cache.updateNode({ ...n, spec: { ...n.spec, unschedulable: true } });
}
phase('a zone tainted, some cordoned', PODS, (i) => pod(`b-${seq++}`, i % APPS));
phase('fits nowhere (FitError, preemption)', Math.max(1, Math.round(PODS / 50)), (i) => pod(`c-${seq++}`, i % APPS, '64'));
// Last, and not with --verify (its results keep no per-plugin scores, so they are not hashed).
if (!VERIFY) phase('tainted, as the Scheduler (lean)', PODS, (i) => pod(`d-${seq++}`, i % APPS), true);
if (VERIFY) console.log(`  decisions hash ${hash.digest('hex').slice(0, 16)}`);
