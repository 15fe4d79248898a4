/**
 * An ApiClient on the simulated network. Control-plane components on a master talk to their own
 * host's API server; kubelets and outside clients (kubectl) go through the load balancer. Every hop
 * crosses the network, requests time out in virtual time (10 s by default: a dropped request fails
 * with client-go's "Client.Timeout exceeded"), and a watch notices a lost connection as TCP would:
 * at once when the server process is gone (reset), after the HTTP/2 keepalive when the path is cut.
 */
import type { ApiRequest, ApiResponse, ApiClient, ResponseCallback, Status, WatchEvent, WatchHandle } from '../api/request';
import type { ObjectRef } from '../api/types';
import type { ApiServer } from '../apiserver/apiserver';
import { httpMethod, requestPath } from '../apiserver/paths';
import type { Clock, TimerId } from '../clock';
import type { EventLog, TraceContext } from '../log';
import type { LoadBalancer } from '../loadbalancer';
import type { Network } from '../network';
import { DeadlineQueue } from './deadlines';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** A reset connection is noticed after a round trip. */
const RESET_DETECT_MS = 100;
/** client-go's HTTP/2 health check: ReadIdleTimeout 30 s + PingTimeout 15 s. */
const KEEPALIVE_DETECT_MS = 45_000;

export interface SimClientOptions {
  /** Identity in the log and User-Agent: "kubectl", "kube-scheduler@master-1", "kubelet@worker-2". */
  name: string;
  /** The machine it runs on ("client" for outside the cluster). */
  host: string;
  clock: Clock;
  log: EventLog;
  network: Network;
  /** Talk to this API server directly ... */
  server?: ApiServer;
  /** ... or through the load balancer. */
  lb?: LoadBalancer;
  timeoutMs?: number;
}

type Back = (fn: () => void) => void;

export class SimClient implements ApiClient {
  private identity: string;
  readonly host: string;
  private readonly clock: Clock;
  private readonly log: EventLog;
  private readonly network: Network;
  private readonly timeoutMs: number;
  private readonly deadlines: DeadlineQueue;

  constructor(private readonly options: SimClientOptions) {
    if (!options.server && !options.lb) throw new Error('SimClient needs a server or a load balancer');
    this.identity = options.name;
    this.host = options.host;
    this.clock = options.clock;
    this.log = options.log;
    this.network = options.network;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.deadlines = new DeadlineQueue(this.clock, this.timeoutMs, 'api client timeout');
  }

  get name(): string {
    return this.identity;
  }

  /** Set the identity once the component using this client knows its name (e.g. "kube-scheduler@master-2"). */
  rename(name: string): void {
    this.identity = name;
  }

  /** Where requests go first: "lb" or the API server's name. */
  get target(): string {
    return this.options.lb ? this.options.lb.name : this.options.server!.name;
  }

  request(req: Omit<ApiRequest, 'client'>, ctx: TraceContext, done: ResponseCallback): void {
    const full: ApiRequest = { ...req, client: this.name };
    const reqCtx = this.logRequest(full, ctx);
    const deadline = this.deadlines.add(() => {
      const res = this.timeoutResponse(full);
      const note = this.log.append({
        t: this.clock.now(), traceId: reqCtx.traceId, parentId: reqCtx.parentId, from: this.name, to: this.name, kind: 'note',
        objectRef: refOf(full), summary: `no answer: ${(res.body as Status).message}`, detail: { code: res.code, timeout: true },
      });
      done(res, { traceId: reqCtx.traceId, parentId: note.seq });
    });
    const finish = (res: ApiResponse, at: TraceContext) => {
      if (deadline.settle()) done(res, at);
    };
    this.toServer(full, reqCtx, (server, at, back) => server.handle(full, at, (res, resCtx) => back(() => finish(res, resCtx))), finish);
  }

  watch(
    req: Omit<ApiRequest, 'client' | 'verb'>,
    ctx: TraceContext,
    onEvent: (event: WatchEvent, ctx: TraceContext) => void,
    onClose: (reason: Status) => void,
  ): WatchHandle {
    const full: ApiRequest = { ...req, verb: 'watch', client: this.name };
    const reqCtx = this.logRequest(full, ctx);
    let closed = false;
    let server: ApiServer | undefined;
    let serverHandle: WatchHandle | undefined;
    let check: TimerId | undefined;
    const cleanup = () => {
      closed = true;
      serverHandle?.stop();
      unsubscribe();
      this.clock.cancel(check);
      establishing.settle();
    };
    const close = (reason: Status) => {
      if (closed) return;
      cleanup();
      onClose(reason);
    };
    const establishing = this.deadlines.add(() => {
      if (!server) close(this.timeoutResponse(full).body as Status);
    });
    const unsubscribe = this.network.onTopologyChange(() => {
      if (closed || !server || check !== undefined || this.pathOk(server)) return;
      const current = server;
      check = this.clock.schedule(this.resetOnly(current) ? RESET_DETECT_MS : KEEPALIVE_DETECT_MS, () => {
        check = undefined;
        if (!closed && !this.pathOk(current)) {
          close({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 503, reason: 'ServiceUnavailable', message: 'http2: client connection lost' });
        }
      }, 'api watch keepalive');
    });
    this.toServer(full, reqCtx, (s, at, back) => {
      if (closed) return;
      server = s;
      establishing.settle();
      serverHandle = s.watch(full, at, {
        event: (type, object, evCtx) => back(() => {
          if (!closed) onEvent({ type, object }, evCtx);
        }),
        close: (reason) => back(() => close(reason)),
      });
    }, (res) => close(res.body as Status));
    return { stop: cleanup };
  }

  /** Route a request to an API server (directly or through the LB); `arrive` runs at the server. */
  private toServer(
    req: ApiRequest,
    ctx: TraceContext,
    arrive: (server: ApiServer, ctx: TraceContext, back: Back) => void,
    unavailable: (res: ApiResponse, ctx: TraceContext) => void,
  ): void {
    const { server, lb } = this.options;
    // A server process that is not running refuses the connection: the caller learns at once.
    const reach = (s: ApiServer, at: TraceContext, back: Back) => {
      if (s.running) return arrive(s, at, back);
      const url = `https://${s.host}:6443${requestPath(req)}`;
      const method = httpMethod(req.verb);
      const message = `${method[0]}${method.slice(1).toLowerCase()} "${url}": dial tcp ${s.host}:6443: connect: connection refused`;
      const res: ApiResponse = { code: 503, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 503, reason: 'ServiceUnavailable', message } };
      const entry = this.log.append({
        t: this.clock.now(), traceId: at.traceId, parentId: at.parentId, from: s.name, to: this.name, kind: 'note',
        objectRef: refOf(req), summary: `connection refused: ${s.name} is not running`, detail: { code: 503 },
      });
      back(() => unavailable(res, { traceId: at.traceId, parentId: entry.seq }));
    };
    if (!lb) {
      this.network.send(this.host, server!.host, () => reach(server!, ctx, (fn) => this.network.send(server!.host, this.host, fn)));
      return;
    }
    this.network.send(this.host, lb.host, () => {
      const picked = lb.pick(ctx, () => `${httpMethod(req.verb)} ${requestPath(req)}`, this.name);
      if (!picked) {
        const res: ApiResponse = {
          code: 503,
          body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 503, reason: 'ServiceUnavailable', message: 'No server is available to handle this request.' },
        };
        const entry = this.log.append({
          t: this.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: lb.name, to: this.name, kind: 'response',
          objectRef: refOf(req), summary: '503 Service Unavailable: no API server in rotation', detail: { code: 503, verb: req.verb, body: res.body },
        });
        this.network.send(lb.host, this.host, () => unavailable(res, { traceId: ctx.traceId, parentId: entry.seq }));
        return;
      }
      const s = picked.server;
      this.network.send(lb.host, s.host, () => reach(s, picked.ctx, (fn) => this.network.sendVia(s.host, lb.host, this.host, fn)));
    });
  }

  private pathOk(server: ApiServer): boolean {
    const { lb } = this.options;
    if (!server.running) return false;
    if (!lb) return this.network.canReach(this.host, server.host);
    return this.network.canReach(this.host, lb.host) && this.network.canReach(lb.host, server.host) && lb.isHealthy(server);
  }

  /** Whether the break would be signalled by a reset (the next hop is alive and reachable). */
  private resetOnly(server: ApiServer): boolean {
    const { lb } = this.options;
    if (lb) return this.network.canReach(this.host, lb.host);
    return this.network.canReach(this.host, server.host) || this.network.isUp(server.host);
  }

  private logRequest(req: ApiRequest, ctx: TraceContext): TraceContext {
    const seq = this.log.appendLazily(() => {
      const path = requestPath(req);
      return {
        t: this.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.name, to: this.target, kind: 'request',
        objectRef: refOf(req), summary: `${httpMethod(req.verb)} ${path}`,
        detail: { verb: req.verb, path, body: req.body, query: req.query, patchType: req.patchType },
      };
    });
    return { traceId: ctx.traceId, parentId: seq };
  }

  private timeoutResponse(req: ApiRequest): ApiResponse {
    const url = `https://${this.options.lb ? 'lb' : this.options.server!.host}:6443${requestPath(req)}`;
    const method = httpMethod(req.verb);
    const message = `${method[0]}${method.slice(1).toLowerCase()} "${url}": net/http: request canceled (Client.Timeout exceeded while awaiting headers)`;
    return { code: 504, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 504, reason: 'Timeout', message } };
  }
}

function refOf(req: Pick<ApiRequest, 'resource' | 'namespace' | 'name' | 'subresource' | 'body'>): ObjectRef {
  const body = req.body as { metadata?: { name?: string; generateName?: string } } | undefined;
  const ref: ObjectRef = { resource: req.resource, name: req.name ?? body?.metadata?.name ?? body?.metadata?.generateName ?? '' };
  if (req.namespace) ref.namespace = req.namespace;
  if (req.subresource) ref.subresource = req.subresource;
  return ref;
}
