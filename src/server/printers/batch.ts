/**
 * `kubectl get jobs` (NAME STATUS COMPLETIONS DURATION AGE; wide adds CONTAINERS IMAGES SELECTOR), as upstream's
 * printJob in 1.32: the status from the conditions (Complete, Failed, Terminating, Suspended, FailureTarget,
 * else Running), completions as "succeeded/completions" ("n/1 of p" with no completions and parallelism > 1),
 * the duration from startTime to completionTime (or to now).
 */
import type { CronJob, Job } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, humanDuration, since, templateWideCells, templateWideColumns, type Printer } from './table';

/** The Selector column of Jobs and CronJobs (both print the Job's selector). */
const JOB_SELECTOR = 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

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
    ...templateWideColumns(JOB_SELECTOR),
  ],
  cells(job, now) {
    const succeeded = job.status?.succeeded ?? 0;
    const parallelism = job.spec?.parallelism ?? 0;
    const completions = job.spec?.completions !== undefined ? `${succeeded}/${job.spec.completions}` : parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
    const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
    const duration = Number.isNaN(start) ? '' : humanDuration(end - start);
    return [job.metadata.name, jobStatus(job), completions, duration, age(job, now), ...templateWideCells(job.spec?.template, job.spec?.selector)];
  },
};

/**
 * `kubectl get cronjobs` (NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE; wide adds CONTAINERS IMAGES
 * SELECTOR), as upstream's printCronJob in 1.32: the time zone or <none>, suspend as True/False (<unset>), the number
 * of active Jobs, the time since the last schedule or <none>; the selector is the job template's (normally none).
 */
export const cronJobPrinter: Printer<CronJob> = {
  columns: [
    NAME_COLUMN,
    column('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones'),
    column('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.', 0, 'boolean'),
    column('Active', 'A list of pointers to currently running jobs.', 0, 'integer'),
    column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    AGE_COLUMN,
    ...templateWideColumns(JOB_SELECTOR),
  ],
  cells(cj, now) {
    const suspend = cj.spec?.suspend;
    const job = cj.spec?.jobTemplate?.spec;
    return [
      cj.metadata.name, cj.spec?.schedule ?? '', cj.spec?.timeZone ?? '<none>', suspend === undefined ? '<unset>' : suspend ? 'True' : 'False',
      cj.status?.active?.length ?? 0, cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>', age(cj, now),
      ...templateWideCells(job?.template, job?.selector),
    ];
  },
};
