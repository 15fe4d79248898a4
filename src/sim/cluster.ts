/**
 * The whole simulated cluster: machines on the network, etcd on every master, an API server per
 * master behind the load balancer, a kubelet on every node (masters register tainted), the scheduler,
 * and the bootstrap namespaces. Offers what the editor, the CLI and the HTTP server need: clients,
 * kubectl-apply semantics, an unlogged read view of committed state with change notifications, and
 * `settle` to run until pods stop changing.
 */
import type { Component, ComponentEnv } from './api/component';
import type { InformerOptions } from './api/informer';
import type { ApiClient, ApiResponse, Status } from './api/request';
import type { KubeObject, Pod, Quantity } from './api/types';
import { ApiServer, type PodLogSource } from './apiserver/apiserver';
import { deepClone, deepEqual, isPlainObject, stampResourceVersion } from './apiserver/objects';
import { etcdKey, resourceFor, resourceForKey, resourceForKind, RESOURCES, type ResourceDef } from './apiserver/resources';
import { SYSTEM_PRIORITY_CLASSES } from './apiserver/priority';
import { Clock } from './clock';
import { SimClient } from './client/client';
import { createInformer } from './client/informer';
import { EtcdCluster } from './etcd/raft';
import type { MvccEvent } from './etcd/mvcc';
import { Kubelet, type KubeletOptions, type NodeConfig } from './kubelet/kubelet';
import type { PodExecProvider } from './kubelet/exec';
import { podNetworkFor } from './proxy/pod-traffic';
import { LoadBalancer, LB_HOST } from './loadbalancer';
import { EventLog, type TraceContext } from './log';
import { Network } from './network';
import { Scheduler } from './scheduler/scheduler';

export const DEFAULT_ZONES = ['us-east-2a', 'us-east-2b', 'us-east-2c'] as const;
export const CLIENT_HOST = 'client';
export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-node-lease', 'kube-public'];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface NodeInput {
  name: string;
  zone?: string;
  capacity?: { cpu: Quantity; memory: Quantity; pods: Quantity };
  labels?: Record<string, string>;
}

export interface ClusterOptions {
  seed?: number;
  /**
   * Unix ms that virtual time 0 maps to in timestamps (default EPOCH_MS, 2026-01-01: deterministic).
   * A lab serving real kubectl passes the wall time at start, since kubectl computes some ages on its own clock.
   */
  epochMs?: number;
  /** Count (named master-1 ...) or explicit machines. Default 3. */
  masters?: number | NodeInput[];
  /** Count (named worker-1 ...) or explicit machines. Default 3. */
  workers?: number | NodeInput[];
  zones?: readonly string[];
  workerCapacity?: { cpu: Quantity; memory: Quantity; pods: Quantity };
  masterCapacity?: { cpu: Quantity; memory: Quantity; pods: Quantity };
  /** Keep at most this many log entries (default unbounded). */
  logCapacity?: number;
  /** Store log entries at all (false for benchmarks: they are numbered and streamed, not kept). */
  storeLog?: boolean;
  kubelet?: KubeletOptions;
  /** Start a kubelet on every node (default true). */
  kubelets?: boolean;
  /** etcd compaction interval (default 5 minutes, as kube-apiserver). */
  compactionIntervalMs?: number;
  /**
   * Control-plane components per master, each made with that master's environment (its local API
   * server). Default: kube-scheduler on every master, the one on the first master active (leader
   * election comes with the controller-manager). Replace the list to run others.
   */
  controlPlane?: ControlPlaneFactory[];
  /**
   * Components on every node besides the kubelet (kube-proxy), each made with that node's
   * environment (its client goes through the load balancer, as node components' do).
   */
  nodeComponents?: NodeComponentFactory[];
}

export type ControlPlaneFactory = (env: ComponentEnv, master: NodeConfig, index: number) => Component;
export type NodeComponentFactory = (env: ComponentEnv, node: NodeConfig) => Component;

/** kube-scheduler on every master; only the first one schedules. */
export const defaultScheduler: ControlPlaneFactory = (env, master, index) =>
  new Scheduler(env, { leader: () => index === 0, name: `kube-scheduler@${master.name}` });

/** A committed change, as the read view reports it (no log entries). */
export interface StateChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  object: KubeObject;
  revision: number;
}

export interface ApplyResult {
  /** "pod/web", "deployment.apps/web". */
  ref: string;
  action: 'created' | 'configured' | 'unchanged' | 'failed';
  traceId: string;
  object?: KubeObject;
  /** The API error, when failed. */
  error?: Status;
}

/** Read-only, unlogged access to committed state (what etcd has committed). */
export interface ClusterReader {
  get<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined;
  list<T extends KubeObject = KubeObject>(resource: string, namespace?: string): T[];
  revision(): number;
  subscribe(listener: (change: StateChange) => void): () => void;
}

export class Cluster {
  readonly clock: Clock;
  readonly log: EventLog;
  readonly network: Network;
  readonly etcd: EtcdCluster;
  readonly apiservers: ApiServer[];
  readonly lb: LoadBalancer;
  readonly masters: NodeConfig[];
  readonly workers: NodeConfig[];
  readonly kubelets = new Map<string, Kubelet>();
  /** Control-plane components by master name (scheduler, controllers ...). */
  readonly controlPlane = new Map<string, Component[]>();
  /** Node components (kube-proxy ...) by node name. */
  readonly nodeComponents = new Map<string, Component[]>();
  readonly read: ClusterReader;
  private readonly listeners = new Set<(change: StateChange) => void>();
  private committedRevision = 0;
  private lastPodChange = 0;
  private started = false;
  private readonly clients = new Map<string, SimClient>();

  constructor(private readonly options: ClusterOptions = {}) {
    this.clock = new Clock(options.seed ?? 1, options.epochMs);
    this.log = new EventLog({ capacity: options.logCapacity, store: options.storeLog ?? true });
    this.network = new Network(this.clock);
    const zones = options.zones ?? DEFAULT_ZONES;
    this.masters = nodeConfigs(options.masters ?? 3, 'master', zones, options.masterCapacity ?? { cpu: '2', memory: '4Gi', pods: '110' }, 'control-plane', 0);
    this.workers = nodeConfigs(options.workers ?? 3, 'worker', zones, options.workerCapacity ?? { cpu: '4', memory: '8Gi', pods: '110' }, 'worker', this.masters.length);
    for (const n of [...this.masters, ...this.workers]) this.network.addHost({ name: n.name, zone: n.zone });
    this.network.addHost({ name: LB_HOST });
    this.network.addHost({ name: CLIENT_HOST });
    this.etcd = new EtcdCluster({
      clock: this.clock, log: this.log, network: this.network, hosts: this.masters.map((m) => m.name),
      mvcc: { stamp: stampResourceVersion },
    });
    const podLogs = (node: string): PodLogSource | undefined => {
      const kubelet = this.kubelets.get(node);
      if (!kubelet || !kubelet.running) return undefined;
      return (namespace, pod, opts) => {
        const r = kubelet.logs(namespace, pod, opts.container, opts);
        return r.code === 200 && 'text' in r ? { ok: true, text: r.text } : { ok: false, code: r.code, message: 'message' in r ? r.message : '' };
      };
    };
    const podExec = (node: string): PodExecProvider | undefined => {
      const kubelet = this.kubelets.get(node);
      return kubelet?.running ? kubelet : undefined;
    };
    this.apiservers = this.masters.map((m) => new ApiServer({
      host: m.name, clock: this.clock, log: this.log, network: this.network, etcd: this.etcd, podLogs, podExec,
      compactionIntervalMs: options.compactionIntervalMs ?? 5 * 60_000,
    }));
    this.lb = new LoadBalancer({ clock: this.clock, log: this.log, network: this.network, backends: this.apiservers });
    this.read = this.createReader();
    for (const member of this.etcd.members) member.store.watch('/registry/', 0, (events) => this.onCommitted(events));
  }

  /** Every node (masters first). */
  get nodes(): NodeConfig[] {
    return [...this.masters, ...this.workers];
  }

  /**
   * Boot the control plane and the nodes, running the clock until etcd has a leader, the API servers
   * serve, the bootstrap namespaces exist and every node has registered.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.etcd.start();
    this.clock.runUntilCondition(() => this.etcd.leader() !== undefined, 30_000);
    for (const a of this.apiservers) a.start();
    this.lb.start();
    this.clock.runUntilCondition(() => this.apiservers.every((a) => a.ready), 30_000);
    this.createNamespaces();
    this.clock.runUntilCondition(() => BOOTSTRAP_NAMESPACES.every((ns) => this.read.get('namespaces', undefined, ns))
      && SYSTEM_PRIORITY_CLASSES.every((pc) => this.read.get('priorityclasses', undefined, pc.metadata.name!)), 30_000);
    if (this.options.kubelets ?? true) {
      // What curl and wget in `kubectl exec` reach: kube-proxy's rules, the pod network.
      const podNetwork = podNetworkFor(this);
      for (const node of this.nodes) {
        const kubelet = new Kubelet(this.env(node.name, `kubelet@${node.name}`, 'lb'), node, this.options.kubelet);
        kubelet.runtime.setPodNetwork(podNetwork);
        this.kubelets.set(node.name, kubelet);
        kubelet.start();
      }
    }
    for (const node of this.nodes) {
      const components = (this.options.nodeComponents ?? []).map((make) => {
        const env = this.env(node.name, `node@${node.name}`, 'lb');
        const component = make(env, node);
        (env.client as SimClient).rename(component.name);
        return component;
      });
      this.nodeComponents.set(node.name, components);
      for (const c of components) c.start();
    }
    this.masters.forEach((m, i) => {
      const components = (this.options.controlPlane ?? [defaultScheduler]).map((make) => {
        const env = this.env(m.name, `control-plane@${m.name}`, 'local');
        const component = make(env, m, i);
        (env.client as SimClient).rename(component.name);
        return component;
      });
      this.controlPlane.set(m.name, components);
      for (const c of components) c.start();
    });
    if (this.options.kubelets ?? true) {
      // Wait until every node has registered; resume the scan where it stopped (O(nodes) in all, not per step).
      const nodes = this.nodes;
      let registered = 0;
      this.clock.runUntilCondition(() => {
        while (registered < nodes.length && this.read.get('nodes', undefined, nodes[registered].name)) registered++;
        return registered === nodes.length;
      }, 60_000);
    }
  }

  /** The environment of a component on `host`: its client goes to the local API server or through the LB. */
  env(host: string, name: string, via: 'local' | 'lb'): ComponentEnv {
    const client = this.makeClient(name, host, via);
    return {
      clock: this.clock, log: this.log, client, host,
      informer: <T extends KubeObject>(opts: InformerOptions) => createInformer<T>(client, this.clock, opts),
    };
  }

  /** A client outside the cluster ("kubectl", a lesson, the HTTP server), through the load balancer. */
  client(name = 'kubectl'): ApiClient {
    let c = this.clients.get(name);
    if (!c) this.clients.set(name, (c = this.makeClient(name, CLIENT_HOST, 'lb')));
    return c;
  }

  apiserver(host: string): ApiServer | undefined {
    return this.apiservers.find((a) => a.host === host || a.name === host);
  }

  /**
   * kubectl apply: for each object in order, GET it; create it when absent, otherwise PATCH it
   * (strategic merge, removing fields dropped since the last-applied configuration). One trace per object.
   */
  apply(objects: readonly KubeObject[], done?: (results: ApplyResult[]) => void, clientName = 'kubectl'): void {
    const client = this.client(clientName);
    const results: ApplyResult[] = [];
    const next = (i: number) => {
      if (i >= objects.length) return done?.(results);
      this.applyOne(client, objects[i], (r) => {
        results.push(r);
        next(i + 1);
      });
    };
    next(0);
  }

  /** apply, then run the clock until every result is in (bounded by `maxMs` of virtual time). */
  applyAndWait(objects: readonly KubeObject[], maxMs = 60_000): ApplyResult[] {
    let results: ApplyResult[] | undefined;
    this.apply(objects, (r) => (results = r));
    this.clock.runUntilCondition(() => results !== undefined, maxMs);
    return results ?? [];
  }

  private applyOne(client: ApiClient, input: KubeObject, done: (r: ApplyResult) => void): void {
    const traceId = this.log.newTraceId();
    const def = resourceForKind(String(input.apiVersion), String(input.kind));
    const name = input.metadata?.name ?? '';
    const refName = def ? `${def.kind.toLowerCase()}${def.group ? `.${def.group}` : ''}/${name}` : `${String(input.kind).toLowerCase()}/${name}`;
    const fail = (error: Status) => done({ ref: refName, action: 'failed', traceId, error });
    if (!def) {
      return fail({
        apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound',
        message: `resource mapping not found for name: "${name}" namespace: "${input.metadata?.namespace ?? ''}" from "": no matches for kind "${String(input.kind)}" in version "${String(input.apiVersion)}"`,
      });
    }
    const namespace = def.namespaced ? input.metadata?.namespace ?? 'default' : undefined;
    const lastApplied = JSON.stringify(input) + '\n';
    const body: KubeObject = { ...input, metadata: { ...input.metadata, annotations: { ...input.metadata?.annotations, [LAST_APPLIED]: lastApplied } } };
    if (namespace) body.metadata.namespace = namespace;
    const base = { apiVersion: def.apiVersion, resource: def.resource, namespace };
    const ctx: TraceContext = { traceId };
    const finish = (action: ApplyResult['action'], res: ApiResponse) => {
      if (res.code >= 400) return fail(res.body as Status);
      done({ ref: refName, action, traceId, object: res.body as KubeObject });
    };
    client.request({ ...base, verb: 'get', name }, ctx, (got, at) => {
      if (got.code === 404) return client.request({ ...base, verb: 'create', body }, at, (res) => finish('created', res));
      if (got.code !== 200) return fail(got.body as Status);
      const existing = got.body as KubeObject;
      const previous = parseLastApplied(existing.metadata.annotations?.[LAST_APPLIED]);
      const patch = applyPatch(previous, body);
      client.request({ ...base, verb: 'patch', name, patchType: 'application/strategic-merge-patch+json', body: patch }, at, (res) => {
        const same = res.code === 200 && (res.body as KubeObject).metadata.resourceVersion === existing.metadata.resourceVersion;
        finish(same ? 'unchanged' : 'configured', res);
      });
    });
  }

  /**
   * Run until pods stop changing: every pod is at rest (Running and ready, finished, unschedulable,
   * or waiting in a back-off) and nothing changed for `quietMs`; or `maxMs` passes. Returns whether it settled.
   */
  settle(maxMs = 300_000, quietMs = 5_000): boolean {
    this.lastPodChange = this.clock.now();
    const deadline = this.clock.now() + maxMs;
    const quiet = () => this.clock.now() - this.lastPodChange >= quietMs && this.read.list<Pod>('pods').every(podAtRest);
    while (this.clock.now() < deadline) {
      if (this.clock.runUntilCondition(quiet, Math.min(quietMs, deadline - this.clock.now()))) return true;
      if (this.clock.nextTime() === undefined) break;
    }
    return quiet();
  }

  // ------------------------------------------------------------------ internals

  private makeClient(name: string, host: string, via: 'local' | 'lb'): SimClient {
    const server = via === 'local' ? this.apiserver(host) : undefined;
    if (via === 'local' && !server) throw new Error(`no API server on ${host}`);
    return new SimClient({ name, host, clock: this.clock, log: this.log, network: this.network, server, lb: via === 'lb' ? this.lb : undefined });
  }

  private createNamespaces(): void {
    const client = this.makeClient('kube-apiserver', this.masters[0].name, 'local');
    const ctx: TraceContext = { traceId: this.log.newTraceId('boot') };
    for (const name of BOOTSTRAP_NAMESPACES) {
      client.request({ verb: 'create', apiVersion: 'v1', resource: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } }, ctx, () => undefined);
    }
    // The API server's scheduling/bootstrap-system-priority-classes post-start hook.
    for (const pc of SYSTEM_PRIORITY_CLASSES) {
      client.request({ verb: 'create', apiVersion: 'scheduling.k8s.io/v1', resource: 'priorityclasses', body: deepClone(pc) }, ctx, () => undefined);
    }
  }

  private onCommitted(events: readonly MvccEvent[]): void {
    for (const e of events) {
      const revision = e.kv.modRevision;
      if (revision <= this.committedRevision) continue;
      this.committedRevision = revision;
      const def = resourceForKey(e.kv.key);
      if (!def) continue;
      if (def.resource === 'pods') this.lastPodChange = this.clock.now();
      if (this.listeners.size === 0) continue;
      const change: StateChange = e.type === 'put'
        ? { type: e.prevKv ? 'MODIFIED' : 'ADDED', resource: def.resource, object: e.kv.value as KubeObject, revision }
        : { type: 'DELETED', resource: def.resource, object: e.prevKv!.value as KubeObject, revision };
      for (const l of this.listeners) l(change);
    }
  }

  private createReader(): ClusterReader {
    /** The member that has applied the most: its store is the newest committed state. */
    const store = () => this.etcd.members.reduce((a, b) => (b.appliedIndex > a.appliedIndex ? b : a)).store;
    const defOf = (resource: string): ResourceDef => {
      const def = RESOURCES.find((d) => d.resource === resource) ?? resourceFor('v1', resource);
      if (!def) throw new Error(`unknown resource "${resource}"`);
      return def;
    };
    return {
      get: <T extends KubeObject>(resource: string, namespace: string | undefined, name: string) => {
        const def = defOf(resource);
        const kv = store().get(etcdKey(def, def.namespaced ? namespace : undefined, name));
        return kv && 'value' in kv ? (kv.value as T) : undefined;
      },
      list: <T extends KubeObject>(resource: string, namespace?: string) => {
        const def = defOf(resource);
        const r = store().range(def.namespaced && namespace ? `${def.etcdPrefix}${namespace}/` : def.etcdPrefix);
        return 'error' in r ? [] : r.kvs.map((kv) => kv.value as T);
      },
      revision: () => this.committedRevision,
      subscribe: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
    };
  }
}

function nodeConfigs(
  input: number | NodeInput[],
  prefix: string,
  zones: readonly string[],
  capacity: NodeConfig['capacity'],
  role: NodeConfig['role'],
  offset: number,
): NodeConfig[] {
  const list: NodeInput[] = typeof input === 'number' ? Array.from({ length: input }, (_, i) => ({ name: `${prefix}-${i + 1}` })) : input;
  return list.map((n, i) => {
    const ordinal = offset + i;
    return {
      name: n.name,
      zone: n.zone ?? zones[i % zones.length],
      role,
      capacity: n.capacity ?? capacity,
      labels: n.labels,
      internalIP: `10.0.${Math.floor(ordinal / 250)}.${(ordinal % 250) + 2}`,
      podCIDR: `10.${244 + Math.floor(ordinal / 256)}.${ordinal % 256}.0/24`,
    };
  });
}

/** A pod that will not change by itself soon. */
export function podAtRest(pod: Pod): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  const conditions = pod.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'PodScheduled' && c.status === 'False')) return true;
  if (phase === 'Running' && conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return true;
  const waiting = (pod.status?.containerStatuses ?? []).map((s) => s.state?.waiting?.reason);
  return waiting.some((r) => r === 'ImagePullBackOff' || r === 'CrashLoopBackOff' || r === 'ErrImagePull' || r === 'InvalidImageName' || r === 'CreateContainerConfigError');
}

function parseLastApplied(text: string | undefined): KubeObject | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? (parsed as KubeObject) : undefined;
  } catch {
    return undefined;
  }
}

/** kubectl apply's patch: the new configuration, with null for every map field dropped since the last one. */
function applyPatch(previous: KubeObject | undefined, next: KubeObject): Record<string, unknown> {
  const deletions = (prev: unknown, cur: unknown): unknown => {
    if (!isPlainObject(prev) || !isPlainObject(cur)) return cur;
    const out: Record<string, unknown> = { ...cur };
    for (const key of Object.keys(prev)) {
      if (!(key in cur)) out[key] = null;
      else if (isPlainObject(prev[key]) && isPlainObject(cur[key]) && !deepEqual(prev[key], cur[key])) out[key] = deletions(prev[key], cur[key]);
    }
    return out;
  };
  return deletions(previous, next) as Record<string, unknown>;
}
