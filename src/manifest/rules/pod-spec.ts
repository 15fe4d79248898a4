/** PodSpec rules (upstream ValidatePodSpec), shared by Pods and the templates of Deployments and ReplicaSets. */
import { fieldError } from '../field-errors';
import type { FieldError, FieldPath } from '../types';
import { checkContainers } from './containers';
import { checkLabels, checkName } from './metadata';
import { checkEnum, ENUMS, isEmpty, isObj, listAt } from './util';

const VOLUME_FIELDS_NOT_SOURCES = new Set(['name']);

function checkVolumes(errs: FieldError[], volumes: readonly unknown[], path: FieldPath): Set<string> {
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = [...path, i];
    if (!isObj(v)) return;
    if (isEmpty(v.name)) errs.push(fieldError.required([...p, 'name'], undefined, { rule: 'required-field' }));
    else if (typeof v.name === 'string') {
      checkName(errs, v.name, [...p, 'name'], 'label');
      if (names.has(v.name)) errs.push(fieldError.duplicate([...p, 'name'], v.name, { rule: 'duplicate-value' }));
      names.add(v.name);
    }
    const sources = Object.keys(v).filter((k) => !VOLUME_FIELDS_NOT_SOURCES.has(k) && v[k] !== null && v[k] !== undefined);
    if (sources.length === 0) errs.push(fieldError.required(p, 'must specify a volume type', { rule: 'required-field', target: 'value' }));
    else if (sources.length > 1) {
      errs.push(fieldError.forbidden([...p, sources[1]], 'may not specify more than 1 volume type', { rule: 'invalid-value', target: 'key' }));
    }
  });
  return names;
}

function checkTolerations(errs: FieldError[], tolerations: readonly unknown[], path: FieldPath): void {
  tolerations.forEach((t, i) => {
    const p = [...path, i];
    if (!isObj(t)) return;
    checkEnum(errs, t.operator, [...p, 'operator'], ENUMS.tolerationOperator);
    checkEnum(errs, t.effect, [...p, 'effect'], ENUMS.taintEffect);
    if (t.operator === 'Exists' && typeof t.value === 'string' && t.value !== '') {
      errs.push(fieldError.invalid([...p, 'operator'], t.operator, "value must be empty when `operator` is 'Exists'", { rule: 'invalid-value' }));
    }
    if (isEmpty(t.key) && t.operator !== 'Exists') {
      errs.push(fieldError.invalid([...p, 'operator'], t.operator ?? '', "operator must be Exists when `key` is empty, which means \"match all values and all keys\"", { rule: 'invalid-value' }));
    }
  });
}

export interface PodSpecOptions {
  /** Pod templates of Deployments and ReplicaSets only support restartPolicy Always. */
  template: boolean;
  /** Check restartPolicy here (default); a Job's rules check it themselves (OnFailure or Never). */
  restartPolicy?: boolean;
}

export function checkPodSpec(errs: FieldError[], spec: unknown, path: FieldPath, o: PodSpecOptions): void {
  if (!isObj(spec)) {
    errs.push(fieldError.required([...path, 'containers'], undefined, { rule: 'required-field', target: 'key' }));
    return;
  }
  const volumes = checkVolumes(errs, listAt(spec, 'volumes'), [...path, 'volumes']);
  const containers = listAt(spec, 'containers');
  const ctx = { volumes, names: new Set<string>(), ports: new Map<string, FieldPath>() };
  checkContainers(errs, listAt(spec, 'initContainers'), [...path, 'initContainers'], ctx, true);
  if (containers.length === 0) errs.push(fieldError.required([...path, 'containers'], undefined, { rule: 'required-field' }));
  checkContainers(errs, containers, [...path, 'containers'], ctx, false);
  if (o.restartPolicy !== false) checkEnum(errs, spec.restartPolicy, [...path, 'restartPolicy'], o.template ? ['Always'] : ENUMS.restartPolicy);
  checkEnum(errs, spec.dnsPolicy, [...path, 'dnsPolicy'], ENUMS.dnsPolicy);
  checkLabels(errs, spec.nodeSelector, [...path, 'nodeSelector']);
  checkTolerations(errs, listAt(spec, 'tolerations'), [...path, 'tolerations']);
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) {
    errs.push(fieldError.invalid([...path, 'terminationGracePeriodSeconds'], spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0', { rule: 'invalid-value' }));
  }
}
