/**
 * The etcd client inside an API server (`--etcd-servers` lists every member): it talks to its own
 * host's member when it can and fails over to another reachable member otherwise, like etcd's client
 * balancer. Writes are logged as etcd-propose / etcd-error; the replication and commit entries come
 * from the members. Every call crosses the simulated network both ways.
 */
import type { TimerId } from '../clock';
import { DeadlineQueue } from '../client/deadlines';
import type { TraceContext } from '../log';
import { ERR_TIMEOUT, REQUEST_TIMEOUT_MS, type EtcdCluster, type EtcdMember, type EtcdOp, type ProposalResult } from './raft';
import type { KeyValue, MvccEvent, RangeResult, TxnRequest, TxnResult } from './mvcc';

/** How long until a broken connection is noticed: a crashed process resets at once, a dead host needs keepalives. */
const RESET_DETECT_MS = 100;
const KEEPALIVE_DETECT_MS = 10_000;
const WATCH_RETRY_MS = 1000;

export type TxnCallback = (result: { ok: true; result: TxnResult; commitCtx: TraceContext } | { ok: false; error: string }) => void;

export interface EtcdWatchHandlers {
  /** Events in revision order, with the context of the commit that caused them. */
  onEvents(events: readonly MvccEvent[], ctx: TraceContext): void;
  /** The requested revision was compacted on every member tried: the caller must relist. */
  onCompacted(compactRevision: number): void;
}

export class EtcdClient {
  private readonly endpoints: EtcdMember[];
  private readonly deadlines: DeadlineQueue;

  constructor(
    private readonly etcd: EtcdCluster,
    /** The API server's host. */
    readonly host: string,
    /** Name in the log, e.g. "apiserver@master-1". */
    readonly name: string,
  ) {
    const local = etcd.members.filter((m) => m.host === host);
    this.endpoints = [...local, ...etcd.members.filter((m) => m.host !== host)];
    this.deadlines = new DeadlineQueue(etcd.clock, REQUEST_TIMEOUT_MS + 500, 'etcd client timeout');
  }

  /** A member this client can use now: its own host's first, as `--etcd-servers` order prefers. */
  pickEndpoint(): EtcdMember | undefined {
    return this.endpoints.find((m) => this.usable(m));
  }

  usable(member: EtcdMember): boolean {
    return member.running && this.etcd.network.canReach(this.host, member.host);
  }

  /** A compare-and-swap transaction through raft. */
  txn(txn: TxnRequest, ctx: TraceContext, done: TxnCallback): void {
    this.propose({ type: 'txn', txn }, ctx, (r) => {
      if (!r.ok) done(r);
      else if ('result' in r) done(r);
      else done({ ok: false, error: 'unexpected compaction result' });
    });
  }

  /** Compact history up to `revision` (the API server's compactor does this every 5 minutes). */
  compact(revision: number, ctx: TraceContext, done: (r: ProposalResult) => void): void {
    this.propose({ type: 'compact', revision }, ctx, done);
  }

  private propose(op: EtcdOp, ctx: TraceContext, done: (r: ProposalResult) => void): void {
    const what = () => (op.type === 'txn' ? `${op.txn.op.type} ${op.txn.key}` : op.type === 'compact' ? `compact to revision ${op.revision}` : op.type);
    const member = this.pickEndpoint() ?? this.endpoints[0];
    const seq = this.etcd.log.appendLazily(() => ({
      t: this.etcd.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.name, to: member.name,
      kind: 'etcd-propose', summary: `propose ${what()}`,
      detail: { key: op.type === 'txn' ? op.txn.key : undefined, op: op.type === 'txn' ? op.txn.op.type : op.type, expectModRevision: op.type === 'txn' ? op.txn.expectModRevision : undefined },
    }));
    const proposeCtx: TraceContext = { traceId: ctx.traceId, parentId: seq };
    this.call(member, proposeCtx, done, (reply) => member.propose(op, proposeCtx, reply), (error) => {
      this.etcd.log.append({
        t: this.etcd.clock.now(), traceId: ctx.traceId, parentId: seq, from: member.name, to: this.name,
        kind: 'etcd-error', summary: `${what()}: ${error}`, detail: { error, key: op.type === 'txn' ? op.txn.key : undefined },
      });
    });
  }

  /** A linearizable range (ReadIndex through the leader, then the member's own store). */
  range(prefix: string, ctx: TraceContext, done: (r: { ok: true; result: RangeResult } | { ok: false; error: string }) => void): void {
    const member = this.pickEndpoint() ?? this.endpoints[0];
    this.call(member, ctx, done, (reply) => member.readBarrier((ok) => {
      if (!ok) return reply({ ok: false, error: ERR_TIMEOUT });
      const result = member.store.range(prefix);
      reply('error' in result ? { ok: false, error: result.error } : { ok: true, result });
    }), () => undefined);
  }

  /** The current revision, confirmed by the leader (what a consistent read from cache waits for). */
  currentRevision(ctx: TraceContext, done: (r: { ok: true; revision: number } | { ok: false; error: string }) => void): void {
    const member = this.pickEndpoint() ?? this.endpoints[0];
    this.call(member, ctx, done, (reply) => member.readBarrier((ok) => reply(ok ? { ok: true, revision: member.store.revision } : { ok: false, error: ERR_TIMEOUT })), () => undefined);
  }

  /** Send a request to `member` and its reply back; time out like the server would if either is lost. */
  private call<R extends { ok: boolean }>(member: EtcdMember, _ctx: TraceContext, done: (r: R) => void, invoke: (reply: (r: R) => void) => void, onError: (error: string) => void): void {
    const network = this.etcd.network;
    const settle = (r: R) => {
      if (!r.ok) onError((r as unknown as { error: string }).error);
      done(r);
    };
    const deadline = this.deadlines.add(() => settle({ ok: false, error: ERR_TIMEOUT } as unknown as R));
    const finish = (r: R) => {
      if (deadline.settle()) settle(r);
    };
    network.send(this.host, member.host, () => {
      if (!member.running) return;
      invoke((r) => network.send(member.host, this.host, () => finish(r)));
    });
  }

  /**
   * Watch `prefix` from `fromRevision`, surviving member failures: when the member goes away or
   * loses its leader, re-watch on another member from the next revision not yet seen.
   */
  watch(prefix: string, fromRevision: number, handlers: EtcdWatchHandlers): { cancel(): void } {
    const network = this.etcd.network;
    const clock = this.etcd.clock;
    let next = fromRevision;
    let member: EtcdMember | undefined;
    let cancelOnMember: (() => void) | undefined;
    let cancelled = false;
    let retry: TimerId | undefined;
    let brokenCheck: TimerId | undefined;

    const drop = () => {
      cancelOnMember?.();
      cancelOnMember = undefined;
      member = undefined;
    };
    const scheduleRetry = (delay: number) => {
      if (cancelled || retry !== undefined) return;
      retry = clock.schedule(delay, () => {
        retry = undefined;
        connect();
      }, 'etcd watch retry');
    };
    const connect = () => {
      if (cancelled) return;
      const candidates = this.endpoints.filter((m) => this.usable(m));
      let compactedAt: number | undefined;
      for (const candidate of candidates) {
        const result = candidate.watch(prefix, next, (events, _rev, ctx) => {
          network.send(candidate.host, this.host, () => {
            if (cancelled || member !== candidate) return;
            // Count a revision as seen only once it arrives: a lost message is replayed after reconnecting.
            // (Events come in revision order: when the first is new, all are.)
            const fresh = events.length > 0 && events[0].kv.modRevision >= next ? events : events.filter((e) => e.kv.modRevision >= next);
            if (fresh.length === 0) return;
            next = fresh[fresh.length - 1].kv.modRevision + 1;
            handlers.onEvents(fresh, ctx);
          });
        }, () => {
          if (member !== candidate) return;
          drop();
          scheduleRetry(WATCH_RETRY_MS);
        });
        if ('cancel' in result) {
          member = candidate;
          cancelOnMember = result.cancel;
          return;
        }
        if (result.compactRevision !== undefined) compactedAt = result.compactRevision;
      }
      if (compactedAt !== undefined) {
        cancelled = true;
        handlers.onCompacted(compactedAt);
        return;
      }
      scheduleRetry(WATCH_RETRY_MS);
    };
    const unsubscribe = network.onTopologyChange(() => {
      if (cancelled || !member || brokenCheck !== undefined) return;
      const current = member;
      if (this.usable(current)) return;
      const delay = current.running && network.isUp(current.host) && !network.canReach(this.host, current.host) ? KEEPALIVE_DETECT_MS : network.isUp(current.host) ? RESET_DETECT_MS : KEEPALIVE_DETECT_MS;
      brokenCheck = clock.schedule(delay, () => {
        brokenCheck = undefined;
        if (member !== current || this.usable(current)) return;
        drop();
        connect();
      }, 'etcd watch keepalive');
    });
    connect();
    return {
      cancel: () => {
        cancelled = true;
        drop();
        unsubscribe();
        clock.cancel(retry);
        clock.cancel(brokenCheck);
      },
    };
  }
}

export type { KeyValue, MvccEvent };
