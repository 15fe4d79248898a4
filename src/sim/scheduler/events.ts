/**
 * The scheduler's core/v1 Events (Scheduled, FailedScheduling), as kube-scheduler records them
 * through the events API: reportingComponent default-scheduler, an action, an eventTime; a repeat
 * of the same reason and message for a pod is counted (PATCH count and lastTimestamp) instead of
 * creating another object.
 */
import type { Clock } from '../clock';
import type { TraceContext } from '../log';
import type { ApiClient } from '../api/request';
import type { CoreEvent, Pod } from '../api/types';

export const SCHEDULER_COMPONENT = 'default-scheduler';

interface Recorded {
  name: string;
  count: number;
  created: boolean;
}

export class SchedulerEventRecorder {
  /** By pod (uid, or namespace/name), then by "reason|message": forgetting a pod touches only its own. */
  private readonly seen = new Map<string, Map<string, Recorded>>();
  private lastStamp = 0n;

  constructor(
    private readonly clock: Clock,
    private readonly client: ApiClient,
    private readonly instance: string,
    readonly enabled = true,
  ) {}

  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, action: string, message: string, ctx: TraceContext): void {
    if (!this.enabled) return;
    const ns = pod.metadata.namespace ?? 'default';
    const podId = podIdOf(pod);
    const key = `${reason}|${message}`;
    const now = this.clock.iso();
    let ofPod = this.seen.get(podId);
    const prior = ofPod?.get(key);
    if (prior?.created) {
      prior.count++;
      this.client.request(
        { verb: 'patch', apiVersion: 'v1', resource: 'events', namespace: ns, name: prior.name, patchType: 'application/merge-patch+json', body: { count: prior.count, lastTimestamp: now } },
        ctx,
        () => {},
      );
      return;
    }
    const record: Recorded = { name: `${pod.metadata.name}.${this.stamp()}`, count: 1, created: false };
    if (!ofPod) this.seen.set(podId, (ofPod = new Map()));
    ofPod.set(key, record);
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: record.name, namespace: ns },
      involvedObject: { kind: 'Pod', namespace: ns, name: pod.metadata.name ?? '', uid: pod.metadata.uid, apiVersion: 'v1', resourceVersion: pod.metadata.resourceVersion },
      reason,
      message,
      type,
      source: { component: SCHEDULER_COMPONENT },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: SCHEDULER_COMPONENT,
      reportingInstance: this.instance,
      action,
      eventTime: this.clock.isoMicro(),
    };
    this.client.request({ verb: 'create', apiVersion: 'v1', resource: 'events', namespace: ns, body: event }, ctx, (r) => {
      if (r.code === 201) record.created = true;
      else {
        const current = this.seen.get(podId);
        current?.delete(key);
        if (current?.size === 0) this.seen.delete(podId);
      }
    });
  }

  /** Forget what was recorded about a pod (it is gone or scheduled). */
  forget(pod: Pod): void {
    this.seen.delete(podIdOf(pod));
  }

  /** "<pod>.<nanoseconds since the epoch in hex>", unique per recorder, as client-go names events. */
  private stamp(): string {
    let ns = this.clock.epochNanos();
    if (ns <= this.lastStamp) ns = this.lastStamp + 1n;
    this.lastStamp = ns;
    return ns.toString(16);
  }
}

function podIdOf(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}
