/**
 * What every simulated component (scheduler, controller-manager, kubelet, kube-proxy) is given and
 * what it offers. Components talk only to the API server, through their `client`.
 */
import type { Clock } from '../clock';
import type { EventLog } from '../log';
import type { ApiClient } from './request';
import type { Informer, InformerOptions } from './informer';
import type { KubeObject } from './types';

export interface ComponentEnv {
  clock: Clock;
  log: EventLog;
  /** The component's API client (its requests go through the network to an API server). */
  client: ApiClient;
  /** Creates an informer that uses this component's client. */
  informer<T extends KubeObject>(options: InformerOptions): Informer<T>;
  /** The machine the component runs on, e.g. "master-1" or "worker-2". */
  host: string;
}

export interface Component {
  /** Instance name as it appears in the log, e.g. "kube-scheduler@master-1", "kubelet@worker-2". */
  readonly name: string;
  /** Start (or restart after a crash: state is rebuilt from the API server, as in Kubernetes). */
  start(): void;
  /** Crash or shut down: stop every timer and watch, forget in-memory state. */
  stop(): void;
  readonly running: boolean;
}
