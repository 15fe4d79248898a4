/**
 * Completion indexes of Indexed Jobs (upstream pkg/controller/job/indexed_job_utils.go): the index a pod carries in
 * its `batch.kubernetes.io/job-completion-index` annotation, and sets of indexes as ordered intervals, written in the
 * compressed form of status.completedIndexes and status.failedIndexes: "1,3-5,7" — a range of three or more as
 * "first-last", a pair as "first,last" (upstream's orderedIntervals.String).
 */
import type { Pod, PodTemplateSpec } from '../../api/types';

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** How many failures of its index a pod's predecessors had (backoffLimitPerIndex), and how many were ignored. */
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
/** apiserver's names.MaxGeneratedNameLength: 63 minus the 5 random characters. */
const MAX_GENERATED_NAME_LENGTH = 58;
export const UNKNOWN_INDEX = -1;

export interface Interval {
  first: number;
  last: number;
}
export type Intervals = readonly Interval[];

/** A non-negative decimal annotation value, else -1 (upstream's strconv.Atoi, then i < 0). */
function nonNegativeInt(value: string | undefined): number {
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return UNKNOWN_INDEX;
  const n = Number(value);
  return n < 0 || !Number.isSafeInteger(n) ? UNKNOWN_INDEX : n;
}

/** The pod's completion index, or -1 (no annotation, not a number, negative). */
export function completionIndexOf(pod: Pod): number {
  return nonNegativeInt(pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION]);
}

/** Parse a compressed list leniently, as upstream's parseIndexesFromString: bad parts are skipped, indexes ≥ completions dropped. */
export function parseIndexes(text: string | undefined, completions: number): Interval[] {
  const out: Interval[] = [];
  if (!text) return out;
  for (const part of text.split(',')) {
    const limits = part.split('-');
    const first = Number.parseInt(limits[0], 10);
    if (!/^[+-]?\d+$/.test(limits[0]) || Number.isNaN(first)) continue;
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      if (!/^[+-]?\d+$/.test(limits[1])) continue;
      last = Math.min(Number.parseInt(limits[1], 10), completions - 1);
    }
    const prev = out[out.length - 1];
    if (prev && prev.last === first - 1) prev.last = last;
    else out.push({ first, last });
  }
  return out;
}

/** The intervals with `sortedIndexes` (increasing) added, merged into ordered, non-adjacent intervals. */
export function withIndexes(intervals: Intervals, sortedIndexes: readonly number[]): Interval[] {
  const out: Interval[] = [];
  const push = (iv: Interval) => {
    const last = out[out.length - 1];
    if (!last || iv.first > last.last + 1) out.push({ ...iv });
    else if (last.last < iv.last) last.last = iv.last;
  };
  let i = 0;
  let j = 0;
  while (i < intervals.length && j < sortedIndexes.length) {
    if (intervals[i].first < sortedIndexes[j]) push(intervals[i++]);
    else {
      push({ first: sortedIndexes[j], last: sortedIndexes[j] });
      j++;
    }
  }
  while (i < intervals.length) push(intervals[i++]);
  while (j < sortedIndexes.length) {
    push({ first: sortedIndexes[j], last: sortedIndexes[j] });
    j++;
  }
  return out;
}

/** The union of two interval lists. */
export function mergeIntervals(a: Intervals, b: Intervals): Interval[] {
  const all = [...a, ...b].sort((x, y) => x.first - y.first);
  const out: Interval[] = [];
  for (const iv of all) {
    const last = out[out.length - 1];
    if (!last || iv.first > last.last + 1) out.push({ ...iv });
    else if (last.last < iv.last) last.last = iv.last;
  }
  return out;
}

export function formatIndexes(intervals: Intervals): string {
  const parts: string[] = [];
  for (const iv of intervals) {
    if (iv.last === iv.first) parts.push(String(iv.first));
    else parts.push(`${iv.first}${iv.last === iv.first + 1 ? ',' : '-'}${iv.last}`);
  }
  return parts.join(',');
}

export function totalIndexes(intervals: Intervals): number {
  let n = 0;
  for (const iv of intervals) n += iv.last - iv.first + 1;
  return n;
}

export function hasIndex(intervals: Intervals, ix: number): boolean {
  let lo = 0;
  let hi = intervals.length;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    if (intervals[mid].last >= ix) hi = mid;
    else lo = mid + 1;
  }
  return hi < intervals.length && intervals[hi].first <= ix;
}

/** The first `count` indexes below `completions` in none of `taken` (succeeded, failed) and run by no active pod. */
export function firstPendingIndexes(activeIndexes: readonly number[], taken: Intervals, count: number, completions: number): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  const active = [...new Set(activeIndexes.filter((i) => i >= 0))].sort((a, b) => a - b);
  let candidate = 0;
  for (const iv of withIndexes(taken, active)) {
    for (; candidate < completions && out.length < count && candidate < iv.first; candidate++) out.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate);
  return out;
}

/** upstream's podGenerateNameWithIndex: "<job>-<index>-", the job name cut so the prefix fits 58 characters. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? prefix.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix : prefix;
}

/**
 * The pod template for one index, as upstream's manageJob prepares it: every container and init container gets
 * JOB_COMPLETION_INDEX from the downward API (unless it defines it itself) — a fieldRef on the index label, as since
 * PodIndexLabel (GA in 1.32; the annotation before) — the pod gets the index as annotation and label, and the hostname
 * "<job>-<index>". The template is not modified.
 */
export function indexedPodTemplate(template: PodTemplateSpec, jobName: string, index: number): PodTemplateSpec {
  const withEnv = <C extends { env?: { name: string }[] }>(c: C): C => {
    if ((c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)) return c;
    const env = [...(c.env ?? []), { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX_ANNOTATION}']` } } }];
    return { ...c, env };
  };
  const meta = template.metadata ?? {};
  const spec = template.spec;
  return {
    ...template,
    metadata: {
      ...meta,
      annotations: { ...meta.annotations, [COMPLETION_INDEX_ANNOTATION]: String(index) },
      labels: { ...meta.labels, [COMPLETION_INDEX_ANNOTATION]: String(index) },
    },
    spec: {
      ...spec,
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(withEnv) } : {}),
      containers: spec.containers.map(withEnv),
      hostname: `${jobName}-${index}`,
    },
  };
}

/** The failure counts a pod carries (backoffLimitPerIndex); missing or bad values count 0. */
export function indexFailureCount(pod: Pod): number {
  return Math.max(0, nonNegativeInt(pod.metadata.annotations?.[INDEX_FAILURE_COUNT_ANNOTATION]));
}

export function indexIgnoredFailureCount(pod: Pod): number {
  return Math.max(0, nonNegativeInt(pod.metadata.annotations?.[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION]));
}
