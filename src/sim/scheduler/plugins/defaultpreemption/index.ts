/**
 * DefaultPreemption's verdict, as a dry run: could evicting lower-priority pods make room? The lab
 * does not evict (no victims are deleted); it reports upstream's PostFilter message so a learner sees
 * what kube-scheduler prints: "preemption: 0/6 nodes are available: 3 No preemption victims found
 * for incoming pod, 3 Preemption is not helpful for scheduling."
 */
import { fitErrorMessage } from '../../fit-error';
import { sharedStatus, type CycleState, type Status } from '../../framework';
import { NodeInfo, type PodInfo } from '../../node-info';
import type { Profile } from '../../profile';

export const NAME = 'DefaultPreemption';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
const NOT_HELPFUL_STATUS = sharedStatus('UnschedulableAndUnresolvable', NOT_HELPFUL);
const NO_VICTIMS_STATUS = sharedStatus('UnschedulableAndUnresolvable', NO_VICTIMS);

export interface PreemptionVerdict {
  /** "preemption: ..." as upstream's PostFilter status message. */
  message: string;
  /** Nodes where evicting lower-priority pods would let the pod fit (upstream would preempt there). */
  candidates: { node: string; victims: string[] }[];
}

/**
 * `failed` holds every node's filter status (all nodes were evaluated, since none was feasible).
 * `run` re-runs the filters on a node without its lower-priority pods.
 */
export function evaluatePreemption(
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
  failed: ReadonlyMap<string, Status>,
): PreemptionVerdict {
  if (pod.pod.spec.preemptionPolicy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never.', candidates: [] };
  const statuses: Status[] = [];
  const candidates: PreemptionVerdict['candidates'] = [];
  for (const node of nodes) {
    const status = failed.get(node.name);
    if (!status || status.code === 'UnschedulableAndUnresolvable') {
      statuses.push(NOT_HELPFUL_STATUS);
      continue;
    }
    let anyVictim = false;
    for (const p of node.pods.values()) if ((anyVictim = p.priority < pod.priority)) break;
    if (!anyVictim) {
      statuses.push(NO_VICTIMS_STATUS);
      continue;
    }
    const trial = new NodeInfo(node.node);
    for (const p of node.pods.values()) if (p.priority >= pod.priority) trial.addPod(p);
    const after = profile.runFilter(state, pod, trial);
    if (after.code === 'Success') candidates.push({ node: node.name, victims: [...node.pods.values()].filter((p) => p.priority < pod.priority).map((v) => v.key) });
    else statuses.push(after);
  }
  if (candidates.length) return { message: '', candidates };
  return { message: `preemption: ${fitErrorMessage({ numAllNodes: nodes.length, statuses })}`, candidates };
}
