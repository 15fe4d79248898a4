/**
 * Job rules (upstream pkg/apis/batch/validation validateJobSpec): counts that must not be negative, the completion
 * mode and the Indexed limits (parallelism, backoffLimitPerIndex and maxFailedIndexes), the pod failure policy
 * (./pod-failure-policy), the pod replacement policy (only Failed with a pod failure policy), the selector against the
 * template's labels, and the pod template, whose restartPolicy must be OnFailure or Never (an unset one defaults to
 * Always, hence upstream's "Required value"), and Never with a pod failure policy.
 * The generated selector and the immutable fields are the API server's (it knows the Job's uid and the old object).
 */
import { fieldError } from '../field-errors';
import type { FieldError, FieldPath } from '../types';
import { isDNS1123Label } from '../names';
import { checkPodFailurePolicy } from './pod-failure-policy';
import { checkLabelSelector } from './selector';
import { checkEnum, isObj } from './util';
import { checkPodTemplate, nonNegative } from './workloads';

const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];
/** upstream's limits for Indexed Jobs (they cap the length of completedIndexes and failedIndexes). */
export const MAX_PARALLELISM_INDEXED = 100_000;
export const MAX_FAILED_INDEXES = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS = 10_000;
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS = 10_000;

export interface JobSpecOptions {
  /** A CronJob's jobTemplate.spec (ValidateJobTemplateSpec): the selector is generated for each Job, so none may be given. */
  inTemplate?: boolean;
}

export function checkJobSpec(errs: FieldError[], spec: unknown, path: FieldPath, o: JobSpecOptions = {}): void {
  if (!isObj(spec)) {
    errs.push(fieldError.required([...path, 'template'], undefined, { rule: 'required-field' }));
    return;
  }
  for (const key of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) nonNegative(errs, spec[key], [...path, key]);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const completions = num(spec.completions);
  const parallelism = num(spec.parallelism);
  const perIndex = num(spec.backoffLimitPerIndex);
  const maxFailed = num(spec.maxFailedIndexes);
  if (maxFailed !== undefined && perIndex === undefined) {
    errs.push(fieldError.required([...path, 'backoffLimitPerIndex'], 'when maxFailedIndexes is specified', { rule: 'required-field' }));
  }
  checkEnum(errs, spec.completionMode, [...path, 'completionMode'], ['NonIndexed', 'Indexed']);
  if (spec.completionMode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) {
      errs.push(fieldError.required([...path, 'completions'], 'when completion mode is Indexed', { rule: 'required-field' }));
    }
    const invalid = (key: string, value: number, detail: string) => errs.push(fieldError.invalid([...path, key], value, detail, { rule: 'invalid-value' }));
    if (parallelism !== undefined && parallelism > MAX_PARALLELISM_INDEXED) invalid('parallelism', parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`);
    if (completions !== undefined && maxFailed !== undefined && maxFailed > completions) invalid('maxFailedIndexes', maxFailed, 'must be less than or equal to completions');
    if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES) invalid('maxFailedIndexes', maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES}`);
    if (completions !== undefined && completions > COMPLETIONS_SOFT_LIMIT && perIndex !== undefined) {
      const high = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
      if (maxFailed === undefined) errs.push(fieldError.required([...path, 'maxFailedIndexes'], `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`, { rule: 'required-field' }));
      if (parallelism !== undefined && parallelism > PARALLELISM_LIMIT_HIGH_COMPLETIONS) invalid('parallelism', parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_HIGH_COMPLETIONS} ${high}`);
      if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES_HIGH_COMPLETIONS) invalid('maxFailedIndexes', maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES_HIGH_COMPLETIONS} ${high}`);
    }
  }
  if (spec.completionMode === undefined || spec.completionMode === null || spec.completionMode === 'NonIndexed') {
    if (perIndex !== undefined) errs.push(fieldError.invalid([...path, 'backoffLimitPerIndex'], perIndex, 'requires indexed completion mode', { rule: 'invalid-value' }));
    if (maxFailed !== undefined) errs.push(fieldError.invalid([...path, 'maxFailedIndexes'], maxFailed, 'requires indexed completion mode', { rule: 'invalid-value' }));
  }
  const withPolicy = isObj(spec.podFailurePolicy);
  checkPodFailurePolicy(errs, spec, [...path, 'podFailurePolicy']);
  // With a pod failure policy, pods are replaced only once they have failed.
  if (withPolicy && spec.podReplacementPolicy !== undefined && spec.podReplacementPolicy !== null && spec.podReplacementPolicy !== 'Failed') {
    errs.push(fieldError.notSupported([...path, 'podReplacementPolicy'], spec.podReplacementPolicy, ['Failed'], { rule: 'unsupported-value' }));
  } else if (!withPolicy) {
    checkEnum(errs, spec.podReplacementPolicy, [...path, 'podReplacementPolicy'], ['Failed', 'TerminatingOrFailed']);
  }
  // Without manualSelector the API server generates the selector (and the labels it selects).
  let selector = spec.selector;
  if (o.inTemplate) {
    if (selector !== undefined && selector !== null) errs.push(fieldError.invalid([...path, 'selector'], selector, '`selector` will be auto-generated', { rule: 'invalid-value' }));
    if (spec.manualSelector === true) errs.push(fieldError.notSupported([...path, 'manualSelector'], true, ['nil', 'false'], { rule: 'unsupported-value' }));
    selector = undefined;
  } else if (spec.manualSelector === true && (selector === undefined || selector === null)) {
    errs.push(fieldError.required([...path, 'selector'], undefined, { rule: 'required-field' }));
  } else if (selector !== undefined && selector !== null) {
    checkLabelSelector(errs, selector, [...path, 'selector']);
  }
  const template = checkPodTemplate(errs, spec, selector, path, { template: true, restartPolicy: false });
  if (!template) return;
  const tpath = [...path, 'template'];
  const restartPolicy = isObj(template.spec) ? template.spec.restartPolicy : undefined;
  const rpath = [...tpath, 'spec', 'restartPolicy'];
  if (restartPolicy === undefined || restartPolicy === null || restartPolicy === '' || restartPolicy === 'Always') {
    errs.push(fieldError.required(rpath, `valid values: ${JOB_RESTART_POLICIES.map((p) => JSON.stringify(p)).join(', ')}`, { rule: 'required-field', suggestions: JOB_RESTART_POLICIES }));
  } else if (typeof restartPolicy === 'string' && !JOB_RESTART_POLICIES.includes(restartPolicy)) {
    errs.push(fieldError.notSupported(rpath, restartPolicy, JOB_RESTART_POLICIES, { rule: 'unsupported-value' }));
  } else if (withPolicy && restartPolicy !== 'Never') {
    errs.push(fieldError.invalid(rpath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified', { rule: 'invalid-value', suggestions: ['Never'] }));
  }
}

/**
 * ValidateJob's check of an Indexed Job's name: its last pod's hostname, "<name>-<completions - 1>", must be a DNS
 * label (so the name is at most 63 characters less the index's digits and the dash).
 */
export function checkIndexedJobName(errs: FieldError[], metadata: unknown, spec: unknown): void {
  if (!isObj(metadata) || typeof metadata.name !== 'string' || !isObj(spec)) return;
  if (spec.completionMode !== 'Indexed' || typeof spec.completions !== 'number' || spec.completions <= 0) return;
  const hostname = `${metadata.name}-${spec.completions - 1}`;
  if (isDNS1123Label(hostname).length > 0) {
    errs.push(fieldError.invalid(['metadata', 'name'], metadata.name, `will not able to create pod with invalid DNS label: ${hostname}`, { rule: 'invalid-name' }));
  }
}
