/**
 * etcd's multi-version store (mvcc): one global revision that every write bumps; per key the
 * revision that created it, the revision that last modified it and a version counter (1 at creation,
 * reset by deletion). Reads may ask for a past revision; watches replay history from a revision;
 * compaction forgets history up to a revision, after which such requests fail with
 * "mvcc: required revision has been compacted".
 *
 * Values are stored by reference (the API server stores frozen objects), so a write costs one small
 * record, never a copy. Keys are grouped by "directory" (everything up to the last '/'), so a range
 * over `/registry/pods/` or `/registry/pods/default/` touches only the keys it returns.
 */

export interface KeyValue {
  readonly key: string;
  readonly value: unknown;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

export interface MvccEvent {
  readonly type: 'put' | 'delete';
  /** For a put, the new key-value; for a delete, a tombstone whose modRevision is the deletion's revision. */
  readonly kv: KeyValue;
  /** The key-value before this event, if the key existed. */
  readonly prevKv?: KeyValue;
}

export const ERR_COMPACTED = 'mvcc: required revision has been compacted';
export const ERR_FUTURE_REV = 'mvcc: required revision is a future revision';

/** The one kind of transaction the API server needs: compare a key's modRevision, then put or delete. */
export interface TxnRequest {
  key: string;
  /** Expected modRevision of the key: 0 means "must not exist"; undefined means no comparison. */
  expectModRevision?: number;
  /** The operation when the comparison holds. */
  op: { type: 'put'; value: unknown } | { type: 'delete' };
}

/**
 * Where the members of one cluster share what applying the same log entry produces: the first
 * member to apply it leaves its event here, and the others reuse it when they start from the same
 * previous key-value (they always do, applying the same log in the same order). One stamped object,
 * key-value and event per write instead of one per member.
 */
export interface TxnMemo {
  applied?: MvccEvent;
}

export interface TxnResult {
  succeeded: boolean;
  /** The store's revision after the transaction. */
  revision: number;
  /** When it succeeded: the new key-value (put) or the deleted one (delete). */
  kv?: KeyValue;
  /** When the comparison failed: the key's current key-value, if any (as the apiserver's Else branch gets it). */
  current?: KeyValue;
}

export interface RangeResult {
  kvs: KeyValue[];
  revision: number;
}

export type WatchListener = (events: readonly MvccEvent[], revision: number) => void;

interface Watcher {
  prefix: string;
  listener: WatchListener;
}

export interface MvccOptions {
  /**
   * Turns a value into what is stored, given the revision it is written at. The cluster uses it to
   * set metadata.resourceVersion once, so every reader shares one frozen object.
   */
  stamp?: (value: unknown, revision: number, prev: unknown) => unknown;
}

export class MvccStore {
  private rev = 0;
  private compacted = 0;
  /** directory → (key → live key-value). */
  private readonly dirs = new Map<string, Map<string, KeyValue>>();
  /** History after the compacted revision, in revision order: `history[i]` has revision `historyStart + i`. */
  private history: MvccEvent[] = [];
  private historyStart = 1;
  private readonly watchers = new Set<Watcher>();
  private count = 0;

  constructor(private readonly options: MvccOptions = {}) {}

  get revision(): number {
    return this.rev;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  /** Number of live keys. */
  get size(): number {
    return this.count;
  }

  get(key: string, revision?: number): KeyValue | undefined | { error: string } {
    if (revision === undefined || revision >= this.rev) {
      if (revision !== undefined && revision > this.rev) return { error: ERR_FUTURE_REV };
      return this.dirs.get(dirOf(key))?.get(key);
    }
    const result = this.range(key, revision, true);
    if ('error' in result) return result;
    return result.kvs[0];
  }

  /**
   * Every live key starting with `prefix` (sorted by key) at `revision` (default: now).
   * With `exact`, only the key equal to `prefix`.
   */
  range(prefix: string, revision?: number, exact = false): RangeResult | { error: string } {
    if (revision !== undefined && revision > 0) {
      if (revision > this.rev) return { error: ERR_FUTURE_REV };
      if (revision < this.compacted) return { error: ERR_COMPACTED };
    }
    const matches = (key: string) => (exact ? key === prefix : key.startsWith(prefix));
    const live = new Map<string, KeyValue>();
    if (exact) {
      const kv = this.dirs.get(dirOf(prefix))?.get(prefix);
      if (kv) live.set(kv.key, kv);
    } else {
      for (const [dir, entries] of this.dirs) {
        if (dir.startsWith(prefix)) for (const kv of entries.values()) live.set(kv.key, kv);
        else if (prefix.startsWith(dir)) for (const kv of entries.values()) if (matches(kv.key)) live.set(kv.key, kv);
      }
    }
    const at = revision !== undefined && revision > 0 ? revision : this.rev;
    // Undo the events after `at`, newest first, to see the store as it was.
    for (let r = this.rev; r > at; r--) {
      const event = this.history[r - this.historyStart];
      if (!event || !matches(event.kv.key)) continue;
      if (event.prevKv) live.set(event.prevKv.key, event.prevKv);
      else live.delete(event.kv.key);
    }
    const kvs = [...live.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { kvs, revision: this.rev };
  }

  txn(request: TxnRequest, memo?: TxnMemo): TxnResult {
    const dir = dirOf(request.key);
    const current = this.dirs.get(dir)?.get(request.key);
    if (request.expectModRevision !== undefined && (current?.modRevision ?? 0) !== request.expectModRevision) {
      return { succeeded: false, revision: this.rev, current };
    }
    const revision = this.rev + 1;
    const shared = memo?.applied;
    const reuse = shared !== undefined && shared.type === request.op.type && shared.kv.modRevision === revision && shared.prevKv === current;
    if (request.op.type === 'delete') {
      if (!current) return { succeeded: false, revision: this.rev };
      const event: MvccEvent = reuse ? shared : {
        type: 'delete',
        kv: { key: current.key, value: current.value, createRevision: 0, modRevision: revision, version: 0 },
        prevKv: current,
      };
      if (memo && !reuse) memo.applied = event;
      this.dirs.get(dir)!.delete(request.key);
      this.count--;
      this.record(event);
      return { succeeded: true, revision, kv: current };
    }
    let event: MvccEvent;
    if (reuse) event = shared;
    else {
      // Every version keeps the key string its creation stored, not the request's copy (a string per write
      // that history would keep until compaction).
      const key = current ? current.key : request.key;
      const value = this.options.stamp ? this.options.stamp(request.op.value, revision, current?.value) : request.op.value;
      const kv: KeyValue = {
        key,
        value,
        createRevision: current ? current.createRevision : revision,
        modRevision: revision,
        version: current ? current.version + 1 : 1,
      };
      event = { type: 'put', kv, prevKv: current };
      if (memo) memo.applied = event;
    }
    let entries = this.dirs.get(dir);
    if (!entries) this.dirs.set(dir, (entries = new Map()));
    entries.set(event.kv.key, event.kv);
    if (!current) this.count++;
    this.record(event);
    return { succeeded: true, revision, kv: event.kv };
  }

  /** Forget history at and before `revision` (the current value of every key is kept). */
  compact(revision: number): { error?: string } {
    if (revision <= this.compacted) return { error: ERR_COMPACTED };
    if (revision > this.rev) return { error: ERR_FUTURE_REV };
    const drop = revision - this.historyStart + 1;
    if (drop > 0) {
      this.history = this.history.slice(drop);
      this.historyStart += drop;
    }
    this.compacted = revision;
    return {};
  }

  /**
   * Watch keys under `prefix` from `fromRevision` (inclusive; 0 = only future changes). Past events
   * still in history are replayed at once. Returns a cancel function, or an error when compacted.
   */
  watch(prefix: string, fromRevision: number, listener: WatchListener): (() => void) | { error: string; compactRevision: number } {
    if (fromRevision > 0 && fromRevision <= this.compacted) return { error: ERR_COMPACTED, compactRevision: this.compacted };
    if (fromRevision > 0 && fromRevision <= this.rev) {
      const past = this.eventsSince(prefix, fromRevision);
      if (past.length > 0) listener(past, this.rev);
    }
    const watcher: Watcher = { prefix, listener };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Events under `prefix` with revision ≥ `fromRevision` that are still in history. */
  eventsSince(prefix: string, fromRevision: number): MvccEvent[] {
    const out: MvccEvent[] = [];
    for (let i = Math.max(0, fromRevision - this.historyStart); i < this.history.length; i++) {
      const event = this.history[i];
      if (event.kv.key.startsWith(prefix)) out.push(event);
    }
    return out;
  }

  /** A copy sharing every key-value (they are immutable): how a lagging member installs a snapshot. */
  snapshot(): MvccStore {
    const copy = new MvccStore(this.options);
    copy.rev = this.rev;
    copy.compacted = this.compacted;
    copy.count = this.count;
    for (const [dir, entries] of this.dirs) copy.dirs.set(dir, new Map(entries));
    copy.history = this.history.slice();
    copy.historyStart = this.historyStart;
    return copy;
  }

  /**
   * A store holding exactly `kvs` (with their own revisions) at `revision`, its history compacted up to
   * there: how a lab snapshot saved to disk is loaded (watchers from older revisions get "compacted" and relist).
   */
  static load(kvs: readonly KeyValue[], revision: number, options: MvccOptions = {}): MvccStore {
    const store = new MvccStore(options);
    for (const kv of kvs) {
      if (kv.modRevision > revision) throw new Error(`mvcc load: ${kv.key} has modRevision ${kv.modRevision} above the store's revision ${revision}`);
      const dir = dirOf(kv.key);
      let entries = store.dirs.get(dir);
      if (!entries) store.dirs.set(dir, (entries = new Map()));
      if (!entries.has(kv.key)) store.count++;
      entries.set(kv.key, { key: kv.key, value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version });
    }
    store.rev = revision;
    store.compacted = revision;
    store.historyStart = revision + 1;
    return store;
  }

  /** Replace this store's contents with a snapshot's, keeping its watchers (they see no replay). */
  restore(from: MvccStore): void {
    const snap = from.snapshot();
    this.rev = snap.rev;
    this.compacted = snap.compacted;
    this.count = snap.count;
    this.dirs.clear();
    for (const [dir, entries] of snap.dirs) this.dirs.set(dir, entries);
    this.history = snap.history;
    this.historyStart = snap.historyStart;
  }

  private record(event: MvccEvent): void {
    this.rev = event.kv.modRevision;
    this.history.push(event);
    if (this.watchers.size === 0) return;
    const one = [event];
    // Set iteration tolerates removals during the loop; listeners do not add watchers synchronously.
    for (const watcher of this.watchers) if (event.kv.key.startsWith(watcher.prefix)) watcher.listener(one, this.rev);
  }
}

function dirOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}
