/**
 * A Job's podFailurePolicy (upstream pkg/apis/batch/validation validatePodFailurePolicy): at most 20 rules; each rule
 * an action (Count, FailIndex — only with backoffLimitPerIndex —, FailJob, Ignore) and exactly one of onExitCodes
 * and onPodConditions. onExitCodes: operator In or NotIn, a containerName naming one of the template's containers or
 * init containers, 1 to 255 values, unique, in increasing order, never 0 with In. onPodConditions: at most 20
 * patterns, each a qualified-name type and a status True, False or Unknown (an unset status defaults to True).
 */
import { fieldError } from '../field-errors';
import { isQualifiedName } from '../names';
import type { FieldError, FieldPath } from '../types';
import { isObj } from './util';

export const MAX_POD_FAILURE_POLICY_RULES = 20;
export const MAX_ON_EXIT_CODES_VALUES = 255;
export const MAX_ON_POD_CONDITIONS_PATTERNS = 20;
const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const OPERATORS = ['In', 'NotIn'];
const STATUSES = ['False', 'True', 'Unknown'];
const rule = { rule: 'invalid-value' } as const;

/** Go's %q of a []string: ["a" "b"]. */
const goQuotedList = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;

/** Go's %#v of a []int32 (how upstream prints the values list). */
const goInt32Slice = (values: readonly unknown[]) => `[]int32{${values.map(String).join(', ')}}`;

/** The template's container and init container names. */
function containerNames(template: unknown): Set<string> {
  const names = new Set<string>();
  const spec = isObj(template) && isObj(template.spec) ? template.spec : undefined;
  for (const key of ['containers', 'initContainers']) {
    const list = spec?.[key];
    if (Array.isArray(list)) for (const c of list) if (isObj(c) && typeof c.name === 'string') names.add(c.name);
  }
  return names;
}

export function checkPodFailurePolicy(errs: FieldError[], spec: Record<string, unknown>, path: FieldPath): void {
  const policy = spec.podFailurePolicy;
  if (!isObj(policy)) return;
  const rulesPath = [...path, 'rules'];
  const rules = Array.isArray(policy.rules) ? policy.rules : [];
  if (rules.length > MAX_POD_FAILURE_POLICY_RULES) errs.push(fieldError.tooMany(rulesPath, rules.length, MAX_POD_FAILURE_POLICY_RULES, rule));
  const names = containerNames(spec.template);
  const perIndex = typeof spec.backoffLimitPerIndex === 'number';
  rules.forEach((r, i) => checkRule(errs, r, [...rulesPath, i], names, perIndex));
}

function checkRule(errs: FieldError[], r: unknown, path: FieldPath, names: Set<string>, perIndex: boolean): void {
  if (!isObj(r)) return;
  const actionPath = [...path, 'action'];
  const action = r.action;
  if (action === undefined || action === null || action === '') {
    errs.push(fieldError.required(actionPath, `valid values: ${goQuotedList(ACTIONS)}`, { rule: 'required-field', suggestions: ACTIONS }));
  } else if (action === 'FailIndex') {
    if (!perIndex) errs.push(fieldError.invalid(actionPath, action, 'requires the backoffLimitPerIndex to be set', rule));
  } else if (typeof action !== 'string' || !ACTIONS.includes(action)) {
    errs.push(fieldError.notSupported(actionPath, action, ACTIONS, { rule: 'unsupported-value' }));
  }
  const onExitCodes = isObj(r.onExitCodes) ? r.onExitCodes : undefined;
  const onPodConditions = Array.isArray(r.onPodConditions) ? r.onPodConditions : [];
  if (onExitCodes) checkOnExitCodes(errs, onExitCodes, [...path, 'onExitCodes'], names);
  if (onPodConditions.length > 0) checkOnPodConditions(errs, onPodConditions, [...path, 'onPodConditions']);
  if (onExitCodes && onPodConditions.length > 0) errs.push(fieldError.invalidOmitValue(path, 'specifying both OnExitCodes and OnPodConditions is not supported', rule));
  if (!onExitCodes && onPodConditions.length === 0) errs.push(fieldError.invalidOmitValue(path, 'specifying one of OnExitCodes and OnPodConditions is required', rule));
}

function checkOnExitCodes(errs: FieldError[], req: Record<string, unknown>, path: FieldPath, names: Set<string>): void {
  const operatorPath = [...path, 'operator'];
  const operator = req.operator;
  if (operator === undefined || operator === null || operator === '') {
    errs.push(fieldError.required(operatorPath, `valid values: ${goQuotedList(OPERATORS)}`, { rule: 'required-field', suggestions: OPERATORS }));
  } else if (typeof operator !== 'string' || !OPERATORS.includes(operator)) {
    errs.push(fieldError.notSupported(operatorPath, operator, OPERATORS, { rule: 'unsupported-value' }));
  }
  if (typeof req.containerName === 'string' && !names.has(req.containerName)) {
    errs.push(fieldError.invalid([...path, 'containerName'], req.containerName, 'must be one of the container or initContainer names in the pod template', rule));
  }
  const valuesPath = [...path, 'values'];
  const values = Array.isArray(req.values) ? req.values : [];
  if (values.length === 0) {
    const e = fieldError.invalid(valuesPath, values, 'at least one value is required', rule);
    errs.push({ ...e, message: `${e.field}: Invalid value: ${goInt32Slice(values)}: at least one value is required` });
  } else if (values.length > MAX_ON_EXIT_CODES_VALUES) {
    errs.push(fieldError.tooMany(valuesPath, values.length, MAX_ON_EXIT_CODES_VALUES, rule));
  }
  const seen = new Set<unknown>();
  let ordered = true;
  values.forEach((v, j) => {
    if (operator === 'In' && v === 0) errs.push(fieldError.invalid([...valuesPath, j], v, 'must not be 0 for the In operator', rule));
    if (seen.has(v)) errs.push(fieldError.duplicate([...valuesPath, j], v, { rule: 'duplicate-value' }));
    else seen.add(v);
    if (j > 0 && typeof v === 'number' && typeof values[j - 1] === 'number' && (values[j - 1] as number) > v) ordered = false;
  });
  if (!ordered) {
    const e = fieldError.invalid(valuesPath, values, 'must be ordered', rule);
    errs.push({ ...e, message: `${e.field}: Invalid value: ${goInt32Slice(values)}: must be ordered` });
  }
}

function checkOnPodConditions(errs: FieldError[], patterns: unknown[], path: FieldPath): void {
  if (patterns.length > MAX_ON_POD_CONDITIONS_PATTERNS) errs.push(fieldError.tooMany(path, patterns.length, MAX_ON_POD_CONDITIONS_PATTERNS, rule));
  patterns.forEach((p, j) => {
    if (!isObj(p)) return;
    const type = typeof p.type === 'string' ? p.type : '';
    const problems = isQualifiedName(type);
    if (problems.length > 0) errs.push(fieldError.invalid([...path, j, 'type'], type, problems.join(', '), { rule: 'invalid-name' }));
    const statusPath = [...path, j, 'status'];
    const status = p.status;
    // An unset (or empty) status is defaulted to True before validation, so only a wrong one is reported.
    if (status === undefined || status === null || status === '') return;
    if (typeof status !== 'string' || !STATUSES.includes(status)) errs.push(fieldError.notSupported(statusPath, status, STATUSES, { rule: 'unsupported-value' }));
  });
}
