/**
 * The API server's validation, behind one function. The rules for an object's content are the
 * manifest layer's (`validateObject` from src/manifest: one implementation for the editor and the
 * server); this module adds what only a server knows — the rules of an update (immutable fields, the
 * pod's narrow set of mutable spec fields) and the names of kinds the manifest layer does not cover
 * (nodes, leases, events). The result renders as upstream's 422 message:
 * `Pod "x" is invalid: spec.containers[0].image: Required value`.
 */
import type { ControllerRevision, CronJob, DaemonSet, Job, KubeObject, Pod, PriorityClass } from '../api/types';
import { labelSelectorAsSelector } from '../api/labels';
import { JOB_LABELS } from './defaults';
import { isDNS1123Subdomain } from '../api/labels';
import { CRONJOB_NAME_MAX, TZ_AND_TIMEZONE, TZ_IN_SCHEDULE, kindInfo, renderFieldError, validateObject, type FieldError as ManifestFieldError } from '../../manifest';
import { deepEqual, isPlainObject } from './objects';
import type { ResourceDef } from './resources';
import { validatePriorityClass } from './priority';
import { validateDataUpdate } from './secrets';
import type { FieldError } from './status';

const TYPES: Record<ManifestFieldError['type'], FieldError['type']> = {
  'Required value': 'Required',
  'Invalid value': 'Invalid',
  'Unsupported value': 'NotSupported',
  'Duplicate value': 'Duplicate',
  'Not found': 'NotFound',
  Forbidden: 'Forbidden',
  'Too long': 'TooLong',
  'Too many': 'TooMany',
};

function fromManifest(e: ManifestFieldError): FieldError {
  return { type: TYPES[e.type], field: e.field, value: e.badValue, detail: e.detail, message: renderFieldError(e) };
}

/** Names of the kinds the manifest rules do not know: DNS subdomains, as upstream's ValidateObjectMeta. */
function validateName(obj: KubeObject, errs: FieldError[]): void {
  const name = obj.metadata?.name;
  if (!name) {
    errs.push({ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' });
    return;
  }
  if (obj.kind === 'Event') return; // event names carry a dot and a hex suffix; upstream is lenient too
  const problems = isDNS1123Subdomain(name);
  if (problems.length > 0) errs.push({ type: 'Invalid', field: 'metadata.name', value: name, detail: problems.join(', ') });
}

/**
 * Upstream's ValidateOwnerReferences: every reference names its owner fully, and at most one is the
 * controller (two controllers adopting one object at once: the second patch is refused).
 */
function validateOwnerReferences(obj: KubeObject, errs: FieldError[]): void {
  const refs = obj.metadata.ownerReferences;
  if (!Array.isArray(refs)) return;
  const field = 'metadata.ownerReferences';
  let firstController: string | undefined;
  for (const ref of refs) {
    if (!isPlainObject(ref)) continue;
    // "group/version" or "version": the part after the slash must not be empty.
    const hasVersion = typeof ref.apiVersion === 'string' && ref.apiVersion.length > ref.apiVersion.indexOf('/') + 1;
    if (!hasVersion) errs.push({ type: 'Invalid', field: `${field}.apiVersion`, value: ref.apiVersion ?? '', detail: 'version must not be empty' });
    for (const key of ['kind', 'name', 'uid'] as const) {
      if (!ref[key]) errs.push({ type: 'Invalid', field: `${field}.${key}`, value: ref[key] ?? '', detail: 'must not be empty' });
    }
    if (ref.controller !== true) continue;
    const name = `${String(ref.kind)}/${String(ref.name)}`;
    if (firstController === undefined) firstController = name;
    else errs.push({ type: 'Invalid', field, value: refs, detail: `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}` });
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

/** ValidateHasLabel: the pod template carries `key` with `expected`. */
function hasLabel(job: Job, key: string, expected: string, errs: FieldError[]): void {
  const labels = job.spec.template?.metadata?.labels ?? {};
  const field = `spec.template.metadata.labels[${key}]`;
  if (!(key in labels)) errs.push({ type: 'Required', field, detail: expected });
  else if (labels[key] !== expected) errs.push({ type: 'Invalid', field, value: labels, detail: expected });
}

/**
 * The Job rules only the API server can check (validateGeneratedSelector, ValidateJobSpecUpdate): the generated
 * labels carry this Job's uid and name, its selector selects them, and on update the selector, the pod template,
 * the completion mode, the pod failure policy and backoffLimitPerIndex stay as they were, and so do completions,
 * except for an Indexed Job changing them in tandem with parallelism.
 */
function validateJob(job: Job, old: Job | undefined, errs: FieldError[]): void {
  if (!isPlainObject(job.spec)) return;
  if (!job.spec.manualSelector) {
    // The prefixed labels are required of new Jobs, and of old ones that had them.
    const oldLabels = old?.spec.template?.metadata?.labels;
    const prefixed = !old || (!!oldLabels && JOB_LABELS.jobName in oldLabels && JOB_LABELS.controllerUid in oldLabels);
    const uid = job.metadata.uid ?? '';
    const name = job.metadata.name ?? '';
    hasLabel(job, JOB_LABELS.legacyControllerUid, uid, errs);
    hasLabel(job, JOB_LABELS.legacyJobName, name, errs);
    const expected: Record<string, string> = { [JOB_LABELS.legacyControllerUid]: uid, [JOB_LABELS.legacyJobName]: name };
    if (prefixed) {
      hasLabel(job, JOB_LABELS.controllerUid, uid, errs);
      hasLabel(job, JOB_LABELS.jobName, name, errs);
      expected[JOB_LABELS.controllerUid] = uid;
      expected[JOB_LABELS.jobName] = name;
    }
    let selects = true;
    try {
      selects = !job.spec.selector || labelSelectorAsSelector(job.spec.selector).matches(expected);
    } catch {
      // An invalid selector: the manifest rules report it.
    }
    if (!selects) {
      errs.push({ type: 'Invalid', field: 'spec.selector', value: job.spec.selector, detail: '`selector` not auto-generated' });
    }
  }
  if (!old) return;
  const immutable = (field: string, a: unknown, b: unknown) => {
    if (!deepEqual(a, b)) errs.push({ type: 'Invalid', field, value: a ?? null, detail: 'field is immutable' });
  };
  // Elastic Indexed Jobs (GA in 1.31): completions may change, together with parallelism.
  if (job.spec.completionMode !== 'Indexed') immutable('spec.completions', job.spec.completions, old.spec.completions);
  else if (job.spec.completions !== old.spec.completions && typeof job.spec.completions === 'number' && job.spec.completions !== job.spec.parallelism) {
    errs.push({ type: 'Invalid', field: 'spec.completions', value: job.spec.completions, detail: 'can only be modified in tandem with spec.parallelism' });
  }
  immutable('spec.selector', job.spec.selector, old.spec.selector);
  immutable('spec.template', job.spec.template, old.spec.template);
  immutable('spec.completionMode', job.spec.completionMode, old.spec.completionMode);
  immutable('spec.podFailurePolicy', job.spec.podFailurePolicy, old.spec.podFailurePolicy);
  immutable('spec.backoffLimitPerIndex', job.spec.backoffLimitPerIndex, old.spec.backoffLimitPerIndex);
}

/** ValidateDaemonSetUpdate (apps/v1): the selector stays as it was. */
function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet, errs: FieldError[]): void {
  if (!isPlainObject(ds.spec) || !isPlainObject(old.spec)) return;
  if (!deepEqual(ds.spec.selector, old.spec.selector)) errs.push({ type: 'Invalid', field: 'spec.selector', value: ds.spec.selector ?? null, detail: 'field is immutable' });
}

/** ValidateControllerRevision(Update): a non-negative revision; the data never changes. */
function validateControllerRevision(cr: ControllerRevision, old: ControllerRevision | undefined, errs: FieldError[]): void {
  if (typeof cr.revision !== 'number' || cr.revision < 0) errs.push({ type: 'Invalid', field: 'revision', value: cr.revision ?? 0, detail: 'must be greater than or equal to 0' });
  if (old && !deepEqual(cr.data, old.data)) errs.push({ type: 'Invalid', field: 'data', value: cr.data ?? null, detail: 'field is immutable' });
}

/**
 * ValidateCronJobUpdate's differences from create (the manifest rules validate as on create): no 52-character name
 * limit; a schedule that already had TZ= may keep it (then only TZ with spec.timeZone is refused); an unchanged
 * timeZone is not checked again.
 */
function relaxCronJobUpdate(errs: ManifestFieldError[], cj: CronJob, old: CronJob): ManifestFieldError[] {
  const oldSchedule = typeof old.spec?.schedule === 'string' ? old.spec.schedule : '';
  const schedule = typeof cj.spec?.schedule === 'string' ? cj.spec.schedule : '';
  const allowTZ = oldSchedule.includes('TZ');
  const sameZone = cj.spec?.timeZone === old.spec?.timeZone;
  const out = errs.filter((e) => {
    if (e.field === 'metadata.name' && e.detail === `must be no more than ${CRONJOB_NAME_MAX} characters`) return false;
    if (allowTZ && e.field === 'spec.schedule' && e.detail === TZ_IN_SCHEDULE) return false;
    if (sameZone && e.field === 'spec.timeZone') return false;
    return true;
  });
  if (allowTZ && schedule.includes('TZ') && cj.spec?.timeZone !== undefined && cj.spec.timeZone !== null) {
    const i = out.findIndex((e) => e.field === 'spec.schedule');
    const err: ManifestFieldError = { ...(out[i] ?? { type: 'Invalid value', field: 'spec.schedule', rule: 'invalid-value', severity: 'error', path: ['spec', 'schedule'], target: 'value' }), type: 'Invalid value', badValue: schedule, detail: TZ_AND_TIMEZONE };
    out.splice(i < 0 ? 0 : i + 1, 0, err);
  }
  return out;
}

/**
 * Every error for writing `obj` (and, on update, replacing `old`). Empty when the object is valid.
 * A write to the status subresource only checks identity (its spec is the stored one).
 */
export function validate(d: ResourceDef, obj: KubeObject, old?: KubeObject, subresource?: string): FieldError[] {
  const errs: FieldError[] = [];
  if (old) {
    if (obj.metadata.name !== old.metadata.name) errs.push({ type: 'Invalid', field: 'metadata.name', value: obj.metadata.name, detail: 'field is immutable' });
    if (obj.metadata.uid !== old.metadata.uid) errs.push({ type: 'Invalid', field: 'metadata.uid', value: obj.metadata.uid, detail: 'field is immutable' });
  }
  if (subresource === 'status') return errs;
  validateOwnerReferences(obj, errs);
  // ValidateSecretUpdate / ValidateConfigMapUpdate check these before the object's own rules.
  if (old && (d.kind === 'Secret' || d.kind === 'ConfigMap')) validateDataUpdate(d, obj, old, errs);
  if (kindInfo(d.kind)) {
    let found = validateObject(obj);
    if (d.kind === 'CronJob' && old) found = relaxCronJobUpdate(found, obj as CronJob, old as CronJob);
    errs.push(...found.map(fromManifest));
  }
  else validateName(obj, errs);
  if (d.kind === 'PriorityClass') errs.push(...validatePriorityClass(obj as PriorityClass, old as PriorityClass | undefined));
  if (d.kind === 'Pod' && old && errs.length === 0) validatePodUpdate(obj as Pod, old as Pod, errs);
  if (d.kind === 'Job') validateJob(obj as Job, old as Job | undefined, errs);
  if (d.kind === 'DaemonSet' && old) validateDaemonSetUpdate(obj as DaemonSet, old as DaemonSet, errs);
  if (d.kind === 'ControllerRevision') validateControllerRevision(obj as ControllerRevision, old as ControllerRevision | undefined, errs);
  return errs;
}
