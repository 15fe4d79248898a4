/**
 * Constructors and rendering for field errors, worded like upstream's k8s.io/apimachinery/pkg/util/validation/field
 * (`spec.containers[0].image: Required value`, `metadata.name: Invalid value: "Web": ...`).
 */
import { formatPath } from './field-path';
import type { FieldError, FieldPath, FieldTarget, RuleId, Severity } from './types';

interface Options {
  rule: RuleId;
  /** Upstream's field string when it differs from the path (label errors are reported on the map). */
  field?: string;
  target?: FieldTarget;
  severity?: Severity;
  suggestions?: readonly string[];
}

function make(type: FieldError['type'], path: FieldPath, badValue: unknown, detail: string | undefined, o: Options): FieldError {
  return {
    type,
    field: o.field ?? formatPath(path),
    ...(badValue !== undefined ? { badValue } : {}),
    ...(detail ? { detail } : {}),
    rule: o.rule,
    severity: o.severity ?? 'error',
    path,
    target: o.target ?? 'value',
    ...(o.suggestions ? { suggestions: o.suggestions } : {}),
  };
}

export const fieldError = {
  required: (path: FieldPath, detail: string | undefined, o: Options): FieldError =>
    make('Required value', path, undefined, detail, { target: 'key', ...o }),
  invalid: (path: FieldPath, value: unknown, detail: string, o: Options): FieldError => make('Invalid value', path, value, detail, o),
  notSupported: (path: FieldPath, value: unknown, supported: readonly string[], o: Options): FieldError =>
    make('Unsupported value', path, value, `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`, {
      suggestions: supported,
      ...o,
    }),
  duplicate: (path: FieldPath, value: unknown, o: Options): FieldError => make('Duplicate value', path, value, undefined, o),
  notFound: (path: FieldPath, value: unknown, o: Options): FieldError => make('Not found', path, value, undefined, o),
  forbidden: (path: FieldPath, detail: string, o: Options): FieldError => make('Forbidden', path, undefined, detail, o),
  /** upstream's field.TooMany: "Too many: 21: must have at most 20 items". */
  tooMany: (path: FieldPath, actual: number, max: number, o: Options): FieldError =>
    make('Too many', path, actual, `must have at most ${max} item${max === 1 ? '' : 's'}`, o),
  /** An Invalid error whose value upstream leaves out (field.OmitValueType): "path: Invalid value: detail". */
  invalidOmitValue: (path: FieldPath, detail: string, o: Options): FieldError => {
    const e = make('Invalid value', path, undefined, detail, o);
    return { ...e, message: `${e.field}: Invalid value: ${detail}` };
  },
};

/** Formats a bad value like Go's %q / %d / %#v, as upstream's messages print them. */
export function formatBadValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[]interface {}{${value.map(formatBadValue).join(', ')}}`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.every(([, v]) => typeof v === 'string')) {
    return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
  }
  return `map[string]interface {}{${entries.map(([k, v]) => `${JSON.stringify(k)}:${formatBadValue(v)}`).join(', ')}}`;
}

/** The message the API server would print for this error. */
export function renderFieldError(e: FieldError): string {
  if (e.message) return e.message;
  let body: string = e.type;
  if (e.type !== 'Required value' && e.type !== 'Forbidden' && e.type !== 'Too long') {
    body += `: ${formatBadValue(e.badValue)}`;
  }
  if (e.detail) body += `: ${e.detail}`;
  return `${e.field}: ${body}`;
}
