/**
 * NodeAffinity: Filter applies the pod's nodeSelector and required node affinity; Score adds the
 * weights of the preferred terms a node matches, normalised so the best node gets 100.
 */
import { nodeSelectorTermMatches } from '../../../api/labels';
import type { NodeSelectorTerm } from '../../../api/types';
import { MAX_NODE_SCORE, SKIP, SUCCESS, defaultNormalizeScore, sharedStatus, unresolvable, type Plugin, type Status, type PreFilterResult } from '../../framework';
import { requiredNodeAffinity } from './required';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';
const PRE_SCORE_KEY = `PreScore${NAME}`;
const REJECTED = sharedStatus('UnschedulableAndUnresolvable', ERR_REASON_POD);

/**
 * As upstream's PreFilter: when every required term pins metadata.name with In, only those nodes
 * are candidates (the others are reported as "didn't satisfy plugin(s) [NodeAffinity]").
 */
function nodeNamesFromTerms(terms: readonly NodeSelectorTerm[]): Set<string> | undefined {
  let union: Set<string> | undefined;
  for (const term of terms) {
    let names: Set<string> | undefined;
    for (const r of term.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set(r.values ?? []);
      names = names ? new Set([...names].filter((n) => s.has(n))) : s;
    }
    if (!names) return undefined;
    union = new Set([...(union ?? []), ...names]);
  }
  return union;
}

export function nodeAffinity(): Plugin {
  return {
    name: NAME,
    events: [{ resource: 'Node', actions: ['Add', 'UpdateNodeLabel'] }],
    preFilter(_state, pod): Status | PreFilterResult {
      const required = requiredNodeAffinity(pod.pod);
      if (!required.constrained) return SKIP;
      const terms = pod.pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
      const names = terms ? nodeNamesFromTerms(terms) : undefined;
      if (names && names.size === 0) return unresolvable(ERR_REASON_CONFLICT);
      return names ? { nodeNames: names } : SUCCESS;
    },
    filter(_state, pod, node) {
      return requiredNodeAffinity(pod.pod).matches(node) ? SUCCESS : REJECTED;
    },
    preScore(state, pod) {
      const preferred = (pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter(
        (t) => t.weight !== 0 && (t.preference.matchExpressions?.length || t.preference.matchFields?.length),
      );
      if (preferred.length === 0) return SKIP;
      state.write(PRE_SCORE_KEY, preferred);
      return SUCCESS;
    },
    score(state, _pod, node) {
      const preferred = state.read<{ weight: number; preference: NodeSelectorTerm }[]>(PRE_SCORE_KEY) ?? [];
      let total = 0;
      for (const t of preferred) if (nodeSelectorTermMatches(t.preference, { name: node.name, labels: node.labels })) total += t.weight;
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
    },
  };
}
