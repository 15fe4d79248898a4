/**
 * The patch formats the API server accepts, applied without mutating the stored (frozen) object:
 * only the path a patch touches is copied, everything else stays shared.
 *   - JSON merge patch (RFC 7386): maps merge, null deletes, lists replace.
 *   - Strategic merge patch: as merge patch, but lists with a merge key (containers by name, ports by
 *     containerPort, conditions by type ...) merge element by element, lists of primitives marked
 *     mergeable (finalizers) are unions; directives $patch (replace/delete/merge), $retainKeys,
 *     $deleteFromPrimitiveList/<field> and $setElementOrder/<field> are honoured.
 *   - JSON patch (RFC 6902): add, remove, replace, move, copy, test.
 */
import { deepClone, deepCloneSharingFrozen, isPlainObject, sameJson } from './objects';

const hasOwn = Object.prototype.hasOwnProperty;

export class PatchError extends Error {}

/**
 * JSON merge patch of `target` by `patch`. The result shares every part of `target` the patch leaves
 * as it was — a value the patch sets to what is already there (a kubelet sends its whole status each
 * time) included — and no part of `patch` that could change: what the patch brings is copied, as crossing
 * a real network would, but for frozen parts (deepCloneSharingFrozen). So a patch that changes nothing returns `target` itself, and the API server freezes and
 * compares only what changed. The result is the JSON of mergePatch(target, deepClone(patch)), key order
 * included.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return Array.isArray(patch) ? replaceList(target, patch) : patch;
  const base = isPlainObject(target) ? target : undefined;
  // Copied from base at the first change; a key keeps its place in base, a new key goes last.
  let out: Record<string, unknown> | undefined = base ? undefined : {};
  for (const key in patch) {
    if (!hasOwn.call(patch, key)) continue;
    const value = patch[key];
    if (value === undefined) continue; // not in JSON: deepClone would drop it
    if (value === null) {
      if (out) delete out[key];
      else if (hasOwn.call(base, key)) delete (out = { ...base })[key];
      continue;
    }
    const current = base?.[key];
    const merged = mergePatch(current, value);
    if (out) out[key] = merged;
    else if (merged !== current || !hasOwn.call(base, key)) (out = { ...base })[key] = merged;
  }
  return out ?? base;
}

/**
 * A list replaces the target's: the result is the target itself when equal, else a copy of the patch
 * that shares the target's elements where they are equal at the same index (and the patch's own frozen
 * elements: a kubelet freezes the status it sends, so its answer holds the very same parts). (Built by map, at its
 * exact length: stored lists live long, and one grown by push carries spare capacity.)
 */
function replaceList(target: unknown, patch: unknown[]): unknown[] {
  const old = Array.isArray(target) ? target : [];
  let same = 0;
  while (same < patch.length && same < old.length && sameJson(old[same], patch[same])) same++;
  if (same === patch.length && same === old.length) return old;
  return patch.map((value, i) => (i < same || (i > same && i < old.length && sameJson(old[i], value)) ? old[i] : deepCloneSharingFrozen(value)));
}

/** Strategic merge: `keys` maps list paths ("spec.containers") to merge keys ("" = union of primitives). */
export function strategicMergePatch(target: unknown, patch: unknown, keys: Record<string, string>, path = ''): unknown {
  if (!isPlainObject(patch)) return patch;
  const directive = patch.$patch;
  if (directive === 'replace') return stripDirectives(withoutKey(patch, '$patch'));
  if (directive === 'delete') return undefined;
  let base: Record<string, unknown> = isPlainObject(target) ? target : {};
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String));
    base = Object.fromEntries(Object.entries(base).filter(([k]) => keep.has(k)));
  }
  const out: Record<string, unknown> = { ...base };
  for (const key of Object.keys(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const remove = new Set((patch[key] as unknown[]) ?? []);
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((v) => !remove.has(v));
      continue;
    }
    const value = patch[key];
    const childPath = path ? `${path}.${key}` : key;
    if (value === null) {
      delete out[key];
    } else if (Array.isArray(value)) {
      const mergeKey = keys[childPath];
      out[key] = mergeKey === undefined ? stripDirectives(value) : mergeList(base[key], value, mergeKey, keys, childPath);
    } else if (isPlainObject(value)) {
      const merged = strategicMergePatch(base[key], value, keys, childPath);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function mergeList(target: unknown, patch: unknown[], mergeKey: string, keys: Record<string, string>, path: string): unknown[] {
  const base = Array.isArray(target) ? target : [];
  if (patch.some((e) => isPlainObject(e) && e.$patch === 'replace')) {
    return stripDirectives(patch.filter((e) => !(isPlainObject(e) && e.$patch === 'replace'))) as unknown[];
  }
  if (mergeKey === '') {
    const out = [...base];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const out = [...base];
  for (const element of patch) {
    if (!isPlainObject(element)) throw new PatchError(`unable to find api field "${mergeKey}" in a list element of ${path}`);
    const id = element[mergeKey];
    const at = out.findIndex((e) => isPlainObject(e) && e[mergeKey] === id);
    if (element.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = strategicMergePatch(out[at], element, keys, path);
    else out.push(stripDirectives(element));
  }
  return out;
}

function withoutKey(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _omit, ...rest } = obj;
  return rest;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** RFC 6902 on a copy of `target`. Throws PatchError with messages like upstream's json-patch library. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = deepClone(target);
  for (const raw of ops as JsonPatchOp[]) {
    const parts = pointer(raw.path);
    switch (raw.op) {
      case 'add': doc = put(doc, parts, deepClone(raw.value), 'add'); break;
      case 'replace': doc = put(doc, parts, deepClone(raw.value), 'replace'); break;
      case 'remove': doc = remove(doc, parts).doc; break;
      case 'move': {
        const r = remove(doc, pointer(raw.from ?? ''));
        doc = put(r.doc, parts, r.value, 'add');
        break;
      }
      case 'copy': doc = put(doc, parts, deepClone(read(doc, pointer(raw.from ?? ''))), 'add'); break;
      case 'test':
        if (JSON.stringify(read(doc, parts)) !== JSON.stringify(raw.value)) throw new PatchError(`testing value ${raw.path} failed: test failed`);
        break;
      default: throw new PatchError(`Unexpected kind: ${String((raw as { op: unknown }).op)}`);
    }
  }
  return doc;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`JSON pointer must be empty or start with a "/": ${path}`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function read(doc: unknown, parts: string[]): unknown {
  let cur = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isPlainObject(cur)) cur = cur[p];
    else throw new PatchError(`doc is missing path: /${parts.join('/')}: missing value`);
    if (cur === undefined) throw new PatchError(`doc is missing path: /${parts.join('/')}: missing value`);
  }
  return cur;
}

function put(doc: unknown, parts: string[], value: unknown, mode: 'add' | 'replace'): unknown {
  if (parts.length === 0) return value;
  const parent = read(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (mode === 'replace' && i >= parent.length)) throw new PatchError(`Unable to access invalid index: ${last}`);
    if (mode === 'add') parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isPlainObject(parent)) {
    if (mode === 'replace' && !(last in parent)) throw new PatchError(`doc is missing key: /${parts.join('/')}: missing value`);
    parent[last] = value;
  } else throw new PatchError(`doc is missing path: /${parts.join('/')}: missing value`);
  return doc;
}

function remove(doc: unknown, parts: string[]): { doc: unknown; value: unknown } {
  const parent = read(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw new PatchError(`Unable to remove nonexistent index: ${last}`);
    return { doc, value: parent.splice(i, 1)[0] };
  }
  if (isPlainObject(parent) && last in parent) {
    const value = parent[last];
    delete parent[last];
    return { doc, value };
  }
  throw new PatchError(`Unable to remove nonexistent key: ${last}: missing value`);
}
