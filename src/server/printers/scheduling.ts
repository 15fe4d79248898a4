/** `kubectl get priorityclasses` (NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY), as upstream's printPriorityClass. */
import type { PriorityClass } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, type Printer } from './table';

export const priorityClassPrinter: Printer<PriorityClass> = {
  columns: [
    NAME_COLUMN,
    column('Value', 'value represents the integer value of this priority class.', 0, 'integer'),
    column('Global-Default', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.', 0, 'boolean'),
    AGE_COLUMN,
    column('PreemptionPolicy', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells(pc, now) {
    return [pc.metadata.name, pc.value ?? 0, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? ''];
  },
};
