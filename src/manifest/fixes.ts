/**
 * Quick fixes as data: text edits with offsets into one document's text. Each fix is computed from a finding and
 * the YAML nodes it is about; the editor turns them into code actions.
 */
import { isMap, isScalar, type Node } from 'yaml';
import { fieldSchema, schemaTypes } from './schema-nav';
import { didYouMean } from './suggest';
import type { FieldError, FieldPath, OffsetRange } from './types';
import { locate, nodeRange, type YamlDoc } from './yaml-document';

/** A fix before its offsets are placed in the file. */
export interface DraftFix {
  title: string;
  edits: { offsets: OffsetRange; newText: string }[];
  isPreferred?: boolean;
}

const MAX_ALTERNATIVES = 6;

function replace(title: string, range: OffsetRange, newText: string, isPreferred: boolean): DraftFix {
  return { title, edits: [{ offsets: range, newText }], ...(isPreferred ? { isPreferred } : {}) };
}

function scalarSource(text: string, node: Node | null | undefined): { range: OffsetRange; source: string; value: unknown } | undefined {
  if (!isScalar(node)) return undefined;
  const range = nodeRange(node);
  if (!range || range.end <= range.start) return undefined;
  return { range, source: text.slice(range.start, range.end), value: node.value };
}

/** `512MB` → `512Mi`: the units learners write for bytes, mapped to Kubernetes' binary suffixes. */
const BYTE_UNITS: Record<string, string> = { kb: 'Ki', mb: 'Mi', gb: 'Gi', tb: 'Ti', kib: 'Ki', mib: 'Mi', gib: 'Gi', tib: 'Ti', g: 'G', t: 'T' };

function quantitySuggestion(value: string): string | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)\s*$/.exec(value);
  if (!m) return undefined;
  const unit = BYTE_UNITS[m[2].toLowerCase()];
  return unit ? `${m[1]}${unit}` : undefined;
}

function typeFixes(text: string, node: Node | null | undefined, expected: readonly string[]): DraftFix[] {
  const scalar = scalarSource(text, node);
  if (!scalar) return [];
  const { range, source, value } = scalar;
  if (typeof value === 'string' && (expected.includes('integer') || expected.includes('number'))) {
    const n = Number(value.trim());
    if (value.trim() !== '' && Number.isFinite(n) && (expected.includes('number') || Number.isInteger(n))) {
      return [replace(`Convert ${source} to the number ${String(n)}`, range, String(n), true)];
    }
  }
  if (typeof value === 'string' && expected.includes('boolean') && (value === 'true' || value === 'false')) {
    return [replace(`Convert ${source} to the boolean ${value}`, range, value, true)];
  }
  if (typeof value !== 'string' && value !== null && expected.includes('string')) {
    return [replace(`Quote ${source} as a string`, range, JSON.stringify(source), true)];
  }
  return [];
}

function choiceFixes(text: string, node: Node | null | undefined, choices: readonly string[], verb: string): DraftFix[] {
  const scalar = scalarSource(text, node) ?? undefined;
  if (!scalar) return [];
  const current = String(scalar.value);
  const best = choices.length === 1 ? choices[0] : didYouMean(current, choices);
  const ordered = best ? [best, ...choices.filter((c) => c !== best)] : [...choices];
  return ordered.slice(0, MAX_ALTERNATIVES).map((choice) => replace(`${verb} "${choice}"`, scalar.range, choice, choice === best));
}

/** The skeleton text for a missing required field, as lines (the first one holds the key). */
function skeleton(kind: string, path: FieldPath, doc: YamlDoc): string[] | undefined {
  const name = String(path[path.length - 1]);
  const parent = path.slice(0, -1);
  const isContainer = parent.length >= 2 && typeof parent[parent.length - 1] === 'number' && /containers$/i.test(String(parent[parent.length - 2]));
  if (name === 'name' && isContainer) return ['name: app'];
  if (name === 'name' && parent[parent.length - 1] === 'metadata') return [`name: my-${kind.toLowerCase()}`];
  if (name === 'image') return ['image: nginx:1.27'];
  if (name === 'containerPort') return ['containerPort: 80'];
  if (name === 'port') return ['port: 80'];
  if (name === 'containers') return ['containers:', '- name: app', '  image: nginx:1.27'];
  if (name === 'ports' && kind === 'Service') return ['ports:', '- port: 80', '  targetPort: 80'];
  if (name === 'selector' && (kind === 'Deployment' || kind === 'ReplicaSet')) {
    const labels = locate(doc, ['spec', 'template', 'metadata', 'labels']).value;
    const entries = isMap(labels) ? labels.items.filter((p) => isScalar(p.key) && isScalar(p.value)).map((p) => `    ${String((p.key as { value: unknown }).value)}: ${String((p.value as { value: unknown }).value)}`) : [];
    return ['selector:', '  matchLabels:', ...(entries.length ? entries : ['    app: my-app'])];
  }
  const field = fieldSchema(kind, path);
  if (!field) return undefined;
  const type = schemaTypes(field.schema)[0];
  const placeholder = { string: '""', integer: '0', number: '0', boolean: 'false', array: '[]', object: '{}' }[type ?? 'object'] ?? '""';
  return [`${name}: ${placeholder}`];
}

function addFieldFix(text: string, kind: string, path: FieldPath, doc: YamlDoc): DraftFix[] {
  const parent = locate(doc, path.slice(0, -1));
  if (!parent.complete || !isMap(parent.value) || parent.value.flow || parent.value.items.length === 0) return [];
  const first = parent.value.items[0].key as Node | null;
  const start = first?.range?.[0];
  if (start === undefined) return [];
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const indent = ' '.repeat(start - lineStart);
  const lines = skeleton(kind, path, doc);
  if (!lines) return [];
  const insert = lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n') + '\n' + indent;
  return [{ title: `Add the required field "${String(path[path.length - 1])}"`, edits: [{ offsets: { start, end: start }, newText: insert }], isPreferred: true }];
}

/** The quick fixes for one finding. */
export function fixesFor(finding: FieldError, text: string, doc: YamlDoc, kind: string): DraftFix[] {
  const loc = locate(doc, finding.path);
  switch (finding.rule) {
    case 'unknown-field': {
      const key = loc.key;
      const range = nodeRange(key);
      const suggestion = finding.suggestions?.[0];
      return range && suggestion ? [replace(`Change to "${suggestion}"`, range, suggestion, true)] : [];
    }
    case 'invalid-type':
      return loc.complete ? typeFixes(text, loc.value, finding.suggestions ?? []) : [];
    case 'unsupported-value':
      return loc.complete ? choiceFixes(text, loc.value, finding.suggestions ?? [], 'Change to') : [];
    case 'volume-not-found':
      return loc.complete ? choiceFixes(text, loc.value, finding.suggestions ?? [], 'Mount volume') : [];
    case 'invalid-name':
      return loc.complete && finding.suggestions?.length ? choiceFixes(text, loc.value, finding.suggestions, 'Rename to') : [];
    case 'invalid-value':
      if (finding.target === 'key' && finding.suggestions?.length && loc.key) {
        const range = nodeRange(loc.key);
        const current = isScalar(loc.key) ? String(loc.key.value) : '';
        const best = didYouMean(current, finding.suggestions);
        return range && best ? [replace(`Change to "${best}"`, range, best, true)] : [];
      }
      return [];
    case 'invalid-quantity': {
      const scalar = loc.complete ? scalarSource(text, loc.value) : undefined;
      const suggestion = scalar && typeof scalar.value === 'string' ? quantitySuggestion(scalar.value) : undefined;
      return scalar && suggestion ? [replace(`Change to "${suggestion}"`, scalar.range, suggestion, true)] : [];
    }
    case 'required-field':
      return addFieldFix(text, kind, finding.path, doc);
    default:
      return [];
  }
}
