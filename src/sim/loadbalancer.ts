/**
 * The load balancer in front of the API servers (as HAProxy in a kubeadm HA setup): round robin over
 * the healthy instances; a health check (GET /readyz) every few seconds takes an instance out of
 * rotation after `fall` failed checks and back after `rise` good ones. Each forwarded request is a
 * `forward` log entry; rotation changes are `decision` entries.
 */
import type { ApiServer } from './apiserver/apiserver';
import type { Clock, TimerId } from './clock';
import type { EventLog, TraceContext } from './log';
import type { Network } from './network';

export const LB_HOST = 'lb';

export interface LoadBalancerOptions {
  clock: Clock;
  log: EventLog;
  network: Network;
  backends: readonly ApiServer[];
  /** Health check interval (default 5 s). */
  intervalMs?: number;
  /** A check without an answer within this time fails (default 2 s). */
  timeoutMs?: number;
  /** Consecutive failures before an instance leaves the rotation (default 2). */
  fall?: number;
  /** Consecutive successes before it returns (default 2). */
  rise?: number;
}

interface BackendState {
  server: ApiServer;
  healthy: boolean;
  failures: number;
  successes: number;
}

export class LoadBalancer {
  readonly name = 'lb';
  readonly host = LB_HOST;
  running = false;
  private readonly state: BackendState[];
  private next = 0;
  private timer: TimerId | undefined;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly fall: number;
  private readonly rise: number;

  constructor(private readonly options: LoadBalancerOptions) {
    this.state = options.backends.map((server) => ({ server, healthy: true, failures: 0, successes: 0 }));
    this.intervalMs = options.intervalMs ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.fall = options.fall ?? 2;
    this.rise = options.rise ?? 2;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = this.options.clock.schedule(0, () => this.checkAll(), 'lb health check');
  }

  stop(): void {
    this.running = false;
    this.options.clock.cancel(this.timer);
  }

  /** The instances currently in rotation. */
  healthy(): ApiServer[] {
    return this.state.filter((s) => s.healthy).map((s) => s.server);
  }

  isHealthy(server: ApiServer): boolean {
    return this.state.some((s) => s.server === server && s.healthy);
  }

  /**
   * Pick the next healthy instance (round robin) and log the forwarding of `what` (the request line,
   * made only if the log records). `undefined` when none is healthy: the caller answers 503 as HAProxy does.
   */
  pick(requestCtx: TraceContext, what: () => string, client: string): { server: ApiServer; ctx: TraceContext } | undefined {
    const n = this.state.length;
    for (let i = 0; i < n; i++) {
      const s = this.state[(this.next + i) % n];
      if (!s.healthy) continue;
      this.next = (this.next + i + 1) % n;
      const seq = this.options.log.appendLazily(() => ({
        t: this.options.clock.now(), traceId: requestCtx.traceId, parentId: requestCtx.parentId, from: this.name, to: s.server.name,
        kind: 'forward', summary: `forward ${what()} from ${client} to ${s.server.name}`, detail: { backend: s.server.name, client },
      }));
      return { server: s.server, ctx: { traceId: requestCtx.traceId, parentId: seq } };
    }
    return undefined;
  }

  private checkAll(): void {
    if (!this.running) return;
    const { clock, network } = this.options;
    for (const s of this.state) {
      let answered = false;
      const timeout = clock.schedule(this.timeoutMs, () => {
        if (!answered) this.record(s, false);
      }, 'lb health check timeout');
      network.send(this.host, s.server.host, () => {
        if (!s.server.running) return; // connection refused: the timeout records the failure
        const ready = s.server.ready;
        network.send(s.server.host, this.host, () => {
          answered = true;
          clock.cancel(timeout);
          this.record(s, ready);
        });
      });
    }
    this.timer = clock.schedule(this.intervalMs, () => this.checkAll(), 'lb health check');
  }

  private record(s: BackendState, ok: boolean): void {
    if (ok) {
      s.failures = 0;
      s.successes++;
      if (!s.healthy && s.successes >= this.rise) this.setHealthy(s, true);
    } else {
      s.successes = 0;
      s.failures++;
      if (s.healthy && s.failures >= this.fall) this.setHealthy(s, false);
    }
  }

  private setHealthy(s: BackendState, healthy: boolean): void {
    s.healthy = healthy;
    const { log, clock, network } = this.options;
    log.append({
      t: clock.now(), traceId: log.newTraceId('lb'), from: this.name, to: s.server.name, kind: 'decision',
      summary: healthy
        ? `${s.server.name} is back in rotation (${this.rise} health checks passed)`
        : `${s.server.name} taken out of rotation (${this.fall} health checks failed)`,
      detail: { backend: s.server.name, healthy },
    });
    network.changed();
  }
}
