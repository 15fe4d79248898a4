/**
 * The Node object a kubelet registers and the status it reports (pure): well-known labels, the
 * control-plane taint, capacity/allocatable, addresses, nodeInfo, and the four node conditions.
 */
import type { Lease, Node, NodeCondition, NodeStatus, Quantity, Taint } from '../api/types';

export interface NodeConfig {
  name: string;
  zone: string;
  labels?: Record<string, string>;
  /** Taints to register with; control-plane nodes default to node-role.kubernetes.io/control-plane:NoSchedule. */
  taints?: Taint[];
  capacity: { cpu: Quantity; memory: Quantity; pods: Quantity };
  role: 'control-plane' | 'worker';
  /** The node's InternalIP; derived from the name when absent (give one to avoid clashes in big clusters). */
  internalIP?: string;
  /** The pod CIDR the runtime assigns pod IPs from, e.g. "10.244.1.0/24"; derived from the name when absent. */
  podCIDR?: string;
}

/** Identity that changes only with the machine (machineID, systemUUID) or at each boot (bootID). */
export interface NodeIdentity {
  machineID: string;
  systemUUID: string;
  bootID: string;
}

export const KUBELET_VERSION = 'v1.32.2';
export const CONTAINER_RUNTIME_VERSION = 'containerd://1.7.24';
export const KUBELET_PORT = 10250;
export const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

/** Zone "us-east-2a" → region "us-east-2" (the cloud convention). */
export function regionOf(zone: string): string {
  return /^(.*\d)[a-z]$/.exec(zone)?.[1] ?? zone;
}

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export function nodeInternalIP(config: NodeConfig): string {
  if (config.internalIP) return config.internalIP;
  const h = hashName(config.name);
  return `10.0.${(h >>> 8) & 255}.${2 + ((h & 0xff) % 252)}`;
}

export function nodePodCIDR(config: NodeConfig): string {
  if (config.podCIDR) return config.podCIDR;
  return `10.244.${hashName(config.name) & 255}.0/24`;
}

export function nodeLabels(config: NodeConfig): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': config.name,
    'kubernetes.io/os': 'linux',
    'topology.kubernetes.io/region': regionOf(config.zone),
    'topology.kubernetes.io/zone': config.zone,
    ...(config.role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
    ...config.labels,
  };
}

export function nodeTaints(config: NodeConfig): Taint[] {
  return config.taints ?? (config.role === 'control-plane' ? [CONTROL_PLANE_TAINT] : []);
}

const CONDITIONS: [NodeCondition['type'], NodeCondition['status'], string, string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/** The status the kubelet posts; `prior` keeps lastTransitionTime of unchanged conditions. */
export function nodeStatus(config: NodeConfig, identity: NodeIdentity, nowIso: string, prior?: NodeStatus): NodeStatus {
  const capacity: Record<string, Quantity> = {
    cpu: String(config.capacity.cpu),
    'ephemeral-storage': '101430960Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: String(config.capacity.memory),
    pods: String(config.capacity.pods),
  };
  return {
    capacity,
    allocatable: { ...capacity, 'ephemeral-storage': '93478772582' },
    conditions: CONDITIONS.map(([type, status, reason, message]) => {
      const old = prior?.conditions?.find((c) => c.type === type);
      return {
        type,
        status,
        lastHeartbeatTime: nowIso,
        lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : nowIso,
        reason,
        message,
      };
    }),
    addresses: [
      { type: 'InternalIP', address: nodeInternalIP(config) },
      { type: 'Hostname', address: config.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: identity.machineID,
      systemUUID: identity.systemUUID,
      bootID: identity.bootID,
      kernelVersion: '6.8.0-1021-aws',
      osImage: 'Ubuntu 24.04.1 LTS',
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The Node object POSTed at registration. */
export function buildNode(config: NodeConfig, identity: NodeIdentity, nowIso: string): Node {
  const podCIDR = nodePodCIDR(config);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: config.name,
      labels: nodeLabels(config),
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR, podCIDRs: [podCIDR], taints: nodeTaints(config) },
    status: nodeStatus(config, identity, nowIso),
  };
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LEASE_DURATION_SECONDS = 40;

/** The node's heartbeat Lease in kube-node-lease, owned by its Node. */
export function buildLease(nodeName: string, nodeUid: string | undefined, renewTime: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime },
  };
}
