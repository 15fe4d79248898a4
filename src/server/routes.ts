/**
 * Reads an HTTP request line (method, path, query) the way kube-apiserver's request-info resolver does,
 * and turns resource requests into the simulation's ApiRequest. Pure: no I/O, so it can be fuzzed.
 *
 *   /api/v1/pods                                      list (all namespaces)
 *   /api/v1/namespaces/NS/pods[/NAME[/SUBRESOURCE]]   namespaced
 *   /api/v1/nodes[/NAME[/SUBRESOURCE]]                cluster-scoped
 *   /api/v1/namespaces[/NAME[/status]]                namespaces themselves
 *   /api/v1/watch/...                                 legacy watch paths
 *   /apis/GROUP/VERSION/...                           the same under a named group
 *   /apis/authorization.k8s.io/v1/selfsubjectaccessreviews … the virtual review endpoints (reviews.ts)
 *   /healthz, /livez, /readyz[/CHECK]                 health, asked of a simulated API server
 */
import type { ApiRequest, PatchType, Verb } from '../sim/api/request';
import { HEALTH_ENDPOINTS } from '../sim/apiserver/health';
import { served, type ServedResource } from './catalog';
import { reviewEndpoint, type ReviewEndpoint } from './reviews';

export type Route =
  | { type: 'version' }
  | { type: 'health'; path: string; verbose: boolean; exclude: string[] }
  | { type: 'api-versions' }
  | { type: 'api-groups' }
  | { type: 'api-group'; group: string }
  | { type: 'resource-list'; apiVersion: string }
  | { type: 'openapi-v3-root' }
  | { type: 'openapi-v3'; apiVersion: string }
  | { type: 'openapi-v2' }
  | { type: 'lab'; path: string }
  | { type: 'resource'; request: ResourceRequest }
  | { type: 'review'; endpoint: ReviewEndpoint }
  | { type: 'error'; code: number; reason: string; message: string };

/** A resource request, ready to become an ApiRequest once the body is read. */
export interface ResourceRequest {
  verb: Verb;
  served: ServedResource;
  apiVersion: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: NonNullable<ApiRequest['query']>;
  /** Watch options the HTTP layer handles itself. */
  timeoutSeconds?: number;
  /** Table rendering: which object each row embeds (upstream's includeObject). */
  includeObject?: 'None' | 'Metadata' | 'Object';
}

const NOT_FOUND = (path: string): Route => ({
  type: 'error', code: 404, reason: 'NotFound', message: `the server could not find the requested resource (${path})`,
});

const bad = (message: string): Route => ({ type: 'error', code: 400, reason: 'BadRequest', message });

const NAME_SEGMENT = /^[^/\s]{1,253}$/;

export function route(method: string, rawUrl: string): Route {
  let url: URL;
  try {
    url = new URL(rawUrl, 'http://lab.invalid');
  } catch {
    return bad(`malformed request URL ${JSON.stringify(rawUrl.slice(0, 100))}`);
  }
  const path = url.pathname;
  let segments: string[];
  try {
    segments = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return bad('malformed path encoding');
  }
  const isGet = method === 'GET' || method === 'HEAD';
  const first = segments[0];

  if (first === 'version' && segments.length === 1) return isGet ? { type: 'version' } : methodNotAllowed();
  if ((HEALTH_ENDPOINTS as readonly string[]).includes(first) && segments.length <= 2) {
    if (!isGet) return methodNotAllowed();
    // Upstream looks for the parameter, not its value: `?verbose` and `?verbose=false` both list the checks.
    return { type: 'health', path: `/${segments.join('/')}`, verbose: url.searchParams.has('verbose'), exclude: url.searchParams.getAll('exclude') };
  }
  if (first === 'openapi') {
    if (!isGet) return methodNotAllowed();
    if (segments[1] === 'v2' && segments.length === 2) return { type: 'openapi-v2' };
    if (segments[1] === 'v3' && segments.length === 2) return { type: 'openapi-v3-root' };
    if (segments[1] === 'v3' && segments[2] === 'api' && segments.length === 4) return { type: 'openapi-v3', apiVersion: segments[3] };
    if (segments[1] === 'v3' && segments[2] === 'apis' && segments.length === 5) return { type: 'openapi-v3', apiVersion: `${segments[3]}/${segments[4]}` };
    return NOT_FOUND(path);
  }
  if (first === 'lab') return { type: 'lab', path };
  if (first === 'api') {
    if (segments.length === 1) return isGet ? { type: 'api-versions' } : methodNotAllowed();
    return resourcePath(method, segments[1], segments.slice(2), url, path);
  }
  if (first === 'apis') {
    if (segments.length === 1) return isGet ? { type: 'api-groups' } : methodNotAllowed();
    if (segments.length === 2) return isGet ? { type: 'api-group', group: segments[1] } : methodNotAllowed();
    const review = segments.length === 4 ? reviewEndpoint(`${segments[1]}/${segments[2]}`, segments[3]) : undefined;
    if (review) return method === 'POST' ? { type: 'review', endpoint: review } : methodNotAllowed();
    return resourcePath(method, `${segments[1]}/${segments[2]}`, segments.slice(3), url, path);
  }
  return NOT_FOUND(path);
}

function methodNotAllowed(): Route {
  return { type: 'error', code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' };
}

function resourcePath(method: string, apiVersion: string, rest: string[], url: URL, path: string): Route {
  if (rest.length === 0) return method === 'GET' || method === 'HEAD' ? { type: 'resource-list', apiVersion } : methodNotAllowed();
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  let resource: string;
  let name: string | undefined;
  let subresource: string | undefined;
  const namespacedResource = (candidate: string | undefined) => candidate !== undefined && served(apiVersion, candidate)?.def.namespaced === true;
  if (rest[0] === 'namespaces' && rest.length >= 3 && namespacedResource(rest[2])) {
    namespace = rest[1];
    [resource, name, subresource] = [rest[2], rest[3], rest[4]];
    if (rest.length > 5) return NOT_FOUND(path);
  } else {
    [resource, name, subresource] = [rest[0], rest[1], rest[2]];
    if (rest.length > 3) return NOT_FOUND(path);
  }
  const target = served(apiVersion, resource);
  if (!target) return NOT_FOUND(path);
  if (namespace !== undefined && !NAME_SEGMENT.test(namespace)) return bad(`invalid namespace ${JSON.stringify(namespace)}`);
  if (name !== undefined && !NAME_SEGMENT.test(name)) return bad(`invalid resource name ${JSON.stringify(name)}`);
  if (subresource !== undefined && !target.subresources.some((s) => s.name === subresource)) return NOT_FOUND(path);

  const params = url.searchParams;
  const parsed = parseQuery(params);
  if ('error' in parsed) return bad(parsed.error);
  const watch = legacyWatch || isTrue(params.get('watch'));

  let verb: Verb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
      if (watch && name) {
        // A watch on one object is a watch on the collection narrowed to that name, as upstream does.
        parsed.query.fieldSelector = joinSelectors(parsed.query.fieldSelector, `metadata.name=${name}`);
        name = undefined;
      }
      break;
    case 'POST':
      if (name && !subresource) return methodNotAllowed();
      verb = 'create';
      break;
    case 'PUT':
      if (!name) return methodNotAllowed();
      verb = 'update';
      break;
    case 'PATCH':
      if (!name) return methodNotAllowed();
      verb = 'patch';
      break;
    case 'DELETE':
      if (subresource) return methodNotAllowed();
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      return methodNotAllowed();
  }
  const sub = subresource ? target.subresources.find((s) => s.name === subresource)! : undefined;
  if (sub && !sub.verbs.includes(verb === 'create' ? 'create' : verb)) return methodNotAllowed();
  return {
    type: 'resource',
    request: {
      verb,
      served: target,
      apiVersion,
      resource,
      namespace,
      name,
      subresource,
      query: parsed.query,
      timeoutSeconds: parsed.timeoutSeconds,
      includeObject: parsed.includeObject,
    },
  };
}

function joinSelectors(a: string | undefined, b: string): string {
  return a ? `${a},${b}` : b;
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function integer(params: URLSearchParams, key: string, min: number): number | undefined | { error: string } {
  const raw = params.get(key);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d{1,15}$/.test(raw)) return { error: `invalid value for ${key}: ${JSON.stringify(raw.slice(0, 50))}` };
  const n = Number(raw);
  if (n < min) return { error: `invalid value for ${key}: must be ${min} or greater` };
  return n;
}

type ParsedQuery = { query: NonNullable<ApiRequest['query']>; timeoutSeconds?: number; includeObject?: ResourceRequest['includeObject'] };

/** The query parameters the simulation understands; unknown ones are ignored, as upstream ignores them. */
export function parseQuery(params: URLSearchParams): ParsedQuery | { error: string } {
  const query: NonNullable<ApiRequest['query']> = {};
  const str = (key: string) => params.get(key) ?? undefined;
  for (const key of ['labelSelector', 'fieldSelector', 'resourceVersion', 'continue', 'fieldManager', 'container'] as const) {
    const v = str(key);
    if (v !== undefined && v !== '') query[key] = v;
  }
  for (const [key, min] of [['limit', 0], ['gracePeriodSeconds', 0], ['tailLines', 0]] as const) {
    const v = integer(params, key, min);
    if (typeof v === 'object') return v;
    if (v !== undefined) query[key] = v;
  }
  const timeout = integer(params, 'timeoutSeconds', 0);
  if (typeof timeout === 'object') return timeout;
  const propagation = str('propagationPolicy');
  if (propagation !== undefined) {
    if (propagation !== 'Foreground' && propagation !== 'Background' && propagation !== 'Orphan') {
      return { error: `propagationPolicy: Unsupported value: "${propagation.slice(0, 50)}": supported values: "Foreground", "Background", "Orphan"` };
    }
    query.propagationPolicy = propagation;
  }
  const dryRun = params.getAll('dryRun');
  if (dryRun.length > 0) {
    if (dryRun.some((v) => v !== 'All')) return { error: `dryRun: Unsupported value: "${dryRun.find((v) => v !== 'All')!.slice(0, 50)}": supported values: "All"` };
    query.dryRun = true;
  }
  const validation = str('fieldValidation');
  if (validation !== undefined && validation !== '') {
    if (validation !== 'Strict' && validation !== 'Warn' && validation !== 'Ignore') {
      return { error: `fieldValidation: Unsupported value: "${validation.slice(0, 50)}": supported values: "Ignore", "Strict", "Warn"` };
    }
    query.fieldValidation = validation;
  }
  for (const key of ['force', 'follow', 'previous', 'timestamps'] as const) {
    const v = params.get(key);
    if (v !== null) query[key] = isTrue(v);
  }
  const include = str('includeObject');
  if (include !== undefined && include !== 'None' && include !== 'Metadata' && include !== 'Object') {
    return { error: `includeObject: Unsupported value: "${include.slice(0, 50)}": supported values: "None", "Metadata", "Object"` };
  }
  return { query, timeoutSeconds: timeout, includeObject: include as ResourceRequest['includeObject'] };
}

/** The patch type of a Content-Type header, or undefined if the API does not accept it for PATCH. */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (type) {
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json':
    case 'application/json-patch+json':
    case 'application/apply-patch+yaml':
      return type;
    default:
      return undefined;
  }
}

/** DeleteOptions sent in a DELETE body (kubectl sends them there), folded into the query. */
export function foldDeleteOptions(query: NonNullable<ApiRequest['query']>, body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) return 'DeleteOptions must be an object';
  const opts = body as Record<string, unknown>;
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds !== null) {
    if (typeof opts.gracePeriodSeconds !== 'number' || !Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0) {
      return 'gracePeriodSeconds must be a non-negative integer';
    }
    query.gracePeriodSeconds ??= opts.gracePeriodSeconds;
  }
  if (opts.propagationPolicy !== undefined && opts.propagationPolicy !== null) {
    const p = opts.propagationPolicy;
    if (p !== 'Foreground' && p !== 'Background' && p !== 'Orphan') {
      return `propagationPolicy: Unsupported value: ${JSON.stringify(p)}: supported values: "Foreground", "Background", "Orphan"`;
    }
    query.propagationPolicy ??= p;
  } else if (opts.orphanDependents === true) {
    query.propagationPolicy ??= 'Orphan';
  }
  if (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')) query.dryRun = true;
  return undefined;
}
