/**
 * core/v1 Events the kubelet records about pods (Pulling, Pulled, Created, Started, Killing, BackOff,
 * Failed ...), posted through the API like client-go's event recorder: the first occurrence is
 * created, repeats of the same reason and message are counted by PATCHing count and lastTimestamp.
 */
import type { Clock } from '../clock';
import type { TraceContext } from '../log';
import type { ApiClient } from '../api/request';
import type { CoreEvent, Pod } from '../api/types';

export type EventType = 'Normal' | 'Warning';

interface Recorded {
  name: string;
  count: number;
  firstTimestamp: string;
  /** Created on the server (a PATCH can follow). */
  created: boolean;
}

export class EventRecorder {
  private readonly seen = new Map<string, Recorded>();
  private lastStamp = 0n;

  constructor(
    private readonly clock: Clock,
    private readonly client: ApiClient,
    private readonly host: string,
    readonly enabled = true,
  ) {}

  /** Record an event about `pod` (and one of its containers: fieldPath spec.containers{name}). */
  record(pod: Pod, type: EventType, reason: string, message: string, ctx: TraceContext, container?: { name: string; init?: boolean }): void {
    if (!this.enabled) return;
    const ns = pod.metadata.namespace ?? 'default';
    const fieldPath = container ? `spec.${container.init ? 'initContainers' : 'containers'}{${container.name}}` : undefined;
    const key = `${pod.metadata.uid}|${fieldPath ?? ''}|${type}|${reason}|${message}`;
    const now = this.clock.iso();
    const prior = this.seen.get(key);
    if (prior && prior.created) {
      prior.count++;
      this.client.request(
        { verb: 'patch', apiVersion: 'v1', resource: 'events', namespace: ns, name: prior.name, patchType: 'application/merge-patch+json', body: { count: prior.count, lastTimestamp: now } },
        ctx,
        () => {},
      );
      return;
    }
    const record: Recorded = { name: `${pod.metadata.name}.${this.stamp()}`, count: 1, firstTimestamp: now, created: false };
    this.seen.set(key, record);
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: record.name, namespace: ns },
      involvedObject: {
        kind: 'Pod',
        namespace: ns,
        name: pod.metadata.name!,
        uid: pod.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pod.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      type,
      source: { component: 'kubelet', host: this.host },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: 'kubelet',
      reportingInstance: this.host,
    };
    this.client.request({ verb: 'create', apiVersion: 'v1', resource: 'events', namespace: ns, body: event }, ctx, (r) => {
      if (r.code === 201) record.created = true;
      else this.seen.delete(key);
    });
  }

  /** Forget a pod's events (it is gone). */
  forget(podUid: string): void {
    for (const key of this.seen.keys()) if (key.startsWith(`${podUid}|`)) this.seen.delete(key);
  }

  /** Event names are "<pod>.<nanoseconds since the epoch in hex>", unique per recorder. */
  private stamp(): string {
    let ns = this.clock.epochNanos();
    if (ns <= this.lastStamp) ns = this.lastStamp + 1n;
    this.lastStamp = ns;
    return ns.toString(16);
  }
}

/** A Go-style duration as the kubelet prints it: "512ms", "2.345s", "1m5.2s". */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = ms / 1000;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = Number((totalSeconds - minutes * 60).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
