/**
 * The diagnostics engine: one file → its documents → for each, YAML problems, schema findings and the API server's
 * rules, positioned at the exact range, with quick fixes. Documents are cached by their text, so re-validating a
 * large file while typing only re-checks the document that changed.
 */
import { isAlias, isMap, isSeq, type Document, type Node } from 'yaml';
import { fastParse } from './fast-yaml';
import { docsUrl } from './docs';
import { renderFieldError } from './field-errors';
import { fixesFor, type DraftFix } from './fixes';
import { KINDS, kindInfo, noMatchMessage } from './kinds';
import { checkSchema, hasSchema } from './schema-check';
import type { FieldError, LabFacts, ManifestDiagnostic, OffsetRange, Position, Range, RuleId, Severity } from './types';
import { checkObject } from './validate-object';
import { firstKey, firstLine, locate, nodeRange, parseYamlDocument, splitDocuments, type DocumentSource, type YamlDoc } from './yaml-document';

/** The API server's request body limit (3 MiB); larger documents are not parsed. */
export const MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;
/** Alias expansions allowed while building a document's value (the yaml package's defence against alias bombs). */
export const MAX_ALIAS_COUNT = 100;
/** Nesting deeper than this is no Kubernetes object (the deepest fields of a PodSpec are about 15 levels down). */
export const MAX_DEPTH = 100;
/** Diagnostics kept per document; past that a file is garbage, not a manifest with mistakes. */
export const MAX_DIAGNOSTICS_PER_DOCUMENT = 200;

/** A diagnostic before it is placed in the file: offsets relative to its document. */
interface Draft {
  rule: RuleId;
  severity: Severity;
  message: string;
  offsets: OffsetRange;
  field?: string;
  kind?: string;
  fixes: DraftFix[];
}

/** What validating one document produced; cached by the document's text. */
export interface DocumentResult {
  drafts: Draft[];
  /** The parsed document (for hover and completion), when it parsed. */
  yaml?: YamlDoc;
  kind?: string;
  apiVersion?: string;
  /** The document's value, when it is a Kubernetes object. */
  object?: Record<string, unknown>;
}

export interface ValidatedDocument {
  index: number;
  offset: number;
  length: number;
  kind?: string;
  apiVersion?: string;
  name?: string;
  /** The document's value, when it is a Kubernetes object. */
  object?: Record<string, unknown>;
  yaml?: YamlDoc;
  errors: number;
  warnings: number;
}

export interface ValidationResult {
  diagnostics: ManifestDiagnostic[];
  documents: ValidatedDocument[];
  /** How many documents were re-validated (the rest came from the cache). */
  revalidated: number;
}

const CONTROL_CHARACTERS = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;

function draft(rule: RuleId, severity: Severity, message: string, offsets: OffsetRange, extra: Partial<Draft> = {}): Draft {
  return { rule, severity, message, offsets, fixes: [], ...extra };
}

function lineAt(text: string, offset: number): OffsetRange {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  return { start, end: Math.max(end, start) };
}

/** Where the document's content starts (its first key), to show document-level problems. */
function documentAnchor(text: string, doc: YamlDoc | undefined): OffsetRange {
  const key = firstKey(doc?.contents as Node | undefined);
  const r = nodeRange(key) ?? nodeRange(doc?.contents as Node | undefined);
  if (r) return firstLine(text, r);
  const m = /\S/.exec(text);
  return lineAt(text, m ? m.index : 0);
}

/** The nesting depth of a parsed YAML tree, walked without recursion. */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (depth > MAX_DEPTH) return depth;
    if (isMap(node)) for (const p of node.items) stack.push([p.value, depth + 1]);
    else if (isSeq(node)) for (const item of node.items) stack.push([item, depth + 1]);
  }
  return max;
}

function firstAlias(root: unknown): Node | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node;
    if (isMap(node)) for (const p of node.items) stack.push(p.value);
    else if (isSeq(node)) for (const item of node.items) stack.push(item);
  }
  return undefined;
}

/** The range a finding is shown at: the key, the value, or the key of the object that lacks a field. */
function findingRange(text: string, doc: YamlDoc, f: FieldError): OffsetRange {
  const loc = locate(doc, f.path);
  if (loc.complete) {
    if (f.target === 'value') {
      const value = nodeRange(loc.value);
      if (value && value.end > value.start) return firstLine(text, value);
    }
    const key = nodeRange(loc.key) ?? nodeRange(firstKey(loc.value));
    if (key) return key;
    const value = nodeRange(loc.value);
    if (value) return firstLine(text, value);
  } else {
    const anchor = nodeRange(loc.key) ?? nodeRange(firstKey(loc.value)) ?? nodeRange(loc.value);
    if (anchor) return firstLine(text, anchor);
  }
  return documentAnchor(text, doc);
}

function yamlDrafts(text: string, doc: Document.Parsed): { drafts: Draft[]; fatal: boolean } {
  const drafts: Draft[] = [];
  let fatal = false;
  // A tab used as indentation derails the rest of the parse; its follow-on errors are noise.
  const tabs = doc.errors.filter((e) => e.code === 'TAB_AS_INDENT');
  for (const e of tabs.length > 0 ? tabs : [...doc.errors, ...doc.warnings]) {
    const [start, end] = e.pos;
    const offsets = { start, end: Math.max(end, start + 1) };
    const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    if (e.code === 'DUPLICATE_KEY') {
      const token = /^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]*[^:\s])/.exec(text.slice(start, start + 1024));
      const keyRange = token ? { start, end: start + token[0].length } : offsets;
      const key = text.slice(keyRange.start, keyRange.end);
      drafts.push(draft('yaml-duplicate-key', 'error', `duplicate key ${key}: key already set in map (strict decoding rejects duplicate fields)`, keyRange));
    } else if (e.code === 'TAB_AS_INDENT') {
      drafts.push(
        draft('yaml-tab', 'error', 'found a tab character that violates indentation: YAML indentation must use spaces', offsets, {
          fixes: [{ title: 'Replace the tab with two spaces', edits: [{ offsets: { start, end: start + 1 }, newText: '  ' }] }],
        }),
      );
      fatal = true;
    } else if (e.name === 'YAMLWarning') {
      drafts.push(draft('yaml-syntax', 'warning', `YAML: ${first}`, offsets));
    } else {
      drafts.push(draft('yaml-syntax', 'error', `YAML syntax error: ${first}`, offsets));
      fatal = true;
    }
  }
  return { drafts, fatal };
}

/** The yaml package's reading of a document, with its problems as drafts; `ok` when a value could be built. */
function fullParse(text: string, drafts: Draft[]): { doc: YamlDoc; ok: boolean; value?: unknown } | undefined {
  let parsed: Document.Parsed;
  try {
    parsed = parseYamlDocument(text);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    drafts.push(draft('yaml-too-deep', 'error', 'YAML: the document is nested too deeply to be read', lineAt(text, 0)));
    return undefined;
  }
  const doc: YamlDoc = { contents: parsed.contents, document: parsed };
  const problems = yamlDrafts(text, parsed);
  drafts.push(...problems.drafts);
  if (problems.fatal || parsed.contents === null) return { doc, ok: false };
  if (depthOf(parsed.contents) > MAX_DEPTH) {
    drafts.push(draft('yaml-too-deep', 'error', `YAML: the document nests deeper than ${MAX_DEPTH} levels; no Kubernetes object does`, documentAnchor(text, doc)));
    return { doc, ok: false };
  }
  try {
    return { doc, ok: true, value: parsed.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    if (!(err instanceof ReferenceError || err instanceof RangeError)) throw err;
    const at = nodeRange(firstAlias(parsed.contents)) ?? documentAnchor(text, doc);
    if (/alias count/i.test(err.message)) {
      drafts.push(draft('yaml-alias-limit', 'error', `YAML: excessive aliasing: expanding this document's aliases needs more than ${MAX_ALIAS_COUNT} copies (a "billion laughs" document?)`, at));
    } else {
      drafts.push(draft('yaml-syntax', 'error', `YAML: ${err.message} (anchors are local to their document)`, at));
    }
    return { doc, ok: false };
  }
}

/** Validates one document's text (offsets relative to it). Pure: the same text and facts give the same result. */
export function validateDocumentText(text: string, facts?: LabFacts): DocumentResult {
  if (text.length > MAX_DOCUMENT_BYTES) {
    return { drafts: [draft('document-too-large', 'error', `Request entity too large: limit is ${MAX_DOCUMENT_BYTES} (this document has ${text.length} characters)`, lineAt(text, 0))] };
  }
  const control = CONTROL_CHARACTERS.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    return { drafts: [draft('yaml-syntax', 'error', `YAML: control characters are not allowed (U+${code}); is this a binary file?`, { start: control.index, end: control.index + 1 })] };
  }
  // Most manifests are plain block YAML, which the fast reader handles; anything else goes to the full parser.
  const fast = fastParse(text);
  let doc: YamlDoc;
  let value: unknown;
  const drafts: Draft[] = [];
  if (fast) {
    doc = { contents: fast.contents };
    value = fast.value;
  } else {
    const full = fullParse(text, drafts);
    if (!full) return { drafts: drafts.slice(0, MAX_DIAGNOSTICS_PER_DOCUMENT) };
    doc = full.doc;
    if (!full.ok) return { drafts: drafts.slice(0, MAX_DIAGNOSTICS_PER_DOCUMENT), yaml: doc };
    value = full.value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { drafts, yaml: doc };
  const obj = value as Record<string, unknown>;
  const result: DocumentResult = { drafts, yaml: doc, object: obj };
  drafts.push(...objectDrafts(text, doc, obj, facts, result));
  result.drafts = dedupe(drafts)
    .sort((a, b) => a.offsets.start - b.offsets.start)
    .slice(0, MAX_DIAGNOSTICS_PER_DOCUMENT);
  return result;
}

function dedupe(drafts: Draft[]): Draft[] {
  const seen = new Set<string>();
  return drafts.filter((d) => {
    const key = `${d.offsets.start}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function objectDrafts(text: string, doc: YamlDoc, obj: Record<string, unknown>, facts: LabFacts | undefined, result: DocumentResult): Draft[] {
  const { apiVersion, kind } = obj;
  if (apiVersion === undefined && kind === undefined) return []; // not a Kubernetes object: left alone
  const anchor = documentAnchor(text, doc);
  if (apiVersion === undefined || apiVersion === null) return [draft('required-field', 'error', 'apiVersion not set', anchor, { fixes: [] })];
  if (kind === undefined || kind === null) return [draft('required-field', 'error', 'kind not set', anchor)];
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') {
    const which = typeof kind !== 'string' ? 'kind' : 'apiVersion';
    return [draft('invalid-type', 'error', `${which}: expected string`, findingRange(text, doc, { type: 'Invalid value', field: which, rule: 'invalid-type', severity: 'error', path: [which], target: 'value' }))];
  }
  result.kind = kind;
  result.apiVersion = apiVersion;
  const info = kindInfo(kind);
  const kindRange = findingRange(text, doc, { type: 'Invalid value', field: 'kind', rule: 'unknown-kind', severity: 'information', path: ['kind'], target: 'value' });
  if (!info || !hasSchema(kind)) {
    const known = KINDS.map((k) => k.kind).join(', ');
    return [draft('unknown-kind', 'information', `kind "${kind}" is not checked by Kubernetes Lab (it checks ${known})`, kindRange, { kind })];
  }
  const drafts: Draft[] = [];
  if (apiVersion !== info.apiVersion) {
    const at = findingRange(text, doc, { type: 'Invalid value', field: 'apiVersion', rule: 'api-version-kind', severity: 'error', path: ['apiVersion'], target: 'value' });
    drafts.push(
      draft('api-version-kind', 'error', noMatchMessage(kind, apiVersion), at, {
        kind,
        field: 'apiVersion',
        fixes: [{ title: `Change to "${info.apiVersion}"`, edits: [{ offsets: at, newText: info.apiVersion }], isPreferred: true }],
      }),
    );
  }
  const findings = [...checkSchema(kind, obj), ...checkObject(obj, facts)];
  for (const f of findings) {
    const at = findingRange(text, doc, f);
    drafts.push(
      draft(f.rule, f.severity, renderFieldError(f) + yaml11Hint(f, text.slice(at.start, at.end)), at, {
        kind,
        field: f.field,
        fixes: fixesFor(f, text, doc, kind),
      }),
    );
  }
  return drafts;
}

const YAML11_BOOLEANS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/** kubectl reads YAML 1.1: `yes`, `no`, `on`, `off`, `y` and `n` are booleans there; say so when it bites. */
function yaml11Hint(f: FieldError, source: string): string {
  if (f.rule !== 'invalid-type' || typeof f.badValue !== 'boolean' || !YAML11_BOOLEANS.test(source)) return '';
  return ` (YAML 1.1, which kubectl reads, takes ${source} as the boolean ${String(f.badValue)}; quote it to keep a string)`;
}

/** Offsets → zero-based line/character over one text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }
  range(r: OffsetRange): Range {
    return { start: this.position(r.start), end: this.position(r.end) };
  }
  offset(p: Position): number {
    const start = this.starts[Math.min(Math.max(p.line, 0), this.starts.length - 1)];
    return start + p.character;
  }
}

function place(d: Draft, base: number, index: number, lines: LineIndex): ManifestDiagnostic {
  const shift = (r: OffsetRange): OffsetRange => ({ start: r.start + base, end: r.end + base });
  const offsets = shift(d.offsets);
  return {
    rule: d.rule,
    severity: d.severity,
    message: d.message,
    offsets,
    range: lines.range(offsets),
    docsUrl: docsUrl(d.rule, d.kind),
    document: index,
    ...(d.field ? { field: d.field } : {}),
    fixes: d.fixes.map((fix) => ({
      title: fix.title,
      edits: fix.edits.map((e) => {
        const o = shift(e.offsets);
        return { offsets: o, range: lines.range(o), newText: e.newText };
      }),
      ...(fix.isPreferred ? { isPreferred: true } : {}),
    })),
  };
}

/**
 * Validates files, re-checking only the documents whose text changed since the last call (the cache is keyed by
 * a document's text and bounded). One validator per lab-facts snapshot: new facts, new validator.
 */
export class ManifestValidator {
  private readonly cache = new Map<string, DocumentResult>();

  constructor(
    private readonly facts?: LabFacts,
    private readonly maxCachedDocuments = 5000,
  ) {}

  validate(text: string): ValidationResult {
    const sources = splitDocuments(text);
    const lines = new LineIndex(text);
    const diagnostics: ManifestDiagnostic[] = [];
    const documents: ValidatedDocument[] = [];
    let revalidated = 0;
    sources.forEach((source, index) => {
      const result = this.document(source, () => revalidated++);
      let errors = 0;
      let warnings = 0;
      for (const d of result.drafts) {
        diagnostics.push(place(d, source.offset, index, lines));
        if (d.severity === 'error') errors++;
        else if (d.severity === 'warning') warnings++;
      }
      const meta = result.object?.metadata;
      const name = meta && typeof meta === 'object' && typeof (meta as Record<string, unknown>).name === 'string' ? ((meta as Record<string, unknown>).name as string) : undefined;
      documents.push({
        index,
        offset: source.offset,
        length: source.text.length,
        ...(result.kind ? { kind: result.kind } : {}),
        ...(result.apiVersion ? { apiVersion: result.apiVersion } : {}),
        ...(name ? { name } : {}),
        ...(result.object ? { object: result.object } : {}),
        ...(result.yaml ? { yaml: result.yaml } : {}),
        errors,
        warnings,
      });
    });
    return { diagnostics, documents, revalidated };
  }

  private document(source: DocumentSource, onMiss: () => void): DocumentResult {
    const cached = this.cache.get(source.text);
    if (cached) {
      this.cache.delete(source.text);
      this.cache.set(source.text, cached);
      return cached;
    }
    onMiss();
    const result = validateDocumentText(source.text, this.facts);
    this.cache.set(source.text, result);
    if (this.cache.size > this.maxCachedDocuments) this.cache.delete(this.cache.keys().next().value as string);
    return result;
  }
}

/** Validates a whole file once (no cache kept). */
export function validateText(text: string, facts?: LabFacts): ValidationResult {
  return new ManifestValidator(facts).validate(text);
}
