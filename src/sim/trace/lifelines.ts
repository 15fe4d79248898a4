/**
 * Component instances as lifelines, and where they run: the log names them "component@host"
 * ("apiserver@master-1", "kubelet@worker-2") or by a bare name for things outside the machines
 * ("kubectl", "lb").
 */
import type { ComponentKind, HostBox, HostRole, Lifeline, Topology } from './model';

/** The three availability zones of the lab's region. */
export const DEFAULT_ZONES = ['us-east-2a', 'us-east-2b', 'us-east-2c'];

/** A machine of the cluster as the topology view needs it. */
export interface HostInfo {
  name: string;
  zone?: string;
  role: HostRole;
}

const KIND_ORDER: Record<ComponentKind, number> = {
  client: 0,
  lb: 1,
  apiserver: 2,
  etcd: 3,
  scheduler: 4,
  'controller-manager': 5,
  kubelet: 6,
  runtime: 7,
  proxy: 8,
  other: 9,
};

const KIND_BY_NAME: Record<string, ComponentKind> = {
  lb: 'lb',
  'load-balancer': 'lb',
  apiserver: 'apiserver',
  'kube-apiserver': 'apiserver',
  etcd: 'etcd',
  scheduler: 'scheduler',
  'kube-scheduler': 'scheduler',
  'controller-manager': 'controller-manager',
  'kube-controller-manager': 'controller-manager',
  kubelet: 'kubelet',
  runtime: 'runtime',
  containerd: 'runtime',
  'kube-proxy': 'proxy',
  proxy: 'proxy',
};

const LABELS: Record<ComponentKind, string> = {
  client: 'client',
  lb: 'load balancer',
  apiserver: 'apiserver',
  etcd: 'etcd',
  scheduler: 'scheduler',
  'controller-manager': 'controller-mgr',
  kubelet: 'kubelet',
  runtime: 'runtime',
  proxy: 'kube-proxy',
  other: 'component',
};

export function parseLifeline(id: string): Lifeline {
  const at = id.indexOf('@');
  if (at < 0) {
    const kind = KIND_BY_NAME[id] ?? (id === 'lb' ? 'lb' : 'client');
    return { id, kind, host: id, label: kind === 'lb' ? LABELS.lb : id };
  }
  const name = id.slice(0, at);
  const host = id.slice(at + 1);
  const kind = KIND_BY_NAME[name] ?? KIND_BY_NAME[name.split('/')[0]] ?? 'other';
  return { id, kind, host, label: kind === 'other' ? name : LABELS[kind] };
}

/** Natural host order: "worker-2" before "worker-10". */
export function compareHosts(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Sequence-diagram order: kubectl, lb, the API servers, etcd, scheduler, controller-manager, kubelets, runtimes. */
export function compareLifelines(a: Lifeline, b: Lifeline): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareHosts(a.host, b.host) || a.id.localeCompare(b.id);
}

/**
 * Guess a machine from its name when the cluster does not say: master-N and worker-N spread over the
 * zones round-robin, as the lab's default topology places them.
 */
export function guessHost(name: string): HostInfo {
  if (name === 'lb') return { name, role: 'lb' };
  const match = /^(master|control-plane|worker|node)-(\d+)$/.exec(name);
  if (!match) return { name, role: 'client' };
  const role: HostRole = match[1] === 'worker' || match[1] === 'node' ? 'worker' : 'control-plane';
  return { name, role, zone: DEFAULT_ZONES[(Number(match[2]) - 1) % DEFAULT_ZONES.length] };
}

/**
 * Place lifelines on hosts and hosts in zones. `known` lists the cluster's machines (all of them appear,
 * even those silent in this trace); lifelines on unknown hosts are placed by `guessHost`.
 */
export function buildTopology(lifelines: readonly Lifeline[], known: readonly HostInfo[] = []): Topology {
  const hosts = new Map<string, HostBox>();
  const add = (info: HostInfo): HostBox => {
    let box = hosts.get(info.name);
    if (!box) {
      box = { name: info.name, role: info.role, zone: info.zone, lifelines: [] };
      hosts.set(info.name, box);
    }
    return box;
  };
  for (const info of known) add(info);
  for (const lifeline of lifelines) {
    const box = hosts.get(lifeline.host) ?? add(lifeline.kind === 'lb' ? { name: lifeline.host, role: 'lb' } : guessHost(lifeline.host));
    box.lifelines.push(lifeline.id);
  }
  const zones = [...DEFAULT_ZONES];
  for (const box of hosts.values()) if (box.zone && !zones.includes(box.zone)) zones.push(box.zone);
  const roleOrder: Record<HostRole, number> = { client: 0, lb: 1, 'control-plane': 2, worker: 3 };
  const sorted = [...hosts.values()].sort((a, b) => roleOrder[a.role] - roleOrder[b.role] || compareHosts(a.name, b.name));
  return { zones, hosts: sorted };
}

/** The control-plane instances every master runs; the sequence diagram shows them even when silent. */
export function controlPlaneLifelines(hosts: readonly HostInfo[]): string[] {
  const out: string[] = [];
  for (const host of hosts) if (host.role === 'control-plane') out.push(`apiserver@${host.name}`, `etcd@${host.name}`);
  return out;
}
