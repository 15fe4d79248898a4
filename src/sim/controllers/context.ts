/**
 * What every controller of kube-controller-manager shares: the clock, the log, the API client of
 * its master, a shared informer factory (one informer per resource however many controllers watch
 * it, as client-go's SharedInformerFactory), and a way to record decisions in the log.
 */
import type { Clock } from '../clock';
import type { EventLog, LogEntry, TraceContext } from '../log';
import type { ApiClient, ApiResponse } from '../api/request';
import { objectKey, type Informer, type InformerOptions } from '../api/informer';
import type { KubeObject, ObjectRef } from '../api/types';
import { WorkQueue, type ReconcileFn } from './workqueue/workqueue';
import { defaultControllerRateLimiter } from './workqueue/ratelimiter';

export class SharedInformers {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly indexes = new Map<string, unknown>();
  private started = false;
  private startCtx: TraceContext | undefined;

  constructor(private readonly create: <T extends KubeObject>(options: InformerOptions) => Informer<T>) {}

  /** The shared informer for a resource (all namespaces unless `namespace` is given). */
  get<T extends KubeObject>(apiVersion: string, resource: string, namespace?: string): Informer<T> {
    const key = `${apiVersion}/${resource}/${namespace ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = this.create<KubeObject>({ apiVersion, resource, ...(namespace ? { namespace } : {}) });
      this.informers.set(key, inf);
      if (this.started) inf.start(this.startCtx!);
    }
    return inf as unknown as Informer<T>;
  }

  /**
   * An index derived from informer events, built once and shared by every controller that asks
   * (client-go's indexers). `make` registers its handlers on the informer; call this before adding
   * your own handlers, so the index is up to date when they run.
   */
  shared<T>(key: string, make: () => T): T {
    let idx = this.indexes.get(key) as T | undefined;
    if (idx === undefined) this.indexes.set(key, (idx = make()));
    return idx;
  }

  start(ctx: TraceContext): void {
    this.started = true;
    this.startCtx = ctx;
    for (const inf of this.informers.values()) inf.start(ctx);
  }

  stop(): void {
    this.started = false;
    for (const inf of this.informers.values()) inf.stop();
    this.informers.clear();
    this.indexes.clear();
  }

  hasSynced(): boolean {
    for (const inf of this.informers.values()) if (!inf.hasSynced()) return false;
    return true;
  }
}

export interface ControllerContext {
  clock: Clock;
  log: EventLog;
  client: ApiClient;
  /** The master this controller-manager runs on. */
  host: string;
  /** The instance name in the log, e.g. "kube-controller-manager@master-1". */
  component: string;
  informers: SharedInformers;
  /** Options the lab can tune like kube-controller-manager's flags. */
  options: ControllerManagerOptions;
}

export interface ControllerManagerOptions {
  /** --node-monitor-grace-period (ms): 50 s since Kubernetes 1.32. */
  nodeMonitorGracePeriodMs: number;
  /** --node-monitor-period (ms). */
  nodeMonitorPeriodMs: number;
  /** --node-eviction-rate: nodes per second whose pods may be evicted (tainted NoExecute), per zone. */
  nodeEvictionRate: number;
  /** --secondary-node-eviction-rate, for partially disrupted zones of large clusters. */
  secondaryNodeEvictionRate: number;
  /** --large-cluster-size-threshold. */
  largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold. */
  unhealthyZoneThreshold: number;
  /** Post core/v1 Events (SuccessfulCreate, ScalingReplicaSet ...). Benchmarks may turn them off. */
  events: boolean;
  /** --concurrent-*-syncs. */
  workers: number;
}

export const DEFAULT_CONTROLLER_MANAGER_OPTIONS: ControllerManagerOptions = {
  nodeMonitorGracePeriodMs: 50_000,
  nodeMonitorPeriodMs: 5_000,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
  events: true,
  workers: 5,
};

export interface Controller {
  readonly name: string;
  start(ctx: TraceContext): void;
  stop(): void;
}

/** The pieces every queue-driven controller has: a rate-limited queue, a reconcile, decisions in the log. */
export abstract class QueueController implements Controller {
  protected readonly queue: WorkQueue;

  constructor(protected readonly cc: ControllerContext, readonly name: string) {
    this.queue = new WorkQueue(cc.clock, name, defaultControllerRateLimiter(cc.clock));
  }

  start(_ctx: TraceContext): void {
    this.queue.run(this.cc.options.workers, this.reconcile);
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** Reconciles run (for tests and benchmarks). */
  get processed(): number {
    return this.queue.processed;
  }

  idle(): boolean {
    return this.queue.idle();
  }

  protected abstract reconcile: ReconcileFn;

  protected enqueue(key: string, ctx: TraceContext): void {
    this.queue.add(key, ctx);
  }

  /** Enqueue an object's own key whenever the informer sees it added, changed or deleted. */
  protected enqueueOnChange<T extends KubeObject>(informer: Informer<T>): void {
    informer.addHandlers({
      onAdd: (o, ctx) => this.enqueue(objectKey(o), ctx),
      onUpdate: (_old, o, ctx) => this.enqueue(objectKey(o), ctx),
      onDelete: (o, ctx) => this.enqueue(objectKey(o), ctx),
    });
  }

  /** Record what the controller decided (a `decision` entry); its requests then chain from it. */
  protected decide(ctx: TraceContext, objectRef: ObjectRef, summary: string, detail?: Record<string, unknown>): TraceContext {
    return logDecision(this.cc, this.name, ctx, objectRef, summary, detail);
  }
}

/**
 * A controller's `decision` entry ("<controller>: <summary>", from and to the controller-manager
 * instance), caused by `ctx`; returns the context its requests should carry.
 */
export function logDecision(cc: ControllerContext, controller: string, ctx: TraceContext | undefined, objectRef: ObjectRef | undefined, summary: string, detail?: Record<string, unknown>): TraceContext {
  const entry: LogEntry = cc.log.append({
    t: cc.clock.now(),
    traceId: ctx?.traceId ?? cc.log.newTraceId(),
    parentId: ctx?.parentId,
    from: cc.component,
    to: cc.component,
    kind: 'decision',
    ...(objectRef ? { objectRef } : {}),
    summary: `${controller}: ${summary}`,
    detail: { controller, ...detail },
  });
  return { traceId: entry.traceId, parentId: entry.seq };
}

/** The message of an API error response (a Status), or "HTTP <code>". */
export function message(res: ApiResponse): string {
  const body = res.body as { message?: string };
  return typeof body === 'object' && body && typeof body.message === 'string' ? body.message : `HTTP ${res.code}`;
}

/** "namespace/name" → [namespace, name]. */
export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/');
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)];
}
