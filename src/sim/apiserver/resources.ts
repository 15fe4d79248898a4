/**
 * The resources the simulated API server serves, with what differs between them: group/version,
 * kind, scope, etcd key prefix (as upstream stores them), subresources, which field selectors they
 * accept, and the strategic-merge-patch keys of their lists.
 */
import type { KubeObject } from '../api/types';
import { getPath } from './objects';

export interface ResourceDef {
  /** API group ("" for core). */
  group: string;
  version: string;
  /** "v1", "apps/v1" ... */
  apiVersion: string;
  /** Plural, as in URLs. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** etcd key prefix, ending in "/": objects live at prefix + [namespace + "/"] + name. */
  etcdPrefix: string;
  /** Has a status subresource: the main resource ignores status changes and vice versa. */
  hasStatus: boolean;
  /** Has a scale subresource (apps/v1 workloads). */
  hasScale?: boolean;
  /** metadata.generation is set on create and bumped when the spec changes. */
  generation: boolean;
  /** Field selectors beyond metadata.name and metadata.namespace, mapped to object paths. */
  fields: Record<string, string>;
  /** Strategic merge patch: list path (field names joined by ".") → merge key ("" merges a list of primitives). */
  mergeKeys: Record<string, string>;
  shortNames?: string[];
}

function podSpecMergeKeys(prefix: string): Record<string, string> {
  return {
    [`${prefix}containers`]: 'name',
    [`${prefix}initContainers`]: 'name',
    [`${prefix}ephemeralContainers`]: 'name',
    [`${prefix}containers.ports`]: 'containerPort',
    [`${prefix}initContainers.ports`]: 'containerPort',
    [`${prefix}containers.env`]: 'name',
    [`${prefix}initContainers.env`]: 'name',
    [`${prefix}containers.volumeMounts`]: 'mountPath',
    [`${prefix}initContainers.volumeMounts`]: 'mountPath',
    [`${prefix}volumes`]: 'name',
    [`${prefix}imagePullSecrets`]: 'name',
    [`${prefix}hostAliases`]: 'ip',
    [`${prefix}topologySpreadConstraints`]: 'topologyKey',
  };
}

const metadataMergeKeys = { 'metadata.ownerReferences': 'uid', 'metadata.finalizers': '' };

function def(d: Omit<ResourceDef, 'apiVersion' | 'mergeKeys'> & { mergeKeys?: Record<string, string> }): ResourceDef {
  return { ...d, apiVersion: d.group ? `${d.group}/${d.version}` : d.version, mergeKeys: { ...metadataMergeKeys, ...d.mergeKeys } };
}

export const RESOURCES: readonly ResourceDef[] = [
  def({
    group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, etcdPrefix: '/registry/namespaces/',
    hasStatus: true, generation: false, fields: { 'status.phase': 'status.phase' }, shortNames: ['ns'],
    mergeKeys: { 'status.conditions': 'type', 'spec.finalizers': '' },
  }),
  def({
    group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, etcdPrefix: '/registry/minions/',
    hasStatus: true, generation: false, fields: { 'spec.unschedulable': 'spec.unschedulable' }, shortNames: ['no'],
    mergeKeys: { 'status.conditions': 'type', 'status.addresses': 'type', 'spec.podCIDRs': '' },
  }),
  def({
    group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, etcdPrefix: '/registry/pods/',
    hasStatus: true, generation: true, shortNames: ['po'],
    fields: {
      'spec.nodeName': 'spec.nodeName', 'spec.restartPolicy': 'spec.restartPolicy', 'spec.schedulerName': 'spec.schedulerName',
      'spec.serviceAccountName': 'spec.serviceAccountName', 'spec.hostNetwork': 'spec.hostNetwork', 'status.phase': 'status.phase',
      'status.podIP': 'status.podIP', 'status.nominatedNodeName': 'status.nominatedNodeName',
    },
    mergeKeys: { ...podSpecMergeKeys('spec.'), 'status.conditions': 'type', 'status.podIPs': 'ip', 'status.hostIPs': 'ip' },
  }),
  def({
    group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, etcdPrefix: '/registry/services/specs/',
    hasStatus: true, generation: false, fields: { 'spec.clusterIP': 'spec.clusterIP', 'spec.type': 'spec.type' }, shortNames: ['svc'],
    mergeKeys: { 'spec.ports': 'port' },
  }),
  def({
    group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', namespaced: true, etcdPrefix: '/registry/services/endpoints/',
    hasStatus: false, generation: false, fields: {}, shortNames: ['ep'],
  }),
  def({
    group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true, etcdPrefix: '/registry/endpointslices/',
    hasStatus: false, generation: true, fields: {},
  }),
  def({
    group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, etcdPrefix: '/registry/configmaps/',
    hasStatus: false, generation: false, fields: {}, shortNames: ['cm'],
  }),
  def({
    group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true, etcdPrefix: '/registry/secrets/',
    hasStatus: false, generation: false, fields: { type: 'type' },
  }),
  def({
    group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, etcdPrefix: '/registry/events/',
    hasStatus: false, generation: false, shortNames: ['ev'],
    fields: {
      'involvedObject.kind': 'involvedObject.kind', 'involvedObject.namespace': 'involvedObject.namespace',
      'involvedObject.name': 'involvedObject.name', 'involvedObject.uid': 'involvedObject.uid',
      'involvedObject.apiVersion': 'involvedObject.apiVersion', 'involvedObject.resourceVersion': 'involvedObject.resourceVersion',
      'involvedObject.fieldPath': 'involvedObject.fieldPath', reason: 'reason', reportingComponent: 'reportingComponent',
      source: 'source.component', type: 'type',
    },
  }),
  def({
    group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true, etcdPrefix: '/registry/leases/',
    hasStatus: false, generation: false, fields: {},
  }),
  def({
    group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, etcdPrefix: '/registry/poddisruptionbudgets/',
    hasStatus: true, generation: true, fields: {}, shortNames: ['pdb'],
    mergeKeys: { 'status.conditions': 'type' },
  }),
  def({
    group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false, etcdPrefix: '/registry/priorityclasses/',
    hasStatus: false, generation: true, fields: {}, shortNames: ['pc'],
  }),
  def({
    group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, etcdPrefix: '/registry/deployments/',
    hasStatus: true, hasScale: true, generation: true, fields: {}, shortNames: ['deploy'],
    mergeKeys: { ...podSpecMergeKeys('spec.template.spec.'), 'status.conditions': 'type' },
  }),
  def({
    group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, etcdPrefix: '/registry/replicasets/',
    hasStatus: true, hasScale: true, generation: true, fields: {}, shortNames: ['rs'],
    mergeKeys: { ...podSpecMergeKeys('spec.template.spec.'), 'status.conditions': 'type' },
  }),
  def({
    group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, etcdPrefix: '/registry/daemonsets/',
    hasStatus: true, generation: true, fields: {}, shortNames: ['ds'],
    mergeKeys: { ...podSpecMergeKeys('spec.template.spec.'), 'status.conditions': 'type' },
  }),
  def({
    group: 'apps', version: 'v1', resource: 'controllerrevisions', kind: 'ControllerRevision', namespaced: true, etcdPrefix: '/registry/controllerrevisions/',
    hasStatus: false, generation: false, fields: {},
  }),
  def({
    group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true, etcdPrefix: '/registry/jobs/',
    hasStatus: true, generation: true, fields: {},
    mergeKeys: { ...podSpecMergeKeys('spec.template.spec.'), 'status.conditions': 'type' },
  }),
  def({
    group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true, etcdPrefix: '/registry/cronjobs/',
    hasStatus: true, generation: true, fields: {}, shortNames: ['cj'],
    mergeKeys: podSpecMergeKeys('spec.jobTemplate.spec.template.spec.'),
  }),
];

const byPath = new Map<string, ResourceDef>(RESOURCES.map((d) => [`${d.apiVersion}/${d.resource}`, d]));
const byKind = new Map<string, ResourceDef>(RESOURCES.map((d) => [`${d.apiVersion}/${d.kind}`, d]));

/** The resource served at apiVersion + plural, e.g. ("apps/v1", "deployments"). */
export function resourceFor(apiVersion: string, resource: string): ResourceDef | undefined {
  return byPath.get(`${apiVersion}/${resource}`);
}

/** The resource of a kind, e.g. ("v1", "Pod"). */
export function resourceForKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** Length of the part every etcd prefix shares ("/registry/"). */
const SHARED_PREFIX = RESOURCES.reduce((n, d) => {
  const first = RESOURCES[0].etcdPrefix;
  let i = 0;
  while (i < n && d.etcdPrefix[i] === first[i]) i++;
  return i;
}, RESOURCES[0].etcdPrefix.length);

/** The resources by the character of their prefix after the shared part, longest prefix first. */
const byKeyChar = new Map<number, ResourceDef[]>();
for (const d of [...RESOURCES].sort((a, b) => b.etcdPrefix.length - a.etcdPrefix.length)) {
  const c = d.etcdPrefix.charCodeAt(SHARED_PREFIX);
  let list = byKeyChar.get(c);
  if (!list) byKeyChar.set(c, (list = []));
  list.push(d);
}

/**
 * The resource owning an etcd key: the longest etcdPrefix it starts with. Called for every change by
 * every API server, so it reads one character to pick the one or two candidates (prefixes are distinct
 * directories, each longer than the shared part) and builds no string.
 */
export function resourceForKey(key: string): ResourceDef | undefined {
  const candidates = byKeyChar.get(key.charCodeAt(SHARED_PREFIX));
  if (candidates) for (const d of candidates) if (key.startsWith(d.etcdPrefix)) return d;
  return undefined;
}

export function etcdKey(d: ResourceDef, namespace: string | undefined, name: string): string {
  return d.namespaced ? `${d.etcdPrefix}${namespace}/${name}` : `${d.etcdPrefix}${name}`;
}

/** The value of a field label of an object, as field selectors compare it (strings; absent = ""). */
export function fieldValue(d: ResourceDef, obj: KubeObject, field: string): string | undefined {
  if (field === 'metadata.name') return obj.metadata.name ?? '';
  if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
  const path = d.fields[field];
  if (path === undefined) return undefined;
  const v = getPath(obj, path);
  return v === undefined || v === null ? '' : String(v);
}
