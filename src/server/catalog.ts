/**
 * What the HTTP API serves: the simulated API server's resources (src/sim/apiserver/resources.ts) with
 * what discovery and OpenAPI add on top — singular names, verbs, categories, subresources.
 * One table, read by routing, discovery, OpenAPI and the printers.
 */
import { RESOURCES, type ResourceDef } from '../sim/apiserver/resources';

export interface Subresource {
  name: string;
  kind: string;
  /** Group/version of the subresource's kind when it differs ("autoscaling/v1" for scale). */
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ServedResource {
  def: ResourceDef;
  singular: string;
  verbs: string[];
  categories?: string[];
  subresources: Subresource[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Upstream's "all" category: what `kubectl get all` lists. */
const IN_ALL = new Set(['pods', 'services', 'deployments', 'replicasets', 'jobs', 'cronjobs', 'daemonsets']);

function subresourcesOf(def: ResourceDef): Subresource[] {
  const out: Subresource[] = [];
  if (def.hasStatus) out.push({ name: 'status', kind: def.kind, verbs: ['get', 'patch', 'update'] });
  if (def.hasScale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  if (def.resource === 'pods') {
    out.push({ name: 'binding', kind: 'Binding', verbs: ['create'] });
    out.push({ name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
    out.push({ name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] });
    out.push({ name: 'log', kind: 'Pod', verbs: ['get'] });
  }
  return out;
}

export const SERVED: readonly ServedResource[] = RESOURCES.map((def) => ({
  def,
  singular: def.kind.toLowerCase(),
  verbs: ALL_VERBS,
  categories: IN_ALL.has(def.resource) ? ['all'] : undefined,
  subresources: subresourcesOf(def),
}));

const byGroupVersion = new Map<string, ServedResource[]>();
for (const r of SERVED) {
  const list = byGroupVersion.get(r.def.apiVersion) ?? [];
  list.push(r);
  byGroupVersion.set(r.def.apiVersion, list);
}

/** "v1", "apps/v1", … in a stable order (core first). */
export function groupVersions(): string[] {
  return [...byGroupVersion.keys()];
}

/** Named groups (not core), each with its versions. */
export function apiGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const r of SERVED) {
    if (!r.def.group) continue;
    const versions = groups.get(r.def.group) ?? [];
    if (!versions.includes(r.def.version)) versions.push(r.def.version);
    groups.set(r.def.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}

export function resourcesIn(apiVersion: string): readonly ServedResource[] | undefined {
  return byGroupVersion.get(apiVersion);
}

export function served(apiVersion: string, resource: string): ServedResource | undefined {
  return byGroupVersion.get(apiVersion)?.find((r) => r.def.resource === resource);
}
