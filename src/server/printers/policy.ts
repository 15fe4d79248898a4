/** `kubectl get poddisruptionbudgets` (NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE), as upstream's printPodDisruptionBudget. */
import type { PodDisruptionBudget } from '../../sim/api/types';
import { AGE_COLUMN, NAME_COLUMN, age, column, type Printer } from './table';

export const podDisruptionBudgetPrinter: Printer<PodDisruptionBudget> = {
  columns: [
    NAME_COLUMN,
    column('Min Available', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', 0, 'integer'),
    AGE_COLUMN,
  ],
  cells(pdb, now) {
    const value = (v: number | string | undefined) => (v === undefined ? 'N/A' : String(v));
    return [pdb.metadata.name, value(pdb.spec?.minAvailable), value(pdb.spec?.maxUnavailable), pdb.status?.disruptionsAllowed ?? 0, age(pdb, now)];
  },
};
