/**
 * The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a selector, the
 * EndpointSlices listing the pods it selects (see slices.ts for what they hold). kube-proxy programs
 * its rules from them, and `kubectl describe service` reads its Endpoints line from them.
 *
 * Its cache may lag its own writes: a sync right after creating a slice could see none and create
 * another. As upstream's endpointSliceTracker, it remembers the resourceVersion each of its writes
 * produced and waits (requeues) until the informer shows them all before it plans again (slice-tracker.ts).
 */
import type { TraceContext } from '../../log';
import type { ApiResponse } from '../../api/request';
import type { Informer } from '../../api/informer';
import type { EndpointSlice, Node, Pod, Service } from '../../api/types';
import { objectKey } from '../../api/informer';
import { message, QueueController, splitKey, type ControllerContext } from '../context';
import { compileSetSelector } from '../selectors';
import { sharedServiceMemberships, type ServiceMemberships } from '../service-memberships';
import { sharedPodsByNamespace } from '../pods';
import type { KeyIndex } from '../key-index';
import type { ReconcileFn } from '../workqueue/workqueue';
import { desiredGroups, planSliceWrites, SERVICE_NAME_LABEL } from './slices';
import { SliceWriteTracker } from './slice-tracker';

/** How long to wait before looking again whether the informer caught up with this controller's own writes. */
const STALE_RETRY_MS = 100;
/** After this long a write the informer never showed counts as superseded. */
const STALE_GIVE_UP_MS = 10_000;

export class EndpointSliceController extends QueueController {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly slices: Informer<EndpointSlice>;
  /** The cached pods by namespace (shared with the other controllers). */
  private readonly podsByNamespace: KeyIndex<Pod>;
  /** Which Services each pod belongs to (shared with the endpoints controller). */
  private readonly memberships: ServiceMemberships;
  /** Slice keys by the Service key their service-name label names. */
  private readonly slicesByService = new Map<string, Set<string>>();
  /** This controller's own writes, until its cache shows them. */
  private readonly tracker = new SliceWriteTracker(STALE_GIVE_UP_MS);

  constructor(cc: ControllerContext) {
    super(cc, 'endpointslice-controller');
    this.services = cc.informers.get<Service>('v1', 'services');
    this.memberships = sharedServiceMemberships(cc.informers);
    this.pods = cc.informers.get<Pod>('v1', 'pods');
    this.podsByNamespace = sharedPodsByNamespace(cc.informers);
    this.nodes = cc.informers.get<Node>('v1', 'nodes');
    this.slices = cc.informers.get<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices');
    this.enqueueOnChange(this.services);
    this.pods.addHandlers({
      onAdd: (p, ctx) => this.podChanged(undefined, p, ctx),
      onUpdate: (o, p, ctx) => this.podChanged(o, p, ctx),
      onDelete: (p, ctx) => this.podChanged(p, undefined, ctx),
    });
    this.slices.addHandlers({
      onAdd: (s, ctx) => this.sliceChanged(undefined, s, ctx),
      onUpdate: (o, s, ctx) => this.sliceChanged(o, s, ctx),
      onDelete: (s, ctx) => this.sliceChanged(s, undefined, ctx),
    });
  }

  override stop(): void {
    super.stop();
    this.slicesByService.clear();
    this.tracker.clear();
  }

  private podChanged(old: Pod | undefined, pod: Pod | undefined, ctx: TraceContext): void {
    for (const key of this.memberships.of(old, pod)) this.enqueue(key, ctx);
  }

  /** A slice changed (ours, or someone else's edit of one): index it, and look at its Service again. */
  private sliceChanged(old: EndpointSlice | undefined, slice: EndpointSlice | undefined, ctx: TraceContext): void {
    const serviceKey = (s: EndpointSlice) => {
      const name = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return name ? `${s.metadata.namespace}/${name}` : undefined;
    };
    const before = old && serviceKey(old);
    const after = slice && serviceKey(slice);
    if (slice) this.tracker.observe(objectKey(slice), Number(slice.metadata.resourceVersion));
    else this.tracker.observeDeleted(objectKey(old!), before);
    if (before && before !== after) this.slicesByService.get(before)?.delete(objectKey(old!));
    if (after) {
      let keys = this.slicesByService.get(after);
      if (!keys) this.slicesByService.set(after, (keys = new Set()));
      keys.add(objectKey(slice!));
    }
    for (const key of new Set([before, after])) if (key) this.enqueue(key, ctx);
  }

  private slicesOf(serviceKey: string): EndpointSlice[] {
    const out: EndpointSlice[] = [];
    for (const key of this.slicesByService.get(serviceKey) ?? []) {
      const slice = this.slices.get(key);
      if (slice) out.push(slice);
    }
    return out;
  }

  protected reconcile: ReconcileFn = (key, ctx, finish) => {
    const [namespace, name] = splitKey(key);
    const svc = this.services.get(key);
    // A deleted Service's slices go with it through the garbage collector (they name it as their controller).
    if (!svc || !svc.spec.selector || Object.keys(svc.spec.selector).length === 0) {
      this.tracker.forget(key);
      return finish();
    }
    if (!this.tracker.caughtUp(key, this.cc.clock.now(), (sliceKey) => this.slices.get(sliceKey) !== undefined)) return finish({ requeueAfterMs: STALE_RETRY_MS });
    const sel = compileSetSelector(svc.spec.selector);
    const pods: Pod[] = [];
    for (const pod of this.podsByNamespace.objects(namespace)) if (sel.matches(pod.metadata.labels)) pods.push(pod);
    const zoneOf = (node: string) => this.nodes.get(node)?.metadata.labels?.['topology.kubernetes.io/zone'];
    const groups = desiredGroups(svc, pods, zoneOf);
    const writes = planSliceWrites(svc, this.slicesOf(key), groups);
    const total = writes.create.length + writes.update.length + writes.delete.length;
    if (total === 0) return finish();
    const all = groups.flatMap((g) => g.endpoints);
    const ready = all.filter((e) => e.conditions?.ready).length;
    const names = (list: readonly EndpointSlice[]) => list.map((s) => s.metadata.name);
    const dctx = this.decide(ctx, { resource: 'services', namespace, name },
      `EndpointSlices for Service ${key}: ${ready} ready, ${all.length - ready} not ready (${[
        writes.create.length ? `creating ${writes.create.length}` : '',
        writes.update.length ? `updating ${names(writes.update).join(', ')}` : '',
        writes.delete.length ? `deleting ${names(writes.delete).join(', ')}` : '',
      ].filter((x) => x).join('; ')})`,
      { ready, notReady: all.length - ready, create: writes.create.length, update: names(writes.update), delete: names(writes.delete) });
    let pending = total;
    let firstError: string | undefined;
    const done = (res: ApiResponse, sliceKey: string | undefined, rv: number | undefined, ok: boolean) => {
      if (ok && sliceKey !== undefined && rv !== undefined) this.tracker.wrote(key, sliceKey, rv, this.cc.clock.now());
      if (!ok && res.code !== 404) firstError ??= message(res);
      if (--pending === 0) finish(firstError ? { error: firstError } : undefined);
    };
    const api = { apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices', namespace };
    // Creations first, deletions last, as upstream: no moment with fewer endpoints than needed.
    for (const body of writes.create) {
      this.cc.client.request({ verb: 'create', ...api, body }, dctx, (res) => {
        const created = res.body as EndpointSlice;
        done(res, res.code === 201 ? objectKey(created) : undefined, Number(created?.metadata?.resourceVersion), res.code === 201);
      });
    }
    for (const body of writes.update) {
      this.cc.client.request({ verb: 'update', ...api, name: body.metadata.name, body }, dctx, (res) => {
        done(res, objectKey(body), Number((res.body as EndpointSlice)?.metadata?.resourceVersion), res.code === 200);
      });
    }
    for (const slice of writes.delete) {
      this.cc.client.request({ verb: 'delete', ...api, name: slice.metadata.name }, dctx, (res) => {
        done(res, objectKey(slice), 0, res.code === 200);
      });
    }
  };
}
