/**
 * client-go's leader election (k8s.io/client-go/tools/leaderelection) with a coordination.k8s.io/v1
 * Lease as the lock, as kube-scheduler and kube-controller-manager run it on every master.
 *
 * - Acquire: every retryPeriod (jittered ×1.2, as wait.JitterUntil) read the Lease; if it is held by
 *   someone else and this candidate has seen it change within leaseDuration, give up for this round;
 *   otherwise write itself in as holder (leaseTransitions + 1, acquireTime now), guarded by the
 *   resourceVersion it read: of two candidates racing, the API server's optimistic concurrency lets
 *   exactly one win (the other gets 409 Conflict).
 * - Renew: retryPeriod after each success, a round starts with a deadline of renewDeadline; within it
 *   the holder retries every retryPeriod (fast path: an update from the record it last wrote, without
 *   a GET). A round that reaches its deadline loses leadership; the component stops acting at once.
 * - Expiry is judged by the observer's own clock (the time it last saw the record change), never by
 *   the renewTime written in the Lease, so clocks of different machines need not agree.
 *
 * Safety: a holder that cannot renew stops at most renewDeadline + retryPeriod (12 s) after its last
 * successful write, while the others wait at least leaseDuration (15 s) after seeing that write, so
 * two candidates never act in the same term. Acquire and loss are `decision` entries in the log.
 */
import type { Clock, TimerId } from './clock';
import type { EventLog, LogEntry, TraceContext } from './log';
import type { ApiClient, ApiResponse } from './api/request';
import type { Lease } from './api/types';
import { ObjectEventRecorder } from './controllers/events';

export const LEASE_DURATION_MS = 15_000;
export const RENEW_DEADLINE_MS = 10_000;
export const RETRY_PERIOD_MS = 2_000;
const JITTER_FACTOR = 1.2;

export interface LeaderElectionConfig {
  /** Lease namespace (kube-system). */
  namespace: string;
  /** Lease name: "kube-scheduler" or "kube-controller-manager". */
  name: string;
  /** holderIdentity, like upstream "master-1_<uuid>". */
  identity: string;
  /**
   * A fresh identity for each new process: upstream's identity has a new uuid every time the
   * component starts, so a restarted holder waits for its old lease to expire like everyone else.
   */
  newIdentity?: () => string;
  /** Who acts, as the log shows it, e.g. "kube-scheduler@master-1". */
  component: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading?(ctx: TraceContext): void;
  onStoppedLeading?(ctx: TraceContext): void;
}

export interface LeaderElectorEnv {
  clock: Clock;
  log: EventLog;
  client: ApiClient;
  host: string;
}

/** One term of leadership as this candidate lived it (for tests and the flow view). */
export interface LeadershipTerm {
  identity: string;
  /** leaseTransitions written when this term began. */
  transitions: number;
  from: number;
  to?: number;
}

type State = 'stopped' | 'acquiring' | 'leading';

export class LeaderElector {
  private state: State = 'stopped';
  private observed: Lease['spec'] | undefined;
  private observedRV: string | undefined;
  private observedTime = 0;
  /** Bumped on every stop and loss: responses to older attempts are ignored. */
  private epoch = 0;
  private timer: TimerId | undefined;
  private deadline: TimerId | undefined;
  private readonly events: ObjectEventRecorder;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private currentIdentity: string;
  private started = false;
  readonly terms: LeadershipTerm[] = [];

  constructor(private readonly env: LeaderElectorEnv, readonly config: LeaderElectionConfig) {
    this.leaseMs = config.leaseDurationMs ?? LEASE_DURATION_MS;
    this.renewMs = config.renewDeadlineMs ?? RENEW_DEADLINE_MS;
    this.retryMs = config.retryPeriodMs ?? RETRY_PERIOD_MS;
    this.currentIdentity = config.identity;
    this.events = new ObjectEventRecorder(env.clock, env.client, config.name, env.host);
  }

  get identity(): string {
    return this.currentIdentity;
  }

  /** True only while this candidate holds the lease and may act. */
  isLeader(): boolean {
    return this.state === 'leading';
  }

  get running(): boolean {
    return this.state !== 'stopped';
  }

  /** The holder this candidate last saw in the Lease. */
  observedHolder(): string | undefined {
    return this.observed?.holderIdentity;
  }

  /** Begin campaigning (the process started). */
  start(): void {
    if (this.state !== 'stopped') return;
    if (this.started && this.config.newIdentity) this.currentIdentity = this.config.newIdentity();
    this.started = true;
    this.state = 'acquiring';
    this.epoch++;
    this.attemptAcquire();
  }

  /** The process died: stop at once, without releasing the lease (upstream's default). */
  stop(): void {
    if (this.state === 'stopped') return;
    const wasLeading = this.state === 'leading';
    this.state = 'stopped';
    this.epoch++;
    this.clearTimers();
    this.observed = undefined;
    this.observedRV = undefined;
    if (wasLeading) this.endTerm();
  }

  private lockRef(): string {
    return `${this.config.namespace}/${this.config.name}`;
  }

  private attemptAcquire(): void {
    const epoch = this.epoch;
    const ctx: TraceContext = { traceId: this.env.log.newTraceId() };
    this.tryAcquireOrRenew(ctx, (ok, rctx) => {
      if (epoch !== this.epoch || this.state !== 'acquiring') return;
      if (ok) return this.becomeLeader(rctx);
      const wait = this.retryMs * (1 + this.env.clock.rng.next() * JITTER_FACTOR);
      this.timer = this.env.clock.schedule(wait, () => this.attemptAcquire(), `${this.config.component}: acquire lease`);
    });
  }

  private becomeLeader(ctx: TraceContext): void {
    this.state = 'leading';
    const transitions = this.observed?.leaseTransitions ?? 0;
    this.terms.push({ identity: this.identity, transitions, from: this.env.clock.now() });
    const entry = this.decision(ctx, `successfully acquired lease ${this.lockRef()}`, { holderIdentity: this.identity, leaseTransitions: transitions });
    const leaseObj: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.config.name, namespace: this.config.namespace },
      spec: {},
    };
    this.events.record(leaseObj, 'Normal', 'LeaderElection', `${this.identity} became leader`, this.entryCtx(entry));
    this.config.onStartedLeading?.(this.entryCtx(entry));
    this.scheduleRenewRound();
  }

  private scheduleRenewRound(): void {
    this.timer = this.env.clock.schedule(this.retryMs, () => this.renewRound(), `${this.config.component}: renew lease`);
  }

  /** One round of wait.PollImmediateUntil(retryPeriod, tryAcquireOrRenew, renewDeadline). */
  private renewRound(): void {
    const epoch = this.epoch;
    this.deadline = this.env.clock.schedule(this.renewMs, () => {
      if (epoch !== this.epoch) return;
      this.loseLeadership(`failed to renew lease ${this.lockRef()}: timed out waiting for the condition`);
    }, `${this.config.component}: renew deadline`);
    const poll = (): void => {
      const ctx: TraceContext = { traceId: this.env.log.newTraceId() };
      this.tryAcquireOrRenew(ctx, (ok) => {
        if (epoch !== this.epoch || this.state !== 'leading') return;
        if (ok && this.observed?.holderIdentity === this.identity) {
          this.env.clock.cancel(this.deadline);
          this.deadline = undefined;
          this.scheduleRenewRound();
          return;
        }
        this.timer = this.env.clock.schedule(this.retryMs, poll, `${this.config.component}: renew lease`);
      });
    };
    poll();
  }

  private loseLeadership(reason: string): void {
    if (this.state !== 'leading') return;
    this.epoch++;
    this.clearTimers();
    this.endTerm();
    const entry = this.decision({ traceId: this.env.log.newTraceId() }, `${reason}; leaderelection lost`, { holderIdentity: this.identity });
    this.state = 'acquiring';
    this.config.onStoppedLeading?.(this.entryCtx(entry));
    // Upstream the process exits and is restarted; it then campaigns again from scratch, as a new identity.
    this.observed = undefined;
    this.observedRV = undefined;
    if (this.config.newIdentity) this.currentIdentity = this.config.newIdentity();
    if (this.state === 'acquiring') this.attemptAcquire();
  }

  private endTerm(): void {
    const term = this.terms[this.terms.length - 1];
    if (term && term.to === undefined) term.to = this.env.clock.now();
  }

  private clearTimers(): void {
    this.env.clock.cancel(this.timer);
    this.env.clock.cancel(this.deadline);
    this.timer = undefined;
    this.deadline = undefined;
  }

  /** client-go's tryAcquireOrRenew: `done(true)` when this candidate holds a freshly written lease. */
  private tryAcquireOrRenew(ctx: TraceContext, done: (ok: boolean, ctx: TraceContext) => void): void {
    const now = this.env.clock.now();
    const record = (base: Lease['spec'] | undefined): Lease['spec'] => {
      const mine = base?.holderIdentity === this.identity;
      return {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.leaseMs / 1000,
        acquireTime: mine && base?.acquireTime ? base.acquireTime : this.env.clock.isoMicro(),
        renewTime: this.env.clock.isoMicro(),
        leaseTransitions: mine ? (base?.leaseTransitions ?? 0) : (base?.leaseTransitions ?? -1) + 1,
      };
    };
    // Fast path: the leader updates from the record it last wrote, without reading first.
    if (this.state === 'leading' && this.observed && this.observedRV && now < this.observedTime + this.leaseMs) {
      const spec = record(this.observed);
      this.update(spec, this.observedRV, ctx, (ok, rctx) => (ok ? done(true, rctx) : this.slowPath(ctx, record, done)));
      return;
    }
    this.slowPath(ctx, record, done);
  }

  private slowPath(ctx: TraceContext, record: (base: Lease['spec'] | undefined) => Lease['spec'], done: (ok: boolean, ctx: TraceContext) => void): void {
    const { namespace, name } = this.config;
    this.env.client.request({ verb: 'get', apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace, name }, ctx, (res, rctx) => {
      if (res.code === 404) {
        const spec = record(undefined);
        const body: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec };
        this.env.client.request({ verb: 'create', apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace, body }, rctx, (cres, cctx) => {
          if (cres.code !== 201) return done(false, cctx);
          this.observe(cres);
          done(true, cctx);
        });
        return;
      }
      if (res.code !== 200) return done(false, rctx);
      const lease = res.body as Lease;
      this.observe(res);
      const holder = lease.spec?.holderIdentity;
      const now = this.env.clock.now();
      if (holder && holder !== this.identity && now < this.observedTime + this.leaseMs) return done(false, rctx);
      this.update(record(lease.spec), lease.metadata.resourceVersion!, rctx, done);
    });
  }

  private update(spec: Lease['spec'], resourceVersion: string, ctx: TraceContext, done: (ok: boolean, ctx: TraceContext) => void): void {
    const { namespace, name } = this.config;
    const body: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, resourceVersion }, spec };
    this.env.client.request({ verb: 'update', apiVersion: 'coordination.k8s.io/v1', resource: 'leases', namespace, name, body }, ctx, (res, rctx) => {
      if (res.code !== 200) return done(false, rctx);
      this.observe(res);
      done(true, rctx);
    });
  }

  /** Remember the record and, if it changed, when we saw it change. */
  private observe(res: ApiResponse): void {
    const lease = res.body as Lease;
    const spec = lease.spec ?? {};
    const o = this.observed;
    const changed = !o || o.holderIdentity !== spec.holderIdentity || o.renewTime !== spec.renewTime || o.leaseTransitions !== spec.leaseTransitions;
    if (changed) this.observedTime = this.env.clock.now();
    this.observed = { ...spec };
    this.observedRV = lease.metadata.resourceVersion;
  }

  private decision(ctx: TraceContext, summary: string, detail: Record<string, unknown>): LogEntry {
    return this.env.log.append({
      t: this.env.clock.now(),
      traceId: ctx.traceId,
      parentId: ctx.parentId,
      from: this.config.component,
      to: this.config.component,
      kind: 'decision',
      objectRef: { resource: 'leases', namespace: this.config.namespace, name: this.config.name },
      summary,
      detail: { lease: this.lockRef(), ...detail },
    });
  }

  private entryCtx(entry: LogEntry): TraceContext {
    return { traceId: entry.traceId, parentId: entry.seq };
  }
}

/** An identity like upstream's: "<hostname>_<uuid>". */
export function leaderIdentity(host: string, clock: Clock): string {
  return `${host}_${clock.rng.uuid()}`;
}
