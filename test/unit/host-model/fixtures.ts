/** Hand-built lab states for the tree model's tests (not a test file itself). */
import { EPOCH_MS } from '../../../src/sim/clock';
import type { Node, Pod } from '../../../src/sim/api/types';
import type { LabState, MasterState } from '../../../src/host/tree/model';

export const ZONES = ['us-east-2a', 'us-east-2b', 'us-east-2c'];

export function iso(ms: number): string {
  return new Date(EPOCH_MS + ms).toISOString().replace('.000Z', 'Z');
}

export function node(name: string, zone: string, opts: { master?: boolean; ready?: 'True' | 'False' | 'Unknown'; unschedulable?: boolean } = {}): Node {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone };
  if (opts.master) labels['node-role.kubernetes.io/control-plane'] = '';
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels, creationTimestamp: iso(0) },
    spec: { unschedulable: opts.unschedulable, taints: opts.master ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : undefined },
    status: {
      allocatable: opts.master ? { cpu: '2', memory: '4Gi', pods: '110' } : { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: opts.ready ?? 'True', message: opts.ready === 'Unknown' ? 'Kubelet stopped posting node status.' : undefined }],
    },
  };
}

export type PodShape = 'running' | 'creating' | 'pull-backoff' | 'crash' | 'unscheduled' | 'terminating';

export function pod(name: string, nodeName: string | undefined, shape: PodShape = 'running', owner?: { kind: string; name: string; uid: string }): Pod {
  const p: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: iso(0), ownerReferences: owner ? [{ apiVersion: 'apps/v1', ...owner, controller: true }] : undefined },
    spec: { nodeName, containers: [{ name: 'nginx', image: 'nginx:1.26', resources: { requests: { cpu: '250m', memory: '128Mi' } } }] },
    status: { phase: 'Pending' },
  };
  const cs = (state: object, ready = false, restartCount = 0) => [{ name: 'nginx', image: 'nginx:1.26', imageID: '', ready, restartCount, state }];
  switch (shape) {
    case 'running':
      p.status = { phase: 'Running', podIP: '10.244.1.2', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: cs({ running: { startedAt: iso(0) } }, true) };
      break;
    case 'creating':
      p.status = { phase: 'Pending', containerStatuses: cs({ waiting: { reason: 'ContainerCreating' } }) };
      break;
    case 'pull-backoff':
      p.status = { phase: 'Pending', containerStatuses: cs({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:9.99"' } }) };
      break;
    case 'crash':
      p.status = { phase: 'Running', containerStatuses: cs({ waiting: { reason: 'CrashLoopBackOff' } }, false, 4) };
      break;
    case 'unscheduled':
      p.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.' }] };
      break;
    case 'terminating':
      p.metadata.deletionTimestamp = iso(1000);
      p.status = { phase: 'Running', containerStatuses: cs({ running: {} }, true) };
      break;
  }
  return p;
}

export function master(host: string, zone: string, over: Partial<MasterState> = {}): MasterState {
  return {
    host, zone,
    apiserver: { running: true, inRotation: true },
    etcd: { running: true, role: host === 'master-1' ? 'leader' : 'follower', term: 2, revision: 42 },
    scheduler: { running: true },
    controllerManager: { running: true },
    ...over,
  };
}

/** The default topology: 3 masters + 3 workers, one of each per zone. */
export function defaultState(over: Partial<LabState> = {}): LabState {
  return {
    now: 90_000,
    epochMs: EPOCH_MS,
    zones: ZONES,
    masters: ZONES.map((z, i) => master(`master-${i + 1}`, z)),
    leases: { scheduler: 'master-1_aaaa', controllerManager: 'master-2_bbbb' },
    nodes: [...ZONES.map((z, i) => node(`master-${i + 1}`, z, { master: true })), ...ZONES.map((z, i) => node(`worker-${i + 1}`, z))],
    pods: [],
    deployments: [],
    replicaSets: [],
    services: [],
    endpoints: [],
    faults: [],
    ...over,
  };
}
