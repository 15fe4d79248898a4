/**
 * A core/v1 Event recorder for control-plane components (controllers, leader election), as
 * client-go's record.EventRecorder with its EventCorrelator spam filter: each (source, object) pair
 * may post a burst of 25 events, then one more every 5 minutes; the rest are dropped, as upstream
 * drops them, so a ReplicaSet creating 1,000 pods does not post 1,000 events.
 */
import type { Clock } from '../clock';
import type { TraceContext } from '../log';
import type { ApiClient } from '../api/request';
import type { CoreEvent, KubeObject } from '../api/types';

const SPAM_BURST = 25;
const SPAM_REFILL_MS = 5 * 60 * 1000;

export type EventType = 'Normal' | 'Warning';

export class ObjectEventRecorder {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private lastStamp = 0n;

  constructor(
    private readonly clock: Clock,
    private readonly client: ApiClient,
    /** Reporting component, e.g. "replicaset-controller". */
    private readonly component: string,
    /** Reporting instance (the host). */
    private readonly host: string,
  ) {}

  record(obj: KubeObject, type: EventType, reason: string, message: string, ctx: TraceContext): void {
    const uid = obj.metadata.uid ?? `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
    if (!this.allow(uid)) return;
    const ns = obj.metadata.namespace ?? 'default';
    const now = this.clock.iso();
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${this.stamp()}`, namespace: ns },
      involvedObject: {
        kind: obj.kind,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        name: obj.metadata.name!,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.host,
    };
    this.client.request({ verb: 'create', apiVersion: 'v1', resource: 'events', namespace: ns, body: event }, ctx, () => {});
  }

  private allow(uid: string): boolean {
    const now = this.clock.now();
    let b = this.buckets.get(uid);
    if (!b) {
      b = { tokens: SPAM_BURST, last: now };
      this.buckets.set(uid, b);
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
