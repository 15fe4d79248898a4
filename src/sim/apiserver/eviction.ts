/**
 * What an eviction (pods/eviction, what `kubectl drain` sends) asks of the PodDisruptionBudget that selects
 * the pod, as upstream's eviction REST handler (pkg/registry/core/pod/storage/eviction.go) decides it:
 *   - a pod that is finished, still Pending or already being deleted is deleted without asking;
 *   - a pod no budget selects is deleted; one two budgets select cannot be evicted (500);
 *   - a budget the disruption controller has not caught up with yet answers 429, as does one that allows
 *     no disruption now ("Cannot evict pod as it would violate the pod's disruption budget.");
 *   - an unready pod may go without using up the budget when the budget is healthy anyway
 *     (unhealthyPodEvictionPolicy IfHealthyBudget, the default) or always (AlwaysAllow);
 *   - otherwise the eviction takes one disruption: the budget's status is written first (one fewer
 *     allowed, the pod in disruptedPods), then the pod is deleted.
 */
import type { ApiResponse } from '../api/request';
import type { Pod, PodDisruptionBudget } from '../api/types';
import { labelSelectorAsSelector, SelectorError } from '../api/labels';
import { errors, status } from './status';

/** upstream MaxDisruptedPodSize. */
const MAX_DISRUPTED_PODS = 2000;

const REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

export type EvictionDecision = { kind: 'delete' } | { kind: 'decrement'; budget: PodDisruptionBudget } | { kind: 'refuse'; response: ApiResponse };

/** canIgnorePDB. */
export function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

/** The budgets in the pod's namespace whose selector matches it (policy/v1: an empty selector matches every pod). */
export function budgetsFor(pod: Pod, budgets: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  return budgets.filter((b) => {
    if (b.metadata.namespace !== pod.metadata.namespace || !b.spec?.selector) return false;
    try {
      return labelSelectorAsSelector(b.spec.selector).matches(pod.metadata.labels ?? {});
    } catch (e) {
      if (e instanceof SelectorError) return false;
      throw e;
    }
  });
}

function tooManyRequests(cause: string): ApiResponse {
  return status(429, 'TooManyRequests', REFUSED, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

/** Upstream names the resource in the singular here: NewForbidden(policy.Resource("poddisruptionbudget"), …). */
function forbidden(budget: PodDisruptionBudget, why: string): ApiResponse {
  const name = budget.metadata.name ?? '';
  return status(403, 'Forbidden', `poddisruptionbudget.policy "${name}" is forbidden: ${why}`, { name, group: 'policy', kind: 'poddisruptionbudget' });
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** checkAndDecrement's checks for the pod's one budget, read as it is now. */
export function decideWithBudget(pod: Pod, budget: PodDisruptionBudget): EvictionDecision {
  const s = budget.status;
  if (!s || (s.observedGeneration ?? 0) < (budget.metadata.generation ?? 0)) {
    return { kind: 'refuse', response: tooManyRequests(`The disruption budget ${budget.metadata.name} is still being processed by the server.`) };
  }
  if (!isReady(pod)) {
    if (budget.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { kind: 'delete' };
    if (s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0) return { kind: 'delete' };
  }
  if (s.disruptionsAllowed < 0) return { kind: 'refuse', response: forbidden(budget, 'pdb disruptions allowed is negative') };
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    return { kind: 'refuse', response: forbidden(budget, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller') };
  }
  if (s.disruptionsAllowed === 0) {
    return { kind: 'refuse', response: tooManyRequests(`The disruption budget ${budget.metadata.name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`) };
  }
  return { kind: 'decrement', budget };
}

/** The budget after the eviction of `pod` took one of its disruptions at `nowIso`. */
export function withDisruption(budget: PodDisruptionBudget, pod: Pod, nowIso: string): PodDisruptionBudget {
  const s = budget.status!;
  return { ...budget, status: { ...s, disruptionsAllowed: s.disruptionsAllowed - 1, disruptedPods: { ...s.disruptedPods, [pod.metadata.name!]: nowIso } } };
}

/** More than one budget selects the pod. */
export function tooManyBudgets(): ApiResponse {
  return errors.internal('Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
}
