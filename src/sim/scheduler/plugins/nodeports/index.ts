/** NodePorts: a pod asking for host ports fits only nodes where those ports are free. */
import { SKIP, SUCCESS, sharedStatus, type Plugin } from '../../framework';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
const REJECTED = sharedStatus('Unschedulable', ERR_REASON);

export function nodePorts(): Plugin {
  return {
    name: NAME,
    events: [
      { resource: 'Pod', actions: ['Delete'] },
      { resource: 'Node', actions: ['Add'] },
    ],
    preFilter(_state, pod) {
      return pod.hostPorts.length === 0 ? SKIP : SUCCESS;
    },
    filter(_state, pod, node) {
      for (const hp of pod.hostPorts) if (node.portConflicts(hp)) return REJECTED;
      return SUCCESS;
    },
  };
}
