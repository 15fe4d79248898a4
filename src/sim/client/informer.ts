/**
 * client-go's reflector + shared informer over an ApiClient: list (resourceVersion "0" first, from
 * the API server's cache), then watch from the list's resourceVersion; keep a cache; call handlers
 * with the context of the watch delivery so the work they cause joins the trace. When the watch
 * closes it re-watches from the last resourceVersion seen, and relists on 410 Gone — with backoff
 * (800 ms doubling to 30 s), as the reflector does.
 */
import type { ApiClient, ListObject, WatchEvent, WatchHandle } from '../api/request';
import type { Informer, InformerHandlers, InformerOptions } from '../api/informer';
import { objectKey } from '../api/informer';
import type { KubeObject } from '../api/types';
import type { Clock, TimerId } from '../clock';
import type { TraceContext } from '../log';

const BACKOFF_INITIAL_MS = 800;
const BACKOFF_MAX_MS = 30_000;

export function createInformer<T extends KubeObject>(client: ApiClient, clock: Clock, options: InformerOptions): Informer<T> {
  return new SimInformer<T>(client, clock, options);
}

export class SimInformer<T extends KubeObject> implements Informer<T> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private synced = false;
  private running = false;
  private generation = 0;
  private watchHandle: WatchHandle | undefined;
  private lastRV = '';
  private backoff = 0;
  private retryTimer: TimerId | undefined;
  private startCtx: TraceContext = { traceId: 'informer' };

  constructor(private readonly client: ApiClient, private readonly clock: Clock, private readonly options: InformerOptions) {}

  start(ctx: TraceContext): void {
    if (this.running) return;
    this.running = true;
    this.startCtx = ctx;
    this.listAndWatch(ctx, '0');
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.watchHandle?.stop();
    this.watchHandle = undefined;
    this.clock.cancel(this.retryTimer);
    this.retryTimer = undefined;
    this.cache.clear();
    this.synced = false;
    this.lastRV = '';
    this.backoff = 0;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** The resourceVersion the cache reflects. */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
    if (this.synced) for (const obj of this.cache.values()) handlers.onAdd?.(obj, this.startCtx);
  }

  private query(resourceVersion: string) {
    const { labelSelector, fieldSelector } = this.options;
    return { labelSelector, fieldSelector, resourceVersion };
  }

  private listAndWatch(ctx: TraceContext, resourceVersion: string): void {
    const generation = this.generation;
    const { apiVersion, resource, namespace } = this.options;
    this.client.request({ verb: 'list', apiVersion, resource, namespace, query: this.query(resourceVersion) }, ctx, (res, at) => {
      if (!this.running || generation !== this.generation) return;
      if (res.code === 410) return this.retry(ctx, '');
      if (res.code !== 200) return this.retry(ctx, resourceVersion);
      const list = res.body as ListObject<T>;
      this.replace(list.items, at);
      this.lastRV = list.metadata.resourceVersion;
      this.synced = true;
      this.backoff = 0;
      this.watch(at);
    });
  }

  private watch(ctx: TraceContext): void {
    const generation = this.generation;
    const { apiVersion, resource, namespace } = this.options;
    this.watchHandle = this.client.watch({ apiVersion, resource, namespace, query: this.query(this.lastRV) }, ctx, (event, at) => {
      if (generation === this.generation) this.onEvent(event, at);
    }, (reason) => {
      if (!this.running || generation !== this.generation) return;
      this.watchHandle = undefined;
      if (reason.code === 410) this.retry(ctx, '');
      else this.retryWatch(ctx);
    });
  }

  private retry(ctx: TraceContext, resourceVersion: string): void {
    this.backoff = this.backoff ? Math.min(this.backoff * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
    this.clock.cancel(this.retryTimer);
    this.retryTimer = this.clock.schedule(this.backoff, () => {
      this.retryTimer = undefined;
      if (this.running) this.listAndWatch(ctx, resourceVersion || this.lastRV);
    }, 'informer relist');
  }

  private retryWatch(ctx: TraceContext): void {
    this.backoff = this.backoff ? Math.min(this.backoff * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
    this.clock.cancel(this.retryTimer);
    this.retryTimer = this.clock.schedule(this.backoff, () => {
      this.retryTimer = undefined;
      if (this.running) this.watch(ctx);
    }, 'informer rewatch');
  }

  private onEvent(event: WatchEvent, ctx: TraceContext): void {
    if (event.type === 'BOOKMARK' || event.type === 'ERROR') return;
    const obj = event.object as T;
    const key = objectKey(obj);
    if (obj.metadata.resourceVersion) this.lastRV = obj.metadata.resourceVersion;
    this.backoff = 0;
    if (event.type === 'DELETED') {
      const old = this.cache.get(key) ?? obj;
      this.cache.delete(key);
      for (const h of this.handlers) h.onDelete?.(old, ctx);
      return;
    }
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj, ctx);
      else h.onAdd?.(obj, ctx);
    }
  }

  /** A relist: adds, updates and deletions relative to the cache, as the DeltaFIFO's Replace. */
  private replace(items: readonly T[], ctx: TraceContext): void {
    // Against an empty cache (the first list, or a new leader's) nothing can have gone away: no set of
    // the keys seen is built (100,000 of them for a controller-manager's pods).
    const seen = this.cache.size > 0 ? new Set<string>() : undefined;
    for (const obj of items) {
      const key = objectKey(obj);
      seen?.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, obj);
      if (!old) for (const h of this.handlers) h.onAdd?.(obj, ctx);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) for (const h of this.handlers) h.onUpdate?.(old, obj, ctx);
    }
    if (!seen) return;
    // Deleting the entry being visited is safe in a Map's iteration (handlers do not touch the cache).
    for (const [key, old] of this.cache) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      for (const h of this.handlers) h.onDelete?.(old, ctx);
    }
  }
}
