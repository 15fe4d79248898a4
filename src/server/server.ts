/**
 * The Kubernetes HTTP API of the lab, on 127.0.0.1: real kubectl (and any client library) talks to the
 * simulated cluster. Every resource request becomes an ApiRequest sent through the simulation's load
 * balancer as the client named by the User-Agent ("kubectl"), so it shows in the event log hop by hop;
 * the HTTP response is written when the simulated response arrives, in virtual time driven by the
 * RealtimeDriver.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { WebSocketServer } from 'ws';
import type { ApiRequest, ApiResponse, ListObject, Status, WatchEvent } from '../sim/api/request';
import type { KubeObject } from '../sim/api/types';
import type { TraceContext } from '../sim/log';
import type { RealtimeDriver } from '../sim/realtime';
import { serverSideApply } from './apply';
import { apiVersions, groupInfo, groupList, resourceList, versionInfo } from './discovery';
import { checkHost, checkOrigin, checkToken } from './guard';
import { healthRequest, writeHealth, type HealthRoute } from './health';
import { MAX_BODY_BYTES, negotiate, readBody, statusBody, warningHeaders, writeJson, writeStatus, type Negotiated } from './http-io';
import { writeKubeconfig } from './kubeconfig';
import { handleLabRoute } from './lab-routes';
import type { LabCluster, LabFaults } from './lab-cluster';
import { followLogs } from './logs';
import { bridgeExec, chooseProtocol, EXEC_PROTOCOLS, execFlags, offeredProtocols, refuseUpgrade, refuseWithStatus } from './exec';
import { PROTOBUF, decodeDeleteOptions, decodeKubernetesProtobuf } from './protobuf';
import { selfSignedCertificate, type ServerCertificate } from './tls';
import { OpenApiV3, type KindSchemas } from './openapi';
import { printerFor, toTable, type IncludeObject } from './printers';
import { answerReview, type ReviewEndpoint } from './reviews';
import { foldDeleteOptions, patchTypeOf, route, type ResourceRequest } from './routes';

export interface LabServerOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Only loopback is allowed. */
  host?: '127.0.0.1';
  /** Where to write the kubeconfig (mode 0600); nothing is written when absent. */
  kubeconfigPath?: string;
  /** Bearer token; a random one by default. */
  token?: string;
  /** Drives the cluster's clock in real time; requests enter the simulation through it. */
  driver?: RealtimeDriver;
  /** The fault API for /lab/v1/faults (defaults to cluster.faults). */
  faults?: LabFaults;
  /** Kind schemas for the OpenAPI document (`kubectl explain`); see loadKindSchemas(). */
  schemas?: KindSchemas;
  /** Request body limit in bytes (default 3 MiB, as kube-apiserver). */
  maxBodyBytes?: number;
  /** TLS key and certificate (default: a fresh self-signed one; kubectl sends tokens only over TLS). */
  certificate?: ServerCertificate;
}

export interface LabServer {
  readonly port: number;
  /** https://127.0.0.1:PORT */
  readonly url: string;
  readonly token: string;
  /** PEM certificate of the server: the certificate authority clients must trust (it is in the kubeconfig). */
  readonly certificate: string;
  readonly kubeconfigPath: string | undefined;
  /** Requests served so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** At most this many distinct client names get their own simulated client; others share one. */
const MAX_CLIENT_NAMES = 32;
const FALLBACK_CLIENT = 'http-client';

/** "kubectl" from "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07". */
export function clientName(userAgent: string | undefined): string {
  const first = (userAgent ?? '').split('/')[0].trim();
  const clean = first.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40);
  return clean || FALLBACK_CLIENT;
}

export function startLabServer(cluster: LabCluster, options: LabServerOptions = {}): Promise<LabServer> {
  if (options.host !== undefined && options.host !== '127.0.0.1') {
    return Promise.reject(new Error(`the lab's API listens on 127.0.0.1 only, not ${String(options.host)}`));
  }
  const instance = new LabHttpServer(cluster, options);
  return instance.listen(options.port ?? 0);
}

class LabHttpServer {
  private readonly server: Server;
  private readonly token: string;
  private readonly tls: ServerCertificate;
  private readonly maxBody: number;
  private readonly openapi: OpenApiV3;
  private readonly clients = new Map<string, ReturnType<LabCluster['client']>>();
  private readonly sockets = new Set<Socket>();
  /** WebSocket handshakes and framing for pods/exec (no server of its own: upgrades are handed to it). */
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: MAX_BODY_BYTES,
    handleProtocols: (_offered, req) => (req as IncomingMessage & { execProtocol?: string }).execProtocol ?? false,
  });
  /** Cleanups of long-running responses (watches, followed logs, exec sessions). */
  private readonly streams = new Set<() => void>();
  private port = 0;
  private served = 0;
  private closed = false;

  constructor(private readonly cluster: LabCluster, private readonly options: LabServerOptions) {
    this.token = options.token ?? randomBytes(32).toString('base64url');
    this.maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.openapi = new OpenApiV3(options.schemas);
    this.tls = options.certificate ?? selfSignedCertificate();
    this.server = createServer({ keepAlive: true, key: this.tls.key, cert: this.tls.cert }, (req, res) => this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on('clientError', (err, socket) => {
      if (!socket.writable) return socket.destroy();
      const body = JSON.stringify(statusBody(400, 'BadRequest', `malformed HTTP request: ${(err as { code?: string }).code ?? err.message}`));
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
  }

  listen(port: number): Promise<LabServer> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        const url = `https://127.0.0.1:${this.port}`;
        const kubeconfigPath = this.options.kubeconfigPath;
        try {
          if (kubeconfigPath) writeKubeconfig(kubeconfigPath, url, this.token, this.tls.cert);
        } catch (err) {
          this.server.close();
          reject(err);
          return;
        }
        const served = () => this.served;
        resolve({
          port: this.port,
          url,
          token: this.token,
          certificate: this.tls.cert,
          kubeconfigPath,
          get requests() {
            return served();
          },
          close: () => this.close(),
        });
      });
    });
  }

  private close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const stop of [...this.streams]) stop();
    this.wss.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** Runs input into the simulation: through the driver (time up to date, driver woken) when there is one. */
  private simulate(fn: () => void): void {
    if (this.options.driver) this.options.driver.external(fn);
    else fn();
  }

  private clientFor(req: IncomingMessage) {
    let name = clientName(req.headers['user-agent']);
    if (!this.clients.has(name) && this.clients.size >= MAX_CLIENT_NAMES) name = FALLBACK_CLIENT;
    let client = this.clients.get(name);
    if (!client) {
      client = this.cluster.client(name);
      this.clients.set(name, client);
    }
    return client;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.served++;
    res.on('error', () => undefined);
    try {
      this.dispatch(req, res).catch((err: unknown) => this.internalError(res, err));
    } catch (err) {
      this.internalError(res, err);
    }
  }

  private internalError(res: ServerResponse, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (!res.headersSent) writeStatus(res, 500, 'InternalError', `an error on the server ("${message.slice(0, 200)}") has prevented the request from succeeding`);
    else res.destroy();
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const denied =
      checkHost(req.headers.host, this.port) ?? checkOrigin(req.headers.origin, this.port) ?? checkToken(req.headers.authorization, this.token);
    if (denied) {
      req.resume();
      writeStatus(res, denied.code, denied.reason, denied.message);
      return;
    }
    const method = req.method ?? 'GET';
    const target = route(method, req.url ?? '/');
    const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
    let body: Buffer | undefined;
    if (withBody) {
      const read = await readBody(req, this.maxBody);
      if (!read.ok) {
        writeStatus(res, read.code, read.reason, read.message, { Connection: 'close' });
        return;
      }
      body = read.body;
    } else {
      req.resume();
    }
    switch (target.type) {
      case 'error':
        return writeStatus(res, target.code, target.reason, target.message);
      case 'version':
        return writeJson(res, 200, versionInfo());
      case 'health':
        return this.health(req, res, target);
      case 'api-versions':
        return writeJson(res, 200, apiVersions(`127.0.0.1:${this.port}`));
      case 'api-groups':
        return writeJson(res, 200, groupList());
      case 'api-group':
        return this.writeFound(res, groupInfo(target.group), req.url ?? '');
      case 'resource-list':
        return this.writeFound(res, resourceList(target.apiVersion), req.url ?? '');
      case 'openapi-v3-root':
        return writeJson(res, 200, this.openapi.root());
      case 'openapi-v3': {
        const text = this.openapi.document(target.apiVersion);
        if (text === undefined) return writeStatus(res, 404, 'NotFound', `the server could not find the requested resource (${req.url})`);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, immutable', 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(method === 'HEAD' ? undefined : text);
        return;
      }
      case 'openapi-v2':
        return writeStatus(res, 404, 'NotFound', 'the server could not find the requested resource (OpenAPI v2 is not served; use /openapi/v3)');
      case 'lab':
        return handleLabRoute(method, target.path, body, res, this.options.faults ?? this.cluster.faults, (fn) => this.simulate(fn));
      case 'resource':
        return this.resource(req, res, target.request, body);
      case 'review':
        return this.review(req, res, target.endpoint, body);
    }
  }

  /** A health probe, asked of the API server the load balancer picks (health.ts). */
  private health(req: IncomingMessage, res: ServerResponse, route: HealthRoute): void {
    const client = this.clientFor(req);
    const ctx: TraceContext = { traceId: this.cluster.log.newTraceId() };
    this.simulate(() => client.request(healthRequest(route), ctx, (response) => writeHealth(res, response)));
  }

  /** A SelfSubject*Review, answered for the lab's user (reviews.ts). */
  private review(req: IncomingMessage, res: ServerResponse, endpoint: ReviewEndpoint, body: Buffer | undefined): void {
    if (body === undefined || body.length === 0) return writeStatus(res, 400, 'BadRequest', 'the body of the request was empty');
    const decoded = decodeObject(req.headers['content-type'], body);
    if (!decoded.ok) return writeStatus(res, decoded.code, decoded.reason, decoded.message);
    const answer = answerReview(endpoint, decoded.value, this.cluster.clock.iso());
    writeJson(res, answer.code, answer.body);
  }

  private writeFound(res: ServerResponse, body: unknown, url: string): void {
    if (body === undefined) writeStatus(res, 404, 'NotFound', `the server could not find the requested resource (${url})`);
    else writeJson(res, 200, body);
  }

  /**
   * An upgrade request: pods/exec over WebSockets (exec.ts), after the same guards as every request. The
   * simulated API server answers first — an error is written as the HTTP answer, a session (101) becomes the
   * WebSocket connection. SPDY upgrades get the simulation's errors too, but no session.
   */
  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.served++;
    socket.on('error', () => undefined);
    const denied = checkHost(req.headers.host, this.port) ?? checkOrigin(req.headers.origin, this.port) ?? checkToken(req.headers.authorization, this.token);
    if (denied) return refuseWithStatus(socket, denied.code, denied.reason, denied.message);
    const target = route(req.method ?? 'GET', req.url ?? '/');
    if (target.type === 'error') return refuseWithStatus(socket, target.code, target.reason, target.message);
    if (target.type !== 'resource' || target.request.subresource !== 'exec') {
      return refuseWithStatus(socket, 400, 'BadRequest', `the lab's API upgrades connections only for pods/exec, not ${(req.url ?? '').split('?')[0]}`);
    }
    const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    let protocol: string | undefined;
    if (websocket) {
      const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
      protocol = chooseProtocol(offered);
      if (!protocol) return refuseWithStatus(socket, 400, 'BadRequest', `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${EXEC_PROTOCOLS.join(' ')}]`);
    }
    const r = target.request;
    const flags = execFlags(new URL(req.url ?? '/', 'http://lab.invalid'));
    const apiReq: Omit<ApiRequest, 'client'> = {
      verb: r.verb, apiVersion: r.apiVersion, resource: r.resource, namespace: r.namespace, name: r.name, subresource: 'exec', query: { ...r.query, ...flags },
    };
    const client = this.clientFor(req);
    const ctx: TraceContext = { traceId: this.cluster.log.newTraceId() };
    let gone = false;
    socket.once('close', () => (gone = true));
    this.simulate(() =>
      client.request(apiReq, ctx, (response) => {
        const stream = response.stream;
        if (response.code !== 101 || !stream) {
          const body = typeof response.body === 'object' && (response.body as Status).kind === 'Status' ? (response.body as Status) : undefined;
          if (body) refuseUpgrade(socket, response.code, body);
          else refuseWithStatus(socket, response.code >= 400 ? response.code : 500, 'InternalError', String(response.body));
          return;
        }
        if (gone || !websocket || protocol === undefined) {
          stream.cancel();
          if (!gone) {
            refuseWithStatus(socket, 400, 'BadRequest', `the lab serves pods/exec over WebSockets only (${EXEC_PROTOCOLS.join(', ')}), not ${req.headers.upgrade ?? 'a plain request'}: use kubectl 1.31 or later, without KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`);
          }
          return;
        }
        const stop = bridgeExec(this.wss, req, socket, head, protocol, stream, (fn) => this.simulate(fn), () => this.streams.delete(stop));
        this.streams.add(stop);
      }),
    );
  }

  private resource(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, body: Buffer | undefined): void {
    if (r.subresource === 'exec') return writeStatus(res, 400, 'BadRequest', 'Upgrade request required');
    const readsObjects = r.verb === 'get' || r.verb === 'list' || r.verb === 'watch';
    const isLog = r.subresource === 'log';
    const negotiated = isLog ? ({ kind: 'json' } as Negotiated) : negotiate(req.headers.accept, readsObjects && !r.subresource);
    if (negotiated.kind === 'none') {
      return writeStatus(res, 406, 'NotAcceptable', 'only the following media types are accepted: application/json');
    }
    const apiReq: Omit<ApiRequest, 'client'> = {
      verb: r.verb,
      apiVersion: r.apiVersion,
      resource: r.resource,
      namespace: r.namespace,
      name: r.name,
      subresource: r.subresource,
      query: r.query,
    };
    const contentType = req.headers['content-type'];
    if (body !== undefined && body.length > 0) {
      if (r.verb === 'delete' || r.verb === 'deletecollection') {
        const parsed = (contentType ?? '').startsWith(PROTOBUF) ? parseProtobufDeleteOptions(body) : parseJson(body);
        if (!parsed.ok) return writeStatus(res, 400, 'BadRequest', `error decoding DeleteOptions: ${parsed.error}`);
        const problem = foldDeleteOptions(r.query, parsed.value);
        if (problem) return writeStatus(res, 400, 'BadRequest', problem);
      } else if (r.verb === 'patch') {
        const patchType = patchTypeOf(contentType);
        if (!patchType) {
          return writeStatus(res, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
        }
        const parsed = patchType === 'application/apply-patch+yaml' ? parseYamlBody(body) : parseJson(body);
        if (!parsed.ok) return writeStatus(res, 400, 'BadRequest', `error decoding patch: ${parsed.error}`);
        apiReq.patchType = patchType;
        apiReq.body = parsed.value;
      } else {
        const decoded = decodeObject(contentType, body);
        if (!decoded.ok) return writeStatus(res, decoded.code, decoded.reason, decoded.message);
        apiReq.body = decoded.value;
      }
    } else if (r.verb === 'create' || r.verb === 'update' || r.verb === 'patch') {
      return writeStatus(res, 400, 'BadRequest', 'the body of the request was empty');
    }

    const client = this.clientFor(req);
    const ctx: TraceContext = { traceId: this.cluster.log.newTraceId() };
    if (r.verb === 'watch') return this.watch(res, r, apiReq, negotiated, client, ctx);
    if (isLog && r.query.follow) {
      this.stream(res, (onEnd) => followLogs(client, apiReq, ctx, res, (fn) => this.simulate(fn), onEnd));
      return;
    }
    const reply = (response: ApiResponse) => this.reply(res, r, negotiated, response);
    if (apiReq.patchType === 'application/apply-patch+yaml') {
      this.simulate(() => serverSideApply(client, r.served.def, apiReq, ctx, reply, () => this.cluster.clock.iso()));
      return;
    }
    this.simulate(() => client.request(apiReq, ctx, reply));
  }

  private reply(res: ServerResponse, r: ResourceRequest, negotiated: Negotiated, response: ApiResponse): void {
    const headers = warningHeaders(response.warnings);
    if (typeof response.body === 'string') {
      if (res.headersSent || res.writableEnded) return;
      res.writeHead(response.code, { 'Content-Type': 'text/plain', ...headers });
      res.end(response.body);
      return;
    }
    let body: unknown = response.body;
    if (negotiated.kind === 'table' && response.code === 200 && isObjectOrList(body)) {
      const now = this.cluster.clock.wallMs();
      const list = body as Partial<ListObject>;
      const items = Array.isArray(list.items) ? (list.items as KubeObject[]) : [body as KubeObject];
      const metadata = Array.isArray(list.items) ? { ...list.metadata } : { resourceVersion: (body as KubeObject).metadata?.resourceVersion };
      const table = toTable(printerFor(r.resource), items, now, includeOf(r), metadata as { resourceVersion?: string });
      table.apiVersion = negotiated.apiVersion as 'meta.k8s.io/v1';
      body = table;
    }
    writeJson(res, response.code, body, headers);
  }

  /** Tracks a long-running response so close() can end it; `start` returns its cleanup. */
  private stream(res: ServerResponse, start: (onEnd: () => void) => () => void): void {
    const state: { stop?: () => void; done: boolean } = { done: false };
    const end = () => {
      if (state.done) return;
      state.done = true;
      this.streams.delete(end);
      state.stop?.();
      if (!res.writableEnded) res.end();
    };
    this.streams.add(end);
    // The response closes when the client goes away (the request's own 'close' only means its body was read).
    res.on('close', end);
    const stop = start(end);
    if (state.done) stop();
    else state.stop = stop;
  }

  private watch(
    res: ServerResponse,
    r: ResourceRequest,
    apiReq: Omit<ApiRequest, 'client'>,
    negotiated: Negotiated,
    client: ReturnType<LabCluster['client']>,
    ctx: TraceContext,
  ): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const printer = negotiated.kind === 'table' ? printerFor(r.resource) : undefined;
    let columnsSent = false;
    const encode = (event: WatchEvent): string => {
      let object: unknown = event.object;
      if (printer && negotiated.kind === 'table' && event.type !== 'ERROR' && event.type !== 'BOOKMARK' && isObjectOrList(object)) {
        const obj = object as KubeObject;
        const table = toTable(printer, [obj], this.cluster.clock.wallMs(), includeOf(r), { resourceVersion: obj.metadata?.resourceVersion }, !columnsSent);
        table.apiVersion = negotiated.apiVersion as 'meta.k8s.io/v1';
        columnsSent = true;
        object = table;
      }
      return JSON.stringify({ type: event.type, object }) + '\n';
    };
    this.stream(res, (onEnd) => {
      let handle: { stop(): void } | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.simulate(() => {
        handle = client.watch(
          apiReq,
          ctx,
          (event) => {
            if (!res.writableEnded) res.write(encode(event));
          },
          (reason) => {
            if (!res.writableEnded && reason && reason.code !== 200) res.write(encode({ type: 'ERROR', object: reason }));
            handle = undefined;
            onEnd();
          },
        );
      });
      if (r.timeoutSeconds) timer = setTimeout(onEnd, r.timeoutSeconds * 1000);
      return () => {
        if (timer) clearTimeout(timer);
        const h = handle;
        handle = undefined;
        if (h) this.simulate(() => h.stop());
      };
    });
  }
}

function includeOf(r: ResourceRequest): IncludeObject {
  return r.includeObject ?? 'Metadata';
}

function isObjectOrList(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind !== 'Status';
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

type Decoded = { ok: true; value: Record<string, unknown> } | { ok: false; code: 400 | 415; reason: string; message: string };

/** An object sent to create or update, as JSON, YAML or Kubernetes protobuf (by its Content-Type). */
function decodeObject(contentType: string | undefined, body: Buffer): Decoded {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  let parsed: Parsed;
  if (type === 'application/json' || type === '') parsed = parseJson(body);
  else if (type === 'application/yaml') parsed = parseYamlBody(body);
  else if (type === PROTOBUF) parsed = parseProtobufObject(body);
  else {
    const message = `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF}`;
    return { ok: false, code: 415, reason: 'UnsupportedMediaType', message };
  }
  if (!parsed.ok) return { ok: false, code: 400, reason: 'BadRequest', message: `the body of the request could not be decoded: ${parsed.error}` };
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    return { ok: false, code: 400, reason: 'BadRequest', message: 'the body of the request must be a JSON object' };
  }
  return { ok: true, value: parsed.value as Record<string, unknown> };
}

function parseJson(body: Buffer): Parsed {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (err) {
    return { ok: false, error: (err as Error).message.slice(0, 200) };
  }
}

function parseProtobufDeleteOptions(body: Buffer): Parsed {
  return parseProtobuf(body, decodeDeleteOptions);
}

function parseProtobufObject(body: Buffer): Parsed {
  return parseProtobuf(body, decodeKubernetesProtobuf);
}

function parseProtobuf(body: Buffer, decode: (body: Buffer) => Record<string, unknown>): Parsed {
  try {
    return { ok: true, value: decode(body) };
  } catch (err) {
    return { ok: false, error: (err as Error).message.slice(0, 300) };
  }
}

function parseYamlBody(body: Buffer): Parsed {
  try {
    return { ok: true, value: parseYaml(body.toString('utf8'), { version: '1.1', maxAliasCount: 100 }) as unknown };
  } catch (err) {
    return { ok: false, error: (err as Error).message.split('\n')[0].slice(0, 200) };
  }
}
