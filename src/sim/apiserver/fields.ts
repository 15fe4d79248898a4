/**
 * Field selectors (`spec.nodeName=worker-1,status.phase!=Running`): parsing with upstream's messages
 * and matching against a resource's field labels.
 */
import type { KubeObject } from '../api/types';
import { fieldValue, type ResourceDef } from './resources';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parse a field selector for a resource; an unknown field gives upstream's "field label not supported". */
export function parseFieldSelector(d: ResourceDef, selector: string | undefined): FieldRequirement[] | { error: string } {
  if (!selector) return [];
  const out: FieldRequirement[] = [];
  for (const part of splitTerms(selector)) {
    if (part === '') continue;
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) return { error: `invalid selector: '${selector}'; can't understand '${part}'` };
    const field = m[1].trim();
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !(field in d.fields)) return { error: `field label not supported: ${field}` };
    out.push({ field, op: m[2] === '!=' ? '!=' : '=', value: unescape(m[3].trim()) });
  }
  return out;
}

export function matchesFields(d: ResourceDef, obj: KubeObject, reqs: readonly FieldRequirement[]): boolean {
  for (const r of reqs) {
    const v = fieldValue(d, obj, r.field) ?? '';
    if ((v === r.value) !== (r.op === '=')) return false;
  }
  return true;
}

/** Terms are separated by unescaped commas; "\," "\=" "\\" escape (fields.EscapeValue). */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
    } else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}
