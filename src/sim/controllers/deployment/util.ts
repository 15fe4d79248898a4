/**
 * Pure pieces of the Deployment controller (pkg/controller/deployment/util): the pod-template-hash,
 * revisions, fenceposts of maxSurge/maxUnavailable, how far a rolling update may scale up the new
 * ReplicaSet and down the old ones, and the status and conditions a Deployment reports.
 */
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../api/types';
import { deepEqual } from '../../apiserver/objects';

export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Annotations a Deployment does not copy to its ReplicaSets (and kubectl's undo does not copy back). */
export const ANNOTATIONS_TO_SKIP = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: map each character to a consonant or digit (no vowels, no 0/1/3). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHANUMS[s.charCodeAt(i) % SAFE_ALPHANUMS.length];
  return out;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** FNV-1a, 32 bits, over the UTF-16 code units' low bytes and high bytes. */
function fnv32a(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h ^= c & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
    if (c > 0xff) {
      h ^= c >>> 8;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/**
 * controller.ComputeHash: FNV-32a of the template (upstream hashes Go's printed form; we hash a
 * canonical JSON form), salted by the collision count, encoded as a safe string, e.g. "7c5ddbdf54".
 */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(canonical(template));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32a(String(collisionCount), h);
  return safeEncodeString(String(h));
}

function withoutHash(t: PodTemplateSpec): PodTemplateSpec {
  const labels = t.metadata?.labels;
  if (!labels || !(POD_TEMPLATE_HASH in labels)) return t;
  const rest = { ...labels };
  delete rest[POD_TEMPLATE_HASH];
  return { ...t, metadata: { ...t.metadata, labels: rest } };
}

/** EqualIgnoreHash: the templates match once the pod-template-hash label is ignored. */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return deepEqual(withoutHash(a), withoutHash(b));
}

export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = Number(obj.metadata.annotations?.[REVISION] ?? '0');
  return Number.isFinite(v) ? v : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) max = Math.max(max, revisionOf(rs));
  return max;
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 would deadlock, so unavailable becomes 1. */
export function resolveFenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec.replicas ?? 1;
  const ru = d.spec.strategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge ?? '25%', replicas, true);
  let maxUnavailable = scaledValue(ru?.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function maxUnavailable(d: Deployment): number {
  if (d.spec.strategy?.type === 'Recreate' || (d.spec.replicas ?? 1) === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, d.spec.replicas ?? 1);
}

export const specReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 1;
export const sumSpec = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + specReplicas(rs), 0);
const sumStatus = (rss: readonly ReplicaSet[], f: 'replicas' | 'readyReplicas' | 'availableReplicas'): number =>
  rss.reduce((n, rs) => n + (rs.status?.[f] ?? 0), 0);

/** NewRSNewReplicas for RollingUpdate: scale the new ReplicaSet up as far as maxSurge allows. */
export function newRSNewReplicas(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = d.spec.replicas ?? 1;
  if (d.spec.strategy?.type === 'Recreate') return replicas;
  const { maxSurge } = resolveFenceposts(d);
  const current = sumSpec(all);
  const maxTotal = replicas + maxSurge;
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/**
 * reconcileOldReplicaSets: the new sizes of old ReplicaSets for one step of a rolling update —
 * first unhealthy replicas are cleaned up, then healthy ones scaled down while keeping at least
 * replicas − maxUnavailable available. Returns only the ReplicaSets whose size changes.
 */
export function planOldScaleDown(d: Deployment, all: readonly ReplicaSet[], olds: readonly ReplicaSet[], newRS: ReplicaSet | undefined): Map<ReplicaSet, number> {
  const out = new Map<ReplicaSet, number>();
  const oldPods = sumSpec(olds);
  if (oldPods === 0) return out;
  const replicas = d.spec.replicas ?? 1;
  const minAvailable = replicas - maxUnavailable(d);
  const newUnavailable = newRS ? specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
  const maxScaledDown = sumSpec(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;
  const byAge = [...olds].sort(olderFirst);
  const size = (rs: ReplicaSet) => out.get(rs) ?? specReplicas(rs);
  // cleanupUnhealthyReplicas
  let cleaned = 0;
  for (const rs of byAge) {
    if (cleaned >= maxScaledDown) break;
    if (size(rs) === 0) continue;
    const unhealthy = size(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    out.set(rs, size(rs) - down);
    cleaned += down;
  }
  // scaleDownOldReplicaSetsForRollingUpdate
  const available = sumStatus(all, 'availableReplicas');
  if (available <= minAvailable) return out;
  const total = available - minAvailable;
  let scaled = 0;
  for (const rs of byAge) {
    if (scaled >= total) break;
    if (size(rs) === 0) continue;
    const down = Math.min(size(rs), total - scaled);
    out.set(rs, size(rs) - down);
    scaled += down;
  }
  return out;
}

export function olderFirst(a: ReplicaSet, b: ReplicaSet): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

export type DeploymentStatus = NonNullable<Deployment['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

/** calculateStatus (without conditions other than Available). */
export function calculateDeploymentStatus(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: string): DeploymentStatus {
  const replicas = d.spec.replicas ?? 1;
  const total = sumStatus(all, 'replicas');
  const available = sumStatus(all, 'availableReplicas');
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: total,
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sumStatus(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    conditions: [...(d.status?.conditions ?? [])],
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
  };
  if (available >= replicas - maxUnavailable(d)) {
    setCondition(status, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, now);
  } else {
    setCondition(status, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now);
  }
  return status;
}

/**
 * SetDeploymentCondition: same status and reason → unchanged (unless `touch`, which refreshes
 * lastUpdateTime); same status → keep lastTransitionTime. Conditions are replaced, never mutated.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition, now: string, touch = false): void {
  const conds = status.conditions ?? (status.conditions = []);
  const i = conds.findIndex((c) => c.type === cond.type);
  const cur = i >= 0 ? conds[i] : undefined;
  if (cur && cur.status === cond.status && cur.reason === cond.reason && (!touch || cur.lastUpdateTime === now)) return;
  const next = { ...cond, lastUpdateTime: now, lastTransitionTime: cur && cur.status === cond.status ? cur.lastTransitionTime : now };
  if (i >= 0) conds.splice(i, 1);
  // upstream keeps Available before Progressing
  if (next.type === 'Available') conds.unshift(next);
  else conds.push(next);
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** DeploymentComplete: every replica updated and available, and the controller has seen the latest spec. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = d.spec.replicas ?? 1;
  return s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more replicas updated, ready or available than the last status said, or fewer old ones. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** The new ReplicaSet's annotations: the Deployment's own (minus the skipped ones) plus revision and sizes. */
export function replicaSetAnnotations(d: Deployment, revision: number, maxSurge: number, history?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) out[k] = v;
  out[REVISION] = String(revision);
  if (history) out[REVISION_HISTORY] = history;
  out[DESIRED_REPLICAS] = String(d.spec.replicas ?? 1);
  out[MAX_REPLICAS] = String((d.spec.replicas ?? 1) + maxSurge);
  return out;
}
