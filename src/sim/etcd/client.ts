/**
 * The etcd client inside an API server (`--etcd-servers` lists every member): it talks to its own
 * host's member when it can and fails over to another reachable member otherwise, like etcd's client
 * balancer. Writes are logged as etcd-propose / etcd-error; the replication and commit entries come
 * from the members. Every call crosses the simulated network both ways.
 */
import type { TimerId } from '../clock';
import { DeadlineEntry, DeadlineQueue } from '../client/deadlines';
import { Stream, type NetworkMessage, type Path } from '../network';
import type { TraceContext } from '../log';
import { ERR_TIMEOUT, REQUEST_TIMEOUT_MS, type EtcdCluster, type EtcdMember, type EtcdOp, type ProposalRequester, type ProposalResult, type ReadRequester } from './raft';
import type { KeyValue, MvccEvent, RangeResult, TxnRequest, TxnResult } from './mvcc';

/** How long until a broken connection is noticed: a crashed process resets at once, a dead host needs keepalives. */
const RESET_DETECT_MS = 100;
const KEEPALIVE_DETECT_MS = 10_000;
const WATCH_RETRY_MS = 1000;

/** A transaction's outcome: a txn entry is answered with its TxnResult or an error, never a compaction's (EtcdMember.apply). */
export type TxnReply = { ok: true; result: TxnResult; commitCtx: TraceContext } | { ok: false; error: string };

/**
 * Who receives a proposal's result. An object, not a closure per call: an API server's write in flight
 * is its own receiver, and thousands are in flight at once for a raft round trip (through scavenges).
 */
export interface ProposalReceiver<R = ProposalResult> {
  proposalDone(result: R): void;
}

/** The receiver of a transaction. */
export type TxnReceiver = ProposalReceiver<TxnReply>;

export interface EtcdWatchHandlers {
  /** Events in revision order, with the context of the commit that caused them. */
  onEvents(events: readonly MvccEvent[], ctx: TraceContext): void;
  /** The requested revision was compacted on every member tried: the caller must relist. */
  onCompacted(compactRevision: number): void;
}

export class EtcdClient {
  private readonly endpoints: EtcdMember[];
  /** @internal The timeouts of this client's calls. */
  readonly deadlines: DeadlineQueue;
  /** @internal The paths to each member and back, by member ordinal (found once, not per message). */
  readonly toMember: Path[];
  /** @internal */
  readonly fromMember: Path[];

  constructor(
    readonly etcd: EtcdCluster,
    /** The API server's host. */
    readonly host: string,
    /** Name in the log, e.g. "apiserver@master-1". */
    readonly name: string,
  ) {
    const local = etcd.members.filter((m) => m.host === host);
    this.endpoints = [...local, ...etcd.members.filter((m) => m.host !== host)];
    this.deadlines = new DeadlineQueue(etcd.clock, REQUEST_TIMEOUT_MS + 500, 'etcd client timeout');
    this.toMember = etcd.members.map((m) => etcd.network.path(host, m.host));
    this.fromMember = etcd.members.map((m) => etcd.network.path(m.host, host));
  }

  /** A member this client can use now: its own host's first, as `--etcd-servers` order prefers. */
  pickEndpoint(): EtcdMember | undefined {
    return this.endpoints.find((m) => this.usable(m));
  }

  usable(member: EtcdMember): boolean {
    return member.running && this.etcd.network.canReach(this.host, member.host);
  }

  /** A compare-and-swap transaction through raft. */
  txn(txn: TxnRequest, ctx: TraceContext, receiver: TxnReceiver): void {
    // A txn entry is answered with its TxnResult or an error, never a compaction's (EtcdMember.apply).
    this.propose({ type: 'txn', txn }, ctx, receiver as ProposalReceiver);
  }

  /** Compact history up to `revision` (the API server's compactor does this every 5 minutes). */
  compact(revision: number, ctx: TraceContext, done: (r: ProposalResult) => void): void {
    this.propose({ type: 'compact', revision }, ctx, { proposalDone: done });
  }

  private propose(op: EtcdOp, ctx: TraceContext, receiver: ProposalReceiver): void {
    const member = this.pickEndpoint() ?? this.endpoints[0];
    const seq = this.etcd.log.appendLazily(() => ({
      t: this.etcd.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.name, to: member.name,
      kind: 'etcd-propose', summary: `propose ${describe(op)}`,
      detail: { key: op.type === 'txn' ? op.txn.key : undefined, op: op.type === 'txn' ? op.txn.op.type : op.type, expectModRevision: op.type === 'txn' ? op.txn.expectModRevision : undefined },
    }));
    new Proposal(this, member, op, { traceId: ctx.traceId, parentId: seq }, receiver).send();
  }

  /** A linearizable range (ReadIndex through the leader, then the member's own store). */
  range(prefix: string, _ctx: TraceContext, done: (r: { ok: true; result: RangeResult } | { ok: false; error: string }) => void): void {
    new RangeCall(this, this.pickEndpoint() ?? this.endpoints[0], done, prefix).send();
  }

  /** The current revision, confirmed by the leader (what a consistent read from cache waits for). */
  currentRevision(_ctx: TraceContext, done: (r: { ok: true; revision: number } | { ok: false; error: string }) => void): void {
    new RevisionCall(this, this.pickEndpoint() ?? this.endpoints[0], done).send();
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
        // The member's events travel back as messages of one stream (no closure per message).
        const events = new Stream(this.fromMember[candidate.ordinal], (events: readonly MvccEvent[], ctx: TraceContext) => {
          if (cancelled || member !== candidate) return;
          // Count a revision as seen only once it arrives: a lost message is replayed after reconnecting.
          // (Events come in revision order: when the first is new, all are.)
          const fresh = events.length > 0 && events[0].kv.modRevision >= next ? events : events.filter((e) => e.kv.modRevision >= next);
          if (fresh.length === 0) return;
          next = fresh[fresh.length - 1].kv.modRevision + 1;
          handlers.onEvents(fresh, ctx);
        });
        const result = candidate.watch(prefix, next, (batch, _rev, ctx) => {
          events.send(batch, ctx);
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

/**
 * A request to a member and its reply back across the network, timing out as the server would if
 * either is lost. It is one object: its own deadline, and the network message both ways (one is in
 * flight at a time) — thousands are in flight at once, for long enough to outlive a scavenge.
 */
abstract class Call<R extends { ok: boolean }> extends DeadlineEntry implements NetworkMessage {
  /** The reply, once the member has sent it (the message in flight then goes back to the client). */
  private reply: R | undefined = undefined;
  private replying = false;

  constructor(
    protected readonly client: EtcdClient,
    readonly member: EtcdMember,
  ) {
    super();
  }

  send(): void {
    this.client.deadlines.addEntry(this);
    this.client.toMember[this.member.ordinal].send(this);
  }

  /** At the member: do the request, then `answer` (once). */
  protected abstract start(): void;

  /** At the member: send the reply back. */
  protected answer(r: R): void {
    this.reply = r;
    this.replying = true;
    this.client.fromMember[this.member.ordinal].send(this);
  }

  arrive(): void {
    if (!this.replying) {
      if (this.member.running) this.start();
    } else if (this.settle()) this.finish(this.reply!);
  }

  /** A lost message is noticed by the deadline only. */
  lost(): void {}

  expire(): void {
    this.finish({ ok: false, error: ERR_TIMEOUT } as unknown as R);
  }

  /** The request failed (its error is logged by proposals). */
  protected failed(_error: string): void {}

  /** Hand the reply (or the timeout) to whoever made the call. */
  protected abstract deliver(r: R): void;

  private finish(r: R): void {
    if (!r.ok) this.failed((r as unknown as { error: string }).error);
    this.deliver(r);
  }
}

/** A call answered after a read barrier on its member (ReadIndex through the leader), to a callback. */
abstract class ReadCall<R extends { ok: boolean }> extends Call<R> implements ReadRequester {
  constructor(client: EtcdClient, member: EtcdMember, private readonly done: (r: R) => void) {
    super(client, member);
  }

  protected deliver(r: R): void {
    this.done(r);
  }

  protected start(): void {
    this.member.readBarrier(this);
  }

  abstract readDone(ok: boolean): void;
}

type RangeReply = { ok: true; result: RangeResult } | { ok: false; error: string };

/** A linearizable range: a read barrier, then the member's own store. */
class RangeCall extends ReadCall<RangeReply> {
  constructor(client: EtcdClient, member: EtcdMember, done: (r: RangeReply) => void, private readonly prefix: string) {
    super(client, member, done);
  }

  readDone(ok: boolean): void {
    if (!ok) return this.answer({ ok: false, error: ERR_TIMEOUT });
    const result = this.member.store.range(this.prefix);
    this.answer('error' in result ? { ok: false, error: result.error } : { ok: true, result });
  }
}

type RevisionReply = { ok: true; revision: number } | { ok: false; error: string };

/** The current revision, after a read barrier. */
class RevisionCall extends ReadCall<RevisionReply> {
  readDone(ok: boolean): void {
    this.answer(ok ? { ok: true, revision: this.member.store.revision } : { ok: false, error: ERR_TIMEOUT });
  }
}

/** A proposal: logged as etcd-propose by the client, and as etcd-error when it fails. */
class Proposal extends Call<ProposalResult> implements ProposalRequester {
  constructor(client: EtcdClient, member: EtcdMember, private readonly op: EtcdOp, private readonly proposeCtx: TraceContext, private readonly receiver: ProposalReceiver) {
    super(client, member);
  }

  protected deliver(r: ProposalResult): void {
    this.receiver.proposalDone(r);
  }

  protected start(): void {
    this.member.propose(this.op, this.proposeCtx, this);
  }

  proposed(result: ProposalResult): void {
    this.answer(result);
  }

  protected override failed(error: string): void {
    const { etcd, name } = this.client;
    const op = this.op;
    etcd.log.append({
      t: etcd.clock.now(), traceId: this.proposeCtx.traceId, parentId: this.proposeCtx.parentId, from: this.member.name, to: name,
      kind: 'etcd-error', summary: `${describe(op)}: ${error}`, detail: { error, key: op.type === 'txn' ? op.txn.key : undefined },
    });
  }
}

function describe(op: EtcdOp): string {
  return op.type === 'txn' ? `${op.txn.op.type} ${op.txn.key}` : op.type === 'compact' ? `compact to revision ${op.revision}` : op.type;
}

export type { KeyValue, MvccEvent };
