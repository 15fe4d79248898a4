/**
 * What the EndpointSlice controller computes (pkg/controller/endpointslice and k8s.io/endpointslice),
 * pure: a Service's endpoints from the pods its selector matches, grouped by the ports they resolve to,
 * at most 100 to a slice (--max-endpoints-per-slice), and the writes that turn the slices a Service has
 * into the slices it should have.
 *   - Each pod with an IP that may still serve (terminating pods too) is one endpoint: ready when its
 *     Ready condition holds and it is not terminating, serving when Ready, terminating while deleted,
 *     with its node, zone and a reference to the pod.
 *   - A Service with no endpoints keeps one empty placeholder slice, as upstream: consumers can tell
 *     "processed, nothing there" from "not processed yet".
 *   - Slices carry `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`, the
 *     Service's own labels, and a controller reference to the Service (the garbage collector deletes
 *     them with it).
 */
import type { EndpointSlice, Pod, Service, SliceEndpoint, SlicePort } from '../../api/types';
import { deepEqual } from '../../apiserver/objects';
import { compareIP, resolveTargetPort } from '../endpoints/endpoints-controller';
import { isPodReady } from '../pods';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** ShouldPodBeInEndpoints(pod, includeTerminating: true): an IP, and a phase its restart policy can still serve from. */
export function shouldPodBeInSlices(pod: Pod): boolean {
  if (!pod.status?.podIP) return false;
  const phase = pod.status.phase;
  switch (pod.spec.restartPolicy ?? 'Always') {
    case 'Never': return phase !== 'Failed' && phase !== 'Succeeded';
    case 'OnFailure': return phase !== 'Succeeded';
    default: return true;
  }
}

/** podToEndpoint. `zoneOf(node)`: the node's topology.kubernetes.io/zone label. */
export function podToEndpoint(pod: Pod, svc: Service, zoneOf: (node: string) => string | undefined): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = (svc.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses === true || (serving && !terminating);
  const node = pod.spec.nodeName;
  const zone = node ? zoneOf(node) : undefined;
  return {
    addresses: [pod.status!.podIP!],
    conditions: { ready, serving, terminating },
    ...(node ? { nodeName: node } : {}),
    ...(zone ? { zone } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid },
  };
}

/** getEndpointPorts: each Service port this pod resolves (a named target port it lacks is skipped). */
export function endpointPorts(svc: Service, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = resolveTargetPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** Endpoints that share one set of ports. */
export interface PortGroup {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

function portsKey(ports: readonly SlicePort[] | undefined): string {
  return (ports ?? []).map((p) => `${p.name ?? ''}/${p.port ?? ''}/${p.protocol ?? ''}/${p.appProtocol ?? ''}`).sort().join(',');
}

/** The Service's endpoints by port set, in a stable order (port sets by key, endpoints by address). */
export function desiredGroups(svc: Service, pods: readonly Pod[], zoneOf: (node: string) => string | undefined): PortGroup[] {
  const groups = new Map<string, PortGroup>();
  for (const pod of pods) {
    if (!shouldPodBeInSlices(pod)) continue;
    const ports = endpointPorts(svc, pod);
    if (ports.length === 0 && (svc.spec.ports ?? []).length > 0) continue;
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(pod, svc, zoneOf));
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => compareIP(a.addresses[0], b.addresses[0]));
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** setEndpointSliceLabels: the Service's labels, then the controller's own. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) {
    if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL && k !== HEADLESS_LABEL) labels[k] = v;
  }
  if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  return labels;
}

/** Whether a slice is this controller's and belongs to this Service (its current incarnation). */
export function ownedSlice(slice: EndpointSlice, svc: Service): boolean {
  return slice.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY &&
    (slice.metadata.ownerReferences ?? []).some((r) => r.controller && r.kind === 'Service' && r.uid === svc.metadata.uid);
}

export interface SliceWrites {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

function newSlice(svc: Service, group: PortGroup | undefined, endpoints: SliceEndpoint[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name!.slice(0, 57)}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints,
    ...(group ? { ports: group.ports } : {}),
  };
}

/**
 * The writes from `existing` (every slice labelled with the Service's name in its namespace) to the
 * desired groups: slices of the same port set are reused in name order and rewritten only when their
 * endpoints, ports or labels differ; extra chunks are created, extra slices (and the ones of an older
 * Service of that name) deleted, but a creation and a deletion of one of this Service's own slices
 * become one update.
 */
export function planSliceWrites(svc: Service, existing: readonly EndpointSlice[], groups: readonly PortGroup[]): SliceWrites {
  const writes: SliceWrites = { create: [], update: [], delete: [] };
  const labels = sliceLabels(svc);
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const slice of [...existing].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    if (!ownedSlice(slice, svc)) {
      if (slice.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) writes.delete.push(slice);
      continue;
    }
    const key = portsKey(slice.ports);
    const list = byPorts.get(key) ?? [];
    list.push(slice);
    byPorts.set(key, list);
  }
  const chunks: { group: PortGroup | undefined; key: string; endpoints: SliceEndpoint[] }[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) chunks.push({ group: g, key: portsKey(g.ports), endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
  }
  // The placeholder: no ports, no endpoints.
  if (chunks.length === 0) chunks.push({ group: undefined, key: portsKey(undefined), endpoints: [] });
  for (const chunk of chunks) {
    const reuse = byPorts.get(chunk.key)?.shift();
    if (!reuse) {
      writes.create.push(newSlice(svc, chunk.group, chunk.endpoints));
      continue;
    }
    const ports = chunk.group ? chunk.group.ports : undefined;
    if (deepEqual(reuse.endpoints ?? [], chunk.endpoints) && deepEqual(reuse.ports, ports) && deepEqual(reuse.metadata.labels ?? {}, labels)) continue;
    const updated: EndpointSlice = { ...reuse, metadata: { ...reuse.metadata, labels }, endpoints: chunk.endpoints };
    if (ports) updated.ports = ports;
    else delete updated.ports;
    writes.update.push(updated);
  }
  for (const rest of byPorts.values()) writes.delete.push(...rest);
  // A slice to create and one of this Service's to delete make one update instead (upstream's finalize):
  // fewer writes, and never two slices where one will do (the placeholder turns into the first real one).
  for (let i = 0; i < writes.delete.length && writes.create.length > 0;) {
    const doomed = writes.delete[i];
    if (!ownedSlice(doomed, svc)) {
      i++;
      continue;
    }
    const fresh = writes.create.pop()!;
    const updated: EndpointSlice = { ...fresh, metadata: { ...doomed.metadata, labels: fresh.metadata.labels } };
    writes.update.push(updated);
    writes.delete.splice(i, 1);
  }
  return writes;
}
