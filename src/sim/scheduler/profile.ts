/**
 * A scheduling profile instantiated from the registry: upstream's frameworkImpl. It runs each
 * extension point over the profile's plugins, honouring Skip, and tags statuses with the plugin.
 */
import {
  CycleState,
  SUCCESS,
  errorStatus,
  isRejection,
  withPlugin,
  type FilterPlan,
  type Handle,
  type NodeScore,
  type Plugin,
  type PreFilterResult,
  type Status,
} from './framework';
import type { NodeInfo, PodInfo } from './node-info';
import type { ProfileConfig, Registry } from './registry';

/** No per-plugin scores (shared, never written): a cycle that compared nothing, or kept only totals. */
export const NO_SCORES: ReadonlyMap<string, readonly number[]> = new Map();

export interface WeightedPlugin {
  plugin: Plugin;
  weight: number;
}

export interface PreFilterOutcome {
  status: Status;
  /** Only these nodes are candidates, when set. */
  nodeNames?: ReadonlySet<string>;
  /** Plugins whose PreFilter restricted or rejected. */
  rejectedBy: string[];
}

/** Add a node's final score, weighted, to its total (and to `weighted`); false when the score is out of range. */
function addWeighted(totals: number[], weighted: number[] | undefined, i: number, score: number, weight: number): boolean {
  if (score > 100 || score < 0 || !Number.isFinite(score)) return false;
  const w = score * weight;
  if (weighted) weighted[i] = w;
  totals[i] += w;
  return true;
}

function invalidScore(plugin: Plugin, score: number): Status {
  return errorStatus(`plugin "${plugin.name}" returns an invalid score ${score}, it should in the range of [0, 100] after normalizing`);
}

/** Run filters[from..to) on the node: the first status that is not a success, tagged with its plugin, or SUCCESS. */
function runFilters(filters: readonly Plugin[], from: number, to: number, state: CycleState, pod: PodInfo, node: NodeInfo): Status {
  for (let i = from; i < to; i++) {
    const status = filters[i].filter!(state, pod, node);
    if (status.code !== 'Success') return withPlugin(status, filters[i].name);
  }
  return SUCCESS;
}

export class Profile {
  readonly schedulerName: string;
  readonly plugins: readonly Plugin[];
  readonly percentageOfNodesToScore: number;
  private readonly preFilters: Plugin[];
  private readonly filters: Plugin[];
  private readonly preScores: Plugin[];
  readonly scorers: readonly WeightedPlugin[];

  constructor(config: ProfileConfig, registry: Registry, handle: Handle) {
    this.schedulerName = config.schedulerName;
    this.percentageOfNodesToScore = config.percentageOfNodesToScore ?? 0;
    const plugins: Plugin[] = [];
    const scorers: WeightedPlugin[] = [];
    for (const pc of config.plugins) {
      const factory = registry.get(pc.name);
      if (!factory) throw new Error(`plugin "${pc.name}" does not exist`);
      const plugin = factory(handle, pc.args);
      plugins.push(plugin);
      if (plugin.score) scorers.push({ plugin, weight: pc.weight ?? 1 });
    }
    this.plugins = plugins;
    this.preFilters = plugins.filter((p) => p.preFilter);
    this.filters = plugins.filter((p) => p.filter);
    this.preScores = plugins.filter((p) => p.preScore);
    this.scorers = scorers;
  }

  runPreFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterOutcome {
    let nodeNames: Set<string> | undefined;
    const rejectedBy: string[] = [];
    for (const p of this.preFilters) {
      const r = p.preFilter!(state, pod, nodes);
      if ('nodeNames' in r) {
        const res = r as PreFilterResult;
        nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => res.nodeNames.has(n))) : new Set(res.nodeNames);
        rejectedBy.push(p.name);
        continue;
      }
      const status = r as Status;
      if (status.code === 'Skip') {
        state.skipFilter.add(p.name);
        continue;
      }
      if (status.code === 'Success') continue;
      if (isRejection(status)) rejectedBy.push(p.name);
      return { status: withPlugin(status, p.name), rejectedBy };
    }
    return { status: SUCCESS, nodeNames, rejectedBy };
  }

  /** upstream's RunPreFilterExtensionAddPod: the PreFilter plugins that ran this cycle count `other` as placed on `node`. */
  runAddPod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilters) if (p.addPod && !state.skipFilter.has(p.name)) p.addPod(state, pod, other, node);
  }

  /** upstream's RunPreFilterExtensionRemovePod: the PreFilter plugins that ran this cycle count `other` as gone from `node`. */
  runRemovePod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilters) if (p.removePod && !state.skipFilter.has(p.name)) p.removePod(state, pod, other, node);
  }

  /**
   * upstream's RunFilterPluginsWithNominatedPods: the filters on `node` with the pods nominated to it of
   * equal or higher priority counted as placed (on a copy of the node and of the cycle state, through
   * the AddPod extensions); when that passes and some were added, the filters run again without them,
   * since a nominated pod may never come (it could be what satisfied the pod's required affinity).
   */
  runFilterWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo, nominated: Iterable<PodInfo> | undefined): Status {
    let trial: NodeInfo | undefined;
    let trialState: CycleState | undefined;
    if (nominated) {
      for (const p of nominated) {
        if (p.key === pod.key || p.priority < pod.priority) continue;
        if (!trial || !trialState) {
          trial = node.copy();
          trialState = state.clone();
        }
        trial.addPod(p);
        this.runAddPod(trialState, pod, p, trial);
      }
    }
    if (!trial || !trialState) return this.runFilter(state, pod, node);
    const status = this.runFilter(trialState, pod, trial);
    return status.code === 'Success' ? this.runFilter(state, pod, node) : status;
  }

  /**
   * Run the filters on one node; the first that does not succeed decides. The leading filters that
   * read only the node's cordon and taints (NodeUnschedulable, TaintToleration) are asked once per
   * cycle for each kind of node (cordonAndTaintsId) and their verdict reused for the nodes alike:
   * most nodes are untainted and schedulable, and after a zone failure a third carry the same taints.
   */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const plan = state.filterPlan ?? this.planFilters(state);
    let first = 0;
    if (plan.byCordonAndTaints > 0) {
      const id = node.cordonAndTaintsId;
      let verdict = plan.verdicts[id];
      if (verdict === undefined) plan.verdicts[id] = verdict = runFilters(plan.filters, 0, plan.byCordonAndTaints, state, pod, node);
      if (verdict.code !== 'Success') return verdict;
      first = plan.byCordonAndTaints;
    }
    return runFilters(plan.filters, first, plan.filters.length, state, pod, node);
  }

  /**
   * The filters PreFilter did not skip, worked out on a cycle's first runFilter. Kept apart from
   * runFilter: a closure over `state` there made every call (one per node) allocate a context for
   * it, ~40 bytes, even when the closure was not created (~16 KB a cycle on 1,000 nodes).
   */
  private planFilters(state: CycleState): FilterPlan {
    const filters = this.filters.filter((p) => !state.skipFilter.has(p.name));
    let byCordonAndTaints = 0;
    while (byCordonAndTaints < filters.length && filters[byCordonAndTaints].filterReadsOnlyCordonAndTaints) byCordonAndTaints++;
    const plan: FilterPlan = { filters, byCordonAndTaints, verdicts: [] };
    state.filterPlan = plan;
    return plan;
  }

  runPreScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status {
    for (const p of this.preScores) {
      const status = p.preScore!(state, pod, feasible);
      if (status.code === 'Skip') state.skipScore.add(p.name);
      else if (status.code !== 'Success') return withPlugin(status, p.name);
    }
    return SUCCESS;
  }

  /**
   * Score every feasible node with every (non-skipped) score plugin, normalise, weight.
   * Returns the totals and, with `keepPerPlugin` (the default), the weighted scores per plugin
   * (aligned with `feasible`); without it `perPlugin` is empty and no array per plugin is built.
   * The totals go into `totalsInto` when given (a buffer reused from cycle to cycle).
   */
  runScore(
    state: CycleState,
    pod: PodInfo,
    feasible: readonly NodeInfo[],
    keepPerPlugin = true,
    totalsInto?: number[],
  ): { perPlugin: ReadonlyMap<string, readonly number[]>; totals: number[] } | Status {
    const perPlugin = keepPerPlugin ? new Map<string, number[]>() : NO_SCORES;
    let totals: number[];
    if (totalsInto) {
      totals = totalsInto;
      totals.length = feasible.length;
      totals.fill(0);
    } else totals = new Array<number>(feasible.length).fill(0);
    // One NodeScore per feasible node, named once and rescored by each plugin.
    const scores = this.scoreScratch(feasible.length);
    for (let i = 0; i < feasible.length; i++) (scores[i] as { name: string }).name = feasible[i].name;
    for (const { plugin, weight } of this.scorers) {
      if (state.skipScore.has(plugin.name)) continue;
      const weighted = keepPerPlugin ? new Array<number>(feasible.length) : undefined;
      // The plugins that score every cycle do it in one call (see Plugin.scoreNodes); the others node by node.
      if (plugin.scoreNodes) plugin.scoreNodes(state, pod, feasible, scores);
      else for (let i = 0; i < feasible.length; i++) scores[i].score = plugin.score!(state, pod, feasible[i]);
      if (plugin.normalizeScore) plugin.normalizeScore(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        if (!addWeighted(totals, weighted, i, scores[i].score, weight)) return invalidScore(plugin, scores[i].score);
      }
      if (weighted) (perPlugin as Map<string, number[]>).set(plugin.name, weighted);
    }
    return { perPlugin, totals };
  }

  /** Reused NodeScore objects and the array handed to plugins (cycles are synchronous), to spare the allocator. */
  private readonly scorePool: NodeScore[] = [];
  private readonly scratch: NodeScore[] = [];
  private scoreScratch(n: number): NodeScore[] {
    while (this.scorePool.length < n) this.scorePool.push({ name: '', score: 0 });
    if (this.scratch.length !== n) {
      this.scratch.length = n;
      for (let i = 0; i < n; i++) this.scratch[i] = this.scorePool[i];
    }
    return this.scratch;
  }

  /** The plugins (by name) that care about a cluster event. */
  pluginByName(name: string): Plugin | undefined {
    return this.plugins.find((p) => p.name === name);
  }
}

export { CycleState };
