/** Deployment and ReplicaSet rules (upstream apps validation): replicas, selector, template, strategy. */
import { fieldError } from '../field-errors';
import type { FieldError, FieldPath } from '../types';
import { checkObjectMeta } from './metadata';
import { checkPodSpec } from './pod-spec';
import { checkLabelSelector, isEmptySelector, selectorMatches } from './selector';
import { checkEnum, ENUMS, isObj, objAt } from './util';

export function nonNegative(errs: FieldError[], value: unknown, path: FieldPath): void {
  if (typeof value === 'number' && value < 0) errs.push(fieldError.invalid(path, value, 'must be greater than or equal to 0', { rule: 'invalid-value' }));
}

/** The selector, the pod template and its labels, shared by Deployments and ReplicaSets. */
function checkSelectorAndTemplate(errs: FieldError[], spec: Record<string, unknown>, path: FieldPath, noun: string): void {
  const selector = spec.selector;
  if (selector === undefined || selector === null) {
    errs.push(fieldError.required([...path, 'selector'], undefined, { rule: 'required-field' }));
  } else if (isEmptySelector(selector)) {
    errs.push(fieldError.invalid([...path, 'selector'], selector, `empty selector is invalid for ${noun}`, { rule: 'selector-mismatch' }));
  } else {
    checkLabelSelector(errs, selector, [...path, 'selector']);
  }
  checkPodTemplate(errs, spec, selector, path, { template: true });
}

/**
 * `spec.template` of a workload (Deployment, ReplicaSet, Job): required, its metadata, labels the selector (when
 * there is one) matches, and its pod spec. Returns the template, when there is one.
 */
export function checkPodTemplate(errs: FieldError[], spec: Record<string, unknown>, selector: unknown, path: FieldPath, podSpec: Parameters<typeof checkPodSpec>[3]): Record<string, unknown> | undefined {
  const template = objAt(spec, 'template');
  if (!template) {
    errs.push(fieldError.required([...path, 'template'], undefined, { rule: 'required-field' }));
    return undefined;
  }
  const tpath = [...path, 'template'];
  checkObjectMeta(errs, template.metadata, [...tpath, 'metadata'], { nameRule: 'subdomain', namespaced: true, requireName: false });
  const labels = objAt(template.metadata, 'labels') ?? {};
  if (selector && !isEmptySelector(selector) && !selectorMatches(selector, labels)) {
    const labelsPath = [...tpath, 'metadata', 'labels'];
    errs.push(
      fieldError.invalid(isObj(objAt(template.metadata, 'labels')) ? labelsPath : [...tpath, 'metadata'], labels, '`selector` does not match template `labels`', {
        rule: 'selector-mismatch',
        field: 'spec.template.metadata.labels',
        target: 'key',
      }),
    );
  }
  checkPodSpec(errs, template.spec, [...tpath, 'spec'], podSpec);
  return template;
}

export function checkDeploymentSpec(errs: FieldError[], spec: unknown, path: FieldPath): void {
  if (!isObj(spec)) {
    errs.push(fieldError.required([...path, 'selector'], undefined, { rule: 'required-field' }));
    return;
  }
  nonNegative(errs, spec.replicas, [...path, 'replicas']);
  nonNegative(errs, spec.minReadySeconds, [...path, 'minReadySeconds']);
  nonNegative(errs, spec.revisionHistoryLimit, [...path, 'revisionHistoryLimit']);
  checkSelectorAndTemplate(errs, spec, path, 'deployment');
  const strategy = objAt(spec, 'strategy');
  if (strategy) {
    const spath = [...path, 'strategy'];
    checkEnum(errs, strategy.type, [...spath, 'type'], ENUMS.deploymentStrategy);
    const rolling = objAt(strategy, 'rollingUpdate');
    if (strategy.type === 'Recreate' && rolling) {
      errs.push(fieldError.forbidden([...spath, 'rollingUpdate'], "may not be specified when strategy `type` is 'Recreate'", { rule: 'invalid-value', target: 'key' }));
    }
    if (rolling) checkRollingUpdate(errs, rolling, [...spath, 'rollingUpdate']);
  }
}

function intOrPercent(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) return Number(value.slice(0, -1));
  return undefined;
}

function checkRollingUpdate(errs: FieldError[], rolling: Record<string, unknown>, path: FieldPath): void {
  for (const key of ['maxUnavailable', 'maxSurge']) {
    const v = rolling[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' && intOrPercent(v) === undefined) {
      errs.push(fieldError.invalid([...path, key], v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')", { rule: 'invalid-value' }));
    } else nonNegative(errs, intOrPercent(v), [...path, key]);
  }
  const unavailable = intOrPercent(rolling.maxUnavailable);
  const surge = intOrPercent(rolling.maxSurge);
  if (unavailable === 0 && surge === 0) {
    errs.push(fieldError.invalid([...path, 'maxUnavailable'], rolling.maxUnavailable, 'may not be 0 when `maxSurge` is 0', { rule: 'invalid-value' }));
  }
  if (typeof rolling.maxUnavailable === 'string' && unavailable !== undefined && unavailable > 100) {
    errs.push(fieldError.invalid([...path, 'maxUnavailable'], rolling.maxUnavailable, 'must not be greater than 100%', { rule: 'invalid-value' }));
  }
}

export function checkReplicaSetSpec(errs: FieldError[], spec: unknown, path: FieldPath): void {
  if (!isObj(spec)) {
    errs.push(fieldError.required([...path, 'selector'], undefined, { rule: 'required-field' }));
    return;
  }
  nonNegative(errs, spec.replicas, [...path, 'replicas']);
  nonNegative(errs, spec.minReadySeconds, [...path, 'minReadySeconds']);
  checkSelectorAndTemplate(errs, spec, path, 'replicaset');
}

/**
 * DaemonSet rules (upstream apps validation ValidateDaemonSetSpec): the selector (required, not empty, matching the
 * template's labels), the pod template (restartPolicy Always, no activeDeadlineSeconds), minReadySeconds,
 * revisionHistoryLimit, and the update strategy (RollingUpdate needs exactly one of maxUnavailable and maxSurge
 * non-zero). The immutable selector is the API server's (it knows the old object).
 */
export function checkDaemonSetSpec(errs: FieldError[], spec: unknown, path: FieldPath): void {
  if (!isObj(spec)) {
    errs.push(fieldError.required([...path, 'selector'], undefined, { rule: 'required-field' }));
    return;
  }
  checkSelectorAndTemplate(errs, spec, path, 'daemonset');
  const podSpec = objAt(objAt(spec, 'template'), 'spec');
  const deadline = podSpec?.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) {
    errs.push(fieldError.invalid([...path, 'template', 'spec', 'activeDeadlineSeconds'], deadline, 'activeDeadlineSeconds in DaemonSet is not Supported', { rule: 'invalid-value', target: 'key' }));
  }
  nonNegative(errs, spec.minReadySeconds, [...path, 'minReadySeconds']);
  const strategy = objAt(spec, 'updateStrategy');
  if (strategy) checkDaemonSetUpdateStrategy(errs, strategy, [...path, 'updateStrategy']);
  nonNegative(errs, spec.revisionHistoryLimit, [...path, 'revisionHistoryLimit']);
}

/** ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet (after defaulting, RollingUpdate has its block). */
function checkDaemonSetUpdateStrategy(errs: FieldError[], strategy: Record<string, unknown>, path: FieldPath): void {
  const type = strategy.type;
  if (type === 'OnDelete') return;
  // An unset type defaults to RollingUpdate, whose block is then checked as the API server would after defaulting.
  if (type !== undefined && type !== null && type !== 'RollingUpdate') {
    if (typeof type === 'string') errs.push(fieldError.notSupported([...path, 'type'], type, ['RollingUpdate', 'OnDelete'], { rule: 'unsupported-value' }));
    return;
  }
  const rolling = objAt(strategy, 'rollingUpdate');
  if (!rolling) return; // the API server defaults it (maxUnavailable 1, maxSurge 0)
  const rpath = [...path, 'rollingUpdate'];
  const nonZero = (key: string): boolean => {
    const v = rolling[key];
    if (v === undefined || v === null) return false;
    if (typeof v === 'string' && intOrPercent(v) === undefined) {
      errs.push(fieldError.invalid([...rpath, key], v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')", { rule: 'invalid-value' }));
      return true;
    }
    const n = intOrPercent(v);
    if (n === undefined || n === 0) return false;
    nonNegative(errs, n, [...rpath, key]);
    if (typeof v === 'string' && n > 100) errs.push(fieldError.invalid([...rpath, key], v, 'must not be greater than 100%', { rule: 'invalid-value' }));
    return true;
  };
  const unavailable = nonZero('maxUnavailable');
  const surge = nonZero('maxSurge');
  if (unavailable && surge) {
    errs.push(fieldError.invalid([...rpath, 'maxSurge'], rolling.maxSurge, 'may not be set when maxUnavailable is non-zero', { rule: 'invalid-value' }));
  } else if (!unavailable && !surge) {
    errs.push(fieldError.required([...rpath, 'maxUnavailable'], 'cannot be 0 when maxSurge is 0', { rule: 'required-field' }));
  }
}
