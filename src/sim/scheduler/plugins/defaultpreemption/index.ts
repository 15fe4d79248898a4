/**
 * DefaultPreemption, the PostFilter plugin (pkg/scheduler/framework/plugins/defaultpreemption and
 * framework/preemption): when a pod fits nowhere, could removing lower-priority pods make room?
 *
 * For every node the filters rejected as resolvable, it removes the pods of lower priority, checks the
 * pod fits, then gives back ("reprieves") as many of them as it can, most important first — pods whose
 * eviction would break a PodDisruptionBudget first of all — and what stays removed are the node's
 * victims. Among the candidate nodes it picks one as upstream's pickOneNodeForPreemption does. The
 * scheduler then nominates the pod to that node and deletes the victims (see Scheduler.preempt).
 *
 * With no candidate it reports upstream's message, which the FitError carries:
 * "preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is
 * not helpful for scheduling."
 */
import type { PodDisruptionBudget, Pod } from '../../../api/types';
import { matchesLabelSelector } from '../../../api/labels';
import { fitErrorMessage } from '../../fit-error';
import { sharedStatus, type CycleState, type Status } from '../../framework';
import type { NodeInfo, PodInfo } from '../../node-info';
import type { Profile } from '../../profile';
import type { Rng } from '../../../clock';

export const NAME = 'DefaultPreemption';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
const NOT_HELPFUL_STATUS = sharedStatus('UnschedulableAndUnresolvable', NOT_HELPFUL);
const NO_VICTIMS_STATUS = sharedStatus('UnschedulableAndUnresolvable', NO_VICTIMS);

/** The DisruptionTarget condition's reason on a pod the scheduler preempts (v1.PodReasonPreemptionByScheduler). */
export const PREEMPTION_BY_SCHEDULER = 'PreemptionByScheduler';

/** A node where the pod would fit once `victims` are gone. */
export interface Candidate {
  node: string;
  /** Most important first (higher priority, then earlier start). */
  victims: PodInfo[];
  /** How many of the victims' evictions break a PodDisruptionBudget. */
  numPDBViolations: number;
}

export interface PreemptionVerdict {
  /** "preemption: ..." as upstream's PostFilter status message; empty when there are candidates. */
  message: string;
  candidates: Candidate[];
  /** Preemption was tried and cannot help: a nomination the pod has is stale (see evaluatePreemption). */
  clearNomination: boolean;
}

/** A pod the scheduler is already preempting: terminating, with the DisruptionTarget condition it set. */
export function terminatingByPreemption(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp
    && !!pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === PREEMPTION_BY_SCHEDULER);
}

/**
 * upstream's PodEligibleToPreemptOthers: not with preemptionPolicy Never, nor while lower-priority pods
 * this scheduler preempted for it still terminate on its nominated node (unless that node cannot take
 * the pod anyway). Returns why not, or undefined.
 */
function notEligible(pod: PodInfo, nodes: readonly NodeInfo[], failed: ReadonlyMap<string, Status>): string | undefined {
  if (pod.pod.spec.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.pod.status?.nominatedNodeName;
  if (!nominated || failed.get(nominated)?.code === 'UnschedulableAndUnresolvable') return undefined;
  const node = nodes.find((n) => n.name === nominated);
  if (!node) return undefined;
  for (const p of node.pods.values()) {
    if (p.priority < pod.priority && terminatingByPreemption(p.pod)) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

/** Start time, for MoreImportantPod: a pod not started yet counts as starting now (after every started one). */
function startOf(p: PodInfo): string {
  return p.pod.status?.startTime ?? '\uffff';
}

/** upstream's MoreImportantPod as a sort order: higher priority first, then the one that started earlier. */
export function moreImportantFirst(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const sa = startOf(a);
  const sb = startOf(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * upstream's filterPodsWithPDBViolation: walking the pods in order, each takes one of the disruptions its
 * budgets allow; a pod for which some budget goes below zero would violate it. Pods a budget already
 * counts as disrupted are not counted again.
 */
export function splitByBudgetViolation(pods: readonly PodInfo[], budgets: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = budgets.map((b) => b.status?.disruptionsAllowed ?? 0);
  // An empty selector selects nothing here (upstream skips a budget whose selector is empty).
  const selects = (b: PodDisruptionBudget, labels: Record<string, string>) => {
    const sel = b.spec?.selector;
    return !!sel && (Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions?.length ?? 0) > 0) && matchesLabelSelector(sel, labels);
  };
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    const labels = p.pod.metadata.labels;
    if (labels && Object.keys(labels).length > 0) {
      budgets.forEach((b, i) => {
        if (b.metadata.namespace !== p.pod.metadata.namespace || !selects(b, labels)) return;
        if (b.status?.disruptedPods?.[p.pod.metadata.name ?? ''] !== undefined) return;
        if (--allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

/** The pods nominated to a node (see ScheduleInput.nominatedPodsOn); the filters count them as placed. */
export type NominatedPodsOn = (node: string) => Iterable<PodInfo> | undefined;

/**
 * upstream's SelectVictimsOnNode: the fewest, least important pods to remove from `node` for `pod` to
 * fit; a Status when removing every lower-priority pod is not enough. It works on a copy of the node
 * and of the cycle state: each pod taken out or given back goes through the PreFilter extensions, so
 * that topology spread and pod affinity counts see the node as it would be; pods nominated to the
 * node count as placed, as in the scheduling cycle.
 */
export function selectVictimsOnNode(
  profile: Profile,
  cycleState: CycleState,
  pod: PodInfo,
  node: NodeInfo,
  budgets: readonly PodDisruptionBudget[],
  nominatedPodsOn?: NominatedPodsOn,
): Candidate | Status {
  const state = cycleState.clone();
  const trial = node.copy();
  const potential: PodInfo[] = [];
  for (const p of node.pods.values()) {
    if (p.priority >= pod.priority) continue;
    potential.push(p);
    trial.removePod(p.key);
    profile.runRemovePod(state, pod, p, trial);
  }
  if (potential.length === 0) return NO_VICTIMS_STATUS;
  const nominated = nominatedPodsOn?.(node.name);
  const filter = () => profile.runFilterWithNominatedPods(state, pod, trial, nominated);
  const fits = filter();
  if (fits.code !== 'Success') return fits;
  potential.sort(moreImportantFirst);
  const { violating, nonViolating } = splitByBudgetViolation(potential, budgets);
  const victims: PodInfo[] = [];
  let numPDBViolations = 0;
  // Give a pod back when the preemptor still fits beside it; otherwise it stays a victim.
  const reprieve = (p: PodInfo): boolean => {
    trial.addPod(p);
    profile.runAddPod(state, pod, p, trial);
    if (filter().code === 'Success') return true;
    trial.removePod(p.key);
    profile.runRemovePod(state, pod, p, trial);
    victims.push(p);
    return false;
  };
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of nonViolating) reprieve(p);
  victims.sort(moreImportantFirst);
  return { node: node.name, victims, numPDBViolations };
}

/** DefaultPreemptionArgs' defaults: at least this share of the potential nodes is tried as candidates … */
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
/** … and at least this many (or all, if fewer). */
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/** upstream's calculateNumCandidates: how many candidates the dry run looks for among `numNodes` potential nodes. */
export function numCandidates(numNodes: number): number {
  const n = Math.max(Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE);
  return Math.min(n, numNodes);
}

export interface PreemptionOptions {
  /** The PodDisruptionBudgets, which victims should not break (asked only when a node is tried). */
  budgets?: () => readonly PodDisruptionBudget[];
  /** Where the dry run starts among the potential nodes (upstream draws it at random, Int31n). */
  rng: Rng;
  nominatedPodsOn?: NominatedPodsOn;
}

/**
 * upstream's findCandidates and DryRunPreemption. `failed` holds every node's filter status (all nodes
 * were evaluated, since none was feasible). The nodes the filters rejected as resolvable are the
 * potential ones; from a random offset among them, each is tried without its lower-priority pods, until
 * numCandidates candidates are found with at least one that breaks no PodDisruptionBudget. Candidates
 * that break none come first. With no potential node, or no candidate, the pod's nomination is to be
 * cleared (`clearNomination`), as upstream's PostFilter result with an empty NominatedNodeName.
 */
export function evaluatePreemption(
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
  failed: ReadonlyMap<string, Status>,
  options: PreemptionOptions,
): PreemptionVerdict {
  const why = notEligible(pod, nodes, failed);
  if (why) return { message: `preemption: ${why}`, candidates: [], clearNomination: false };
  const statuses: Status[] = [];
  const potential: NodeInfo[] = [];
  for (const node of nodes) {
    if (failed.get(node.name)?.code === 'Unschedulable') potential.push(node);
    else statuses.push(NOT_HELPFUL_STATUS);
  }
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  if (potential.length > 0) {
    const budgets = (options.budgets?.() ?? []).filter((b) => b.metadata.namespace !== undefined);
    const offset = options.rng.int(potential.length);
    const wanted = numCandidates(potential.length);
    for (let i = 0; i < potential.length; i++) {
      const node = potential[(offset + i) % potential.length];
      let anyVictim = false;
      for (const p of node.pods.values()) if ((anyVictim = p.priority < pod.priority)) break;
      if (!anyVictim) {
        statuses.push(NO_VICTIMS_STATUS);
        continue;
      }
      const result = selectVictimsOnNode(profile, state, pod, node, budgets, options.nominatedPodsOn);
      if (!('victims' in result)) {
        statuses.push(result);
        continue;
      }
      (result.numPDBViolations === 0 ? nonViolating : violating).push(result);
      if (nonViolating.length > 0 && nonViolating.length + violating.length >= wanted) break;
    }
  }
  const candidates = [...nonViolating, ...violating];
  if (candidates.length) return { message: '', candidates, clearNomination: false };
  return { message: `preemption: ${fitErrorMessage({ numAllNodes: nodes.length, statuses })}`, candidates, clearNomination: true };
}

/**
 * upstream's pickOneNodeForPreemption: the fewest budget violations; then the lowest highest-priority
 * victim; then the smallest sum of priorities; then the fewest victims; then the latest start among
 * the highest-priority victims; then the first.
 */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  let left = candidates.filter((c) => c.victims.length === 0);
  if (left.length) return left[0];
  left = [...candidates];
  const keepMin = (score: (c: Candidate) => number) => {
    const best = Math.min(...left.map(score));
    left = left.filter((c) => score(c) === best);
  };
  keepMin((c) => c.numPDBViolations);
  if (left.length > 1) keepMin((c) => c.victims[0].priority);
  // Shifted by 2^31 as upstream, so that negative priorities still add up to more victims costing more.
  if (left.length > 1) keepMin((c) => c.victims.reduce((sum, v) => sum + v.priority + 2147483648, 0));
  if (left.length > 1) keepMin((c) => c.victims.length);
  if (left.length > 1) {
    // The earliest start among each node's highest-priority victims; the node where that is latest wins.
    const earliest = (c: Candidate) => {
      const top = c.victims[0].priority;
      let min = '\uffff';
      for (const v of c.victims) if (v.priority === top && startOf(v) < min) min = startOf(v);
      return min;
    };
    const latest = left.reduce((a, c) => (earliest(c) > a ? earliest(c) : a), '');
    left = left.filter((c) => earliest(c) === latest);
  }
  return left[0];
}
