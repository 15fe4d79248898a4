/**
 * `kubectl get jobs` (NAME STATUS COMPLETIONS DURATION AGE; wide adds CONTAINERS IMAGES SELECTOR), as upstream's
 * printJob in 1.32: the status from the conditions (Complete, Failed, Terminating, Suspended, FailureTarget,
 * else Running), completions as "succeeded/completions" ("n/1 of p" with no completions and parallelism > 1),
 * the duration from startTime to completionTime (or to now).
 */
import { formatLabelSelector } from '../../sim/api/labels';
import type { Job } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, humanDuration, type Printer } from './table';

const has = (job: Job, type: string) => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

function jobStatus(job: Job): string {
  if (has(job, 'Complete')) return 'Complete';
  if (has(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (has(job, 'Suspended')) return 'Suspended';
  if (has(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const jobPrinter: Printer<Job> = {
  columns: [
    NAME_COLUMN,
    column('Status', 'Status of the job.'),
    column('Completions', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
    column('Duration', 'Time required to complete the job.'),
    AGE_COLUMN,
    column('Containers', 'Names of each container in the template.', 1),
    column('Images', 'Images referenced by each container in the template.', 1),
    column('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
  ],
  cells(job, now) {
    const succeeded = job.status?.succeeded ?? 0;
    const parallelism = job.spec?.parallelism ?? 0;
    const completions = job.spec?.completions !== undefined ? `${succeeded}/${job.spec.completions}` : parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
    const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
    const duration = Number.isNaN(start) ? '' : humanDuration(end - start);
    const containers = job.spec?.template?.spec?.containers ?? [];
    return [
      job.metadata.name, jobStatus(job), completions, duration, age(job, now),
      containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(','), formatLabelSelector(job.spec?.selector),
    ];
  },
};
