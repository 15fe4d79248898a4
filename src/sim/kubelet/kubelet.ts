/**
 * The kubelet of one node. It registers the Node, heartbeats with a Lease, watches the pods bound to
 * its node (fieldSelector spec.nodeName=<node>) and, per pod, drives the container runtime over the
 * CRI — sandbox, image pull, create, start — restarting containers per restartPolicy with back-off,
 * stopping them gracefully on deletion, and reporting through pods/status and core/v1 Events.
 *
 * Per pod the work is level-triggered, as upstream's pod workers: a "pass" starts when something
 * happens (watch event, container exit, back-off timer), reports the status as it is, then performs
 * the next needed action until nothing is left to do, and reports again. Nothing polls: a pod costs
 * timers only while something is due (a back-off, a readiness delay).
 */
import type { TimerId } from '../clock';
import type { TraceContext } from '../log';
import type { Component, ComponentEnv } from '../api/component';
import type { Informer } from '../api/informer';
import type { ApiResponse } from '../api/request';
import type { Container, Pod, PodStatus, Service } from '../api/types';
import { objectKey } from '../api/informer';
import { lookupImage } from '../images';
import { ContainerRuntime, criErrorMessage, type ContainerInfo, type Sandbox } from '../runtime/runtime';
import { sample, type Range } from '../runtime/timings';
import { Backoff } from './backoff';
import { hasEnvSources, envRefs, makeEnvironment, refKey } from './env';
import { EventRecorder, goDuration } from './events';
import { logTarget, pickContainer, type PodLogOptions, type PodLogProvider, type PodLogResult } from './logs';
import { streamOptionsError, type KubeletExecResult, type PodExecProvider } from './exec';
import type { ExecRequestOptions } from '../api/exec';
import type { ExecStreams } from '../runtime/exec';
import { NodeAgent, DEFAULT_NODE_AGENT_TIMINGS, type NodeAgentTimings } from './node-agent';
import { nodeInternalIP, nodePodCIDR, type NodeConfig, type NodeIdentity } from './node-status';
import { generatePodStatus, readyAt, shouldRestart, type ContainerInstances, type WaitingReason } from './pod-status';
import { StatusManager } from './status-manager';
import { namespaceServiceVariables } from './service-env';

export type { NodeConfig } from './node-status';

export interface KubeletTimings extends NodeAgentTimings {
  /** Container restart and image pull back-off: 10 s doubling to 5 min (reset after 10 min). */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** How long until the kubelet notices a container exit (the PLEG relists every second). */
  plegRelist: Range;
  /** After ErrImagePull, when the next pass reports ImagePullBackOff. */
  pullErrorResyncMs: number;
  statusRetryMs: number;
  /** Containers get at least this long to stop (upstream minimumGracePeriodInSeconds). */
  minimumGracePeriodSeconds: number;
  /** How often the kubelet looks for sandboxes of pods the API no longer has. */
  housekeepingMs: number;
}

export const DEFAULT_KUBELET_TIMINGS: Readonly<KubeletTimings> = Object.freeze({
  ...DEFAULT_NODE_AGENT_TIMINGS,
  backoffInitialMs: 10_000,
  backoffMaxMs: 300_000,
  plegRelist: { min: 100, max: 1000 },
  pullErrorResyncMs: 1_000,
  statusRetryMs: 2_000,
  minimumGracePeriodSeconds: 2,
  housekeepingMs: 2_000,
});

export interface KubeletOptions {
  /** The node's container runtime; it outlives kubelet restarts. Created when absent. */
  runtime?: ContainerRuntime;
  /** Post core/v1 Events (benchmarks may turn them off). Default true. */
  recordEvents?: boolean;
  timings?: Partial<KubeletTimings>;
}

/** The kubelet's memory of one pod. */
interface PodWork {
  /** The kubelet's generation (start) it was created in: the answers of its calls count only in that one. */
  generation: number;
  uid: string;
  key: string;
  pod: Pod;
  startTime: string;
  /** The API no longer has the pod. */
  removed: boolean;
  /** The kubelet asked the API to finish the deletion (DELETE with grace 0). */
  deleteRequested: boolean;
  /** An action is in flight; another pass requested meanwhile runs after it. */
  busy: boolean;
  again?: TraceContext;
  /** Ends the action in flight and goes on with the pass (made once per pod, not a closure per action). */
  next: (ctx: TraceContext) => void;
  /**
   * The reason cache: why a container is not running. Created with the first reason and dropped
   * when emptied: most pods never need one, and a Map per pod adds up on a big cluster.
   */
  waiting?: Map<string, WaitingReason>;
  /** Bumped whenever `waiting` changes: a status built before and after is the same only if this is too. */
  waitingChanges?: number;
  /** Containers that failed in this pass (not retried until the next one); created on the first failure. */
  failed?: Set<string>;
  resync?: TimerId;
  resyncAt?: number;
}

type Action =
  | { kind: 'idle' }
  | { kind: 'sandbox'; attempt: number }
  | { kind: 'start'; spec: Container; init: boolean; attempt: number; sandbox: Sandbox }
  | { kind: 'startCreated'; container: ContainerInfo; spec: Container; init: boolean }
  | { kind: 'kill'; containers: ContainerInfo[] }
  | { kind: 'stopSandbox'; sandbox: Sandbox }
  | { kind: 'confirmDelete' }
  | { kind: 'remove' };

/**
 * What the runtime has of one pod, read once per pass and shared by the status report and `decide`
 * (nothing changes the runtime between them: CRI calls answer on the clock).
 */
export interface RuntimeView {
  sandbox: Sandbox | undefined;
  /** The runtime's list, in creation order. */
  containers: readonly ContainerInfo[];
  /** By container name, the newest and previous instances (the order of `containersOfPod`). */
  instances: Map<string, ContainerInstances>;
}

const RUNNING = 'CONTAINER_RUNNING';
const EXITED = 'CONTAINER_EXITED';

export class Kubelet implements Component, PodLogProvider, PodExecProvider {
  readonly name: string;
  readonly runtime: ContainerRuntime;
  readonly timings: KubeletTimings;
  private active = false;
  private generation = 0;
  private informer: Informer<Pod> | undefined;
  /** Services with a cluster IP, for the containers' environment (upstream's service lister). */
  private services: Informer<Service> | undefined;
  /** The service variables of each namespace, built when a container needs them; dropped when a Service changes. */
  private readonly serviceEnv = new Map<string, readonly [string, string][]>();
  private readonly pods = new Map<string, PodWork>();
  private readonly uidByKey = new Map<string, string>();
  /** Pods to pass, in trigger order. Two queues swapped at each drain, not a copy of the queue per drain. */
  private queue = new PassQueue();
  private draining = new PassQueue();
  private queueTimer: TimerId | undefined;
  private housekeeping: TimerId | undefined;
  private crashBackoff: Backoff;
  private pullBackoff: Backoff;
  private readonly lastPullError = new Map<string, string>();
  private readonly status: StatusManager;
  private readonly events: EventRecorder;
  private readonly agent: NodeAgent;
  private readonly identity: NodeIdentity;
  private unsubscribeRuntime: (() => void) | undefined;
  private readonly pullQueue: (() => void)[] = [];
  private pullInFlight = false;
  /** API timestamps (one function for every status computed, not one per call). */
  private readonly iso = (ms: number): string => this.env.clock.iso(ms);

  constructor(
    private readonly env: ComponentEnv,
    readonly node: NodeConfig,
    options: KubeletOptions = {},
  ) {
    this.name = `kubelet@${node.name}`;
    this.timings = { ...DEFAULT_KUBELET_TIMINGS, ...options.timings };
    this.runtime = options.runtime ?? new ContainerRuntime(env.clock, env.log, node.name, { podCIDR: nodePodCIDR(node), hostIP: nodeInternalIP(node) });
    const rng = env.clock.rng;
    this.identity = { machineID: rng.uuid().replace(/-/g, ''), systemUUID: rng.uuid(), bootID: rng.uuid() };
    this.crashBackoff = new Backoff(this.timings.backoffInitialMs, this.timings.backoffMaxMs);
    this.pullBackoff = new Backoff(this.timings.backoffInitialMs, this.timings.backoffMaxMs);
    this.status = new StatusManager(env.clock, env.client, this.timings.statusRetryMs);
    this.events = new EventRecorder(env.clock, env.client, node.name, options.recordEvents ?? true);
    this.agent = new NodeAgent(env.clock, env.log, env.client, node, () => this.identity, this.timings);
    this.agent.onRegistered = (registered) => {
      const cidr = registered.spec?.podCIDR;
      if (cidr) this.runtime.updateRuntimeConfig(cidr, nodeInternalIP(node));
    };
  }

  get running(): boolean {
    return this.active;
  }

  /** The node's InternalIP (pods' hostIP). */
  get hostIP(): string {
    return nodeInternalIP(this.node);
  }

  start(): void {
    if (this.active) return;
    if (!this.runtime.running) this.powerOn();
    this.active = true;
    this.generation++;
    const ctx: TraceContext = { traceId: this.env.log.newTraceId() };
    this.env.log.append({ t: this.env.clock.now(), traceId: ctx.traceId, from: this.name, to: this.name, kind: 'decision', objectRef: { resource: 'nodes', name: this.node.name }, summary: `kubelet ${this.node.name} starting` });
    this.runtime.updateRuntimeConfig(nodePodCIDR(this.node), this.hostIP);
    this.unsubscribeRuntime = this.runtime.onContainerExit((event, ectx) => {
      if (!this.pods.has(event.podUid)) return;
      const delay = sample(this.env.clock.rng, this.timings.plegRelist);
      this.env.clock.schedule(delay, this.live(() => this.trigger(event.podUid, ectx)), 'kubelet-pleg');
    });
    this.agent.start(ctx);
    const informer = this.env.informer<Pod>({ apiVersion: 'v1', resource: 'pods', fieldSelector: `spec.nodeName=${this.node.name}` });
    informer.addHandlers({
      onAdd: (pod, c) => this.observe(pod, c),
      onUpdate: (_old, pod, c) => this.observe(pod, c),
      onDelete: (pod, c) => this.observeDeleted(pod, c),
    });
    this.informer = informer;
    // Headless Services give no variables: upstream's kubelet does not even watch them.
    const services = this.env.informer<Service>({ apiVersion: 'v1', resource: 'services', fieldSelector: 'spec.clusterIP!=None' });
    const forget = () => this.serviceEnv.clear();
    services.addHandlers({ onAdd: forget, onUpdate: forget, onDelete: forget });
    this.services = services;
    informer.start(ctx);
    services.start(ctx);
    this.housekeeping = this.env.clock.schedule(this.timings.housekeepingMs, this.live(() => this.cleanupOrphans()), 'kubelet-housekeeping');
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.generation++;
    this.informer?.stop();
    this.informer = undefined;
    this.services?.stop();
    this.services = undefined;
    this.serviceEnv.clear();
    this.agent.stop();
    this.unsubscribeRuntime?.();
    this.unsubscribeRuntime = undefined;
    const clock = this.env.clock;
    clock.cancel(this.queueTimer);
    clock.cancel(this.housekeeping);
    this.queueTimer = this.housekeeping = undefined;
    for (const w of this.pods.values()) clock.cancel(w.resync);
    this.pods.clear();
    this.uidByKey.clear();
    this.queue.clear();
    this.status.clear();
    this.crashBackoff = new Backoff(this.timings.backoffInitialMs, this.timings.backoffMaxMs);
    this.pullBackoff = new Backoff(this.timings.backoffInitialMs, this.timings.backoffMaxMs);
    this.lastPullError.clear();
    this.pullQueue.length = 0;
    this.pullInFlight = false;
  }

  /** The machine loses power: the kubelet stops and every container dies. */
  powerOff(): void {
    this.stop();
    this.runtime.powerOff();
  }

  /** The machine boots again (a new boot ID); call start() to run the kubelet. */
  powerOn(): void {
    this.runtime.powerOn();
    this.identity.bootID = this.env.clock.rng.uuid();
  }

  // ---------------------------------------------------------------- pods/log

  logs(namespace: string, podName: string, container: string | undefined, options: PodLogOptions = {}): PodLogResult {
    if (!this.active) {
      return { code: 500, reason: 'InternalError', message: `Get "https://${this.hostIP}:10250/containerLogs/${namespace}/${podName}/${container ?? ''}": dial tcp ${this.hostIP}:10250: connect: connection refused` };
    }
    const uid = this.uidByKey.get(`${namespace}/${podName}`);
    const w = uid ? this.pods.get(uid) : undefined;
    if (!w || w.removed) return { code: 404, reason: 'NotFound', message: `pods "${podName}" not found` };
    const picked = pickContainer(w.pod, container);
    if ('error' in picked) return picked.error;
    const status = this.statusOf(w, this.viewOf(w.uid));
    const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
    const target = logTarget(w.pod, all.find((s) => s.name === picked.name), options.previous ?? false);
    if ('error' in target) return target.error;
    return { code: 200, text: this.runtime.containerLogs(target.containerId, options) };
  }

  // ---------------------------------------------------------------- pods/exec

  exec(namespace: string, podName: string, container: string, options: ExecRequestOptions, streams: ExecStreams, ctx: TraceContext, done: (result: KubeletExecResult, ctx: TraceContext) => void): void {
    const uid = this.uidByKey.get(`${namespace}/${podName}`);
    const w = uid ? this.pods.get(uid) : undefined;
    if (!this.active || !w || w.removed) return done({ ok: false, code: 404, message: 'pod does not exist' }, ctx);
    const invalid = streamOptionsError(options);
    if (invalid) return done({ ok: false, code: 400, message: invalid }, ctx);
    // upstream findContainer: the runtime's running containers of the pod (GetPods(false)).
    const running = this.runtime.podContainers(w.uid).find((c) => c.name === container && c.state === RUNNING);
    if (!running) return done({ ok: false, code: 500, message: `container not found ("${container}")` }, ctx);
    const streamOptions = { stdin: options.stdin, stdout: options.stdout, stderr: options.stderr && !options.tty, tty: options.tty };
    this.runtime.exec(running.id, options.command, streamOptions, streams, ctx, (r, c) => {
      done(r.ok ? { ok: true, handle: r.value } : { ok: false, code: 500, message: criErrorMessage(r) }, c);
    });
  }

  // ---------------------------------------------------------------- watch → queue

  private live<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    const generation = this.generation;
    return (...args: A) => {
      if (this.active && generation === this.generation) fn(...args);
    };
  }

  /**
   * Whether the answer to a call made for `w` still counts: the kubelet has not restarted since (as
   * live() checks, without a wrapper per call; a pod's calls are all made in its own generation).
   */
  private current(w: PodWork): boolean {
    return this.active && w.generation === this.generation;
  }

  private newPodWork(uid: string, key: string, pod: Pod): PodWork {
    const w: PodWork = {
      generation: this.generation,
      uid,
      key,
      pod,
      startTime: pod.status?.startTime ?? this.env.clock.iso(),
      removed: false,
      deleteRequested: false,
      busy: false,
      next: actionInFlight,
    };
    // The action in flight is done: act on.
    w.next = (ctx) => {
      if (!this.current(w)) return;
      w.busy = false;
      this.step(w, ctx);
    };
    return w;
  }

  private observe(pod: Pod, ctx: TraceContext): void {
    if (pod.spec.nodeName !== this.node.name || !pod.metadata.uid) return;
    const uid = pod.metadata.uid;
    const key = objectKey(pod);
    const previousUid = this.uidByKey.get(key);
    if (previousUid && previousUid !== uid) {
      const old = this.pods.get(previousUid);
      if (old) {
        old.removed = true;
        this.trigger(previousUid, ctx);
      }
    }
    this.uidByKey.set(key, uid);
    let w = this.pods.get(uid);
    if (!w) {
      w = this.newPodWork(uid, key, pod);
      this.pods.set(uid, w);
    }
    w.pod = pod;
    this.status.observed(pod);
    this.trigger(uid, ctx);
  }

  private observeDeleted(pod: Pod, ctx: TraceContext): void {
    const w = pod.metadata.uid ? this.pods.get(pod.metadata.uid) : undefined;
    if (!w) return;
    w.removed = true;
    this.trigger(w.uid, ctx);
  }

  private trigger(uid: string, ctx: TraceContext): void {
    this.queue.set(uid, ctx);
    if (this.queueTimer === undefined) {
      this.queueTimer = this.env.clock.schedule(0, this.drainQueue, 'kubelet-queue');
    }
  }

  /**
   * Pass every queued pod. One function for the kubelet's life rather than a closure per drain; it
   * needs no `live` guard, as stop() cancels the pending drain.
   */
  private readonly drainQueue = (): void => {
    this.queueTimer = undefined;
    // Pods triggered during the drain go to the other queue, for the next drain (as upstream's work queue).
    const batch = this.queue;
    this.queue = this.draining;
    this.draining = batch;
    batch.forEach(this.passQueued);
    batch.clear();
  };

  /** One queued pod of a drain (a function made once: no entry arrays or closure per drain). */
  private readonly passQueued = (ctx: TraceContext, uid: string): void => {
    const w = this.pods.get(uid);
    if (w) this.pass(w, ctx);
  };

  // ---------------------------------------------------------------- the pod worker

  /**
   * A pass: report the status as it is, then act until idle. `status` and `known` (the runtime view)
   * when the caller has just built them, in this same call (nothing can have changed since).
   */
  private pass(w: PodWork, ctx: TraceContext, status?: PodStatus, known?: RuntimeView): void {
    if (w.busy) {
      w.again = ctx;
      return;
    }
    w.failed = undefined;
    const view = known ?? this.viewOf(w.uid);
    const reported = this.report(w, ctx, undefined, status, view);
    this.step(w, ctx, reported, view);
  }

  /**
   * Act on the pod until an action is in flight or nothing is left to do. `reported` is the status
   * the pass just reported, in this same call: if nothing is done and no waiting reason changes,
   * the idle report would build the very same status (same pod, runtime, reasons and instant).
   * `known` is the runtime view when the caller has just read it.
   */
  private step(w: PodWork, ctx: TraceContext, reported?: PodStatus, known?: RuntimeView): void {
    if (this.pods.get(w.uid) !== w) return;
    const view = known ?? this.viewOf(w.uid);
    const waitingBefore = w.waitingChanges;
    const action = this.decide(w, ctx, view);
    if (action.kind === 'idle') return this.idle(w, ctx, view, w.waitingChanges === waitingBefore ? reported : undefined);
    w.busy = true;
    const next = w.next;
    switch (action.kind) {
      case 'sandbox':
        return this.runSandbox(w, action.attempt, ctx, next);
      case 'start':
        return this.startContainer(w, action.spec, action.init, action.attempt, action.sandbox, ctx, next);
      case 'startCreated':
        return this.startCreated(w, action.container, action.spec, action.init, ctx, next);
      case 'kill':
        return this.killContainers(w, action.containers, ctx, next);
      case 'stopSandbox':
        return this.runtime.stopPodSandbox(action.sandbox.id, ctx, (_r, c) => next(c));
      case 'confirmDelete':
        return this.confirmDelete(w, ctx, next);
      case 'remove':
        return this.removePod(w, ctx);
    }
  }

  private idle(w: PodWork, ctx: TraceContext, view: RuntimeView, unchanged?: PodStatus): void {
    w.busy = false;
    const reported = this.report(w, ctx, undefined, unchanged, view);
    if (w.again) {
      const again = w.again;
      w.again = undefined;
      // The pass requested meanwhile reports in this same call: the same status, not built again.
      this.pass(w, again, reported, view);
    }
  }

  /** What the pod needs next. May record waiting reasons, events and back-off timers on the way. */
  private decide(w: PodWork, ctx: TraceContext, view: RuntimeView): Action {
    const pod = w.pod;
    const { sandbox, instances } = view;
    if (w.removed || pod.metadata.deletionTimestamp) {
      const live = liveContainers(view);
      if (live.length > 0) return { kind: 'kill', containers: live };
      if (sandbox?.state === 'SANDBOX_READY') return { kind: 'stopSandbox', sandbox };
      if (w.removed) return { kind: 'remove' };
      if (!w.deleteRequested) return { kind: 'confirmDelete' };
      return { kind: 'idle' };
    }
    if (this.finished(pod, instances)) {
      const live = liveContainers(view);
      if (live.length > 0) return { kind: 'kill', containers: live };
      if (sandbox?.state === 'SANDBOX_READY') return { kind: 'stopSandbox', sandbox };
      return { kind: 'idle' };
    }
    if (!sandbox || sandbox.state !== 'SANDBOX_READY') {
      if (w.failed?.has('')) return { kind: 'idle' };
      return { kind: 'sandbox', attempt: sandbox ? sandbox.attempt + 1 : 0 };
    }
    const policy = pod.spec.restartPolicy ?? 'Always';
    for (const spec of pod.spec.initContainers ?? []) {
      const latest = instances.get(spec.name)?.latest;
      if (latest && latest.state === EXITED && latest.exitCode === 0) continue;
      if (latest && latest.state === RUNNING) return { kind: 'idle' };
      if (latest && latest.state !== EXITED) return { kind: 'startCreated', container: latest, spec, init: true };
      if (w.failed?.has(spec.name) || (latest && policy === 'Never')) return { kind: 'idle' };
      if (latest && this.inCrashBackoff(w, spec, latest, true, ctx)) return { kind: 'idle' };
      return { kind: 'start', spec, init: true, attempt: latest ? latest.attempt + 1 : 0, sandbox };
    }
    for (const spec of pod.spec.containers) {
      const latest = instances.get(spec.name)?.latest;
      if (latest && latest.state !== EXITED && latest.state !== RUNNING) return { kind: 'startCreated', container: latest, spec, init: false };
      if (!shouldRestart(policy, latest) || w.failed?.has(spec.name)) continue;
      if (latest && this.inCrashBackoff(w, spec, latest, false, ctx)) continue;
      return { kind: 'start', spec, init: false, attempt: latest ? latest.attempt + 1 : 0, sandbox };
    }
    return { kind: 'idle' };
  }

  /** Every container ran and none will run again under the restart policy. */
  private finished(pod: Pod, instances: Map<string, ContainerInstances>): boolean {
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return true;
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Always') return false;
    const initFailed = policy === 'Never' && (pod.spec.initContainers ?? []).some((c) => {
      const latest = instances.get(c.name)?.latest;
      return latest?.state === EXITED && latest.exitCode !== 0;
    });
    if (initFailed) return true;
    return pod.spec.containers.every((c) => {
      const latest = instances.get(c.name)?.latest;
      return latest?.state === EXITED && !shouldRestart(policy, latest);
    });
  }

  /** upstream doBackOff: restart now (advancing the back-off), or wait with CrashLoopBackOff. */
  private inCrashBackoff(w: PodWork, spec: Container, latest: ContainerInfo, init: boolean, ctx: TraceContext): boolean {
    const key = `${w.uid}/${spec.name}`;
    const now = this.env.clock.now();
    const finishedAt = latest.finishedAt ?? now;
    if (this.crashBackoff.isInBackOffSince(key, finishedAt, now)) {
      const backoff = this.crashBackoff.get(key);
      const pod = w.pod;
      const message = `back-off ${goDuration(backoff)} restarting failed container=${spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${w.uid})`;
      const prior = w.waiting?.get(spec.name);
      if (prior?.reason !== 'CrashLoopBackOff' || prior.message !== message) {
        this.events.record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${w.uid})`, ctx, { name: spec.name, init });
      }
      setWaiting(w, spec.name, { reason: 'CrashLoopBackOff', message });
      this.resyncAt(w, finishedAt + backoff);
      return true;
    }
    this.crashBackoff.next(key, finishedAt, now);
    return false;
  }

  private resyncAt(w: PodWork, at: number): void {
    if (w.resync !== undefined && w.resyncAt !== undefined && w.resyncAt <= at && w.resyncAt > this.env.clock.now()) return;
    this.env.clock.cancel(w.resync);
    w.resyncAt = at;
    w.resync = this.env.clock.schedule(Math.max(0, at - this.env.clock.now()), this.live(() => {
      w.resync = undefined;
      w.resyncAt = undefined;
      this.trigger(w.uid, { traceId: this.env.log.newTraceId() });
    }), 'kubelet-resync');
  }

  private viewOf(uid: string): RuntimeView {
    const containers = this.runtime.podContainers(uid);
    return { sandbox: this.runtime.newestSandboxOf(uid), containers, instances: instancesOf(containers) };
  }

  // ---------------------------------------------------------------- status

  private statusOf(w: PodWork, { sandbox, instances }: RuntimeView): PodStatus {
    const deleting = w.removed || !!w.pod.metadata.deletionTimestamp;
    let anyLive = false;
    for (const { latest } of instances.values()) if (latest && latest.state !== EXITED) anyLive = true;
    return generatePodStatus({
      pod: w.pod,
      containers: instances,
      waiting: w.waiting ?? NO_WAITING,
      sandboxReady: sandbox?.state === 'SANDBOX_READY',
      podIP: sandbox?.state === 'SANDBOX_READY' ? sandbox.ip : undefined,
      hostIP: this.hostIP,
      terminal: deleting && !anyLive,
      now: this.env.clock.now(),
      iso: this.iso,
      startTime: w.startTime,
    });
  }

  /**
   * Hand the pod's status to the status manager; `status` when the caller knows it is current, else
   * built from `view` when the caller has just read the runtime.
   */
  private report(w: PodWork, ctx: TraceContext, then?: (ok: boolean, ctx: TraceContext) => void, status?: PodStatus, view?: RuntimeView): PodStatus | undefined {
    if (w.removed) return undefined;
    const current = status ?? this.statusOf(w, view ?? this.viewOf(w.uid));
    this.status.set(w.pod, current, ctx, then);
    return current;
  }

  // ---------------------------------------------------------------- actions

  private runSandbox(w: PodWork, attempt: number, ctx: TraceContext, next: (ctx: TraceContext) => void): void {
    const pod = w.pod;
    this.runtime.runPodSandbox(
      { uid: w.uid, name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default', attempt, hostNetwork: pod.spec.hostNetwork, ...(pod.spec.hostname ? { hostname: pod.spec.hostname } : {}) },
      ctx,
      (r, c) => {
        if (!this.current(w)) return;
        if (!r.ok) {
          this.events.record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${criErrorMessage(r)}`, c);
          markFailed(w, '');
          this.resyncAt(w, this.env.clock.now() + this.timings.backoffInitialMs);
        }
        next(c);
      },
    );
  }

  private startContainer(w: PodWork, spec: Container, init: boolean, attempt: number, sandbox: Sandbox, ctx: TraceContext, next: (ctx: TraceContext) => void): void {
    this.ensureImage(w, spec, init, ctx, (ok, c1) => {
      if (!ok) {
        markFailed(w, spec.name);
        return next(c1);
      }
      // upstream makeEnvironmentVariables: the service variables need the Services read at least once.
      if (!this.services?.hasSynced()) {
        const message = 'services have not yet been read at least once, cannot construct envvars';
        setWaiting(w, spec.name, { reason: 'CreateContainerConfigError', message });
        this.events.record(w.pod, 'Warning', 'Failed', `Error: ${message}`, c1, { name: spec.name, init });
        this.resyncAt(w, this.env.clock.now() + this.timings.backoffInitialMs);
        markFailed(w, spec.name);
        return next(c1);
      }
      const serviceEnv = this.serviceEnvOf(w.pod);
      // Containers without variables of their own (most) share one list per namespace (the runtime only reads
      // it); only a container whose variables come from somewhere (valueFrom, envFrom) asks for more.
      if (!hasEnvSources(spec)) {
        const env = spec.env?.length ? [...spec.env.map((e): [string, string] => [e.name, e.value ?? '']), ...serviceEnv] : serviceEnv;
        return this.createContainer(w, spec, init, attempt, sandbox, env, c1, next);
      }
      this.fetchEnvRefs(w, spec, c1, (fetched, c2) => {
        if (!this.current(w)) return;
        const r = makeEnvironment(w.pod, spec, fetched, { podIP: sandbox.ip, hostIP: this.hostIP }, serviceEnv);
        if (!r.ok) {
          // upstream: generateContainerConfig fails (ErrCreateContainerConfig); the pod worker syncs again
          // after its back-off, and the container starts once the object or key is there.
          setWaiting(w, spec.name, { reason: 'CreateContainerConfigError', message: r.message });
          this.events.record(w.pod, 'Warning', 'Failed', `Error: ${r.message}`, c2, { name: spec.name, init });
          this.resyncAt(w, this.env.clock.now() + this.timings.backoffInitialMs);
          markFailed(w, spec.name);
          return next(c2);
        }
        this.createContainer(w, spec, init, attempt, sandbox, r.env, c2, next);
      });
    });
  }

  /**
   * GET each ConfigMap and Secret the container references from the API server (through the load balancer),
   * all at once; `done` gets the answers when the last one is in. (See env.ts for how upstream's cache differs.)
   */
  private fetchEnvRefs(w: PodWork, spec: Container, ctx: TraceContext, done: (fetched: Map<string, ApiResponse>, ctx: TraceContext) => void): void {
    const refs = envRefs(spec);
    const fetched = new Map<string, ApiResponse>();
    if (refs.length === 0) return done(fetched, ctx);
    let left = refs.length;
    const namespace = w.pod.metadata.namespace ?? 'default';
    for (const ref of refs) {
      this.env.client.request({ verb: 'get', apiVersion: 'v1', resource: ref.resource, namespace, name: ref.name }, ctx, (r: ApiResponse, c: TraceContext) => {
        fetched.set(refKey(ref.resource, ref.name), r);
        if (--left === 0) done(fetched, c);
      });
    }
  }

  /**
   * The `kubernetes` Service's variables, then (enableServiceLinks, the default) those of the pod's namespace's
   * Services: one shared list per namespace, the constant one where the namespace has no Service.
   */
  private serviceEnvOf(pod: Pod): readonly [string, string][] {
    if (pod.spec.enableServiceLinks === false) return SERVICE_ENV;
    const namespace = pod.metadata.namespace ?? 'default';
    let env = this.serviceEnv.get(namespace);
    if (!env) {
      const own = namespaceServiceVariables(this.services?.list() ?? [], namespace);
      env = own.length === 0 ? SERVICE_ENV : [...SERVICE_ENV, ...own];
      this.serviceEnv.set(namespace, env);
    }
    return env;
  }

  private createContainer(w: PodWork, spec: Container, init: boolean, attempt: number, sandbox: Sandbox, env: readonly [string, string][], ctx: TraceContext, next: (ctx: TraceContext) => void): void {
    this.runtime.createContainer(sandbox.id, { name: spec.name, attempt, image: spec.image ?? '', command: spec.command, args: spec.args, env }, ctx, (r, c2) => {
      if (!this.current(w)) return;
      if (!r.ok) {
        const message = criErrorMessage(r);
        setWaiting(w, spec.name, { reason: 'CreateContainerError', message });
        this.events.record(w.pod, 'Warning', 'Failed', `Error: ${message}`, c2, { name: spec.name, init });
        markFailed(w, spec.name);
        return next(c2);
      }
      if (this.events.enabled) this.events.record(w.pod, 'Normal', 'Created', `Created container: ${spec.name}`, c2, { name: spec.name, init });
      this.startCreated(w, r.value, spec, init, c2, next);
    });
  }

  private startCreated(w: PodWork, container: ContainerInfo, spec: Container, init: boolean, ctx: TraceContext, next: (ctx: TraceContext) => void): void {
    this.runtime.startContainer(container.id, ctx, (r, c) => {
      if (!this.current(w)) return;
      if (!r.ok) {
        const message = criErrorMessage(r);
        setWaiting(w, spec.name, { reason: 'RunContainerError', message });
        this.events.record(w.pod, 'Warning', 'Failed', `Error: ${r.message}`, c, { name: spec.name, init });
        markFailed(w, spec.name);
        return next(c);
      }
      clearWaiting(w, spec.name);
      if (this.events.enabled) this.events.record(w.pod, 'Normal', 'Started', `Started container ${spec.name}`, c, { name: spec.name, init });
      if (spec.readinessProbe && r.value.startedAt !== undefined) this.resyncAt(w, readyAt(spec, r.value.startedAt));
      next(c);
    });
  }

  /**
   * upstream EnsureImageExists: pull policy, back-off, the serialized puller, events. The events of
   * every pod's start (Pulling, Pulled, Created, Started) are not even worded when events are off.
   */
  private ensureImage(w: PodWork, spec: Container, init: boolean, ctx: TraceContext, done: (ok: boolean, ctx: TraceContext) => void): void {
    const pod = w.pod;
    const image = spec.image ?? '';
    const who = { name: spec.name, init };
    // The cached lookup of the image (its parse included), not a parse per container start.
    const lookup = lookupImage(image);
    if (lookup.status === 'invalid') {
      const message = `Failed to apply default image tag "${image}": ${lookup.error}`;
      setWaiting(w, spec.name, { reason: 'InvalidImageName', message });
      this.events.record(pod, 'Warning', 'InspectFailed', message, ctx, who);
      return done(false, ctx);
    }
    const { tag, digest } = lookup.reference;
    const policy = spec.imagePullPolicy ?? (!digest && (tag === undefined || tag === 'latest') ? 'Always' : 'IfNotPresent');
    const present = this.runtime.imageStatus(image);
    if (present && policy !== 'Always') {
      if (this.events.enabled) this.events.record(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, ctx, who);
      return done(true, ctx);
    }
    if (!present && policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      setWaiting(w, spec.name, { reason: 'ErrImageNeverPull', message });
      this.events.record(pod, 'Warning', 'ErrImageNeverPull', message, ctx, who);
      return done(false, ctx);
    }
    const key = `${w.uid}/${image}`;
    const now = this.env.clock.now();
    if (this.pullBackoff.isInBackOffSinceUpdate(key, now)) {
      const last = this.lastPullError.get(key) ?? '';
      setWaiting(w, spec.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${last}` });
      this.events.record(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, ctx, who);
      this.events.record(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', ctx, who);
      this.resyncAt(w, this.pullBackoff.endsAt(key)!);
      return done(false, ctx);
    }
    if (this.events.enabled) this.events.record(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, ctx, who);
    const enqueuedAt = now;
    this.serialPull(() => {
      const startedAt = this.env.clock.now();
      this.runtime.pullImage(image, { resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name! }, ctx, (r, c) => {
        if (!this.current(w)) return;
        this.pullDone();
        const t = this.env.clock.now();
        if (!r.ok) {
          const message = criErrorMessage(r);
          this.pullBackoff.next(key, t, t);
          this.lastPullError.set(key, message);
          setWaiting(w, spec.name, { reason: 'ErrImagePull', message });
          this.events.record(w.pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`, c, who);
          this.events.record(w.pod, 'Warning', 'Failed', 'Error: ErrImagePull', c, who);
          this.resyncAt(w, t + this.timings.pullErrorResyncMs);
          return done(false, c);
        }
        this.pullBackoff.reset(key);
        this.lastPullError.delete(key);
        if (this.events.enabled) {
          this.events.record(
            w.pod,
            'Normal',
            'Pulled',
            `Successfully pulled image "${image}" in ${goDuration(t - startedAt)} (${goDuration(t - enqueuedAt)} including waiting). Image size: ${r.value.sizeBytes} bytes.`,
            c,
            who,
          );
        }
        done(true, c);
      });
    });
  }

  /**
   * Image pulls run one at a time per node (serializeImagePulls, the kubelet's default): `run` starts
   * a pull when none is in flight, and calls pullDone() when it ends.
   */
  private serialPull(run: () => void): void {
    this.pullQueue.push(run);
    this.pumpPulls();
  }

  private pullDone(): void {
    this.pullInFlight = false;
    this.pumpPulls();
  }

  private pumpPulls(): void {
    if (this.pullInFlight) return;
    const job = this.pullQueue.shift();
    if (!job) return;
    this.pullInFlight = true;
    job();
  }

  private gracePeriodSeconds(w: PodWork): number {
    const pod = w.pod;
    const requested = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(requested, this.timings.minimumGracePeriodSeconds);
  }

  private killContainers(w: PodWork, containers: ContainerInfo[], ctx: TraceContext, next: (ctx: TraceContext) => void): void {
    const grace = this.gracePeriodSeconds(w);
    let left = containers.length;
    let last = ctx;
    for (const c of containers) {
      const init = (w.pod.spec.initContainers ?? []).some((s) => s.name === c.name);
      this.events.record(w.pod, 'Normal', 'Killing', `Stopping container ${c.name}`, ctx, { name: c.name, init });
      this.runtime.stopContainer(c.id, grace, ctx, this.live((_r, rc) => {
        last = rc;
        if (--left === 0) next(last);
      }));
    }
  }

  /** The containers are down: report the final status, then ask the API to remove the pod. */
  private confirmDelete(w: PodWork, ctx: TraceContext, next: (ctx: TraceContext) => void): void {
    w.deleteRequested = true;
    const pod = w.pod;
    this.report(w, ctx, this.live((_ok: boolean, sctx: TraceContext) => {
      this.env.client.request(
        {
          verb: 'delete',
          apiVersion: 'v1',
          resource: 'pods',
          namespace: pod.metadata.namespace,
          name: pod.metadata.name,
          query: { gracePeriodSeconds: 0 },
          body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: w.uid } },
        },
        sctx,
        this.live((r: ApiResponse, dctx: TraceContext) => {
          if (r.code !== 200 && r.code !== 202 && r.code !== 404) {
            w.deleteRequested = false;
            this.resyncAt(w, this.env.clock.now() + this.timings.statusRetryMs);
          }
          next(dctx);
        }),
      );
    }));
  }

  /** The pod is gone from the API: tear down its sandboxes and forget it. */
  private removePod(w: PodWork, ctx: TraceContext): void {
    const sandboxes = this.runtime.sandboxesOf(w.uid);
    this.forget(w);
    for (const s of sandboxes) this.runtime.removePodSandbox(s.id, ctx, () => {});
  }

  private forget(w: PodWork): void {
    this.env.clock.cancel(w.resync);
    this.pods.delete(w.uid);
    if (this.uidByKey.get(w.key) === w.uid) this.uidByKey.delete(w.key);
    this.status.forget(w.uid);
    this.events.forget(w.uid);
    this.crashBackoff.forgetPrefix(`${w.uid}/`);
    this.pullBackoff.forgetPrefix(`${w.uid}/`);
    for (const key of this.lastPullError.keys()) if (key.startsWith(`${w.uid}/`)) this.lastPullError.delete(key);
  }

  /** Sandboxes of pods the API no longer has (deleted while the kubelet was down) are stopped and removed. */
  private cleanupOrphans(): void {
    this.housekeeping = undefined;
    if (!this.informer?.hasSynced()) {
      this.housekeeping = this.env.clock.schedule(this.timings.housekeepingMs, this.live(() => this.cleanupOrphans()), 'kubelet-housekeeping');
      return;
    }
    const orphans = this.runtime.podUids().filter((uid) => !this.pods.has(uid));
    if (orphans.length === 0) return;
    const ctx = { traceId: this.env.log.newTraceId() };
    for (const uid of orphans) {
      for (const s of this.runtime.sandboxesOf(uid)) {
        this.runtime.stopPodSandbox(s.id, ctx, this.live((_r, c) => this.runtime.removePodSandbox(s.id, c, () => {})));
      }
    }
  }
}

/** `a` comes before `b` in the runtime's listing (containersOfPod): newest attempt first, then newest created. */
function listedBefore(a: ContainerInfo, b: ContainerInfo): boolean {
  return a.attempt > b.attempt || (a.attempt === b.attempt && a.createdAt > b.createdAt);
}

/**
 * The newest and previous instance of each container name, as the first two of that name in
 * containersOfPod's stable sort, found in one walk of the creation-ordered list instead of a sorted copy.
 * (Exported for its test.)
 */
export function instancesOf(containers: readonly ContainerInfo[]): Map<string, ContainerInstances> {
  const map = new Map<string, ContainerInstances>();
  for (const c of containers) {
    const entry = map.get(c.name);
    if (!entry) map.set(c.name, { latest: c });
    else if (listedBefore(c, entry.latest!)) {
      entry.previous = entry.latest;
      entry.latest = c;
    } else if (!entry.previous || listedBefore(c, entry.previous)) entry.previous = c;
  }
  return map;
}

/**
 * The newest instance of each name that has not exited, in the order of containersOfPod (kills go in
 * that order, and each draws from the clock's RNG). (Exported for its test.)
 */
export function liveContainers({ containers, instances }: RuntimeView): ContainerInfo[] {
  const live = containers.filter((c) => c.state !== EXITED && instances.get(c.name)?.latest === c);
  // Stable: of equal attempts and creation times, the first created stays first, as in containersOfPod.
  if (live.length > 1) live.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  return live;
}

/**
 * The pods to pass, in trigger order, each once with the context of its latest trigger: what a
 * Map<uid, context> gives, in two lists reused from drain to drain. A Map allocates a new hash table
 * on every clear() (and on the rehash its deletes lead to), in old space for a kubelet's long-lived
 * Map, and a kubelet drains after nearly every watch event. A node has few pods queued at once (at
 * most its pods), so a pod already queued is found by a scan.
 */
class PassQueue {
  private readonly uids: (string | undefined)[] = [];
  private readonly contexts: (TraceContext | undefined)[] = [];
  private count = 0;

  /** Queue `uid`, or give it this context if it is queued already (keeping its place). */
  set(uid: string, ctx: TraceContext): void {
    const n = this.count;
    for (let i = 0; i < n; i++) {
      if (this.uids[i] === uid) {
        this.contexts[i] = ctx;
        return;
      }
    }
    this.uids[n] = uid;
    this.contexts[n] = ctx;
    this.count = n + 1;
  }

  /** Each queued pod in order (none may be queued meanwhile: the kubelet queues to the other one). */
  forEach(fn: (ctx: TraceContext, uid: string) => void): void {
    for (let i = 0; i < this.count; i++) fn(this.contexts[i]!, this.uids[i]!);
  }

  /** Empty, keeping the lists' room (their slots let go of what they held). */
  clear(): void {
    for (let i = 0; i < this.count; i++) {
      this.uids[i] = undefined;
      this.contexts[i] = undefined;
    }
    this.count = 0;
  }
}

/** A new pod worker's `next` until it has its own. */
function actionInFlight(): void {}

/** The reason cache of a pod that has no reasons. */
const NO_WAITING: ReadonlyMap<string, WaitingReason> = new Map();

function setWaiting(w: PodWork, container: string, reason: WaitingReason): void {
  (w.waiting ??= new Map()).set(container, reason);
  w.waitingChanges = (w.waitingChanges ?? 0) + 1;
}

function clearWaiting(w: PodWork, container: string): void {
  if (!w.waiting?.delete(container)) return;
  if (w.waiting.size === 0) w.waiting = undefined;
  w.waitingChanges = (w.waitingChanges ?? 0) + 1;
}

/** A container failed in this pass ('' stands for the pod sandbox). */
function markFailed(w: PodWork, container: string): void {
  (w.failed ??= new Set()).add(container);
}

/** The variables every container gets for the `kubernetes` Service (enableServiceLinks). */
const SERVICE_ENV: [string, string][] = [
  ['KUBERNETES_SERVICE_HOST', '10.96.0.1'],
  ['KUBERNETES_SERVICE_PORT', '443'],
  ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
  ['KUBERNETES_PORT', 'tcp://10.96.0.1:443'],
  ['KUBERNETES_PORT_443_TCP', 'tcp://10.96.0.1:443'],
  ['KUBERNETES_PORT_443_TCP_PROTO', 'tcp'],
  ['KUBERNETES_PORT_443_TCP_PORT', '443'],
  ['KUBERNETES_PORT_443_TCP_ADDR', '10.96.0.1'],
  ['HOME', '/root'],
];
