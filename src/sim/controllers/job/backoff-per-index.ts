/**
 * backoffLimitPerIndex for Indexed Jobs (upstream's JobBackoffLimitPerIndex, beta and on in 1.32): each index is
 * retried on its own up to backoffLimitPerIndex times, then marked failed (status.failedIndexes) while the other
 * indexes go on. A pod's predecessors' failures of its index travel in its annotations
 * (batch.kubernetes.io/job-index-failure-count, and ...-ignored-failure-count for failures an Ignore rule matched):
 * the failed pod's tracking finalizer is kept (its "deletion delayed") until its replacement, carrying the counts
 * plus one, exists. The replacement waits the per-index back-off: 10 s doubling per failure of the index, capped
 * at 10 minutes.
 */
import type { Job, Pod } from '../../api/types';
import { completionIndexOf, hasIndex, indexFailureCount, indexIgnoredFailureCount, parseIndexes, withIndexes, UNKNOWN_INDEX, type Interval, type Intervals } from './indexes';
import { matchPodFailurePolicy } from './pod-failure-policy';

export function hasBackoffLimitPerIndex(job: Job): boolean {
  return job.spec.completionMode === 'Indexed' && typeof job.spec.backoffLimitPerIndex === 'number';
}

/** upstream's isPodFailed: phase Failed; or, unless only failed pods are replaced, deleted before succeeding. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded';
}

/** podReplacementPolicy Failed, or a podFailurePolicy (which requires it): terminating pods are not replaced yet, nor counted failed. */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || !!job.spec.podFailurePolicy;
}

/** upstream's isIndexFailed: a FailIndex rule matched, or a counted failure of a pod whose index had failed backoffLimitPerIndex times before. */
function isIndexFailed(job: Job, pod: Pod): boolean {
  if (!isPodFailed(pod, job)) return false;
  const m = matchPodFailurePolicy(job.spec.podFailurePolicy, pod);
  if (m.action === 'FailIndex') return true;
  return m.countFailed && indexFailureCount(pod) >= job.spec.backoffLimitPerIndex!;
}

/** status.failedIndexes with the indexes (below completions) of the pods whose failure fails their index. */
export function calculateFailedIndexes(job: Job, pods: readonly Pod[]): Interval[] {
  const completions = job.spec.completions ?? 0;
  const prev = parseIndexes(job.status?.failedIndexes, completions);
  const failed: number[] = [];
  for (const p of pods) {
    if (!isIndexFailed(job, p)) continue;
    const ix = completionIndexOf(p);
    if (ix !== UNKNOWN_INDEX && ix < completions) failed.push(ix);
  }
  failed.sort((a, b) => a - b);
  return withIndexes(prev, failed);
}

/** Finish time of a pod (its last container's finishedAt), else its deletion or creation time, else `fallback`. */
export function podFinishedMs(pod: Pod, fallback: number): number {
  let t = NaN;
  for (const s of pod.status?.containerStatuses ?? []) {
    const at = s.state?.terminated?.finishedAt ? Date.parse(s.state.terminated.finishedAt) : NaN;
    if (!Number.isNaN(at) && (Number.isNaN(t) || at > t)) t = at;
  }
  if (Number.isNaN(t) && pod.metadata.deletionTimestamp) t = Date.parse(pod.metadata.deletionTimestamp);
  return Number.isNaN(t) ? fallback : t;
}

const absoluteFailureCount = (p: Pod) => indexFailureCount(p) + indexIgnoredFailureCount(p);

/**
 * Per index that is neither succeeded, failed, nor run by an active pod: the latest failed pod still holding its
 * finalizer — kept until its replacement is created (upstream's getPodsWithDelayedDeletionPerIndex).
 */
export function podsWithDelayedDeletionPerIndex(job: Job, withFinalizer: readonly Pod[], active: readonly Pod[], succeeded: Intervals, failed: Intervals, now: number): Map<number, Pod> {
  const completions = job.spec.completions ?? 0;
  const activeIndexes = new Set(active.map(completionIndexOf));
  const out = new Map<number, Pod>();
  for (const p of withFinalizer) {
    if (!isPodFailed(p, job)) continue;
    const ix = completionIndexOf(p);
    if (ix === UNKNOWN_INDEX || ix >= completions) continue;
    if (hasIndex(succeeded, ix) || hasIndex(failed, ix) || activeIndexes.has(ix)) continue;
    const last = out.get(ix);
    if (!last || (absoluteFailureCount(last) <= absoluteFailureCount(p) && podFinishedMs(p, now) >= podFinishedMs(last, now))) out.set(ix, p);
  }
  return out;
}

/** The failure counts the replacement of `replaced` carries (upstream's getNewIndexFailureCounts); 0 and 0 for a first pod. */
export function newIndexFailureCounts(job: Job, replaced: Pod | undefined): { failures: number; ignored: number } {
  if (!replaced) return { failures: 0, ignored: 0 };
  let failures = indexFailureCount(replaced);
  let ignored = indexIgnoredFailureCount(replaced);
  if (matchPodFailurePolicy(job.spec.podFailurePolicy, replaced).countFailed) failures++;
  else ignored++;
  return { failures, ignored };
}

/** The back-off before index `replaced`'s next pod: 10 s × 2^(failures of the index − 1), capped at 10 min, less the time since it failed. */
export function perIndexRemainingMs(replaced: Pod | undefined, now: number, backoffMs: (failures: number) => number): number {
  if (!replaced) return 0;
  const failures = absoluteFailureCount(replaced) + 1;
  return Math.max(0, podFinishedMs(replaced, now) + backoffMs(failures) - now);
}
