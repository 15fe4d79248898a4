/**
 * Job rules (upstream pkg/apis/batch/validation validateJobSpec): counts that must not be negative, the completion
 * mode, the pod replacement policy, the selector against the template's labels, and the pod template, whose
 * restartPolicy must be OnFailure or Never (an unset one defaults to Always, hence upstream's "Required value").
 * The generated selector and the immutable fields are the API server's (it knows the Job's uid and the old object).
 */
import { fieldError } from '../field-errors';
import type { FieldError, FieldPath } from '../types';
import { checkLabelSelector } from './selector';
import { checkEnum, isObj } from './util';
import { checkPodTemplate, nonNegative } from './workloads';

const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];

export interface JobSpecOptions {
  /** A CronJob's jobTemplate.spec (ValidateJobTemplateSpec): the selector is generated for each Job, so none may be given. */
  inTemplate?: boolean;
}

export function checkJobSpec(errs: FieldError[], spec: unknown, path: FieldPath, o: JobSpecOptions = {}): void {
  if (!isObj(spec)) {
    errs.push(fieldError.required([...path, 'template'], undefined, { rule: 'required-field' }));
    return;
  }
  for (const key of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) nonNegative(errs, spec[key], [...path, key]);
  checkEnum(errs, spec.completionMode, [...path, 'completionMode'], ['NonIndexed', 'Indexed']);
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push(fieldError.required([...path, 'completions'], 'when completion mode is Indexed', { rule: 'required-field' }));
  }
  checkEnum(errs, spec.podReplacementPolicy, [...path, 'podReplacementPolicy'], ['Failed', 'TerminatingOrFailed']);
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
  }
}
