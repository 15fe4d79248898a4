/**
 * How kubectl prints objects, as pure functions: the STATUS column of `kubectl get pods`, READY,
 * RESTARTS, AGE, a node's STATUS and ROLES, and the sums of resource requests on a node. The tree, the
 * describe documents and the status bar all use them, so they say the same thing kubectl would.
 * No vscode import here: unit tests run it under plain mocha.
 */
import { cpuMillis, formatBytes, formatCpu, memoryBytes } from '../../manifest/quantity';
import type { Node, Pod, Quantity } from '../../sim/api/types';
import { humanDuration } from '../../server/printers/table';
import { summarizePod } from '../../server/printers/pods';


// One implementation of kubectl's printing for the tree, describe and the HTTP API's Tables.
export { humanDuration } from '../../server/printers/table';
export { nodeRoles, nodeStatus } from '../../server/printers/nodes';

/**
 * Virtual milliseconds since an API timestamp, given the clock's now (virtual ms) and its epoch (the
 * Unix ms virtual time 0 maps to: `clock.epochMs`).
 */
export function ageMs(timestamp: string | undefined, nowMs: number, epochMs: number): number | undefined {
  if (!timestamp) return undefined;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? undefined : epochMs + nowMs - at;
}

/** The AGE column: "5m", "<unknown>" when there is no timestamp, as kubectl prints. */
export function age(timestamp: string | undefined, nowMs: number, epochMs: number): string {
  const ms = ageMs(timestamp, nowMs, epochMs);
  return ms === undefined ? '<unknown>' : humanDuration(ms);
}

/** The STATUS column of `kubectl get pods` (printPod in kubectl's printers). */
export function podStatus(pod: Pod): string {
  return summarizePod(pod, 0).status;
}

/** The READY column: ready containers / containers. */
export function podReady(pod: Pod): string {
  return summarizePod(pod, 0).ready;
}

export function podRestarts(pod: Pod): number {
  let n = 0;
  for (const c of pod.status?.containerStatuses ?? []) n += c.restartCount;
  for (const c of pod.status?.initContainerStatuses ?? []) n += c.restartCount;
  return n;
}

/** What a pod's status means at a glance: drives its icon and colour. */
export type PodHealth = 'ready' | 'progressing' | 'pending' | 'failing' | 'completed' | 'terminating' | 'unknown';

const FAILING = /BackOff|Err|Invalid|OOMKilled|Error|Failed|Evicted|ExitCode|Signal|NotReady|Unschedulable/;

export function podHealth(pod: Pod): PodHealth {
  const status = podStatus(pod);
  if (status === 'Terminating') return 'terminating';
  if (status === 'Unknown') return 'unknown';
  if (status === 'Completed' || status === 'Succeeded') return 'completed';
  if (status === 'Running') {
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    return ready ? 'ready' : 'progressing';
  }
  if (FAILING.test(status) || pod.status?.phase === 'Failed') return 'failing';
  if (status === 'Pending') return pod.spec.nodeName ? 'progressing' : 'pending';
  return 'progressing';
}

/** True for a pod the scheduler has yet to place (what the view's badge counts). */
export function isUnscheduled(pod: Pod): boolean {
  return !pod.spec.nodeName && !pod.metadata.deletionTimestamp && (pod.status?.phase ?? 'Pending') === 'Pending';
}

/** A node's Ready condition: True, False or Unknown (no condition yet counts as Unknown). */
export function nodeReady(node: Node): 'True' | 'False' | 'Unknown' {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export function nodeZone(node: Node): string | undefined {
  return node.metadata.labels?.[ZONE_LABEL];
}

/** Parses a quantity without throwing: a malformed value counts as 0 (the API server rejects those anyway). */
function safe(parse: (q: Quantity) => number, q: Quantity | undefined): number {
  if (q === undefined) return 0;
  try {
    return parse(q);
  } catch {
    return 0;
  }
}

export interface Allocation {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
}

/** Sum of the requests of a node's non-terminated pods, as `kubectl describe node` counts them. */
export function allocated(pods: Iterable<Pod>): Allocation {
  const out: Allocation = { cpuMillis: 0, memoryBytes: 0, pods: 0 };
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    out.pods++;
    const req = podRequests(pod);
    out.cpuMillis += req.cpuMillis;
    out.memoryBytes += req.memoryBytes;
  }
  return out;
}

/** A pod's effective requests: the sum over its containers, or the largest init container if larger. */
export function podRequests(pod: Pod): { cpuMillis: number; memoryBytes: number } {
  let cpu = 0;
  let mem = 0;
  for (const c of pod.spec.containers) {
    cpu += safe(cpuMillis, c.resources?.requests?.cpu);
    mem += safe(memoryBytes, c.resources?.requests?.memory);
  }
  for (const c of pod.spec.initContainers ?? []) {
    cpu = Math.max(cpu, safe(cpuMillis, c.resources?.requests?.cpu));
    mem = Math.max(mem, safe(memoryBytes, c.resources?.requests?.memory));
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

export function allocatable(node: Node): Allocation {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return { cpuMillis: safe(cpuMillis, a.cpu), memoryBytes: safe(memoryBytes, a.memory), pods: safe(memoryBytes, a.pods) };
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '0%';
}

export { formatBytes, formatCpu };
