/**
 * Owns the lab cluster's lifecycle in the editor: Start / Stop / Reset, the `k8sLab.running` context key,
 * the real-time driver that advances the cluster's virtual clock with wall time × speed, the snapshot that
 * survives a window reload, the component log in the output channel, and the HTTP API for kubectl with
 * KUBECONFIG for new integrated terminals.
 *
 * The cluster is created lazily, on Start (never at activation). Views subscribe to `onDidChangeState`
 * (committed state changed; at most 10 times a second) and `onDidTick` (virtual time moved; 4 times a second).
 */
import * as vscode from 'vscode';
import type { ApiRequest, ApiResponse } from '../sim/api/request';
import type { KubeObject, ObjectRef } from '../sim/api/types';
import { Cluster, type ApplyResult } from '../sim/cluster';
import { FAST_FORWARD, RealtimeDriver, formatSpeed } from '../sim/realtime';
import { restoredSeed, restoreInto, type LabSnapshot } from '../sim/snapshot';
import { BOOT_LEAD_MS, wallClockEpoch, wallClockLag } from '../server/node-host';
import { ComponentLog } from './component-log';
import { clusterOptions, type LabTopology, type PresetName } from './lab-cluster';
import { readLabState } from './lab-state';
import { LabPersistence } from './persistence';
import { LabServerHost } from './server-host';
import { Throttle } from './throttle';
import { TreeModel, type LabState } from './tree/model';
import { labFaults, reapplyFaults, type FaultKind, type Faults } from './faults';

type Timer = ReturnType<typeof setTimeout>;

const SPEED_KEY = 'k8sLab.speed';
const TOPOLOGY_KEY = 'k8sLab.topology';
const WAS_RUNNING_KEY = 'k8sLab.wasRunning';

interface Running {
  cluster: Cluster;
  driver: RealtimeDriver<Timer>;
  topology: LabTopology;
  faults: Faults;
  disposers: (() => void)[];
}

export interface StartOptions {
  preset?: PresetName;
  /** Ignore any saved snapshot and start a fresh cluster. */
  fresh?: boolean;
}

export class LabController implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly onDidChangeRunningEmitter = new vscode.EventEmitter<boolean>();
  private readonly onDidChangeClusterEmitter = new vscode.EventEmitter<Cluster | undefined>();
  private readonly onDidChangeStateEmitter = new vscode.EventEmitter<void>();
  private readonly onDidTickEmitter = new vscode.EventEmitter<void>();
  private readonly onDidChangeSpeedEmitter = new vscode.EventEmitter<number>();
  readonly onDidChangeRunning = this.onDidChangeRunningEmitter.event;
  /** The cluster was created, replaced (reset) or removed (stop). */
  readonly onDidChangeCluster = this.onDidChangeClusterEmitter.event;
  /** Committed state changed (throttled to at most 10 per second). */
  readonly onDidChangeState = this.onDidChangeStateEmitter.event;
  /** Virtual time advanced (throttled to 4 per second). */
  readonly onDidTick = this.onDidTickEmitter.event;
  readonly onDidChangeSpeed = this.onDidChangeSpeedEmitter.event;
  readonly persistence: LabPersistence;
  private readonly componentLog: ComponentLog;
  private readonly server: LabServerHost;
  private running: Running | undefined;
  private starting: Promise<void> | undefined;
  private readonly reportedErrors = new Set<string>();
  private cachedState: LabState | undefined;
  private cachedModel: TreeModel | undefined;
  private readonly stateThrottle = new Throttle(() => this.stateChanged(), 100);
  private readonly tickThrottle = new Throttle(() => this.onDidTickEmitter.fire(), 250);

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.persistence = new LabPersistence(context, log);
    this.componentLog = new ComponentLog(log);
    this.server = new LabServerHost(context, log);
    this.disposables.push(
      this.onDidChangeRunningEmitter, this.onDidChangeClusterEmitter, this.onDidChangeStateEmitter, this.onDidTickEmitter,
      this.onDidChangeSpeedEmitter, this.componentLog, this.server,
      vscode.commands.registerCommand('k8sLab.start', () => this.start()),
      vscode.commands.registerCommand('k8sLab.stop', () => this.stop()),
      vscode.commands.registerCommand('k8sLab.showOutput', () => log.show(true)),
    );
    void this.setRunning(false);
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The running cluster, or undefined when the lab is stopped. */
  get cluster(): Cluster | undefined {
    return this.running?.cluster;
  }

  get driver(): RealtimeDriver<Timer> | undefined {
    return this.running?.driver;
  }

  get topology(): LabTopology | undefined {
    return this.running?.topology;
  }

  /** The fault API of the running cluster. */
  get faults(): Faults | undefined {
    return this.running?.faults;
  }

  /** URL, kubeconfig and token of the HTTP API for kubectl, once it listens. */
  get serverInfo(): { url: string; kubeconfigPath: string; token: string } | undefined {
    return this.server.info;
  }

  /** The speed virtual time runs at (0 paused, Infinity fast-forward). */
  get speed(): number {
    return this.running?.driver.speed ?? this.savedSpeed();
  }

  get speedLabel(): string {
    return formatSpeed(this.speed);
  }

  /** Whether the lab ran when the window closed (it is then restored after activation). */
  get wasRunning(): boolean {
    return this.context.workspaceState.get<boolean>(WAS_RUNNING_KEY, false);
  }

  setSpeed(speed: number): void {
    void this.context.workspaceState.update(SPEED_KEY, speed === FAST_FORWARD ? 'fast-forward' : speed);
    this.running?.driver.setSpeed(speed);
    this.onDidChangeSpeedEmitter.fire(speed);
    this.tickThrottle.schedule();
  }

  private savedSpeed(): number {
    const saved = this.context.workspaceState.get<number | string>(SPEED_KEY, 1);
    return saved === 'fast-forward' ? FAST_FORWARD : typeof saved === 'number' && saved >= 0 ? saved : 1;
  }

  /** The lab's state as the views show it (cached until the next change). */
  state(): LabState | undefined {
    if (!this.running) return undefined;
    return (this.cachedState ??= readLabState(this.running.cluster, this.running.faults));
  }

  /** The Cluster view's model of the current state. */
  model(): TreeModel | undefined {
    const state = this.state();
    if (!state) return undefined;
    return (this.cachedModel ??= new TreeModel(state));
  }

  get(ref: ObjectRef): KubeObject | undefined {
    return this.running?.cluster.read.get(ref.resource, ref.namespace, ref.name);
  }

  list<T extends KubeObject = KubeObject>(resource: string, namespace?: string): T[] {
    return this.running?.cluster.read.list<T>(resource, namespace) ?? [];
  }

  async start(options: StartOptions = {}): Promise<void> {
    if (this.running) return;
    if (this.starting) return this.starting;
    this.starting = this.boot(options).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async boot(options: StartOptions): Promise<void> {
    const saved = this.context.workspaceState.get<LabTopology>(TOPOLOGY_KEY);
    let topology: LabTopology = { preset: options.preset ?? saved?.preset ?? 'default', seed: saved?.seed ?? 1 };
    let snapshot: LabSnapshot<LabTopology> | undefined;
    if (!options.fresh) {
      snapshot = await this.persistence.load();
      if (snapshot && options.preset && snapshot.topology.preset !== options.preset) snapshot = undefined;
      if (snapshot) topology = snapshot.topology;
    }
    const began = performance.now();
    this.reportedErrors.clear();
    const cluster = new Cluster({
      ...clusterOptions(topology),
      seed: snapshot ? restoredSeed(topology.seed, snapshot) : topology.seed,
      // A restored lab keeps the epoch its timestamps were written with; a new one starts at the wall time.
      epochMs: snapshot ? snapshot.epochMs : wallClockEpoch(Date.now(), BOOT_LEAD_MS),
    });
    if (snapshot) restoreInto(cluster, snapshot);
    this.componentLog.attach(cluster.log);
    cluster.start();
    const faults = labFaults(cluster);
    if (snapshot) reapplyFaults(faults, snapshot.faults, (msg) => this.log.warn(msg));
    const driver = new RealtimeDriver<Timer>(cluster.clock, {
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t),
      now: () => performance.now(),
    }, this.savedSpeed(), { onError: (error) => this.componentError(error) });
    // A new lab's clock started BOOT_LEAD_MS in the past: run (fast) until it meets the wall clock.
    const lag = snapshot ? 0 : wallClockLag(cluster.clock);
    if (lag > 0) driver.runFor(lag);
    const disposers = [
      cluster.read.subscribe(() => {
        this.stateThrottle.schedule();
        this.persistence.changed();
      }),
      driver.onDidAdvance(() => this.tickThrottle.schedule()),
      () => driver.dispose(),
    ];
    this.running = { cluster, driver, topology, faults, disposers };
    this.persistence.attach(() => this.snapshotInputs());
    void this.context.workspaceState.update(TOPOLOGY_KEY, topology);
    void this.context.workspaceState.update(WAS_RUNNING_KEY, true);
    this.cachedState = undefined;
    this.cachedModel = undefined;
    this.log.info(`Lab cluster ${snapshot ? 'restored from its snapshot' : 'started'}: preset ${topology.preset}, ${cluster.masters.length} masters and ${cluster.workers.length} workers, booted in ${(performance.now() - began).toFixed(0)} ms (virtual ${cluster.clock.now().toFixed(0)} ms), speed ${formatSpeed(driver.speed)}`);
    await this.setRunning(true);
    this.onDidChangeClusterEmitter.fire(cluster);
    await this.server.start(cluster, driver, faults);
  }

  /** What the persistence layer saves: the running cluster, its topology and faults. */
  private snapshotInputs(): { cluster: Cluster; topology: LabTopology; faults: { kind: string; name: string }[] } | undefined {
    const r = this.running;
    return r ? { cluster: r.cluster, topology: r.topology, faults: [...r.faults.list()] } : undefined;
  }

  /** Stop the lab; its state is saved first (Start brings it back) unless `discard`. */
  async stop(discard = false): Promise<void> {
    await this.starting;
    const r = this.running;
    if (!r) return;
    this.log.info('Stopping the lab cluster');
    if (discard) await this.persistence.discard();
    else await this.persistence.saveNow();
    this.persistence.detach();
    await this.server.stop();
    this.componentLog.detach();
    for (const d of r.disposers.splice(0)) d();
    this.running = undefined;
    this.cachedState = undefined;
    this.cachedModel = undefined;
    this.stateThrottle.dispose();
    void this.context.workspaceState.update(WAS_RUNNING_KEY, false);
    await this.setRunning(false);
    this.onDidChangeClusterEmitter.fire(undefined);
  }

  /** Throw the current cluster away (and its snapshot) and start a fresh one. */
  async reset(preset?: PresetName): Promise<void> {
    const next = preset ?? this.running?.topology.preset;
    await this.stop(true);
    await this.start({ preset: next, fresh: true });
  }

  /** Run `fn` as input from outside the simulation (virtual time brought up to date first). */
  external<T>(fn: (cluster: Cluster) => T): T {
    const r = this.requireRunning();
    return r.driver.external(() => fn(r.cluster));
  }

  /** Send one API request as kubectl would (through the load balancer); resolves with the response and its trace. */
  request(req: Omit<ApiRequest, 'client'>, clientName = 'kubectl'): Promise<{ response: ApiResponse; traceId: string }> {
    return new Promise((resolve) => {
      this.external((cluster) => {
        const traceId = cluster.log.newTraceId();
        cluster.client(clientName).request(req, { traceId }, (response) => resolve({ response, traceId }));
      });
    });
  }

  /** kubectl apply of these objects, in order (one trace per object). */
  apply(objects: readonly KubeObject[]): Promise<ApplyResult[]> {
    return new Promise((resolve) => this.external((cluster) => cluster.apply(objects, resolve)));
  }

  /** Advance `virtualMs` of virtual time as fast as possible (then go on at the current speed). */
  runFor(virtualMs: number): Promise<void> {
    const r = this.requireRunning();
    return new Promise((resolve) => r.driver.runFor(virtualMs, resolve));
  }

  /** Inject or heal a fault through the simulation's fault API. */
  fault(action: 'stop' | 'start', kind: FaultKind, name: string): void {
    this.external(() => {
      const faults = this.requireRunning().faults;
      if (action === 'stop') faults.stop(kind, name);
      else faults.start(kind, name);
    });
    this.persistence.changed();
    this.stateThrottle.schedule();
  }

  /**
   * A simulated event threw (a bug in a component): the driver goes on with the next event. Each distinct
   * error is logged once with its stack; the first one of a cluster is also shown.
   */
  private componentError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.reportedErrors.has(message)) return;
    const first = this.reportedErrors.size === 0;
    this.reportedErrors.add(message);
    this.log.error(`A simulated component failed: ${error instanceof Error && error.stack ? error.stack : message}`);
    if (first) void vscode.window.showErrorMessage(vscode.l10n.t('A simulated component failed: {0}. The lab goes on; details are in the output.', message));
  }

  private requireRunning(): Running {
    if (!this.running) throw new Error(vscode.l10n.t('The lab cluster is not running. Start it first.'));
    return this.running;
  }

  private stateChanged(): void {
    this.cachedState = undefined;
    this.cachedModel = undefined;
    this.onDidChangeStateEmitter.fire();
  }

  private async setRunning(running: boolean): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'k8sLab.running', running);
    this.onDidChangeRunningEmitter.fire(running);
  }

  dispose(): void {
    if (this.running) {
      this.persistence.saveNowSync();
      for (const d of this.running.disposers.splice(0)) d();
      this.running = undefined;
    }
    this.persistence.dispose();
    this.stateThrottle.dispose();
    this.tickThrottle.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
