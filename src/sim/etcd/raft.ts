/**
 * A 3-member etcd cluster with simplified Raft, on the simulated network and the virtual clock.
 *
 * What is modelled, as etcd does it: terms; randomized election timeouts (1–2 s) with pre-vote and
 * check-quorum (a leader that cannot hear a majority steps down); heartbeats every 100 ms; log
 * replication with consistency checks and back-off on mismatch; a write commits only once a majority
 * (2 of 3) has it, and only the leader's current-term entries count; followers learn the commit at
 * once (the leader broadcasts after committing) and apply in log order; a member that was down
 * catches up from the leader's log, or from a snapshot once the leader has truncated its log.
 * Proposals reaching a member without a leader, or a leader without quorum, fail after the request
 * timeout with "etcdserver: request timed out".
 *
 * What is simplified: membership is fixed; messages carry entries by reference; persistence is
 * implicit (a stopped member keeps its log and store, as its disk would).
 */
import type { Clock, TimerId } from '../clock';
import type { EventLog, TraceContext } from '../log';
import { Stream, type Network } from '../network';
import { DeadlineEntry, DeadlineQueue } from '../client/deadlines';
import { MvccStore, type MvccEvent, type MvccOptions, type TxnRequest, type TxnResult } from './mvcc';

export const ERR_TIMEOUT = 'etcdserver: request timed out';
export const ERR_NO_LEADER = 'etcdserver: no leader';

export const HEARTBEAT_MS = 100;
export const ELECTION_MS = 1000;
export const REQUEST_TIMEOUT_MS = 7000;
/** Entries kept after the applied index before a member truncates its log. */
const LOG_KEEP = 10_000;
/** Above this many entries in one message, replication is logged as one summary line. */
const DETAILED_BATCH = 64;

export type EtcdOp = { type: 'txn'; txn: TxnRequest } | { type: 'compact'; revision: number } | { type: 'noop' };

/**
 * A log entry. Every member's log holds it (messages carry entries by reference) until the log is
 * truncated, 10,000 to 20,000 entries later: long enough to outlive scavenges, so it is one object of
 * one shape (see newEntry) with numbers where it can, not a cluster of small objects.
 */
export interface RaftEntry {
  readonly index: number;
  readonly term: number;
  readonly op: EtcdOp;
  /** The context of the etcd-propose log entry. */
  readonly ctx: TraceContext | undefined;
  /** Where to send the result: the ordinal of the member that received the proposal (-1: none) ... */
  readonly origin: number;
  /** ... and its proposal id there. */
  readonly proposalId: number;
  /** Log seq of the etcd-append entry per follower ordinal (first transmission). */
  appendSeqs: number[] | undefined;
  /** Log seq of the ack that completed the quorum. */
  quorumAckSeq: number | undefined;
  /** Members that acknowledged it, leader included, at commit time: bit `1 << ordinal` each. */
  ackMask: number;
  /** Log seq of the etcd-commit entry (set by the leader when it commits). */
  commitSeq: number | undefined;
  /** The context its effects (watch events) carry, made once and shared by the members. */
  commitCtx: TraceContext | undefined;
  /** What applying it produced, shared by the members (see TxnMemo). */
  applied: MvccEvent | undefined;
}

/** An entry with every field present from the start (fields added later would each change its shape). */
function newEntry(index: number, term: number, op: EtcdOp, ctx: TraceContext | undefined, origin: number, proposalId: number): RaftEntry {
  return { index, term, op, ctx, origin, proposalId, appendSeqs: undefined, quorumAckSeq: undefined, ackMask: 0, commitSeq: undefined, commitCtx: undefined, applied: undefined };
}

/** The ordinals whose bits are set in `mask`, in ascending order. */
function ordinalsOf(mask: number, members: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < members; o++) if (mask & (1 << o)) out.push(o);
  return out;
}

export type ProposalResult =
  | { ok: true; result: TxnResult; commitCtx: TraceContext }
  | { ok: true; compacted: number; commitCtx: TraceContext }
  | { ok: false; error: string };

type Role = 'follower' | 'candidate' | 'leader';

type RaftMessage =
  | { type: 'append'; term: number; leader: number; prevIndex: number; prevTerm: number; entries: RaftEntry[]; leaderCommit: number }
  | { type: 'append-resp'; term: number; from: number; success: boolean; matchIndex: number; hint: number }
  | { type: 'snapshot'; term: number; leader: number; index: number; snapTerm: number; store: MvccStore }
  | { type: 'vote'; term: number; candidate: number; lastIndex: number; lastTerm: number; pre: boolean }
  | { type: 'vote-resp'; term: number; from: number; granted: boolean; pre: boolean }
  | { type: 'propose'; op: EtcdOp; ctx?: TraceContext; origin: number; id: number }
  | { type: 'result'; id: number; result: ProposalResult }
  | { type: 'read-index'; from: number; id: number }
  | { type: 'read-index-resp'; id: number; index: number };

export type EtcdWatchListener = (events: readonly MvccEvent[], revision: number, ctx: TraceContext) => void;

/** Who receives a proposal's result (the etcd client's call, across the network). */
export interface ProposalRequester {
  proposed(result: ProposalResult): void;
}

/** Who waits for a read barrier (the etcd client's call, across the network). */
export interface ReadRequester {
  readDone(ok: boolean): void;
}

/**
 * A proposal this member received, as one object that is also its own deadline: thousands are in
 * flight at once for long enough to outlive scavenges, and each used to be a record, a deadline and a
 * closure.
 */
class PendingProposal extends DeadlineEntry {
  constructor(
    private readonly member: EtcdMember,
    readonly id: number,
    readonly requester: ProposalRequester,
  ) {
    super();
  }

  expire(): void {
    this.member.proposalTimedOut(this);
  }
}

/** A read barrier waiting for the leader's commit index and for this member to apply up to it. */
class PendingRead extends DeadlineEntry {
  /** The commit index to apply up to (infinite until the leader answers). */
  index = Number.POSITIVE_INFINITY;

  constructor(
    private readonly member: EtcdMember,
    readonly id: number,
    readonly requester: ReadRequester,
  ) {
    super();
  }

  expire(): void {
    this.member.readTimedOut(this);
  }
}

export interface EtcdClusterOptions {
  clock: Clock;
  log: EventLog;
  network: Network;
  /** The hosts the members run on, e.g. ["master-1", "master-2", "master-3"]. */
  hosts: readonly string[];
  mvcc?: MvccOptions;
}

export class EtcdMember {
  readonly name: string;
  store: MvccStore;
  running = false;
  term = 0;
  role: Role = 'follower';
  /** Ordinal of the leader this member follows (or itself), if any. */
  leaderOrdinal: number | undefined;
  private votedFor: number | undefined;
  /** Entries after the snapshot: log[i] has index snapIndex + 1 + i. */
  private log: RaftEntry[] = [];
  private snapIndex = 0;
  private snapTerm = 0;
  commitIndex = 0;
  appliedIndex = 0;
  private lastHeard = 0;
  private electionDeadline = 0;
  private electionTimer: TimerId | undefined;
  private heartbeatTimer: TimerId | undefined;
  private flushScheduled = false;
  private votes = new Set<number>();
  private preVotes = new Set<number>();
  // Leader state, by follower ordinal.
  private next: number[] = [];
  private match: number[] = [];
  private lastAck: number[] = [];
  private becameLeaderAt = 0;
  // Requests this member received from clients.
  private nextRequestId = 1;
  private readonly proposals = new Map<number, PendingProposal>();
  private readonly reads: PendingRead[] = [];
  private readonly readIndexWaiters = new Map<number, PendingRead>();
  private applyCtx: TraceContext | undefined;
  private readonly watchCancels = new Map<number, { cancel: () => void; onCancel: (reason: string) => void }>();
  private nextWatchId = 1;
  private readonly deadlines: DeadlineQueue;
  /** Message streams to the other members, by ordinal. */
  private readonly links: Stream<RaftMessage>[] = [];

  constructor(
    private readonly cluster: EtcdCluster,
    readonly ordinal: number,
    readonly host: string,
    mvcc: MvccOptions,
  ) {
    this.name = `etcd@${host}`;
    this.store = new MvccStore(mvcc);
    this.deadlines = new DeadlineQueue(cluster.clock, REQUEST_TIMEOUT_MS, 'etcd request timeout');
  }

  get isLeader(): boolean {
    return this.running && this.role === 'leader';
  }

  get lastIndex(): number {
    return this.snapIndex + this.log.length;
  }

  /** The entries this member holds (for tests and the flow view). */
  entries(): readonly RaftEntry[] {
    return this.log;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.role = 'follower';
    this.leaderOrdinal = undefined;
    this.lastHeard = this.clock.now();
    this.resetElectionTimer();
    this.cluster.network.changed();
  }

  /** Crash or shut down: timers, watches and in-flight requests end; log and store stay (the disk). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.role = 'follower';
    this.leaderOrdinal = undefined;
    this.clock.cancel(this.electionTimer);
    this.clock.cancel(this.heartbeatTimer);
    this.electionTimer = this.heartbeatTimer = undefined;
    for (const p of this.proposals.values()) p.settle();
    this.proposals.clear();
    for (const r of this.reads) r.settle();
    this.reads.length = 0;
    this.readIndexWaiters.clear();
    // Client watches die with the process (clients notice the broken connection themselves).
    for (const w of this.watchCancels.values()) w.cancel();
    this.watchCancels.clear();
    this.cluster.network.changed();
  }

  // ------------------------------------------------------------------ client-facing API (local calls)

  /** A client's proposal arriving at this member (already across the network). */
  propose(op: EtcdOp, ctx: TraceContext | undefined, requester: ProposalRequester): void {
    if (!this.running) return;
    const id = this.nextRequestId++;
    this.proposals.set(id, this.deadlines.addEntry(new PendingProposal(this, id, requester)));
    if (this.role === 'leader') this.appendAsLeader(op, ctx, this.ordinal, id);
    else if (this.leaderOrdinal !== undefined) this.send(this.leaderOrdinal, { type: 'propose', op, ctx, origin: this.ordinal, id });
    // Without a leader the proposal is dropped, as raft does; the timeout answers the client.
  }

  /** @internal (PendingProposal) No result came in time. */
  proposalTimedOut(proposal: PendingProposal): void {
    if (this.proposals.delete(proposal.id)) proposal.requester.proposed({ ok: false, error: ERR_TIMEOUT });
  }

  /**
   * Linearizable read barrier (ReadIndex): `readDone(true)` once this member has applied everything
   * the leader had committed when asked; `readDone(false)` after the request timeout without a leader
   * or quorum.
   */
  readBarrier(requester: ReadRequester): void {
    if (!this.running) return;
    const id = this.nextRequestId++;
    const read = this.deadlines.addEntry(new PendingRead(this, id, requester));
    this.reads.push(read);
    if (this.role === 'leader') {
      if (this.hasQuorumContact()) this.gotReadIndex(read, this.commitIndex);
      return;
    }
    if (this.leaderOrdinal === undefined) return;
    this.readIndexWaiters.set(id, read);
    this.send(this.leaderOrdinal, { type: 'read-index', from: this.ordinal, id });
  }

  private gotReadIndex(read: PendingRead, index: number): void {
    read.index = index;
    this.serveReads();
  }

  /** @internal (PendingRead) The barrier did not pass in time. */
  readTimedOut(read: PendingRead): void {
    const i = this.reads.indexOf(read);
    if (i >= 0) this.reads.splice(i, 1);
    this.readIndexWaiters.delete(read.id);
    read.requester.readDone(false);
  }

  /**
   * Watch keys under `prefix` from `fromRevision` on this member (the events' context is the commit's).
   * Like etcd with WithRequireLeader, the watch is cancelled when this member loses its leader.
   */
  watch(prefix: string, fromRevision: number, listener: EtcdWatchListener, onCancel: (reason: string) => void): { cancel: () => void } | { error: string; compactRevision?: number } {
    if (!this.running) return { error: 'etcd: member is not running' };
    if (this.leaderOrdinal === undefined) return { error: ERR_NO_LEADER };
    const result = this.store.watch(prefix, fromRevision, (events, revision) => {
      listener(events, revision, this.applyCtx ?? { traceId: 'etcd' });
    });
    if (typeof result !== 'function') return result;
    const id = this.nextWatchId++;
    const cancel = () => {
      result();
      this.watchCancels.delete(id);
    };
    this.watchCancels.set(id, { cancel: result, onCancel });
    return { cancel };
  }

  // ------------------------------------------------------------------ messages

  receive(msg: RaftMessage): void {
    if (!this.running) return;
    switch (msg.type) {
      case 'append': return this.onAppend(msg);
      case 'append-resp': return this.onAppendResp(msg);
      case 'snapshot': return this.onSnapshot(msg);
      case 'vote': return this.onVote(msg);
      case 'vote-resp': return this.onVoteResp(msg);
      case 'propose':
        if (this.role === 'leader') this.appendAsLeader(msg.op, msg.ctx, msg.origin, msg.id);
        return;
      case 'result': return this.settleProposal(msg.id, msg.result);
      case 'read-index':
        if (this.role === 'leader' && this.hasQuorumContact()) this.send(msg.from, { type: 'read-index-resp', id: msg.id, index: this.commitIndex });
        return;
      case 'read-index-resp': {
        const read = this.readIndexWaiters.get(msg.id);
        this.readIndexWaiters.delete(msg.id);
        if (read) this.gotReadIndex(read, msg.index);
        return;
      }
    }
  }

  /** A proposal this member received got its result (from the leader, or from itself as leader). */
  private settleProposal(id: number, result: ProposalResult): void {
    const pending = this.proposals.get(id);
    if (!pending) return;
    this.proposals.delete(id);
    pending.settle();
    pending.requester.proposed(result);
  }

  private onAppend(msg: Extract<RaftMessage, { type: 'append' }>): void {
    if (msg.term < this.term) {
      this.send(msg.leader, { type: 'append-resp', term: this.term, from: this.ordinal, success: false, matchIndex: 0, hint: 0 });
      return;
    }
    this.followLeader(msg.term, msg.leader);
    if (msg.prevIndex > this.lastIndex) {
      this.send(msg.leader, { type: 'append-resp', term: this.term, from: this.ordinal, success: false, matchIndex: 0, hint: this.lastIndex + 1 });
      return;
    }
    if (msg.prevIndex >= this.snapIndex && this.termAt(msg.prevIndex) !== msg.prevTerm) {
      this.send(msg.leader, { type: 'append-resp', term: this.term, from: this.ordinal, success: false, matchIndex: 0, hint: Math.max(this.commitIndex + 1, this.snapIndex + 1) });
      return;
    }
    for (const entry of msg.entries) {
      if (entry.index <= this.snapIndex) continue;
      if (entry.index <= this.lastIndex) {
        if (this.termAt(entry.index) === entry.term) continue;
        this.log.length = entry.index - this.snapIndex - 1; // conflict: drop it and everything after
      }
      this.log.push(entry);
    }
    const matchIndex = msg.prevIndex + msg.entries.length;
    const newCommit = Math.min(msg.leaderCommit, matchIndex);
    if (newCommit > this.commitIndex) {
      this.commitIndex = newCommit;
      this.applyCommitted();
    }
    this.send(msg.leader, { type: 'append-resp', term: this.term, from: this.ordinal, success: true, matchIndex, hint: 0 });
  }

  private onSnapshot(msg: Extract<RaftMessage, { type: 'snapshot' }>): void {
    if (msg.term < this.term) return;
    this.followLeader(msg.term, msg.leader);
    if (msg.index <= this.commitIndex) return;
    this.store.restore(msg.store);
    this.log = [];
    this.snapIndex = msg.index;
    this.snapTerm = msg.snapTerm;
    this.commitIndex = this.appliedIndex = msg.index;
    // Watchers would miss the events the snapshot skipped: end them so clients resume from their revision.
    this.cancelWatches('etcd: watch cancelled: member restored from a snapshot');
    this.cluster.log.append({
      t: this.clock.now(), traceId: this.cluster.raftTrace(), from: this.cluster.members[msg.leader].name, to: this.name,
      kind: 'etcd-append', summary: `snapshot at index ${msg.index} (revision ${this.store.revision}) to ${this.name}`,
      detail: { index: msg.index, revision: this.store.revision, snapshot: true },
    });
    this.send(msg.leader, { type: 'append-resp', term: this.term, from: this.ordinal, success: true, matchIndex: msg.index, hint: 0 });
  }

  private onAppendResp(msg: Extract<RaftMessage, { type: 'append-resp' }>): void {
    if (msg.term > this.term) return this.becomeFollower(msg.term, undefined);
    if (this.role !== 'leader' || msg.term < this.term) return;
    const peer = msg.from;
    this.lastAck[peer] = this.clock.now();
    if (!msg.success) {
      if (msg.hint > 0) {
        this.next[peer] = Math.max(1, Math.min(msg.hint, this.lastIndex + 1));
        this.sendAppend(peer);
      }
      return;
    }
    const before = this.match[peer];
    if (msg.matchIndex <= before) return;
    this.match[peer] = msg.matchIndex;
    if (this.next[peer] <= msg.matchIndex) this.next[peer] = msg.matchIndex + 1;
    this.logAcks(peer, before + 1, msg.matchIndex);
    this.maybeCommit();
  }

  private onVote(msg: Extract<RaftMessage, { type: 'vote' }>): void {
    // Leader stickiness (check-quorum): ignore campaigns while a leader is heard from.
    const heardRecently = this.leaderOrdinal !== undefined && this.clock.now() - this.lastHeard < ELECTION_MS;
    const upToDate = msg.lastTerm > this.lastTerm() || (msg.lastTerm === this.lastTerm() && msg.lastIndex >= this.lastIndex);
    if (msg.pre) {
      const granted = msg.term > this.term && upToDate && !heardRecently;
      this.send(msg.candidate, { type: 'vote-resp', term: msg.term, from: this.ordinal, granted, pre: true });
      return;
    }
    if (msg.term < this.term || heardRecently) {
      this.send(msg.candidate, { type: 'vote-resp', term: this.term, from: this.ordinal, granted: false, pre: false });
      return;
    }
    if (msg.term > this.term) this.becomeFollower(msg.term, undefined);
    const granted = upToDate && (this.votedFor === undefined || this.votedFor === msg.candidate);
    if (granted) {
      this.votedFor = msg.candidate;
      this.lastHeard = this.clock.now();
    }
    this.send(msg.candidate, { type: 'vote-resp', term: this.term, from: this.ordinal, granted, pre: false });
  }

  private onVoteResp(msg: Extract<RaftMessage, { type: 'vote-resp' }>): void {
    if (msg.pre) {
      if (this.role !== 'candidate' || msg.term !== this.term + 1 || !msg.granted) return;
      this.preVotes.add(msg.from);
      if (this.preVotes.size >= this.cluster.quorum && this.votes.size === 0) this.campaign(false);
      return;
    }
    if (msg.term > this.term) return this.becomeFollower(msg.term, undefined);
    if (this.role !== 'candidate' || msg.term !== this.term || !msg.granted) return;
    this.votes.add(msg.from);
    if (this.votes.size >= this.cluster.quorum) this.becomeLeader();
  }

  // ------------------------------------------------------------------ roles and timers

  private followLeader(term: number, leader: number): void {
    if (term > this.term || this.role !== 'follower' || this.leaderOrdinal !== leader) {
      const changed = this.leaderOrdinal !== leader;
      this.becomeFollower(term, leader);
      if (changed) this.cluster.network.changed();
    }
    this.lastHeard = this.clock.now();
  }

  private becomeFollower(term: number, leader: number | undefined): void {
    const wasLeader = this.role === 'leader';
    const lostLeader = this.leaderOrdinal !== undefined && leader === undefined;
    if (term > this.term) {
      this.term = term;
      this.votedFor = undefined;
    }
    this.role = 'follower';
    this.leaderOrdinal = leader;
    if (wasLeader) {
      this.clock.cancel(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
      this.resetElectionTimer();
    }
    if (lostLeader) this.onLeaderLost();
  }

  /** As etcd's WithRequireLeader: watches on a member without a leader are cancelled. */
  private onLeaderLost(): void {
    this.cancelWatches(ERR_NO_LEADER);
    this.cluster.network.changed();
  }

  private cancelWatches(reason: string): void {
    const watches = [...this.watchCancels.values()];
    this.watchCancels.clear();
    for (const w of watches) {
      w.cancel();
      w.onCancel(reason);
    }
  }

  private resetElectionTimer(): void {
    this.clock.cancel(this.electionTimer);
    const timeout = ELECTION_MS + this.clock.rng.int(ELECTION_MS);
    this.electionDeadline = timeout;
    this.electionTimer = this.clock.schedule(timeout, () => this.onElectionTimer(), 'etcd election timer');
  }

  private onElectionTimer(): void {
    this.electionTimer = undefined;
    if (!this.running || this.role === 'leader') return;
    // Compared as an instant (heard + deadline), not as "silent for less than the deadline": the
    // remaining wait, deadline − (now − heard), can come out below half a unit of `now` in floating
    // point (when heard + deadline crosses a power of two), and now + wait is then now again: a timer
    // due at the very instant it runs, forever, and virtual time frozen. The instant's difference with
    // now is never below that, so each wait moves time on.
    const due = this.lastHeard + this.electionDeadline;
    const now = this.clock.now();
    if (now < due && this.leaderOrdinal !== undefined) {
      this.electionTimer = this.clock.schedule(due - now, () => this.onElectionTimer(), 'etcd election timer');
      return;
    }
    if (this.leaderOrdinal !== undefined) this.becomeFollower(this.term, undefined);
    this.campaign(true);
    this.resetElectionTimer();
  }

  /** Pre-vote first (term + 1 without bumping), then a real election once a majority would agree. */
  private campaign(pre: boolean): void {
    this.role = 'candidate';
    this.preVotes = new Set([this.ordinal]);
    this.votes = new Set();
    if (!pre) {
      this.term++;
      this.votedFor = this.ordinal;
      this.votes.add(this.ordinal);
      this.lastHeard = this.clock.now();
    }
    const term = pre ? this.term + 1 : this.term;
    for (const peer of this.cluster.members) {
      if (peer.ordinal === this.ordinal) continue;
      this.send(peer.ordinal, { type: 'vote', term, candidate: this.ordinal, lastIndex: this.lastIndex, lastTerm: this.lastTerm(), pre });
    }
    if (this.cluster.quorum === 1) {
      if (pre) this.campaign(false);
      else this.becomeLeader();
    }
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderOrdinal = this.ordinal;
    this.becameLeaderAt = this.clock.now();
    const n = this.cluster.members.length;
    this.next = new Array(n).fill(this.lastIndex + 1);
    this.match = new Array(n).fill(0);
    this.lastAck = new Array(n).fill(this.clock.now());
    this.match[this.ordinal] = this.lastIndex;
    this.clock.cancel(this.electionTimer);
    this.electionTimer = undefined;
    this.cluster.log.append({
      t: this.clock.now(), traceId: this.cluster.raftTrace(), from: this.name, to: this.name, kind: 'decision',
      summary: `${this.name} became leader at term ${this.term} (votes: ${[...this.votes].map((o) => this.cluster.members[o].name).join(', ')})`,
      detail: { term: this.term, votes: [...this.votes].map((o) => this.cluster.members[o].name) },
    });
    // An empty entry of the new term lets earlier entries commit (Raft §5.4.2).
    this.appendAsLeader({ type: 'noop' }, undefined, -1, 0);
    this.heartbeat();
    this.cluster.network.changed();
  }

  private heartbeat(): void {
    this.heartbeatTimer = undefined;
    if (!this.running || this.role !== 'leader') return;
    if (!this.hasQuorumContact() && this.clock.now() - this.becameLeaderAt >= ELECTION_MS) {
      // check-quorum: a leader cut off from the majority steps down.
      this.cluster.log.append({
        t: this.clock.now(), traceId: this.cluster.raftTrace(), from: this.name, to: this.name, kind: 'decision',
        summary: `${this.name} stepped down at term ${this.term}: lost contact with the quorum`, detail: { term: this.term },
      });
      this.becomeFollower(this.term, undefined);
      this.resetElectionTimer();
      return;
    }
    for (const peer of this.cluster.members) if (peer.ordinal !== this.ordinal) this.sendAppend(peer.ordinal);
    this.heartbeatTimer = this.clock.schedule(HEARTBEAT_MS, () => this.heartbeat(), 'etcd heartbeat');
  }

  private hasQuorumContact(): boolean {
    let n = 1;
    const now = this.clock.now();
    for (const peer of this.cluster.members) {
      if (peer.ordinal !== this.ordinal && now - this.lastAck[peer.ordinal] < ELECTION_MS) n++;
    }
    return n >= this.cluster.quorum;
  }

  // ------------------------------------------------------------------ replication

  private appendAsLeader(op: EtcdOp, ctx: TraceContext | undefined, origin: number, proposalId: number): void {
    const entry = newEntry(this.lastIndex + 1, this.term, op, ctx, origin, proposalId);
    this.log.push(entry);
    this.match[this.ordinal] = entry.index;
    if (this.cluster.quorum === 1) {
      this.maybeCommit();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.clock.schedule(0, () => {
        this.flushScheduled = false;
        if (this.role !== 'leader') return;
        for (const peer of this.cluster.members) if (peer.ordinal !== this.ordinal) this.sendAppend(peer.ordinal);
      }, 'etcd flush');
    }
  }

  private sendAppend(peer: number): void {
    const next = this.next[peer];
    if (next <= this.snapIndex) {
      const store = this.store.snapshot();
      this.send(peer, { type: 'snapshot', term: this.term, leader: this.ordinal, index: this.appliedIndex, snapTerm: this.termAt(this.appliedIndex), store });
      this.next[peer] = this.appliedIndex + 1;
      return;
    }
    const prevIndex = next - 1;
    const entries = this.log.slice(next - this.snapIndex - 1, next - this.snapIndex - 1 + 4096);
    if (entries.length > 0) this.logAppends(peer, entries);
    this.send(peer, { type: 'append', term: this.term, leader: this.ordinal, prevIndex, prevTerm: this.termAt(prevIndex), entries, leaderCommit: this.commitIndex });
    // Optimistic pipelining: assume delivery; a rejection moves next back.
    this.next[peer] = next + entries.length;
  }

  private logAppends(peer: number, entries: readonly RaftEntry[]): void {
    const to = this.cluster.members[peer].name;
    if (entries.length > DETAILED_BATCH) {
      const first = entries[0].index;
      const last = entries[entries.length - 1].index;
      this.cluster.log.append({
        t: this.clock.now(), traceId: this.cluster.raftTrace(), from: this.name, to, kind: 'etcd-append',
        summary: `replicate entries ${first}..${last} to ${to} (catch-up)`, detail: { from: first, to: last, term: this.term },
      });
      return;
    }
    for (const entry of entries) {
      if (!entry.ctx) continue;
      // Room for exactly one seq per member: a growing empty list would reserve 17 on its first store, and
      // the list lives as long as the entry (10,000-20,000 entries later).
      const seqs = entry.appendSeqs ?? (entry.appendSeqs = new Array<number>(this.cluster.members.length));
      if (seqs[peer] !== undefined) continue;
      const ctx = entry.ctx;
      seqs[peer] = this.cluster.log.appendLazily(() => ({
        t: this.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.name, to, kind: 'etcd-append',
        summary: `append ${describeOp(entry.op)} (index ${entry.index}, term ${entry.term}) to ${to}`,
        detail: { index: entry.index, term: entry.term, key: opKey(entry.op) },
      }));
    }
  }

  private logAcks(peer: number, from: number, to: number): void {
    if (to - from + 1 > DETAILED_BATCH) return;
    const name = this.cluster.members[peer].name;
    for (let i = Math.max(from, this.snapIndex + 1); i <= to; i++) {
      const entry = this.entryAt(i);
      if (!entry?.ctx) continue;
      const parentId = entry.appendSeqs?.[peer] ?? entry.ctx.parentId;
      const traceId = entry.ctx.traceId;
      const seq = this.cluster.log.appendLazily(() => ({
        t: this.clock.now(), traceId, parentId, from: name, to: this.name, kind: 'etcd-ack',
        summary: `${name} acknowledged index ${entry.index}`, detail: { index: entry.index, term: entry.term },
      }));
      if (entry.commitSeq === undefined && entry.quorumAckSeq === undefined) entry.quorumAckSeq = seq;
    }
  }

  private maybeCommit(): void {
    const n = this.cluster.members.length;
    let newCommit = this.commitIndex;
    for (let i = this.lastIndex; i > this.commitIndex; i--) {
      if (this.termAt(i) !== this.term) break;
      let count = 0;
      for (let p = 0; p < n; p++) if (this.match[p] >= i) count++;
      if (count >= this.cluster.quorum) {
        newCommit = i;
        break;
      }
    }
    if (newCommit === this.commitIndex) return;
    for (let i = this.commitIndex + 1; i <= newCommit; i++) {
      const entry = this.entryAt(i)!;
      if (!entry.ctx) continue;
      let ackMask = 0;
      for (let p = 0; p < n; p++) if (this.match[p] >= i) ackMask |= 1 << p;
      entry.ackMask = ackMask;
    }
    this.commitIndex = newCommit;
    this.applyCommitted();
    // Tell followers at once, as raft's bcastAppend after maybeCommit does.
    for (const peer of this.cluster.members) if (peer.ordinal !== this.ordinal) this.sendAppend(peer.ordinal);
  }

  private applyCommitted(): void {
    while (this.appliedIndex < this.commitIndex) {
      const entry = this.entryAt(this.appliedIndex + 1)!;
      this.appliedIndex++;
      this.apply(entry);
    }
    this.serveReads();
    this.truncateLog();
  }

  private apply(entry: RaftEntry): void {
    if (this.role === 'leader' && entry.ctx && entry.commitSeq === undefined) {
      const ctx = entry.ctx;
      entry.commitSeq = this.cluster.log.appendLazily(() => {
        const acks = ordinalsOf(entry.ackMask, this.cluster.members.length);
        return {
          t: this.clock.now(), traceId: ctx.traceId, parentId: entry.quorumAckSeq ?? ctx.parentId, from: this.name, to: this.name,
          kind: 'etcd-commit',
          summary: `commit ${describeOp(entry.op)} at index ${entry.index}: quorum ${acks.length}/${this.cluster.members.length}`,
          detail: {
            index: entry.index, term: entry.term, key: opKey(entry.op),
            revision: entry.op.type === 'txn' ? this.store.revision + 1 : this.store.revision,
            acks: acks.map((o) => this.cluster.members[o].name),
          },
        };
      });
    }
    const parentId = entry.commitSeq ?? entry.ctx?.parentId;
    let commitCtx = entry.commitCtx;
    if (!commitCtx || commitCtx.parentId !== parentId) {
      commitCtx = entry.ctx ? { traceId: entry.ctx.traceId, parentId } : { traceId: 'etcd' };
      entry.commitCtx = commitCtx;
    }
    this.applyCtx = commitCtx;
    // Only the leader answers a proposal: the followers apply without building a result.
    const answer = entry.origin >= 0 && this.role === 'leader';
    let result: ProposalResult | undefined;
    if (entry.op.type === 'txn') {
      const txn = this.store.txn(entry.op.txn, entry);
      if (answer) result = { ok: true, result: txn, commitCtx };
    } else if (entry.op.type === 'compact') {
      const r = this.store.compact(entry.op.revision);
      if (answer) result = r.error ? { ok: false, error: r.error } : { ok: true, compacted: entry.op.revision, commitCtx };
    }
    this.applyCtx = undefined;
    if (result) {
      if (entry.origin === this.ordinal) this.settleProposal(entry.proposalId, result);
      else this.send(entry.origin, { type: 'result', id: entry.proposalId, result });
    }
  }

  private serveReads(): void {
    for (let i = 0; i < this.reads.length; ) {
      const read = this.reads[i];
      if (this.appliedIndex >= read.index) {
        this.reads.splice(i, 1);
        read.settle();
        read.requester.readDone(true);
      } else i++;
    }
  }

  private truncateLog(): void {
    const drop = this.appliedIndex - this.snapIndex - LOG_KEEP;
    if (drop < LOG_KEEP) return;
    this.snapTerm = this.termAt(this.snapIndex + drop);
    this.log = this.log.slice(drop);
    this.snapIndex += drop;
  }

  private entryAt(index: number): RaftEntry | undefined {
    return this.log[index - this.snapIndex - 1];
  }

  private termAt(index: number): number {
    if (index === this.snapIndex) return this.snapTerm;
    return this.entryAt(index)?.term ?? 0;
  }

  private lastTerm(): number {
    return this.termAt(this.lastIndex);
  }

  private send(to: number, msg: RaftMessage): void {
    (this.links[to] ??= this.linkTo(this.cluster.members[to])).send(msg);
  }

  /** The stream of messages to `target` (made on first use: no closure per message). */
  private linkTo(target: EtcdMember): Stream<RaftMessage> {
    return new Stream(this.cluster.network.path(this.host, target.host), (msg: RaftMessage) => target.receive(msg));
  }

  private get clock(): Clock {
    return this.cluster.clock;
  }
}

export class EtcdCluster {
  readonly clock: Clock;
  readonly log: EventLog;
  readonly network: Network;
  readonly members: EtcdMember[];
  private raftTraceId: string | undefined;

  constructor(options: EtcdClusterOptions) {
    this.clock = options.clock;
    this.log = options.log;
    this.network = options.network;
    // The members share what applying an entry produces (RaftEntry.applied), stamped value included.
    const mvcc: MvccOptions = options.mvcc ?? {};
    this.members = options.hosts.map((host, i) => new EtcdMember(this, i, host, mvcc));
  }

  get quorum(): number {
    return Math.floor(this.members.length / 2) + 1;
  }

  start(): void {
    for (const m of this.members) m.start();
  }

  leader(): EtcdMember | undefined {
    return this.members.find((m) => m.isLeader);
  }

  member(hostOrName: string): EtcdMember | undefined {
    return this.members.find((m) => m.host === hostOrName || m.name === hostOrName);
  }

  /** The trace for raft's own housekeeping (elections, catch-up): one per cluster. */
  raftTrace(): string {
    return (this.raftTraceId ??= this.log.newTraceId('raft'));
  }
}

export function opKey(op: EtcdOp): string | undefined {
  return op.type === 'txn' ? op.txn.key : undefined;
}

function describeOp(op: EtcdOp): string {
  if (op.type === 'txn') return `${op.txn.op.type} ${op.txn.key}`;
  if (op.type === 'compact') return `compact to revision ${op.revision}`;
  return 'empty entry';
}
