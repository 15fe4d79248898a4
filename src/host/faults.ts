/**
 * The editor's handle on fault injection: stop/start a node, a zone, one API server, one etcd member,
 * a master's scheduler or controller-manager, or partition a master off the network. Faults only power
 * things off or cut links — recovery is the simulated components' own work.
 *
 * INTERIM: until the simulation's fault API (src/sim/faults.ts) lands, this adapter drives the
 * components' own stop/start methods the same way; it will delegate to that API then.
 */
import type { Cluster } from '../sim/cluster';

export const FAULT_KINDS = ['node', 'zone', 'apiserver', 'etcd', 'scheduler', 'controller-manager', 'partition'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ActiveFault {
  kind: FaultKind;
  name: string;
}

export class LabFaultsAdapter {
  private readonly active: ActiveFault[] = [];
  private readonly partitions = new Map<string, number>();

  constructor(private readonly cluster: Cluster) {}

  list(): readonly ActiveFault[] {
    return this.active;
  }

  isActive(kind: FaultKind, name: string): boolean {
    return this.active.some((f) => f.kind === kind && f.name === name);
  }

  stop(kind: FaultKind, name: string): void {
    if (this.isActive(kind, name)) return;
    this.apply(kind, name, false);
    this.active.push({ kind, name });
    this.record(kind, name, 'stop');
  }

  start(kind: FaultKind, name: string): void {
    const i = this.active.findIndex((f) => f.kind === kind && f.name === name);
    if (i < 0) return;
    this.active.splice(i, 1);
    this.apply(kind, name, true);
    this.record(kind, name, 'start');
  }

  /** Re-inject faults saved in a snapshot (unknown ones are reported, not thrown). */
  reapply(faults: readonly { kind: string; name: string }[], warn: (message: string) => void): void {
    for (const f of faults) {
      try {
        if (!(FAULT_KINDS as readonly string[]).includes(f.kind)) throw new Error(`unknown fault kind "${f.kind}"`);
        this.stop(f.kind as FaultKind, f.name);
      } catch (err) {
        warn(`Could not restore the fault ${f.kind} ${f.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private apply(kind: FaultKind, name: string, up: boolean): void {
    const c = this.cluster;
    switch (kind) {
      case 'node': return this.machine(name, up);
      case 'zone': {
        const hosts = c.nodes.filter((n) => n.zone === name);
        if (hosts.length === 0) throw new Error(`no zone "${name}"`);
        for (const h of hosts) this.machine(h.name, up);
        return;
      }
      case 'apiserver': {
        const api = c.apiserver(name) ?? fail(`no API server on "${name}"`);
        return up ? api.start() : api.stop();
      }
      case 'etcd': {
        const member = c.etcd.member(name) ?? fail(`no etcd member on "${name}"`);
        return up ? member.start() : member.stop();
      }
      case 'scheduler':
      case 'controller-manager': {
        const component = c.controlPlane.get(name)?.find((x) => x.name.startsWith(`kube-${kind}`)) ?? fail(`no kube-${kind} on "${name}"`);
        return up ? component.start() : component.stop();
      }
      case 'partition': {
        if (!c.masters.some((m) => m.name === name)) throw new Error(`no master "${name}"`);
        if (up) {
          const id = this.partitions.get(name);
          if (id !== undefined) c.network.heal(id);
          this.partitions.delete(name);
        } else {
          const others = c.network.hostNames().filter((h) => h !== name);
          this.partitions.set(name, c.network.partition(name, others).id);
        }
        return;
      }
    }
  }

  /** Power a machine off or on: everything on it stops, and the network stops reaching it. */
  private machine(name: string, up: boolean): void {
    const c = this.cluster;
    if (!c.nodes.some((n) => n.name === name)) throw new Error(`no node "${name}"`);
    const kubelet = c.kubelets.get(name);
    const api = c.apiserver(name);
    const member = c.etcd.member(name);
    const components = c.controlPlane.get(name) ?? [];
    if (up) {
      c.network.setUp(name);
      member?.start();
      api?.start();
      kubelet?.powerOn();
      kubelet?.start();
      for (const comp of components) comp.start();
    } else {
      for (const comp of components) comp.stop();
      kubelet?.powerOff();
      api?.stop();
      member?.stop();
      c.network.setDown(name);
    }
  }

  private record(kind: FaultKind, name: string, action: 'stop' | 'start'): void {
    const c = this.cluster;
    c.log.append({
      t: c.clock.now(), traceId: c.log.newTraceId('fault'), from: 'lab', to: name, kind: 'fault',
      summary: `${action === 'stop' ? 'stop' : 'start'} ${kind} ${name}`, detail: { action, kind, name },
    });
  }
}

function fail(message: string): never {
  throw new Error(message);
}
