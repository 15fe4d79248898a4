/**
 * A container's environment, as upstream's kubelet makes it (makeEnvironmentVariables, pkg/kubelet/kubelet_pods.go):
 * `envFrom` first (each ConfigMap's or Secret's keys, with the prefix), then `env` in order, each entry overriding
 * what came before — a plain value, or one resolved from `valueFrom` (fieldRef, configMapKeyRef, secretKeyRef) —
 * then the service variables the container did not set itself.
 *
 * envFrom keys are taken as they are: since 1.30 the kubelet no longer skips keys that are not C identifiers
 * (RelaxedEnvironmentVariableValidation, beta and on in 1.32; the API server already limits config keys to
 * [-._a-zA-Z0-9]+), so no InvalidEnvironmentVariableNames event is recorded, as 1.32 records none.
 *
 * The ConfigMaps and Secrets come from the API server: the kubelet GETs each one the container references
 * (through the load balancer) when it creates the container. Upstream's kubelet reads them through its
 * configMapManager / secretManager instead, whose default strategy (Watch) starts a watch per referenced object
 * when a pod is registered and answers from that cache (immutable objects stop being watched); the requests and
 * the errors for a missing object or key are the same as seen from the pod.
 */
import type { ApiResponse } from '../api/request';
import type { ConfigMap, Container, EnvVarSource, KubeObject, Pod, Secret } from '../api/types';
import { decodeBase64, utf8String } from '../../manifest/base64';

export type RefKind = 'configmaps' | 'secrets';

/** One object a container's environment reads. */
export interface EnvRef {
  resource: RefKind;
  name: string;
}

/** Whether the container's environment reads anything beyond its plain values (most containers: no). */
export function hasEnvSources(spec: Container): boolean {
  if (spec.envFrom?.length) return true;
  const env = spec.env;
  if (!env) return false;
  for (let i = 0; i < env.length; i++) if (env[i].valueFrom) return true;
  return false;
}

/** The ConfigMaps and Secrets a container references, each once, in the order they are first referenced. */
export function envRefs(spec: Container): EnvRef[] {
  const refs: EnvRef[] = [];
  const add = (resource: RefKind, name: string | undefined) => {
    if (name !== undefined && !refs.some((r) => r.resource === resource && r.name === name)) refs.push({ resource, name });
  };
  for (const from of spec.envFrom ?? []) {
    if (from.configMapRef) add('configmaps', from.configMapRef.name ?? '');
    else if (from.secretRef) add('secrets', from.secretRef.name ?? '');
  }
  for (const e of spec.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) add('configmaps', e.valueFrom.configMapKeyRef.name ?? '');
    else if (e.valueFrom?.secretKeyRef) add('secrets', e.valueFrom.secretKeyRef.name ?? '');
  }
  return refs;
}

export function refKey(resource: RefKind, name: string): string {
  return `${resource}/${name}`;
}

/** The API server's answers to the GETs of `envRefs`, by refKey. */
export type FetchedRefs = ReadonlyMap<string, ApiResponse>;

/** What the pod's fieldRefs read that is not in the pod object (its sandbox's IP, the node's IP). */
export interface PodAddresses {
  podIP: string | undefined;
  hostIP: string;
}

export type EnvResult = { ok: true; env: [string, string][] } | { ok: false; message: string };

class ConfigError extends Error {}

const SINGULAR: Record<RefKind, string> = { configmaps: 'configmap', secrets: 'secret' };
const KIND: Record<RefKind, string> = { configmaps: 'ConfigMap', secrets: 'Secret' };

/**
 * The object a reference names, or undefined when it does not exist and the reference is optional. A missing
 * object fails as the kubelet's managers word it (`configmap "cm" not found`, singular); another failure with
 * the API server's message.
 */
function lookup(fetched: FetchedRefs, resource: RefKind, name: string, optional: boolean): KubeObject | undefined {
  const r = fetched.get(refKey(resource, name));
  if (!r) throw new ConfigError(`couldn't get ${KIND[resource] === 'ConfigMap' ? 'configMap' : 'secret'} ${name}`);
  if (r.code === 200) return r.body as KubeObject;
  if (r.code === 404) {
    if (optional) return undefined;
    throw new ConfigError(`${SINGULAR[resource]} "${name}" not found`);
  }
  const status = r.body as { message?: string } | undefined;
  throw new ConfigError(status?.message ?? `failed to get ${SINGULAR[resource]} "${name}": ${r.code}`);
}

/** A Secret's value as the process sees it: the decoded bytes as a string. */
function secretValue(value: string): string {
  const decoded = decodeBase64(value);
  return decoded.ok ? utf8String(decoded.bytes) : '';
}

/** upstream podFieldSelectorRuntimeValue and fieldpath.ExtractFieldPathAsString. */
export function fieldRefValue(pod: Pod, fieldPath: string, addr: PodAddresses): string {
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'metadata.labels': return formatMap(pod.metadata.labels);
    case 'metadata.annotations': return formatMap(pod.metadata.annotations);
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs': return addr.hostIP;
    case 'status.podIP':
    case 'status.podIPs': return addr.podIP ?? '';
  }
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? '';
  throw new ConfigError(`unsupported fieldPath: ${fieldPath}`);
}

/** fieldpath.FormatMap: `key="value"` lines, sorted by key. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {}).sort().map((k) => `${k}=${JSON.stringify(map![k])}`).join('\n');
}

function resolve(source: EnvVarSource, pod: Pod, fetched: FetchedRefs, addr: PodAddresses): string | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  if (source.fieldRef) return fieldRefValue(pod, source.fieldRef.fieldPath, addr);
  const ref = source.configMapKeyRef ?? source.secretKeyRef;
  if (!ref) return ''; // resourceFieldRef: not modelled (see the report of this change)
  const resource: RefKind = source.configMapKeyRef ? 'configmaps' : 'secrets';
  const name = ref.name ?? '';
  const optional = ref.optional === true;
  const obj = lookup(fetched, resource, name, optional);
  if (!obj) return undefined;
  const value = (obj as ConfigMap | Secret).data?.[ref.key];
  if (value === undefined) {
    if (optional) return undefined;
    throw new ConfigError(`couldn't find key ${ref.key} in ${KIND[resource]} ${namespace}/${name}`);
  }
  return resource === 'secrets' ? secretValue(value) : value;
}

/**
 * The container's environment from its spec, the fetched objects and the pod's addresses; `serviceEnv` (the
 * service variables) comes last, without the names the container set. A missing reference (not optional)
 * fails with upstream's message, which the kubelet reports as CreateContainerConfigError.
 */
export function makeEnvironment(pod: Pod, spec: Container, fetched: FetchedRefs, addr: PodAddresses, serviceEnv: readonly [string, string][]): EnvResult {
  const vars = new Map<string, string>();
  try {
    for (const from of spec.envFrom ?? []) {
      const prefix = from.prefix ?? '';
      const ref = from.configMapRef ?? from.secretRef;
      if (!ref) continue;
      const resource: RefKind = from.configMapRef ? 'configmaps' : 'secrets';
      const obj = lookup(fetched, resource, ref.name ?? '', ref.optional === true) as ConfigMap | Secret | undefined;
      for (const [k, v] of Object.entries(obj?.data ?? {})) vars.set(prefix + k, resource === 'secrets' ? secretValue(v) : v);
    }
    for (const e of spec.env ?? []) {
      if (e.value || !e.valueFrom) {
        vars.set(e.name, e.value ?? '');
        continue;
      }
      const value = resolve(e.valueFrom, pod, fetched, addr);
      if (value !== undefined) vars.set(e.name, value);
    }
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message };
    throw err;
  }
  const env: [string, string][] = [...vars];
  for (const [k, v] of serviceEnv) if (!vars.has(k)) env.push([k, v]);
  return { ok: true, env };
}
