/**
 * TaintToleration: Filter rejects nodes with a NoSchedule/NoExecute taint the pod does not tolerate;
 * Score prefers nodes with fewer untolerated PreferNoSchedule taints.
 */
import { MAX_NODE_SCORE, SUCCESS, StatusCache, defaultNormalizeScore, type Plugin } from '../../framework';
import type { Toleration } from '../../../api/types';
import { NO_TAINTS, type NodeInfo } from '../../node-info';
import { findUntoleratedTaint, tolerationsTolerateTaint } from './helpers';

export const NAME = 'TaintToleration';
const PRE_SCORE_KEY = `PreScore${NAME}`;

/** "node(s) had untolerated taint {key: value}", as upstream formats it. */
export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

/** Score: how many of the node's PreferNoSchedule taints (picked out once per node update) `tolerations` do not tolerate. */
function untoleratedPreferNoSchedule(node: NodeInfo, tolerations: readonly Toleration[]): number {
  const taints = node.preferNoScheduleTaints;
  if (taints === NO_TAINTS) return 0;
  let count = 0;
  for (let i = 0; i < taints.length; i++) if (!tolerationsTolerateTaint(tolerations, taints[i])) count++;
  return count;
}

export function taintToleration(): Plugin {
  /** One shared status per untolerated taint key and value. */
  const rejected = new StatusCache('UnschedulableAndUnresolvable', untoleratedTaintReason);
  return {
    name: NAME,
    events: [{ resource: 'Node', actions: ['Add', 'UpdateNodeTaint'] }],
    // The framework asks once per cycle for all nodes tainted alike (after a zone failure a third
    // of the nodes, each with the same two unreachable taints), not once per node.
    filterReadsOnlyCordonAndTaints: true,
    filter(_state, pod, node) {
      // The node's NoSchedule and NoExecute taints, picked out once per node update.
      const taints = node.doNotScheduleTaints;
      if (taints === NO_TAINTS) return SUCCESS;
      const taint = findUntoleratedTaint(taints, pod.pod.spec.tolerations);
      return taint ? rejected.get(taint.key, taint.value ?? '') : SUCCESS;
    },
    preScore(state, pod) {
      const preferred = (pod.pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      state.write(PRE_SCORE_KEY, preferred);
      return SUCCESS;
    },
    score(state, _pod, node) {
      return untoleratedPreferNoSchedule(node, state.read<Toleration[]>(PRE_SCORE_KEY) ?? []);
    },
    scoreNodes(state, _pod, nodes, scores) {
      const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? [];
      for (let i = 0; i < nodes.length; i++) scores[i].score = untoleratedPreferNoSchedule(nodes[i], tolerations);
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    },
  };
}
