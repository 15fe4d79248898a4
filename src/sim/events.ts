/**
 * core/v1 Events, recorded the way client-go's record.EventRecorder does for every component (kubelet,
 * scheduler, controllers, leader election): events are named "<object>.<unix nanoseconds in hex>"; a repeat of
 * the same event about the same object is counted by PATCHing `count` and `lastTimestamp` instead of creating
 * another; optionally the EventCorrelator's spam filter (per object a burst of 25, then one more every 5
 * minutes; the rest are dropped) so a ReplicaSet creating 1,000 pods does not post 1,000 events.
 */
import type { Clock } from './clock';
import type { TraceContext } from './log';
import type { ApiClient } from './api/request';
import type { CoreEvent, KubeObject } from './api/types';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  /** source.component and reportingComponent, e.g. "kubelet", "default-scheduler", "replicaset-controller". */
  component: string;
  /** source.host (the kubelet's node). */
  host?: string;
  /** reportingInstance, e.g. the node or master the component runs on. */
  instance: string;
}

export interface EventRecorderOptions {
  /** When false nothing is posted (benchmarks). */
  enabled?: boolean;
  /** Apply client-go's spam filter per object. */
  spamFilter?: boolean;
}

/** What an event may say beyond reason and message. */
export interface EventDetail {
  /** The part of the object, e.g. "spec.containers{nginx}". */
  fieldPath?: string;
  /** events.k8s.io's action (the scheduler sets it, with an eventTime). */
  action?: string;
}

const SPAM_BURST = 25;
/**
 * client-go's maxLruCacheEntries: the correlator remembers the events of at most this many objects
 * (least recently used forgotten first), so a scheduler that records "Scheduled" for 100,000 pods
 * does not keep 100,000 entries.
 */
export const MAX_REMEMBERED_OBJECTS = 4096;
const SPAM_REFILL_MS = 5 * 60 * 1000;

interface Recorded {
  name: string;
  count: number;
  created: boolean;
}

export class EventRecorder {
  /** By object id, then by "fieldPath|type|reason|message": forgetting an object touches only its own. */
  private readonly seen = new Map<string, Map<string, Recorded>>();
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private lastStamp = 0n;
  readonly enabled: boolean;

  constructor(
    private readonly clock: Clock,
    private readonly client: ApiClient,
    private readonly source: EventSource,
    private readonly options: EventRecorderOptions = {},
  ) {
    this.enabled = options.enabled ?? true;
  }

  record(obj: KubeObject, type: EventType, reason: string, message: string, ctx: TraceContext, detail: EventDetail = {}): void {
    if (!this.enabled) return;
    const id = objectId(obj);
    if (this.options.spamFilter && !this.allow(id)) return;
    const ns = obj.metadata.namespace ?? 'default';
    const key = `${detail.fieldPath ?? ''}|${type}|${reason}|${message}`;
    const now = this.clock.iso();
    let ofObject = this.seen.get(id);
    if (ofObject) {
      // Most recently used last: re-insert.
      this.seen.delete(id);
      this.seen.set(id, ofObject);
    }
    const prior = ofObject?.get(key);
    if (prior?.created) {
      prior.count++;
      const body = { count: prior.count, lastTimestamp: now };
      this.client.request({ verb: 'patch', apiVersion: 'v1', resource: 'events', namespace: ns, name: prior.name, patchType: 'application/merge-patch+json', body }, ctx, () => {});
      return;
    }
    const record: Recorded = { name: `${obj.metadata.name}.${this.stamp()}`, count: 1, created: false };
    if (!ofObject) {
      this.seen.set(id, (ofObject = new Map()));
      forgetOldest(this.seen);
    }
    ofObject.set(key, record);
    const { component, host, instance } = this.source;
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: record.name, namespace: ns },
      involvedObject: {
        kind: obj.kind,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        name: obj.metadata.name ?? '',
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
        ...(detail.fieldPath ? { fieldPath: detail.fieldPath } : {}),
      },
      reason,
      message,
      type,
      source: host ? { component, host } : { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: component,
      reportingInstance: instance,
      ...(detail.action ? { action: detail.action, eventTime: this.clock.isoMicro() } : {}),
    };
    this.client.request({ verb: 'create', apiVersion: 'v1', resource: 'events', namespace: ns, body: event }, ctx, (r) => {
      if (r.code === 201) {
        record.created = true;
        return;
      }
      const current = this.seen.get(id);
      current?.delete(key);
      if (current?.size === 0) this.seen.delete(id);
    });
  }

  /** Forget what was recorded about an object (it is gone), by the object or its uid. */
  forget(objOrUid: KubeObject | string): void {
    const id = typeof objOrUid === 'string' ? objOrUid : objectId(objOrUid);
    this.seen.delete(id);
    this.buckets.delete(id);
  }

  private allow(id: string): boolean {
    const now = this.clock.now();
    let b = this.buckets.get(id);
    if (b) {
      this.buckets.delete(id);
      this.buckets.set(id, b);
    } else {
      this.buckets.set(id, (b = { tokens: SPAM_BURST, last: now }));
      forgetOldest(this.buckets);
    }
    b.tokens = Math.min(SPAM_BURST, b.tokens + (now - b.last) / SPAM_REFILL_MS);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Upstream names events "<object>.<unix nanoseconds in hex>"; keep them unique per recorder. */
  private stamp(): string {
    let ns = this.clock.epochNanos();
    if (ns <= this.lastStamp) ns = this.lastStamp + 1n;
    this.lastStamp = ns;
    return ns.toString(16);
  }
}

/** Drop the least recently used entry of a map kept in use order, once it holds more than MAX_REMEMBERED_OBJECTS. */
function forgetOldest(map: Map<string, unknown>): void {
  if (map.size > MAX_REMEMBERED_OBJECTS) map.delete(map.keys().next().value!);
}

function objectId(obj: KubeObject): string {
  return obj.metadata.uid ?? `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
