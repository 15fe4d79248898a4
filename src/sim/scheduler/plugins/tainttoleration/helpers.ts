/** Taints and tolerations as upstream's v1helper: who tolerates what. */
import type { Taint, Toleration } from '../../../api/types';

type TaintLike = Pick<Taint, 'key' | 'effect'> & { value?: string };

/** upstream Toleration.ToleratesTaint. */
export function toleratesTaint(toleration: Toleration, taint: TaintLike): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: TaintLike): boolean {
  if (!tolerations) return false;
  for (let i = 0; i < tolerations.length; i++) if (toleratesTaint(tolerations[i], taint)) return true;
  return false;
}

/** The first taint (in the node's order) that passes `include` (when given) and no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[] | undefined,
  include?: (taint: Taint) => boolean,
): Taint | undefined {
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i];
    if ((!include || include(taint)) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/** The taints the Filter considers: NoSchedule and NoExecute. */
export const doNotScheduleTaint = (taint: Taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
