/**
 * Pod priority in the API server, as upstream's: the PriorityClass rules (pkg/apis/scheduling/validation),
 * the Priority admission plugin (plugin/pkg/admission/priority) that resolves a pod's priorityClassName
 * into spec.priority and spec.preemptionPolicy when the pod is created, and the two system classes every
 * API server makes at start (the scheduling/bootstrap-system-priority-classes post-start hook).
 */
import type { Pod, PriorityClass } from '../api/types';
import type { FieldError } from './status';

/** Classes above this value are reserved for the system ones (HighestUserDefinablePriority). */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_PREFIX = 'system-';
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

/** The system classes, as upstream's SystemPriorityClasses(). */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' }, value: 2_000_001_000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-cluster-critical' }, value: 2_000_000_000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

/** SetDefaults_PriorityClass; `value` is a plain int32 in Go, so a body without it decodes as 0. */
export function defaultPriorityClass(pc: PriorityClass): void {
  pc.value ??= 0;
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

/** upstream's IsKnownSystemPriorityClass: why a `system-` name is not one of the system classes as they are. */
function notKnownSystemClass(pc: PriorityClass): string | undefined {
  const known = SYSTEM_PRIORITY_CLASSES.find((s) => s.metadata.name === pc.metadata.name);
  if (!known) return `${pc.metadata.name} is not a known system priority class`;
  if (known.value !== (pc.value ?? 0)) return `value of ${pc.metadata.name} PriorityClass must be ${known.value}`;
  if (!!pc.globalDefault !== !!known.globalDefault) return `globalDefault of ${pc.metadata.name} PriorityClass must be ${!!known.globalDefault}`;
  return undefined;
}

/** ValidatePriorityClass and, with `old`, ValidatePriorityClassUpdate (value and preemptionPolicy are immutable). */
export function validatePriorityClass(pc: PriorityClass, old?: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata.name ?? '';
  if (typeof pc.value !== 'number' || !Number.isInteger(pc.value) || pc.value < -2147483648 || pc.value > 2147483647) {
    errs.push({ type: 'Invalid', field: 'value', value: pc.value, detail: 'must be a 32-bit integer' });
  } else if (name.startsWith(SYSTEM_PREFIX)) {
    const why = notKnownSystemClass(pc);
    if (why) errs.push({ type: 'Forbidden', field: 'metadata.name', detail: `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${why}` });
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push({ type: 'Forbidden', field: 'value', detail: `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}` });
  }
  if (pc.preemptionPolicy !== undefined && !PREEMPTION_POLICIES.includes(pc.preemptionPolicy)) {
    errs.push({ type: 'NotSupported', field: 'preemptionPolicy', value: pc.preemptionPolicy, supported: PREEMPTION_POLICIES });
  }
  if (old) {
    if (pc.value !== old.value) errs.push({ type: 'Forbidden', field: 'value', detail: 'may not be changed in an update.' });
    if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push({ type: 'Invalid', field: 'preemptionPolicy', value: pc.preemptionPolicy, detail: 'field is immutable' });
  }
  return errs;
}

/**
 * The Priority admission plugin on a PriorityClass create or update: at most one class may be the
 * global default. Returns the Forbidden reason, if any.
 */
export function admitPriorityClass(pc: PriorityClass, classes: readonly PriorityClass[], creating: boolean): string | undefined {
  if (!pc.globalDefault) return undefined;
  const current = classes.find((c) => c.globalDefault);
  if (current && (creating || current.metadata.name !== pc.metadata.name)) {
    return `PriorityClass ${current.metadata.name} is already marked as default. Only one default can exist`;
  }
  return undefined;
}

/**
 * The Priority admission plugin on a pod create: resolve spec.priorityClassName (or the global default
 * class, else priority 0 and PreemptLowerPriority) into spec.priority and spec.preemptionPolicy, which
 * a client may not set to anything else. Mutates `pod`; returns the Forbidden reason, if any.
 */
export function admitPodPriority(pod: Pod, classes: readonly PriorityClass[]): string | undefined {
  const spec = pod.spec;
  let priority = 0;
  let policy: PriorityClass['preemptionPolicy'] = 'PreemptLowerPriority';
  if (!spec.priorityClassName) {
    const dflt = classes.find((c) => c.globalDefault);
    if (dflt) {
      spec.priorityClassName = dflt.metadata.name;
      priority = dflt.value;
      policy = dflt.preemptionPolicy;
    }
  } else {
    const pc = classes.find((c) => c.metadata.name === spec.priorityClassName);
    if (!pc) return `no PriorityClass with name ${spec.priorityClassName} was found`;
    priority = pc.value;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    return `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`;
  }
  spec.priority = priority;
  if (policy !== undefined) {
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && spec.preemptionPolicy !== policy) {
      return `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`;
    }
    spec.preemptionPolicy = policy;
  }
  return undefined;
}

/** On a pod update, the plugin keeps the priority it set at creation when the new body leaves it out. */
export function keepPodPriority(pod: Pod, old: Pod): void {
  if (pod.spec.priority === undefined && old.spec.priority !== undefined) pod.spec.priority = old.spec.priority;
  if (pod.spec.preemptionPolicy === undefined && old.spec.preemptionPolicy !== undefined) pod.spec.preemptionPolicy = old.spec.preemptionPolicy;
}
