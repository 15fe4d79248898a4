/**
 * The API server's error responses, worded as upstream's k8s.io/apimachinery/pkg/api/errors.
 */
import type { ApiResponse, Status } from '../api/request';
import type { ResourceDef } from './resources';

export interface FieldError {
  type: 'Required' | 'Invalid' | 'NotSupported' | 'Forbidden' | 'Duplicate' | 'TooLong' | 'TooMany' | 'NotFound';
  field: string;
  value?: unknown;
  detail?: string;
  /** For NotSupported: the accepted values. */
  supported?: string[];
  /** The whole rendered message ("field: body"), when another validator already rendered it. */
  message?: string;
}

const CAUSE_REASON: Record<FieldError['type'], string> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
  NotFound: 'FieldValueNotFound',
};

function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One field error as upstream's field.Error.Error() prints it (without the field prefix). */
export function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'Required': return `Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'Forbidden': return `Forbidden${e.detail ? `: ${e.detail}` : ''}`;
    case 'Duplicate': return `Duplicate value: ${goValue(e.value)}`;
    case 'NotSupported':
      return `Unsupported value: ${goValue(e.value)}${e.supported ? `: supported values: ${e.supported.map((s) => JSON.stringify(s)).join(', ')}` : ''}`;
    case 'TooLong': return `Too long: ${e.detail ?? 'may not be more than the maximum length'}`;
    case 'TooMany': return `Too many: ${e.detail ?? ''}`;
    case 'NotFound': return `Not found: ${goValue(e.value)}`;
    default: return `Invalid value: ${goValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

export function formatFieldError(e: FieldError): string {
  return e.message ?? `${e.field}: ${fieldErrorBody(e)}`;
}

export function status(code: number, reason: string | undefined, message: string, details?: Status['details']): ApiResponse {
  const body: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, code };
  if (reason) body.reason = reason;
  if (details) body.details = details;
  return { code, body };
}

export function success(code = 200, details?: Status['details']): ApiResponse {
  const body: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code, message: '' };
  delete (body as Partial<Status>).message;
  if (details) body.details = details;
  return { code, body };
}

/** "pods", or "deployments.apps" for a named group: upstream's GroupResource.String(). */
export function qualifiedResource(def: ResourceDef, subresource?: string): string {
  const res = subresource ? `${def.resource}/${subresource}` : def.resource;
  return def.group ? `${res}.${def.group}` : res;
}

function qualifiedKind(def: ResourceDef): string {
  return def.group ? `${def.kind}.${def.group}` : def.kind;
}

export const errors = {
  notFound(def: ResourceDef, name: string): ApiResponse {
    return status(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, { name, group: def.group || undefined, kind: def.resource });
  },
  alreadyExists(def: ResourceDef, name: string): ApiResponse {
    return status(409, 'AlreadyExists', `${qualifiedResource(def)} "${name}" already exists`, { name, group: def.group || undefined, kind: def.resource });
  },
  conflict(def: ResourceDef, name: string, why: string, subresource?: string): ApiResponse {
    return status(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(def, subresource)} "${name}": ${why}`, { name, group: def.group || undefined, kind: def.resource });
  },
  modified(def: ResourceDef, name: string): ApiResponse {
    return errors.conflict(def, name, 'the object has been modified; please apply your changes to the latest version and try again');
  },
  invalid(def: ResourceDef, name: string, errs: FieldError[]): ApiResponse {
    const list = errs.map(formatFieldError);
    const message = `${qualifiedKind(def)} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
    return status(422, 'Invalid', message, {
      name, group: def.group || undefined, kind: def.kind,
      causes: errs.map((e) => ({ reason: CAUSE_REASON[e.type], message: e.message ? e.message.slice(e.field.length + 2) : fieldErrorBody(e), field: e.field })),
    });
  },
  forbidden(def: ResourceDef, name: string, why: string): ApiResponse {
    return status(403, 'Forbidden', `${qualifiedResource(def)} "${name}" is forbidden: ${why}`, { name, group: def.group || undefined, kind: def.resource });
  },
  badRequest(message: string): ApiResponse {
    return status(400, 'BadRequest', message);
  },
  expired(message: string): ApiResponse {
    return status(410, 'Expired', message);
  },
  methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiResponse {
    return status(405, 'MethodNotAllowed', message);
  },
  unsupportedMediaType(type: string): ApiResponse {
    return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`);
  },
  internal(message: string): ApiResponse {
    return status(500, 'InternalError', message);
  },
  tooLargeResourceVersion(requested: number, current: number): ApiResponse {
    return status(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, { retryAfterSeconds: 1 });
  },
  notFoundResource(path: string): ApiResponse {
    return status(404, 'NotFound', `the server could not find the requested resource (${path})`);
  },
};
