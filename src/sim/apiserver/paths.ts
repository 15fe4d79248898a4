/**
 * How an ApiRequest reads as HTTP: method and URL path, as kubectl -v=6 would print them.
 */
import type { ApiRequest, Verb } from '../api/request';

const METHODS: Record<Verb, string> = {
  create: 'POST', get: 'GET', list: 'GET', watch: 'GET', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE',
};

export function httpMethod(verb: Verb): string {
  return METHODS[verb];
}

/**
 * "/api/v1/namespaces/default/pods/web/status", "/apis/apps/v1/deployments" ... (watch adds ?watch=true);
 * a non-resource request's own path ("/readyz?verbose").
 */
export function requestPath(req: Pick<ApiRequest, 'apiVersion' | 'resource' | 'namespace' | 'name' | 'subresource' | 'verb' | 'query' | 'nonResourcePath'>): string {
  if (req.nonResourcePath !== undefined) return nonResourceUrl(req.nonResourcePath, req.query);
  const root = req.apiVersion.includes('/') ? `/apis/${req.apiVersion}` : `/api/${req.apiVersion}`;
  let path = root;
  if (req.namespace && !(req.resource === 'namespaces')) path += `/namespaces/${req.namespace}`;
  path += `/${req.resource}`;
  if (req.name) path += `/${req.name}`;
  if (req.subresource) path += `/${req.subresource}`;
  const params: string[] = [];
  const q = req.query ?? {};
  if (q.labelSelector) params.push(`labelSelector=${encodeURIComponent(q.labelSelector)}`);
  if (q.fieldSelector) params.push(`fieldSelector=${encodeURIComponent(q.fieldSelector)}`);
  if (q.resourceVersion !== undefined) params.push(`resourceVersion=${q.resourceVersion}`);
  if (req.verb === 'watch') params.push('watch=true');
  return params.length ? `${path}?${params.join('&')}` : path;
}

function nonResourceUrl(path: string, q: ApiRequest['query'] = {}): string {
  const params: string[] = [];
  if (q.verbose) params.push('verbose');
  for (const name of q.exclude ?? []) params.push(`exclude=${encodeURIComponent(name)}`);
  return params.length ? `${path}?${params.join('&')}` : path;
}

export const STATUS_TEXT: Record<number, string> = {
  101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 410: 'Gone', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};
