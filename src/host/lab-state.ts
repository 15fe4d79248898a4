/**
 * Reads a running Cluster into the plain LabState the tree model, the status bar and the describe
 * documents show: committed objects from the unlogged read view, and the machines' component states
 * (API servers and the load balancer's rotation, etcd members' roles and revisions, control-plane
 * components, leases). Pure: no vscode import, so it is unit-tested against a real Cluster.
 */
import type { Cluster } from '../sim/cluster';
import type { CronJob, DaemonSet, Deployment, Endpoints, Job, KubeObject, Lease, Node, Pod, ReplicaSet, Service } from '../sim/api/types';
import type { FaultState, LabState, MasterState } from './tree/model';

/** Anything with a `faults.list()` (H's fault API), as it reports active faults. */
export interface FaultLister {
  list(): readonly { kind: string; name: string }[];
}

function component(cluster: Cluster, host: string, prefix: string): { running: boolean } | undefined {
  const c = cluster.controlPlane.get(host)?.find((x) => x.name.startsWith(prefix));
  return c && { running: c.running };
}

function holder(cluster: Cluster, name: string): string | undefined {
  return cluster.read.get<Lease>('leases', 'kube-system', name)?.spec.holderIdentity || undefined;
}

export function readMasters(cluster: Cluster): MasterState[] {
  return cluster.masters.map((m) => {
    const api = cluster.apiserver(m.name);
    const member = cluster.etcd.member(m.name);
    return {
      host: m.name,
      zone: m.zone,
      apiserver: { running: api?.running ?? false, inRotation: api ? api.running && cluster.lb.isHealthy(api) : false },
      etcd: {
        running: member?.running ?? false,
        role: member?.running ? member.role : 'follower',
        term: member?.term ?? 0,
        revision: member?.store.revision ?? 0,
      },
      scheduler: component(cluster, m.name, 'kube-scheduler'),
      controllerManager: component(cluster, m.name, 'kube-controller-manager'),
    };
  });
}

export function readLabState(cluster: Cluster, faults?: FaultLister): LabState {
  const list = <T extends KubeObject>(resource: string): T[] => cluster.read.list<T>(resource);
  const zones: string[] = [];
  for (const n of cluster.nodes) if (!zones.includes(n.zone)) zones.push(n.zone);
  const activeFaults: FaultState[] = faults ? faults.list().map((f) => ({ kind: f.kind, name: f.name })) : [];
  return {
    now: cluster.clock.now(),
    epochMs: cluster.clock.epochMs,
    zones,
    masters: readMasters(cluster),
    leases: { scheduler: holder(cluster, 'kube-scheduler'), controllerManager: holder(cluster, 'kube-controller-manager') },
    nodes: list<Node>('nodes'),
    pods: list<Pod>('pods'),
    deployments: list<Deployment>('deployments'),
    daemonSets: list<DaemonSet>('daemonsets'),
    jobs: list<Job>('jobs'),
    cronJobs: list<CronJob>('cronjobs'),
    replicaSets: list<ReplicaSet>('replicasets'),
    services: list<Service>('services'),
    endpoints: list<Endpoints>('endpoints'),
    faults: activeFaults,
    poweredOff: cluster.nodes.filter((n) => !cluster.network.isUp(n.name)).map((n) => n.name),
  };
}
