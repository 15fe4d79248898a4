/**
 * NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory would be used in similar
 * proportions: score = (1 − std of the requested fractions) × 100. Best-effort pods are skipped.
 */
import { SKIP, SUCCESS, type Plugin } from '../../framework';
import type { NodeInfo, PodInfo } from '../../node-info';

export const NAME = 'NodeResourcesBalancedAllocation';

export function balancedScore(fractions: number[]): number {
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((s, f) => s + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * 100);
}

/**
 * balancedScore over the (at most two) fractions, without an array per node, from node.allocatable
 * and node.requested (NodeInfo's flat copies).
 */
function balancedAllocationScore(pod: PodInfo, node: NodeInfo): number {
  const allocCPU = node.allocatableMilliCPU;
  const allocMemory = node.allocatableMemory;
  // With either fraction missing the std is 0: (1 - 0) × 100. Returning early keeps the
  // fractions plain doubles (as `number | undefined` locals each was boxed on the heap).
  if (!(allocCPU > 0 && allocMemory > 0)) return 100;
  const cpu = Math.min(1, (node.requestedMilliCPU + pod.requests.milliCPU) / allocCPU);
  const memory = Math.min(1, (node.requestedMemory + pod.requests.memory) / allocMemory);
  return Math.trunc((1 - Math.abs((cpu - memory) / 2)) * 100);
}

export function nodeResourcesBalancedAllocation(): Plugin {
  return {
    name: NAME,
    events: [
      { resource: 'Pod', actions: ['Delete', 'UpdatePodScaleDown'] },
      { resource: 'Node', actions: ['Add', 'UpdateNodeAllocatable'] },
    ],
    preScore(_state, pod) {
      return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? SKIP : SUCCESS;
    },
    score(_state, pod, node) {
      return balancedAllocationScore(pod, node);
    },
    scoreNodes(_state, pod, nodes, scores) {
      for (let i = 0; i < nodes.length; i++) scores[i].score = balancedAllocationScore(pod, nodes[i]);
    },
  };
}
