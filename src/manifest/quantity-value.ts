/** The manifest rules' view of quantities, on top of quantity.ts (upstream's resource.Quantity parser). */
import { formatBytes, formatCpu, isQuantityError, parseQuantity } from './quantity';

/** A quantity's value, or upstream's parse error. */
export function quantityValue(q: string | number): { value: number } | { error: string } {
  const result = parseQuantity(q);
  return isQuantityError(result) ? { error: result.error } : { value: result.value };
}

/** A value for display: cpu as 1500m or 2, other resources in binary units (1.5Gi). */
export function formatQuantity(value: number, resource: string): string {
  return resource === 'cpu' ? formatCpu(Math.ceil(value * 1000)) : formatBytes(value);
}
