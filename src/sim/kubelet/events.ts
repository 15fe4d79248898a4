/**
 * core/v1 Events the kubelet records about pods (Pulling, Pulled, Created, Started, Killing, BackOff,
 * Failed ...), through the shared recorder: source kubelet on its node, a container's fieldPath.
 */
import type { Clock } from '../clock';
import type { TraceContext } from '../log';
import type { ApiClient } from '../api/request';
import type { Pod } from '../api/types';
import { EventRecorder as SharedRecorder, type EventType } from '../events';

export type { EventType } from '../events';

export class EventRecorder {
  private readonly recorder: SharedRecorder;

  constructor(clock: Clock, client: ApiClient, host: string, readonly enabled = true) {
    this.recorder = new SharedRecorder(clock, client, { component: 'kubelet', host, instance: host }, { enabled });
  }

  /** Record an event about `pod` (and one of its containers: fieldPath spec.containers{name}); nothing when off. */
  record(pod: Pod, type: EventType, reason: string, message: string, ctx: TraceContext, container?: { name: string; init?: boolean }): void {
    if (!this.enabled) return;
    const fieldPath = container ? `spec.${container.init ? 'initContainers' : 'containers'}{${container.name}}` : undefined;
    this.recorder.record(pod, type, reason, message, ctx, { fieldPath });
  }

  /** Forget a pod's events (it is gone). */
  forget(podUid: string): void {
    this.recorder.forget(podUid);
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
