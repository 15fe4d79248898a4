/**
 * upstream's FitError message: "0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had
 * untolerated taint {node-role.kubernetes.io/control-plane: }." — one "<count> <reason>" entry per
 * distinct reason over all nodes, sorted as plain strings (so "10 ..." sorts before "2 ..."),
 * joined by ", ", ending with "."; then the PostFilter (preemption) message, if any.
 */
import type { Status } from './framework';

export const NO_NODE_AVAILABLE_MSG = '0/%v nodes are available';

export function reasonHistogram(statuses: Iterable<Status>): string[] {
  // Plugins share one status object for a repeated rejection: count the objects, then their reasons.
  const perStatus = new Map<Status, number>();
  for (const status of statuses) perStatus.set(status, (perStatus.get(status) ?? 0) + 1);
  const counts = new Map<string, number>();
  for (const [status, n] of perStatus) for (const reason of status.reasons) counts.set(reason, (counts.get(reason) ?? 0) + n);
  const entries = [...counts].map(([reason, n]) => `${n} ${reason}`);
  // Go's sort.Strings compares bytes; for these ASCII strings that is JavaScript's default order.
  return entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface FitErrorInput {
  numAllNodes: number;
  /** Statuses of the nodes that failed (one per node). */
  statuses: Iterable<Status>;
  /** Set when a PreFilter plugin rejected the pod: replaces the per-node histogram. */
  preFilterMsg?: string;
  /** The PostFilter (preemption) message, e.g. "preemption: 0/6 nodes are available: ...". */
  postFilterMsg?: string;
}

export function fitErrorMessage(input: FitErrorInput): string {
  let msg = `0/${input.numAllNodes} nodes are available:`;
  if (input.preFilterMsg) msg += ` ${input.preFilterMsg}.`;
  else {
    const reasons = reasonHistogram(input.statuses);
    if (reasons.length) msg += ` ${reasons.join(', ')}.`;
  }
  if (input.postFilterMsg) msg += ` ${input.postFilterMsg}`;
  return msg;
}

/** Status.Message(): the reasons joined by ", ". */
export function statusMessage(status: Status): string {
  return status.reasons.join(', ');
}
