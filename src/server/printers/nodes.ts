/**
 * `kubectl get nodes`: NAME STATUS ROLES AGE VERSION (+ wide: INTERNAL-IP EXTERNAL-IP OS-IMAGE
 * KERNEL-VERSION CONTAINER-RUNTIME), as upstream's printNode.
 */
import type { Node } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, orNone, type Printer } from './table';

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** "Ready", "NotReady", "Unknown", plus ",SchedulingDisabled" for a cordoned node. */
export function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from node-role.kubernetes.io/<role> and kubernetes.io/role labels, sorted. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length) roles.add(key.slice(ROLE_PREFIX.length));
    else if (key === 'kubernetes.io/role' && value) roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function address(node: Node, type: string): string {
  return orNone(node.status?.addresses?.find((a) => a.type === type)?.address);
}

function unknownIfEmpty(value: string | undefined): string {
  return value ? value : '<unknown>';
}

export const nodePrinter: Printer<Node> = {
  columns: [
    NAME_COLUMN,
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    column('External-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  cells(node, now) {
    const info = node.status?.nodeInfo;
    return [
      node.metadata.name,
      nodeStatus(node),
      nodeRoles(node),
      age(node, now),
      info?.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      unknownIfEmpty(info?.osImage),
      unknownIfEmpty(info?.kernelVersion),
      unknownIfEmpty(info?.containerRuntimeVersion),
    ];
  },
};
