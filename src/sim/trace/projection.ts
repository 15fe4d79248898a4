/**
 * TraceProjection: log entries in, the flow view's model out. Entries are added incrementally (live
 * mode appends as the log grows); summaries are computed on add, the costly parts (YAML, diffs, the
 * scheduler's table) only when a step's detail is asked for.
 */
import { stringify } from 'yaml';
import type { LogEntry } from '../log';
import { explain, explainHeartbeats } from './explain';
import {
  codeOf, displayKey, objectKeyOf, objectOf, pathOf, resourceVersionOf, revisionOf, stageOf, verbOf,
} from './entry-facts';
import { diffLines, withContext } from './line-diff';
import { buildTopology, compareLifelines, controlPlaneLifelines, parseLifeline, type HostInfo } from './lifelines';
import type {
  FilterOption, Lifeline, QuorumInfo, StepDetail, StepSummary, TraceFilter, TraceView,
} from './model';
import { scheduleTableOf } from './schedule-table';

export interface ProjectionOptions {
  /** What is shown: a traceId, "object:<key>", or "live". */
  source: string;
  /** A title; by default the first entry's summary. */
  title?: string;
  /** The cluster's machines, for the topology (all appear even when silent). */
  hosts?: readonly HostInfo[];
  /** Members of the etcd cluster (quorum = majority); 3 by default. */
  etcdMembers?: number;
}

/** The lifeline of a message whose sender or receiver the log does not name. */
export const UNNAMED = '(unnamed)';

export const DEFAULT_FILTER: TraceFilter = Object.freeze({ collapseHeartbeats: true });

/** Unchanged lines shown around each change of an object (the whole object is shown beside). */
const DIFF_CONTEXT = 3;

/** Keys of `detail` shown elsewhere in the detail view, left out of its raw YAML. */
const SHOWN_ELSEWHERE = new Set(['object', 'body', 'event', 'value', 'nodes', 'filter', 'scores']);

export class TraceProjection {
  private readonly entryList: LogEntry[] = [];
  private readonly summaries: StepSummary[] = [];
  private readonly indexBySeq = new Map<number, number>();
  private readonly heartbeatTraces = new Map<string, boolean>();
  private readonly lifelineMap = new Map<string, Lifeline>();
  private readonly objectCounts = new Map<string, number>();
  private readonly componentCounts = new Map<string, number>();
  /** Per object key, the indices of entries carrying a snapshot of it (for diffs). */
  private readonly versions = new Map<string, number[]>();
  private readonly yamlCache = new Map<number, string>();
  private sortedLifelines: Lifeline[] | undefined;
  private visibleCache: { filter: string; size: number; steps: StepSummary[] } | undefined;

  constructor(private readonly options: ProjectionOptions) {
    for (const id of controlPlaneLifelines(options.hosts ?? [])) this.lifeline(id);
  }

  get size(): number {
    return this.entryList.length;
  }

  get source(): string {
    return this.options.source;
  }

  entries(): readonly LogEntry[] {
    return this.entryList;
  }

  /** Add entries in log order; entries already added (same seq) are ignored. */
  add(entries: Iterable<LogEntry>): number {
    let added = 0;
    for (const entry of entries) {
      if (this.indexBySeq.has(entry.seq)) continue;
      this.addOne(entry);
      added++;
    }
    return added;
  }

  private lifeline(id: string): Lifeline {
    let lifeline = this.lifelineMap.get(id);
    if (!lifeline) {
      lifeline = parseLifeline(id);
      this.lifelineMap.set(id, lifeline);
      this.sortedLifelines = undefined;
    }
    return lifeline;
  }

  private isHeartbeat(entry: LogEntry, objectKey: string | undefined): boolean {
    let heartbeat = this.heartbeatTraces.get(entry.traceId);
    if (heartbeat === undefined) {
      // A trace is a heartbeat when its first entry is about a Lease (a node's or a leader's renewal).
      heartbeat = !!objectKey?.startsWith('leases/');
      this.heartbeatTraces.set(entry.traceId, heartbeat);
    }
    return heartbeat;
  }

  private addOne(entry: LogEntry): void {
    const index = this.entryList.length;
    this.entryList.push(entry);
    this.indexBySeq.set(entry.seq, index);
    const from = this.lifeline(entry.from || UNNAMED);
    const to = this.lifeline(entry.to || UNNAMED);
    const parentIndex = entry.parentId === undefined ? undefined : this.indexBySeq.get(entry.parentId);
    const ownKey = objectKeyOf(entry);
    // Entries that name no object (an etcd ack, a bare response) concern their cause's object.
    const objectKey = ownKey ?? (parentIndex === undefined ? undefined : this.summaries[parentIndex].objectKey);
    const heartbeat = this.isHeartbeat(entry, objectKey);
    const summary: StepSummary = {
      id: entry.seq,
      t: entry.t,
      from: from.id,
      to: to.id,
      kind: entry.kind,
      stage: stageOf(entry, from.kind, to.kind, heartbeat),
      title: entry.summary,
      traceId: entry.traceId,
    };
    if (entry.parentId !== undefined) summary.parentId = entry.parentId;
    if (entry.kind === 'request' || entry.kind === 'response' || entry.kind === 'forward') {
      const verb = verbOf(entry);
      const path = pathOf(entry);
      if (verb) summary.verb = verb;
      if (path) summary.path = path;
    }
    const code = codeOf(entry);
    if (code !== undefined) summary.code = code;
    if (objectKey) summary.objectKey = objectKey;
    const rv = resourceVersionOf(entry);
    if (rv) summary.resourceVersion = rv;
    const revision = revisionOf(entry);
    if (revision !== undefined) summary.revision = revision;
    this.summaries.push(summary);

    if (objectKey) this.objectCounts.set(objectKey, (this.objectCounts.get(objectKey) ?? 0) + 1);
    for (const id of new Set([from.id, to.id])) this.componentCounts.set(id, (this.componentCounts.get(id) ?? 0) + 1);
    const snapshotKey = ownKey && objectOf(entry) ? ownKey : undefined;
    if (snapshotKey) {
      const list = this.versions.get(snapshotKey);
      if (list) list.push(index);
      else this.versions.set(snapshotKey, [index]);
    }
  }

  lifelines(): Lifeline[] {
    return (this.sortedLifelines ??= [...this.lifelineMap.values()].sort(compareLifelines));
  }

  /** The visible steps under `filter`: filtered, then heartbeats folded. Cached until entries are added. */
  steps(filter: TraceFilter = DEFAULT_FILTER): StepSummary[] {
    const key = JSON.stringify([filter.object ?? '', filter.component ?? '', filter.collapseHeartbeats]);
    if (this.visibleCache && this.visibleCache.filter === key && this.visibleCache.size === this.size) return this.visibleCache.steps;
    const matches = stepMatcher(filter, (id) => this.lifelineMap.get(id));
    const steps: StepSummary[] = [];
    let run: StepSummary[] = [];
    const flush = () => {
      if (run.length === 1) steps.push(run[0]);
      else if (run.length > 1) steps.push(collapseRun(run));
      run = [];
    };
    for (const summary of this.summaries) {
      if (!matches(summary)) continue;
      if (filter.collapseHeartbeats && summary.stage === 'heartbeat') {
        run.push(summary);
        continue;
      }
      flush();
      steps.push(summary);
    }
    flush();
    this.visibleCache = { filter: key, size: this.size, steps };
    return steps;
  }

  view(filter: TraceFilter = DEFAULT_FILTER): TraceView {
    const lifelines = this.lifelines();
    const first = this.entryList[0];
    const firstKey = this.summaries[0]?.objectKey;
    const title = this.options.title ?? (first ? `${first.summary}${firstKey ? ` · ${displayKey(firstKey)}` : ''}` : 'No messages yet');
    return {
      source: this.options.source,
      title,
      lifelines,
      topology: buildTopology(lifelines, this.options.hosts),
      steps: this.steps(filter),
      totalEntries: this.size,
      filter: { ...filter },
      objects: this.objectOptions(),
      components: this.componentOptions(),
    };
  }

  objectOptions(): FilterOption[] {
    return [...this.objectCounts]
      .map(([value, count]) => ({ value, label: displayKey(value), count }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  }

  componentOptions(): FilterOption[] {
    const byKind = new Map<string, number>();
    const instances: FilterOption[] = [];
    for (const lifeline of this.lifelines()) {
      const count = this.componentCounts.get(lifeline.id) ?? 0;
      if (count === 0) continue;
      instances.push({ value: lifeline.id, label: lifeline.id, count });
      byKind.set(lifeline.kind, (byKind.get(lifeline.kind) ?? 0) + count);
    }
    const kinds = [...byKind]
      .filter(([kind]) => instances.filter((i) => this.lifelineMap.get(i.value)?.kind === kind).length > 1)
      .map(([kind, count]) => ({ value: `kind:${kind}`, label: `every ${kind}`, count }));
    return [...kinds, ...instances];
  }

  /** The full detail of a visible step (a collapsed run is found by its first id). */
  detail(id: number, filter: TraceFilter = DEFAULT_FILTER): StepDetail | undefined {
    const index = this.indexBySeq.get(id);
    if (index === undefined) return undefined;
    const visible = this.steps(filter).find((s) => s.id === id);
    if (visible?.collapsed) return this.collapsedDetail(visible, filter);
    return this.entryDetail(index);
  }

  private entryDetail(index: number): StepDetail {
    const entry = this.entryList[index];
    const summary = this.summaries[index];
    const from = this.lifeline(summary.from);
    const to = this.lifeline(summary.to);
    const { explanation, reality } = explain(entry, {
      from,
      to,
      verb: summary.verb,
      path: summary.path,
      code: summary.code,
      objectLabel: summary.objectKey ? displayKey(summary.objectKey) : undefined,
      resourceVersion: summary.resourceVersion,
      revision: summary.revision,
      heartbeat: summary.stage === 'heartbeat',
    });
    const detail: StepDetail = { id: entry.seq, summary, explanation };
    if (reality) detail.reality = reality;
    const key = objectKeyOf(entry);
    if (key && objectOf(entry)) {
      const yaml = this.yamlAt(index);
      detail.objectYaml = yaml;
      const previous = this.previousVersion(key, index);
      if (previous !== undefined) {
        detail.previousVersionStep = this.entryList[previous].seq;
        detail.diff = withContext(diffLines(this.yamlAt(previous).split('\n'), yaml.split('\n')), DIFF_CONTEXT);
      }
    }
    if (entry.kind === 'etcd-commit') detail.quorum = this.quorumOf(entry);
    if (entry.kind === 'decision' && from.kind === 'scheduler') {
      const table = scheduleTableOf(entry);
      if (table) detail.schedule = table;
    }
    const rest = restOfDetail(entry);
    if (rest) detail.detailYaml = rest;
    return detail;
  }

  /**
   * The latest earlier snapshot of the object with another resourceVersion: each watcher gets its own
   * copy of one version, and those copies are not changes.
   */
  private previousVersion(key: string, index: number): number | undefined {
    const history = this.versions.get(key) ?? [];
    const rv = objectOf(this.entryList[index])?.metadata.resourceVersion;
    for (let i = history.indexOf(index) - 1; i >= 0; i--) {
      const candidate = objectOf(this.entryList[history[i]])?.metadata.resourceVersion;
      if (rv === undefined || candidate !== rv) return history[i];
    }
    return undefined;
  }

  private collapsedDetail(step: StepSummary, filter: TraceFilter): StepDetail {
    const members: { id: number; t: number; title: string }[] = [];
    const matches = stepMatcher(filter, (id) => this.lifelineMap.get(id));
    const traces = new Set<string>();
    for (let i = this.indexBySeq.get(step.id)!; i < this.summaries.length && members.length < (step.collapsed ?? 0); i++) {
      const s = this.summaries[i];
      if (!matches(s) || s.stage !== 'heartbeat') continue;
      members.push({ id: s.id, t: s.t, title: `${s.from} → ${s.to}: ${s.title}` });
      traces.add(s.traceId);
    }
    const { explanation, reality } = explainHeartbeats(traces.size, members.length);
    return { id: step.id, summary: step, explanation, reality, members };
  }

  private yamlAt(index: number): string {
    let yaml = this.yamlCache.get(index);
    if (yaml === undefined) {
      yaml = stringify(objectOf(this.entryList[index]), { lineWidth: 0 }).trimEnd();
      if (this.yamlCache.size > 512) this.yamlCache.clear();
      this.yamlCache.set(index, yaml);
    }
    return yaml;
  }

  private quorumOf(entry: LogEntry): QuorumInfo {
    const raw = entry.detail?.acks;
    const acks = Array.isArray(raw) ? raw.filter((a): a is string => typeof a === 'string') : [];
    const members = this.options.etcdMembers ?? 3;
    return { acks, members, needed: Math.floor(members / 2) + 1 };
  }
}

/** A predicate for the filter's object and component. */
function stepMatcher(filter: TraceFilter, lifelineOf: (id: string) => Lifeline | undefined): (s: StepSummary) => boolean {
  const { object, component } = filter;
  const kind = component?.startsWith('kind:') ? component.slice(5) : undefined;
  const touches = (id: string) => (kind ? lifelineOf(id)?.kind === kind : id === component);
  return (s) => (!object || s.objectKey === object) && (!component || touches(s.from) || touches(s.to));
}

function collapseRun(run: StepSummary[]): StepSummary {
  const first = run[0];
  const last = run[run.length - 1];
  const renewers = [...new Set(run.filter((s) => s.kind === 'request').map((s) => s.from))];
  const renewals = new Set(run.map((s) => s.traceId)).size;
  const who = renewers.length > 3 ? `${renewers.slice(0, 3).join(', ')} and ${renewers.length - 3} more` : renewers.join(', ');
  return {
    id: first.id,
    t: first.t,
    from: first.from,
    to: first.to,
    kind: first.kind,
    stage: 'heartbeat',
    title: `${renewals} lease renewal${renewals === 1 ? '' : 's'}${who ? ` (${who})` : ''} · ${run.length} messages until t=${(last.t / 1000).toFixed(3)}s`,
    traceId: first.traceId,
    collapsed: run.length,
  };
}

function restOfDetail(entry: LogEntry): string | undefined {
  if (!entry.detail) return undefined;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry.detail)) {
    if (value === undefined || SHOWN_ELSEWHERE.has(key)) continue;
    rest[key] = value;
  }
  return Object.keys(rest).length > 0 ? stringify(rest, { lineWidth: 0 }).trimEnd() : undefined;
}

/**
 * What changed between two visible step lists, as "replace everything from `from` on with `steps`":
 * in live mode only the tail changes (new steps, or a heartbeat run that grew).
 */
export function tailChange(before: readonly StepSummary[], after: readonly StepSummary[]): { from: number; steps: StepSummary[] } {
  let from = 0;
  const n = Math.min(before.length, after.length);
  while (from < n && before[from].id === after[from].id && before[from].collapsed === after[from].collapsed) from++;
  return { from, steps: after.slice(from) };
}
