/**
 * The scheduler's core/v1 Events (Scheduled, FailedScheduling), as kube-scheduler records them through the
 * events API — reportingComponent default-scheduler, an action, an eventTime — with the shared recorder, which
 * counts a repeat of the same reason and message for a pod instead of creating another object.
 */
import type { Clock } from '../clock';
import type { TraceContext } from '../log';
import type { ApiClient } from '../api/request';
import type { Pod } from '../api/types';
import { EventRecorder, type EventType } from '../events';

export const SCHEDULER_COMPONENT = 'default-scheduler';

export class SchedulerEventRecorder {
  private readonly recorder: EventRecorder;

  constructor(clock: Clock, client: ApiClient, instance: string, readonly enabled = true) {
    this.recorder = new EventRecorder(clock, client, { component: SCHEDULER_COMPONENT, instance }, { enabled });
  }

  record(pod: Pod, type: EventType, reason: string, action: string, message: string, ctx: TraceContext): void {
    this.recorder.record(pod, type, reason, message, ctx, { action });
  }

  /** Forget what was recorded about a pod (it is gone or scheduled). */
  forget(pod: Pod): void {
    this.recorder.forget(pod);
  }
}
