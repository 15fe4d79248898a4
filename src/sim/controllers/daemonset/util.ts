/**
 * Pure pieces of the DaemonSet controller (pkg/controller/daemon and its util): which nodes should run a daemon pod
 * (NodeShouldRunDaemonPod), the tolerations and the node affinity a daemon pod gets, the node a pod is meant for,
 * whether a pod is of the current revision, the history patch a ControllerRevision stores, and the rolling update's
 * limits.
 */
import { NodeSelectorMatcher } from '../../api/labels';
import type { DaemonSet, Node, NodeSelectorTerm, Pod, PodSpec, PodTemplateSpec, Toleration } from '../../api/types';
import { findUntoleratedTaint, toleratesTaint } from '../../scheduler/plugins/tainttoleration/helpers';

/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey). */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey (deprecated, still set). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** The annotation apps/v1 shows the template generation in (see the API server's defaults). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

const exists = (key: string, effect: 'NoExecute' | 'NoSchedule'): Toleration => ({ key, operator: 'Exists', effect });

/** util.AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates, so node conditions never evict it. */
export function daemonPodTolerations(spec: PodSpec): Toleration[] {
  const wanted = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
  ];
  if (spec.hostNetwork) wanted.push(exists('node.kubernetes.io/network-unavailable', 'NoSchedule'));
  const out = [...(spec.tolerations ?? [])];
  for (const t of wanted) {
    // AddOrUpdateTolerationInPodSpec: a toleration matching key, operator, value and effect is replaced.
    const i = out.findIndex((o) => (o.key ?? '') === t.key && (o.operator ?? 'Equal') === t.operator && (o.value ?? '') === '' && (o.effect ?? '') === t.effect);
    if (i < 0) out.push(t);
    else if (out[i].tolerationSeconds !== undefined) out[i] = t;
  }
  return out;
}

/** util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity names the node, by metadata.name. */
export function nodeNameAffinity(affinity: PodSpec['affinity'], nodeName: string): NonNullable<PodSpec['affinity']> {
  const term: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  return {
    ...affinity,
    nodeAffinity: { ...affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } },
  };
}

/** The node a daemon pod is for: its nodeName, else the metadata.name its node affinity requires (util.GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** Matchers compiled once per DaemonSet object (its template's nodeSelector and required node affinity). */
const matchers = new WeakMap<DaemonSet, { pairs: [string, string][]; terms?: NodeSelectorMatcher; tolerations: Toleration[] }>();

function compiled(ds: DaemonSet) {
  let m = matchers.get(ds);
  if (!m) {
    const spec = ds.spec.template.spec;
    const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    m = { pairs: Object.entries(spec.nodeSelector ?? {}), terms: terms ? new NodeSelectorMatcher(terms) : undefined, tolerations: daemonPodTolerations(spec) };
    matchers.set(ds, m);
  }
  return m;
}

export interface ShouldRun {
  /** A daemon pod should be created on the node. */
  shouldRun: boolean;
  /** A daemon pod already there may stay (no untolerated NoExecute taint). */
  shouldContinueRunning: boolean;
}

/**
 * NodeShouldRunDaemonPod: the pod the DaemonSet would make for the node fits its name, node affinity and selector,
 * and taints (NoSchedule/NoExecute, with the daemon tolerations). A pod already running may stay on a node whose
 * only untolerated taints are NoSchedule.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): ShouldRun {
  const spec = ds.spec.template.spec;
  const name = node.metadata.name!;
  if (spec.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  const m = compiled(ds);
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of m.pairs) if (labels[k] !== v) return { shouldRun: false, shouldContinueRunning: false };
  if (m.terms && !m.terms.matches({ name, labels })) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  const blocking = findUntoleratedTaint(taints, m.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (!blocking) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = taints.some((t) => t.effect === 'NoExecute' && !m.tolerations.some((tol) => toleratesTaint(tol, t)));
  return { shouldRun: false, shouldContinueRunning: !evicting };
}

/** util.IsPodUpdated: the pod carries the current revision's hash (or the current template generation). */
export function isPodUpdated(pod: Pod, hash: string, templateGeneration: string | undefined): boolean {
  const labels = pod.metadata.labels;
  if (!labels) return false;
  return (hash !== '' && labels[REVISION_HASH_LABEL] === hash) || (templateGeneration !== undefined && labels[TEMPLATE_GENERATION_LABEL] === templateGeneration);
}

/** Keys sorted at every level, as Go's json.Marshal of a map prints them. */
function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortedJson(v);
    }
    return out;
  }
  return value;
}

/**
 * getPatch: what a DaemonSet's ControllerRevision stores, a strategic merge patch that replaces spec.template
 * (`kubectl rollout undo` sends it back as it is). Keys sorted and the template's creationTimestamp null, as Go
 * marshals it, so kubectl sees a revision that matches the DaemonSet as the same bytes.
 */
export function historyPatch(template: PodTemplateSpec): Record<string, unknown> {
  const t = { ...template, metadata: { creationTimestamp: null, ...template.metadata }, $patch: 'replace' };
  return sortedJson({ spec: { template: t } }) as Record<string, unknown>;
}

export function patchKey(data: unknown): string {
  return JSON.stringify(sortedJson(data));
}

/** intstr.GetScaledValueFromIntOrPercent, rounding up (as the DaemonSet controller's surge and unavailability counts). */
export function scaledValue(value: number | string | undefined, total: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return fallback;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/** The rolling update's maxSurge and maxUnavailable for `desired` nodes (util.SurgeCount / UnavailableCount). */
export function rollingLimits(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;
  if (!ru) return { maxSurge: 0, maxUnavailable: 0 };
  return { maxSurge: scaledValue(ru.maxSurge, desired, 0), maxUnavailable: scaledValue(ru.maxUnavailable, desired, 1) };
}

/** podByCreationTimestampAndPhase: scheduled first, then oldest first, then by name. */
export function byCreation(a: Pod, b: Pod): number {
  const sa = !!a.spec.nodeName;
  const sb = !!b.spec.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ca = a.metadata.creationTimestamp ?? '';
  const cb = b.metadata.creationTimestamp ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}
