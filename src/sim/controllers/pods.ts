/**
 * Pod facts controllers share, as upstream's pkg/api/v1/pod and pkg/controller helpers: readiness,
 * availability, activeness, controller references, pods from templates, and the ranking that picks
 * which pods a scale-down removes first.
 */
import { objectKey, type Informer } from '../api/informer';
import type { KubeObject, OwnerReference, Pod, PodTemplateSpec } from '../api/types';
import type { SharedInformers } from './context';
import { KeyIndex } from './key-index';

export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  const refs = obj.metadata.ownerReferences;
  if (!refs) return undefined;
  for (const r of refs) if (r.controller) return r;
  return undefined;
}

/** Ready condition True (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

function readyCondition(pod: Pod) {
  const conds = pod.status?.conditions;
  if (!conds) return undefined;
  for (const c of conds) if (c.type === 'Ready') return c;
  return undefined;
}

/** When the pod last became ready, in epoch milliseconds (NaN if unknown). */
export function readySince(pod: Pod): number {
  const t = readyCondition(pod)?.lastTransitionTime;
  return t ? Date.parse(t) : NaN;
}

/** Ready for at least minReadySeconds at `nowEpochMs` (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowEpochMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = readySince(pod);
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowEpochMs;
}

/** Not terminating and not finished (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** controller.GetPodFromTemplate: the pod a controller creates from its template. */
export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, generateNamePrefix: string): Pod {
  const meta = template.metadata ?? {};
  const ref: OwnerReference = {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: generateNamePrefix,
      namespace: owner.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: template.spec,
  };
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n += s.restartCount;
  return n;
}

/**
 * Order pods so that the ones to delete first come first (controller.ActivePodsWithRanks):
 * unassigned before assigned; Pending before Unknown before Running; not ready before ready;
 * lower pod-deletion-cost first; more pods of the same owner on the node first; more recently
 * ready first; more restarts first; newer first.
 */
export function rankPodsForDeletion(pods: readonly Pod[], podsOnNode: (node: string) => number): Pod[] {
  const cost = (p: Pod) => Number(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
  return [...pods].sort((a, b) => {
    const na = a.spec.nodeName ?? '';
    const nb = b.spec.nodeName ?? '';
    if ((na === '') !== (nb === '')) return na === '' ? -1 : 1;
    const pa = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
    const pb = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
    if (pa !== pb) return pa - pb;
    const ra = isPodReady(a);
    const rb = isPodReady(b);
    if (ra !== rb) return ra ? 1 : -1;
    if (cost(a) !== cost(b)) return cost(a) - cost(b);
    if (na && nb) {
      const ca = podsOnNode(na);
      const cb = podsOnNode(nb);
      if (ca !== cb) return cb - ca;
    }
    if (ra && rb) {
      const ta = readySince(a);
      const tb = readySince(b);
      if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return tb - ta;
    }
    const xa = restarts(a);
    const xb = restarts(b);
    if (xa !== xb) return xb - xa;
    const ca = a.metadata.creationTimestamp ?? '';
    const cb = b.metadata.creationTimestamp ?? '';
    if (ca !== cb) return ca < cb ? 1 : -1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
}

/**
 * Pods by the node they are bound to, kept up to date from informer events. It keeps keys (see
 * KeyIndex): an update that does not move the pod (every status change) costs nothing here. The
 * informer hands each handler the version it replaces, the one indexed before.
 */
export class PodsByNode {
  private readonly byNode: KeyIndex<Pod>;

  constructor(cache: Pick<Informer<Pod>, 'get'>) {
    this.byNode = new KeyIndex(cache);
  }

  add(pod: Pod): void {
    const node = pod.spec.nodeName;
    if (node) this.byNode.insert(node, objectKey(pod));
  }

  update(old: Pod, pod: Pod): void {
    const prev = old.spec.nodeName;
    const node = pod.spec.nodeName;
    if (prev === node) return;
    const key = objectKey(pod);
    if (prev) this.byNode.remove(prev, key);
    if (node) this.byNode.insert(node, key);
  }

  delete(pod: Pod): void {
    const node = pod.spec.nodeName;
    if (node) this.byNode.remove(node, objectKey(pod));
  }

  /** The pods bound to `node` (latest cached versions), in the order they were bound. */
  on(node: string): Pod[] {
    return this.byNode.objects(node);
  }

  clear(): void {
    this.byNode.clear();
  }
}

/** Pods by node, shared by the controllers of one controller-manager. */
export function sharedPodsByNode(informers: SharedInformers): PodsByNode {
  return informers.shared('pods/by-node', () => {
    const pods = informers.get<Pod>('v1', 'pods');
    const idx = new PodsByNode(pods);
    pods.addHandlers({
      onAdd: (p) => idx.add(p),
      onUpdate: (old, p) => idx.update(old, p),
      onDelete: (p) => idx.delete(p),
    });
    return idx;
  });
}

/** Pods by namespace (their keys), shared by the controllers of one controller-manager: client-go's namespace index. */
export function sharedPodsByNamespace(informers: SharedInformers): KeyIndex<Pod> {
  return informers.shared('pods/by-namespace', () => {
    const pods = informers.get<Pod>('v1', 'pods');
    const idx = new KeyIndex<Pod>(pods);
    // A pod's key, and so its namespace, never changes: nothing to do on an update.
    pods.addHandlers({
      onAdd: (p) => idx.insert(p.metadata.namespace!, objectKey(p)),
      onDelete: (p) => idx.remove(p.metadata.namespace!, objectKey(p)),
    });
    return idx;
  });
}
