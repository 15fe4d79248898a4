/**
 * Completion data: field names for the object being written and the values of a field with a closed set of
 * values. The context comes from the lines above the cursor (by indentation), so it works while the document is
 * still incomplete.
 */
import type { ValidationResult } from './engine';
import { KINDS } from './kinds';
import { fieldSchema, propertyNames, schemaTypes, typeLabel } from './schema-nav';
import type { FieldPath, OffsetRange } from './types';
import { isMap, isPair, isScalar } from 'yaml';
import { locate } from './yaml-document';

export interface CompletionItem {
  label: string;
  kind: 'field' | 'value';
  /** The type, e.g. <[]Container>. */
  detail?: string;
  documentation?: string;
  insertText: string;
  /** The text the item replaces, in file offsets. */
  replace: OffsetRange;
  /** Required fields sort first. */
  required?: boolean;
}

interface Line {
  /** Column of the first non-space character. */
  indent: number;
  /** Whether the line starts a list item (`- `). */
  dash: boolean;
  /** Column where the key starts (after `- `). */
  keyCol: number;
  /** The key, when the line is `key:` or `key: value`. */
  key?: string;
  /** True when nothing follows the key's colon (a nested block follows). */
  opensBlock: boolean;
}

const LINE = /^(\s*)(-\s+)?(?:("[^"]*"|'[^']*'|[^\s#:][^:#]*?)\s*:(?:\s+(.*)|$))?/;

function parseLine(text: string): Line | undefined {
  if (text.trim() === '' || text.trim().startsWith('#')) return undefined;
  const m = LINE.exec(text)!;
  const indent = m[1].length;
  const dash = Boolean(m[2]);
  const keyCol = indent + (m[2]?.length ?? 0);
  const rawKey = m[3]?.replace(/^["']|["']$/g, '');
  const rest = (m[4] ?? '').replace(/\s+#.*$/, '').trim();
  return { indent, dash, keyCol, ...(rawKey !== undefined ? { key: rawKey } : {}), opensBlock: rawKey !== undefined && rest === '' };
}

/** The path of the map that holds a key at column `col` on line `at`, found from the lines above. */
function parentPath(lines: string[], at: number, col: number, cursorDash: boolean): FieldPath | undefined {
  const path: (string | number)[] = [];
  let want = col;
  let inItem = cursorDash;
  let itemCol = cursorDash ? col - 2 : -1;
  if (cursorDash) {
    path.unshift(0);
    want = itemCol;
  }
  for (let i = at - 1; i >= 0; i--) {
    if (/^(---|\.\.\.)(\s|$)/.test(lines[i])) break;
    const line = parseLine(lines[i]);
    if (!line) continue;
    if (inItem) {
      // Looking for the key that owns the list whose item starts at itemCol.
      if (line.dash && line.indent === itemCol) continue; // a sibling item
      if (line.keyCol <= itemCol && line.key !== undefined && line.opensBlock) {
        path.unshift(line.key);
        want = line.keyCol;
        inItem = line.dash;
        if (line.dash) {
          path.unshift(0);
          itemCol = line.indent;
          want = itemCol;
        }
        continue;
      }
      if (line.keyCol <= itemCol) return undefined;
      continue;
    }
    if (line.dash && line.keyCol === want) {
      // The cursor's key belongs to this list item's map.
      path.unshift(0);
      inItem = true;
      itemCol = line.indent;
      want = itemCol;
      continue;
    }
    if (line.keyCol < want) {
      if (line.key === undefined || !line.opensBlock) return undefined;
      path.unshift(line.key);
      want = line.keyCol;
      if (line.dash) {
        path.unshift(0);
        inItem = true;
        itemCol = line.indent;
        want = itemCol;
      }
    }
  }
  return path;
}

function existingKeys(result: ValidationResult, docIndex: number, path: FieldPath): Set<string> {
  const doc = result.documents[docIndex]?.yaml;
  const keys = new Set<string>();
  if (!doc) return keys;
  const loc = locate(doc, path);
  if (loc.complete && isMap(loc.value)) for (const p of loc.value.items) if (isPair(p) && isScalar(p.key)) keys.add(String(p.key.value));
  return keys;
}

/** Completion items at a file offset, using the documents of a validation of that same text. */
export function completionsAt(result: ValidationResult, text: string, offset: number): CompletionItem[] {
  const docIndex = result.documents.findIndex((d) => offset >= d.offset && offset <= d.offset + d.length);
  const doc = result.documents[docIndex];
  if (!doc) return [];
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const docText = text.slice(doc.offset, lineStart);
  const lines = docText.split('\n');
  lines.pop();
  // While typing, the document is often not valid YAML; its kind line still says what it is.
  const kind = doc.kind ?? /^kind:[ \t]*["']?([A-Za-z]+)["']?[ \t]*$/m.exec(text.slice(doc.offset, doc.offset + doc.length))?.[1];

  const valueMatch = /^(\s*)(-\s+)?([^\s#:][^:#]*?)\s*:\s+(\S*)$/.exec(before);
  if (valueMatch) {
    const key = valueMatch[3];
    const col = valueMatch[1].length + (valueMatch[2]?.length ?? 0);
    const replace = { start: offset - valueMatch[4].length, end: offset };
    const parent = parentPath(lines, lines.length, col, Boolean(valueMatch[2]));
    if (!parent) return [];
    if (parent.length === 0 && key === 'kind') return KINDS.map((k) => ({ label: k.kind, kind: 'value' as const, detail: k.apiVersion, insertText: k.kind, replace }));
    if (parent.length === 0 && key === 'apiVersion') {
      const versions = kind ? KINDS.filter((k) => k.kind === kind).map((k) => k.apiVersion) : [...new Set(KINDS.map((k) => k.apiVersion))];
      return versions.map((v) => ({ label: v, kind: 'value' as const, insertText: v, replace }));
    }
    if (!kind) return [];
    const field = fieldSchema(kind, [...parent, key]);
    if (!field) return [];
    const values = field.values ?? (schemaTypes(field.schema).includes('boolean') ? ['true', 'false'] : []);
    return values.map((v) => ({ label: v, kind: 'value' as const, insertText: v, replace, ...(field.schema.description ? { documentation: field.schema.description } : {}) }));
  }

  const keyMatch = /^(\s*)(-\s+)?([\w.\-/]*)$/.exec(before);
  if (!keyMatch) return [];
  const col = keyMatch[1].length + (keyMatch[2]?.length ?? 0);
  const replace = { start: offset - keyMatch[3].length, end: offset };
  const parent = parentPath(lines, lines.length, col, Boolean(keyMatch[2]));
  if (!parent) return [];
  if (!kind) {
    return parent.length === 0
      ? ['apiVersion', 'kind'].map((k) => ({ label: k, kind: 'field' as const, detail: '<string>', insertText: `${k}: `, replace, required: true }))
      : [];
  }
  const existing = existingKeys(result, docIndex, parent);
  return propertyNames(kind, parent)
    .filter((name) => !existing.has(name) || name === keyMatch[3])
    .map((name) => {
      const field = fieldSchema(kind, [...parent, name]);
      const type = typeLabel(kind, [...parent, name]);
      return {
        label: name,
        kind: 'field' as const,
        detail: `<${type}>`,
        ...(field?.schema.description ? { documentation: field.schema.description } : {}),
        insertText: `${name}: `,
        replace,
        ...(field?.required ? { required: true } : {}),
      };
    });
}
