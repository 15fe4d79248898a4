/**
 * NodeResourcesFit: Filter checks the pod's requests (and one more pod) against what the node has
 * left of its allocatable; Score is LeastAllocated over cpu and memory (weights 1 and 1), using
 * upstream's non-zero defaults for containers without requests.
 */
import { SUCCESS, sharedStatus, type Plugin, type Status } from '../../framework';
import type { NodeInfo, PodInfo } from '../../node-info';

export const NAME = 'NodeResourcesFit';

/** upstream fitsRequest: every reason why the pod does not fit, in upstream's order. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const reasons: string[] = [];
  if (node.pods.size + 1 > node.allowedPodNumber) reasons.push('Too many pods');
  const r = pod.requests;
  const hasScalar = !!r.scalar && Object.keys(r.scalar).length > 0;
  if (r.milliCPU === 0 && r.memory === 0 && r.ephemeralStorage === 0 && !hasScalar) return reasons;
  const a = node.allocatable;
  const used = node.requested;
  if (r.milliCPU > 0 && r.milliCPU > a.milliCPU - used.milliCPU) reasons.push('Insufficient cpu');
  if (r.memory > 0 && r.memory > a.memory - used.memory) reasons.push('Insufficient memory');
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) reasons.push('Insufficient ephemeral-storage');
  if (r.scalar) {
    for (const name of Object.keys(r.scalar).sort()) {
      const want = r.scalar[name];
      if (want > 0 && want > (a.scalar?.[name] ?? 0) - (used.scalar?.[name] ?? 0)) reasons.push(`Insufficient ${name}`);
    }
  }
  return reasons;
}

/** Whether `insufficientResources` would find nothing, without allocating (the common case). */
function fitsQuickly(pod: PodInfo, node: NodeInfo): boolean {
  // The node's free amounts are its allocatable minus its requests (and allowed pods minus pods), kept by NodeInfo.
  if (node.freePods < 1) return false;
  const r = pod.requests;
  if (r.scalar) return false;
  return !(r.milliCPU > 0 && r.milliCPU > node.freeMilliCPU)
    && !(r.memory > 0 && r.memory > node.freeMemory)
    && !(r.ephemeralStorage > 0 && r.ephemeralStorage > node.freeEphemeralStorage);
}

/** One shared status per distinct list of reasons (a few: pods, cpu, memory, storage, extended resources). */
const rejections = new Map<string, Status>();

function rejection(reasons: string[]): Status {
  const key = reasons.join('\n');
  let status = rejections.get(key);
  if (!status) rejections.set(key, (status = sharedStatus('Unschedulable', ...reasons)));
  return status;
}

/** upstream leastRequestedScore: the share left free, 0..100, integer arithmetic. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * 100) / capacity);
}

/** Score: LeastAllocated over cpu and memory (weights 1 and 1), from node.allocatable and node.nonZeroRequested (NodeInfo's flat copies). */
function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  let total = 0;
  let weights = 0;
  if (node.allocatableMilliCPU > 0) {
    total += leastRequestedScore(node.nonZeroRequestedMilliCPU + pod.nonZeroRequests.milliCPU, node.allocatableMilliCPU);
    weights++;
  }
  if (node.allocatableMemory > 0) {
    total += leastRequestedScore(node.nonZeroRequestedMemory + pod.nonZeroRequests.memory, node.allocatableMemory);
    weights++;
  }
  return weights ? Math.trunc(total / weights) : 0;
}

export function nodeResourcesFit(): Plugin {
  return {
    name: NAME,
    events: [
      { resource: 'Pod', actions: ['Delete', 'UpdatePodScaleDown'] },
      { resource: 'Node', actions: ['Add', 'UpdateNodeAllocatable'] },
    ],
    filter(_state, pod, node) {
      if (fitsQuickly(pod, node)) return SUCCESS;
      const reasons = insufficientResources(pod, node);
      return reasons.length ? rejection(reasons) : SUCCESS;
    },
    score(_state, pod, node) {
      return leastAllocatedScore(pod, node);
    },
    scoreNodes(_state, pod, nodes, scores) {
      for (let i = 0; i < nodes.length; i++) scores[i].score = leastAllocatedScore(pod, nodes[i]);
    },
  };
}
