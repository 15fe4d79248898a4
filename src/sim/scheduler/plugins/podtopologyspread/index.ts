/**
 * PodTopologySpread: DoNotSchedule constraints filter nodes whose domain would exceed maxSkew;
 * ScheduleAnyway constraints (the pod's, or the system defaults for pods of a Service/ReplicaSet)
 * score nodes so that pods spread over hostnames and zones. Matching pods are counted per node
 * through the snapshot's incremental counters.
 */
import { SelectorError } from '../../../api/labels';
import {
  MAX_NODE_SCORE,
  SKIP,
  SUCCESS,
  errorStatus,
  sharedStatus,
  type Handle,
  type Plugin,
  type PodCounter,
  type StateData,
  preFilterExtensions,
} from '../../framework';
import type { Pod } from '../../../api/types';
import type { NodeInfo, PodInfo } from '../../node-info';
import { requiredNodeAffinity } from '../nodeaffinity/required';
import { HOSTNAME_LABEL, constraintsFor, nodeHasAllKeys, nodeIncluded, type Constraint } from './constraints';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
const LABEL_MISSING = sharedStatus('UnschedulableAndUnresolvable', ERR_REASON_NODE_LABEL_NOT_MATCH);
const SKEW_TOO_HIGH = sharedStatus('Unschedulable', ERR_REASON_CONSTRAINTS_NOT_MATCH);
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

interface FilterState extends StateData {
  constraints: Constraint[];
  /** Per constraint: topology value → matching pods (a clone's own maps; the cycle's may be the snapshot's). */
  matchNum: ReadonlyMap<string, number>[];
  /** Per constraint: the smallest count over the domains (0 with fewer domains than minDomains). */
  minMatch: number[];
  clone(): FilterState;
}

function filterState(constraints: Constraint[], matchNum: ReadonlyMap<string, number>[], minMatch: number[]): FilterState {
  return { constraints, matchNum, minMatch, clone: () => filterState(constraints, matchNum.map((m) => new Map(m)), [...minMatch]) };
}

function minMatchOf(c: Constraint, counts: ReadonlyMap<string, number>): number {
  if (counts.size < c.minDomains) return 0;
  let min = Infinity;
  for (const n of counts.values()) if (n < min) min = n;
  return min;
}

/**
 * upstream's updateWithPod (the AddPod/RemovePod extensions): `other` placed on or gone from `node`
 * changes the count of its domain for each constraint that selects it, if the node counts for the
 * incoming pod. Only on a cloned state, whose maps are its own.
 */
function updateWithPod(s: FilterState, pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
  if ((other.pod.metadata.namespace ?? 'default') !== (pod.pod.metadata.namespace ?? 'default')) return;
  if (!nodeHasAllKeys(node, s.constraints)) return;
  const required = requiredNodeAffinity(pod.pod);
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    if (!c.selector.matches(other.pod.metadata.labels) || !nodeIncluded(c, pod.pod, node, required)) continue;
    const counts = s.matchNum[i] as Map<string, number>;
    const value = node.labels[c.topologyKey];
    counts.set(value, (counts.get(value) ?? 0) + delta);
    s.minMatch[i] = minMatchOf(c, counts);
  }
}

interface ScoreState {
  constraints: Constraint[];
  counters: PodCounter[];
  ignored: Set<string>;
  /** Per constraint (not hostname): topology value → matching pods. */
  valueCounts: Map<string, number>[];
  weights: number[];
}

/** Score (before normalisation): the node's domains' matching pods, weighted, plus maxSkew − 1 per constraint. */
function spreadScore(s: ScoreState, node: NodeInfo): number {
  if (s.ignored.size && s.ignored.has(node.name)) return 0;
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const value = node.label(c.topologyKey);
    if (value === undefined) continue;
    const count = c.topologyKey === HOSTNAME_LABEL ? s.counters[i].count(node) : (s.valueCounts[i].get(value) ?? 0);
    score += count * s.weights[i] + (c.maxSkew - 1);
  }
  return Math.round(score);
}

export function podTopologySpread(handle: Handle): Plugin {
  const { snapshot, listers } = handle;

  /**
   * True when every node counts towards every constraint's domains for this pod — no required node
   * affinity to honour, no taints to honour, and (when all topology keys are required) every node
   * has them — so the snapshot's per-domain totals can stand in for a walk over all nodes.
   */
  const everyNodeCounts = (pod: Pod, constraints: readonly Constraint[], requireAll: boolean): boolean =>
    constraints.every((c) => c.nodeTaintsPolicy === 'Ignore' && (c.nodeAffinityPolicy === 'Ignore' || !requiredNodeAffinity(pod).constrained)) &&
    (!requireAll || constraints.every((c) => snapshot.allNodesHaveLabel(c.topologyKey)));
  return {
    name: NAME,
    events: [
      { resource: 'Pod', actions: ['Add', 'UpdatePodLabel', 'Delete'] },
      { resource: 'Node', actions: ['Add', 'Delete', 'UpdateNodeLabel', 'UpdateNodeTaint'] },
    ],

    preFilter(state, pod, nodes) {
      let constraints: Constraint[];
      try {
        constraints = constraintsFor(pod.pod, 'DoNotSchedule', listers).constraints;
      } catch (e) {
        if (e instanceof SelectorError) return errorStatus(`get constraints from pod: ${e.message}`);
        throw e;
      }
      if (constraints.length === 0) return SKIP;
      const ns = pod.pod.metadata.namespace ?? 'default';
      const counters = constraints.map((c) => snapshot.podCounter(ns, c.selector));
      let matchNum: ReadonlyMap<string, number>[];
      if (everyNodeCounts(pod.pod, constraints, true)) {
        matchNum = counters.map((counter, i) => counter.domainCounts(constraints[i].topologyKey));
      } else {
        const required = requiredNodeAffinity(pod.pod);
        const slow = constraints.map(() => new Map<string, number>());
        for (const node of nodes) {
          if (!nodeHasAllKeys(node, constraints)) continue;
          for (let i = 0; i < constraints.length; i++) {
            const c = constraints[i];
            if (!nodeIncluded(c, pod.pod, node, required)) continue;
            const value = node.labels[c.topologyKey];
            slow[i].set(value, (slow[i].get(value) ?? 0) + counters[i].count(node));
          }
        }
        matchNum = slow;
      }
      const minMatch = constraints.map((c, i) => minMatchOf(c, matchNum[i]));
      state.write(PRE_FILTER_KEY, filterState(constraints, matchNum, minMatch));
      return SUCCESS;
    },

    ...preFilterExtensions(PRE_FILTER_KEY, updateWithPod),

    filter(state, pod, node) {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (!s) return SUCCESS;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        const value = node.label(c.topologyKey);
        if (value === undefined) return LABEL_MISSING;
        const self = c.selector.matches(pod.pod.metadata.labels) ? 1 : 0;
        const skew = (s.matchNum[i].get(value) ?? 0) + self - s.minMatch[i];
        if (skew > c.maxSkew) return SKEW_TOO_HIGH;
      }
      return SUCCESS;
    },

    preScore(state, pod, feasible) {
      let result: ReturnType<typeof constraintsFor>;
      try {
        result = constraintsFor(pod.pod, 'ScheduleAnyway', listers);
      } catch (e) {
        if (e instanceof SelectorError) return errorStatus(`calculating preScoreState: ${e.message}`);
        throw e;
      }
      const { constraints, systemDefaulted } = result;
      if (constraints.length === 0) return SKIP;
      // Only the pod's own constraints require every topology label (system defaults do not).
      const requireAll = !systemDefaulted;
      const ns = pod.pod.metadata.namespace ?? 'default';
      const ignored = new Set<string>();
      const valueCounts = constraints.map(() => new Map<string, number>());
      const counters = constraints.map((c) => snapshot.podCounter(ns, c.selector));
      const everyCounts = everyNodeCounts(pod.pod, constraints, requireAll);
      // The loop below finds the domains (values) present among the feasible nodes. When no node can
      // be ignored, that is all it does, so it can stop once each constraint has found every value the
      // cluster has: with 3 zones that takes a few nodes, not 500 (the totals are needed below anyway).
      let incomplete = Infinity;
      const clusterValues: number[] = [];
      if (!requireAll && everyCounts) {
        incomplete = 0;
        for (let i = 0; i < constraints.length; i++) {
          const key = constraints[i].topologyKey;
          clusterValues.push(key === HOSTNAME_LABEL ? 0 : counters[i].domainCounts(key).size);
          if (key !== HOSTNAME_LABEL) incomplete++;
        }
      }
      // The first few distinct values per constraint (zones, typically): a node with one of them adds nothing.
      const seen = constraints.map((): string[] => []);
      // Indexed: a for-of here allocated an iterator result per feasible node (~6 KB a cycle).
      for (let n = 0; n < feasible.length && incomplete > 0; n++) {
        const node = feasible[n];
        if (requireAll && !nodeHasAllKeys(node, constraints)) {
          ignored.add(node.name);
          continue;
        }
        for (let i = 0; i < constraints.length; i++) {
          const key = constraints[i].topologyKey;
          if (key === HOSTNAME_LABEL) continue;
          const value = node.label(key) ?? '';
          const recent = seen[i];
          let known = false;
          for (let j = 0; j < recent.length && !known; j++) known = recent[j] === value;
          if (known) continue;
          const values = valueCounts[i];
          if (values.has(value)) continue;
          values.set(value, 0);
          if (recent.length < 8) recent.push(value);
          if (values.size === clusterValues[i]) incomplete--;
        }
      }
      const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME_LABEL ? feasible.length - ignored.size : valueCounts[i].size) + 2));
      if (constraints.some((c) => c.topologyKey !== HOSTNAME_LABEL)) {
        if (everyCounts) {
          // Every node counts: the incrementally kept per-domain totals are the answer.
          constraints.forEach((c, i) => {
            if (c.topologyKey === HOSTNAME_LABEL) return;
            const totals = counters[i].domainCounts(c.topologyKey);
            for (const value of valueCounts[i].keys()) valueCounts[i].set(value, totals.get(value) ?? 0);
          });
        } else {
          const required = requiredNodeAffinity(pod.pod);
          for (const node of snapshot.nodeInfos()) {
            if (requireAll && !nodeHasAllKeys(node, constraints)) continue;
            for (let i = 0; i < constraints.length; i++) {
              const c = constraints[i];
              if (c.topologyKey === HOSTNAME_LABEL || !nodeIncluded(c, pod.pod, node, required)) continue;
              const value = node.label(c.topologyKey) ?? '';
              const current = valueCounts[i].get(value);
              if (current !== undefined) valueCounts[i].set(value, current + counters[i].count(node));
            }
          }
        }
      }
      state.write(PRE_SCORE_KEY, { constraints, counters, ignored, valueCounts, weights } satisfies ScoreState);
      return SUCCESS;
    },

    score(state, _pod, node: NodeInfo) {
      const s = state.read<ScoreState>(PRE_SCORE_KEY);
      return s ? spreadScore(s, node) : 0;
    },

    scoreNodes(state, _pod, nodes, scores) {
      const s = state.read<ScoreState>(PRE_SCORE_KEY);
      for (let i = 0; i < nodes.length; i++) scores[i].score = s ? spreadScore(s, nodes[i]) : 0;
    },

    normalizeScore(state, _pod, scores) {
      const s = state.read<ScoreState>(PRE_SCORE_KEY);
      if (!s) return;
      let min = Infinity;
      let max = 0;
      const anyIgnored = s.ignored.size > 0;
      for (const ns of scores) {
        if (anyIgnored && s.ignored.has(ns.name)) continue;
        if (ns.score < min) min = ns.score;
        if (ns.score > max) max = ns.score;
      }
      for (const ns of scores) {
        if (anyIgnored && s.ignored.has(ns.name)) ns.score = 0;
        else if (max === 0) ns.score = MAX_NODE_SCORE;
        else ns.score = Math.trunc((MAX_NODE_SCORE * (max + min - ns.score)) / max);
      }
    },
  };
}
