/**
 * One scheduling decision, pure: upstream's schedulePod. PreFilter, then Filter over the nodes
 * (from a rotating start index, stopping once enough feasible nodes are found: upstream's adaptive
 * percentageOfNodesToScore, so a 1,000-node cluster evaluates about 420 nodes and a 5,000-node one
 * 500), PreScore/Score/NormalizeScore with weights over the feasible nodes, and the highest total
 * wins, ties broken by reservoir sampling with the seeded RNG. A pod nominated by an earlier
 * preemption tries its nominated node first, and pods nominated to a node count there for pods of
 * lower or equal priority. On failure, upstream's FitError message, with DefaultPreemption's verdict:
 * the node and victims it picked (the scheduler then preempts), or why none.
 */
import type { Rng } from '../clock';
import type { PodDisruptionBudget } from '../api/types';
import { fitErrorMessage, statusMessage } from './fit-error';
import { CycleState, unresolvable, type Snapshot, type Status } from './framework';
import { NodeInfo, type PodInfo } from './node-info';
import { evaluatePreemption, pickOneNodeForPreemption, type Candidate, type NominatedPodsOn, type PreemptionOptions } from './plugins/defaultpreemption';
import { NO_SCORES, type Profile } from './profile';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** upstream numFeasibleNodesToFind. */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/**
 * The failed nodes' statuses, in evaluation order: a ReadonlyMap by node name, kept as two arrays
 * (a cycle adds each node at most once, up to thousands of them, and mostly only iterates them; a
 * lookup by name builds the index on first use). reset() empties it for another cycle but keeps
 * the arrays, overwritten from the start (CycleBuffers): grown by push every cycle, they cost
 * ~13 KB a cycle when a third of 5,000 nodes is tainted.
 */
export class NodeStatuses implements ReadonlyMap<string, Status> {
  private readonly names: string[] = [];
  private readonly statuses: Status[] = [];
  /** Entries in use; the arrays may hold older ones past it (until overwritten). */
  private count = 0;
  private index: Map<string, number> | undefined;

  /** Record a node's status; each node is added once per cycle. */
  add(name: string, status: Status): void {
    this.names[this.count] = name;
    this.statuses[this.count] = status;
    this.count++;
    this.index = undefined;
  }

  /** Forget every status, keeping the arrays for the next cycle. */
  reset(): void {
    this.count = 0;
    this.index = undefined;
  }

  get size(): number {
    return this.count;
  }

  get(name: string): Status | undefined {
    if (!this.index) {
      this.index = new Map();
      for (let i = 0; i < this.count; i++) this.index.set(this.names[i], i);
    }
    const i = this.index.get(name);
    return i === undefined ? undefined : this.statuses[i];
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  *entries(): MapIterator<[string, Status]> {
    for (let i = 0; i < this.count; i++) yield [this.names[i], this.statuses[i]];
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.count; i++) yield this.names[i];
  }

  *values(): MapIterator<Status> {
    for (let i = 0; i < this.count; i++) yield this.statuses[i];
  }

  [Symbol.iterator](): MapIterator<[string, Status]> {
    return this.entries();
  }

  forEach(callback: (value: Status, key: string, map: ReadonlyMap<string, Status>) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.count; i++) callback.call(thisArg, this.statuses[i], this.names[i], this);
  }
}

export interface ScheduleResult {
  /** The chosen node, when the pod fits somewhere. */
  nodeName?: string;
  /** Its index in `feasible`. */
  selected?: number;
  numAllNodes: number;
  /** Nodes whose filters ran (or were decided by PreFilter). */
  evaluatedNodes: number;
  /** Nodes that passed every filter, in evaluation order. */
  feasible: readonly NodeInfo[];
  /** The failing status of every node that did not pass, by node name. */
  failed: ReadonlyMap<string, Status>;
  /** Weighted score per plugin, aligned with `feasible` (empty when there was nothing to compare). */
  scores: ReadonlyMap<string, readonly number[]>;
  /** Total weighted score, aligned with `feasible`. */
  totals: readonly number[];
  /** Set when the pod fits nowhere: the FitError message, as the event and condition show it. */
  fitError?: string;
  /** Set when the cycle failed for another reason (a plugin error, no nodes at all). */
  error?: string;
  /** Plugins that rejected the pod on some node (the queue uses them to pick wake-up events). */
  unschedulablePlugins: ReadonlySet<string>;
  /** Where the next cycle starts evaluating. */
  nextStartNodeIndex: number;
  /** When the pod fits nowhere but would fit once lower-priority pods go: the node DefaultPreemption picked and its victims. */
  preemption?: Candidate;
  /**
   * Preemption was tried and found no candidate: a nominatedNodeName the pod has must go (upstream's
   * PostFilter result nominating "" in ModeOverride).
   */
  clearNomination?: boolean;
}

/**
 * Arrays a caller lets scheduleOne reuse from one cycle to the next instead of allocating them
 * (hundreds of entries each, every cycle): the result's `feasible` and `totals` are then these
 * arrays (and `failed` this NodeStatuses), valid until the next cycle given the same buffers. The scheduler, done with a result
 * before it schedules again, keeps one.
 */
export class CycleBuffers {
  readonly feasible: NodeInfo[] = [];
  readonly totals: number[] = [];
  readonly failed = new NodeStatuses();
}

export interface ScheduleInput {
  profile: Profile;
  snapshot: Snapshot;
  pod: PodInfo;
  rng: Rng;
  /** Rotates between cycles so that evaluation spreads over the nodes (upstream's nextStartNodeIndex). */
  startNodeIndex: number;
  /**
   * Keep each plugin's weighted scores in the result (default true). The scheduler asks for them
   * only when its log records decisions (they fill the decision's table); the totals are always kept.
   */
  keepScores?: boolean;
  /** Reuse these for the result's `feasible`, `totals` and `failed` (see CycleBuffers); fresh ones when absent. */
  buffers?: CycleBuffers;
  /** The PodDisruptionBudgets, which preemption tries not to break (asked only when it looks for victims). */
  disruptionBudgets?: () => readonly PodDisruptionBudget[];
  /**
   * The pods nominated to a node (waiting for their victims to leave), when any pod is: the filters
   * count those of equal or higher priority as already there (upstream's addNominatedPods).
   */
  nominatedPodsOn?: NominatedPodsOn;
}

export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export function scheduleOne(input: ScheduleInput): ScheduleResult {
  const { profile, snapshot, pod, rng } = input;
  const allNodes = snapshot.nodeInfos();
  const failed = input.buffers?.failed ?? new NodeStatuses();
  failed.reset();
  const unschedulablePlugins = new Set<string>();
  const base = {
    numAllNodes: allNodes.length,
    evaluatedNodes: 0,
    feasible: [] as NodeInfo[],
    failed,
    scores: NO_SCORES,
    totals: [] as number[],
    unschedulablePlugins,
    nextStartNodeIndex: input.startNodeIndex,
  };
  if (allNodes.length === 0) return { ...base, error: ERR_NO_NODES_AVAILABLE };

  const state = new CycleState();
  const pre = profile.runPreFilter(state, pod, allNodes);
  for (const name of pre.rejectedBy) unschedulablePlugins.add(name);
  if (pre.status.code === 'Error') return { ...base, error: `running PreFilter plugin "${pre.status.plugin}": ${statusMessage(pre.status)}` };
  if (pre.status.code !== 'Success') {
    for (const node of allNodes) failed.add(node.name, pre.status);
    const preFilterMsg = statusMessage(pre.status);
    const postFilter = evaluatePreemption(profile, state, pod, allNodes, failed, preemptionOptions(input));
    return {
      ...base,
      evaluatedNodes: allNodes.length,
      preemption: pickOneNodeForPreemption(postFilter.candidates),
      clearNomination: postFilter.clearNomination,
      fitError: fitErrorMessage({ numAllNodes: allNodes.length, statuses: [], preFilterMsg, postFilterMsg: postFilter.message }),
    };
  }

  let nodes = allNodes;
  if (pre.nodeNames) {
    const restricted = allNodes.filter((n) => pre.nodeNames!.has(n.name));
    const absent = unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.rejectedBy].sort().join(' ')}]`);
    for (const node of allNodes) if (!pre.nodeNames.has(node.name)) failed.add(node.name, absent);
    nodes = restricted;
  }

  const nominatedPodsOn = input.nominatedPodsOn;
  const filter = (node: NodeInfo) => (nominatedPodsOn === undefined ? profile.runFilter(state, pod, node) : profile.runFilterWithNominatedPods(state, pod, node, nominatedPodsOn(node.name)));

  // A pod nominated by an earlier preemption tries its nominated node first (upstream's evaluateNominatedNode).
  const nominatedName = pod.pod.status?.nominatedNodeName;
  const nominatedNode = nominatedName ? nodes.find((n) => n.name === nominatedName) : undefined;
  if (nominatedNode && filter(nominatedNode).code === 'Success') {
    return { ...base, evaluatedNodes: 1, feasible: [nominatedNode], nodeName: nominatedNode.name, selected: 0 };
  }

  // Filter, from the rotating start, until enough feasible nodes are found.
  const wanted = numFeasibleNodesToFind(profile.percentageOfNodesToScore, nodes.length);
  // A fresh list is sized for the most it can hold and cut to what was found: grown by push, its
  // successive backing stores came to about three times that (hundreds of nodes a cycle).
  const feasible = input.buffers?.feasible ?? new Array<NodeInfo>(Math.min(wanted, nodes.length));
  let found = 0;
  let processed = 0;
  /** The plugin of the previous rejection (most come from the same one): spares a Set insertion per node. */
  let lastPlugin: string | undefined;
  // `at` walks the nodes from the start, wrapping around once (a compare rather than a division per node).
  let at = nodes.length ? input.startNodeIndex % nodes.length : 0;
  for (let i = 0; i < nodes.length && found < wanted; i++) {
    const node = nodes[at];
    if (++at === nodes.length) at = 0;
    processed++;
    // (No call through `filter` here: this loop runs for hundreds of nodes a cycle.)
    const status = nominatedPodsOn === undefined ? profile.runFilter(state, pod, node) : profile.runFilterWithNominatedPods(state, pod, node, nominatedPodsOn(node.name));
    if (status.code === 'Success') feasible[found++] = node;
    else if (status.code === 'Error') return { ...base, error: `running "${status.plugin}" filter plugin: ${statusMessage(status)}` };
    else {
      failed.add(node.name, status);
      if (status.plugin && status.plugin !== lastPlugin) unschedulablePlugins.add((lastPlugin = status.plugin));
    }
  }
  feasible.length = found;
  const nextStartNodeIndex = allNodes.length ? (input.startNodeIndex + processed) % allNodes.length : 0;
  const evaluatedNodes = failed.size + feasible.length;

  if (feasible.length === 0) {
    const postFilter = evaluatePreemption(profile, state, pod, allNodes, failed, preemptionOptions(input));
    return {
      ...base,
      evaluatedNodes,
      nextStartNodeIndex,
      preemption: pickOneNodeForPreemption(postFilter.candidates),
      clearNomination: postFilter.clearNomination,
      fitError: fitErrorMessage({ numAllNodes: allNodes.length, statuses: failed.values(), postFilterMsg: postFilter.message }),
    };
  }
  if (feasible.length === 1) return { ...base, evaluatedNodes, nextStartNodeIndex, feasible, nodeName: feasible[0].name, selected: 0 };

  const preScore = profile.runPreScore(state, pod, feasible);
  if (preScore.code !== 'Success') return { ...base, evaluatedNodes, nextStartNodeIndex, feasible, error: `running PreScore plugin "${preScore.plugin}": ${statusMessage(preScore)}` };
  const scored = profile.runScore(state, pod, feasible, input.keepScores ?? true, input.buffers?.totals);
  if ('code' in scored) return { ...base, evaluatedNodes, nextStartNodeIndex, feasible, error: statusMessage(scored as Status) };

  const selected = selectHost(scored.totals, rng);
  return {
    ...base,
    evaluatedNodes,
    nextStartNodeIndex,
    feasible,
    scores: scored.perPlugin,
    totals: scored.totals,
    nodeName: feasible[selected].name,
    selected,
  };
}

function preemptionOptions(input: ScheduleInput): PreemptionOptions {
  return { budgets: input.disruptionBudgets, rng: input.rng, nominatedPodsOn: input.nominatedPodsOn };
}

/** The index of the highest total; among equal totals each is equally likely (reservoir sampling). */
export function selectHost(totals: readonly number[], rng: Rng): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (rng.int(ties) === 0) best = i;
    }
  }
  return best;
}
