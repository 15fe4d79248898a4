import type { FieldPath } from './types';

/** Formats a path like upstream's field.Path: spec.containers[0].resources.limits[cpu]-style keys stay dotted. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

/** Formats a map entry like upstream: data[my.key]. */
export function formatKeyPath(path: FieldPath, key: string): string {
  return `${formatPath(path)}[${key}]`;
}

/** Parses an ajv instancePath (JSON Pointer) into segments; numeric segments become indexes when `isIndex` says so. */
export function fromJsonPointer(pointer: string, data: unknown): FieldPath {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      out.push(index);
      node = node[index];
    } else {
      out.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}
