/** Builders for scheduler tests: nodes, pods and a cache/profile wired together. */
import { Rng } from '../../../../src/sim/clock';
import type { Namespace, Node, Pod, ReplicaSet, Service, Taint, Toleration } from '../../../../src/sim/api/types';
import { SchedulerCache } from '../../../../src/sim/scheduler/cache';
import type { Handle, Listers } from '../../../../src/sim/scheduler/framework';
import { podInfoOf } from '../../../../src/sim/scheduler/node-info';
import { Profile } from '../../../../src/sim/scheduler/profile';
import { defaultProfile, inTreeRegistry, type ProfileConfig } from '../../../../src/sim/scheduler/registry';
import { scheduleOne, type CycleBuffers, type ScheduleResult } from '../../../../src/sim/scheduler/schedule-one';

export const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

export interface NodeOptions {
  zone?: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const allocatable = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110), ...(o.extra ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, ...(o.zone ? { 'topology.kubernetes.io/zone': o.zone } : {}), ...(o.labels ?? {}) },
    },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: allocatable, allocatable },
  };
}

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  priority?: number;
  hostPort?: number;
  spec?: Partial<Pod['spec']>;
  ownerRS?: string;
  deleting?: boolean;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels,
      ownerReferences: o.ownerRS ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.ownerRS, uid: `uid-${o.ownerRS}`, controller: true }] : undefined,
      deletionTimestamp: o.deleting ? '2026-01-01T00:00:00Z' : undefined,
    },
    spec: {
      containers: [
        { name: 'app', image: 'nginx', resources: Object.keys(requests).length ? { requests } : undefined, ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort }] : undefined },
      ],
      nodeName: o.nodeName,
      tolerations: o.tolerations,
      nodeSelector: o.nodeSelector,
      priority: o.priority,
      schedulerName: 'default-scheduler',
      ...(o.spec ?? {}),
    },
  };
}

export class FakeListers implements Listers {
  svcs: Service[] = [];
  rss: ReplicaSet[] = [];
  nss: Namespace[] = [];
  namespace(name: string): Namespace | undefined {
    return this.nss.find((n) => n.metadata.name === name);
  }
  namespaces(): readonly Namespace[] {
    return this.nss;
  }
  services(namespace: string): readonly Service[] {
    return this.svcs.filter((s) => (s.metadata.namespace ?? 'default') === namespace);
  }
  replicaSet(namespace: string, name: string): ReplicaSet | undefined {
    return this.rss.find((r) => (r.metadata.namespace ?? 'default') === namespace && r.metadata.name === name);
  }
}

/** A cache, listers and the default profile (or another), ready for scheduleOne. */
export class Harness {
  readonly cache = new SchedulerCache();
  readonly listers = new FakeListers();
  readonly handle: Handle = { snapshot: this.cache, listers: this.listers };
  readonly profile: Profile;
  readonly rng: Rng;
  start = 0;

  constructor(config: ProfileConfig = defaultProfile(), seed = 1) {
    this.profile = new Profile(config, inTreeRegistry(), this.handle);
    this.rng = new Rng(seed);
  }

  nodes(...nodes: Node[]): this {
    for (const n of nodes) this.cache.addNode(n);
    return this;
  }

  bound(...pods: Pod[]): this {
    for (const p of pods) this.cache.addPod(p);
    return this;
  }

  schedule(pod: Pod, keepScores?: boolean, buffers?: CycleBuffers): ScheduleResult {
    const result = scheduleOne({ profile: this.profile, snapshot: this.cache, pod: podInfoOf(pod), rng: this.rng, startNodeIndex: this.start, keepScores, buffers });
    this.start = result.nextStartNodeIndex;
    return result;
  }

  /** Schedule and, when it fits, place the pod as bound (as the scheduler's assume does). */
  place(pod: Pod): string | undefined {
    const r = this.schedule(pod);
    if (r.nodeName) this.cache.addPod({ ...pod, spec: { ...pod.spec, nodeName: r.nodeName } });
    return r.nodeName;
  }
}

/** The default six-node lab: three tainted masters and three workers over three zones. */
export function labNodes(o: { workerCpu?: string; masterCpu?: string } = {}): Node[] {
  const zones = ['us-east-2a', 'us-east-2b', 'us-east-2c'];
  return [
    ...zones.map((zone, i) => makeNode(`master-${i + 1}`, { zone, cpu: o.masterCpu ?? '2', memory: '4Gi', taints: [CONTROL_PLANE_TAINT], labels: { 'node-role.kubernetes.io/control-plane': '' } })),
    ...zones.map((zone, i) => makeNode(`worker-${i + 1}`, { zone, cpu: o.workerCpu ?? '4', memory: '8Gi' })),
  ];
}
