/**
 * TaintToleration: Filter rejects nodes with a NoSchedule/NoExecute taint the pod does not tolerate;
 * Score prefers nodes with fewer untolerated PreferNoSchedule taints.
 */
import { MAX_NODE_SCORE, SUCCESS, defaultNormalizeScore, unresolvable, type Plugin } from '../../framework';
import type { Toleration } from '../../../api/types';
import { doNotScheduleTaint, findUntoleratedTaint, tolerationsTolerateTaint } from './helpers';

export const NAME = 'TaintToleration';
const PRE_SCORE_KEY = `PreScore${NAME}`;

/** "node(s) had untolerated taint {key: value}", as upstream formats it. */
export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

export function taintToleration(): Plugin {
  return {
    name: NAME,
    events: [{ resource: 'Node', actions: ['Add', 'UpdateNodeTaint'] }],
    filter(_state, pod, node) {
      const taint = findUntoleratedTaint(node.taints, pod.pod.spec.tolerations, doNotScheduleTaint);
      return taint ? unresolvable(untoleratedTaintReason(taint.key, taint.value)) : SUCCESS;
    },
    preScore(state, pod) {
      const preferred = (pod.pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      state.write(PRE_SCORE_KEY, preferred);
      return SUCCESS;
    },
    score(state, _pod, node) {
      const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? [];
      let count = 0;
      const taints = node.taints;
      for (let i = 0; i < taints.length; i++) if (taints[i].effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taints[i])) count++;
      return count;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    },
  };
}
