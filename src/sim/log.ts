/**
 * The append-only event log: every message between components is recorded here once, with causal
 * links. The tree view, the request-flow view, the CLI trace and the tests are all projections of it.
 *
 * Causality: a `traceId` names one user action (a kubectl request, a fault, a timer-driven loop);
 * `parentId` is the `seq` of the entry that caused this one (a watch delivery causes the scheduler's
 * binding request, which causes the API server's etcd proposal ...). The trace of an action is the
 * tree of entries reachable through `parentId` links.
 */
import type { ObjectRef } from './api/types';

export type LogKind =
  /** A client or component sends an API request (through the load balancer or directly). */
  | 'request'
  /** The API server's answer. */
  | 'response'
  /** The load balancer forwards a request to one API server instance. */
  | 'forward'
  /** An API server proposes a write to the etcd leader. */
  | 'etcd-propose'
  /** The etcd leader replicates an entry to a follower. */
  | 'etcd-append'
  /** A follower acknowledges an entry. */
  | 'etcd-ack'
  /** The entry reached a quorum and is committed; the revision is now durable. */
  | 'etcd-commit'
  /** etcd refuses or loses a write (no quorum, no leader, compacted). */
  | 'etcd-error'
  /** The API server delivers a watch event to a watcher. */
  | 'watch'
  /** A kubelet calls its container runtime (CRI) or the runtime reports back. */
  | 'cri'
  /** A component decides something on its own (scheduler decision, controller reconcile, leader election). */
  | 'decision'
  /** A fault was injected or healed. */
  | 'fault'
  /** Anything else worth telling the learner. */
  | 'note';

export interface LogEntry {
  /** Position in the log, starting at 1; unique and increasing. */
  seq: number;
  /** Virtual time in milliseconds. */
  t: number;
  /** The action this entry belongs to. */
  traceId: string;
  /** The entry that caused this one. */
  parentId?: number;
  /** Component instance that sends or acts, e.g. "kubectl", "lb", "apiserver@master-1", "etcd@master-2". */
  from: string;
  /** Component instance that receives (same as `from` for local decisions). */
  to: string;
  kind: LogKind;
  /** The API object concerned, if any. */
  objectRef?: ObjectRef;
  /** A one-line human summary, e.g. "POST /api/v1/namespaces/default/pods" or "bind default/web to worker-2". */
  summary: string;
  /** Structured details: verb, path, code, resourceVersion, revision, object snapshot, filter table ... */
  detail?: Record<string, unknown>;
}

/** The causal context carried along a chain of messages. */
export interface TraceContext {
  traceId: string;
  parentId?: number;
}

export type LogListener = (entry: LogEntry) => void;

export interface EventLogOptions {
  /** Keep at most this many entries (oldest dropped first); defaults to unbounded. */
  capacity?: number;
  /** When false, entries are numbered and passed to listeners but not stored (benchmarks). */
  store?: boolean;
}

export class EventLog {
  private readonly entries: LogEntry[] = [];
  private readonly listeners = new Set<LogListener>();
  private nextSeq = 1;
  private dropped = 0;
  private traceCounter = 0;
  private readonly capacity: number;
  private readonly store: boolean;

  constructor(options: EventLogOptions = {}) {
    this.capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    this.store = options.store ?? true;
  }

  /** A fresh trace id ("t1", "t2", ...): deterministic, unlike random ids. */
  newTraceId(prefix = 't'): string {
    return `${prefix}${++this.traceCounter}`;
  }

  /**
   * Whether appended entries are kept or read by anyone. When not (a benchmark), a producer may leave
   * out details that are costly to build — never anything that decides what the simulation does.
   */
  get recording(): boolean {
    return this.store || this.listeners.size > 0;
  }

  append(entry: Omit<LogEntry, 'seq'>): LogEntry {
    if (!this.recording) {
      // Nobody keeps or reads it (a benchmark): number the caller's own literal instead of copying it.
      const numbered = entry as LogEntry;
      numbered.seq = this.nextSeq++;
      return numbered;
    }
    const full: LogEntry = { seq: this.nextSeq++, ...entry };
    if (this.store) {
      this.entries.push(full);
      if (this.entries.length > this.capacity) {
        const excess = this.entries.length - this.capacity;
        this.entries.splice(0, excess);
        this.dropped += excess;
      }
    }
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /**
   * Append the entry `build` makes and return its seq; when nobody records, only take the seq it would
   * have had, without building it (hot paths: watch deliveries, requests, etcd replication).
   */
  appendLazily(build: () => Omit<LogEntry, 'seq'>): number {
    return this.recording ? this.append(build()).seq : this.nextSeq++;
  }

  /**
   * When nobody records (see `recording`), take the seq the next entry would have had, without an
   * entry: a hot path checks `recording` and builds its entry only then, with no closure either way.
   */
  takeSeq(): number {
    if (this.recording) throw new Error('EventLog.takeSeq: entries are recorded; append one');
    return this.nextSeq++;
  }

  /** Subscribe to new entries; returns the unsubscribe function. */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of entries ever appended. */
  get size(): number {
    return this.nextSeq - 1;
  }

  /** Stored entries (oldest first). */
  all(): readonly LogEntry[] {
    return this.entries;
  }

  /** Entries with seq greater than `seq`. */
  since(seq: number): LogEntry[] {
    const start = Math.max(0, seq - this.dropped);
    return this.entries.slice(start);
  }

  get(seq: number): LogEntry | undefined {
    const entry = this.entries[seq - 1 - this.dropped];
    return entry && entry.seq === seq ? entry : undefined;
  }

  /** Every stored entry of one trace, in log order. */
  trace(traceId: string): LogEntry[] {
    return this.entries.filter((e) => e.traceId === traceId);
  }

  /** The entry `seq` and everything it caused, transitively, in log order. */
  descendants(seq: number): LogEntry[] {
    const inTree = new Set<number>([seq]);
    const out: LogEntry[] = [];
    for (const entry of this.since(seq - 1)) {
      if (entry.seq === seq || (entry.parentId !== undefined && inTree.has(entry.parentId))) {
        inTree.add(entry.seq);
        out.push(entry);
      }
    }
    return out;
  }
}
