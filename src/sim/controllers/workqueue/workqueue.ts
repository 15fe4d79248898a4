/**
 * A rate-limited work queue of keys with client-go's guarantees (k8s.io/client-go/util/workqueue):
 * - a key is queued at most once however often it is added (the dirty set);
 * - a key being processed is never handed to a second worker; an add during processing queues it
 *   again once the worker is done, so no change is lost;
 * - failures requeue with the rate limiter's backoff, successes `forget` the key's history.
 *
 * The workers are callback-driven on the virtual clock: `reconcile(key, ctx, finish)` may answer
 * later (after API round trips); the queue hands out the next key when a worker is free.
 * Each key carries the trace context of its most recent add, so the reconcile's requests chain
 * causally to the watch event that triggered it.
 */
import type { Clock, TimerId } from '../../clock';
import type { TraceContext } from '../../log';
import type { RateLimiter } from './ratelimiter';

/** What a reconcile reports: success, an error (requeue with backoff), or a wish to look again later. */
export type ReconcileResult = void | { error: string } | { requeueAfterMs: number };

export type ReconcileFn = (key: string, ctx: TraceContext, finish: (result?: ReconcileResult) => void) => void;

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly contexts = new Map<string, TraceContext>();
  /** Keys waiting for a delayed add, with the time they become ready. */
  private readonly waiting = new Map<string, { at: number; timer: TimerId }>();
  private active = 0;
  private pumpScheduled = false;
  private generation = 0;
  private reconcile: ReconcileFn | undefined;
  private workers = 1;
  /** Reconciles run so far (for tests and benchmarks). */
  processed = 0;

  constructor(
    private readonly clock: Clock,
    readonly name: string,
    private readonly limiter: RateLimiter,
  ) {}

  /** Start `workers` concurrent workers calling `reconcile`. */
  run(workers: number, reconcile: ReconcileFn): void {
    this.workers = workers;
    this.reconcile = reconcile;
    this.schedulePump();
  }

  /** Drop everything: queued keys, delayed adds, backoff history; late `finish` calls are ignored. */
  shutDown(): void {
    this.generation++;
    this.queue.length = 0;
    this.head = 0;
    this.dirty.clear();
    this.processing.clear();
    this.contexts.clear();
    for (const w of this.waiting.values()) this.clock.cancel(w.timer);
    this.waiting.clear();
    this.active = 0;
    this.reconcile = undefined;
  }

  add(key: string, ctx?: TraceContext): void {
    if (ctx) this.contexts.set(key, ctx);
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.schedulePump();
  }

  /** Add after a delay; an earlier pending delayed add of the same key wins. */
  addAfter(key: string, delayMs: number, ctx?: TraceContext): void {
    if (delayMs <= 0) return this.add(key, ctx);
    const at = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.cancel(existing.timer);
    const gen = this.generation;
    const timer = this.clock.schedule(delayMs, () => {
      if (gen !== this.generation) return;
      this.waiting.delete(key);
      this.add(key, ctx);
    }, `${this.name}: requeue ${key}`);
    this.waiting.set(key, { at, timer });
  }

  addRateLimited(key: string, ctx?: TraceContext): void {
    this.addAfter(key, this.limiter.when(key), ctx);
  }

  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** Keys queued and not yet handed to a worker. */
  len(): number {
    return this.queue.length - this.head;
  }

  /** True when nothing is queued, processing or waiting. */
  idle(): boolean {
    return this.len() === 0 && this.active === 0 && this.waiting.size === 0;
  }

  private schedulePump(): void {
    if (this.pumpScheduled || !this.reconcile) return;
    if (this.len() === 0 || this.active >= this.workers) return;
    this.pumpScheduled = true;
    const gen = this.generation;
    this.clock.schedule(0, () => {
      if (gen !== this.generation) return;
      this.pumpScheduled = false;
      this.pump();
    }, `${this.name}: worker`);
  }

  private pump(): void {
    while (this.reconcile && this.active < this.workers && this.len() > 0) {
      const key = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.processing.add(key);
      this.dirty.delete(key);
      const ctx = this.contexts.get(key) ?? { traceId: this.name };
      this.contexts.delete(key);
      this.active++;
      this.processed++;
      const gen = this.generation;
      let finished = false;
      this.reconcile(key, ctx, (result) => {
        if (finished || gen !== this.generation) return;
        finished = true;
        this.finish(key, ctx, result);
      });
    }
  }

  private finish(key: string, ctx: TraceContext, result: ReconcileResult): void {
    this.active--;
    this.processing.delete(key);
    if (this.dirty.has(key)) this.queue.push(key);
    if (result && 'error' in result) this.addRateLimited(key, this.contexts.get(key) ?? ctx);
    else {
      this.forget(key);
      if (result && 'requeueAfterMs' in result) this.addAfter(key, result.requeueAfterMs, ctx);
    }
    this.schedulePump();
  }
}
