/**
 * A node's container runtime (containerd behind the CRI), simulated: pod sandboxes with IPs from the
 * node's pod CIDR, an image store filled by pulls that take time by size, containers whose main
 * process follows its Program, graceful stops (SIGTERM, then SIGKILL after the grace period), logs.
 *
 * Every CRI call is asynchronous on the virtual clock and logged twice (`cri` entries: the call from
 * kubelet@node to runtime@node, and the reply with the call as parent). The runtime belongs to the
 * node, not to the kubelet process: when the kubelet crashes, containers keep running; a node power-off
 * stops them all.
 */
import type { Clock, ClockTask, TimerId } from '../clock';
import type { EventLog, TraceContext } from '../log';
import type { ObjectRef } from '../api/types';
import { lookupImage, pullFailureMessage, type ImageInfo } from '../images';
import { containerArgv, programFor, type ProcessContext } from './command';
import { ExecProcess, type ExecOptions, type ExecStreams } from './exec';
import type { ServingProcess } from './http-answer';
import type { PodNet } from './http-tools';
import { outputWithin, programDuration, exitCodeOf, renderLine, type OutputLine, type Program } from './program';
import { DEFAULT_RUNTIME_TIMINGS, sample, type Range, type RuntimeTimings } from './timings';
import { PodAddressPool } from './address-pool';

export type CriResult<T> = { ok: true; value: T } | { ok: false; code: 'NotFound' | 'Unknown' | 'InvalidArgument' | 'FailedPrecondition'; message: string };
export type CriDone<T> = (result: CriResult<T>, ctx: TraceContext) => void;

export interface PodSandboxConfig {
  uid: string;
  name: string;
  namespace: string;
  attempt: number;
  hostNetwork?: boolean;
  /** The pod's spec.hostname, when it sets one (an Indexed Job's pods do); else the hostname is the pod's name. */
  hostname?: string;
}

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED';

export interface Sandbox {
  readonly id: string;
  readonly podUid: string;
  readonly name: string;
  readonly namespace: string;
  readonly attempt: number;
  readonly ip: string;
  readonly createdAt: number;
  /** Set when the pod names its own hostname. */
  readonly hostname?: string;
  state: SandboxState;
}

export interface ContainerConfig {
  name: string;
  attempt: number;
  /** The image as the pod spec names it. */
  image: string;
  command?: string[];
  args?: string[];
  /** Environment in order (container env; the runtime adds HOSTNAME and PATH). */
  env: readonly [string, string][];
}

/** What ContainerStatus reports about one container instance. */
export interface ContainerInfo {
  readonly id: string;
  readonly sandboxId: string;
  readonly podUid: string;
  readonly name: string;
  readonly attempt: number;
  readonly image: string;
  readonly imageRef: string;
  readonly createdAt: number;
  state: ContainerState;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** Completed, Error, StartError (as containerd reports them). */
  reason?: string;
  message?: string;
}

interface ContainerRecord extends ContainerInfo {
  program: Program;
  /** What it was created with (an exec runs in the same context). */
  config: ContainerConfig;
  /** Processes started in it by Exec and still running (created by the first exec). */
  execs?: Set<ExecProcess>;
  exitTimer?: TimerId;
  killTimer?: TimerId;
  stopping: boolean;
  /** The StartContainer reply: an exit event continues its trace. */
  startCtx?: TraceContext;
  /** Replies owed to StopContainer calls, sent at exit (created by the first stop). */
  stopWaiters?: (() => void)[];
  /** Output printed outside the program's own schedule (on SIGTERM), at absolute times; created when there is some. */
  extra?: OutputLine[];
}

export interface PulledImage {
  /** Digest reference, reported as the container's imageID. */
  imageRef: string;
  sizeBytes: number;
}

/** An image in the node's store, with its normalized reference (the store's key): containers share both strings. */
interface StoredImage extends PulledImage {
  name: string;
}

export interface ContainerExitEvent {
  type: 'CONTAINER_STOPPED_EVENT';
  containerId: string;
  podUid: string;
  name: string;
  exitCode: number;
}

export interface RuntimeOptions {
  timings?: Partial<RuntimeTimings>;
  /** The node's pod CIDR, e.g. "10.244.1.0/24" (CRI UpdateRuntimeConfig can change it later). */
  podCIDR?: string;
  /** The node's IP, used by host-network pods. */
  hostIP?: string;
}

/** The pod a process runs in, as the pod network sees it. */
export interface PodIdentity {
  node: string;
  namespace: string;
  name: string;
  podIP: string;
}

/** The pod network as the node's processes reach it (set by the cluster: kube-proxy's rules, the other pods). */
export type PodNetworkProvider = (from: PodIdentity) => PodNet;

/** CRI Exec's answer: the streaming URL, and the process the connection to it runs. */
export interface ExecHandle {
  url: string;
  process: ExecProcess;
}

export interface LogOptions {
  tailLines?: number;
  timestamps?: boolean;
}

export class ContainerRuntime {
  readonly name: string;
  readonly timings: RuntimeTimings;
  private readonly caller: string;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly containers = new Map<string, ContainerRecord>();
  /**
   * Indexes by pod UID, so per-pod queries do not scan the node. Arrays in creation order rather than
   * Sets: a pod has a sandbox or two and a few containers, and a Set per pod costs several times more.
   */
  private readonly sandboxesByPod = new Map<string, Sandbox[]>();
  private readonly containersByPod = new Map<string, ContainerRecord[]>();
  private readonly images = new Map<string, StoredImage>();
  /** PullImage calls waiting for a fetch of the same image in progress (answered when it ends). */
  private readonly pulling = new Map<string, CriCall<PulledImage>[]>();
  private readonly listeners = new Set<(event: ContainerExitEvent, ctx: TraceContext) => void>();
  private addresses: PodAddressPool;
  private hostIP: string;
  private podNetwork: PodNetworkProvider | undefined;
  /** Bumped at every power-off: replies of operations started before it are dropped. */
  private epoch = 0;
  private up = true;

  constructor(
    private readonly clock: Clock,
    private readonly log: EventLog,
    readonly node: string,
    options: RuntimeOptions = {},
  ) {
    this.name = `runtime@${node}`;
    this.caller = `kubelet@${node}`;
    this.timings = { ...DEFAULT_RUNTIME_TIMINGS, ...options.timings };
    this.addresses = new PodAddressPool(options.podCIDR ?? '10.244.0.0/24');
    this.hostIP = options.hostIP ?? '10.0.0.1';
  }

  get running(): boolean {
    return this.up;
  }

  /** CRI UpdateRuntimeConfig: the kubelet hands over the node's pod CIDR. */
  updateRuntimeConfig(podCIDR: string, hostIP?: string): void {
    if (hostIP) this.hostIP = hostIP;
    if (podCIDR !== this.addresses.cidr) this.addresses = new PodAddressPool(podCIDR, this.addresses);
  }

  /** Subscribe to container exits (containerd's event stream); returns the unsubscribe function. */
  onContainerExit(listener: (event: ContainerExitEvent, ctx: TraceContext) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- CRI: sandboxes

  runPodSandbox(config: PodSandboxConfig, ctx: TraceContext, done: CriDone<Sandbox>): void {
    const ref = podRef(config.namespace, config.name);
    this.call('RunPodSandbox', () => `RunPodSandbox ${config.namespace}/${config.name}`, ref, ctx, this.timings.runPodSandbox, () => {
      const ip = config.hostNetwork ? this.hostIP : this.addresses.allocate();
      if (ip === undefined) {
        return fail('Unknown', `failed to setup network for sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: no IP addresses available in range set: ${this.addresses.cidr}`);
      }
      const sandbox: Sandbox = {
        id: this.newId(),
        podUid: config.uid,
        name: config.name,
        namespace: config.namespace,
        attempt: config.attempt,
        ip,
        createdAt: this.clock.now(),
        ...(config.hostname ? { hostname: config.hostname } : {}),
        state: 'SANDBOX_READY',
      };
      this.sandboxes.set(sandbox.id, sandbox);
      indexAdd(this.sandboxesByPod, sandbox.podUid, sandbox);
      return { ok: true, value: sandbox };
    }, done, describeSandbox);
  }

  stopPodSandbox(sandboxId: string, ctx: TraceContext, done: CriDone<void>): void {
    const sandbox = this.sandboxes.get(sandboxId);
    const ref = sandbox ? podRef(sandbox.namespace, sandbox.name) : undefined;
    this.call('StopPodSandbox', () => `StopPodSandbox ${short(sandboxId)}`, ref, ctx, this.timings.stopPodSandbox, () => {
      const current = this.sandboxes.get(sandboxId);
      if (current && current.state === 'SANDBOX_READY') {
        current.state = 'SANDBOX_NOTREADY';
        if (current.ip !== this.hostIP) this.addresses.release(current.ip);
      }
      for (const c of current ? this.containersByPod.get(current.podUid) ?? [] : []) if (c.sandboxId === sandboxId) this.kill(c);
      return { ok: true, value: undefined };
    }, done);
  }

  removePodSandbox(sandboxId: string, ctx: TraceContext, done: CriDone<void>): void {
    const sandbox = this.sandboxes.get(sandboxId);
    const ref = sandbox ? podRef(sandbox.namespace, sandbox.name) : undefined;
    this.call('RemovePodSandbox', () => `RemovePodSandbox ${short(sandboxId)}`, ref, ctx, this.timings.removePodSandbox, () => {
      const current = this.sandboxes.get(sandboxId);
      if (current?.state === 'SANDBOX_READY' && current.ip !== this.hostIP) this.addresses.release(current.ip);
      for (const c of current ? [...(this.containersByPod.get(current.podUid) ?? [])] : []) {
        if (c.sandboxId !== sandboxId) continue;
        this.kill(c);
        this.dropContainer(c);
      }
      if (current) indexDelete(this.sandboxesByPod, current.podUid, current);
      this.sandboxes.delete(sandboxId);
      return { ok: true, value: undefined };
    }, done);
  }

  // ---------------------------------------------------------------- CRI: images

  /** ImageStatus, answered locally (no log entry): is the image in the store? */
  imageStatus(image: string): PulledImage | undefined {
    const lookup = lookupImage(image);
    return lookup.status === 'found' ? this.images.get(lookup.reference.normalized) : undefined;
  }

  /** Images in the store, as NodeStatus.images lists them. */
  listImages(): { names: string[]; sizeBytes: number }[] {
    return [...this.images.entries()].map(([name, img]) => ({ names: [img.imageRef, name], sizeBytes: img.sizeBytes }));
  }

  pullImage(image: string, ref: ObjectRef | undefined, ctx: TraceContext, done: CriDone<PulledImage>): void {
    const lookup = lookupImage(image);
    const call = new CriCall(this, this.epoch, 'PullImage', this.logCall('PullImage', () => `PullImage ${image}`, ref, ctx), ref, ctx, undefined, done, (v) => `pulled ${image} (${v.sizeBytes} bytes)`);
    const resolve = sample(this.clock.rng, this.timings.resolveManifest);
    if (lookup.status === 'invalid') {
      call.result = fail('InvalidArgument', lookup.error);
      this.clock.scheduleTask(0, call);
      return;
    }
    if (lookup.status !== 'found') {
      const why = pullFailureMessage(lookup);
      call.result = fail(why.code, why.desc);
      this.clock.scheduleTask(resolve, call);
      return;
    }
    const key = lookup.reference.normalized;
    const pulled: StoredImage = { name: key, imageRef: lookup.imageRef, sizeBytes: lookup.tag.sizeBytes };
    call.result = { ok: true, value: pulled };
    if (this.images.has(key)) {
      this.clock.scheduleTask(resolve, call);
      return;
    }
    // containerd fetches each layer once: a second pull of the same image waits for the first.
    const waiters = this.pulling.get(key);
    if (waiters) {
      waiters.push(call);
      return;
    }
    this.pulling.set(key, [call]);
    const bytes = lookup.tag.sizeBytes;
    const duration = resolve + Math.ceil(bytes / this.timings.pullBytesPerMs) + Math.ceil(bytes / this.timings.unpackBytesPerMs);
    const epoch = this.epoch;
    this.clock.schedule(duration, () => {
      if (epoch !== this.epoch) return;
      this.images.set(key, pulled);
      const all = this.pulling.get(key) ?? [];
      this.pulling.delete(key);
      for (const waiting of all) waiting.run();
    }, 'cri');
  }

  /** Remove every image (a new node, or a lesson that wants pulls again). */
  clearImages(): void {
    this.images.clear();
  }

  // ---------------------------------------------------------------- CRI: containers

  createContainer(sandboxId: string, config: ContainerConfig, ctx: TraceContext, done: CriDone<ContainerInfo>): void {
    const sandbox = this.sandboxes.get(sandboxId);
    const ref = sandbox ? podRef(sandbox.namespace, sandbox.name) : undefined;
    this.call('CreateContainer', () => `CreateContainer ${config.name} (attempt ${config.attempt})`, ref, ctx, this.timings.createContainer, () => {
      const sb = this.sandboxes.get(sandboxId);
      if (!sb || sb.state !== 'SANDBOX_READY') return fail('NotFound', `failed to get sandbox "${sandboxId}": not found`);
      const lookup = lookupImage(config.image);
      const stored = lookup.status === 'found' ? this.images.get(lookup.reference.normalized) : undefined;
      if (lookup.status !== 'found' || !stored) {
        return fail('NotFound', `failed to get image "${config.image}": image not found`);
      }
      const program = this.programOf(lookup.image, lookup.tag.version, config, sb);
      this.pruneOldInstances(sb.podUid, config.name);
      const record: ContainerRecord = {
        config,
        id: this.newId(),
        sandboxId,
        podUid: sb.podUid,
        name: config.name,
        attempt: config.attempt,
        // The store's strings (equal to this lookup's): every container of the image shares one copy.
        image: stored.name,
        imageRef: stored.imageRef,
        createdAt: this.clock.now(),
        state: 'CONTAINER_CREATED',
        program,
        stopping: false,
      };
      this.containers.set(record.id, record);
      indexAdd(this.containersByPod, record.podUid, record);
      return { ok: true, value: record };
    }, done, describeCreated);
  }

  startContainer(containerId: string, ctx: TraceContext, done: CriDone<ContainerInfo>): void {
    const record = this.containers.get(containerId);
    const ref = this.refOf(record);
    this.call('StartContainer', () => `StartContainer ${record?.name ?? short(containerId)}`, ref, ctx, this.timings.startContainer, () => {
      const c = this.containers.get(containerId);
      if (!c || c.state !== 'CONTAINER_CREATED') return fail('FailedPrecondition', `container ${containerId} is not in created state`);
      if (c.program.startError) {
        c.state = 'CONTAINER_EXITED';
        c.startedAt = this.clock.now();
        c.finishedAt = this.clock.now();
        c.exitCode = 128;
        c.reason = 'StartError';
        c.message = c.program.startError;
        return fail('Unknown', c.program.startError);
      }
      c.state = 'CONTAINER_RUNNING';
      c.startedAt = this.clock.now();
      return { ok: true, value: c };
    }, (result, replyCtx) => {
      const c = this.containers.get(containerId);
      if (result.ok && c) {
        c.startCtx = replyCtx;
        const duration = programDuration(c.program);
        if (duration !== undefined) {
          c.exitTimer = this.clock.schedule(Math.max(duration, this.timings.processMinMs), () => {
            c.exitTimer = undefined;
            this.exit(c, exitCodeOf(c.program) ?? 0);
          }, 'container-exit');
        }
      }
      done(result, replyCtx);
    }, describeRunning);
  }

  /**
   * StopContainer: SIGTERM, then SIGKILL once `timeoutSeconds` pass (exit code 137). Replies when the
   * container has exited.
   */
  stopContainer(containerId: string, timeoutSeconds: number, ctx: TraceContext, done: CriDone<ContainerInfo>): void {
    const record = this.containers.get(containerId);
    const ref = this.refOf(record);
    const callSeq = this.logCall('StopContainer', () => `StopContainer ${record?.name ?? short(containerId)} (timeout ${timeoutSeconds}s)`, ref, ctx, timeoutSeconds);
    const call = new CriCall(this, this.epoch, 'StopContainer', callSeq, ref, ctx, undefined, done, describeExited);
    const epoch = this.epoch;
    const reply = (result: CriResult<ContainerInfo>) => this.reply(call, result);
    this.clock.schedule(sample(this.clock.rng, this.timings.signalContainer), () => {
      if (epoch !== this.epoch) return;
      const c = this.containers.get(containerId);
      if (!c) return reply(fail('NotFound', `an error occurred when try to find container "${containerId}": not found`));
      if (c.state !== 'CONTAINER_RUNNING') {
        if (c.state === 'CONTAINER_CREATED') this.exit(c, 0, 'Completed');
        return reply({ ok: true, value: c });
      }
      (c.stopWaiters ??= []).push(() => reply({ ok: true, value: c }));
      if (c.stopping) return;
      c.stopping = true;
      const term = c.program.onSigterm;
      const graceMs = Math.max(0, timeoutSeconds) * 1000;
      if (term !== 'ignore' && term.afterMs < graceMs) {
        const now = this.clock.now() - (c.startedAt ?? 0);
        if (term.lines.length > 0) {
          const extra = (c.extra ??= []);
          term.lines.forEach((text, i) => extra.push({ at: now + i, text }));
        }
        this.cancelTimers(c);
        c.exitTimer = this.clock.schedule(term.afterMs, () => this.exit(c, term.exit), 'container-exit');
      }
      c.killTimer = this.clock.schedule(graceMs, () => this.exit(c, 137, 'Error'), 'container-kill');
    }, 'cri');
  }

  /**
   * CRI Exec: run `argv` in the running container `containerId`. The runtime answers with the URL of its
   * streaming server; the process starts when the answer is out, writing to `streams`.
   */
  exec(containerId: string, argv: string[], options: ExecOptions, streams: ExecStreams, ctx: TraceContext, done: CriDone<ExecHandle>): void {
    const record = this.containers.get(containerId);
    const ref = this.refOf(record);
    const flags = [options.stdin && 'stdin', options.tty && 'tty'].filter(Boolean).join(', ');
    this.call('Exec', () => `Exec ${JSON.stringify(argv)} in ${record?.name ?? short(containerId)}${flags ? ` (${flags})` : ''}`, ref, ctx, this.timings.exec, () => {
      const c = this.containers.get(containerId);
      const sandbox = c && this.sandboxes.get(c.sandboxId);
      const image = c && imageOf(c);
      if (!c || c.state !== 'CONTAINER_RUNNING' || !sandbox || !image) return fail('NotFound', `container "${containerId}" is not running`);
      const env = new Map([['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['HOSTNAME', sandbox.name]]);
      for (const [k, v] of c.config.env) env.set(k, v);
      const net = this.podNetwork?.({ node: this.node, namespace: sandbox.namespace, name: sandbox.name, podIP: sandbox.ip });
      const context: ProcessContext = { image: image.image, version: image.tag.version, hostname: sandbox.name, podIP: sandbox.ip, env, net, tty: options.tty };
      const execs = (c.execs ??= new Set());
      const process: ExecProcess = new ExecProcess(this.clock, { argv, options, context, tag: image.reference.tag, execId: this.clock.rng.hex(8) }, {
        write: (stream, text) => streams.write(stream, text),
        end: (result) => {
          execs.delete(process);
          streams.end(result);
        },
      });
      execs.add(process);
      return { ok: true, value: { url: `http://127.0.0.1:${this.streamingPort()}/exec/${this.clock.rng.hex(1)}`, process } };
    }, (result, replyCtx) => {
      done(result, replyCtx);
      if (result.ok && result.value.process.running) result.value.process.start();
    }, (h) => `streaming URL ${h.url}`);
  }

  /** The pod network the node's exec'd processes use (the cluster sets it). */
  setPodNetwork(provider: PodNetworkProvider | undefined): void {
    this.podNetwork = provider;
  }

  /** The main processes of a pod's running containers: what answers a connection to the pod. */
  servingProcesses(podUid: string): ServingProcess[] {
    const out: ServingProcess[] = [];
    for (const c of this.containersByPod.get(podUid) ?? []) {
      const sandbox = this.sandboxes.get(c.sandboxId);
      const image = imageOf(c);
      if (c.state !== 'CONTAINER_RUNNING' || !sandbox || sandbox.state !== 'SANDBOX_READY' || !image) continue;
      const env = new Map([['HOSTNAME', sandbox.name], ...c.config.env]);
      out.push({ image: image.image, version: image.tag.version, argv: containerArgv(c.config, image.image, env), env, hostname: sandbox.name, podIP: sandbox.ip });
    }
    return out;
  }

  /** containerd's streaming server listens on a random port of 127.0.0.1, chosen once per runtime. */
  private streamingPortNumber: number | undefined;
  private streamingPort(): number {
    return (this.streamingPortNumber ??= 32768 + this.clock.rng.int(28000));
  }

  removeContainer(containerId: string, ctx: TraceContext, done: CriDone<void>): void {
    const ref = this.refOf(this.containers.get(containerId));
    this.call('RemoveContainer', () => `RemoveContainer ${short(containerId)}`, ref, ctx, this.timings.removeContainer, () => {
      const c = this.containers.get(containerId);
      if (c) {
        this.kill(c);
        this.dropContainer(c);
      }
      return { ok: true, value: undefined };
    }, done);
  }

  // ---------------------------------------------------------------- queries (local, unlogged)

  /** ListPodSandbox filtered by pod UID, newest first. */
  sandboxesOf(podUid: string): Sandbox[] {
    return [...(this.sandboxesByPod.get(podUid) ?? [])].sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
  }

  /** The first of sandboxesOf(podUid), without building and sorting the list (the kubelet asks on every pass). */
  newestSandboxOf(podUid: string): Sandbox | undefined {
    let newest: Sandbox | undefined;
    for (const s of this.sandboxesByPod.get(podUid) ?? []) {
      // Strictly newer only: of equals, the first created wins, as in the stable sort of sandboxesOf.
      if (!newest || s.createdAt > newest.createdAt || (s.createdAt === newest.createdAt && s.attempt > newest.attempt)) newest = s;
    }
    return newest;
  }

  /** ListContainers of a sandbox, newest attempt first per name. */
  containersOf(sandboxId: string): ContainerInfo[] {
    const sandbox = this.sandboxes.get(sandboxId);
    return [...(sandbox ? this.containersByPod.get(sandbox.podUid) ?? [] : [])].filter((c) => c.sandboxId === sandboxId).sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  }

  /** Every container of a pod (all its sandboxes), newest attempt first. */
  containersOfPod(podUid: string): ContainerInfo[] {
    return [...(this.containersByPod.get(podUid) ?? [])].sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  }

  /**
   * Every container of a pod in creation order, the runtime's own list (no copy, unsorted): for a
   * caller that reads it at once, as the kubelet does on every pass.
   */
  podContainers(podUid: string): readonly ContainerInfo[] {
    return this.containersByPod.get(podUid) ?? NO_CONTAINERS;
  }

  containerStatus(containerId: string): ContainerInfo | undefined {
    return this.containers.get(containerId);
  }

  /** Pod UIDs that have sandboxes on this node (what survives a kubelet restart). */
  podUids(): string[] {
    return [...this.sandboxesByPod.keys()];
  }

  /** The container's log as the kubelet's log files hold it. */
  containerLogs(containerId: string, options: LogOptions = {}): string {
    const c = this.containers.get(containerId);
    if (!c || c.startedAt === undefined) return '';
    const until = (c.finishedAt ?? this.clock.now()) - c.startedAt;
    const tail = options.tailLines;
    const extra = c.extra ?? [];
    let lines = outputWithin(c.program, until, tail !== undefined && tail >= 0 ? tail + extra.length : undefined);
    if (extra.length > 0) lines = [...lines, ...extra.filter((l) => l.at <= until)].sort((a, b) => a.at - b.at);
    if (tail !== undefined && tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
    const start = c.startedAt;
    return lines
      .map((l) => {
        const text = renderLine(l.text, this.clock.wallMs(start + l.at));
        return options.timestamps ? `${nanoTimestamp(this.clock.isoMicro(start + l.at))} ${text}\n` : `${text}\n`;
      })
      .join('');
  }

  // ---------------------------------------------------------------- the machine

  /** The node loses power: every process dies, sandboxes are torn down, in-flight calls never answer. */
  powerOff(): void {
    if (!this.up) return;
    this.up = false;
    this.epoch++;
    for (const c of this.containers.values()) {
      this.cancelTimers(c);
      this.endExecs(c, false);
      if (c.state !== 'CONTAINER_EXITED') {
        c.state = 'CONTAINER_EXITED';
        c.finishedAt = this.clock.now();
        c.exitCode = 255;
        c.reason = 'Unknown';
        c.stopWaiters = undefined;
      }
    }
    for (const s of this.sandboxes.values()) s.state = 'SANDBOX_NOTREADY';
    this.addresses.reset();
    this.pulling.clear();
  }

  /** Power back on: the image store (on disk) survives; containers and sandboxes stay exited. */
  powerOn(): void {
    this.up = true;
  }

  // ---------------------------------------------------------------- internals

  /** The container's Program (its environment is built only if something reads it: see LazyEnvContext). */
  private programOf(image: ImageInfo, version: string | undefined, config: ContainerConfig, sandbox: Sandbox): Program {
    const ctx = new LazyEnvContext(image, version, sandbox, config);
    return programFor(containerArgv(config, image, ctx.envOf), ctx);
  }

  /** Container GC: keep the newest exited instance of a name (for `logs --previous`), drop older ones. */
  private pruneOldInstances(podUid: string, name: string): void {
    const all = this.containersByPod.get(podUid) ?? NO_CONTAINERS;
    // Most creations (a pod's first start, a first restart) have fewer than two to compare: no copies.
    let exited = 0;
    for (let i = 0; i < all.length; i++) if (all[i].name === name && all[i].state === 'CONTAINER_EXITED') exited++;
    if (exited < 2) return;
    const same = (this.containersByPod.get(podUid) ?? []).filter((c) => c.name === name && c.state === 'CONTAINER_EXITED');
    same.sort((a, b) => b.attempt - a.attempt);
    for (const old of same.slice(1)) this.dropContainer(old);
  }

  private dropContainer(c: ContainerRecord): void {
    this.containers.delete(c.id);
    indexDelete(this.containersByPod, c.podUid, c);
  }

  /** SIGKILL on the kubelet's behalf (sandbox teardown): no exit event, the caller knows. */
  private kill(c: ContainerRecord): void {
    if (c.state === 'CONTAINER_EXITED') return;
    c.stopping = true;
    this.exit(c, 137, 'Error');
  }

  private exit(c: ContainerRecord, exitCode: number, reason?: string): void {
    if (c.state === 'CONTAINER_EXITED') return;
    this.cancelTimers(c);
    this.endExecs(c, true);
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = this.clock.now();
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    const waiters = c.stopWaiters ?? [];
    c.stopWaiters = undefined;
    for (const w of waiters) w();
    if (this.listeners.size > 0 && !c.stopping) {
      const ctx = c.startCtx ?? { traceId: this.log.newTraceId() };
      const entry = this.log.append({
        t: this.clock.now(),
        traceId: ctx.traceId,
        parentId: ctx.parentId,
        from: this.name,
        to: this.caller,
        kind: 'cri',
        objectRef: this.refOf(c),
        summary: `ContainerEvent CONTAINER_STOPPED_EVENT ${c.name} (exit code ${exitCode})`,
        detail: { method: 'GetContainerEvents', containerId: c.id, exitCode, reason: c.reason },
      });
      const event: ContainerExitEvent = { type: 'CONTAINER_STOPPED_EVENT', containerId: c.id, podUid: c.podUid, name: c.name, exitCode };
      for (const listener of [...this.listeners]) listener(event, { traceId: ctx.traceId, parentId: entry.seq });
    }
  }

  /**
   * The container's processes die with it: its execs end killed (exit code 137) when it stops; when the
   * machine loses power nothing is left to report anything, and they just stop.
   */
  private endExecs(c: ContainerRecord, report: boolean): void {
    if (!c.execs || c.execs.size === 0) return;
    const execs = [...c.execs];
    c.execs.clear();
    for (const e of execs) {
      if (report) e.terminate(137);
      else e.kill();
    }
  }

  private cancelTimers(c: ContainerRecord): void {
    this.clock.cancel(c.exitTimer);
    this.clock.cancel(c.killTimer);
    c.exitTimer = undefined;
    c.killTimer = undefined;
  }

  private refOf(c: ContainerInfo | undefined): ObjectRef | undefined {
    const sb = c && this.sandboxes.get(c.sandboxId);
    return sb ? podRef(sb.namespace, sb.name) : undefined;
  }

  private newId(): string {
    return this.clock.rng.hex(8);
  }

  /**
   * One CRI round trip: log the call, wait `latency`, run `work`, log the reply, call back. The call
   * is one object, the clock's task: many are in flight at once, long enough to outlive a scavenge.
   */
  private call<T>(method: string, summary: () => string, ref: ObjectRef | undefined, ctx: TraceContext, latency: Range, work: () => CriResult<T>, done: CriDone<T>, describe?: (value: T) => string): void {
    const call = new CriCall(this, this.epoch, method, this.logCall(method, summary, ref, ctx), ref, ctx, work, done, describe);
    this.clock.scheduleTask(sample(this.clock.rng, latency), call);
  }

  /** CriCall's run(): the call's latency has passed; do its work and reply (nothing after a power-off since the call). */
  answer<T>(call: CriCall<T>): void {
    if (call.epoch !== this.epoch) return;
    this.reply(call, call.result ?? call.work!());
  }

  /** Log the runtime's reply to `call` and hand `result` to the caller, unless the node lost power since the call. */
  private reply<T>(call: CriCall<T>, result: CriResult<T>): void {
    if (call.epoch !== this.epoch) return;
    const { ctx } = call;
    const replySeq = this.logReply(call.method, call.ref, ctx.traceId, call.callSeq, result, call.describe);
    call.done(result, { traceId: ctx.traceId, parentId: replySeq });
  }

  /**
   * Log a CRI call from the kubelet; returns its seq. `timeout` is StopContainer's. The entry (and
   * its summary) is built only when someone records the log; otherwise only its seq is taken, so the
   * replies' causal links are the same either way.
   */
  private logCall(method: string, summary: () => string, ref: ObjectRef | undefined, ctx: TraceContext, timeout?: number): number {
    if (!this.log.recording) return this.log.takeSeq();
    return this.log.append({
      t: this.clock.now(),
      traceId: ctx.traceId,
      parentId: ctx.parentId,
      from: this.caller,
      to: this.name,
      kind: 'cri',
      objectRef: ref,
      summary: summary(),
      detail: timeout === undefined ? { method } : { method, timeout },
    }).seq;
  }

  /** Log the runtime's reply to the call `callSeq`; returns its seq. */
  private logReply<T>(method: string, ref: ObjectRef | undefined, traceId: string, callSeq: number, result: CriResult<T>, describe?: (value: T) => string): number {
    if (!this.log.recording) return this.log.takeSeq();
    return this.log.append({
      t: this.clock.now(),
      traceId,
      parentId: callSeq,
      from: this.name,
      to: this.caller,
      kind: 'cri',
      objectRef: ref,
      summary: result.ok
        ? `${method} OK${describe ? `: ${describe(result.value)}` : ''}`
        : `${method} failed: ${criErrorMessage(result)}`,
      detail: result.ok ? { method } : { method, code: result.code, error: result.message },
    }).seq;
  }
}

/**
 * One CRI call in flight, and the clock's task that answers it when the runtime's latency has
 * passed: one object per call instead of a timer, its closure and reply closures.
 */
class CriCall<T> implements ClockTask {
  /** The answer when known at the call (PullImage); otherwise `work` makes it when the call runs. */
  result: CriResult<T> | undefined = undefined;

  constructor(
    private readonly runtime: ContainerRuntime,
    /** The runtime's epoch at the call: a power-off since then drops the reply. */
    readonly epoch: number,
    readonly method: string,
    /** The call's log entry: the reply's parent. */
    readonly callSeq: number,
    readonly ref: ObjectRef | undefined,
    readonly ctx: TraceContext,
    readonly work: (() => CriResult<T>) | undefined,
    readonly done: CriDone<T>,
    readonly describe: ((value: T) => string) | undefined,
  ) {}

  run(): void {
    this.runtime.answer(this);
  }
}

/**
 * A container's process context whose environment (what the runtime sets, then the container's own
 * variables in order) is built on first use: most containers (no $(VAR) to expand, no shell, an image
 * whose program needs no variable) never read it, and a Map of a dozen variables per container start
 * adds up on a big cluster. A class, not an object literal with a getter (which V8 builds slowly).
 */
class LazyEnvContext implements ProcessContext {
  readonly hostname: string;
  readonly podIP: string;
  private vars: Map<string, string> | undefined;

  constructor(
    readonly image: ImageInfo,
    readonly version: string | undefined,
    sandbox: Sandbox,
    private readonly config: ContainerConfig,
  ) {
    this.hostname = sandbox.hostname ?? sandbox.name;
    this.podIP = sandbox.ip;
  }

  get env(): Map<string, string> {
    if (this.vars === undefined) {
      this.vars = new Map([['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['HOSTNAME', this.hostname]]);
      for (const [k, v] of this.config.env) this.vars.set(k, v);
    }
    return this.vars;
  }

  /** `env` as a function, for containerArgv. */
  readonly envOf = (): Map<string, string> => this.env;
}

/** The error string the kubelet sees from a failed CRI call. */
export function criErrorMessage(result: { code: string; message: string }): string {
  return `rpc error: code = ${result.code} desc = ${result.message}`;
}

function fail(code: Extract<CriResult<unknown>, { ok: false }>['code'], message: string): CriResult<never> {
  return { ok: false, code, message };
}

function indexAdd<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}

function indexDelete<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (!list) return;
  const at = list.indexOf(value);
  if (at < 0) return;
  if (list.length === 1) index.delete(key);
  else list.splice(at, 1);
}

const NO_CONTAINERS: readonly ContainerInfo[] = [];

/** The catalog's entry for a container's image (the lookup is cached). */
function imageOf(c: ContainerRecord): Extract<ReturnType<typeof lookupImage>, { status: 'found' }> | undefined {
  const lookup = lookupImage(c.config.image);
  return lookup.status === 'found' ? lookup : undefined;
}

/** Reply summaries, shared rather than a closure per call. */
const describeSandbox = (s: Sandbox): string => `sandbox ${short(s.id)} ready, IP ${s.ip}`;
const describeCreated = (c: ContainerInfo): string => `container ${short(c.id)} created`;
const describeRunning = (c: ContainerInfo): string => `container ${short(c.id)} running`;
const describeExited = (c: ContainerInfo): string => `container ${short(c.id)} exited with ${c.exitCode}`;

function podRef(namespace: string, name: string): ObjectRef {
  return { resource: 'pods', namespace, name };
}

function short(id: string): string {
  return id.slice(0, 13);
}

/** "…T00:00:05.123000Z" → "…T00:00:05.123000000Z" (the kubelet's RFC 3339 nano log timestamps). */
function nanoTimestamp(micro: string): string {
  return micro.replace(/Z$/, '000Z');
}
