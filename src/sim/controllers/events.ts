/**
 * The event recorder of control-plane components (controllers, leader election): the shared recorder with
 * client-go's spam filter, as kube-controller-manager's recorders have it.
 */
import type { Clock } from '../clock';
import type { ApiClient } from '../api/request';
import { EventRecorder } from '../events';

export type { EventType } from '../events';

export class ObjectEventRecorder extends EventRecorder {
  constructor(clock: Clock, client: ApiClient, component: string, host: string) {
    super(clock, client, { component, instance: host }, { spamFilter: true });
  }
}
