/**
 * The scheduling framework, shaped as upstream's pkg/scheduler/framework: plugins with a name that
 * implement some of PreFilter, Filter, PreScore, Score and NormalizeScore; a Status with a code,
 * reasons and the plugin that produced it; a CycleState shared by the plugins during one scheduling
 * cycle; the cluster events a plugin cares about (so the queue knows when a rejected pod may fit).
 */
import type { Selector } from '../api/labels';
import type { Namespace, Pod, ReplicaSet, Service } from '../api/types';
import type { NodeInfo, PodInfo } from './node-info';

/** Scores are integers in [MIN_NODE_SCORE, MAX_NODE_SCORE] after normalisation. */
export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip';

export interface Status {
  readonly code: Code;
  /** Upstream's reasons, e.g. "Insufficient cpu" (several for one node are possible). */
  readonly reasons: readonly string[];
  /** The plugin that returned it (set by the framework). */
  readonly plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) as readonly string[] });
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: Object.freeze([]) as readonly string[] });

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export function errorStatus(message: string): Status {
  return { code: 'Error', reasons: [message] };
}

export function isSuccess(status: Status): boolean {
  return status.code === 'Success';
}

export function isRejection(status: Status): boolean {
  return status.code === 'Unschedulable' || status.code === 'UnschedulableAndUnresolvable';
}

/**
 * A status a plugin returns again and again (the same rejection on thousands of nodes), frozen so
 * that it can be shared: returning it allocates nothing, and the framework tags it once per plugin.
 */
export function sharedStatus(code: Code, ...reasons: string[]): Status {
  Object.freeze(reasons);
  return Object.freeze({ code, reasons });
}

/**
 * Shared statuses for reasons built from data (e.g. a taint's key and value), made on first use:
 * `get(a, b)` is the status for the reason `reason(a, b)`.
 */
export class StatusCache {
  private readonly byFirst = new Map<string, Map<string, Status>>();
  constructor(
    private readonly code: Code,
    private readonly reason: (a: string, b: string) => string,
  ) {}

  get(a: string, b: string): Status {
    let bySecond = this.byFirst.get(a);
    if (!bySecond) this.byFirst.set(a, (bySecond = new Map()));
    let status = bySecond.get(b);
    if (!status) bySecond.set(b, (status = sharedStatus(this.code, this.reason(a, b))));
    return status;
  }
}

/** The tagged copies of shared (frozen) statuses, per plugin. */
const tagged = new WeakMap<Status, Map<string, Status>>();

export function withPlugin(status: Status, plugin: string): Status {
  if (status.plugin === plugin) return status;
  if (!Object.isFrozen(status)) return { ...status, plugin };
  let byPlugin = tagged.get(status);
  if (!byPlugin) tagged.set(status, (byPlugin = new Map()));
  let copy = byPlugin.get(plugin);
  if (!copy) byPlugin.set(plugin, (copy = Object.freeze({ ...status, plugin })));
  return copy;
}

/** Per-cycle scratch space, as upstream's CycleState: plugins store what PreFilter/PreScore computed. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip: their Filter is not run this cycle. */
  readonly skipFilter = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not run this cycle. */
  readonly skipScore = new Set<string>();
  /**
   * The filters PreFilter did not skip and the verdicts kept per kind of node, worked out by the
   * profile on the cycle's first runFilter: a field rather than an entry of `data`, since runFilter
   * reads it for every node the cycle evaluates.
   */
  filterPlan: FilterPlan | undefined = undefined;

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /**
   * A copy to try pods in or out of a node on (upstream's CycleState.Clone): preemption's dry runs and
   * the filters run with nominated pods change the copy's PreFilter state, never the cycle's own.
   * Entries that are StateData are copied by their `clone`; the others are shared (read-only).
   */
  clone(): CycleState {
    const copy = new CycleState();
    for (const [key, value] of this.data) copy.data.set(key, isStateData(value) ? value.clone() : value);
    for (const name of this.skipFilter) copy.skipFilter.add(name);
    for (const name of this.skipScore) copy.skipScore.add(name);
    // The plan's kept verdicts come from filters that read only a node's cordon and taints, which
    // adding or removing pods does not change: the copy may share them.
    copy.filterPlan = this.filterPlan;
    return copy;
  }
}

/** A cycle-state entry that PreFilter extensions change (upstream's StateData): copied on clone. */
export interface StateData {
  clone(): StateData;
}

function isStateData(value: unknown): value is StateData {
  return typeof value === 'object' && value !== null && typeof (value as Partial<StateData>).clone === 'function';
}

/** How a cycle runs its filters (see Profile.runFilter). */
export interface FilterPlan {
  /** The filters PreFilter did not skip, in the profile's order. */
  readonly filters: readonly Plugin[];
  /** How many of the first `filters` read only the node's cordon and taints (filterReadsOnlyCordonAndTaints). */
  readonly byCordonAndTaints: number;
  /**
   * Those first filters' verdict (the first non-success, tagged, or SUCCESS) by the node's
   * cordonAndTaintsId, filled as nodes are evaluated: the same for every node with the same id.
   */
  readonly verdicts: Status[];
}

export interface NodeScore {
  readonly name: string;
  score: number;
}

// ---------------------------------------------------------------- cluster events

export type EventResource = 'Node' | 'Pod';
/** Upstream's ActionType values that the lab's plugins register for. */
export type ActionType =
  | 'Add'
  | 'Delete'
  | 'UpdateNodeLabel'
  | 'UpdateNodeTaint'
  | 'UpdateNodeAllocatable'
  | 'UpdatePodLabel'
  | 'UpdatePodScaleDown';

export interface ClusterEvent {
  resource: EventResource;
  /** What changed; an update can carry several actions at once. */
  actions: readonly ActionType[];
  /** e.g. "NodeAdd", "AssignedPodDelete": for the log. */
  label: string;
}

export interface EventRegistration {
  resource: EventResource;
  actions: readonly ActionType[];
}

export function eventMatches(registrations: readonly EventRegistration[] | undefined, event: ClusterEvent): boolean {
  if (!registrations) return false;
  return registrations.some((r) => r.resource === event.resource && r.actions.some((a) => event.actions.includes(a)));
}

// ---------------------------------------------------------------- plugins

/** The view of the cluster the plugins get: nodes in the scheduler's order, and a few listers. */
export interface Snapshot {
  /** Every node, in upstream's node-tree order (zones round-robin). */
  nodeInfos(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /**
   * Counts of pods per node matching `selector` in `namespace` (not terminating), maintained
   * incrementally per selector so that spreading costs O(nodes), not O(pods), per decision.
   */
  podCounter(namespace: string, selector: Selector, options?: CounterOptions): PodCounter;
  /** Placed pods with pod affinity or anti-affinity terms, and their nodes. */
  podsWithAffinity(): Iterable<{ pod: Pod; node: NodeInfo }>;
  /** True when every node carries the label `key`. */
  allNodesHaveLabel(key: string): boolean;
}

export interface CounterOptions {
  /** Count pods that are being deleted too (PodTopologySpread skips them; InterPodAffinity does not). */
  includeTerminating?: boolean;
}

/** `podCounter` namespace meaning "every namespace". */
export const ALL_NAMESPACES = '*';

export interface PodCounter {
  /** Matching pods on one node. */
  count(node: NodeInfo): number;
  /**
   * Matching pods per value of a node label, over every node (a node without the label counts
   * under ""; domains with no matching pod are present with 0). Maintained incrementally.
   */
  domainCounts(topologyKey: string): ReadonlyMap<string, number>;
}

/** Objects some plugins consult besides nodes and pods (PodTopologySpread's default selector). */
export interface Listers {
  services(namespace: string): readonly Service[];
  replicaSet(namespace: string, name: string): ReplicaSet | undefined;
  /** For affinity terms with a namespaceSelector. */
  namespace(name: string): Namespace | undefined;
  namespaces(): readonly Namespace[];
}

export interface Handle {
  snapshot: Snapshot;
  listers: Listers;
}

export interface Plugin {
  readonly name: string;
  /** Events after which a pod this plugin rejected may become schedulable. */
  readonly events?: readonly EventRegistration[];
  /**
   * True when Filter reads nothing of the node but its cordon (spec.unschedulable) and its NoSchedule
   * and NoExecute taints: its answer is then the same for every node with the same cordonAndTaintsId,
   * and the framework asks once per cycle for each such kind of node (not part of upstream's API:
   * nodes tainted alike, a third of a cluster whose zone failed, are then cheap to turn down).
   */
  readonly filterReadsOnlyCordonAndTaints?: boolean;
  /**
   * Skip means "nothing to check for this pod": its Filter is then not called. A result with
   * `nodeNames` restricts the cycle to those nodes (upstream's PreFilterResult).
   */
  preFilter?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | PreFilterResult;
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /**
   * upstream's PreFilterExtensions: count `other` as added to (or removed from) `node` in the PreFilter
   * state of `state` (a clone), so that Filter sees the node as it would be. Used when preemption
   * tries a node without its lower-priority pods and when nominated pods are counted as placed.
   */
  addPod?(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void;
  /** Skip means "no opinion": its Score is then not called. */
  preScore?(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status;
  score?(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /**
   * Score every node of `nodes` at once: scores[i].score = score(state, pod, nodes[i]), exactly.
   * Not part of upstream's API (whose plugins have Score only): an implementation detail for the
   * plugins that score nearly every cycle (hundreds of nodes each). The framework then makes one
   * call per plugin instead of one per node, and the plugin reads its cycle state once and runs a
   * tight loop of its own rather than going through one call site shared by every plugin. A plugin
   * that has it has `score` too (the reference the batch must match, for callers that score one node).
   */
  scoreNodes?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: NodeScore[]): void;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

/**
 * A plugin's AddPod/RemovePod extensions when both come down to one update of its PreFilter state (read
 * under `key`) by +1 or −1.
 */
export function preFilterExtensions<S>(key: string, update: (s: S, pod: PodInfo, other: PodInfo, node: NodeInfo, delta: 1 | -1) => void): Pick<Plugin, 'addPod' | 'removePod'> {
  return {
    addPod(state, pod, other, node) {
      const s = state.read<S>(key);
      if (s) update(s, pod, other, node, 1);
    },
    removePod(state, pod, other, node) {
      const s = state.read<S>(key);
      if (s) update(s, pod, other, node, -1);
    },
  };
}

export interface PreFilterResult {
  readonly nodeNames: ReadonlySet<string>;
}

export type PluginFactory = (handle: Handle, args?: Record<string, unknown>) => Plugin;

/**
 * upstream helper.DefaultNormalizeScore: scale so the highest score becomes maxPriority (integer
 * division); with `reverse`, high raw scores become low ones.
 */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): void {
  let maxCount = 0;
  for (const s of scores) if (s.score > maxCount) maxCount = s.score;
  if (maxCount === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return;
  }
  for (const s of scores) {
    let score = Math.trunc((maxPriority * s.score) / maxCount);
    if (reverse) score = maxPriority - score;
    s.score = score;
  }
}

