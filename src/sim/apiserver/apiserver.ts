/**
 * One kube-apiserver instance. It serves the REST verbs for the resources in resources.ts from its
 * own watch cache (fed by one etcd watch over /registry/), and writes through etcd transactions with
 * optimistic concurrency, as upstream's generic registry does:
 *   create  → admission (defaulting) → validation → txn "create if absent"
 *   update / patch → GuaranteedUpdate: start from the cached object, txn "if modRevision is still X",
 *            retry from etcd's current value on a lost race (or 409 when the client gave a resourceVersion)
 *   get / list with resourceVersion "" → consistent read: ask etcd (through its leader) for the current
 *            revision, wait until the cache has it, serve from the cache; "0" → any cached state.
 *   watch    → synthetic ADDED events then changes, or a replay from a resourceVersion (410 when too old).
 * Every request gets a `response` log entry; every watch delivery a `watch` entry whose parent is the
 * etcd commit that caused it.
 */
import type { ApiRequest, ApiResponse, ListObject, Status, WatchEventType, WatchHandle } from '../api/request';
import type { Binding, DaemonSet, Eviction, KubeObject, LabelSelector, Node, ObjectRef, Pod, PodCondition, PodDisruptionBudget, PriorityClass, Secret, Service, ServicePort } from '../api/types';
import { formatLabelSelector, tryParseSelector, type Selector } from '../api/labels';
import { objectKey } from '../api/informer';
import type { Clock, TimerId } from '../clock';
import { EtcdClient, type TxnReceiver, type TxnReply } from '../etcd/client';
import type { EtcdCluster } from '../etcd/raft';
import type { MvccEvent, TxnRequest } from '../etcd/mvcc';
import type { EventLog, TraceContext } from '../log';
import type { Network } from '../network';
import { applyCreateDefaults, applyUpdateDefaults, setDaemonSetTemplateGeneration } from './defaults';
import { parseFieldSelector, type FieldRequirement } from './fields';
import { readEtcdForHealth, serveHealth } from './health';
import { deepClone, deepCloneSharingFrozen, deepEqual, deepEqualExcept, deepFreeze, isPlainObject, stampResourceVersion } from './objects';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch';
import { requestPath, STATUS_TEXT } from './paths';
import { etcdKey, RESOURCES, resourceFor, resourceForKey, type ResourceDef } from './resources';
import { errors, status, success, type FieldError } from './status';
import { NODE_PORT_RANGE } from '../../manifest';
import { validate } from './validation';
import { prepareServiceUpdate } from './service-update';
import { decodeError, prepareSecret } from './secrets';
import { budgetsFor, canIgnoreBudget, decideWithBudget, tooManyBudgets, withDisruption } from './eviction';
import { DEFAULT_WATCH_CACHE, WatchCache, type CacheWatcher, type WatchCacheOptions, type WatchFilter } from './watchcache';
import { ApiExecSession, execContainer } from './exec';
import type { PodExecProvider } from '../kubelet/exec';
import { admitPodPriority, admitPriorityClass, defaultPriorityClass, keepPodPriority } from './priority';

/** The key the API servers' compactors agree through (upstream's, outside /registry/). */
export const COMPACT_REV_KEY = 'compact_rev_key';

export interface PodLogOptions {
  container: string;
  previous?: boolean;
  tailLines?: number;
  timestamps?: boolean;
}

/** What a node's kubelet serves for `pods/log`. */
export type PodLogSource = (namespace: string, pod: string, options: PodLogOptions) => { ok: true; text: string } | { ok: false; code: number; message: string };

export interface ApiServerOptions {
  host: string;
  clock: Clock;
  log: EventLog;
  network: Network;
  etcd: EtcdCluster;
  /** The kubelet log endpoint of a node, if its kubelet registered one. */
  podLogs?: (node: string) => PodLogSource | undefined;
  /** The kubelet exec endpoint of a node, if its kubelet process runs. */
  podExec?: (node: string) => PodExecProvider | undefined;
  watchCache?: Partial<WatchCacheOptions>;
  /** Compact etcd every this many ms to the revision seen one interval earlier (upstream: 5 min). 0 = never. */
  compactionIntervalMs?: number;
}

/**
 * Where a watch's events go (the client's transport). An event comes as its parts: the receiver
 * builds the WatchEvent when it arrives, so only what the message carries lives during its flight.
 */
export interface WatchSink {
  event(type: WatchEventType, object: KubeObject, ctx: TraceContext): void;
  close(status: Status): void;
}

/** Who receives a request's response: the client's call, which carries it back (an object, not a closure per request). */
export interface Responder {
  respond(response: ApiResponse, ctx: TraceContext): void;
}
/** Where a handler's answer goes: the request's ServerCall, or a wrapper reshaping the answer (scale, deletecollection). */
interface Replier {
  reply(response: ApiResponse, ctx?: TraceContext): void;
}
type UpdateResult = { obj: KubeObject; delete?: boolean } | { response: ApiResponse };
/**
 * upstream's tryUpdate: the object to store, computed from the current one. It gets the update in flight
 * too, for the request and its input: the frequent writes pass one function shared by all requests.
 */
type TryUpdate = (existing: KubeObject, update: GuaranteedUpdate) => UpdateResult;

const MAX_RETRIES = 16;
const FRESHNESS_WAIT_MS = 3000;
const INIT_RETRY_MS = 1000;

export class ApiServer {
  readonly name: string;
  readonly host: string;
  running = false;
  /** The watch cache is initialized: requests are served. */
  ready = false;
  /** The etcd revision the watch cache has reached. */
  revision = 0;
  private readonly clock: Clock;
  private readonly log: EventLog;
  private readonly network: Network;
  readonly etcdClient: EtcdClient;
  private readonly caches = new Map<string, WatchCache>();
  private etcdWatch: { cancel(): void } | undefined;
  private readyWaiters: (() => void)[] = [];
  private revisionWaiters: { rv: number; fn: (ok: boolean) => void; timer: TimerId }[] = [];
  private readonly sinks = new Map<CacheWatcher, { sink: WatchSink; cache: WatchCache }>();
  private compactTimer: TimerId | undefined;
  private compactCandidate = 0;
  /** compact_rev_key's modRevision as this server last saw it (0: not yet written). */
  private compactKeyRevision = 0;
  private initTimer: TimerId | undefined;
  private generation = 0;

  constructor(private readonly options: ApiServerOptions) {
    this.host = options.host;
    this.name = `apiserver@${options.host}`;
    this.clock = options.clock;
    this.log = options.log;
    this.network = options.network;
    this.etcdClient = new EtcdClient(options.etcd, options.host, this.name);
    const cacheOptions: WatchCacheOptions = { ...DEFAULT_WATCH_CACHE, ...options.watchCache };
    for (const def of RESOURCES) this.caches.set(def.resource, new WatchCache(def, cacheOptions));
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.initialize();
    const interval = this.options.compactionIntervalMs ?? 0;
    if (interval > 0) this.compactTimer = this.clock.schedule(interval, () => this.compact(interval), 'etcd compaction');
    this.network.changed();
  }

  /** Crash or shut down: every watch ends, queued requests are lost, the cache is forgotten. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.ready = false;
    this.generation++;
    this.etcdWatch?.cancel();
    this.etcdWatch = undefined;
    this.clock.cancel(this.compactTimer);
    this.clock.cancel(this.initTimer);
    for (const w of this.revisionWaiters) this.clock.cancel(w.timer);
    this.revisionWaiters = [];
    this.readyWaiters = [];
    this.closeAllWatches(status(503, 'ServiceUnavailable', 'apiserver is shutting down').body as Status);
    this.network.changed();
  }

  /** The cache of a resource (read-only use: the cluster's unlogged view reads committed state here). */
  cache(resource: string): WatchCache | undefined {
    return this.caches.get(resource);
  }

  private initialize(): void {
    const generation = this.generation;
    const ctx: TraceContext = { traceId: this.log.newTraceId('init') };
    this.etcdClient.range('/registry/', ctx, (r) => {
      if (generation !== this.generation) return;
      if (!r.ok) {
        this.initTimer = this.clock.schedule(INIT_RETRY_MS, () => this.initialize(), 'apiserver init retry');
        return;
      }
      const byResource = new Map<string, KubeObject[]>();
      for (const kv of r.result.kvs) {
        const def = resourceForKey(kv.key);
        if (!def) continue;
        let list = byResource.get(def.resource);
        if (!list) byResource.set(def.resource, (list = []));
        list.push(kv.value as KubeObject);
      }
      if (this.ready) this.closeAllWatches(errors.expired('too old resource version: the watch cache was reinitialized').body as Status);
      for (const [resource, cache] of this.caches) cache.reset(byResource.get(resource) ?? [], r.result.revision);
      this.revision = r.result.revision;
      this.etcdWatch?.cancel();
      this.etcdWatch = this.etcdClient.watch('/registry/', r.result.revision + 1, {
        onEvents: (events, evCtx) => this.onEtcdEvents(events, evCtx),
        onCompacted: () => {
          if (generation === this.generation) this.initialize();
        },
      });
      this.ready = true;
      this.network.changed();
      const waiting = this.readyWaiters;
      this.readyWaiters = [];
      for (const fn of waiting) fn();
      this.wakeRevisionWaiters();
    });
  }

  private onEtcdEvents(events: readonly MvccEvent[], ctx: TraceContext): void {
    const now = this.clock.now();
    for (const e of events) {
      const rv = e.kv.modRevision;
      if (rv <= this.revision) continue;
      this.revision = rv;
      const def = resourceForKey(e.kv.key);
      if (!def) continue;
      const cache = this.caches.get(def.resource)!;
      if (e.type === 'put') cache.apply(e.prevKv ? 'MODIFIED' : 'ADDED', e.kv.value as KubeObject, e.prevKv?.value as KubeObject | undefined, rv, now, ctx);
      else cache.apply('DELETED', e.prevKv!.value as KubeObject, e.prevKv!.value as KubeObject, rv, now, ctx);
    }
    this.wakeRevisionWaiters();
  }

  /**
   * upstream's compactor: every API server tries once an interval, to the revision it saw an interval
   * ago. The one whose transaction moves etcd's compact_rev_key on from the revision it last saw
   * compacts; the others learn the key's new revision. So one compaction an interval, whichever
   * API servers are up.
   */
  private compact(interval: number): void {
    this.compactTimer = this.clock.schedule(interval, () => this.compact(interval), 'etcd compaction');
    if (!this.ready) return;
    const target = this.compactCandidate;
    this.compactCandidate = this.revision;
    if (target <= 0) return;
    const txn: TxnRequest = { key: COMPACT_REV_KEY, expectModRevision: this.compactKeyRevision, op: { type: 'put', value: String(target) } };
    this.etcdClient.txn(txn, { traceId: this.log.newTraceId('compact') }, {
      proposalDone: (r) => {
        if (!r.ok) return;
        if (!r.result.succeeded) {
          this.compactKeyRevision = r.result.current?.modRevision ?? 0;
          return;
        }
        this.compactKeyRevision = r.result.kv!.modRevision;
        this.etcdClient.compact(target, r.commitCtx, () => undefined);
      },
    });
  }

  // ------------------------------------------------------------------ requests

  handle(req: ApiRequest, ctx: TraceContext, responder: Responder): void {
    if (!this.running) return;
    if (req.nonResourcePath !== undefined) return this.nonResource(req, ctx, new ServerCall(this, req, ctx, responder, this.generation));
    if (!this.ready) {
      this.readyWaiters.push(() => this.handle(req, ctx, responder));
      return;
    }
    const call = new ServerCall(this, req, ctx, responder, this.generation);
    const def = resourceFor(req.apiVersion, req.resource);
    if (!def) return call.reply(errors.notFoundResource(`${req.verb} ${requestPath(req)}`));
    if (def.namespaced && req.namespace === undefined && !['list', 'watch', 'create', 'deletecollection'].includes(req.verb)) {
      return call.reply(errors.badRequest('the server could not find the requested resource: a namespace is required'));
    }
    const sub = req.subresource;
    if (sub === undefined) return this.handleMain(def, req, ctx, call);
    if (sub === 'status' && def.hasStatus) {
      if (req.verb === 'get') return this.get(def, req, ctx, call);
      if (req.verb === 'update' || req.verb === 'patch') return this.update(def, req, ctx, call);
    }
    if (sub === 'binding' && def.kind === 'Pod' && req.verb === 'create') return this.bind(def, req, ctx, call);
    if (sub === 'eviction' && def.kind === 'Pod' && req.verb === 'create') return this.evict(def, req, ctx, call);
    if (sub === 'scale' && def.hasScale) return this.scale(def, req, ctx, call);
    if (sub === 'log' && def.kind === 'Pod' && req.verb === 'get') return this.podLog(def, req, ctx, call);
    if (sub === 'exec' && def.kind === 'Pod' && (req.verb === 'get' || req.verb === 'create')) return this.podExec(def, req, ctx, call);
    call.reply(errors.notFoundResource(`${req.verb} ${requestPath(req)}`));
  }

  /** The health endpoints (health.ts): served before the watch cache is ready too, as upstream serves them while starting. */
  private nonResource(req: ApiRequest, ctx: TraceContext, call: Replier): void {
    const probe = { etcd: (done: (error?: string) => void) => readEtcdForHealth(this.clock, this.etcdClient, ctx, done), cacheLoaded: () => this.ready };
    serveHealth(req.nonResourcePath!, req.query, probe, (res) => call.reply(res));
  }

  private handleMain(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    switch (req.verb) {
      case 'get': return this.get(def, req, ctx, call);
      case 'list': return this.list(def, req, ctx, call);
      case 'create': return this.create(def, req, ctx, call);
      case 'update':
      case 'patch': return this.update(def, req, ctx, call);
      case 'delete': return this.delete(def, req, ctx, call);
      case 'deletecollection': return this.deleteCollection(def, req, ctx, call);
      case 'watch': return call.reply(errors.methodNotAllowed('watch requests go through ApiServer.watch'));
    }
  }

  /** @internal (ServerCall) Answer a request unless this server restarted since it came. */
  answer(generation: number, req: ApiRequest, res: ApiResponse, at: TraceContext, responder: Responder): void {
    if (generation === this.generation) this.reply(req, res, at, responder);
  }

  private reply(req: ApiRequest, res: ApiResponse, at: TraceContext, responder: Responder): void {
    // Nobody records (a scale run): the response's entry only takes its number.
    if (!this.log.recording) return responder.respond(res, { traceId: at.traceId, parentId: this.log.takeSeq() });
    const body = res.body as Partial<KubeObject> & Partial<Status>;
    const rv = isPlainObject(body) && isPlainObject(body.metadata) ? (body.metadata as { resourceVersion?: string }).resourceVersion : undefined;
    const failed = isPlainObject(body) && body.kind === 'Status' && body.status === 'Failure';
    const seq = this.log.append({
      t: this.clock.now(), traceId: at.traceId, parentId: at.parentId, from: this.name, to: req.client, kind: 'response',
      objectRef: refOf(req, body),
      summary: `${res.code} ${STATUS_TEXT[res.code] ?? ''}${rv ? ` rv=${rv}` : ''}${failed ? `: ${body.message}` : ''}`,
      detail: { code: res.code, verb: req.verb, resourceVersion: rv, body: res.body },
    }).seq;
    responder.respond(res, { traceId: at.traceId, parentId: seq });
  }

  // ------------------------------------------------------------------ reads

  /**
   * Make the cache fresh enough for a read: "0" → as it is; "N" → at least N; "" → at least etcd's
   * current revision, confirmed by the leader (fails without quorum).
   */
  private fresh(rvParam: string | undefined, ctx: TraceContext, done: (error?: ApiResponse) => void): void {
    if (rvParam === '0') return done();
    if (rvParam) {
      const rv = Number(rvParam);
      if (!Number.isInteger(rv) || rv < 0) return done(errors.badRequest(`invalid resource version "${rvParam}"`));
      return this.waitForRevision(rv, (ok) => done(ok ? undefined : errors.tooLargeResourceVersion(rv, this.revision)));
    }
    this.etcdClient.currentRevision(ctx, (r) => {
      if (!r.ok) return done(errors.internal(r.error));
      this.waitForRevision(r.revision, (ok) => done(ok ? undefined : errors.tooLargeResourceVersion(r.revision, this.revision)));
    });
  }

  private waitForRevision(rv: number, fn: (ok: boolean) => void): void {
    if (this.revision >= rv) return fn(true);
    const timer = this.clock.schedule(FRESHNESS_WAIT_MS, () => {
      this.revisionWaiters = this.revisionWaiters.filter((w) => w !== waiter);
      fn(false);
    }, 'apiserver freshness wait');
    const waiter = { rv, fn, timer };
    this.revisionWaiters.push(waiter);
  }

  private wakeRevisionWaiters(): void {
    if (this.revisionWaiters.length === 0) return;
    const ready = this.revisionWaiters.filter((w) => w.rv <= this.revision);
    if (ready.length === 0) return;
    this.revisionWaiters = this.revisionWaiters.filter((w) => w.rv > this.revision);
    for (const w of ready) {
      this.clock.cancel(w.timer);
      w.fn(true);
    }
  }

  private get(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    this.fresh(req.query?.resourceVersion, ctx, (error) => {
      if (error) return call.reply(error);
      const obj = this.caches.get(def.resource)!.get(req.namespace, req.name!);
      call.reply(obj ? { code: 200, body: obj } : errors.notFound(def, req.name!));
    });
  }

  private filterOf(def: ResourceDef, req: Pick<ApiRequest, 'namespace' | 'query'>): WatchFilter | { error: ApiResponse } {
    let labels: Selector | undefined;
    if (req.query?.labelSelector) {
      const parsed = tryParseSelector(req.query.labelSelector);
      if ('error' in parsed) return { error: errors.badRequest(`unable to parse requirement: ${parsed.error}`) };
      labels = parsed.selector;
    }
    const fields = parseFieldSelector(def, req.query?.fieldSelector);
    if (!Array.isArray(fields)) return { error: errors.badRequest(fields.error) };
    return { namespace: def.namespaced ? req.namespace : undefined, labels, fields: fields as FieldRequirement[] };
  }

  private list(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    const filter = this.filterOf(def, req);
    if ('error' in filter) return call.reply(filter.error);
    this.fresh(req.query?.resourceVersion, ctx, (error) => {
      if (error) return call.reply(error);
      let items = this.caches.get(def.resource)!.list(filter);
      const metadata: ListObject['metadata'] = { resourceVersion: String(this.revision) };
      const offset = req.query?.continue ? Number(req.query.continue.split('/')[1] ?? 0) : 0;
      if (offset > 0) items = items.slice(offset);
      const limit = req.query?.limit;
      if (limit && limit > 0 && items.length > limit) {
        metadata.continue = `${this.revision}/${offset + limit}`;
        metadata.remainingItemCount = items.length - limit;
        items = items.slice(0, limit);
      }
      const body: ListObject = { apiVersion: def.apiVersion, kind: `${def.kind}List`, metadata, items };
      call.reply({ code: 200, body });
    });
  }

  // ------------------------------------------------------------------ watch

  watch(req: ApiRequest, ctx: TraceContext, sink: WatchSink): WatchHandle {
    let stopped = false;
    let cleanup = () => undefined as void;
    const handle: WatchHandle = {
      stop: () => {
        stopped = true;
        cleanup();
      },
    };
    if (!this.running) return handle;
    if (!this.ready) {
      this.readyWaiters.push(() => {
        if (!stopped) cleanup = this.startWatch(req, ctx, sink, () => stopped);
      });
      return handle;
    }
    cleanup = this.startWatch(req, ctx, sink, () => stopped);
    return handle;
  }

  private startWatch(req: ApiRequest, ctx: TraceContext, sink: WatchSink, stopped: () => boolean): () => void {
    const logResponse = (res: ApiResponse) => {
      let at: TraceContext = ctx;
      this.reply(req, res, ctx, { respond: (_r, c) => (at = c) });
      return at;
    };
    const def = resourceFor(req.apiVersion, req.resource);
    if (!def) {
      const res = errors.notFoundResource(requestPath(req));
      logResponse(res);
      sink.close(res.body as Status);
      return () => undefined;
    }
    const filter = this.filterOf(def, req);
    if ('error' in filter) {
      logResponse(filter.error);
      sink.close(filter.error.body as Status);
      return () => undefined;
    }
    const cache = this.caches.get(def.resource)!;
    const watcher: CacheWatcher = {
      ...filter,
      deliver: (type, object, evCtx) => {
        if (stopped()) return;
        this.deliver(def, req.client, type, object, evCtx, sink);
      },
    };
    let registered = false;
    const register = () => {
      if (stopped() || !this.running) return;
      cache.addWatcher(watcher);
      this.sinks.set(watcher, { sink, cache });
      registered = true;
    };
    const rvParam = req.query?.resourceVersion;
    if (!rvParam || rvParam === '0') {
      const at = logResponse({ code: 200, body: { apiVersion: def.apiVersion, kind: `${def.kind}List`, metadata: { resourceVersion: String(this.revision) }, items: [] } });
      for (const obj of cache.list(filter)) watcher.deliver('ADDED', obj, at);
      register();
    } else {
      const rv = Number(rvParam);
      this.waitForRevision(rv, (ok) => {
        if (stopped() || !this.running) return;
        if (!ok) {
          const res = errors.tooLargeResourceVersion(rv, this.revision);
          logResponse(res);
          return sink.close(res.body as Status);
        }
        const replay = cache.replayFor(filter, rv);
        if (!replay) {
          const res = errors.expired(`too old resource version: ${rv} (${cache.windowStart})`);
          logResponse(res);
          return sink.close(res.body as Status);
        }
        logResponse({ code: 200, body: { apiVersion: def.apiVersion, kind: `${def.kind}List`, metadata: { resourceVersion: String(rv) }, items: [] } });
        for (const { event, type, object } of replay) watcher.deliver(type, object, event.ctx);
        register();
      });
    }
    return () => {
      if (!registered) return;
      cache.removeWatcher(watcher);
      this.sinks.delete(watcher);
    };
  }

  private deliver(def: ResourceDef, client: string, type: WatchEventType, object: KubeObject, ctx: TraceContext, sink: WatchSink): void {
    // The most frequent entry of all: built only when someone records, and no closure otherwise.
    const seq = !this.log.recording ? this.log.takeSeq() : this.log.append({
      t: this.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.name, to: client, kind: 'watch',
      objectRef: { resource: def.resource, namespace: object.metadata.namespace, name: object.metadata.name ?? '' },
      summary: `${type} ${def.resource} ${objectKey(object)}`,
      detail: { type, resourceVersion: object.metadata.resourceVersion, object },
    }).seq;
    sink.event(type, object, { traceId: ctx.traceId, parentId: seq });
  }

  private closeAllWatches(reason: Status): void {
    const all = [...this.sinks];
    this.sinks.clear();
    for (const [watcher, { sink, cache }] of all) {
      cache.removeWatcher(watcher);
      sink.close(reason);
    }
  }

  // ------------------------------------------------------------------ writes

  private create(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    const body = req.body;
    if (!isPlainObject(body)) return call.reply(errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body ?? null)}'`));
    if (body.kind !== undefined && (body.kind !== def.kind || (body.apiVersion !== undefined && body.apiVersion !== def.apiVersion))) {
      return call.reply(errors.badRequest(`${String(body.kind)} in version "${String(body.apiVersion)}" cannot be handled as a ${def.kind}: the object's kind and apiVersion must be ${def.kind} in ${def.apiVersion}`));
    }
    const obj = deepClone(body) as KubeObject;
    obj.apiVersion = def.apiVersion;
    obj.kind = def.kind;
    obj.metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
    if (def.kind === 'Secret' || def.kind === 'ConfigMap') {
      const decodeErr = decodeError(def, obj);
      if (decodeErr) return call.reply(errors.badRequest(decodeErr));
      if (def.kind === 'Secret') prepareSecret(obj as Secret);
    }
    const meta = obj.metadata;
    let namespace: string | undefined;
    if (def.namespaced) {
      namespace = req.namespace ?? meta.namespace ?? 'default';
      if (meta.namespace && meta.namespace !== namespace) return call.reply(errors.badRequest('the namespace of the provided object does not match the namespace sent on the request'));
      meta.namespace = namespace;
      const ns = this.caches.get('namespaces')!.get(undefined, namespace);
      const nsDef = resourceFor('v1', 'namespaces')!;
      if (!ns) return call.reply(errors.notFound(nsDef, namespace));
      if ((ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
        return call.reply(errors.forbidden(def, meta.name ?? meta.generateName ?? '', `unable to create new content in namespace ${namespace} because it is being terminated`));
      }
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + this.clock.rng.suffix(5);
    meta.uid = this.clock.rng.uuid();
    meta.creationTimestamp = this.clock.iso();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (def.generation) meta.generation = 1;
    else delete meta.generation;
    omitEmptyLists(meta);
    if (def.hasStatus && def.kind !== 'Node') delete obj.status;
    const nodePortErrs = def.kind === 'Service' ? this.checkNodePorts(obj as Service) : [];
    // The Priority admission plugin (mutating) resolves the pod's class before the defaults fill in the rest.
    if (def.kind === 'Pod' && isPlainObject(obj.spec)) {
      const refused = admitPodPriority(obj as Pod, this.priorityClasses());
      if (refused) return call.reply(errors.forbidden(def, meta.name ?? '', refused));
    }
    applyCreateDefaults(def, obj, { allocateServiceIP: () => this.allocateServiceIP(), allocateNodePort: (taken) => this.allocateNodePort(taken) });
    if (def.kind === 'PriorityClass') defaultPriorityClass(obj as PriorityClass);
    const errs = [...nodePortErrs, ...validate(def, obj)];
    if (errs.length > 0) return call.reply(errors.invalid(def, meta.name ?? '', errs));
    if (def.kind === 'PriorityClass') {
      const refused = admitPriorityClass(obj as PriorityClass, this.priorityClasses(), true);
      if (refused) return call.reply(errors.forbidden(def, meta.name ?? '', refused));
    }
    write(this.etcdClient, etcdKey(def, namespace, meta.name!), obj, 0, ctx, new Creation(def, meta.name!, call));
  }

  /**
   * upstream's GuaranteedUpdate (see the class of that name): start from the cached object, after the
   * cache has caught up with a resourceVersion the client pinned.
   */
  private guaranteedUpdate(def: ResourceDef, req: ApiRequest, namespace: string | undefined, name: string, ctx: TraceContext, precondition: number | undefined, tryUpdate: TryUpdate, input: unknown, done: Replier): void {
    const cache = this.caches.get(def.resource)!;
    const update = new GuaranteedUpdate(this.etcdClient, def, req, etcdKey(def, namespace, name), name, ctx, precondition, tryUpdate, input, done);
    const cached = cache.get(namespace, name);
    if (precondition !== undefined && cached && Number(cached.metadata.resourceVersion) < precondition) {
      // The client has seen a newer version than this cache: catch up first (round-robin behind a load balancer).
      return this.waitForRevision(precondition, () => update.attempt(cache.get(namespace, name)));
    }
    if (!cached && precondition !== undefined) {
      return this.waitForRevision(precondition, () => update.attempt(cache.get(namespace, name)));
    }
    update.attempt(cached);
  }

  private update(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    const name = req.name!;
    let precondition: number | undefined;
    let input: unknown;
    if (req.verb === 'update') {
      const body = req.body;
      if (!isPlainObject(body)) return call.reply(errors.badRequest('the body of the request is not an object'));
      const meta = isPlainObject(body.metadata) ? (body.metadata as KubeObject['metadata']) : {};
      if (meta.name && meta.name !== name) return call.reply(errors.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`));
      if (meta.resourceVersion) precondition = Number(meta.resourceVersion);
      // The body usually holds the stored object's frozen parts: those are shared, the rest copied.
      input = deepCloneSharingFrozen(body);
    } else {
      const type = req.patchType ?? 'application/strategic-merge-patch+json';
      if (type === 'application/apply-patch+yaml') return call.reply(errors.unsupportedMediaType(type));
      // jsonPatch copies what it takes from the patch and mergePatch copies what it changes (sharing the
      // rest of the stored object); strategic merge takes the patch's parts as they are, so it gets a copy.
      const patch = type === 'application/strategic-merge-patch+json' ? deepClone(req.body) : req.body;
      const pinned = isPlainObject(patch) && isPlainObject(patch.metadata) ? (patch.metadata as { resourceVersion?: string }).resourceVersion : undefined;
      if (pinned) precondition = Number(pinned);
      input = patch;
    }
    this.guaranteedUpdate(def, req, req.namespace, name, ctx, precondition, this.tryUpdateOrPatch, input, call);
  }

  /** update's and patch's tryUpdate: the request's object, or its patch applied to the current object (`update.input`). */
  private readonly tryUpdateOrPatch: TryUpdate = (existing, update) => {
    const candidate = candidateOf(update.req, update.def, update.input, existing);
    if (!isPlainObject(candidate) || !isPlainObject((candidate as KubeObject).metadata)) {
      return { response: 'code' in (candidate as object) ? (candidate as ApiResponse) : errors.badRequest('the patched object is not a valid object') };
    }
    return this.prepareUpdate(update.def, existing, candidate as KubeObject, update.req.subresource);
  };

  /** The object to store for an update of `existing` to `candidate` (which may share frozen parts). */
  private prepareUpdate(def: ResourceDef, existing: KubeObject, candidate: KubeObject, sub: string | undefined): UpdateResult {
    let obj: KubeObject;
    if (sub === 'status') {
      // A patch that leaves the status as it was returns it as it was (mergePatch shares it): no copy to compare.
      obj = candidate.status === existing.status ? existing : { ...existing, status: candidate.status };
    } else {
      const m = existing.metadata;
      const meta = {
        ...candidate.metadata, name: m.name, namespace: m.namespace, uid: m.uid, creationTimestamp: m.creationTimestamp,
        deletionTimestamp: m.deletionTimestamp, deletionGracePeriodSeconds: m.deletionGracePeriodSeconds, generation: m.generation,
      };
      omitEmptyLists(meta);
      obj = { ...candidate, apiVersion: def.apiVersion, kind: def.kind, metadata: meta };
      if (def.hasStatus) obj.status = existing.status;
      if (def.kind === 'Deployment' || def.kind === 'ReplicaSet' || def.kind === 'Job' || def.kind === 'CronJob' || def.kind === 'DaemonSet') {
        obj.spec = deepClone(obj.spec);
        applyUpdateDefaults(def, obj);
      }
      if (def.kind === 'DaemonSet' && isPlainObject(obj.spec)) {
        const templateChanged = !deepEqual((obj as DaemonSet).spec.template, (existing as DaemonSet).spec?.template);
        setDaemonSetTemplateGeneration(obj as DaemonSet, existing as DaemonSet, templateChanged);
      }
      const spec = obj.spec as Pod['spec'] | undefined;
      if (def.kind === 'Pod' && isPlainObject(spec) && (spec.priority === undefined || spec.preemptionPolicy === undefined)) {
        obj.spec = { ...spec };
        keepPodPriority(obj as Pod, existing as Pod);
      }
      if (def.kind === 'PriorityClass') {
        obj = { ...obj };
        defaultPriorityClass(obj as PriorityClass);
      }
      if (def.kind === 'Secret' || def.kind === 'ConfigMap') {
        const decodeErr = decodeError(def, obj);
        if (decodeErr) return { response: errors.badRequest(decodeErr) };
        if (def.kind === 'Secret') prepareSecret(obj as Secret);
      }
      if (def.kind === 'Service' && isPlainObject(obj.spec)) {
        const serviceErrs = prepareServiceUpdate(obj as Service, existing as Service, () => this.allocateServiceIP());
        serviceErrs.push(...this.updateNodePorts(obj as Service, existing as Service));
        if (serviceErrs.length > 0) return { response: errors.invalid(def, existing.metadata.name ?? '', serviceErrs) };
      }
      if (def.generation && !deepEqual(desiredState(obj), desiredState(existing))) meta.generation = (m.generation ?? 0) + 1;
    }
    const errs = validate(def, obj, existing, sub);
    if (errs.length > 0) return { response: errors.invalid(def, existing.metadata.name ?? '', errs) };
    if (def.kind === 'PriorityClass' && sub === undefined) {
      const refused = admitPriorityClass(obj as PriorityClass, this.priorityClasses(), false);
      if (refused) return { response: errors.forbidden(def, existing.metadata.name ?? '', refused) };
    }
    if (isFinalized(def, obj)) return { obj: existing, delete: true };
    return { obj };
  }

  private delete(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    this.guaranteedUpdate(def, req, req.namespace, req.name!, ctx, undefined, this.tryDelete, undefined, call);
  }

  /** delete's tryUpdate. */
  private readonly tryDelete: TryUpdate = (existing, update) => {
    const query = update.req.query;
    // DeleteOptions.preconditions.uid: the object must still be the one the client meant (upstream's checkPreconditions).
    const wantUid = (update.req.body as { preconditions?: { uid?: unknown } } | undefined)?.preconditions?.uid;
    if (typeof wantUid === 'string' && wantUid !== '' && wantUid !== existing.metadata.uid) {
      return { response: errors.conflict(update.def, existing.metadata.name!, `Precondition failed: UID in precondition: ${wantUid}, UID in object meta: ${existing.metadata.uid ?? ''}`) };
    }
    return this.prepareDelete(update.def, existing, query?.gracePeriodSeconds, query?.propagationPolicy);
  };

  /**
   * Deleting an object marks it (deletionTimestamp) when something must happen first — a pod's graceful stop, or
   * finalizers — else removes it. Foreground and Orphan propagation add the garbage collector's finalizer
   * (foregroundDeletion / orphan), as upstream's registry does; Background leaves dependents to the collector.
   */
  private prepareDelete(def: ResourceDef, existing: KubeObject, requested: number | undefined, propagation?: string): UpdateResult {
    let meta = existing.metadata;
    // batch/v1 Jobs orphan their pods unless told otherwise (the job strategy's DefaultGarbageCollectionPolicy,
    // kept for compatibility); kubectl delete asks for Background.
    if (propagation === undefined && def.kind === 'Job') propagation = 'Orphan';
    const gcFinalizer = propagation === 'Foreground' ? 'foregroundDeletion' : propagation === 'Orphan' ? 'orphan' : undefined;
    if (gcFinalizer && def.kind !== 'Pod' && def.kind !== 'Namespace' && !meta.deletionTimestamp && !(meta.finalizers ?? []).includes(gcFinalizer)) {
      meta = { ...meta, finalizers: [...(meta.finalizers ?? []), gcFinalizer] };
      existing = { ...existing, metadata: meta };
    }
    const finalizers = meta.finalizers ?? [];
    let grace = 0;
    if (def.kind === 'Pod') {
      const pod = existing as Pod;
      grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      const phase = pod.status?.phase;
      if (!pod.spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
    }
    if (def.kind === 'Namespace') {
      if (meta.deletionTimestamp) return { response: { code: 200, body: existing } };
      const obj = { ...existing, metadata: { ...meta, deletionTimestamp: this.clock.iso(), deletionGracePeriodSeconds: 0 }, status: { ...(existing.status as object), phase: 'Terminating' } };
      return isFinalized(def, obj) ? { obj: existing, delete: true } : { obj };
    }
    if (grace > 0 || finalizers.length > 0) {
      if (meta.deletionTimestamp) {
        const current = meta.deletionGracePeriodSeconds ?? 0;
        if (grace >= current) return grace === 0 && finalizers.length === 0 ? { obj: existing, delete: true } : { response: { code: 200, body: existing } };
      }
      if (grace === 0 && finalizers.length === 0) return { obj: existing, delete: true };
      const obj: KubeObject = {
        ...existing,
        metadata: {
          ...meta,
          deletionTimestamp: this.clock.iso(this.clock.now() + grace * 1000),
          deletionGracePeriodSeconds: grace,
          generation: meta.generation !== undefined && !meta.deletionTimestamp ? meta.generation + 1 : meta.generation,
        },
      };
      return { obj };
    }
    return { obj: existing, delete: true };
  }

  private deleteCollection(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    const filter = this.filterOf(def, req);
    if ('error' in filter) return call.reply(filter.error);
    const targets = this.caches.get(def.resource)!.list(filter);
    const deleted: KubeObject[] = [];
    let lastCtx: TraceContext | undefined;
    const next = (i: number) => {
      if (i >= targets.length) {
        return call.reply({ code: 200, body: { apiVersion: def.apiVersion, kind: `${def.kind}List`, metadata: { resourceVersion: String(this.revision) }, items: deleted } }, lastCtx);
      }
      const t = targets[i];
      const tryUpdate: TryUpdate = (existing) => this.prepareDelete(def, existing, req.query?.gracePeriodSeconds);
      this.guaranteedUpdate(def, req, t.metadata.namespace, t.metadata.name!, ctx, undefined, tryUpdate, undefined, {
        reply: (res, c) => {
          if (res.code === 200) deleted.push(res.body as KubeObject);
          if (c) lastCtx = c;
          next(i + 1);
        },
      });
    };
    next(0);
  }

  // ------------------------------------------------------------------ subresources

  private bind(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    const binding = req.body as Binding | undefined;
    const name = req.name ?? binding?.metadata?.name;
    const target = binding?.target?.name;
    if (!name) return call.reply(errors.badRequest('name is required for a binding'));
    if (!target) return call.reply(errors.invalid({ ...def, kind: 'Binding', group: '' }, name, [{ type: 'Required', field: 'target.name' }]));
    this.guaranteedUpdate(def, req, req.namespace, name, ctx, undefined, this.tryBind, target, answeredWithStatus(call));
  }

  /**
   * pods/eviction: a delete that first asks the pod's PodDisruptionBudget, as `kubectl drain` sends it
   * (eviction.ts decides: refuse with 429, delete, or take one disruption from the budget's status first).
   * The pod is deleted as a delete with the Eviction's deleteOptions would (gracefully), and the answer is
   * a Status Success, 201.
   */
  private evict(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    const eviction = req.body as Partial<Eviction> | undefined;
    if (!isPlainObject(eviction) || eviction.kind !== 'Eviction') return call.reply(errors.badRequest('not a Eviction object'));
    if (!req.name || eviction.metadata?.name !== req.name) return call.reply(errors.badRequest('name in URL does not match name in Eviction object'));
    const grace = eviction.deleteOptions?.gracePeriodSeconds;
    if (grace !== undefined && !(Number.isInteger(grace) && grace >= 0)) {
      return call.reply(errors.badRequest(`deleteOptions.gracePeriodSeconds: must be a non-negative integer, not ${JSON.stringify(grace)}`));
    }
    const deletePod: Replier = { reply: () => this.guaranteedUpdate(def, req, req.namespace, req.name!, ctx, undefined, this.tryEvict, grace, answeredWithStatus(call)) };
    const pod = this.caches.get(def.resource)!.get(req.namespace, req.name) as Pod | undefined;
    if (!pod || canIgnoreBudget(pod)) return deletePod.reply(success());
    const budgets = budgetsFor(pod, this.caches.get('poddisruptionbudgets')!.list({ fields: [] }) as PodDisruptionBudget[]);
    if (budgets.length === 0) return deletePod.reply(success());
    if (budgets.length > 1) return call.reply(tooManyBudgets());
    const pdbDef = resourceFor('policy/v1', 'poddisruptionbudgets')!;
    const budget = budgets[0];
    const statusReq: ApiRequest = { ...req, resource: 'poddisruptionbudgets', apiVersion: 'policy/v1', name: budget.metadata.name, subresource: 'status', body: undefined };
    // Take one disruption from the budget's status (re-decided on its current version if a write races), then delete.
    this.guaranteedUpdate(pdbDef, statusReq, req.namespace, budget.metadata.name!, ctx, undefined, this.tryDisrupt, pod, {
      reply: (res, at) => (res.code === 200 ? deletePod.reply(res, at) : call.reply(res, at)),
    });
  }

  /** eviction's budget update: one disruption fewer for the pod `update.input`, or the refusal; 200 with no write when the pod may just go. */
  private readonly tryDisrupt: TryUpdate = (existing, update) => {
    const pod = update.input as Pod;
    const decision = decideWithBudget(pod, existing as PodDisruptionBudget);
    if (decision.kind === 'refuse') return { response: decision.response };
    if (decision.kind === 'delete') return { response: { code: 200, body: existing } };
    return { obj: withDisruption(decision.budget, pod, this.clock.iso()) };
  };

  /** eviction's tryUpdate: delete, with the grace period `update.input` (the Eviction's deleteOptions). */
  private readonly tryEvict: TryUpdate = (existing, update) => this.prepareDelete(update.def, existing, update.input as number | undefined);

  /** binding's tryUpdate: the pod, on node `update.input`. */
  private readonly tryBind: TryUpdate = (existing, update) => {
    const { def, name } = update;
    const pod = existing as Pod;
    if (pod.metadata.deletionTimestamp) return { response: errors.conflict(def, name, `pod ${name} is being deleted, cannot be assigned to a host`, 'binding') };
    if (pod.spec.nodeName) return { response: errors.conflict(def, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`, 'binding') };
    const annotations = (update.req.body as Binding | undefined)?.metadata?.annotations;
    const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: this.clock.iso() };
    const obj: KubeObject = {
      ...pod,
      metadata: annotations ? { ...pod.metadata, annotations: { ...pod.metadata.annotations, ...annotations } } : pod.metadata,
      spec: { ...pod.spec, nodeName: update.input as string },
      status: { ...pod.status, conditions: upsertCondition(pod.status?.conditions, scheduled) },
    };
    return { obj };
  };

  private scale(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    const toScale = (obj: KubeObject) => {
      const spec = obj.spec as { replicas?: number; selector?: LabelSelector };
      const st = obj.status as { replicas?: number } | undefined;
      return {
        apiVersion: 'autoscaling/v1', kind: 'Scale',
        metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
        spec: { replicas: spec.replicas ?? 0 },
        status: { replicas: st?.replicas ?? 0, selector: formatLabelSelector(spec.selector) },
      } as KubeObject;
    };
    const answer: Replier = { reply: (res, at) => call.reply(res.code === 200 ? { code: 200, body: toScale(res.body as KubeObject) } : res, at) };
    if (req.verb === 'get') {
      return this.get(def, { ...req, subresource: undefined }, ctx, answer);
    }
    if (req.verb !== 'update' && req.verb !== 'patch') return call.reply(errors.methodNotAllowed());
    this.guaranteedUpdate(def, req, req.namespace, req.name!, ctx, undefined, (existing) => {
      const current = toScale(existing);
      let desired: KubeObject;
      try {
        desired = req.verb === 'update' ? (req.body as KubeObject)
          : req.patchType === 'application/json-patch+json' ? (jsonPatch(current, req.body) as KubeObject)
          : (mergePatch(current, req.body) as KubeObject);
      } catch (e) {
        if (e instanceof PatchError) return { response: status(422, 'Invalid', e.message) };
        throw e;
      }
      const replicas = (desired?.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        return { response: errors.invalid({ ...def, kind: 'Scale', group: 'autoscaling' }, req.name!, [{ type: 'Invalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]) };
      }
      const spec = { ...(existing.spec as object), replicas };
      return this.prepareUpdate(def, existing, { ...existing, spec }, undefined);
    }, undefined, answer);
  }

  private podLog(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    this.fresh('0', ctx, () => {
      const pod = this.caches.get('pods')!.get(req.namespace, req.name!) as Pod | undefined;
      if (!pod) return call.reply(errors.notFound(def, req.name!));
      const names = (pod.spec.containers ?? []).map((c) => c.name);
      let container = req.query?.container;
      if (!container) {
        if (names.length !== 1) return call.reply(errors.badRequest(`a container name must be specified for pod ${req.name}, choose one of: [${names.join(' ')}]`));
        container = names[0];
      }
      if (!names.includes(container) && !(pod.spec.initContainers ?? []).some((c) => c.name === container)) {
        return call.reply(errors.badRequest(`container ${container} is not valid for pod ${req.name}`));
      }
      const node = pod.spec.nodeName;
      if (!node) return call.reply(errors.badRequest(`pod ${req.name} does not have a host assigned`));
      const url = `https://${node}:10250/containerLogs/${req.namespace}/${req.name}/${container}`;
      const source = this.options.podLogs?.(node);
      const refused = () => call.reply(errors.internal(`Get "${url}": dial tcp ${node}:10250: connect: connection refused`));
      if (!source || !this.network.canReach(this.host, node)) return refused();
      const opts: PodLogOptions = { container, previous: req.query?.previous, tailLines: req.query?.tailLines, timestamps: req.query?.timestamps };
      this.network.send(this.host, node, () => {
        const r = source(req.namespace!, req.name!, opts);
        this.network.send(node, this.host, () => call.reply(r.ok ? { code: 200, body: r.text } : status(r.code, r.code === 404 ? 'NotFound' : 'BadRequest', r.message)));
      });
    });
  }

  /**
   * pods/exec (exec.ts): the checks answer at once; otherwise 101 with the session, which then dials the
   * node's kubelet. GET (a WebSocket upgrade) and POST (SPDY) reach here alike.
   */
  private podExec(def: ResourceDef, req: ApiRequest, ctx: TraceContext, call: Replier): void {
    this.fresh('0', ctx, () => {
      const pod = this.caches.get('pods')!.get(req.namespace, req.name!) as Pod | undefined;
      if (!pod) return call.reply(errors.notFound(def, req.name!));
      const target = execContainer(pod, req.query?.container);
      if ('error' in target) return call.reply(target.error);
      const node = pod.spec.nodeName!;
      const nodeObj = this.caches.get('nodes')!.get(undefined, node) as Node | undefined;
      const address = nodeObj?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? node;
      const q = req.query ?? {};
      const options = { command: q.command ?? [], stdin: q.stdin ?? false, stdout: q.stdout ?? false, stderr: q.stderr ?? false, tty: q.tty ?? false };
      const session = new ApiExecSession(
        { clock: this.clock, log: this.log, network: this.network, host: this.host, name: this.name, client: req.client },
        { namespace: req.namespace!, pod: req.name!, container: target.container, node, address, options, kubelet: this.options.podExec?.(node) },
      );
      call.reply({ code: 101, body: '', stream: session });
      session.start(ctx);
    });
  }

  // ------------------------------------------------------------------ helpers

  /** Node ports already given to Services (the registry's allocator, read from this server's cache). */
  private usedNodePorts(): Set<number> {
    const used = new Set<number>();
    for (const svc of this.caches.get('services')!.list({ fields: [] })) {
      for (const p of (svc as Service).spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
    }
    return used;
  }

  /** A free node port, not one of `taken` either (the other ports of the Service being written). */
  private allocateNodePort(taken: readonly (number | undefined)[]): number {
    const used = this.usedNodePorts();
    for (const port of taken) if (port !== undefined) used.add(port);
    const { min, max } = NODE_PORT_RANGE;
    if (used.size > max - min) throw new Error('range of node ports is full');
    for (;;) {
      const port = min + this.clock.rng.int(max - min + 1);
      if (!used.has(port)) return port;
    }
  }

  /**
   * Node ports across an update, as upstream's Service registry handles them: a port that omits its
   * node port keeps the one it had (or gets a new one when the type now exposes node ports), and a
   * Service that stops exposing them (type ClusterIP or ExternalName) drops the ones it had, unchanged.
   * `svc` is the object to store (its spec is copied here before any change).
   */
  private updateNodePorts(svc: Service, old: Service): FieldError[] {
    const type = svc.spec.type ?? 'ClusterIP';
    const exposes = type === 'NodePort' || (type === 'LoadBalancer' && svc.spec.allocateLoadBalancerNodePorts !== false);
    const oldPorts = old.spec?.ports ?? [];
    const ports = Array.isArray(svc.spec.ports) ? svc.spec.ports : [];
    const had = (p: ServicePort) => oldPorts.find((o) => o.port === p?.port && (o.protocol ?? 'TCP') === (p?.protocol ?? 'TCP'))?.nodePort;
    if (!exposes && !ports.some((p) => p?.nodePort !== undefined && p.nodePort === had(p))) return [];
    if (exposes && !ports.some((p) => p?.nodePort === undefined)) return this.checkNodePorts(svc, old);
    svc.spec = { ...svc.spec, ports: ports.map((p) => ({ ...p })) };
    for (const p of svc.spec.ports!) {
      if (!exposes) {
        if (p.nodePort !== undefined && p.nodePort === had(p)) delete p.nodePort;
      } else if (p.nodePort === undefined) p.nodePort = had(p);
    }
    const errs = this.checkNodePorts(svc, old);
    if (exposes) for (const p of svc.spec.ports!) if (p.nodePort === undefined) p.nodePort = this.allocateNodePort(svc.spec.ports!.map((q) => q.nodePort));
    return errs;
  }

  /**
   * The node ports a Service asks for that another has (the registry's allocator refuses them); on an
   * update, `old`'s own are not another's. Range and type are the validation's (shared with the editor).
   */
  private checkNodePorts(svc: Service, old?: Service): FieldError[] {
    const errs: FieldError[] = [];
    const ports = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    const asked = (p: unknown): number | undefined => {
      const value = (p as { nodePort?: unknown } | undefined)?.nodePort;
      return Number.isInteger(value) && (value as number) >= NODE_PORT_RANGE.min && (value as number) <= NODE_PORT_RANGE.max ? (value as number) : undefined;
    };
    if (!ports.some((p) => asked(p) !== undefined)) return errs;
    const used = this.usedNodePorts();
    for (const p of old?.spec?.ports ?? []) if (p.nodePort) used.delete(p.nodePort);
    const seen = new Set<number>();
    ports.forEach((p, i) => {
      const value = asked(p);
      if (value === undefined) return;
      const field = `spec.ports[${i}].nodePort`;
      if (seen.has(value)) errs.push({ type: 'Duplicate', field, value });
      else if (used.has(value)) errs.push({ type: 'Invalid', field, value, detail: 'provided port is already allocated' });
      seen.add(value);
    });
    return errs;
  }

  /** The PriorityClasses, from this API server's cache (upstream's admission plugin reads an informer's lister). */
  private priorityClasses(): PriorityClass[] {
    return this.caches.get('priorityclasses')!.list({ fields: [] }) as PriorityClass[];
  }

  private allocateServiceIP(): string {
    const used = new Set<string>();
    for (const svc of this.caches.get('services')!.list({ fields: [] })) {
      const ip = (svc.spec as { clusterIP?: string } | undefined)?.clusterIP;
      if (ip) used.add(ip);
    }
    for (;;) {
      const ip = `10.96.${this.clock.rng.int(256)}.${1 + this.clock.rng.int(254)}`;
      if (!used.has(ip) && ip !== '10.96.0.1' && ip !== '10.96.0.10') return ip;
    }
  }
}

/** The part of an object whose change bumps metadata.generation: the spec, or for an EndpointSlice (no spec) its address type, endpoints and ports. */
function desiredState(obj: KubeObject): unknown {
  if (obj.kind !== 'EndpointSlice') return obj.spec;
  const slice = obj as KubeObject & { endpoints?: unknown; ports?: unknown; addressType?: unknown };
  return [slice.addressType, slice.endpoints, slice.ports];
}

/**
 * ObjectMeta's lists are `omitempty`: the last owner reference or finalizer removed (by the garbage
 * collector orphaning, or a controller releasing) leaves no empty list behind, as upstream stores it.
 */
function omitEmptyLists(meta: KubeObject['metadata']): void {
  if (Array.isArray(meta.ownerReferences) && meta.ownerReferences.length === 0) delete meta.ownerReferences;
  if (Array.isArray(meta.finalizers) && meta.finalizers.length === 0) delete meta.finalizers;
}

/**
 * One request being served: where its answer goes. An object rather than a closure per request: a
 * write waits for its etcd round trip (raft replication to a quorum), thousands at once, long enough
 * to survive scavenges.
 */
class ServerCall implements Replier {
  constructor(
    private readonly server: ApiServer,
    private readonly req: ApiRequest,
    private readonly ctx: TraceContext,
    private readonly responder: Responder,
    /** The server's generation when the request came: a restarted server does not answer it. */
    private readonly generation: number,
  ) {}

  reply(res: ApiResponse, at: TraceContext = this.ctx): void {
    this.server.answer(this.generation, this.req, res, at, this.responder);
  }
}

/** Put `value` (frozen first: it is stored and shared as it is) or delete, if the key's modRevision is `expect`. */
function write(etcd: EtcdClient, key: string, value: KubeObject | undefined, expect: number, ctx: TraceContext, receiver: TxnReceiver): void {
  const op = value ? { type: 'put' as const, value: deepFreeze(value) } : { type: 'delete' as const };
  etcd.txn({ key, expectModRevision: expect, op }, ctx, receiver);
}

/** A create's transaction ("create if absent") in flight: it answers the request when etcd has decided. */
class Creation implements TxnReceiver {
  constructor(private readonly def: ResourceDef, private readonly name: string, private readonly done: Replier) {}

  proposalDone(r: TxnReply): void {
    if (!r.ok) return this.done.reply(errors.internal(r.error));
    if (!r.result.succeeded) return this.done.reply(errors.alreadyExists(this.def, this.name), r.commitCtx);
    this.done.reply({ code: 201, body: r.result.kv!.value as KubeObject }, r.commitCtx);
  }
}

/**
 * upstream's GuaranteedUpdate in flight: compute the new object from the latest known one (tryUpdate)
 * and write it if nobody wrote in between (the txn's condition: the modRevision it was computed from);
 * otherwise recompute from etcd's current value, or give 409 when the client pinned a resourceVersion.
 * One object holds a write's state between tries and receives the txn's result: it lives through the
 * raft round trip where a closure per step used to.
 */
class GuaranteedUpdate implements TxnReceiver {
  /** Tries lost to a concurrent write so far. */
  private tries = 0;

  constructor(
    private readonly etcd: EtcdClient,
    readonly def: ResourceDef,
    readonly req: ApiRequest,
    private readonly key: string,
    readonly name: string,
    private readonly ctx: TraceContext,
    /** The resourceVersion the client pinned, if any. */
    private readonly precondition: number | undefined,
    private readonly tryUpdate: TryUpdate,
    /** What tryUpdate takes from the request (the update's copy of its body, the patch, the binding's node). */
    readonly input: unknown,
    private readonly done: Replier,
  ) {}

  /** Try once from `existing` (the cached object, or etcd's current value after a lost race). */
  attempt(existing: KubeObject | undefined): void {
    const { def, name, precondition, done } = this;
    if (!existing) return done.reply(errors.notFound(def, name));
    const current = Number(existing.metadata.resourceVersion);
    if (precondition !== undefined && precondition !== current) return done.reply(errors.modified(def, name));
    const result = this.tryUpdate(existing, this);
    if ('response' in result) return done.reply(result.response);
    if (!result.delete && sameObject(result.obj, existing)) return done.reply({ code: 200, body: existing });
    write(this.etcd, this.key, result.delete ? undefined : result.obj, current, this.ctx, this);
  }

  proposalDone(r: TxnReply): void {
    const done = this.done;
    if (!r.ok) return done.reply(errors.internal(r.error));
    if (r.result.succeeded) return done.reply({ code: 200, body: r.result.kv!.value as KubeObject }, r.commitCtx);
    if (this.precondition !== undefined || this.tries >= MAX_RETRIES) return done.reply(errors.modified(this.def, this.name), r.commitCtx);
    this.tries++;
    this.attempt(r.result.current?.value as KubeObject | undefined);
  }
}

/** What an update or patch asks to store: the update's copy of its body, or the patch applied to `existing`. */
function candidateOf(req: ApiRequest, def: ResourceDef, input: unknown, existing: KubeObject): KubeObject | ApiResponse {
  if (req.verb === 'update') return input as KubeObject;
  const type = req.patchType ?? 'application/strategic-merge-patch+json';
  try {
    if (type === 'application/merge-patch+json') return mergePatch(existing, input) as KubeObject;
    if (type === 'application/json-patch+json') return jsonPatch(existing, input) as KubeObject;
    return strategicMergePatch(existing, input, def.mergeKeys) as KubeObject;
  } catch (e) {
    if (e instanceof PatchError) return status(422, 'Invalid', e.message);
    throw e;
  }
}

/** Equal apart from resourceVersion: such an update is a no-op and writes nothing (as upstream). */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  if (a === b) return true;
  return deepEqualExcept(a, b, 'metadata') && deepEqualExcept(a.metadata, b.metadata, 'resourceVersion');
}

/** Marked for deletion with nothing left holding it: the update turns into the deletion. */
function isFinalized(def: ResourceDef, obj: KubeObject): boolean {
  const meta = obj.metadata;
  if (!meta.deletionTimestamp || (meta.finalizers ?? []).length > 0) return false;
  if (def.kind === 'Pod') return meta.deletionGracePeriodSeconds === 0;
  if (def.kind === 'Namespace') return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length === 0;
  return true;
}

export function upsertCondition(conditions: readonly PodCondition[] | undefined, condition: PodCondition): PodCondition[] {
  const out = (conditions ?? []).filter((c) => c.type !== condition.type);
  const previous = (conditions ?? []).find((c) => c.type === condition.type);
  if (previous && previous.status === condition.status && previous.lastTransitionTime) condition = { ...condition, lastTransitionTime: previous.lastTransitionTime };
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  out.push(condition);
  return out.sort((x, y) => order.indexOf(x.type) - order.indexOf(y.type));
}

/** A binding or an eviction is answered with a Status Success (201), not the pod it wrote; failures pass as they are. */
function answeredWithStatus(call: Replier): Replier {
  return { reply: (res, at) => call.reply(res.code === 200 ? success(201) : res, at) };
}

function refOf(req: ApiRequest, body: unknown): ObjectRef | undefined {
  if (req.nonResourcePath !== undefined) return undefined;
  const meta = isPlainObject(body) && body.kind !== 'Status' && isPlainObject(body.metadata) ? (body.metadata as { name?: string; namespace?: string }) : undefined;
  const name = req.name ?? meta?.name ?? '';
  const ref: ObjectRef = { resource: req.resource, name };
  const ns = req.namespace ?? meta?.namespace;
  if (ns) ref.namespace = ns;
  if (req.subresource) ref.subresource = req.subresource;
  return ref;
}

export { stampResourceVersion };
