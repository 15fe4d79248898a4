/**
 * YAML with positions: splitting a file into its documents (so unchanged documents can be reused while typing),
 * parsing one document the way kubectl reads YAML (1.1 booleans yes/no/on/off, merge keys, no timestamps), and
 * finding the source range of a field path.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node, type ParseOptions, type DocumentOptions, type SchemaOptions } from 'yaml';
import type { FieldPath, OffsetRange } from './types';

/** One document's source: its text (from its `---` line, if any) and where it starts in the file. */
export interface DocumentSource {
  text: string;
  offset: number;
}

const DOCUMENT_START = /^---(?:[ \t\r]|$)/;
const CONTENT_LINE = /^[ \t]*(?:[^#\s%]|$)/;

/**
 * Splits a file at its `---` lines. In YAML a `---` at the start of a line always starts a new document (even
 * inside a block scalar), so this agrees with the parser. Comments and directives before a `---` stay with the
 * document they introduce.
 */
export function splitDocuments(text: string): DocumentSource[] {
  const out: DocumentSource[] = [];
  let start = 0;
  let hasContent = false;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    if (DOCUMENT_START.test(line)) {
      if (hasContent) {
        out.push({ text: text.slice(start, lineStart), offset: start });
        start = lineStart;
      }
      hasContent = true;
    } else if (!hasContent && line.trim() !== '' && CONTENT_LINE.test(line) && !/^\s*#/.test(line)) {
      hasContent = true;
    }
    lineStart = lineEnd + 1;
  }
  if (start < text.length || out.length === 0) out.push({ text: text.slice(start), offset: start });
  return out;
}

/** How kubectl (sigs.k8s.io/yaml on go-yaml) reads YAML: 1.1 scalars and merge keys; timestamps stay strings. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: true,
  uniqueKeys: true,
  prettyErrors: false,
  keepSourceTokens: false,
  logLevel: 'error',
  customTags: (tags) => tags.filter((t) => !(typeof t === 'object' && 'tag' in t && t.tag === 'tag:yaml.org,2002:timestamp')),
};

export function parseYamlDocument(text: string): Document.Parsed {
  return parseDocument(text, YAML_OPTIONS);
}

/** A parsed document's node tree; `document` is the yaml package's Document when the full parser read it. */
export interface YamlDoc {
  contents: unknown;
  document?: Document.Parsed;
}

export interface Located {
  /** The key of the last map entry found on the path (undefined for list items and the root). */
  key?: Node;
  /** The node at the end of the found part of the path. */
  value?: Node | null;
  /** True when the whole path was found. */
  complete: boolean;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return undefined;
}

/** Follows a field path through the YAML nodes (aliases resolved), as far as the document has it. */
export function locate(doc: YamlDoc, path: FieldPath): Located {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = doc.document ? node.resolve(doc.document) : undefined;
    if (isMap(node)) {
      const wanted = String(segment);
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === wanted);
      if (!pair) return { key, value: node as Node, complete: false };
      key = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      key = undefined;
      node = node.items[segment];
    } else {
      return { key, value: (node ?? null) as Node | null, complete: false };
    }
  }
  return { key, value: (node ?? null) as Node | null, complete: true };
}

/** A node's own range, [start, valueEnd). */
export function nodeRange(node: Node | null | undefined): OffsetRange | undefined {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : undefined;
}

/** The first key of a map node (or of the map a list item holds), where a problem about the map is shown. */
export function firstKey(node: Node | null | undefined): Node | undefined {
  if (isMap(node)) {
    const first = node.items[0];
    if (first && isPair(first) && first.key) return first.key as Node;
  }
  return undefined;
}

/** Limits a range to its first line (a whole nested block is too much to underline). */
export function firstLine(text: string, range: OffsetRange): OffsetRange {
  const newline = text.indexOf('\n', range.start);
  return newline >= 0 && newline < range.end ? { start: range.start, end: newline } : range;
}

/** The path of the field at `offset` (deepest key or value containing it), and the key node there. */
export function pathAt(doc: YamlDoc, offset: number): { path: (string | number)[]; key?: Node; onKey: boolean } {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let onKey = false;
  for (let depth = 0; depth < 200; depth++) {
    if (isAlias(node)) return { path, key, onKey };
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as Node | null;
        const v = p.value as Node | null;
        const start = k?.range?.[0] ?? v?.range?.[0];
        const end = v?.range?.[2] ?? k?.range?.[2];
        return start !== undefined && end !== undefined && offset >= start && offset <= end;
      });
      if (!pair) return { path, key, onKey };
      const k = keyText(pair.key);
      if (k === undefined) return { path, key, onKey };
      path.push(k);
      key = pair.key as Node;
      const kr = key.range;
      if (kr && offset >= kr[0] && offset <= kr[1]) return { path, key, onKey: true };
      node = pair.value;
      onKey = false;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const r = (item as Node | null)?.range;
        return r && offset >= r[0] && offset <= r[2];
      });
      if (index < 0) return { path, key, onKey };
      path.push(index);
      node = node.items[index];
    } else {
      return { path, key, onKey };
    }
  }
  return { path, key, onKey };
}
