/**
 * Helpers for API objects as plain JSON data: objects the API server stores are deep-frozen and
 * shared by every reader (structural sharing: a patch copies only the path it changes).
 */
import type { KubeObject } from '../api/types';
import { keepObjectKey, objectKey } from '../api/informer';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const hasOwn = Object.prototype.hasOwnProperty;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Freeze `value` and everything under it, skipping subtrees already frozen (shared with an older version). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  // Arrays by index: for-in would name each element by a string key and read it through that (3x slower on a pod).
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  else for (const key in value) if (hasOwn.call(value, key)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/** A deep copy of JSON-like data (what crossing a real network would give). */
export function deepClone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(deepClone) as unknown as T;
  // for-in over own keys (the order Object.keys gives) without building a key array per object.
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!hasOwn.call(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = deepClone(v);
  }
  return out as T;
}

/**
 * deepClone for data that may hold parts of stored objects (an update's body is usually the stored
 * object with a few fields changed): a frozen subtree whose copy would be equal to it key for key is
 * returned as it is — it cannot change, so sharing it is as safe as copying it, and the API server's
 * freeze skips it. A frozen subtree with a key whose value is undefined anywhere in it is copied, as
 * deepClone would (dropping such keys): where a key sits decides where a later spread puts its value,
 * so sharing it could change the JSON key order of a later version. What is not frozen is copied.
 */
export function deepCloneSharingFrozen<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const frozen = Object.isFrozen(value);
  if (Array.isArray(value)) return (frozen ? shareOrCopyList(value) : value.map(deepCloneSharingFrozen)) as unknown as T;
  const obj = value as Record<string, unknown>;
  // A frozen object is copied only from the first key that needs it (a changed part or an undefined value).
  let out: Record<string, unknown> | undefined = frozen ? undefined : {};
  for (const key in obj) {
    if (!hasOwn.call(obj, key)) continue;
    const v = obj[key];
    if (v === undefined) {
      out ??= copyKeysBefore(obj, key);
      continue;
    }
    const c = deepCloneSharingFrozen(v);
    if (out) out[key] = c;
    else if (c !== v) (out = copyKeysBefore(obj, key))[key] = c;
  }
  return (out ?? obj) as T;
}

/** A frozen list as it is when every element may be shared, else a copy (of its exact length) sharing those that may. */
function shareOrCopyList(list: readonly unknown[]): unknown[] {
  for (let i = 0; i < list.length; i++) {
    const c = deepCloneSharingFrozen(list[i]);
    if (c === list[i]) continue;
    const out = list.slice();
    out[i] = c;
    for (let j = i + 1; j < list.length; j++) out[j] = deepCloneSharingFrozen(list[j]);
    return out;
  }
  return list as unknown[];
}

/** The keys of `obj` before `stop` (each one shared: it needed no copy) in a new object. */
function copyKeysBefore(obj: Record<string, unknown>, stop: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in obj) {
    if (key === stop) break;
    if (hasOwn.call(obj, key)) out[key] = obj[key];
  }
  return out;
}

/** Structural equality of JSON-like data; identical references short-circuit, so shared subtrees cost nothing. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  // Keys whose value is undefined do not count (JSON drops them); no key arrays are built.
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  let na = 0;
  for (const k in oa) {
    if (!hasOwn.call(oa, k) || oa[k] === undefined) continue;
    na++;
    if (!hasOwn.call(ob, k) || !deepEqual(oa[k], ob[k])) return false;
  }
  let nb = 0;
  for (const k in ob) if (hasOwn.call(ob, k) && ob[k] !== undefined) nb++;
  return na === nb;
}

/** deepEqual of two objects, not counting the key `skip` (without copying them to drop it). */
export function deepEqualExcept(a: object, b: object, skip: string): boolean {
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  let na = 0;
  for (const k in oa) {
    if (k === skip || !hasOwn.call(oa, k) || oa[k] === undefined) continue;
    na++;
    if (!hasOwn.call(ob, k) || !deepEqual(oa[k], ob[k])) return false;
  }
  let nb = 0;
  for (const k in ob) if (k !== skip && hasOwn.call(ob, k) && ob[k] !== undefined) nb++;
  return na === nb;
}

/**
 * Would JSON.stringify give the same text for `a` and `b`? As deepEqual, but keys must also come in the
 * same order: where this holds, one may stand for the other without changing any response.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // Walk a's keys and b's in step, skipping keys whose value is undefined (JSON drops them).
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  const kb = Object.keys(ob);
  let j = 0;
  for (const k in oa) {
    if (!hasOwn.call(oa, k) || oa[k] === undefined) continue;
    while (j < kb.length && ob[kb[j]] === undefined) j++;
    if (j === kb.length || kb[j] !== k || !sameJson(oa[k], ob[k])) return false;
    j++;
  }
  while (j < kb.length && ob[kb[j]] === undefined) j++;
  return j === kb.length;
}

/**
 * The stored form of an object at a revision: a frozen shallow copy whose resourceVersion is the
 * revision, carrying its key (objectKey) — the string `prev`, the version it replaces, already carries
 * when the key is the same, so every version of an object shares one.
 */
export function stampResourceVersion(value: unknown, revision: number, prev?: unknown): unknown {
  if (!isPlainObject(value) || !isPlainObject(value.metadata)) return value;
  const obj = value as KubeObject;
  const metadata = { ...obj.metadata, resourceVersion: String(revision) };
  let key = objectKey(obj);
  if (isPlainObject(prev) && isPlainObject(prev.metadata)) {
    const prevKey = objectKey(prev as KubeObject);
    if (prevKey === key) key = prevKey;
  }
  keepObjectKey(metadata, key);
  return Object.freeze({ ...obj, metadata: Object.freeze(metadata) });
}

/** Dotted paths split into their parts: field selectors read the same few paths for every watcher and event. */
const pathParts = new Map<string, readonly string[]>();

/** Read a dotted path ("spec.nodeName") from an object. */
export function getPath(obj: unknown, path: string): unknown {
  let parts = pathParts.get(path);
  if (!parts) {
    parts = path.split('.');
    if (pathParts.size < 1000) pathParts.set(path, parts);
  }
  let cur: unknown = obj;
  for (const part of parts) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export interface FieldChange {
  /** Dotted path with indexes, e.g. "status.conditions[1].status". */
  path: string;
  before: unknown;
  after: unknown;
}

/**
 * The leaf fields that differ between two versions of an object (shared subtrees are skipped at
 * once). `ignore` lists paths not worth showing (resourceVersion, managedFields ...).
 */
export function changedFields(before: unknown, after: unknown, ignore: ReadonlySet<string> = new Set(), path = ''): FieldChange[] {
  if (before === after || ignore.has(path)) return [];
  const bothArrays = Array.isArray(before) && Array.isArray(after);
  const bothObjects = isPlainObject(before) && isPlainObject(after);
  if (!bothArrays && !bothObjects) return deepEqual(before, after) ? [] : [{ path, before, after }];
  const out: FieldChange[] = [];
  if (bothArrays) {
    const a = before as unknown[];
    const b = after as unknown[];
    const key = listKey(a, b);
    if (key) {
      // Lists merged by key upstream (conditions by type, containers by name) are compared by key.
      const byKey = (list: unknown[]) => new Map(list.map((e) => [(e as Record<string, string>)[key], e]));
      const ma = byKey(a);
      const mb = byKey(b);
      for (const k of new Set([...ma.keys(), ...mb.keys()])) out.push(...changedFields(ma.get(k), mb.get(k), ignore, `${path}[${k}]`));
      return out;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...changedFields(a[i], b[i], ignore, `${path}[${i}]`));
    return out;
  }
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) out.push(...changedFields(a[key], b[key], ignore, path ? `${path}.${key}` : key));
  return out;
}

/** "type" or "name" when every element of both lists is an object with a distinct string value for it. */
function listKey(a: unknown[], b: unknown[]): string | undefined {
  for (const key of ['type', 'name']) {
    const ok = (list: unknown[]) => {
      const seen = new Set<string>();
      for (const e of list) {
        if (!isPlainObject(e) || typeof e[key] !== 'string' || seen.has(e[key] as string)) return false;
        seen.add(e[key] as string);
      }
      return true;
    };
    if ((a.length > 0 || b.length > 0) && ok(a) && ok(b)) return key;
  }
  return undefined;
}
