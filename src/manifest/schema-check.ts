/**
 * Checks a document against its kind's precompiled JSON Schema and turns ajv's errors into findings worded in
 * Kubernetes terms: unknown fields (with did-you-mean), wrong types, required fields.
 */
import * as validators from '../generated/validators';
import type { CompiledValidator, SchemaError } from '../generated/validators';
import { formatPath, fromJsonPointer } from './field-path';
import { propertyNames } from './schema-nav';
import { didYouMean } from './suggest';
import type { FieldError, FieldPath } from './types';

const VALIDATORS = validators as unknown as Record<string, CompiledValidator | undefined>;

export function hasSchema(kind: string): boolean {
  return typeof VALIDATORS[kind] === 'function';
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function describeValue(value: unknown): string {
  const type = jsonType(value);
  if (type === 'string') return `string ${JSON.stringify(value)}`;
  if (type === 'integer' || type === 'number' || type === 'boolean') return `${type} ${String(value)}`;
  return type === 'object' ? 'map' : type;
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function expectedTypes(params: Record<string, unknown>): string[] {
  const raw = params.type;
  const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  return list.filter((t) => t !== 'null').map((t) => (t === 'object' ? 'map' : t));
}

function toFinding(kind: string, data: unknown, e: SchemaError): FieldError | undefined {
  const base = fromJsonPointer(e.instancePath, data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(e.params.additionalProperty);
      const path = [...base, name];
      const suggestion = didYouMean(name, propertyNames(kind, base));
      return {
        type: 'Invalid value',
        field: formatPath(path),
        rule: 'unknown-field',
        severity: 'error',
        path,
        target: 'key',
        message: `unknown field "${formatPath(path)}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        ...(suggestion ? { suggestions: [suggestion] } : {}),
      };
    }
    case 'type': {
      const value = valueAt(data, base);
      const expected = expectedTypes(e.params);
      return {
        type: 'Invalid value',
        field: formatPath(base),
        badValue: value,
        rule: 'invalid-type',
        severity: 'error',
        path: base,
        target: 'value',
        message: `${formatPath(base)}: expected ${expected.join(' or ')}, got ${describeValue(value)}`,
        suggestions: expected,
      };
    }
    case 'required': {
      const path = [...base, String(e.params.missingProperty)];
      return { type: 'Required value', field: formatPath(path), rule: 'required-field', severity: 'error', path, target: 'key' };
    }
    case 'enum':
      // apiVersion and kind are checked by the apiVersion/kind rule, with kubectl's message.
      if (base.length === 1 && (base[0] === 'apiVersion' || base[0] === 'kind')) return undefined;
      return { type: 'Invalid value', field: formatPath(base), rule: 'schema', severity: 'error', path: base, target: 'value', message: `${formatPath(base)}: ${e.message ?? 'invalid value'}` };
    default:
      return { type: 'Invalid value', field: formatPath(base), rule: 'schema', severity: 'error', path: base, target: 'value', message: `${formatPath(base) || kind}: ${e.message ?? 'invalid value'}` };
  }
}

/** Schema findings for an object of a kind that has a schema. */
export function checkSchema(kind: string, data: unknown): FieldError[] {
  const validate = VALIDATORS[kind];
  if (!validate || validate(data)) return [];
  const out: FieldError[] = [];
  for (const e of validate.errors ?? []) {
    const finding = toFinding(kind, data, e);
    if (finding) out.push(finding);
  }
  return out;
}
