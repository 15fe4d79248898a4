/**
 * kube-controller-manager: one instance per master, all campaigning for the Lease
 * kube-system/kube-controller-manager. Only the holder runs controllers: on acquiring the lease it
 * starts the shared informers and every controller (their caches are rebuilt from the API server,
 * as a fresh process would); on losing it, it stops them all at once (upstream exits and is
 * restarted) and campaigns again.
 */
import type { Component, ComponentEnv } from '../api/component';
import type { TraceContext } from '../log';
import { LeaderElector, leaderIdentity } from '../leaderelection';
import { DEFAULT_CONTROLLER_MANAGER_OPTIONS, SharedInformers, type Controller, type ControllerContext, type ControllerManagerOptions } from './context';
import { ReplicaSetController } from './replicaset/replicaset-controller';
import { DeploymentController } from './deployment/deployment-controller';
import { NodeLifecycleController } from './nodelifecycle/nodelifecycle-controller';
import { TaintEvictionController } from './nodelifecycle/taint-eviction-controller';
import { EndpointsController } from './endpoints/endpoints-controller';
import { EndpointSliceController } from './endpointslice/endpointslice-controller';
import { DisruptionController } from './disruption/disruption-controller';
import { GarbageCollector } from './garbagecollector/garbagecollector';
import { JobController } from './job/job-controller';
import { CronJobController } from './cronjob/cronjob-controller';
import { DaemonSetController } from './daemonset/daemonset-controller';
import { TTLAfterFinishedController } from './ttlafterfinished/ttlafterfinished-controller';

export type ControllerName = 'replicaset' | 'deployment' | 'nodelifecycle' | 'taint-eviction' | 'endpoints' | 'endpointslice' | 'disruption' | 'garbagecollector' | 'job' | 'cronjob' | 'daemonset' | 'ttl-after-finished';

const FACTORIES: Record<ControllerName, (cc: ControllerContext) => Controller> = {
  deployment: (cc) => new DeploymentController(cc),
  replicaset: (cc) => new ReplicaSetController(cc),
  nodelifecycle: (cc) => new NodeLifecycleController(cc),
  'taint-eviction': (cc) => new TaintEvictionController(cc),
  endpoints: (cc) => new EndpointsController(cc),
  endpointslice: (cc) => new EndpointSliceController(cc),
  disruption: (cc) => new DisruptionController(cc),
  garbagecollector: (cc) => new GarbageCollector(cc),
  job: (cc) => new JobController(cc),
  cronjob: (cc) => new CronJobController(cc),
  daemonset: (cc) => new DaemonSetController(cc),
  'ttl-after-finished': (cc) => new TTLAfterFinishedController(cc),
};

export const ALL_CONTROLLERS = Object.keys(FACTORIES) as ControllerName[];

export interface KubeControllerManagerOptions extends Partial<ControllerManagerOptions> {
  /** Which controllers to run (--controllers); default all. */
  controllers?: readonly ControllerName[];
  /** Leader election timings (tests may shorten them). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export class KubeControllerManager implements Component {
  readonly name: string;
  readonly elector: LeaderElector;
  private informers: SharedInformers | undefined;
  private active: Controller[] = [];
  private readonly options: ControllerManagerOptions;
  private isRunning = false;

  constructor(private readonly env: ComponentEnv, private readonly config: KubeControllerManagerOptions = {}) {
    this.name = `kube-controller-manager@${env.host}`;
    this.options = { ...DEFAULT_CONTROLLER_MANAGER_OPTIONS, ...stripUndefined(config) };
    this.elector = new LeaderElector(env, {
      namespace: 'kube-system',
      name: 'kube-controller-manager',
      identity: leaderIdentity(env.host, env.clock),
      newIdentity: () => leaderIdentity(env.host, env.clock),
      component: this.name,
      leaseDurationMs: config.leaseDurationMs,
      renewDeadlineMs: config.renewDeadlineMs,
      retryPeriodMs: config.retryPeriodMs,
      onStartedLeading: (ctx) => this.startControllers(ctx),
      onStoppedLeading: () => this.stopControllers(),
    });
  }

  get running(): boolean {
    return this.isRunning;
  }

  isLeader(): boolean {
    return this.elector.isLeader();
  }

  /** The running controllers (empty unless this instance leads). */
  controllers(): readonly Controller[] {
    return this.active;
  }

  controller<T extends Controller>(name: string): T | undefined {
    return this.active.find((c) => c.name === name) as T | undefined;
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.elector.start();
  }

  stop(): void {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.elector.stop();
    this.stopControllers();
  }

  private startControllers(ctx: TraceContext): void {
    const informers = new SharedInformers((opts) => this.env.informer(opts));
    this.informers = informers;
    const cc: ControllerContext = {
      clock: this.env.clock, log: this.env.log, client: this.env.client, host: this.env.host,
      component: this.name, informers, options: this.options,
    };
    const names = this.config.controllers ?? ALL_CONTROLLERS;
    this.active = names.map((n) => FACTORIES[n](cc));
    informers.start(ctx);
    for (const c of this.active) c.start(ctx);
  }

  private stopControllers(): void {
    for (const c of this.active) c.stop();
    this.active = [];
    this.informers?.stop();
    this.informers = undefined;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
