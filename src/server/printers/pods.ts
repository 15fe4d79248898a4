/**
 * `kubectl get pods`: NAME READY STATUS RESTARTS AGE (+ wide: IP NODE NOMINATED NODE READINESS GATES),
 * with the STATUS column worked out as upstream's printPod does (Init:…, ContainerCreating,
 * CrashLoopBackOff, Completed, Terminating, Unknown …).
 */
import type { ContainerStatus, Pod } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, humanDuration, orNone, type Printer } from './table';

const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

function isRestartableInit(pod: Pod, name: string): boolean {
  const c = pod.spec.initContainers?.find((x) => x.name === name) as { restartPolicy?: string } | undefined;
  return c?.restartPolicy === 'Always';
}

function conditionTrue(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function finishedAt(status: ContainerStatus): number | undefined {
  const t = status.lastState?.terminated?.finishedAt;
  return t ? Date.parse(t) : undefined;
}

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** READY, STATUS and RESTARTS as kubectl shows them. */
export function summarizePod(pod: Pod, now: number): PodSummary {
  const status = pod.status ?? {};
  const initContainers = pod.spec.initContainers ?? [];
  let restarts = 0;
  let restartableInitRestarts = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;
  let readyContainers = 0;
  let total = pod.spec.containers?.length ?? 0;
  for (const c of initContainers) if ((c as { restartPolicy?: string }).restartPolicy === 'Always') total++;

  let reason: string = status.phase ?? '';
  if (status.reason) reason = status.reason;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    const finished = finishedAt(c);
    if (finished !== undefined && (lastRestart === undefined || finished > lastRestart)) lastRestart = finished;
    const restartable = isRestartableInit(pod, c.name);
    if (restartable) {
      restartableInitRestarts += c.restartCount ?? 0;
      if (finished !== undefined && (lastRestartableInitRestart === undefined || finished > lastRestartableInitRestart)) lastRestartableInitRestart = finished;
    }
    const state = c.state ?? {};
    if (state.terminated && state.terminated.exitCode === 0) continue;
    if (restartable && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (state.terminated) {
      reason = state.terminated.reason
        ? `Init:${state.terminated.reason}`
        : state.terminated.signal
          ? `Init:Signal:${state.terminated.signal}`
          : `Init:ExitCode:${state.terminated.exitCode}`;
    } else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      const finished = finishedAt(c);
      if (finished !== undefined && (lastRestart === undefined || finished > lastRestart)) lastRestart = finished;
      const state = c.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      else if (c.ready && state.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';

  const restartText = lastRestart !== undefined && restarts > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${readyContainers}/${total}`, status: reason, restarts: restartText };
}

function readinessGates(pod: Pod): string {
  const gates = (pod.spec as { readinessGates?: { conditionType: string }[] }).readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const ready = gates.filter((g) => conditionTrue(pod, g.conditionType)).length;
  return `${ready}/${gates.length}`;
}

export const podPrinter: Printer<Pod> = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    column('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    column('Node', "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.", 1),
    column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node.', 1),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', 1),
  ],
  cells(pod, now) {
    const s = summarizePod(pod, now);
    const ip = pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP;
    return [
      pod.metadata.name,
      s.ready,
      s.status,
      s.restarts,
      age(pod, now),
      orNone(ip),
      orNone(pod.spec.nodeName),
      orNone(pod.status?.nominatedNodeName),
      readinessGates(pod),
    ];
  },
};
