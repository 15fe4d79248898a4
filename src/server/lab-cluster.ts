/**
 * What the HTTP server needs from the simulated cluster (src/sim/cluster.ts satisfies it): its clock
 * and log, an outside API client through the load balancer per client name, and the fault API.
 */
import type { ApiClient } from '../sim/api/request';
import type { Clock } from '../sim/clock';
import type { EventLog } from '../sim/log';

export const FAULT_KINDS = ['node', 'zone', 'apiserver', 'etcd', 'scheduler', 'controller-manager', 'partition'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The fault API (src/sim/faults.ts): stop/start a part of the cluster, list what is stopped. */
export interface LabFaults {
  stop(kind: FaultKind, name: string): unknown;
  start(kind: FaultKind, name: string): unknown;
  list(): readonly unknown[];
}

export interface LabCluster {
  readonly clock: Clock;
  readonly log: EventLog;
  /** An API client outside the cluster (like kubectl), whose requests go through the load balancer. */
  client(name: string): ApiClient;
  readonly faults?: LabFaults;
}
