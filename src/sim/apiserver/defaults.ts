/**
 * Defaulting, as the API server's registered defaulters and admission plugins apply it on create
 * (and, for pod templates, on every write): it mutates a fresh, unshared copy of the object.
 */
import type { Container, CronJob, DaemonSet, Deployment, Job, KubeObject, Namespace, Pod, PodSpec, ReplicaSet, Service, ServicePort, Toleration } from '../api/types';
import type { ResourceDef } from './resources';
import { isPlainObject } from './objects';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

/** The image tag (":latest" when none; a digest counts as pinned). */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : 'latest';
}

function defaultContainer(c: Container): void {
  if (c.image && !c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  // Requests default to limits when only limits are given.
  if (c.resources.limits) {
    for (const [name, q] of Object.entries(c.resources.limits)) {
      c.resources.requests ??= {};
      if (c.resources.requests[name] === undefined) c.resources.requests[name] = q;
    }
  }
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
}

/** Pod spec defaults (SetDefaults_PodSpec and friends), also applied to templates. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
}

/** The QoS class of a pod (Guaranteed / Burstable / BestEffort), from requests and limits as given. */
export function qosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || String(req[r] ?? lim[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function hasToleration(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (t.effect === 'NoExecute' || t.effect === undefined));
}

function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  defaultPodSpec(spec);
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  // DefaultTolerationSeconds admission plugin.
  const tolerations = spec.tolerations ? [...spec.tolerations] : [];
  if (!hasToleration(tolerations, NOT_READY)) tolerations.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  if (!hasToleration(tolerations, UNREACHABLE)) tolerations.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  spec.tolerations = tolerations;
  pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
}

function defaultWorkload(obj: Deployment | ReplicaSet): void {
  obj.spec ??= {} as Deployment['spec'];
  obj.spec.replicas ??= 1;
  if (obj.spec.template?.spec) defaultPodSpec(obj.spec.template.spec);
  if (obj.kind === 'Deployment') {
    const spec = (obj as Deployment).spec;
    spec.strategy ??= { type: 'RollingUpdate' };
    spec.strategy.type ??= 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
  }
}

/** SetDefaults_DaemonSet (apps/v1), on every write, with the template's pod spec defaults. */
export function defaultDaemonSet(ds: DaemonSet): void {
  ds.spec ??= {} as DaemonSet['spec'];
  const spec = ds.spec;
  spec.updateStrategy = isPlainObject(spec.updateStrategy) ? spec.updateStrategy : {};
  const strategy = spec.updateStrategy;
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate = isPlainObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
    strategy.rollingUpdate.maxUnavailable ??= 1;
    strategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  if (isPlainObject(spec.template?.spec)) defaultPodSpec(spec.template.spec);
}

/**
 * The annotation apps/v1 shows the daemonset strategy's TemplateGeneration in: 1 on create, bumped when an update
 * changes the pod template, never taken from the client (upstream's conversion moves it in and out of the spec).
 */
export const DAEMONSET_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

export function setDaemonSetTemplateGeneration(ds: DaemonSet, old?: DaemonSet, templateChanged = false): void {
  const previous = Number(old?.metadata.annotations?.[DAEMONSET_TEMPLATE_GENERATION] ?? '0') || 0;
  const generation = old ? previous + (templateChanged ? 1 : 0) : 1;
  ds.metadata.annotations = { ...ds.metadata.annotations, [DAEMONSET_TEMPLATE_GENERATION]: String(generation) };
}

/** batch/v1 labels the API server puts on a Job's pod template (and selects) unless manualSelector is true. */
export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
} as const;

/** SetDefaults_Job (on every write, as upstream defaults every body it decodes), with the template's pod spec defaults. */
export function defaultJobSpec(job: Job): void {
  job.spec ??= {} as Job['spec'];
  const spec = job.spec;
  // Both unset: a non-parallel Job (1 and 1). Parallelism alone: completions stay unset (any success ends it).
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  // With backoffLimitPerIndex, the indexes count their own failures: the global limit defaults to MaxInt32.
  spec.backoffLimit ??= typeof spec.backoffLimitPerIndex === 'number' ? 2147483647 : 6;
  const templateLabels = isPlainObject(spec.template) ? spec.template.metadata?.labels : undefined;
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...templateLabels };
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  // A pod failure policy only judges pods that have failed, so they are replaced only then.
  spec.podReplacementPolicy ??= isPlainObject(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  defaultPodFailurePolicy(spec);
  spec.manualSelector ??= false;
  if (isPlainObject(spec.template?.spec)) defaultPodSpec(spec.template.spec);
}

/**
 * SetDefaults_PodFailurePolicyOnPodConditionsPattern: a pattern without a status matches True. The policy is copied
 * when a default is written (an update's candidate may share frozen objects with the stored one).
 */
function defaultPodFailurePolicy(spec: Job['spec']): void {
  const policy: unknown = spec.podFailurePolicy;
  if (!isPlainObject(policy) || !Array.isArray(policy.rules)) return;
  const unset = (p: unknown) => isPlainObject(p) && (p.status === undefined || p.status === '');
  const needs = (r: unknown) => isPlainObject(r) && Array.isArray(r.onPodConditions) && r.onPodConditions.some(unset);
  if (!policy.rules.some(needs)) return;
  const rules = policy.rules.map((r: unknown) => (needs(r) ? { ...(r as object), onPodConditions: ((r as { onPodConditions: unknown[] }).onPodConditions).map((p) => (unset(p) ? { ...(p as object), status: 'True' } : p)) } : r));
  spec.podFailurePolicy = { ...policy, rules } as Job['spec']['podFailurePolicy'];
}

/**
 * SetObjectDefaults_CronJob (on every write): SetDefaults_CronJob (concurrencyPolicy Allow, suspend false, history
 * limits 3 and 1) and the job template's pod spec defaults. The template's JobSpec gets no Job defaults (SetDefaults_Job
 * takes a Job), so a CronJob shows no backoffLimit; the Jobs it creates get theirs when they are created.
 */
export function defaultCronJobSpec(cj: CronJob): void {
  const spec = cj.spec;
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const template = spec.jobTemplate?.spec?.template;
  if (isPlainObject(template) && isPlainObject(template.spec)) defaultPodSpec(template.spec);
}

/**
 * The job strategy's PrepareForCreate (generateSelector): unless manualSelector, the template gets the job-name and
 * controller-uid labels (prefixed and legacy; a label the user set is kept, validation then refuses a wrong one)
 * and the selector matches batch.kubernetes.io/controller-uid.
 */
function generateJobSelector(job: Job): void {
  const spec = job.spec;
  if (spec.manualSelector || !isPlainObject(spec.template)) return;
  const template = spec.template as Job['spec']['template'];
  const meta = (template.metadata = isPlainObject(template.metadata) ? template.metadata : {});
  const labels: Record<string, string> = (meta.labels = { ...(isPlainObject(meta.labels) ? (meta.labels as Record<string, string>) : {}) });
  labels[JOB_LABELS.legacyJobName] ??= job.metadata.name!;
  labels[JOB_LABELS.jobName] ??= job.metadata.name!;
  labels[JOB_LABELS.legacyControllerUid] ??= job.metadata.uid!;
  labels[JOB_LABELS.controllerUid] ??= job.metadata.uid!;
  spec.selector = isPlainObject(spec.selector) ? { ...spec.selector } : {};
  spec.selector.matchLabels = { ...spec.selector.matchLabels };
  spec.selector.matchLabels[JOB_LABELS.controllerUid] ??= job.metadata.uid!;
}

/**
 * SetDefaults_Service: what decoding a Service fills in, on create and on update alike (upstream defaults
 * every request body it decodes). Ports are copied before a default is written into them: an update's
 * candidate may share frozen ports with the stored object.
 */
export function defaultServiceSpec(spec: Service['spec']): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (!Array.isArray(spec.ports)) return;
  const missing = (p: ServicePort) => isPlainObject(p as unknown) && (p.protocol === undefined || p.targetPort === undefined);
  if (!spec.ports.some(missing)) return;
  spec.ports = spec.ports.map((p) => (missing(p) ? { ...p, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port } : p));
}

function defaultService(svc: Service, env: AdmissionEnv): void {
  svc.spec ??= {};
  const spec = svc.spec;
  defaultServiceSpec(spec);
  if (spec.type !== 'ExternalName') {
    if (!spec.clusterIP) spec.clusterIP = env.allocateServiceIP();
    spec.clusterIPs ??= spec.clusterIP === 'None' ? ['None'] : [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  // NodePort and LoadBalancer Services get a node port per port (from 30000-32767) unless given one;
  // a LoadBalancer may opt out with allocateLoadBalancerNodePorts: false.
  const allocate = spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts);
  for (const p of spec.ports ?? []) {
    if (allocate && p.nodePort === undefined) p.nodePort = env.allocateNodePort(spec.ports!.map((q) => q.nodePort));
  }
}

function defaultNamespace(ns: Namespace): void {
  ns.spec = { finalizers: ns.spec?.finalizers ?? ['kubernetes'] };
  ns.status = { phase: 'Active' };
  ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name! };
}

export interface AdmissionEnv {
  /** A free ClusterIP from the service range. */
  allocateServiceIP(): string;
  /** A free node port from the node port range (30000-32767), not one of `taken` (the Service's other ports). */
  allocateNodePort(taken: readonly (number | undefined)[]): number;
}

/** Apply create-time defaults to a fresh object of resource `d`. */
export function applyCreateDefaults(d: ResourceDef, obj: KubeObject, env: AdmissionEnv): void {
  switch (d.kind) {
    case 'Pod': return defaultPod(obj as Pod);
    case 'Deployment':
    case 'ReplicaSet': return defaultWorkload(obj as Deployment | ReplicaSet);
    case 'Service': return defaultService(obj as Service, env);
    case 'Namespace': return defaultNamespace(obj as Namespace);
    case 'DaemonSet':
      defaultDaemonSet(obj as DaemonSet);
      return setDaemonSetTemplateGeneration(obj as DaemonSet);
    case 'Job':
      defaultJobSpec(obj as Job);
      return generateJobSelector(obj as Job);
    case 'CronJob':
      if (isPlainObject(obj.spec)) defaultCronJobSpec(obj as CronJob);
      return;
  }
}

/** Defaults that also apply on update (templates of workloads keep their defaults). */
export function applyUpdateDefaults(d: ResourceDef, obj: KubeObject): void {
  if ((d.kind === 'Deployment' || d.kind === 'ReplicaSet') && isPlainObject(obj.spec)) defaultWorkload(obj as Deployment | ReplicaSet);
  if (d.kind === 'Job' && isPlainObject(obj.spec)) defaultJobSpec(obj as Job);
  if (d.kind === 'CronJob' && isPlainObject(obj.spec)) defaultCronJobSpec(obj as CronJob);
  if (d.kind === 'DaemonSet' && isPlainObject(obj.spec)) defaultDaemonSet(obj as DaemonSet);
}
