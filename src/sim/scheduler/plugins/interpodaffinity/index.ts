/**
 * InterPodAffinity: required pod affinity ("run next to pods like these"), required anti-affinity
 * ("never in the same place as ..."), the existing pods' required anti-affinity towards the incoming
 * pod (it is symmetric), and preferred terms for scoring — all per topology domain (hostname, zone
 * ...). Counting matching pods goes through the snapshot's incremental counters.
 */
import type { Labels } from '../../../api/labels';
import type { Pod } from '../../../api/types';
import { MAX_NODE_SCORE, SKIP, SUCCESS, errorStatus, sharedStatus, type Handle, type Plugin, type StateData, preFilterExtensions } from '../../framework';
import type { NodeInfo, PodInfo } from '../../node-info';
import { podAffinityInfo, termCounters, termMatches, type AffinityTerm } from './terms';

export const NAME = 'InterPodAffinity';
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
/** upstream's hardPodAffinityWeight default: an existing pod's required affinity counts this much in scoring. */
export const HARD_POD_AFFINITY_WEIGHT = 1;
const AFFINITY_REJECTED = sharedStatus('UnschedulableAndUnresolvable', ERR_REASON_AFFINITY_RULES_NOT_MATCH);
const ANTI_AFFINITY_REJECTED = sharedStatus('Unschedulable', ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
const EXISTING_ANTI_AFFINITY_REJECTED = sharedStatus('Unschedulable', ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

/** "key\0value" → count, as upstream's topologyToMatchedTermCount. */
type PairCounts = Map<string, number>;
const pair = (key: string, value: string) => `${key}\x00${value}`;

interface FilterState extends StateData {
  required: readonly AffinityTerm[];
  requiredAnti: readonly AffinityTerm[];
  affinityCounts: PairCounts;
  antiAffinityCounts: PairCounts;
  existingAntiAffinityCounts: PairCounts;
  /** The pod matches all of its own affinity terms (the first of a group may then go anywhere). */
  matchesOwnAffinity: boolean;
  clone(): FilterState;
}

type FilterCounts = Omit<FilterState, 'clone'>;

function filterState(counts: FilterCounts): FilterState {
  return {
    ...counts,
    clone: () => filterState({
      ...counts,
      affinityCounts: new Map(counts.affinityCounts),
      antiAffinityCounts: new Map(counts.antiAffinityCounts),
      existingAntiAffinityCounts: new Map(counts.existingAntiAffinityCounts),
    }),
  };
}

/** Add `n` to a domain's count; a count that comes to 0 is dropped (an empty map means no pods at all). */
function add(counts: PairCounts, key: string, value: string, n: number): void {
  if (n === 0) return;
  const k = pair(key, value);
  const total = (counts.get(k) ?? 0) + n;
  if (total === 0) counts.delete(k);
  else counts.set(k, total);
}

export function interPodAffinity(handle: Handle): Plugin {
  const { snapshot, listers } = handle;
  const nsLabels = (ns: string): Labels | undefined => listers.namespace(ns)?.metadata.labels;

  /** Per domain of `term.topologyKey`, how many pods the term is about. */
  const domainCounts = (term: AffinityTerm, into: PairCounts) => {
    for (const counter of termCounters(term, snapshot, listers)) {
      for (const [value, n] of counter.domainCounts(term.topologyKey)) {
        if (value !== '' || snapshot.allNodesHaveLabel(term.topologyKey)) add(into, term.topologyKey, value, n);
      }
    }
  };

  /** upstream's podMatchesAllAffinityTerms: a pod counts towards required affinity only if every term selects it. */
  const matchesAll = (terms: readonly AffinityTerm[], pod: Pod) => terms.every((t) => termMatches(t, pod, nsLabels));

  /**
   * upstream's preFilterState.updateWithPod (the AddPod/RemovePod extensions): `other` placed on or gone
   * from `node` changes the domain counts of its required anti-affinity towards the incoming pod, and of
   * the incoming pod's required terms that select it. Only on a cloned state, whose maps are its own.
   */
  const updateWithPod = (s: FilterState, pod: PodInfo, other: PodInfo, node: NodeInfo, n: number) => {
    const labels = node.labels;
    for (const term of podAffinityInfo(other.pod).requiredAntiAffinity) {
      const value = labels[term.topologyKey];
      if (value !== undefined && termMatches(term, pod.pod, nsLabels)) add(s.existingAntiAffinityCounts, term.topologyKey, value, n);
    }
    if (s.required.length > 0 && matchesAll(s.required, other.pod)) {
      for (const term of s.required) {
        const value = labels[term.topologyKey];
        if (value !== undefined) add(s.affinityCounts, term.topologyKey, value, n);
      }
    }
    for (const term of s.requiredAnti) {
      const value = labels[term.topologyKey];
      if (value !== undefined && termMatches(term, other.pod, nsLabels)) add(s.antiAffinityCounts, term.topologyKey, value, n);
    }
  };

  return {
    name: NAME,
    events: [
      { resource: 'Pod', actions: ['Add', 'UpdatePodLabel', 'Delete'] },
      { resource: 'Node', actions: ['Add', 'UpdateNodeLabel'] },
    ],

    preFilter(state, podInfo) {
      const pod = podInfo.pod;
      const info = podAffinityInfo(pod);
      if (info.error) return errorStatus(info.error);
      const existingAntiAffinityCounts: PairCounts = new Map();
      for (const { pod: existing, node } of snapshot.podsWithAffinity()) {
        for (const term of podAffinityInfo(existing).requiredAntiAffinity) {
          const value = node.labels[term.topologyKey];
          if (value !== undefined && termMatches(term, pod, nsLabels)) add(existingAntiAffinityCounts, term.topologyKey, value, 1);
        }
      }
      if (info.requiredAffinity.length === 0 && info.requiredAntiAffinity.length === 0 && existingAntiAffinityCounts.size === 0) return SKIP;
      const affinityCounts: PairCounts = new Map();
      const antiAffinityCounts: PairCounts = new Map();
      if (info.requiredAffinity.length === 1) domainCounts(info.requiredAffinity[0], affinityCounts);
      else if (info.requiredAffinity.length > 1) {
        // upstream counts a pod towards the affinity terms only if it matches all of them (a walk over
        // the pods: the counters answer one selector at a time; several required terms are rare).
        for (const node of snapshot.nodeInfos()) {
          for (const p of node.pods.values()) {
            if (!matchesAll(info.requiredAffinity, p.pod)) continue;
            for (const term of info.requiredAffinity) {
              const value = node.labels[term.topologyKey];
              if (value !== undefined) add(affinityCounts, term.topologyKey, value, 1);
            }
          }
        }
      }
      for (const term of info.requiredAntiAffinity) domainCounts(term, antiAffinityCounts);
      const matchesOwnAffinity = matchesAll(info.requiredAffinity, pod);
      state.write(PRE_FILTER_KEY, filterState({
        required: info.requiredAffinity,
        requiredAnti: info.requiredAntiAffinity,
        affinityCounts,
        antiAffinityCounts,
        existingAntiAffinityCounts,
        matchesOwnAffinity,
      }));
      return SUCCESS;
    },

    ...preFilterExtensions(PRE_FILTER_KEY, updateWithPod),

    filter(state, _pod, node) {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (!s) return SUCCESS;
      if (!satisfiesAffinity(s, node)) return AFFINITY_REJECTED;
      for (const term of s.requiredAnti) {
        const value = node.labels[term.topologyKey];
        if (value !== undefined && (s.antiAffinityCounts.get(pair(term.topologyKey, value)) ?? 0) > 0) return ANTI_AFFINITY_REJECTED;
      }
      if (s.existingAntiAffinityCounts.size) {
        for (const [key, value] of Object.entries(node.labels)) {
          if ((s.existingAntiAffinityCounts.get(pair(key, value)) ?? 0) > 0) return EXISTING_ANTI_AFFINITY_REJECTED;
        }
      }
      return SUCCESS;
    },

    preScore(state, podInfo) {
      const pod = podInfo.pod;
      const info = podAffinityInfo(pod);
      if (info.error) return errorStatus(info.error);
      const hasPreferred = info.preferredAffinity.length > 0 || info.preferredAntiAffinity.length > 0;
      const existing = [...snapshot.podsWithAffinity()];
      if (!hasPreferred && existing.length === 0) return SKIP;
      const scores: PairCounts = new Map();
      // The incoming pod's preferences, weighted by how many matching pods each domain holds.
      for (const term of info.preferredAffinity) addWeighted(term, term.weight);
      for (const term of info.preferredAntiAffinity) addWeighted(term, -term.weight);
      // The existing pods' terms about the incoming pod (affinity is felt from both sides).
      for (const { pod: other, node } of existing) {
        const o = podAffinityInfo(other);
        const feel = (terms: readonly AffinityTerm[], weight: (t: AffinityTerm) => number) => {
          for (const t of terms) {
            const value = node.labels[t.topologyKey];
            if (value !== undefined && termMatches(t, pod, nsLabels)) add(scores, t.topologyKey, value, weight(t));
          }
        };
        feel(o.requiredAffinity, () => HARD_POD_AFFINITY_WEIGHT);
        feel(o.preferredAffinity, (t) => t.weight);
        feel(o.preferredAntiAffinity, (t) => -t.weight);
      }
      if (scores.size === 0) return SKIP;
      const byKey = new Map<string, Map<string, number>>();
      for (const [k, n] of scores) {
        const [key, value] = k.split('\x00');
        let m = byKey.get(key);
        if (!m) byKey.set(key, (m = new Map()));
        m.set(value, n);
      }
      state.write(PRE_SCORE_KEY, byKey);
      return SUCCESS;

      function addWeighted(term: AffinityTerm, weight: number): void {
        const counts: PairCounts = new Map();
        domainCounts(term, counts);
        for (const [k, n] of counts) scores.set(k, (scores.get(k) ?? 0) + weight * n);
      }
    },

    score(state, _pod, node) {
      const byKey = state.read<Map<string, Map<string, number>>>(PRE_SCORE_KEY);
      if (!byKey) return 0;
      let score = 0;
      for (const [key, values] of byKey) {
        const value = node.labels[key];
        if (value !== undefined) score += values.get(value) ?? 0;
      }
      return score;
    },

    normalizeScore(state, _pod, scores) {
      if (!state.read(PRE_SCORE_KEY)) return;
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        if (s.score < min) min = s.score;
        if (s.score > max) max = s.score;
      }
      const diff = max - min;
      for (const s of scores) s.score = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
    },
  };
}

/** upstream satisfyPodAffinity, including the "first pod of a group" exception. */
function satisfiesAffinity(s: FilterState, node: NodeInfo): boolean {
  let podsExist = true;
  for (const term of s.required) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) return false;
    if ((s.affinityCounts.get(pair(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return s.affinityCounts.size === 0 && s.matchesOwnAffinity;
}

