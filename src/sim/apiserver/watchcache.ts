/**
 * One resource's watch cache inside an API server (upstream's cacher): the current objects, with
 * pods' keys indexed by spec.nodeName (a namespace's list filters them all: a second map of every object costs
 * more, at 100,000 pods, than the lists it would speed up); a window of recent events for watches that start
 * from a resourceVersion, for pods also by node; and the watchers, dispatched without scanning the ones that
 * cannot match (a kubelet's `spec.nodeName=worker-7` watch only sees worker-7's pods).
 *
 * A filtered watcher sees an object entering its selection as ADDED and leaving it as DELETED,
 * as upstream's cacheWatcher does.
 */
import type { WatchEventType } from '../api/request';
import type { KubeObject } from '../api/types';
import type { Selector } from '../api/labels';
import type { TraceContext } from '../log';
import { matchesFields, type FieldRequirement } from './fields';
import { stampResourceVersion } from './objects';
import type { ResourceDef } from './resources';
import { objectKey } from '../api/informer';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  /** The object after the event (for DELETED: the last state, at the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the event. */
  prev?: KubeObject;
  rv: number;
  ctx: TraceContext;
}

export interface WatchFilter {
  namespace?: string;
  labels?: Selector;
  fields: readonly FieldRequirement[];
}

export interface CacheWatcher extends WatchFilter {
  /** When the field selector pins spec.nodeName (pods), the node it pins ("" = unassigned). */
  nodeKey?: string;
  deliver(type: WatchEventType, object: KubeObject, ctx: TraceContext): void;
}

export interface WatchCacheOptions {
  /** Keep at least this many events (upstream's default cache size is 100). */
  capacity: number;
  /** And every event younger than this (upstream's eventFreshDuration is 75 s) ... */
  freshMs: number;
  /** ... but never more than this many (upstream's upper bound, 100 × 1024): older watches get "too old". */
  maxCapacity: number;
}

/** upstream's defaults: lower bound 100 events, eventFreshDuration 75 s, upper bound 100 × 1024 events. */
export const DEFAULT_WATCH_CACHE: WatchCacheOptions = { capacity: 100, freshMs: 75_000, maxCapacity: 100 * 1024 };

/** One node's share of a pod cache. */
interface NodeIndex {
  /** Its pods' keys (not the objects: a change that keeps the node then writes only `objects`). */
  keys: Set<string>;
  /**
   * The window's events whose object is or was on the node, in resourceVersion order, up to the
   * cache's `nodeIndexedTo`. When an API server goes away every kubelet re-watches from its last
   * resourceVersion: replaying its own node's events instead of scanning the whole window (up to
   * 100 × 1024 events) for each of 5,000 kubelets was ~6% of a zone recovery. Built when a node's
   * watch replays, not per change (that cost the creation of pods more than it saved). Events the
   * window dropped are cut off when it compacts.
   */
  events: CacheEvent[];
}

export class WatchCache {
  private readonly objects = new Map<string, KubeObject>();
  /** Pods by spec.nodeName ("" = unassigned). */
  private readonly byNode: Map<string, NodeIndex> | undefined;
  private events: CacheEvent[] = [];
  /**
   * Virtual time the cache saw each of `events` (same index), for the window: kept apart, unboxed in
   * a number array, rather than as a field boxed in a heap number on every retained event.
   */
  private times: number[] = [];
  private head = 0;
  /** `events` before this index are in their nodes' NodeIndex.events (pods only). */
  private nodeIndexedTo = 0;
  /** Watches can start from any resourceVersion ≥ this one. */
  windowStart = 0;
  private readonly generic = new Set<CacheWatcher>();
  private readonly nodeIndexed = new Map<string, Set<CacheWatcher>>();

  constructor(readonly def: ResourceDef, private readonly options: WatchCacheOptions) {
    this.byNode = def.kind === 'Pod' ? new Map() : undefined;
  }

  get size(): number {
    return this.objects.size;
  }

  /** Replace everything with a fresh list (initial sync or relist after compaction). */
  reset(items: readonly KubeObject[], rv: number): void {
    this.objects.clear();
    this.byNode?.clear();
    for (const item of items) this.index(item);
    this.events = [];
    this.times = [];
    this.head = 0;
    this.nodeIndexedTo = 0;
    this.windowStart = rv;
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Objects matching a filter, sorted by key as etcd returns them. */
  list(filter: WatchFilter): KubeObject[] {
    // The matching keys are sorted, not the objects: a comparison then reads two strings rather than
    // each object's kept key (a new leader's list of 100,000 pods makes millions of comparisons).
    const keys: string[] = [];
    const node = this.byNode ? nodeSelected(filter.fields) : undefined;
    if (node !== undefined) {
      for (const key of this.byNode!.get(node)?.keys ?? []) if (this.matches(filter, this.objects.get(key)!)) keys.push(key);
    } else for (const [key, obj] of this.objects) if (this.matches(filter, obj)) keys.push(key);
    keys.sort(compareKeys);
    const out = new Array<KubeObject>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = this.objects.get(keys[i])!;
    return out;
  }

  matches(filter: WatchFilter, obj: KubeObject): boolean {
    if (filter.namespace && obj.metadata.namespace !== filter.namespace) return false;
    if (filter.labels && !filter.labels.matches(obj.metadata.labels)) return false;
    return filter.fields.length === 0 || matchesFields(this.def, obj, filter.fields);
  }

  /** Apply one change from etcd and dispatch it. `object` is already stamped with its resourceVersion. */
  apply(type: CacheEventType, object: KubeObject, prev: KubeObject | undefined, rv: number, at: number, ctx: TraceContext): void {
    const key = objectKey(object);
    if (type !== 'DELETED') this.objects.set(key, object);
    else if (prev) this.objects.delete(key);
    const stored = type === 'DELETED' ? (stampResourceVersion(object, rv) as KubeObject) : object;
    const event: CacheEvent = { type, object: stored, prev, rv, ctx };
    this.events.push(event);
    this.times.push(at);
    if (this.byNode) this.moveKey(key, event);
    this.trim(at);
    this.dispatch(event);
  }

  /**
   * What a watch with `filter` starting after `rv` is sent first: the window's events after `rv` as
   * that watcher sees them; undefined if `rv` is older than the window. A watch pinned to one node
   * (a kubelet's pods) or one name (a kubelet's own Node) skips the other objects' events without
   * evaluating its whole filter on them.
   */
  replayFor(filter: WatchFilter, rv: number): { event: CacheEvent; type: WatchEventType; object: KubeObject }[] | undefined {
    if (rv < this.windowStart) return undefined;
    const node = this.byNode ? nodeSelected(filter.fields) : undefined;
    const name = filter.fields.find((f) => f.field === 'metadata.name' && f.op === '=')?.value;
    const out: { event: CacheEvent; type: WatchEventType; object: KubeObject }[] = [];
    if (node !== undefined) this.indexEventsByNode();
    const events = node !== undefined ? this.byNode!.get(node)?.events ?? [] : this.events;
    for (let i = firstAfter(events, node !== undefined ? 0 : this.head, rv); i < events.length; i++) {
      const event = events[i];
      if (name !== undefined && event.object.metadata.name !== name) continue;
      const type = this.viewTypeFor(filter, event);
      if (type !== undefined) out.push({ event, type, object: viewObject(type, event) });
    }
    return out;
  }

  addWatcher(w: CacheWatcher): void {
    w.nodeKey = this.byNode ? nodeSelected(w.fields) : undefined;
    if (w.nodeKey !== undefined) {
      let set = this.nodeIndexed.get(w.nodeKey);
      if (!set) this.nodeIndexed.set(w.nodeKey, (set = new Set()));
      set.add(w);
    } else this.generic.add(w);
  }

  removeWatcher(w: CacheWatcher): void {
    if (w.nodeKey !== undefined) this.nodeIndexed.get(w.nodeKey)?.delete(w);
    else this.generic.delete(w);
  }

  /** Every watcher (to close them all when the cache is reset or the server stops). */
  watchers(): CacheWatcher[] {
    const out = [...this.generic];
    for (const set of this.nodeIndexed.values()) out.push(...set);
    return out;
  }

  /** The type of event a watcher sees: an object entering its selection is ADDED, one leaving it DELETED. */
  private viewTypeFor(w: WatchFilter, event: CacheEvent): WatchEventType | undefined {
    const before = event.prev !== undefined && this.matches(w, event.prev);
    if (event.type === 'DELETED') return before ? 'DELETED' : undefined;
    if (this.matches(w, event.object)) return before ? 'MODIFIED' : 'ADDED';
    return before ? 'DELETED' : undefined;
  }

  private dispatch(event: CacheEvent): void {
    // Deliveries cross the network asynchronously, so no watcher is added or removed during these loops.
    for (const w of this.generic) this.send(w, event);
    if (this.nodeIndexed.size === 0) return;
    const curNode = nodeOf(event.object);
    const prevNode = event.prev ? nodeOf(event.prev) : undefined;
    const targets = this.nodeIndexed.get(curNode);
    if (targets) for (const w of targets) this.send(w, event);
    if (prevNode !== undefined && prevNode !== curNode) {
      const old = this.nodeIndexed.get(prevNode);
      if (old) for (const w of old) this.send(w, event);
    }
  }

  private send(w: CacheWatcher, event: CacheEvent): void {
    const type = this.viewTypeFor(w, event);
    if (type !== undefined) w.deliver(type, viewObject(type, event), event.ctx);
  }

  private index(obj: KubeObject): void {
    const key = objectKey(obj);
    this.objects.set(key, obj);
    if (this.byNode) this.nodeIndex(nodeOf(obj)).keys.add(key);
  }

  /** A pod event: its key leaves its previous node's set and joins its node's, unless the node is unchanged. */
  private moveKey(key: string, event: CacheEvent): void {
    const now = nodeOf(event.object);
    const was = event.prev === undefined ? undefined : nodeOf(event.prev);
    if (was === now && event.type !== 'DELETED') return;
    if (was !== undefined) this.nodeIndex(was).keys.delete(key);
    if (event.type !== 'DELETED') this.nodeIndex(now).keys.add(key);
  }

  /** Add the window's events not yet indexed to their nodes' lists (an event that moved a pod to both nodes'). */
  private indexEventsByNode(): void {
    for (let i = Math.max(this.nodeIndexedTo, this.head); i < this.events.length; i++) {
      const event = this.events[i];
      const now = nodeOf(event.object);
      this.nodeIndex(now).events.push(event);
      if (event.prev === undefined) continue;
      const was = nodeOf(event.prev);
      if (was !== now) this.nodeIndex(was).events.push(event);
    }
    this.nodeIndexedTo = this.events.length;
  }

  private nodeIndex(node: string): NodeIndex {
    let index = this.byNode!.get(node);
    if (!index) this.byNode!.set(node, (index = { keys: new Set(), events: [] }));
    return index;
  }

  private trim(now: number): void {
    const { capacity, freshMs, maxCapacity } = this.options;
    while (this.events.length - this.head > capacity && (now - this.times[this.head] > freshMs || this.events.length - this.head > maxCapacity)) {
      this.windowStart = this.events[this.head].rv;
      this.head++;
    }
    if (this.head > 1024 && this.head > this.events.length / 2) {
      this.events = this.events.slice(this.head);
      this.times = this.times.slice(this.head);
      this.nodeIndexedTo = Math.max(0, this.nodeIndexedTo - this.head);
      this.head = 0;
      if (this.byNode) for (const index of this.byNode.values()) this.cutDropped(index);
    }
  }

  /** Cut off a node's events that the window has dropped. */
  private cutDropped(index: NodeIndex): void {
    const first = firstAfter(index.events, 0, this.windowStart);
    if (first > 0) index.events = index.events.slice(first);
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first of `events` from `from` on with a resourceVersion above `rv` (binary search: rvs increase). */
function firstAfter(events: readonly CacheEvent[], from: number, rv: number): number {
  let lo = from;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].rv <= rv) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The object a watcher is sent: for an object that left its selection, the last version it saw, at this event's resourceVersion. */
function viewObject(type: WatchEventType, event: CacheEvent): KubeObject {
  return type === 'DELETED' && event.type !== 'DELETED' ? (stampResourceVersion(event.prev, event.rv) as KubeObject) : event.object;
}

function nodeOf(obj: KubeObject): string {
  const spec = obj.spec as { nodeName?: string } | undefined;
  return spec?.nodeName ?? '';
}

/** The node a field selector pins with spec.nodeName=X, if it does. */
function nodeSelected(fields: readonly FieldRequirement[]): string | undefined {
  for (const f of fields) if (f.field === 'spec.nodeName' && f.op === '=') return f.value;
  return undefined;
}
