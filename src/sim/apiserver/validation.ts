/**
 * The API server's validation, behind one function. It checks what every object needs (names, the
 * fields each kind requires) and the update rules (immutable fields); the result renders as
 * upstream's 422 message: `Pod "x" is invalid: spec.containers[0].image: Required value`.
 */
import type { Container, KubeObject, Pod } from '../api/types';
import { isDNS1123Subdomain } from '../api/labels';
import { deepEqual, isPlainObject } from './objects';
import type { ResourceDef } from './resources';
import type { FieldError } from './status';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

function validateName(d: ResourceDef, obj: KubeObject, errs: FieldError[]): void {
  const name = obj.metadata?.name;
  if (!name) {
    errs.push({ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' });
    return;
  }
  if (d.kind === 'Namespace') {
    if (name.length > 63) errs.push({ type: 'TooLong', field: 'metadata.name', value: name, detail: 'must be no more than 63 characters' });
    else if (!DNS1123_LABEL.test(name)) errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: DNS1123_LABEL_MSG });
    return;
  }
  if (d.kind === 'Service') {
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
      errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" });
    }
    return;
  }
  if (d.kind === 'Event') return; // event names carry a dot and a hex suffix; upstream is lenient too
  const problems = isDNS1123Subdomain(name);
  if (problems.length > 0) errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: problems.join(', ') });
}

function validateContainers(containers: unknown, field: string, errs: FieldError[], required: boolean): void {
  if (!Array.isArray(containers) || containers.length === 0) {
    if (required) errs.push({ type: 'Required', field });
    return;
  }
  const seen = new Set<string>();
  (containers as Container[]).forEach((c, i) => {
    const at = `${field}[${i}]`;
    if (!isPlainObject(c)) {
      errs.push({ type: 'Invalid', field: at, value: c, detail: 'must be an object' });
      return;
    }
    if (!c.name) errs.push({ type: 'Required', field: `${at}.name` });
    else if (seen.has(c.name)) errs.push({ type: 'Duplicate', field: `${at}.name`, value: c.name });
    else seen.add(c.name);
    if (!c.image || String(c.image).trim() === '') errs.push({ type: 'Required', field: `${at}.image` });
    if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) {
      errs.push({ type: 'NotSupported', field: `${at}.imagePullPolicy`, value: c.imagePullPolicy, supported: PULL_POLICIES });
    }
  });
}

function validatePodSpec(spec: unknown, field: string, errs: FieldError[]): void {
  if (!isPlainObject(spec)) {
    errs.push({ type: 'Required', field: `${field}.containers` });
    return;
  }
  validateContainers(spec.containers, `${field}.containers`, errs, true);
  validateContainers(spec.initContainers, `${field}.initContainers`, errs, false);
  const policy = spec.restartPolicy;
  if (policy !== undefined && !RESTART_POLICIES.includes(String(policy))) {
    errs.push({ type: 'NotSupported', field: `${field}.restartPolicy`, value: policy, supported: RESTART_POLICIES });
  }
}

function validateWorkload(obj: KubeObject, errs: FieldError[]): void {
  const spec = obj.spec;
  if (!isPlainObject(spec)) {
    errs.push({ type: 'Required', field: 'spec.selector' });
    return;
  }
  const selector = spec.selector as { matchLabels?: Record<string, string> } | undefined;
  if (!isPlainObject(selector) || (!selector.matchLabels && !(selector as Record<string, unknown>).matchExpressions)) {
    errs.push({ type: 'Required', field: 'spec.selector' });
  }
  const template = spec.template as { metadata?: { labels?: Record<string, string> }; spec?: unknown } | undefined;
  if (!isPlainObject(template)) {
    errs.push({ type: 'Required', field: 'spec.template' });
    return;
  }
  const labels = template.metadata?.labels ?? {};
  if (isPlainObject(selector) && selector.matchLabels) {
    const mismatch = Object.entries(selector.matchLabels).some(([k, v]) => labels[k] !== v);
    if (mismatch) errs.push({ type: 'Invalid', field: 'spec.template.metadata.labels', value: labels, detail: '`selector` does not match template `labels`' });
  }
  validatePodSpec(template.spec, 'spec.template.spec', errs);
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    errs.push({ type: 'Invalid', field: 'spec.replicas', value: spec.replicas, detail: 'must be greater than or equal to 0' });
  }
}

/** Upstream's pod update rule: only images, activeDeadlineSeconds, tolerations (additions) and grace may change. */
function validatePodUpdate(pod: Pod, old: Pod, errs: FieldError[]): void {
  const strip = (p: Pod) => ({
    ...p.spec,
    containers: p.spec.containers?.map((c) => ({ ...c, image: undefined })),
    initContainers: p.spec.initContainers?.map((c) => ({ ...c, image: undefined })),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: undefined,
  });
  if (!deepEqual(strip(pod), strip(old))) {
    errs.push({
      type: 'Forbidden', field: 'spec',
      detail: 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    });
  }
}

/**
 * Every error for writing `obj` (and, on update, replacing `old`). Empty when the object is valid.
 * `subresource` "status" skips the spec rules (only status changes there).
 */
export function validate(d: ResourceDef, obj: KubeObject, old?: KubeObject, subresource?: string): FieldError[] {
  const errs: FieldError[] = [];
  validateName(d, obj, errs);
  if (old) {
    if (obj.metadata.name !== old.metadata.name) errs.push({ type: 'Invalid', field: 'metadata.name', value: obj.metadata.name, detail: 'field is immutable' });
    if (obj.metadata.uid !== old.metadata.uid) errs.push({ type: 'Invalid', field: 'metadata.uid', value: obj.metadata.uid, detail: 'field is immutable' });
  }
  if (subresource === 'status') return errs;
  switch (d.kind) {
    case 'Pod':
      validatePodSpec(obj.spec, 'spec', errs);
      if (old && errs.length === 0) validatePodUpdate(obj as Pod, old as Pod, errs);
      break;
    case 'Deployment':
    case 'ReplicaSet':
      validateWorkload(obj, errs);
      break;
    case 'Binding':
      break;
  }
  return errs;
}
