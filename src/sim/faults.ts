/**
 * Fault injection: stop and start parts of a running cluster, as an operator (or bad luck) would.
 * Faults only take things away — power, processes, network paths — and give them back; they never
 * touch API objects. Everything that follows (nodes turning Unknown, taints, evictions, new
 * leaders, replacement pods, an etcd member catching up) is done by the simulated components.
 *
 * Kinds and names:
 *   node NAME                  power off a machine: kubelet, container runtime and kube-proxy stop, the
 *                              network cannot reach it; on a master also its API server, etcd member,
 *                              scheduler and controller-manager
 *   zone ZONE                  every machine in the zone (us-east-2a ...)
 *   apiserver MASTER           one API server process (the load balancer's health check routes around it)
 *   etcd MASTER                one etcd member (1 of 3 down: fine; 2 down: no quorum, writes fail)
 *   scheduler MASTER|leader    one kube-scheduler process (start … leader: the one a fault stopped)
 *   controller-manager MASTER|leader
 *   partition MASTER           cut a master off from every other machine (its processes keep running)
 * Names may also be given as component instances ("etcd@master-2", "kube-scheduler@master-1").
 * Each stop and start is a `fault` entry in the log.
 */
import type { Cluster } from './cluster';
import type { Component } from './api/component';
import type { LogEntry } from './log';
import { proxyOn } from './proxy';
import { controllerManagerOn, schedulerOn } from './presets';

export const FAULT_KINDS = ['node', 'zone', 'apiserver', 'etcd', 'scheduler', 'controller-manager', 'partition'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ActiveFault {
  kind: FaultKind;
  /** The machine, zone or master the fault is about (normalised: "master-1", "us-east-2a"). */
  name: string;
  /** Virtual time it began. */
  since: number;
  /** What it stopped, in words. */
  description: string;
}

export class FaultError extends Error {}

interface Record_ extends ActiveFault {
  /** For zones: the machines this fault powered off. */
  nodes?: string[];
  /** For partitions: the network partition id. */
  partitionId?: number;
}

export class Faults {
  private readonly active = new Map<string, Record_>();

  constructor(private readonly cluster: Cluster) {}

  list(): ActiveFault[] {
    return [...this.active.values()].map(({ kind, name, since, description }) => ({ kind, name, since, description }));
  }

  isActive(kind: FaultKind, name: string): boolean {
    return this.active.has(`${kind}/${this.normalise(kind, name)}`);
  }

  /** Inject a fault. Stopping something already stopped returns the existing fault. */
  stop(kind: FaultKind, name: string): ActiveFault {
    this.checkKind(kind);
    const target = this.normalise(kind, name);
    const id = `${kind}/${target}`;
    const existing = this.active.get(id);
    if (existing) return existing;
    const rec: Record_ = { kind, name: target, since: this.cluster.clock.now(), description: '' };
    switch (kind) {
      case 'node':
        rec.description = this.isMaster(target)
          ? `power off ${target}: kubelet, container runtime, kube-proxy, API server, etcd member, scheduler and controller-manager stop; the network cannot reach it`
          : `power off ${target}: kubelet, container runtime and kube-proxy stop; the network cannot reach it`;
        this.powerOff(target);
        break;
      case 'zone': {
        const nodes = this.cluster.nodes.filter((n) => n.zone === target).map((n) => n.name).filter((n) => this.cluster.network.isUp(n));
        rec.nodes = nodes;
        rec.description = `zone ${target} fails: ${nodes.length} machine(s) power off (${nodes.join(', ')})`;
        this.cluster.network.changeTogether(() => {
          for (const n of nodes) this.powerOff(n);
        });
        break;
      }
      case 'apiserver':
        rec.description = `stop the API server on ${target}`;
        this.cluster.apiserver(target)!.stop();
        break;
      case 'etcd':
        rec.description = `stop etcd member ${target}`;
        this.etcdMember(target).stop();
        break;
      case 'scheduler':
        rec.description = `stop kube-scheduler on ${target}`;
        this.scheduler(target).stop();
        break;
      case 'controller-manager':
        rec.description = `stop kube-controller-manager on ${target}`;
        this.controllerManager(target).stop();
        break;
      case 'partition': {
        const others = this.cluster.network.hostNames().filter((h) => h !== target);
        rec.partitionId = this.cluster.network.partition(target, others).id;
        rec.description = `network partition: ${target} cannot reach any other machine (its processes keep running)`;
        break;
      }
    }
    this.active.set(id, rec);
    this.logFault('stop', rec);
    return { kind: rec.kind, name: rec.name, since: rec.since, description: rec.description };
  }

  /** Heal a fault. Starting something not stopped by a fault is a no-op (returns false). */
  start(kind: FaultKind, name: string): boolean {
    this.checkKind(kind);
    const target = name === 'leader' ? this.stoppedLeader(kind) : this.normalise(kind, name);
    if (target === undefined) return false;
    const id = `${kind}/${target}`;
    const rec = this.active.get(id);
    if (!rec) return false;
    this.active.delete(id);
    switch (kind) {
      case 'node':
        if (!this.zoneHolds(target)) this.powerOn(target);
        break;
      case 'zone':
        this.cluster.network.changeTogether(() => {
          for (const n of rec.nodes ?? []) if (!this.active.has(`node/${n}`)) this.powerOn(n);
        });
        break;
      case 'apiserver':
        if (this.machineUp(target)) this.cluster.apiserver(target)!.start();
        break;
      case 'etcd':
        if (this.machineUp(target)) this.etcdMember(target).start();
        break;
      case 'scheduler':
        if (this.machineUp(target)) this.scheduler(target).start();
        break;
      case 'controller-manager':
        if (this.machineUp(target)) this.controllerManager(target).start();
        break;
      case 'partition':
        if (rec.partitionId !== undefined) this.cluster.network.heal(rec.partitionId);
        break;
    }
    this.logFault('start', rec);
    return true;
  }

  // ------------------------------------------------------------------ machines

  private powerOff(node: string): void {
    const c = this.cluster;
    c.network.setDown(node);
    c.kubelets.get(node)?.powerOff();
    for (const comp of c.nodeComponents.get(node) ?? []) comp.stop();
    proxyOn(c, node)?.powerOff();
    if (this.isMaster(node)) {
      for (const comp of c.controlPlane.get(node) ?? []) comp.stop();
      c.apiserver(node)?.stop();
      this.etcdMember(node).stop();
    }
  }

  private powerOn(node: string): void {
    const c = this.cluster;
    c.network.setUp(node);
    if (this.isMaster(node)) {
      if (!this.active.has(`etcd/${node}`)) this.etcdMember(node).start();
      if (!this.active.has(`apiserver/${node}`)) c.apiserver(node)?.start();
      for (const comp of c.controlPlane.get(node) ?? []) if (!this.componentFaulted(node, comp)) comp.start();
    }
    c.kubelets.get(node)?.start();
    for (const comp of c.nodeComponents.get(node) ?? []) comp.start();
    proxyOn(c, node)?.start();
  }

  private componentFaulted(node: string, comp: Component): boolean {
    if (comp === schedulerOn([comp])) return this.active.has(`scheduler/${node}`);
    if (comp === controllerManagerOn([comp])) return this.active.has(`controller-manager/${node}`);
    return false;
  }

  /** A machine counts as up for restarting its processes when no node or zone fault holds it down. */
  private machineUp(node: string): boolean {
    return !this.active.has(`node/${node}`) && !this.zoneHolds(node);
  }

  private zoneHolds(node: string): boolean {
    for (const r of this.active.values()) if (r.kind === 'zone' && r.nodes?.includes(node)) return true;
    return false;
  }

  // ------------------------------------------------------------------ names

  private checkKind(kind: string): asserts kind is FaultKind {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new FaultError(`unknown fault kind "${kind}": expected one of ${FAULT_KINDS.join(', ')}`);
    }
  }

  private isMaster(node: string): boolean {
    return this.cluster.masters.some((m) => m.name === node);
  }

  /**
   * What "start scheduler leader" means: the instance a fault stopped (once stopped, the lease passes
   * to another master, and "the leader" is then a running instance). Undefined when none is stopped.
   */
  private stoppedLeader(kind: FaultKind): string | undefined {
    if (kind !== 'scheduler' && kind !== 'controller-manager') return this.normalise(kind, 'leader');
    const stopped = [...this.active.values()].filter((f) => f.kind === kind).map((f) => f.name);
    if (stopped.length > 1) {
      const what = kind === 'scheduler' ? 'kube-scheduler' : 'kube-controller-manager';
      throw new FaultError(`${stopped.length} ${what} instances are stopped (${stopped.join(', ')}): name the master to start`);
    }
    return stopped[0];
  }

  /** "etcd@master-2" → "master-2"; "leader" → the master whose instance holds the lease. */
  private normalise(kind: FaultKind, raw: string): string {
    const name = raw.includes('@') ? raw.slice(raw.indexOf('@') + 1) : raw;
    const c = this.cluster;
    switch (kind) {
      case 'node':
        if (!c.nodes.some((n) => n.name === name)) throw new FaultError(`node "${name}" not found (nodes: ${c.nodes.map((n) => n.name).join(', ')})`);
        return name;
      case 'zone': {
        const zones = [...new Set(c.nodes.map((n) => n.zone))];
        if (!zones.includes(name)) throw new FaultError(`zone "${name}" not found (zones: ${zones.join(', ')})`);
        return name;
      }
      case 'scheduler':
      case 'controller-manager':
        if (name === 'leader') {
          const leader = c.masters.find((m) => {
            const comps = c.controlPlane.get(m.name);
            return kind === 'scheduler' ? schedulerOn(comps)?.isLeader() : controllerManagerOn(comps)?.isLeader();
          });
          if (!leader) throw new FaultError(`no ${kind === 'scheduler' ? 'kube-scheduler' : 'kube-controller-manager'} instance holds the lease right now`);
          return leader.name;
        }
        this.master(name, kind);
        if (kind === 'scheduler' && !schedulerOn(c.controlPlane.get(name))) throw new FaultError(`no kube-scheduler runs on ${name}`);
        if (kind === 'controller-manager' && !controllerManagerOn(c.controlPlane.get(name))) throw new FaultError(`no kube-controller-manager runs on ${name}`);
        return name;
      default:
        this.master(name, kind);
        return name;
    }
  }

  private master(name: string, kind: FaultKind): void {
    if (!this.isMaster(name)) {
      throw new FaultError(`${kind} "${name}" not found: expected a master (${this.cluster.masters.map((m) => m.name).join(', ')})`);
    }
  }

  private etcdMember(node: string) {
    const m = this.cluster.etcd.member(node);
    if (!m) throw new FaultError(`no etcd member on ${node}`);
    return m;
  }

  private scheduler(node: string) {
    return schedulerOn(this.cluster.controlPlane.get(node))!;
  }

  private controllerManager(node: string) {
    return controllerManagerOn(this.cluster.controlPlane.get(node))!;
  }

  private logFault(action: 'stop' | 'start', rec: Record_): LogEntry {
    const targetName = rec.kind === 'etcd' ? `etcd@${rec.name}` : rec.kind === 'apiserver' ? `apiserver@${rec.name}`
      : rec.kind === 'scheduler' ? `kube-scheduler@${rec.name}` : rec.kind === 'controller-manager' ? `kube-controller-manager@${rec.name}` : rec.name;
    return this.cluster.log.append({
      t: this.cluster.clock.now(),
      traceId: this.cluster.log.newTraceId('fault'),
      from: 'lab',
      to: targetName,
      kind: 'fault',
      ...(rec.kind === 'node' ? { objectRef: { resource: 'nodes', name: rec.name } } : {}),
      summary: action === 'stop' ? rec.description : healSummary(rec),
      detail: { action, kind: rec.kind, name: rec.name, ...(rec.nodes ? { nodes: rec.nodes } : {}) },
    });
  }
}

function healSummary(rec: Record_): string {
  switch (rec.kind) {
    case 'node': return `power on ${rec.name}`;
    case 'zone': return `zone ${rec.name} recovers: power on ${(rec.nodes ?? []).join(', ')}`;
    case 'apiserver': return `start the API server on ${rec.name}`;
    case 'etcd': return `start etcd member ${rec.name}`;
    case 'scheduler': return `start kube-scheduler on ${rec.name}`;
    case 'controller-manager': return `start kube-controller-manager on ${rec.name}`;
    case 'partition': return `heal the network partition around ${rec.name}`;
  }
}

const registry = new WeakMap<Cluster, Faults>();

/** The fault controller of a cluster (one per cluster, so every caller sees the same active faults). */
export function faultsOf(cluster: Cluster): Faults {
  let f = registry.get(cluster);
  if (!f) registry.set(cluster, (f = new Faults(cluster)));
  return f;
}
