/** Container resources: resource names, quantity syntax, non-negative values, requests ≤ limits. */
import { fieldError } from '../field-errors';
import { formatKeyPath } from '../field-path';
import { quantityValue } from '../quantity-value';
import type { FieldError, FieldPath } from '../types';
import { isObj } from './util';

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function isStandardContainerResource(name: string): boolean {
  return STANDARD_CONTAINER_RESOURCES.includes(name) || /^hugepages-/.test(name) || name.includes('/');
}

/** Parses every quantity of a ResourceList, reporting bad names and bad quantities; returns the parsed values. */
function checkResourceList(errs: FieldError[], list: unknown, path: FieldPath): Map<string, { value: number; text: string }> {
  const parsed = new Map<string, { value: number; text: string }>();
  if (!isObj(list)) return parsed;
  const parent = path.slice(0, -1);
  const listName = String(path[path.length - 1]);
  for (const [name, raw] of Object.entries(list)) {
    const keyPath = [...path, name];
    const field = formatKeyPath([...parent, listName], name);
    if (!isStandardContainerResource(name)) {
      errs.push(fieldError.invalid(keyPath, name, 'must be a standard resource for containers', { rule: 'invalid-value', field, target: 'key', suggestions: STANDARD_CONTAINER_RESOURCES }));
      continue;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') continue; // the schema reports the type
    const q = quantityValue(raw);
    if ('error' in q) {
      errs.push(fieldError.invalid(keyPath, raw, q.error, { rule: 'invalid-quantity', field }));
      continue;
    }
    if (q.value < 0) {
      errs.push(fieldError.invalid(keyPath, String(raw), 'must be greater than or equal to 0', { rule: 'invalid-quantity', field }));
      continue;
    }
    parsed.set(name, { value: q.value, text: String(raw) });
  }
  return parsed;
}

export function checkResources(errs: FieldError[], resources: unknown, path: FieldPath): void {
  if (!isObj(resources)) return;
  const limits = checkResourceList(errs, resources.limits, [...path, 'limits']);
  const requests = checkResourceList(errs, resources.requests, [...path, 'requests']);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit && request.value > limit.value) {
      errs.push(
        fieldError.invalid([...path, 'requests', name], request.text, `must be less than or equal to ${name} limit of ${limit.text}`, {
          rule: 'requests-exceed-limits',
          field: formatKeyPath([...path, 'requests'], name),
        }),
      );
    }
  }
}

/** The pod's effective request for a resource: the sum over containers, or the largest init container's if more. */
export function podRequest(spec: unknown, resource: string): number {
  if (!isObj(spec)) return 0;
  const requestOf = (c: unknown): number => {
    if (!isObj(c) || !isObj(c.resources)) return 0;
    const requests = isObj(c.resources.requests) ? c.resources.requests : isObj(c.resources.limits) ? c.resources.limits : undefined;
    const raw = requests?.[resource];
    if (typeof raw !== 'string' && typeof raw !== 'number') return 0;
    const q = quantityValue(raw);
    return 'error' in q ? 0 : q.value;
  };
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const init = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const sum = containers.reduce((total: number, c) => total + requestOf(c), 0);
  return Math.max(sum, ...init.map(requestOf));
}
