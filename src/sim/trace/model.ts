/**
 * The request-flow view model: what the flow view shows of a trace, projected from event log entries.
 * Plain JSON (no classes, no functions) so it crosses the host ⇄ webview boundary unchanged.
 *
 * A trace is shown as *steps* (one per log entry, or one for a run of collapsed heartbeats) between
 * *lifelines* (component instances: kubectl, lb, apiserver@master-1, etcd@master-2, kubelet@worker-1 ...),
 * which the topology view places on *hosts* inside *zones*.
 */
import type { LogKind } from '../log';

/** What kind of component a lifeline is; decides its colour, its order and where the topology draws it. */
export type ComponentKind =
  | 'client'
  | 'lb'
  | 'apiserver'
  | 'etcd'
  | 'scheduler'
  | 'controller-manager'
  | 'kubelet'
  | 'runtime'
  | 'proxy'
  | 'other';

/** One component instance: a column of the sequence diagram, a box in the topology. */
export interface Lifeline {
  /** The instance name exactly as in the log: "apiserver@master-1", "kubectl", "lb". */
  id: string;
  kind: ComponentKind;
  /** The machine it runs on ("master-1", "worker-2"), or the name itself for kubectl and the load balancer. */
  host: string;
  /** A short label for narrow columns: "apiserver", "etcd", "kubelet". */
  label: string;
}

export type HostRole = 'client' | 'lb' | 'control-plane' | 'worker';

export interface HostBox {
  name: string;
  role: HostRole;
  /** The zone for masters and workers; undefined for kubectl (outside) and the load balancer (in front). */
  zone?: string;
  /** Lifeline ids on this host, in lifeline order. */
  lifelines: string[];
}

export interface Topology {
  /** Zone names in display order (us-east-2a, us-east-2b, us-east-2c). */
  zones: string[];
  hosts: HostBox[];
}

/** Where a message belongs in the story; the views colour by it. */
export type StepStage = 'api' | 'lb' | 'etcd' | 'watch' | 'scheduler' | 'kubelet' | 'runtime' | 'controller' | 'heartbeat' | 'fault' | 'note';

/** One row of the sequence diagram: light enough to send 10,000 of them at once. */
export interface StepSummary {
  /** Stable id: the `seq` of the (first) log entry. Survives filtering and collapsing. */
  id: number;
  /** Virtual time in ms. */
  t: number;
  from: string;
  to: string;
  kind: LogKind;
  stage: StepStage;
  /** One line, from the log entry's summary. */
  title: string;
  traceId: string;
  /** The step that caused this one (the parent entry's seq), if any. */
  parentId?: number;
  /** "POST", "GET", "WATCH" ... for API requests and responses. */
  verb?: string;
  path?: string;
  /** HTTP status code of a response. */
  code?: number;
  /** "pods/default/web": the object the step concerns (subresources fold into their object). */
  objectKey?: string;
  resourceVersion?: string;
  revision?: number;
  /** Set on a collapsed run of heartbeats: how many log entries it stands for. */
  collapsed?: number;
}

export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
}

export interface QuorumInfo {
  /** Members whose log holds the entry when it committed (the leader included). */
  acks: string[];
  members: number;
  /** Majority needed: floor(members / 2) + 1. */
  needed: number;
}

export interface FilterCell {
  plugin: string;
  code: string;
  reasons: string[];
}

export interface ScheduleRow {
  node: string;
  feasible: boolean;
  /** Filter results that are not Success (empty for a feasible node). */
  filters: FilterCell[];
  /** Per-plugin normalised, weighted scores (feasible nodes only). */
  scores: Record<string, number>;
  total?: number;
  chosen: boolean;
}

export interface ScheduleTable {
  pod?: string;
  /** The node picked, or undefined when nothing fits. */
  selected?: string;
  /** The FitError message ("0/6 nodes are available: ..."), when nothing fits. */
  message?: string;
  /** Plugin names that scored, in column order. */
  scorePlugins: string[];
  rows: ScheduleRow[];
  /** Nodes evaluated of all nodes (percentageOfNodesToScore). */
  evaluated?: number;
  nodes?: number;
}

/** Everything about one step; computed on demand (YAML and diffs are too costly for 10,000 steps up front). */
export interface StepDetail {
  id: number;
  summary: StepSummary;
  /** What happens here, in plain language. */
  explanation: string;
  /** Where the simplified picture ("the API server asks the scheduler") differs from real Kubernetes. */
  reality?: string;
  /** The object at this step, as YAML. */
  objectYaml?: string;
  /**
   * Against the previous version of the same object earlier in this trace (undefined for the first):
   * the changed lines with 3 lines of context, gaps shown as one "…" line.
   */
  diff?: DiffLine[];
  /** The step holding the previous version the diff is against. */
  previousVersionStep?: number;
  quorum?: QuorumInfo;
  schedule?: ScheduleTable;
  /** The remaining structured detail of the log entry, as YAML (objects left out). */
  detailYaml?: string;
  /** For a collapsed step: one line per entry it stands for. */
  members?: { id: number; t: number; title: string }[];
}

export interface TraceFilter {
  /** Keep only steps about this object key ("pods/default/web"). */
  object?: string;
  /** Keep only steps sent or received by this lifeline id, or any instance of this component kind. */
  component?: string;
  /** Fold consecutive lease renewals into one step. */
  collapseHeartbeats: boolean;
}

export interface FilterOption {
  value: string;
  label: string;
  count: number;
}

/** The whole view of a trace as the webview first receives it. */
export interface TraceView {
  /** What is shown: a traceId, "object:<key>", or "live". */
  source: string;
  title: string;
  lifelines: Lifeline[];
  topology: Topology;
  /** The visible steps, after filtering and collapsing, in log order. */
  steps: StepSummary[];
  /** Log entries behind the view, before filtering. */
  totalEntries: number;
  filter: TraceFilter;
  objects: FilterOption[];
  components: FilterOption[];
}

/** A recorded trace the user can switch to. */
export interface TraceListItem {
  /** A traceId, "object:<key>" or "live". */
  source: string;
  label: string;
  /** Virtual time of its first entry, ms. */
  t: number;
}
