/**
 * The endpoints controller (pkg/controller/endpoint): for every Service with a selector, an
 * Endpoints object of the same name listing the pods the selector matches — ready ones under
 * `addresses`, the others under `notReadyAddresses` — with each Service port's targetPort resolved
 * (numbers as they are, names through the pod's container ports). Pods without an IP yet and
 * terminating pods are left out. Subsets group addresses that share the same ports, sorted as
 * upstream's RepackSubsets does, so equal states compare equal and nothing is rewritten needlessly.
 */
import type { TraceContext } from '../../log';
import type { Informer } from '../../api/informer';
import type { EndpointAddress, Endpoints, Pod, Service, ServicePort } from '../../api/types';
import { objectKey } from '../../api/informer';
import { deepEqual } from '../../apiserver/objects';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import { isPodReady, sharedPodsByNamespace } from '../pods';
import type { KeyIndex } from '../key-index';
import { compileSetSelector } from '../selectors';
import { sharedServiceMemberships, type ServiceMemberships } from '../service-memberships';
import type { ReconcileFn } from '../workqueue/workqueue';

type Subset = NonNullable<Endpoints['subsets']>[number];
type EndpointPort = NonNullable<Subset['ports']>[number];

/** findPort: a Service port's targetPort on one pod, or undefined when the pod has no such named port. */
export function resolveTargetPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
  }
  return undefined;
}

/** The subsets of a Service's Endpoints for the given pods (pure: the controller's core). */
export function computeSubsets(svc: Service, pods: readonly Pod[]): Subset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!pod.status?.podIP || pod.metadata.deletionTimestamp) continue;
    const phase = pod.status.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port !== undefined) ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' });
    }
    if (ports.length === 0 && (svc.spec.ports ?? []).length > 0) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const id = ports.map((p) => `${p.name ?? ''}/${p.port}/${p.protocol}`).join(',');
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { ports, ready: [], notReady: [] }));
    const address: EndpointAddress = {
      ip: pod.status.podIP,
      ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid },
    };
    (isPodReady(pod) ? g.ready : g.notReady).push(address);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress) => compareIP(a.ip, b.ip);
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => ({
    ...(g.ready.length ? { addresses: g.ready.sort(byIP) } : {}),
    ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIP) } : {}),
    ports: g.ports,
  }));
}

/** Dotted IPv4 addresses in numeric order. */
export function compareIP(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export class EndpointsController extends QueueController {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  /** The cached pods by namespace (shared with the other controllers). */
  private readonly podsByNamespace: KeyIndex<Pod>;
  /** Which Services each pod belongs to (shared with the EndpointSlice controller). */
  private readonly memberships: ServiceMemberships;

  constructor(cc: ControllerContext) {
    super(cc, 'endpoints-controller');
    this.services = cc.informers.get<Service>('v1', 'services');
    this.memberships = sharedServiceMemberships(cc.informers);
    this.pods = cc.informers.get<Pod>('v1', 'pods');
    this.podsByNamespace = sharedPodsByNamespace(cc.informers);
    this.endpoints = cc.informers.get<Endpoints>('v1', 'endpoints');
    this.enqueueOnChange(this.services);
    this.pods.addHandlers({
      onAdd: (p, ctx) => this.podChanged(undefined, p, ctx),
      // A pod's key (and so its namespace) never changes: nothing to index on an update.
      onUpdate: (o, p, ctx) => this.podChanged(o, p, ctx),
      onDelete: (p, ctx) => this.podChanged(p, undefined, ctx),
    });
    this.endpoints.addHandlers({
      // Someone else changed or removed an Endpoints object we manage: put it back.
      onDelete: (ep, ctx) => {
        if (this.services.get(objectKey(ep))) this.enqueue(objectKey(ep), ctx);
      },
    });
  }

  private podChanged(old: Pod | undefined, pod: Pod | undefined, ctx: TraceContext): void {
    for (const key of this.memberships.of(old, pod)) this.enqueue(key, ctx);
  }

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const [namespace, name] = splitKey(key);
    const svc = this.services.get(key);
    const current = this.endpoints.get(key);
    if (!svc) {
      if (!current) return finish();
      const dctx = this.decide(ctx, { resource: 'endpoints', namespace, name }, `Service ${key} is gone: deleting its Endpoints`);
      this.cc.client.request({ verb: 'delete', apiVersion: 'v1', resource: 'endpoints', namespace, name }, dctx, (res) => {
        finish(res.code === 200 || res.code === 404 ? undefined : { error: message(res) });
      });
      return;
    }
    if (!svc.spec.selector || Object.keys(svc.spec.selector).length === 0) return finish();
    const sel = compileSetSelector(svc.spec.selector);
    const pods: Pod[] = [];
    for (const pod of this.podsByNamespace.objects(namespace)) if (sel.matches(pod.metadata.labels)) pods.push(pod);
    const subsets = computeSubsets(svc, pods);
    if (current && deepEqual(current.subsets ?? [], subsets) && deepEqual(current.metadata.labels ?? {}, svc.metadata.labels ?? {})) return finish();
    const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
    const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
    const dctx = this.decide(ctx, { resource: 'endpoints', namespace, name }, `Endpoints ${key}: ${ready} ready, ${notReady} not ready`, { ready, notReady });
    const body: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        ...(current ? current.metadata : { name, namespace }),
        ...(svc.metadata.labels ? { labels: { ...svc.metadata.labels } } : {}),
      },
      subsets,
    };
    const verb = current ? 'update' : 'create';
    this.cc.client.request({ verb, apiVersion: 'v1', resource: 'endpoints', namespace, ...(current ? { name } : {}), body }, dctx, (res) => {
      finish(res.code === 200 || res.code === 201 ? undefined : { error: message(res) });
    });
  };
}
