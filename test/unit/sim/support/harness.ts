/** Test helpers: run a request or a watch against a cluster, stepping the virtual clock until it answers. */
import type { ApiClient, ApiRequest, ApiResponse, Status, WatchEvent } from '../../../../src/sim/api/request';
import type { KubeObject } from '../../../../src/sim/api/types';
import { Cluster, type ClusterOptions } from '../../../../src/sim/cluster';
import type { TraceContext } from '../../../../src/sim/log';

export function bootCluster(options: ClusterOptions = {}): Cluster {
  const cluster = new Cluster({ seed: 42, ...options });
  cluster.start();
  return cluster;
}

export interface Answer extends ApiResponse {
  ctx: TraceContext;
  traceId: string;
}

export function call(cluster: Cluster, req: Omit<ApiRequest, 'client'>, client: ApiClient = cluster.client(), maxMs = 30_000): Answer {
  let out: Answer | undefined;
  const traceId = cluster.log.newTraceId();
  client.request(req, { traceId }, (res, ctx) => (out = { ...res, ctx, traceId }));
  cluster.clock.runUntilCondition(() => out !== undefined, maxMs);
  if (!out) throw new Error(`no answer to ${req.verb} ${req.resource} within ${maxMs} ms`);
  return out;
}

export function message(res: ApiResponse): string {
  return (res.body as Status).message;
}

export function pod(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] }, ...extra };
}

export function createPod(cluster: Cluster, name: string, namespace = 'default'): KubeObject {
  const res = call(cluster, { verb: 'create', apiVersion: 'v1', resource: 'pods', namespace, body: pod(name) });
  if (res.code !== 201) throw new Error(`create ${name}: ${res.code} ${message(res)}`);
  return res.body as KubeObject;
}

export interface Recorded {
  events: { type: string; name: string; rv: string; ctx: TraceContext }[];
  closed?: Status;
  stop(): void;
}

export function record(cluster: Cluster, req: Omit<ApiRequest, 'client' | 'verb'>, client: ApiClient = cluster.client('watcher')): Recorded {
  const rec: Recorded = { events: [], stop: () => undefined };
  const handle = client.watch(req, { traceId: cluster.log.newTraceId() }, (e: WatchEvent, ctx) => {
    const obj = e.object as KubeObject;
    rec.events.push({ type: e.type, name: obj.metadata.name ?? '', rv: obj.metadata.resourceVersion ?? '', ctx });
  }, (s) => (rec.closed = s));
  rec.stop = () => handle.stop();
  return rec;
}
