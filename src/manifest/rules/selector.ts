/** Label selectors: their syntax (upstream ValidateLabelSelector) and matching a set of labels. */
import { fieldError } from '../field-errors';
import { isQualifiedName } from '../names';
import type { FieldError, FieldPath } from '../types';
import { checkEnum, ENUMS, isObj, listAt, objAt, strAt } from './util';
import { checkLabels } from './metadata';

export function checkLabelSelector(errs: FieldError[], selector: unknown, path: FieldPath): void {
  if (!isObj(selector)) return;
  checkLabels(errs, selector.matchLabels, [...path, 'matchLabels']);
  listAt(selector, 'matchExpressions').forEach((expr, i) => {
    const p = [...path, 'matchExpressions', i];
    if (!isObj(expr)) return;
    const key = strAt(expr, 'key');
    if (key === undefined || key === '') errs.push(fieldError.required([...p, 'key'], undefined, { rule: 'required-field' }));
    else for (const m of isQualifiedName(key)) errs.push(fieldError.invalid([...p, 'key'], key, m, { rule: 'invalid-label' }));
    const operator = expr.operator;
    checkEnum(errs, operator, [...p, 'operator'], ENUMS.selectorOperator);
    const values = listAt(expr, 'values');
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      errs.push(fieldError.required([...p, 'values'], 'must be specified when `operator` is \'In\' or \'NotIn\'', { rule: 'required-field' }));
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      errs.push(fieldError.forbidden([...p, 'values'], 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'', { rule: 'invalid-value' }));
    }
  });
}

/** True when the selector selects nothing at all (no matchLabels and no matchExpressions). */
export function isEmptySelector(selector: unknown): boolean {
  if (!isObj(selector)) return true;
  const labels = objAt(selector, 'matchLabels');
  return (!labels || Object.keys(labels).length === 0) && listAt(selector, 'matchExpressions').length === 0;
}

/** Whether `labels` satisfy the selector (all matchLabels and every matchExpression), as LabelSelectorAsSelector. */
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, unknown>>): boolean {
  if (!isObj(selector)) return false;
  const want = objAt(selector, 'matchLabels') ?? {};
  for (const [key, value] of Object.entries(want)) if (labels[key] !== value) return false;
  for (const expr of listAt(selector, 'matchExpressions')) {
    if (!isObj(expr)) return false;
    const key = strAt(expr, 'key') ?? '';
    const values = listAt(expr, 'values');
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
