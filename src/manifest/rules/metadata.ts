/** ObjectMeta rules: names, namespaces, label and annotation syntax (upstream ValidateObjectMeta). */
import { fieldError } from '../field-errors';
import { formatPath } from '../field-path';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, suggestDnsName } from '../names';
import type { FieldError, FieldPath } from '../types';
import { checkSyntax, isObj } from './util';

export type NameRule = 'subdomain' | 'label' | 'dns1035';

const NAME_CHECKS: Record<NameRule, (v: string) => string[]> = {
  subdomain: isDNS1123Subdomain,
  label: isDNS1123Label,
  dns1035: isDNS1035Label,
};

/** Checks a name (metadata.name, a container or volume name) and suggests a valid lowercase one. */
export function checkName(errs: FieldError[], value: string, path: FieldPath, rule: NameRule): void {
  // A valid name (nearly every one the API server sees) needs no suggestion: the check alone decides.
  if (NAME_CHECKS[rule](value).length === 0) return;
  const fix = suggestDnsName(value, rule === 'subdomain');
  const valid = fix && NAME_CHECKS[rule](fix).length === 0 ? [fix] : undefined;
  checkSyntax(errs, value, path, NAME_CHECKS[rule], 'invalid-name', valid ? { suggestions: valid } : {});
}

/** Label keys and values; upstream reports them on the map's path (metadata.labels), the editor on the entry. */
export function checkLabels(errs: FieldError[], labels: unknown, path: FieldPath): void {
  if (!isObj(labels)) return;
  // Paths and the map's field name are built only for a label with a problem (valid ones allocate nothing more).
  let field: string | undefined;
  for (const [key, value] of Object.entries(labels)) {
    const keyProblems = isQualifiedName(key);
    const valueProblems = typeof value === 'string' ? isValidLabelValue(value) : NO_PROBLEMS;
    if (keyProblems.length === 0 && valueProblems.length === 0) continue;
    field ??= formatPath(path);
    for (const m of keyProblems) errs.push(fieldError.invalid([...path, key], key, m, { rule: 'invalid-label', field, target: 'key' }));
    for (const m of valueProblems) errs.push(fieldError.invalid([...path, key], value, m, { rule: 'invalid-label', field }));
  }
}

const NO_PROBLEMS: readonly string[] = [];

export function checkAnnotations(errs: FieldError[], annotations: unknown, path: FieldPath): void {
  if (!isObj(annotations)) return;
  const field = formatPath(path);
  for (const key of Object.keys(annotations)) {
    for (const detail of isQualifiedName(key.toLowerCase())) {
      errs.push(fieldError.invalid([...path, key], key, detail, { rule: 'invalid-label', field, target: 'key' }));
    }
  }
}

export interface MetaOptions {
  nameRule: NameRule;
  namespaced: boolean;
  /** Pod templates have no name of their own. */
  requireName: boolean;
}

export function checkObjectMeta(errs: FieldError[], meta: unknown, path: FieldPath, o: MetaOptions): void {
  const m = isObj(meta) ? meta : {};
  const name = m.name;
  const generateName = m.generateName;
  if (o.requireName && (name === undefined || name === null || name === '') && (typeof generateName !== 'string' || generateName === '')) {
    errs.push(fieldError.required([...path, 'name'], 'name or generateName is required', { rule: 'required-field', target: 'key', field: formatPath([...path, 'name']) }));
  }
  if (typeof name === 'string' && name !== '') checkName(errs, name, [...path, 'name'], o.nameRule);
  if (o.namespaced && typeof m.namespace === 'string' && m.namespace !== '') {
    checkSyntax(errs, m.namespace, [...path, 'namespace'], isDNS1123Label, 'invalid-name');
  }
  checkLabels(errs, m.labels, [...path, 'labels']);
  checkAnnotations(errs, m.annotations, [...path, 'annotations']);
}
