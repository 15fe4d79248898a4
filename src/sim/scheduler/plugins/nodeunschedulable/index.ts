/** NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate it. */
import { SUCCESS, sharedStatus, type Plugin } from '../../framework';
import { tolerationsTolerateTaint } from '../tainttoleration/helpers';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const REJECTED = sharedStatus('UnschedulableAndUnresolvable', ERR_REASON_UNSCHEDULABLE);

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

export function nodeUnschedulable(): Plugin {
  return {
    name: NAME,
    events: [{ resource: 'Node', actions: ['Add', 'UpdateNodeTaint'] }],
    filterReadsOnlyCordonAndTaints: true,
    filter(_state, pod, node) {
      if (!node.unschedulable) return SUCCESS;
      // A pod that tolerates the unschedulable taint also tolerates spec.unschedulable.
      if (tolerationsTolerateTaint(pod.pod.spec.tolerations, UNSCHEDULABLE_TAINT)) return SUCCESS;
      return REJECTED;
    },
  };
}
