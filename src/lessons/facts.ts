/**
 * What a lesson's checks may read: a plain snapshot of the lab's real state, built by the host from the
 * cluster's committed objects, its faults and its event log. Checks are pure functions of these facts, so they
 * are unit-testable and never depend on which button the learner clicked.
 */
import type { CoreEvent, Deployment, Endpoints, Node, Pod, ReplicaSet, Service } from '../sim/api/types';
import type { Cluster } from '../sim/cluster';
import type { Faults } from '../sim/faults';
import type { LogEntry } from '../sim/log';

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

/** What the learner did that the cluster's objects do not show, remembered across reloads. */
export interface LessonProgress {
  answers: Record<string, string>;
  baselines: Record<string, { etcdRevision: number }>;
  requestsSeen: string[];
  podsDeletedByUser: number;
  serviceRequestsAnswered: number;
}

export function emptyProgress(): LessonProgress {
  return { answers: {}, baselines: {}, requestsSeen: [], podsDeletedByUser: 0, serviceRequestsAnswered: 0 };
}

/** The facts of a running cluster (committed state, faults, etcd quorum) and the learner's progress. */
export function readLabFacts(cluster: Cluster | undefined, faults: Faults | undefined, progress: LessonProgress): LabFacts {
  const base = emptyFacts();
  const fromProgress = {
    requestsSeen: new Set(progress.requestsSeen),
    podsDeletedByUser: progress.podsDeletedByUser,
    serviceRequestsAnswered: progress.serviceRequestsAnswered,
    answers: progress.answers,
    baselines: progress.baselines,
  };
  if (!cluster) return { ...base, ...fromProgress };
  const read = cluster.read;
  const etcdUp = cluster.masters.filter((m) => cluster.etcd.member(m.name)?.running).length;
  return {
    ...base,
    ...fromProgress,
    running: true,
    pods: read.list<Pod>('pods'),
    nodes: read.list<Node>('nodes'),
    deployments: read.list<Deployment>('deployments'),
    replicaSets: read.list<ReplicaSet>('replicasets'),
    services: read.list<Service>('services'),
    endpoints: read.list<Endpoints>('endpoints'),
    events: read.list<CoreEvent>('events'),
    faults: faults?.list().map((f) => ({ kind: f.kind, name: f.name })) ?? [],
    etcdQuorum: etcdUp >= cluster.etcd.quorum,
    etcdRevision: read.revision(),
  };
}

/**
 * Updates the progress from one event-log entry: requests from kubectl ("kubectl list nodes"), pods a person
 * deleted, and Service requests that reached an endpoint. Returns true when something changed.
 */
export function observeLogEntry(progress: LessonProgress, entry: LogEntry): boolean {
  if (entry.kind === 'request' && entry.objectRef) {
    const client = entry.from.split('/')[0];
    if (!client.startsWith('kubectl')) return false;
    const verb = String(entry.detail?.verb ?? '');
    const resource = entry.objectRef.resource;
    let changed = false;
    const key = `kubectl ${verb} ${resource}`;
    if (!progress.requestsSeen.includes(key)) {
      progress.requestsSeen = [...progress.requestsSeen, key];
      changed = true;
    }
    if (verb === 'delete' && resource === 'pods' && entry.objectRef.name) {
      progress.podsDeletedByUser++;
      changed = true;
    }
    return changed;
  }
  if (entry.kind === 'note' && entry.from.startsWith('pod@') && entry.detail?.pod !== undefined && entry.detail?.error === undefined) {
    progress.serviceRequestsAnswered++;
    return true;
  }
  return false;
}
