/**
 * Cluster presets and the highly-available control plane every preset runs:
 * - default: 3 masters + 3 workers, one of each per zone;
 * - large:   3 masters + 1,000 workers across the 3 zones.
 * On every master: kube-scheduler and kube-controller-manager, each campaigning for its Lease in
 * kube-system; only the holders act. On every node, besides the kubelet: kube-proxy.
 * Pass the result to `new Cluster(...)`.
 */
import type { Component, ComponentEnv } from './api/component';
import type { ClusterOptions } from './cluster';
import { Scheduler, type SchedulerOptions } from './scheduler/scheduler';
import { LeaderElector, leaderIdentity, type LeaderElectionConfig } from './leaderelection';
import { KubeControllerManager, type KubeControllerManagerOptions } from './controllers/manager';
import { KubeProxy } from './proxy/kube-proxy';
import { KubernetesServiceReconciler } from './controllers/kubernetesservice/kubernetes-service';
import { nodeInternalIP } from './kubelet/node-status';

export type PresetName = 'default' | 'large';
export const PRESET_NAMES: readonly PresetName[] = ['default', 'large'];

export const PRESETS: Record<PresetName, { masters: number; workers: number; description: string }> = {
  default: { masters: 3, workers: 3, description: '3 masters + 3 workers across 3 zones' },
  large: { masters: 3, workers: 1000, description: '3 masters + 1,000 workers across 3 zones' },
};

/**
 * kube-scheduler with leader election: only the Lease holder schedules. Informers run on every
 * instance, so a new leader starts from a warm cache, unless delayCacheUntilActive: then an instance
 * starts its informers when it wins the Lease and drops them when it loses it (upstream exits then,
 * and is restarted).
 */
export class ElectedScheduler implements Component {
  readonly name: string;
  readonly scheduler: Scheduler;
  readonly elector: LeaderElector;
  private readonly delayCache: boolean;
  private isRunning = false;

  constructor(env: ComponentEnv, options: Omit<SchedulerOptions, 'leader'> = {}, election: Partial<Pick<LeaderElectionConfig, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>> = {}) {
    this.name = options.name ?? `kube-scheduler@${env.host}`;
    this.delayCache = options.delayCacheUntilActive ?? false;
    this.elector = new LeaderElector(env, {
      namespace: 'kube-system',
      name: 'kube-scheduler',
      identity: leaderIdentity(env.host, env.clock),
      newIdentity: () => leaderIdentity(env.host, env.clock),
      component: this.name,
      ...election,
      onStartedLeading: () => (this.delayCache ? this.scheduler.start() : this.scheduler.wake()),
      onStoppedLeading: () => {
        if (this.delayCache) this.scheduler.stop();
      },
    });
    this.scheduler = new Scheduler(env, { ...options, name: this.name, leader: () => this.elector.isLeader() });
  }

  get running(): boolean {
    return this.isRunning;
  }

  isLeader(): boolean {
    return this.elector.isLeader();
  }

  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    if (!this.delayCache) this.scheduler.start();
    this.elector.start();
  }

  stop(): void {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.elector.stop();
    this.scheduler.stop();
  }
}

export interface ControlPlaneOptions {
  scheduler?: Omit<SchedulerOptions, 'leader'>;
  controllerManager?: KubeControllerManagerOptions;
  /** Leader election timings for both (tests may shorten them). */
  election?: Partial<Pick<LeaderElectionConfig, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>>;
}

/**
 * The control-plane components of every master: an elected scheduler, an elected controller-manager,
 * and the API server's upkeep of the `kubernetes` Service (10.96.0.1) and its Endpoints.
 */
export function haControlPlane(options: ControlPlaneOptions = {}): NonNullable<ClusterOptions['controlPlane']> {
  return [
    (env) => new ElectedScheduler(env, options.scheduler, options.election),
    (env) => new KubeControllerManager(env, { ...options.election, ...options.controllerManager }),
    (env, master) => new KubernetesServiceReconciler(env, nodeInternalIP(master)),
  ];
}

/** Cluster options of a preset with the HA control plane; `overrides` win. */
export function presetOptions(preset: PresetName = 'default', overrides: ClusterOptions & ControlPlaneOptions = {}): ClusterOptions {
  const { scheduler, controllerManager, election, ...rest } = overrides;
  const p = PRESETS[preset];
  return {
    masters: p.masters,
    workers: p.workers,
    controlPlane: haControlPlane({ scheduler, controllerManager, election }),
    nodeComponents: [(env) => new KubeProxy(env)],
    ...rest,
  };
}

/** The elected components of a master, found in a cluster's control plane. */
export function schedulerOn(components: readonly Component[] | undefined): ElectedScheduler | undefined {
  return components?.find((c): c is ElectedScheduler => c instanceof ElectedScheduler);
}

export function controllerManagerOn(components: readonly Component[] | undefined): KubeControllerManager | undefined {
  return components?.find((c): c is KubeControllerManager => c instanceof KubeControllerManager);
}
