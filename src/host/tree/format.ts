/**
 * How kubectl prints objects, as pure functions: the STATUS column of `kubectl get pods`, READY,
 * RESTARTS, AGE, a node's STATUS and ROLES, and the sums of resource requests on a node. The tree, the
 * describe documents and the status bar all use them, so they say the same thing kubectl would.
 * No vscode import here: unit tests run it under plain mocha.
 */
import { EPOCH_MS } from '../../sim/clock';
import { cpuMillis, formatBytes, formatCpu, memoryBytes } from '../../manifest/quantity';
import type { Node, Pod, Quantity } from '../../sim/api/types';

/** upstream's NodeUnreachablePodReason: the node lifecycle controller marks pods of unreachable nodes. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

/** kubectl's age format (k8s.io/apimachinery/pkg/util/duration.HumanDuration). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Virtual milliseconds since an API timestamp, given the clock's now (virtual ms since EPOCH_MS). */
export function ageMs(timestamp: string | undefined, nowMs: number): number | undefined {
  if (!timestamp) return undefined;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? undefined : EPOCH_MS + nowMs - at;
}

/** The AGE column: "5m", "<unknown>" when there is no timestamp, as kubectl prints. */
export function age(timestamp: string | undefined, nowMs: number): string {
  const ms = ageMs(timestamp, nowMs);
  return ms === undefined ? '<unknown>' : humanDuration(ms);
}

/** The STATUS column of `kubectl get pods` (printPod in kubectl's printers). */
export function podStatus(pod: Pod): string {
  const status = pod.status ?? {};
  let reason: string = status.reason || status.phase || 'Pending';
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (reason === 'Pending' && scheduled?.status === 'False' && scheduled.reason === 'SchedulingGated') reason = 'SchedulingGated';

  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  const initCount = pod.spec.initContainers?.length ?? 0;
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    const term = c.state?.terminated;
    if (term && term.exitCode === 0) continue;
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing) {
    let hasRunning = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const state = containers[i].state;
      if (state?.waiting?.reason) reason = state.waiting.reason;
      else if (state?.terminated?.reason) reason = state.terminated.reason;
      else if (state?.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      else if (containers[i].ready && state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) return 'Unknown';
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  return reason;
}

/** The READY column: ready containers / containers. */
export function podReady(pod: Pod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  return `${statuses.filter((c) => c.ready).length}/${pod.spec.containers.length}`;
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

/** The STATUS column of `kubectl get nodes`: "Ready", "NotReady", "Ready,SchedulingDisabled" ... */
export function nodeStatus(node: Node): string {
  const parts = [nodeReady(node) === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** The ROLES column: from node-role.kubernetes.io/<role> labels, "<none>" without any. */
export function nodeRoles(node: Node): string {
  const roles: string[] = [];
  for (const key of Object.keys(node.metadata.labels ?? {}).sort()) {
    if (key.startsWith('node-role.kubernetes.io/')) roles.push(key.slice('node-role.kubernetes.io/'.length));
    else if (key === 'kubernetes.io/role') roles.push(node.metadata.labels![key]);
  }
  return roles.length > 0 ? roles.join(',') : '<none>';
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
