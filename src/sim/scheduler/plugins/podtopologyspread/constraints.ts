/**
 * The spread constraints that apply to a pod, as upstream's podtopologyspread/common.go: the pod's
 * own (with matchLabelKeys folded into the selector), or the system defaults when it has none and
 * belongs to a Service or ReplicaSet.
 */
import { Requirement, SelectorError, labelSelectorAsSelector, selectorFromSet, type Selector } from '../../../api/labels';
import type { LabelSelector, Pod, ReplicaSet, TopologySpreadConstraint } from '../../../api/types';
import type { Listers } from '../../framework';
import type { NodeInfo } from '../../node-info';
import type { RequiredNodeAffinity } from '../nodeaffinity/required';
import { findUntoleratedTaint } from '../tainttoleration/helpers';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

/** upstream's system default constraints (both ScheduleAnyway). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly Pick<TopologySpreadConstraint, 'maxSkew' | 'topologyKey' | 'whenUnsatisfiable'>[] = [
  { topologyKey: HOSTNAME_LABEL, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: ZONE_LABEL, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

function fromPod(pod: Pod, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  const podLabels = pod.metadata.labels ?? {};
  for (const c of pod.spec.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = labelSelectorAsSelector(c.labelSelector);
    const extra = (c.matchLabelKeys ?? []).filter((k) => k in podLabels).map((k) => Requirement.create(k, 'in', [podLabels[k]]));
    if (extra.length) selector = selector.add(...extra);
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
    });
  }
  return out;
}

/** `selector` with the ReplicaSet's requirements added (unchanged when its selector is invalid). */
function withReplicaSet(selector: Selector, rs: ReplicaSet): Selector {
  try {
    return selector.add(...labelSelectorAsSelector(rs.spec.selector).requirements);
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
    return selector;
  }
}

/**
 * The default selector of a ReplicaSet's pods that no Service selects (most pods), per ReplicaSet
 * selector object: every cycle of such a pod asks for it, and building it parsed and validated the
 * ReplicaSet's selector again (Selectors are immutable, so one can be shared). Keyed by the
 * ReplicaSet's spec.selector, which is all it is built from, rather than by the ReplicaSet: the
 * controller rewrites a ReplicaSet's status with every pod it creates or loses, and the API server's
 * new versions share the frozen, unchanged selector object.
 */
const replicaSetOnlySelectors = new WeakMap<LabelSelector, Selector>();

/** upstream helper.DefaultSelector: the selectors of the Services and the ReplicaSet owning the pod. */
export function defaultSelector(pod: Pod, listers: Listers): Selector {
  const ns = pod.metadata.namespace ?? 'default';
  const labels = pod.metadata.labels ?? {};
  const merged: Record<string, string> = {};
  let byServices = false;
  for (const svc of listers.services(ns)) {
    const sel = svc.spec?.selector;
    if (!sel) continue;
    if (Object.entries(sel).every(([k, v]) => labels[k] === v)) {
      Object.assign(merged, sel);
      byServices = true;
    }
  }
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  const rs = owner && owner.kind === 'ReplicaSet' && owner.apiVersion === 'apps/v1' ? listers.replicaSet(ns, owner.name) : undefined;
  if (!rs) return selectorFromSet(merged);
  if (byServices) return withReplicaSet(selectorFromSet(merged), rs);
  // The shared one needs no empty selector built to start from (unless it is built now).
  const key = rs.spec.selector;
  if (!key) return withReplicaSet(selectorFromSet(merged), rs);
  let shared = replicaSetOnlySelectors.get(key);
  if (!shared) replicaSetOnlySelectors.set(key, (shared = withReplicaSet(selectorFromSet(merged), rs)));
  return shared;
}

/**
 * The constraints for one action; `systemDefaulted` tells whether they came from the defaults.
 * Throws SelectorError for an invalid selector (upstream fails the cycle with an error).
 */
export function constraintsFor(pod: Pod, action: 'DoNotSchedule' | 'ScheduleAnyway', listers: Listers): { constraints: Constraint[]; systemDefaulted: boolean } {
  if (pod.spec.topologySpreadConstraints?.length) return { constraints: fromPod(pod, action), systemDefaulted: false };
  const defaults = SYSTEM_DEFAULT_CONSTRAINTS.filter((c) => c.whenUnsatisfiable === action);
  if (defaults.length === 0) return { constraints: [], systemDefaulted: true };
  const selector = defaultSelector(pod, listers);
  if (selector.empty()) return { constraints: [], systemDefaulted: true };
  return {
    constraints: defaults.map((c) => ({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector, minDomains: 1, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore' })),
    systemDefaulted: true,
  };
}

export function nodeHasAllKeys(node: NodeInfo, constraints: readonly Constraint[]): boolean {
  const labels = node.labels;
  return constraints.every((c) => c.topologyKey in labels);
}

/** upstream matchNodeInclusionPolicies: which nodes count towards a constraint's domains. */
export function nodeIncluded(c: Constraint, pod: Pod, node: NodeInfo, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !required.matches(node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findUntoleratedTaint(node.doNotScheduleTaints, pod.spec.tolerations)) return false;
  return true;
}
