/**
 * Facts read from one log entry: the API verb and path, the response code, resourceVersion and etcd
 * revision, the object concerned and a snapshot of it. Each layer of the simulation writes its own
 * `detail`; these readers know where each one puts what.
 */
import type { LogEntry } from '../log';
import type { KubeObject, ObjectRef } from '../api/types';
import type { StepStage } from './model';

const HTTP_VERBS: Record<string, string> = {
  create: 'POST',
  get: 'GET',
  list: 'GET',
  watch: 'WATCH',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
};

const SUMMARY_REQUEST = /^(GET|POST|PUT|PATCH|DELETE|WATCH|LIST)\s+(\S+)/;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function isKubeObject(value: unknown): value is KubeObject {
  const r = record(value);
  return !!r && typeof r.kind === 'string' && r.kind !== 'Status' && !!record(r.metadata);
}

/** "POST", "GET", "WATCH" ... for an API request or response entry. */
export function verbOf(entry: LogEntry): string | undefined {
  const d = entry.detail;
  const method = str(d?.method) ?? str(d?.httpMethod);
  if (method && /^[A-Z]+$/.test(method)) return method;
  const verb = str(d?.verb);
  if (verb) return HTTP_VERBS[verb] ?? verb.toUpperCase();
  const match = SUMMARY_REQUEST.exec(entry.summary);
  return match ? match[1] : undefined;
}

export function pathOf(entry: LogEntry): string | undefined {
  const d = entry.detail;
  const path = str(d?.path) ?? str(d?.url);
  if (path) return path;
  const match = SUMMARY_REQUEST.exec(entry.summary);
  return match ? match[2] : undefined;
}

export function codeOf(entry: LogEntry): number | undefined {
  if (entry.kind !== 'response') return undefined;
  const d = entry.detail;
  return num(d?.code) ?? num(d?.status) ?? num(/\b([1-5]\d\d)\b/.exec(entry.summary)?.[1]);
}

/** The object snapshot the entry carries: the stored object, a watch event's object, or the request body. */
export function objectOf(entry: LogEntry): KubeObject | undefined {
  const d = entry.detail;
  if (!d) return undefined;
  for (const candidate of [d.object, record(d.event)?.object, d.body, d.value]) {
    if (isKubeObject(candidate)) return candidate;
  }
  return undefined;
}

export function resourceVersionOf(entry: LogEntry): string | undefined {
  const d = entry.detail;
  const rv = d?.resourceVersion;
  if (typeof rv === 'string' && rv !== '') return rv;
  if (typeof rv === 'number') return String(rv);
  return objectOf(entry)?.metadata.resourceVersion;
}

export function revisionOf(entry: LogEntry): number | undefined {
  return num(entry.detail?.revision) ?? num(entry.detail?.modRevision);
}

/** "pods/default/web" — subresources (binding, status) fold into their object. */
export function keyOfRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.resource}/${ref.namespace}/${ref.name}` : `${ref.resource}/${ref.name}`;
}

/** etcd keys as upstream stores them; nodes live under "minions", as they always have. */
const REGISTRY_RESOURCES: Record<string, string> = { minions: 'nodes', services: 'services' };
const CLUSTER_SCOPED = new Set(['minions', 'nodes', 'namespaces', 'persistentvolumes', 'clusterroles', 'clusterrolebindings', 'priorityclasses', 'storageclasses']);

/** "/registry/pods/default/web" → "pods/default/web"; "/registry/deployments/apps/default/web" is not a shape upstream uses. */
export function keyOfRegistryKey(key: string): string | undefined {
  if (!key.startsWith('/registry/')) return undefined;
  const parts = key.slice('/registry/'.length).split('/');
  if (parts[0] === 'services' && (parts[1] === 'specs' || parts[1] === 'endpoints')) {
    const resource = parts[1] === 'specs' ? 'services' : 'endpoints';
    return parts.length === 4 ? `${resource}/${parts[2]}/${parts[3]}` : undefined;
  }
  const resource = REGISTRY_RESOURCES[parts[0]] ?? parts[0];
  if (CLUSTER_SCOPED.has(parts[0])) return parts.length === 2 ? `${resource}/${parts[1]}` : undefined;
  return parts.length === 3 ? `${resource}/${parts[1]}/${parts[2]}` : undefined;
}

const RESOURCE_OF_KIND: Record<string, string> = {
  Pod: 'pods', Node: 'nodes', Namespace: 'namespaces', Lease: 'leases', Event: 'events', Service: 'services',
  Endpoints: 'endpoints', ConfigMap: 'configmaps', Deployment: 'deployments', ReplicaSet: 'replicasets',
  EndpointSlice: 'endpointslices', Secret: 'secrets', ServiceAccount: 'serviceaccounts',
};

/** The object key an entry concerns, from its objectRef, its etcd key, or its object snapshot. */
export function objectKeyOf(entry: LogEntry): string | undefined {
  if (entry.objectRef) return keyOfRef(entry.objectRef);
  const key = str(entry.detail?.key);
  const fromKey = key ? keyOfRegistryKey(key) : undefined;
  if (fromKey) return fromKey;
  const object = objectOf(entry);
  const resource = object && RESOURCE_OF_KIND[object.kind];
  if (object && resource && object.metadata.name) {
    return keyOfRef({ resource, namespace: object.metadata.namespace, name: object.metadata.name });
  }
  return undefined;
}

/** "pods/default/web" → "pod/web" (what kubectl prints); namespaces other than default stay visible. */
export function displayKey(key: string): string {
  const parts = key.split('/');
  const singular = parts[0].replace(/ies$/, 'y').replace(/(ss|sh|ch|x)es$/, '$1').replace(/s$/, '');
  if (parts.length === 3) return parts[1] === 'default' ? `${singular}/${parts[2]}` : `${singular}/${parts[1]}/${parts[2]}`;
  return `${singular}/${parts[1] ?? ''}`;
}

/** The story stage, from the entry's kind and who is talking. */
export function stageOf(entry: LogEntry, fromKind: string, toKind: string, heartbeat: boolean): StepStage {
  if (heartbeat) return 'heartbeat';
  switch (entry.kind) {
    case 'etcd-propose':
    case 'etcd-append':
    case 'etcd-ack':
    case 'etcd-commit':
    case 'etcd-error':
      return 'etcd';
    case 'watch':
      return 'watch';
    case 'cri':
      return 'runtime';
    case 'forward':
      return 'lb';
    case 'fault':
      return 'fault';
    case 'note':
      return 'note';
    case 'decision':
      if (fromKind === 'scheduler') return 'scheduler';
      if (fromKind === 'kubelet') return 'kubelet';
      return fromKind === 'etcd' ? 'etcd' : 'controller';
    default:
      if (fromKind === 'scheduler' || toKind === 'scheduler') return 'scheduler';
      if (fromKind === 'kubelet' || toKind === 'kubelet') return 'kubelet';
      if (fromKind === 'controller-manager' || toKind === 'controller-manager') return 'controller';
      return 'api';
  }
}
