/**
 * `pods/exec` at the API server, as upstream serves kubectl's WebSocket request since 1.30: the checks of
 * ExecLocation (the pod, its container, its node) answer before any upgrade; then the connection is
 * upgraded (101) and the API server dials the node's kubelet (https://<node IP>:10250/exec/…) and streams
 * between the two (upstream's StreamTranslatorHandler, WebSocket to the client, SPDY to the kubelet). What
 * happens past the upgrade — the kubelet unreachable, the container not running, the command's exit code,
 * an exec the runtime could not start — reaches the client as the Status on the error channel, worded as
 * the translator words it. Data between the kubelet and the API server crosses the simulated network.
 */
import type { ChannelStatus, ExecClient, ExecRequestOptions, ExecStream } from '../api/exec';
import type { ApiResponse } from '../api/request';
import type { Pod } from '../api/types';
import type { Clock } from '../clock';
import type { PodExecProvider } from '../kubelet/exec';
import type { EventLog, TraceContext } from '../log';
import type { Network } from '../network';
import type { ExecEnd } from '../runtime/exec';
import type { ExecHandle } from '../runtime/runtime';
import { status } from './status';

/** The kubelet's port (upstream's default --port). */
export const KUBELET_PORT = 10250;
/** kube-apiserver dials kubelets with a 30 s timeout. */
export const KUBELET_DIAL_TIMEOUT_MS = 30_000;

/** Which container an exec targets, or the API server's 400 (upstream streamLocation). */
export function execContainer(pod: Pod, requested: string | undefined): { container: string } | { error: ApiResponse } {
  const name = pod.metadata.name ?? '';
  const containers = pod.spec.containers ?? [];
  let container = requested;
  if (!container) {
    if (containers.length === 1) container = containers[0].name;
    else if (containers.length === 0) return { error: status(400, 'BadRequest', `a container name must be specified for pod ${name}`) };
    else {
      const inits = (pod.spec.initContainers ?? []).map((c) => c.name);
      let message = `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`;
      if (inits.length > 0) message += ` or one of the init containers: [${inits.join(' ')}]`;
      return { error: status(400, 'BadRequest', message) };
    }
  }
  const all = [...containers, ...(pod.spec.initContainers ?? []), ...((pod.spec as { ephemeralContainers?: { name: string }[] }).ephemeralContainers ?? [])];
  if (!all.some((c) => c.name === container)) return { error: status(400, 'BadRequest', `container ${container} is not valid for pod ${name}`) };
  if (!pod.spec.nodeName) return { error: status(400, 'BadRequest', `pod ${name} does not have a host assigned`) };
  return { container };
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The URL the API server dials: the streaming parameters as the kubelet reads them, sorted as url.Values encodes them. */
export function kubeletExecUrl(address: string, namespace: string, pod: string, container: string, o: ExecRequestOptions): string {
  const params = o.command.map((c) => `command=${queryEscape(c)}`);
  if (o.stderr) params.push('error=1');
  if (o.stdin) params.push('input=1');
  if (o.stdout) params.push('output=1');
  if (o.tty) params.push('tty=1');
  return `https://${address}:${KUBELET_PORT}/exec/${namespace}/${pod}/${container}${params.length ? `?${params.join('&')}` : ''}`;
}

/** upstream apierrors.NewInternalError(err), as the translator writes it on the error channel. */
export function internalErrorStatus(err: string): ChannelStatus {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${err}`, reason: 'InternalError', details: { causes: [{ message: err }] }, code: 500 };
}

/**
 * The Status that ends an exec, from how the process ended at the node: Success; a non-zero exit code as
 * the translator's codeExitToStatusError (its SPDY client read the kubelet's "command terminated with exit
 * code N"); or the runtime's error, which the translator gets as a plain error and wraps once more.
 */
export function endStatus(end: ExecEnd): ChannelStatus {
  if ('error' in end) return internalErrorStatus(end.error);
  if (end.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command terminated with exit code ${end.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(end.exitCode) }] },
  };
}

export interface ExecSessionEnv {
  clock: Clock;
  log: EventLog;
  network: Network;
  /** The API server's host and log name. */
  host: string;
  name: string;
  /** The client's name (the log's `to` for the session's end). */
  client: string;
}

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  node: string;
  /** The node's address the kubelet is dialled at (its InternalIP). */
  address: string;
  options: ExecRequestOptions;
  /** The node's kubelet, if its process runs. */
  kubelet: PodExecProvider | undefined;
}

/** One exec session at the API server: the client's stream on one side, the kubelet's on the other. */
export class ApiExecSession implements ExecStream {
  private client: ExecClient | undefined;
  private early: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  private final: ChannelStatus | undefined;
  private over = false;
  private handle: ExecHandle | undefined;
  /** Stdin and signals sent before the kubelet's stream is up. */
  private queued: ((h: ExecHandle) => void)[] = [];

  constructor(private readonly env: ExecSessionEnv, private readonly target: ExecTarget) {}

  /** Dial the kubelet (after the 101 has gone to the client). */
  start(ctx: TraceContext): void {
    const { env, target } = this;
    const url = kubeletExecUrl(target.address, target.namespace, target.pod, target.container, target.options);
    const kubeletName = `kubelet@${target.node}`;
    const reqSeq = this.logEntry(ctx, env.name, kubeletName, 'request', `POST ${url}`, { url, verb: 'create', subresource: 'exec' });
    const dialFailed = (why: string) => this.finish(internalErrorStatus(`error sending request: Post "${url}": dial tcp ${target.address}:${KUBELET_PORT}: ${why}`), { traceId: ctx.traceId, parentId: reqSeq });
    if (!env.network.canReach(env.host, target.node)) {
      env.clock.schedule(KUBELET_DIAL_TIMEOUT_MS, () => dialFailed('i/o timeout'), 'apiserver kubelet dial');
      return;
    }
    const kubelet = target.kubelet;
    if (!kubelet) {
      // Nothing listens on the port: the machine answers the SYN with a reset.
      env.network.send(env.host, target.node, () => env.network.send(target.node, env.host, () => dialFailed('connect: connection refused')));
      return;
    }
    env.network.send(env.host, target.node, () => {
      if (this.over) return;
      const streams = {
        write: (stream: 'stdout' | 'stderr', text: string) => {
          env.network.send(target.node, env.host, () => this.deliver(stream, text));
        },
        end: (result: ExecEnd) => {
          env.network.send(target.node, env.host, () => this.finish(endStatus(result), { traceId: ctx.traceId, parentId: reqSeq }, result));
        },
      };
      kubelet.exec(target.namespace, target.pod, target.container, target.options, streams, { traceId: ctx.traceId, parentId: reqSeq }, (r, c) => {
        const summary = r.ok ? '101 Switching Protocols' : `${r.code} ${r.code === 404 ? 'Not Found' : r.code === 400 ? 'Bad Request' : 'Internal Server Error'}: ${r.message}`;
        const seq = this.logEntry(c, kubeletName, env.name, 'response', summary, { code: r.ok ? 101 : r.code });
        env.network.send(target.node, env.host, () => {
          if (!r.ok) return this.finish(internalErrorStatus(`unable to upgrade connection: ${r.message}`), { traceId: ctx.traceId, parentId: seq });
          if (this.over) return r.handle.process.kill();
          this.handle = r.handle;
          const queued = this.queued;
          this.queued = [];
          for (const fn of queued) fn(r.handle);
        });
      });
    });
  }

  attach(client: ExecClient): void {
    this.client = client;
    for (const { stream, text } of this.early) client.output(stream, text);
    this.early = [];
    if (this.final) client.end(this.final);
  }

  stdin(data: string): void {
    this.toProcess((h) => h.process.input(data));
  }

  closeStdin(): void {
    this.toProcess((h) => h.process.closeStdin());
  }

  resize(): void {
    // The simulated terminal has no size: resize messages are read and ignored.
  }

  cancel(): void {
    if (this.over) return;
    this.over = true;
    this.client = undefined;
    const h = this.handle;
    if (h) this.env.network.send(this.env.host, this.target.node, () => h.process.kill());
  }

  private toProcess(fn: (h: ExecHandle) => void): void {
    if (this.over) return;
    const h = this.handle;
    if (!h) {
      this.queued.push(fn);
      return;
    }
    this.env.network.send(this.env.host, this.target.node, () => fn(h));
  }

  private deliver(stream: 'stdout' | 'stderr', text: string): void {
    if (this.over) return;
    if (this.client) this.client.output(stream, text);
    else this.early.push({ stream, text });
  }

  private finish(final: ChannelStatus, ctx: TraceContext, end?: ExecEnd): void {
    if (this.over) return;
    this.over = true;
    const summary = end && 'exitCode' in end ? `exec ended: exit code ${end.exitCode}` : `exec ended: ${final.message ?? final.status}`;
    this.logEntry(ctx, this.env.name, this.env.client, 'note', summary, { status: final });
    if (this.client) this.client.end(final);
    else this.final = final;
  }

  private logEntry(ctx: TraceContext, from: string, to: string, kind: 'request' | 'response' | 'note', summary: string, detail: Record<string, unknown>): number {
    const log = this.env.log;
    if (!log.recording) return log.takeSeq();
    return log.append({
      t: this.env.clock.now(), traceId: ctx.traceId, parentId: ctx.parentId, from, to, kind,
      objectRef: { resource: 'pods', namespace: this.target.namespace, name: this.target.pod },
      summary, detail,
    }).seq;
  }
}
