/** NodeName: a pod that names its node fits only that node. */
import { SKIP, SUCCESS, sharedStatus, type Plugin } from '../../framework';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";
const REJECTED = sharedStatus('UnschedulableAndUnresolvable', ERR_REASON);

export function nodeName(): Plugin {
  return {
    name: NAME,
    events: [{ resource: 'Node', actions: ['Add'] }],
    // A pod that names no node fits every node: nothing to check (upstream's NodeName has no
    // PreFilter and answers Success per node; skipping its Filter gives the same verdicts).
    preFilter(_state, pod) {
      return pod.pod.spec.nodeName ? SUCCESS : SKIP;
    },
    filter(_state, pod, node) {
      const wanted = pod.pod.spec.nodeName;
      return !wanted || wanted === node.name ? SUCCESS : REJECTED;
    },
  };
}
