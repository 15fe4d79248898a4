/**
 * An ApiClient on the simulated network. Control-plane components on a master talk to their own
 * host's API server; kubelets and outside clients (kubectl) go through the load balancer. Every hop
 * crosses the network, requests time out in virtual time (10 s by default: a dropped request fails
 * with client-go's "Client.Timeout exceeded"), and a watch notices a lost connection as TCP would:
 * at once when the server process is gone (reset), after the HTTP/2 keepalive when the path is cut.
 */
import type { ApiRequest, ApiResponse, ApiClient, ResponseCallback, Status, WatchEvent, WatchEventType, WatchHandle } from '../api/request';
import type { KubeObject } from '../api/types';
import type { ObjectRef } from '../api/types';
import type { ApiServer, Responder, WatchSink } from '../apiserver/apiserver';
import { httpMethod, requestPath } from '../apiserver/paths';
import type { Clock, TimerId } from '../clock';
import type { EventLog, LogEntry, TraceContext } from '../log';
import type { LoadBalancer } from '../loadbalancer';
import type { Network, NetworkMessage, Path } from '../network';
import { DeadlineEntry, DeadlineQueue } from './deadlines';

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

/**
 * The network paths of requests to one API server and of its answers and watch events back: directly,
 * or through the load balancer (which picks the server on the way there and only relays on the way back).
 */
interface ServerPaths {
  /** From this client, or from the load balancer, to the server. */
  readonly to: Path;
  /** From the server to this client (through the load balancer, if any). */
  readonly back: Path;
}

export class SimClient implements ApiClient {
  private identity: string;
  readonly host: string;
  private readonly clock: Clock;
  private readonly log: EventLog;
  private readonly network: Network;
  private readonly timeoutMs: number;
  private readonly deadlines: DeadlineQueue;
  /** To the load balancer, if requests go through it. */
  private readonly toLb: Path | undefined;
  /** By API server, found once (a client talks to one, or to the three behind the load balancer). */
  private readonly serverPaths = new Map<ApiServer, ServerPaths>();

  constructor(private readonly options: SimClientOptions) {
    if (!options.server && !options.lb) throw new Error('SimClient needs a server or a load balancer');
    this.identity = options.name;
    this.host = options.host;
    this.clock = options.clock;
    this.log = options.log;
    this.network = options.network;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.deadlines = new DeadlineQueue(this.clock, this.timeoutMs, 'api client timeout');
    this.toLb = options.lb ? this.network.path(this.host, options.lb.host) : undefined;
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
    const call = new Call(this, full, this.logRequest(full, ctx), done);
    this.deadlines.addEntry(call);
    if (this.toLb) {
      this.toLb.send(call);
      return;
    }
    const server = this.options.server!;
    call.toServer(server, this.pathsOf(server), call.reqCtx);
    call.paths!.to.send(call);
  }

  /** @internal (Call) A request's message reached the end of its hop. */
  arrived(call: Call): void {
    switch (call.hop) {
      case 'lb': return this.atLoadBalancer(call);
      case 'server': return this.atServer(call);
      case 'back': return this.finish(call, call.res!, call.at);
    }
  }

  /** @internal (Call) The API server answered `call` (normally once): the answer travels back. */
  answered(call: Call, res: ApiResponse, at: TraceContext): void {
    if (call.hop !== 'server') {
      // An answer is already on its way or arrived: this one travels on its own, and only settles nothing.
      call.paths!.back.send(() => this.finish(call, res, at));
      return;
    }
    call.back(res, at);
    call.paths!.back.send(call);
  }

  /** @internal (Call) No answer within the timeout: client-go's "Client.Timeout exceeded". */
  expired(call: Call): void {
    const { req, reqCtx } = call;
    const res = this.timeoutResponse(req);
    const note = this.log.append({
      t: this.clock.now(), traceId: reqCtx.traceId, parentId: reqCtx.parentId, from: this.name, to: this.name, kind: 'note',
      objectRef: refOf(req), summary: `no answer: ${(res.body as Status).message}`, detail: { code: res.code, timeout: true },
    });
    call.done(res, { traceId: reqCtx.traceId, parentId: note.seq });
  }

  private finish(call: Call, res: ApiResponse, at: TraceContext): void {
    if (call.settle()) call.done(res, at);
  }

  private atLoadBalancer(call: Call): void {
    const lb = this.options.lb!;
    const req = call.req;
    const picked = lb.pick(call.reqCtx, () => `${httpMethod(req.verb)} ${requestPath(req)}`, this.name);
    if (!picked) {
      const res = noServerResponse();
      call.back(res, this.noServerAtLb(req, res, call.reqCtx));
      this.network.send(lb.host, this.host, call);
      return;
    }
    call.toServer(picked.server, this.pathsOf(picked.server), picked.ctx);
    call.paths!.to.send(call);
  }

  private atServer(call: Call): void {
    const s = call.server!;
    if (s.running) {
      s.handle(call.req, call.at, call);
      return;
    }
    const res = refusedResponse(s, call.req);
    call.back(res, this.noteRefused(s, call.req, call.at));
    call.paths!.back.send(call);
  }

  /** @internal The paths to and from the API server `s`. */
  pathsOf(s: ApiServer): ServerPaths {
    let paths = this.serverPaths.get(s);
    if (paths === undefined) {
      const { lb } = this.options;
      paths = lb
        ? { to: this.network.path(lb.host, s.host), back: this.network.path(s.host, this.host, lb.host) }
        : { to: this.network.path(this.host, s.host), back: this.network.path(s.host, this.host) };
      this.serverPaths.set(s, paths);
    }
    return paths;
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
    this.toServer(full, reqCtx, (s, at) => {
      if (closed) return;
      server = s;
      establishing.settle();
      serverHandle = s.watch(full, at, new WatchStream(this.pathsOf(s).back, (type, object, evCtx) => {
        if (!closed) onEvent({ type, object }, evCtx);
      }, (reason) => close(reason)));
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
      const res = refusedResponse(s, req);
      const refusedAt = this.noteRefused(s, req, at);
      back(() => unavailable(res, refusedAt));
    };
    if (!lb) {
      this.network.send(this.host, server!.host, () => reach(server!, ctx, (fn) => this.network.send(server!.host, this.host, fn)));
      return;
    }
    this.network.send(this.host, lb.host, () => {
      const picked = lb.pick(ctx, () => `${httpMethod(req.verb)} ${requestPath(req)}`, this.name);
      if (!picked) {
        const res = noServerResponse();
        const at = this.noServerAtLb(req, res, ctx);
        this.network.send(lb.host, this.host, () => unavailable(res, at));
        return;
      }
      const s = picked.server;
      this.network.send(lb.host, s.host, () => reach(s, picked.ctx, (fn) => this.network.sendVia(s.host, lb.host, this.host, fn)));
    });
  }

  /** Log that `s` refused the connection (its process is not running); returns the context of the note. */
  private noteRefused(s: ApiServer, req: ApiRequest, at: TraceContext): TraceContext {
    const entry = this.log.append({
      t: this.clock.now(), traceId: at.traceId, parentId: at.parentId, from: s.name, to: this.name, kind: 'note',
      objectRef: refOf(req), summary: `connection refused: ${s.name} is not running`, detail: { code: 503 },
    });
    return { traceId: at.traceId, parentId: entry.seq };
  }

  /** Log the load balancer's 503 when no API server is in rotation; returns the context of the response entry. */
  private noServerAtLb(req: ApiRequest, res: ApiResponse, ctx: TraceContext): TraceContext {
    const entry = this.log.append({
      t: this.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.options.lb!.name, to: this.name, kind: 'response',
      objectRef: refOf(req), summary: '503 Service Unavailable: no API server in rotation', detail: { code: 503, verb: req.verb, body: res.body },
    });
    return { traceId: ctx.traceId, parentId: entry.seq };
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

  /** Log the request (only its seq when nobody records: no entry, and no closure to build one lazily). */
  private logRequest(req: ApiRequest, ctx: TraceContext): TraceContext {
    const seq = this.log.recording ? this.log.append(this.requestEntry(req, ctx)).seq : this.log.takeSeq();
    return { traceId: ctx.traceId, parentId: seq };
  }

  private requestEntry(req: ApiRequest, ctx: TraceContext): Omit<LogEntry, 'seq'> {
    const path = requestPath(req);
    return {
      t: this.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from: this.name, to: this.target, kind: 'request',
      objectRef: refOf(req), summary: `${httpMethod(req.verb)} ${path}`,
      detail: { verb: req.verb, path, body: req.body, query: req.query, patchType: req.patchType },
    };
  }

  private timeoutResponse(req: ApiRequest): ApiResponse {
    const url = `https://${this.options.lb ? 'lb' : this.options.server!.host}:6443${requestPath(req)}`;
    const method = httpMethod(req.verb);
    const message = `${method[0]}${method.slice(1).toLowerCase()} "${url}": net/http: request canceled (Client.Timeout exceeded while awaiting headers)`;
    return { code: 504, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 504, reason: 'Timeout', message } };
  }
}

/**
 * One request's round trip (client → [load balancer →] API server → back) as one object. It is the
 * request's deadline, and the network message of every hop (one message of a request is in flight at
 * a time; `hop` says where it goes): thousands of requests are in flight at once and live through
 * scavenges, and each used to keep a closure per hop and callback alive instead.
 */
class Call extends DeadlineEntry implements NetworkMessage, Responder {
  /** Where the message in flight is going: the load balancer, the API server, or back to the client. */
  hop: 'lb' | 'server' | 'back' = 'lb';
  /** The API server that gets the request. */
  server: ApiServer | undefined = undefined;
  /** The paths to that server and back. */
  paths: ServerPaths | undefined = undefined;
  /** The context the message in flight arrives with. */
  at: TraceContext;
  /** The answer on its way back. */
  res: ApiResponse | undefined = undefined;

  constructor(private readonly client: SimClient, readonly req: ApiRequest, readonly reqCtx: TraceContext, readonly done: ResponseCallback) {
    super();
    this.at = reqCtx;
  }

  toServer(server: ApiServer, paths: ServerPaths, at: TraceContext): void {
    this.hop = 'server';
    this.server = server;
    this.paths = paths;
    this.at = at;
  }

  back(res: ApiResponse, at: TraceContext): void {
    this.hop = 'back';
    this.res = res;
    this.at = at;
  }

  /** How the API server answers. */
  respond(res: ApiResponse, at: TraceContext): void {
    this.client.answered(this, res, at);
  }

  arrive(): void {
    this.client.arrived(this);
  }

  /** A lost message is noticed by the deadline only, as a real client would. */
  lost(): void {}

  expire(): void {
    this.client.expired(this);
  }
}

/** Watch events in flight a stream has room for before its queue grows (most streams carry one at a time). */
const STREAM_INITIAL_EVENTS = 2;

/**
 * One watch's stream of events from the API server back to the client: the server's sink, and the
 * network message of every event. Watch events are the most frequent deliveries (each pod change fans
 * out to several informers); instead of a closure per event, the stream queues the events in flight
 * and sends itself. All of a stream's messages travel on one FIFO channel, so they arrive (or are
 * lost on arrival) in the order sent: each arrival takes the oldest queued event.
 */
class WatchStream implements WatchSink, NetworkMessage {
  /** Events in flight, oldest at `head`: type, object and context in three consecutive slots (a ring). */
  private ring: unknown[] | undefined = undefined;
  private head = 0;
  private count = 0;

  constructor(
    /** From the API server back to the client. */
    private readonly back: Path,
    private readonly onEvent: (type: WatchEventType, object: KubeObject, ctx: TraceContext) => void,
    private readonly onClose: (reason: Status) => void,
  ) {}

  event(type: WatchEventType, object: KubeObject, ctx: TraceContext): void {
    if (this.back.send(this)) this.push(type, object, ctx);
  }

  close(reason: Status): void {
    this.back.send(() => this.onClose(reason));
  }

  arrive(): void {
    const ring = this.ring!;
    const i = this.head;
    const type = ring[i] as WatchEventType;
    const object = ring[i + 1] as KubeObject;
    const ctx = ring[i + 2] as TraceContext;
    this.shift();
    this.onEvent(type, object, ctx);
  }

  lost(): void {
    this.shift();
  }

  private push(type: WatchEventType, object: KubeObject, ctx: TraceContext): void {
    let ring = this.ring;
    if (ring === undefined || this.count * 3 === ring.length) ring = this.grow();
    let i = this.head + this.count * 3;
    if (i >= ring.length) i -= ring.length;
    ring[i] = type;
    ring[i + 1] = object;
    ring[i + 2] = ctx;
    this.count++;
  }

  /** Drop the oldest event (its slots emptied: the ring keeps no delivered object alive). */
  private shift(): void {
    const ring = this.ring!;
    const i = this.head;
    ring[i] = ring[i + 1] = ring[i + 2] = undefined;
    this.head = i + 3 === ring.length ? 0 : i + 3;
    this.count--;
  }

  /** A ring twice as large (or the first one), with the events in flight in order from slot 0. */
  private grow(): unknown[] {
    const old = this.ring;
    const ring: unknown[] = new Array<unknown>(old === undefined ? STREAM_INITIAL_EVENTS * 3 : old.length * 2).fill(undefined);
    if (old !== undefined) {
      for (let k = 0, i = this.head; k < this.count * 3; k++) {
        ring[k] = old[i];
        if (++i === old.length) i = 0;
      }
    }
    this.ring = ring;
    this.head = 0;
    return ring;
  }
}

/** The load balancer's answer when no API server is in rotation. */
function noServerResponse(): ApiResponse {
  return {
    code: 503,
    body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 503, reason: 'ServiceUnavailable', message: 'No server is available to handle this request.' },
  };
}

/** What a client sees when the API server's process is not running: the connection is refused. */
function refusedResponse(s: ApiServer, req: ApiRequest): ApiResponse {
  const url = `https://${s.host}:6443${requestPath(req)}`;
  const method = httpMethod(req.verb);
  const message = `${method[0]}${method.slice(1).toLowerCase()} "${url}": dial tcp ${s.host}:6443: connect: connection refused`;
  return { code: 503, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 503, reason: 'ServiceUnavailable', message } };
}

function refOf(req: Pick<ApiRequest, 'resource' | 'namespace' | 'name' | 'subresource' | 'body' | 'nonResourcePath'>): ObjectRef | undefined {
  if (req.nonResourcePath !== undefined) return undefined;
  const body = req.body as { metadata?: { name?: string; generateName?: string } } | undefined;
  const ref: ObjectRef = { resource: req.resource, name: req.name ?? body?.metadata?.name ?? body?.metadata?.generateName ?? '' };
  if (req.namespace) ref.namespace = req.namespace;
  if (req.subresource) ref.subresource = req.subresource;
  return ref;
}
