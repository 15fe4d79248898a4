/**
 * CronJob rules (upstream pkg/apis/batch/validation validateCronJobSpec, as on create): the schedule is required and
 * parses as robfig/cron's ParseStandard reads it (its message in the error), TZ=/CRON_TZ= in the schedule are refused
 * in favour of spec.timeZone, the time zone is an explicit IANA name, counts are not negative, the concurrency policy
 * is one of three, and the job template is a Job's spec without a selector. The API server relaxes the TZ and timeZone
 * rules on update as upstream does (an old schedule that had TZ keeps it; an unchanged timeZone is not re-checked).
 */
import { cronScheduleError, loadZone } from '../cron';
import { fieldError } from '../field-errors';
import type { FieldError, FieldPath } from '../types';
import { checkJobSpec } from './job';
import { checkEnum, isObj } from './util';
import { nonNegative } from './workloads';

export const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
/** The cronjob controller appends "-<minutes since epoch>" (11 characters) to make each Job's name (63 at most). */
export const CRONJOB_NAME_MAX = 52;
export const TZ_IN_SCHEDULE = 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
export const TZ_AND_TIMEZONE = 'cannot use both timeZone field and TZ or CRON_TZ in schedule';

/** upstream's validTimeZoneCharacters, for each part between slashes. */
const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

export function checkTimeZone(errs: FieldError[], tz: unknown, path: FieldPath): void {
  if (typeof tz !== 'string') return;
  if (tz === '') {
    errs.push(fieldError.invalid(path, tz, 'timeZone must be nil or non-empty string', { rule: 'invalid-value' }));
    return;
  }
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_PART.test(part)) {
      errs.push(fieldError.invalid(path, tz, `unknown time zone ${tz}`, { rule: 'invalid-value' }));
      return;
    }
  }
  if (tz.toLowerCase() === 'local') errs.push(fieldError.invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones', { rule: 'invalid-value' }));
  if (tz !== 'Local' && !loadZone(tz)) errs.push(fieldError.invalid(path, tz, `unknown time zone ${tz}`, { rule: 'invalid-value' }));
}

export function checkCronJobSpec(errs: FieldError[], spec: unknown, path: FieldPath): void {
  const s = isObj(spec) ? spec : {};
  const schedule = s.schedule;
  const spath = [...path, 'schedule'];
  if (schedule === undefined || schedule === null || schedule === '') {
    errs.push(fieldError.required(spath, undefined, { rule: 'required-field' }));
  } else if (typeof schedule === 'string') {
    const problem = cronScheduleError(schedule);
    if (problem) errs.push(fieldError.invalid(spath, schedule, problem, { rule: 'invalid-value' }));
    if (schedule.includes('TZ')) errs.push(fieldError.invalid(spath, schedule, TZ_IN_SCHEDULE, { rule: 'invalid-value' }));
  }
  nonNegative(errs, s.startingDeadlineSeconds, [...path, 'startingDeadlineSeconds']);
  checkTimeZone(errs, s.timeZone, [...path, 'timeZone']);
  if (s.concurrencyPolicy === '') errs.push(fieldError.required([...path, 'concurrencyPolicy'], undefined, { rule: 'required-field' }));
  else checkEnum(errs, s.concurrencyPolicy, [...path, 'concurrencyPolicy'], CONCURRENCY_POLICIES);
  const template = isObj(s.jobTemplate) ? s.jobTemplate : {};
  checkJobSpec(errs, template.spec, [...path, 'jobTemplate', 'spec'], { inTemplate: true });
  nonNegative(errs, s.successfulJobsHistoryLimit, [...path, 'successfulJobsHistoryLimit']);
  nonNegative(errs, s.failedJobsHistoryLimit, [...path, 'failedJobsHistoryLimit']);
}

/** ValidateCronJobCreate's name limit (not applied on update, so older long names can still be changed). */
export function checkCronJobName(errs: FieldError[], metadata: unknown): void {
  const name = isObj(metadata) ? metadata.name : undefined;
  if (typeof name === 'string' && name.length > CRONJOB_NAME_MAX) {
    errs.push(fieldError.invalid(['metadata', 'name'], name, `must be no more than ${CRONJOB_NAME_MAX} characters`, { rule: 'invalid-name' }));
  }
}
