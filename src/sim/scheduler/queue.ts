/**
 * The scheduling queue, as upstream's PriorityQueue, on the virtual clock:
 * - activeQ: pods ready to be tried, highest priority first, then oldest first (PrioritySort);
 * - backoffQ: pods that failed and wait out their backoff (1 s, doubling per attempt, at most 10 s),
 *   flushed to activeQ every second;
 * - unschedulablePods: pods no node could take; they move back when a cluster event one of their
 *   rejecting plugins cares about happens (node added or changed, pod deleted ...), or after 5 min
 *   in any case (checked every 30 s).
 */
import type { Clock, TimerId } from '../clock';
import type { TraceContext } from '../log';
import type { Pod } from '../api/types';
import type { ClusterEvent } from './framework';
import { newPodInfo, podKey, type PodInfo } from './node-info';

export const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
export const DEFAULT_MAX_BACKOFF_MS = 10_000;
export const DEFAULT_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;
export const BACKOFF_FLUSH_INTERVAL_MS = 1_000;
export const UNSCHEDULABLE_FLUSH_INTERVAL_MS = 30_000;

export interface QueuedPodInfo {
  pod: Pod;
  readonly key: string;
  info: PodInfo;
  /** When the pod was last added to a queue (or failed): orders activeQ and starts its backoff. */
  timestamp: number;
  /** When the pod first entered the queue. */
  readonly initialAttemptTimestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Plugins that rejected it in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** The causal context of the watch event that last brought or changed the pod. */
  ctx: TraceContext;
  /** Insertion order, the final tie-breaker. */
  seq: number;
}

export type QueueName = 'activeQ' | 'backoffQ' | 'unschedulablePods';

/** A binary heap whose entries can be removed by key. */
class KeyedHeap {
  private readonly items: QueuedPodInfo[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean) {}

  get size(): number {
    return this.items.length;
  }
  has(key: string): boolean {
    return this.index.has(key);
  }
  get(key: string): QueuedPodInfo | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }
  peek(): QueuedPodInfo | undefined {
    return this.items[0];
  }
  values(): readonly QueuedPodInfo[] {
    return this.items;
  }

  push(item: QueuedPodInfo): void {
    this.items.push(item);
    this.index.set(item.key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): QueuedPodInfo | undefined {
    if (this.items.length === 0) return undefined;
    return this.removeAt(0);
  }

  remove(key: string): QueuedPodInfo | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.removeAt(i);
  }

  /** Re-position an item whose ordering fields changed. */
  fix(key: string): void {
    const i = this.index.get(key);
    if (i === undefined) return;
    this.down(this.up(i));
  }

  private removeAt(i: number): QueuedPodInfo {
    const items = this.items;
    const item = items[i];
    const last = items.pop()!;
    this.index.delete(item.key);
    if (i < items.length) {
      items[i] = last;
      this.index.set(last.key, i);
      this.down(this.up(i));
    }
    return item;
  }

  private swap(i: number, j: number): void {
    const items = this.items;
    [items[i], items[j]] = [items[j], items[i]];
    this.index.set(items[i].key, i);
    this.index.set(items[j].key, j);
  }

  private up(i: number): number {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[parent])) break;
      this.swap(i, parent);
      i = parent;
    }
    return i;
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(this.items[l], this.items[m])) m = l;
      if (r < n && this.less(this.items[r], this.items[m])) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxInUnschedulableMs?: number;
  /** Does a plugin care about this event? (from the profile's plugins' registrations) */
  pluginWantsEvent?: (plugin: string, event: ClusterEvent) => boolean;
  /** Called whenever a pod lands in activeQ (the scheduler wakes its worker). */
  onActive?: () => void;
}

/** PrioritySort: higher priority first, then the earlier timestamp, then insertion order. */
function activeLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  if (a.info.priority !== b.info.priority) return a.info.priority > b.info.priority;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
  return a.seq < b.seq;
}

export class SchedulingQueue {
  private readonly active = new KeyedHeap(activeLess);
  private readonly backoff: KeyedHeap;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and being scheduled or bound. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private backoffTimer: TimerId | undefined;
  private unschedulableTimer: TimerId | undefined;
  private seq = 0;
  /** Incremented by every pop (upstream's schedulingCycle). */
  private schedulingCycle = 0;
  /** The cycle during which the last move request happened. */
  private moveRequestCycle = -1;

  constructor(
    private readonly clock: Clock,
    private readonly options: QueueOptions = {},
  ) {
    this.initialBackoffMs = options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.maxInUnschedulableMs = options.maxInUnschedulableMs ?? DEFAULT_MAX_IN_UNSCHEDULABLE_MS;
    this.backoff = new KeyedHeap((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b) || (this.backoffExpiry(a) === this.backoffExpiry(b) && a.seq < b.seq));
  }

  /** upstream calculateBackoffDuration: initial × 2^(attempts−1), capped. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts; i++) {
      if (d > this.maxBackoffMs - d) return this.maxBackoffMs;
      d += d;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  backoffExpiry(p: QueuedPodInfo): number {
    return p.timestamp + this.backoffDuration(p.attempts);
  }

  private isBackingOff(p: QueuedPodInfo): boolean {
    return this.backoffExpiry(p) > this.clock.now();
  }

  // ------------------------------------------------------------ informer-driven changes

  /** A new pending pod. */
  add(pod: Pod, ctx: TraceContext): void {
    const key = podKey(pod);
    if (this.where(key) || this.inFlight.has(key)) {
      this.update(pod, ctx);
      return;
    }
    const now = this.clock.now();
    this.pushActive({ pod, key, info: newPodInfo(pod), timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set(), ctx, seq: ++this.seq });
  }

  /**
   * A pending pod changed. In activeQ/backoffQ it is just refreshed; an unschedulable pod whose spec,
   * labels or annotations changed gets another chance (status-only changes, such as the scheduler's
   * own PodScheduled condition, do not wake it).
   */
  update(pod: Pod, ctx: TraceContext): void {
    const key = podKey(pod);
    const inFlight = this.inFlight.get(key);
    if (inFlight) {
      Object.assign(inFlight, { pod, info: newPodInfo(pod), ctx });
      return;
    }
    for (const heap of [this.active, this.backoff]) {
      const p = heap.get(key);
      if (p) {
        Object.assign(p, { pod, info: newPodInfo(pod), ctx });
        heap.fix(key);
        return;
      }
    }
    const u = this.unschedulable.get(key);
    if (u) {
      const changed = !sameSchedulingInputs(u.pod, pod);
      Object.assign(u, { pod, info: newPodInfo(pod), ctx });
      if (changed) {
        this.unschedulable.delete(key);
        this.requeue(u);
      }
      return;
    }
    this.add(pod, ctx);
  }

  delete(key: string): void {
    this.active.remove(key);
    this.backoff.remove(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
    this.syncTimers();
  }

  // ------------------------------------------------------------ the scheduling loop

  /** The next pod to try, or undefined when activeQ is empty. */
  pop(): QueuedPodInfo | undefined {
    const p = this.active.pop();
    if (!p) return undefined;
    p.attempts++;
    this.schedulingCycle++;
    this.inFlight.set(p.key, p);
    return p;
  }

  /** The cycle number of the pod just popped (pass it back to addUnschedulable). */
  get cycle(): number {
    return this.schedulingCycle;
  }

  /** The pod was bound (or given up): it leaves the queue. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The pod fits nowhere. It waits among the unschedulable pods, unless a relevant event arrived
   * while it was being scheduled, in which case it goes straight to backoff.
   */
  addUnschedulable(p: QueuedPodInfo, plugins: Iterable<string>, podCycle: number): void {
    if (!this.inFlight.delete(p.key)) return; // deleted meanwhile
    p.timestamp = this.clock.now();
    p.unschedulablePlugins = new Set(plugins);
    if (this.moveRequestCycle >= podCycle) this.pushBackoffOrActive(p);
    else {
      this.unschedulable.set(p.key, p);
      this.syncTimers();
    }
  }

  /** The attempt failed for another reason (API error, binding refused): back off and retry. */
  addBackoff(p: QueuedPodInfo): void {
    if (!this.inFlight.delete(p.key)) return;
    p.timestamp = this.clock.now();
    p.unschedulablePlugins = new Set();
    this.pushBackoffOrActive(p);
  }

  /** upstream MoveAllToActiveOrBackoffQueue, filtered by the rejecting plugins' registrations. */
  onClusterEvent(event: ClusterEvent): number {
    this.moveRequestCycle = this.schedulingCycle;
    let moved = 0;
    for (const [key, p] of this.unschedulable) {
      if (!this.wants(p, event)) continue;
      this.unschedulable.delete(key);
      this.pushBackoffOrActive(p);
      moved++;
    }
    this.syncTimers();
    return moved;
  }

  private wants(p: QueuedPodInfo, event: ClusterEvent): boolean {
    if (p.unschedulablePlugins.size === 0 || !this.options.pluginWantsEvent) return true;
    for (const plugin of p.unschedulablePlugins) if (this.options.pluginWantsEvent(plugin, event)) return true;
    return false;
  }

  // ------------------------------------------------------------ periodic flushes

  /** Move pods whose backoff is over to activeQ (every second while any wait). */
  flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (let p = this.backoff.peek(); p && this.backoffExpiry(p) <= now; p = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(p);
    }
    this.syncTimers();
  }

  /** Move pods that stayed unschedulable longer than the limit (every 30 s while any wait). */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const [key, p] of this.unschedulable) {
      if (now - p.timestamp < this.maxInUnschedulableMs) continue;
      this.unschedulable.delete(key);
      this.pushBackoffOrActive(p);
    }
    this.syncTimers();
  }

  // ------------------------------------------------------------ inspection and shutdown

  where(key: string): QueueName | undefined {
    if (this.active.has(key)) return 'activeQ';
    if (this.backoff.has(key)) return 'backoffQ';
    if (this.unschedulable.has(key)) return 'unschedulablePods';
    return undefined;
  }

  get(key: string): QueuedPodInfo | undefined {
    return this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key) ?? this.inFlight.get(key);
  }

  sizes(): Record<QueueName | 'inFlight', number> {
    return { activeQ: this.active.size, backoffQ: this.backoff.size, unschedulablePods: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** Forget everything and stop the timers (the process died). */
  close(): void {
    this.clock.cancel(this.backoffTimer);
    this.clock.cancel(this.unschedulableTimer);
    this.backoffTimer = this.unschedulableTimer = undefined;
    for (const heap of [this.active, this.backoff]) while (heap.pop());
    this.unschedulable.clear();
    this.inFlight.clear();
  }

  // ------------------------------------------------------------ internals

  private requeue(p: QueuedPodInfo): void {
    this.pushBackoffOrActive(p);
  }

  private pushBackoffOrActive(p: QueuedPodInfo): void {
    if (this.isBackingOff(p)) {
      this.backoff.push(p);
      this.syncTimers();
    } else this.pushActive(p);
  }

  private pushActive(p: QueuedPodInfo): void {
    this.active.push(p);
    this.options.onActive?.();
  }

  private syncTimers(): void {
    if (this.backoff.size > 0 && this.backoffTimer === undefined) {
      this.backoffTimer = this.clock.schedule(BACKOFF_FLUSH_INTERVAL_MS, () => {
        this.backoffTimer = undefined;
        this.flushBackoffCompleted();
      }, 'scheduler: flush backoffQ');
    } else if (this.backoff.size === 0 && this.backoffTimer !== undefined) {
      this.clock.cancel(this.backoffTimer);
      this.backoffTimer = undefined;
    }
    if (this.unschedulable.size > 0 && this.unschedulableTimer === undefined) {
      this.unschedulableTimer = this.clock.schedule(UNSCHEDULABLE_FLUSH_INTERVAL_MS, () => {
        this.unschedulableTimer = undefined;
        this.flushUnschedulableLeftover();
      }, 'scheduler: flush unschedulable pods');
    } else if (this.unschedulable.size === 0 && this.unschedulableTimer !== undefined) {
      this.clock.cancel(this.unschedulableTimer);
      this.unschedulableTimer = undefined;
    }
  }
}

/** Did anything the scheduler looks at change (spec, labels, annotations)? */
export function sameSchedulingInputs(a: Pod, b: Pod): boolean {
  if (a === b) return true;
  return (
    JSON.stringify(a.spec) === JSON.stringify(b.spec) &&
    JSON.stringify(a.metadata.labels ?? {}) === JSON.stringify(b.metadata.labels ?? {}) &&
    JSON.stringify(a.metadata.annotations ?? {}) === JSON.stringify(b.metadata.annotations ?? {})
  );
}
