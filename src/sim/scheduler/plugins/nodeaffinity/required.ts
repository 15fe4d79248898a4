/**
 * upstream nodeaffinity.GetRequiredNodeAffinity: a pod's nodeSelector AND its required node
 * affinity terms, compiled once per pod object. Parsing errors make terms never match.
 */
import { NodeSelectorMatcher } from '../../../api/labels';
import type { Pod } from '../../../api/types';
import type { NodeInfo } from '../../node-info';

export interface RequiredNodeAffinity {
  /** True when the pod constrains nodes at all. */
  readonly constrained: boolean;
  matches(node: NodeInfo): boolean;
}

const cache = new WeakMap<Pod, RequiredNodeAffinity>();

/**
 * The answer for a pod with neither a nodeSelector nor required node affinity (most pods), shared:
 * such a pod needs nothing compiled, and caching an answer per pod object cost every scheduling
 * cycle a weak map entry (for the collector to trace), a closure and an array.
 */
const UNCONSTRAINED: RequiredNodeAffinity = Object.freeze({ constrained: false, matches: () => true });

export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  if (!pod.spec.nodeSelector && !pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return UNCONSTRAINED;
  let r = cache.get(pod);
  if (!r) {
    const nodeSelector = pod.spec.nodeSelector && Object.keys(pod.spec.nodeSelector).length ? pod.spec.nodeSelector : undefined;
    const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    // upstream uses SelectorFromValidatedSet here: every pair must be present, no validation.
    const pairs = nodeSelector ? Object.entries(nodeSelector) : [];
    const matcher = terms ? new NodeSelectorMatcher(terms) : undefined;
    r = {
      constrained: !!nodeSelector || !!terms,
      matches(node) {
        const labels = node.labels;
        for (let i = 0; i < pairs.length; i++) if (labels[pairs[i][0]] !== pairs[i][1]) return false;
        return !matcher || matcher.matches({ name: node.name, labels: node.labels });
      },
    };
    cache.set(pod, r);
  }
  return r;
}
