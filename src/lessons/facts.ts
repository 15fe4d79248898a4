/**
 * What a lesson's checks may read: a plain snapshot of the lab's real state, built by the host from the
 * cluster's committed objects, its faults and its event log. Checks are pure functions of these facts, so they
 * are unit-testable and never depend on which button the learner clicked.
 */
import type { CoreEvent, Deployment, Endpoints, Node, Pod, ReplicaSet, Service } from '../sim/api/types';

export interface LabFacts {
  /** The lab cluster is running. */
  running: boolean;
  pods: readonly Pod[];
  nodes: readonly Node[];
  deployments: readonly Deployment[];
  replicaSets: readonly ReplicaSet[];
  services: readonly Service[];
  endpoints: readonly Endpoints[];
  events: readonly CoreEvent[];
  /** Active faults, e.g. {kind: 'node', name: 'worker-1'}. */
  faults: readonly { kind: string; name: string }[];
  /** etcd has a quorum (writes can commit). */
  etcdQuorum: boolean;
  /** etcd's current revision. */
  etcdRevision: number;
  /** Requests the API server received, as "client verb resource" (e.g. "kubectl list nodes"), deduplicated. */
  requestsSeen: ReadonlySet<string>;
  /** Pods deleted by a person (kubectl or the editor), not by a controller. */
  podsDeletedByUser: number;
  /** Requests sent to a Service from a pod that reached an endpoint. */
  serviceRequestsAnswered: number;
  /** The learner's answers to lesson questions, by question id. */
  answers: Readonly<Record<string, string>>;
  /** Error-level diagnostics per lesson starter file (by starter id); absent when the file is not open. */
  starterErrors: Readonly<Record<string, number>>;
  /** Values remembered when a lesson started (e.g. etcd's revision), by lesson id. */
  baselines: Readonly<Record<string, { etcdRevision: number }>>;
}

export function emptyFacts(): LabFacts {
  return {
    running: false,
    pods: [],
    nodes: [],
    deployments: [],
    replicaSets: [],
    services: [],
    endpoints: [],
    events: [],
    faults: [],
    etcdQuorum: false,
    etcdRevision: 0,
    requestsSeen: new Set(),
    podsDeletedByUser: 0,
    serviceRequestsAnswered: 0,
    answers: {},
    starterErrors: {},
    baselines: {},
  };
}
