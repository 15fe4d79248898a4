/**
 * Pod (anti-)affinity terms as upstream's framework.AffinityTerm: a label selector over pods, the
 * namespaces it looks in (the pod's own by default, a list, or a namespaceSelector), and the
 * topology key that defines "the same place". Compiled once per pod object.
 */
import { SelectorError, labelSelectorAsSelector, type Labels, type Selector } from '../../../api/labels';
import type { LabelSelector, Pod } from '../../../api/types';
import { ALL_NAMESPACES, type Listers, type PodCounter, type Snapshot } from '../../framework';

/** core/v1 PodAffinityTerm (types.ts keeps podAffinity opaque). */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
  topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

interface PodAffinitySpec {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface AffinityTerm {
  topologyKey: string;
  selector: Selector;
  /** Explicit namespaces (the owner's own when neither list nor selector is given). */
  namespaces: ReadonlySet<string>;
  /** Selects namespaces by their labels; `Selector.nothing` when absent. */
  namespaceSelector: Selector;
  weight: number;
}

export interface PodAffinityInfo {
  requiredAffinity: readonly AffinityTerm[];
  requiredAntiAffinity: readonly AffinityTerm[];
  preferredAffinity: readonly AffinityTerm[];
  preferredAntiAffinity: readonly AffinityTerm[];
  /** A term could not be parsed (upstream fails the cycle with an error). */
  error?: string;
}

function compile(pod: Pod, term: PodAffinityTerm, weight: number): AffinityTerm {
  const selector = labelSelectorAsSelector(term.labelSelector);
  const explicit = term.namespaces ?? [];
  const namespaces = new Set(explicit.length === 0 && !term.namespaceSelector ? [pod.metadata.namespace ?? 'default'] : explicit);
  const namespaceSelector = labelSelectorAsSelector(term.namespaceSelector);
  return { topologyKey: term.topologyKey, selector, namespaces, namespaceSelector, weight };
}

const cache = new WeakMap<Pod, PodAffinityInfo>();

const NO_TERMS: readonly AffinityTerm[] = Object.freeze([]);
/** What a pod without pod affinity or anti-affinity (most pods) has: shared, nothing to compile or cache. */
const NO_AFFINITY: PodAffinityInfo = Object.freeze({ requiredAffinity: NO_TERMS, requiredAntiAffinity: NO_TERMS, preferredAffinity: NO_TERMS, preferredAntiAffinity: NO_TERMS });

export function podAffinityInfo(pod: Pod): PodAffinityInfo {
  const affinity = pod.spec.affinity;
  if (!affinity?.podAffinity && !affinity?.podAntiAffinity) return NO_AFFINITY;
  let info = cache.get(pod);
  if (!info) {
    const pa = affinity.podAffinity as PodAffinitySpec | undefined;
    const anti = affinity.podAntiAffinity as PodAffinitySpec | undefined;
    info = { requiredAffinity: [], requiredAntiAffinity: [], preferredAffinity: [], preferredAntiAffinity: [] };
    try {
      info.requiredAffinity = (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compile(pod, t, 1));
      info.requiredAntiAffinity = (anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compile(pod, t, 1));
      info.preferredAffinity = (pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compile(pod, t.podAffinityTerm, t.weight));
      info.preferredAntiAffinity = (anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compile(pod, t.podAffinityTerm, t.weight));
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      info.error = e.message;
    }
    cache.set(pod, info);
  }
  return info;
}

/** upstream AffinityTerm.Matches: is `pod` one of the pods the term is about? */
export function termMatches(term: AffinityTerm, pod: Pod, namespaceLabels: (ns: string) => Labels | undefined): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  const inNamespace = term.namespaces.has(ns) || term.namespaceSelector.matches(namespaceLabels(ns));
  return inNamespace && term.selector.matches(pod.metadata.labels);
}

/**
 * Counters of the pods a term is about, one per namespace it covers (or one for all namespaces
 * when its namespaceSelector is empty), so that counts per node and per domain are sums.
 */
export function termCounters(term: AffinityTerm, snapshot: Snapshot, listers: Listers): PodCounter[] {
  const options = { includeTerminating: true };
  if (term.namespaceSelector.empty()) return [snapshot.podCounter(ALL_NAMESPACES, term.selector, options)];
  const namespaces = new Set(term.namespaces);
  for (const ns of listers.namespaces()) if (term.namespaceSelector.matches(ns.metadata.labels)) namespaces.add(ns.metadata.name ?? '');
  return [...namespaces].map((ns) => snapshot.podCounter(ns, term.selector, options));
}
