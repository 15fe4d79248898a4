/**
 * What the disruption controller computes for a PodDisruptionBudget (pkg/controller/disruption), pure:
 *   - expectedPods: with an integer minAvailable, the pods the selector matches; otherwise (maxUnavailable,
 *     or a percentage) the scale of their controllers, each counted once (a ReplicaSet of a Deployment
 *     counts as the Deployment); pods without a controller count for nothing. A controller that cannot
 *     be found makes that impossible: the budget fails safe and allows no disruption (SyncFailed).
 *     Neither field set: nothing expected, nothing allowed.
 *   - desiredHealthy: minAvailable (a percentage of expectedPods, rounded up), or expectedPods minus
 *     maxUnavailable (a percentage rounded up), never below 0.
 *   - currentHealthy: matching pods that are Ready, not being deleted and not just evicted (disruptedPods:
 *     an eviction the controller has not yet seen turn into a deletion, for at most 2 minutes).
 *   - disruptionsAllowed: currentHealthy − desiredHealthy, at least 0 (0 when nothing is expected).
 */
import type { Pod, PodDisruptionBudget } from '../../api/types';
import { controllerRef, isPodReady } from '../pods';
import { scaledValue } from '../deployment/util';

/** upstream DeletionTimeout: how long an eviction stays in disruptedPods waiting for its pod to go. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export type BudgetStatus = NonNullable<PodDisruptionBudget['status']>;

export interface ScaleLookup {
  /** The scale of the controller a pod's controller reference names (for a ReplicaSet of a Deployment, the Deployment's), with that controller's uid; undefined when it is not found. */
  (pod: Pod): { uid: string; replicas: number } | undefined;
}

/** disruptedPods as the controller keeps them: evictions of pods still present, not yet deleting, younger than 2 minutes. */
export function currentDisruptions(pdb: PodDisruptionBudget, pods: readonly Pod[], nowMs: number): { kept: Record<string, string>; recheckAtMs: number | undefined } {
  const kept: Record<string, string> = {};
  let recheckAtMs: number | undefined;
  const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!(expires > nowMs)) continue;
    kept[name] = at;
    recheckAtMs = Math.min(recheckAtMs ?? Infinity, expires);
  }
  return { kept, recheckAtMs };
}

/** The counts of the status, or the reason they cannot be had. */
export function budgetCounts(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleLookup, disrupted: Readonly<Record<string, string>>):
  { expectedPods: number; desiredHealthy: number; currentHealthy: number; disruptionsAllowed: number } | { error: string } {
  const { minAvailable, maxUnavailable } = pdb.spec;
  let expectedPods = 0;
  let desiredHealthy = 0;
  const expectedScale = (): number | { error: string } => {
    const scales = new Map<string, number>();
    for (const pod of pods) {
      // A pod no controller manages counts for nothing here (upstream reports it as unmanaged).
      if (!controllerRef(pod)) continue;
      const scale = scaleOf(pod);
      if (!scale) return { error: `found no controllers for pod "${pod.metadata.name}"` };
      scales.set(scale.uid, scale.replicas);
    }
    return [...scales.values()].reduce((a, b) => a + b, 0);
  };
  if (maxUnavailable !== undefined) {
    const scale = expectedScale();
    if (typeof scale !== 'number') return scale;
    expectedPods = scale;
    desiredHealthy = Math.max(0, expectedPods - scaledValue(maxUnavailable, expectedPods, true));
  } else if (typeof minAvailable === 'number') {
    expectedPods = pods.length;
    desiredHealthy = minAvailable;
  } else if (minAvailable !== undefined) {
    const scale = expectedScale();
    if (typeof scale !== 'number') return scale;
    expectedPods = scale;
    desiredHealthy = scaledValue(minAvailable, expectedPods, true);
  }
  let currentHealthy = 0;
  for (const pod of pods) if (!pod.metadata.deletionTimestamp && !(pod.metadata.name! in disrupted) && isPodReady(pod)) currentHealthy++;
  const allowed = currentHealthy - desiredHealthy;
  return { expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed: expectedPods <= 0 || allowed <= 0 ? 0 : allowed };
}

/** The status the budget should have (conditions keep their transition time while unchanged). */
export function budgetStatus(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleLookup, nowMs: number, nowIso: string): { status: BudgetStatus; recheckAtMs: number | undefined } {
  const { kept, recheckAtMs } = currentDisruptions(pdb, pods, nowMs);
  const counts = budgetCounts(pdb, pods, scaleOf, kept);
  const generation = pdb.metadata.generation;
  const failed = 'error' in counts;
  const allowed = failed ? 0 : counts.disruptionsAllowed;
  const condition = {
    type: 'DisruptionAllowed',
    status: (allowed > 0 ? 'True' : 'False') as 'True' | 'False',
    reason: failed ? 'SyncFailed' : allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
    message: failed ? counts.error : '',
    observedGeneration: generation,
  };
  const previous = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const transitioned = !previous || previous.status !== condition.status || previous.reason !== condition.reason;
  return {
    status: {
      observedGeneration: generation,
      ...(Object.keys(kept).length > 0 ? { disruptedPods: kept } : {}),
      disruptionsAllowed: allowed,
      currentHealthy: failed ? pdb.status?.currentHealthy ?? 0 : counts.currentHealthy,
      desiredHealthy: failed ? pdb.status?.desiredHealthy ?? 0 : counts.desiredHealthy,
      expectedPods: failed ? pdb.status?.expectedPods ?? 0 : counts.expectedPods,
      conditions: [{ ...condition, lastTransitionTime: transitioned ? nowIso : previous!.lastTransitionTime }],
    },
    recheckAtMs,
  };
}
