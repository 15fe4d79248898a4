/**
 * The API server's validation rules that the schema does not carry, over plain objects. One implementation, used
 * by the editor (positioned by engine.ts) and by the simulated API server (validateObject).
 */
import { kindInfo } from './kinds';
import { checkConfigMap } from './rules/configmap';
import { checkCronJobName, checkCronJobSpec } from './rules/cronjob';
import { checkIndexedJobName, checkJobSpec } from './rules/job';
import { checkLabFacts } from './rules/lab';
import { checkObjectMeta, type NameRule } from './rules/metadata';
import { checkPodSpec } from './rules/pod-spec';
import { checkSecret } from './rules/secret';
import { checkServiceSpec } from './rules/service';
import { isObj } from './rules/util';
import { checkDaemonSetSpec, checkDeploymentSpec, checkReplicaSetSpec } from './rules/workloads';
import type { FieldError, LabFacts } from './types';

const NAME_RULES: Record<string, NameRule> = {
  Pod: 'subdomain',
  Deployment: 'subdomain',
  ReplicaSet: 'subdomain',
  ConfigMap: 'subdomain',
  Secret: 'subdomain',
  Job: 'subdomain',
  CronJob: 'subdomain',
  DaemonSet: 'subdomain',
  Service: 'dns1035',
  Namespace: 'label',
};

/**
 * Every finding for one object: the API server's errors, upstream's warnings, and (with facts) the lab's warnings.
 * Objects of kinds the lab does not know yield nothing.
 */
export function checkObject(obj: unknown, facts?: LabFacts): FieldError[] {
  if (!isObj(obj) || typeof obj.kind !== 'string') return [];
  const info = kindInfo(obj.kind);
  if (!info) return [];
  const errs: FieldError[] = [];
  checkObjectMeta(errs, obj.metadata, ['metadata'], { nameRule: NAME_RULES[info.kind], namespaced: info.namespaced, requireName: true });
  switch (info.kind) {
    case 'Pod':
      checkPodSpec(errs, obj.spec, ['spec'], { template: false });
      checkLabFacts(errs, obj.spec, ['spec'], facts);
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet': {
      if (info.kind === 'Deployment') checkDeploymentSpec(errs, obj.spec, ['spec']);
      else if (info.kind === 'DaemonSet') checkDaemonSetSpec(errs, obj.spec, ['spec']);
      else checkReplicaSetSpec(errs, obj.spec, ['spec']);
      const template = isObj(obj.spec) && isObj(obj.spec.template) ? obj.spec.template : undefined;
      checkLabFacts(errs, template?.spec, ['spec', 'template', 'spec'], facts);
      break;
    }
    case 'Service':
      checkServiceSpec(errs, obj.spec, ['spec']);
      break;
    case 'ConfigMap':
      checkConfigMap(errs, obj);
      break;
    case 'Secret':
      checkSecret(errs, obj);
      break;
    case 'Job': {
      checkJobSpec(errs, obj.spec, ['spec']);
      checkIndexedJobName(errs, obj.metadata, obj.spec);
      const template = isObj(obj.spec) && isObj(obj.spec.template) ? obj.spec.template : undefined;
      checkLabFacts(errs, template?.spec, ['spec', 'template', 'spec'], facts);
      break;
    }
    case 'CronJob': {
      checkCronJobSpec(errs, obj.spec, ['spec']);
      checkCronJobName(errs, obj.metadata);
      const jobTemplate = isObj(obj.spec) && isObj(obj.spec.jobTemplate) ? obj.spec.jobTemplate : undefined;
      const template = isObj(jobTemplate?.spec) && isObj(jobTemplate.spec.template) ? jobTemplate.spec.template : undefined;
      checkLabFacts(errs, template?.spec, ['spec', 'jobTemplate', 'spec', 'template', 'spec'], facts);
      break;
    }
  }
  return errs;
}

/**
 * The API server's validation of one object (create or update), as upstream's field.ErrorList: only errors, with
 * upstream's field paths; render each with renderFieldError for the 422 message. Warnings are left out.
 */
export function validateObject(obj: unknown): FieldError[] {
  return checkObject(obj).filter((e) => e.severity === 'error');
}
