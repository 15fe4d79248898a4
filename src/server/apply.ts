/**
 * Server-side apply (`kubectl apply --server-side`: PATCH with application/apply-patch+yaml), a correct
 * simplified version of upstream's structured-merge-diff:
 *  - each field manager owns the fields of its last applied configuration, recorded in
 *    metadata.managedFields (operation Apply, fieldsType FieldsV1, in upstream's "f:"/"k:" notation);
 *  - applying merges the configuration into the live object (maps by key, lists with a merge key —
 *    containers by name, ports by containerPort … — element by element, other lists atomically) and
 *    removes the fields this manager owned before but no longer sets, unless another manager owns them;
 *  - setting a field another manager owns to a different value is a conflict (409, upstream's wording)
 *    unless force=true, which takes ownership.
 * The result is written with an ordinary get + create/update through the simulated API (optimistic
 * concurrency, retried on conflict), so it shows in the event log like any write.
 */
import type { ApiClient, ApiRequest, ApiResponse, Status } from '../sim/api/request';
import type { KubeObject, ManagedFieldsEntry } from '../sim/api/types';
import type { ResourceDef } from '../sim/apiserver/resources';
import type { TraceContext } from '../sim/log';

type Token = string;
type FieldPath = Token[];
type Obj = Record<string, unknown>;

/** Metadata fields a manager can own (the rest is identity or system-managed). */
const OWNABLE_METADATA = new Set(['labels', 'annotations', 'finalizers', 'ownerReferences']);
const MAX_ATTEMPTS = 5;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function itemToken(item: Obj, key: string): Token {
  return `k:${JSON.stringify({ [key]: item[key] })}`;
}

/** The leaf field paths (and list items) a configuration sets, in FieldsV1 tokens. */
export function fieldPaths(obj: Obj, mergeKeys: Record<string, string>): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (value: Obj, prefix: FieldPath, dotted: string) => {
    for (const [key, v] of Object.entries(value)) {
      if (prefix.length === 0 && (key === 'apiVersion' || key === 'kind')) continue;
      if (prefix.length === 1 && prefix[0] === 'f:metadata' && !OWNABLE_METADATA.has(key)) continue;
      const path = [...prefix, `f:${key}`];
      const childDotted = dotted ? `${dotted}.${key}` : key;
      const mergeKey = mergeKeys[childDotted];
      if (isObj(v) && Object.keys(v).length > 0) walk(v, path, childDotted);
      else if (Array.isArray(v) && mergeKey && v.every((item) => isObj(item) && item[mergeKey] !== undefined)) {
        if (v.length === 0) out.push(path);
        for (const item of v as Obj[]) {
          const itemPath = [...path, itemToken(item, mergeKey)];
          out.push([...itemPath, '.']);
          walk(item, itemPath, childDotted);
        }
      } else out.push(path);
    }
  };
  walk(obj, [], '');
  return out;
}

/** FieldsV1 object ({"f:spec":{"f:replicas":{}}}) from paths. */
export function toFieldsV1(paths: readonly FieldPath[]): Obj {
  const root: Obj = {};
  for (const path of paths) {
    let node = root;
    for (const token of path) {
      node[token] ??= {};
      node = node[token] as Obj;
    }
  }
  return root;
}

/** Paths from a FieldsV1 object (every leaf, including "." item markers). */
export function fromFieldsV1(fields: unknown): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: unknown, prefix: FieldPath) => {
    if (!isObj(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0 && prefix.length > 0) out.push(prefix);
    for (const k of keys) walk(node[k], [...prefix, k]);
  };
  walk(fields, []);
  return out;
}

/** ".spec.template.spec.containers[name="web"].image", as upstream prints a field path. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const token of path) {
    if (token === '.') continue;
    if (token.startsWith('f:')) out += `.${token.slice(2)}`;
    else if (token.startsWith('k:')) {
      const key = JSON.parse(token.slice(2)) as Obj;
      out += `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    }
  }
  return out;
}

/** Where a path leads in an object: the parent container and the key (or list index) of the value. */
function locate(obj: Obj, path: FieldPath): { parent: Obj | unknown[]; key: string | number } | undefined {
  let node: unknown = obj;
  const steps = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
  for (let i = 0; i < steps.length; i++) {
    const token = steps[i];
    const last = i === steps.length - 1;
    if (token.startsWith('f:')) {
      if (!isObj(node)) return undefined;
      if (last) return { parent: node, key: token.slice(2) };
      node = node[token.slice(2)];
    } else if (token.startsWith('k:')) {
      if (!Array.isArray(node)) return undefined;
      const key = JSON.parse(token.slice(2)) as Obj;
      const index = node.findIndex((item) => isObj(item) && Object.entries(key).every(([k, v]) => JSON.stringify(item[k]) === JSON.stringify(v)));
      if (index < 0) return undefined;
      if (last) return { parent: node, key: index };
      node = node[index];
    } else return undefined;
  }
  return undefined;
}

function valueAt(obj: Obj, path: FieldPath): unknown {
  const at = locate(obj, path);
  if (!at) return undefined;
  return Array.isArray(at.parent) ? at.parent[at.key as number] : (at.parent as Obj)[at.key as string];
}

function removeAt(obj: Obj, path: FieldPath): void {
  const at = locate(obj, path);
  if (!at) return;
  if (Array.isArray(at.parent)) at.parent.splice(at.key as number, 1);
  else delete (at.parent as Obj)[at.key as string];
}

/** Merges an applied configuration into a live object (mutates `target`). */
export function mergeApplied(target: Obj, applied: Obj, mergeKeys: Record<string, string>, dotted = ''): void {
  for (const [key, value] of Object.entries(applied)) {
    const childDotted = dotted ? `${dotted}.${key}` : key;
    const mergeKey = mergeKeys[childDotted];
    if (value === null) delete target[key];
    else if (isObj(value) && isObj(target[key])) mergeApplied(target[key] as Obj, value, mergeKeys, childDotted);
    else if (Array.isArray(value) && mergeKey && Array.isArray(target[key]) && value.every((item) => isObj(item) && item[mergeKey] !== undefined)) {
      const live = target[key] as unknown[];
      for (const item of value as Obj[]) {
        const existing = live.find((x) => isObj(x) && JSON.stringify(x[mergeKey]) === JSON.stringify(item[mergeKey]));
        if (existing) mergeApplied(existing as Obj, item, mergeKeys, childDotted);
        else live.push(clone(item));
      }
    } else target[key] = clone(value);
  }
}

export interface ApplyPlan {
  /** The object to write. */
  object: KubeObject;
  conflicts: { manager: string; apiVersion: string; path: FieldPath }[];
}

const pathKey = (p: FieldPath) => JSON.stringify(p);

/** Computes the result of applying `applied` as `manager` over `live` (undefined = create). */
export function planApply(def: ResourceDef, live: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean, time: string): ApplyPlan {
  const mergeKeys = def.mergeKeys;
  const newPaths = fieldPaths(applied as unknown as Obj, mergeKeys);
  const mine: ManagedFieldsEntry = { manager, operation: 'Apply', apiVersion: def.apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(newPaths) };
  if (!live) {
    const object = clone(applied);
    object.metadata = { ...object.metadata, managedFields: [mine] };
    return { object, conflicts: [] };
  }
  const entries = live.metadata.managedFields ?? [];
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const others = entries.filter((e) => e !== previous);
  const otherOwned = new Map<string, ManagedFieldsEntry[]>();
  for (const e of others) for (const p of fromFieldsV1(e.fieldsV1)) {
    const list = otherOwned.get(pathKey(p)) ?? [];
    list.push(e);
    otherOwned.set(pathKey(p), list);
  }
  const conflicts: ApplyPlan['conflicts'] = [];
  const taken = new Set<string>();
  for (const p of newPaths) {
    const owners = otherOwned.get(pathKey(p));
    if (!owners || p[p.length - 1] === '.') continue;
    const same = JSON.stringify(valueAt(live as unknown as Obj, p)) === JSON.stringify(valueAt(applied as unknown as Obj, p));
    if (same) continue;
    if (force) taken.add(pathKey(p));
    else for (const o of owners) conflicts.push({ manager: o.manager ?? '', apiVersion: o.apiVersion ?? def.apiVersion, path: p });
  }
  const object = clone(live);
  const newKeys = new Set(newPaths.map(pathKey));
  const dropped = previous ? fromFieldsV1(previous.fieldsV1).filter((p) => !newKeys.has(pathKey(p)) && !otherOwned.has(pathKey(p))) : [];
  // Deepest first, so removing a list item does not shift the items of a later removal.
  dropped.sort((a, b) => b.length - a.length);
  for (const p of dropped) removeAt(object as unknown as Obj, p);
  const { metadata: appliedMeta, ...appliedRest } = applied;
  mergeApplied(object as unknown as Obj, appliedRest as Obj, mergeKeys);
  const meta = object.metadata as Obj;
  for (const field of OWNABLE_METADATA) {
    const v = (appliedMeta as Obj | undefined)?.[field];
    if (v !== undefined) mergeApplied(meta, { [field]: v }, mergeKeys, 'metadata');
  }
  const keptOthers = others
    .map((e) => (taken.size === 0 ? e : { ...e, fieldsV1: toFieldsV1(fromFieldsV1(e.fieldsV1).filter((p) => !taken.has(pathKey(p)))) }))
    .filter((e) => fromFieldsV1(e.fieldsV1).length > 0);
  object.metadata.managedFields = [...keptOthers, mine];
  return { object, conflicts };
}

/** Upstream's conflict Status: `Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`. */
export function conflictStatus(conflicts: ApplyPlan['conflicts']): Status {
  const byManager = new Map<string, ApplyPlan['conflicts']>();
  for (const c of conflicts) {
    const key = `"${c.manager}" using ${c.apiVersion}`;
    byManager.set(key, [...(byManager.get(key) ?? []), c]);
  }
  const n = conflicts.length;
  let message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: `;
  message += [...byManager]
    .map(([who, list]) => (list.length === 1 ? `conflict with ${who}: ${formatPath(list[0].path)}` : `conflicts with ${who}:\n${list.map((c) => `- ${formatPath(c.path)}`).join('\n')}`))
    .join('\n');
  return {
    apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason: 'Conflict', code: 409,
    details: { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: formatPath(c.path) })) },
  };
}

function failure(code: number, reason: string, message: string): ApiResponse {
  return { code, body: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason, code } };
}

/** Handles one apply request through `client`; `done` gets the final response. */
export function serverSideApply(
  client: ApiClient,
  def: ResourceDef,
  req: Omit<ApiRequest, 'client'>,
  ctx: TraceContext,
  done: (response: ApiResponse) => void,
  now: () => string = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  attempt = 1,
): void {
  const applied = req.body as KubeObject;
  const manager = req.query?.fieldManager;
  if (!manager) return done(failure(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
  if (!isObj(applied)) return done(failure(400, 'BadRequest', 'error decoding YAML: the apply configuration must be an object'));
  if (applied.apiVersion !== def.apiVersion || applied.kind !== (req.subresource === 'scale' ? 'Scale' : def.kind)) {
    return done(failure(400, 'BadRequest', `the apply configuration's apiVersion and kind (${String(applied.apiVersion)}, ${String(applied.kind)}) do not match the resource (${def.apiVersion}, ${def.kind})`));
  }
  if (!isObj(applied.metadata)) applied.metadata = {};
  if (applied.metadata.name !== undefined && applied.metadata.name !== req.name) {
    return done(failure(400, 'BadRequest', `the name of the object (${String(applied.metadata.name)}) does not match the name on the URL (${req.name})`));
  }
  applied.metadata.name = req.name;
  if (def.namespaced) {
    if (applied.metadata.namespace !== undefined && applied.metadata.namespace !== req.namespace) {
      return done(failure(400, 'BadRequest', `the namespace of the provided object does not match the namespace sent on the request`));
    }
    applied.metadata.namespace = req.namespace;
  }
  const query = { fieldManager: manager, fieldValidation: req.query?.fieldValidation, dryRun: req.query?.dryRun };
  const base = { apiVersion: req.apiVersion, resource: req.resource, namespace: req.namespace, subresource: req.subresource };
  client.request({ ...base, verb: 'get', name: req.name }, ctx, (current, getCtx) => {
    if (current.code !== 200 && current.code !== 404) return done(current);
    const live = current.code === 200 ? (current.body as KubeObject) : undefined;
    if (!live && req.subresource) return done(current);
    const plan = planApply(def, live, applied, manager, req.query?.force === true, now());
    if (plan.conflicts.length > 0) return done({ code: 409, body: conflictStatus(plan.conflicts) });
    const write: Omit<ApiRequest, 'client'> = live
      ? { ...base, verb: 'update', name: req.name, body: plan.object, query }
      : { ...base, verb: 'create', body: plan.object, query };
    client.request(write, getCtx, (written) => {
      const status = written.body as Status;
      const retry = (written.code === 409 && status?.reason === 'Conflict') || (written.code === 409 && !live && status?.reason === 'AlreadyExists');
      if (retry && attempt < MAX_ATTEMPTS) return serverSideApply(client, def, req, ctx, done, now, attempt + 1);
      done(written);
    });
  });
}
