/**
 * A fast reader for the plain block YAML that Kubernetes manifests are almost always written in: block maps and
 * lists, plain and simply quoted scalars, one-line flow lists of scalars, `{}`/`[]`, literal block scalars (`|`),
 * comments. It builds the same nodes (with the same ranges) and the same values as the `yaml` package would with
 * kubectl's YAML 1.1 reading, in one pass over the lines, and gives up (returns undefined) on anything else —
 * anchors, aliases, tags, folded scalars, multi-line plain or quoted scalars, flow maps, tabs, duplicate keys,
 * numbers in unusual notations, odd indentation — which then goes to the full parser. Correctness first: a
 * differential test checks it against the `yaml` package.
 */
import { Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

type Value = unknown;

/** A parsed document: its node tree and its value (what toJS would give). */
export interface FastDocument {
  contents: Node;
  value: Value;
}

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const DECIMAL = /^[-+]?(?:0|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$/;
const FLOAT_EXP = /^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$/;
/** Percentages (maxSurge: 25%) are strings. */
const PERCENT = /^[0-9]+%$/;
/** Starts of plain scalars that YAML 1.1 may read as something other than a string. */
const NUMERIC_START = /^[-+.]?[0-9]|^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/;
/** Digits followed by letters that can never make a number (quantities like 250m, 64Mi, 2Gi). */
const DIGITS_THEN_SUFFIX = /^[0-9]+[a-df-wyzA-DF-WYZ][a-zA-Z]*$/;
const PLAIN_FORBIDDEN_START = /^[\-?:,[\]{}#&*!|>'"%@`]/;
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_.\/\-$]*$/;

/** A plain scalar's value under YAML 1.1, or a bail when it is a notation the fast path does not handle. */
function resolvePlain(s: string): Value {
  if (NULLS.has(s)) return null;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  if (NUMERIC_START.test(s)) {
    if (DECIMAL.test(s) && !/^[-+]?0[0-9]/.test(s)) return Number(s);
    if (FLOAT.test(s) || FLOAT_EXP.test(s)) return Number(s);
    if (DIGITS_THEN_SUFFIX.test(s) || PERCENT.test(s)) return s;
    return bail();
  }
  if (s.includes(': ') || s.endsWith(':') || s.includes(' #') || /[\t]/.test(s)) return bail();
  return s;
}

function scalar(value: Value, start: number, end: number, type: Scalar.Type, source: string): Scalar {
  const node = new Scalar(value);
  node.range = [start, end, end];
  node.type = type;
  node.source = source;
  return node;
}

interface Frame {
  kind: 'map' | 'seq';
  indent: number;
  node: YAMLMap | YAMLSeq;
  value: Record<string, Value> | Value[];
  keys?: Set<string>;
}

/** A `key:` (or `-`) whose value is the block on the following lines. */
interface Pending {
  indent: number;
  /** Where a null value would be placed (end of the line's content). */
  at: number;
  /** Whether a list at the same indentation may be its value (true for map keys). */
  compactSeq: boolean;
  set: (node: Node | Scalar, value: Value) => void;
}

/** Parses a scalar or one-line flow value at text[start, end) (comment already removed). */
function parseInlineValue(text: string, start: number, end: number): { node: Node; value: Value } {
  const raw = text.slice(start, end);
  const c = raw[0];
  if (c === '"') {
    if (raw.length < 2 || !raw.endsWith('"') || raw.slice(1, -1).includes('"') || raw.includes('\\')) return bail();
    const v = raw.slice(1, -1);
    return { node: scalar(v, start, end, 'QUOTE_DOUBLE', v), value: v };
  }
  if (c === "'") {
    if (raw.length < 2 || !raw.endsWith("'")) return bail();
    const inner = raw.slice(1, -1);
    if (/'(?!')/.test(inner.replace(/''/g, ''))) return bail();
    const v = inner.replace(/''/g, "'");
    return { node: scalar(v, start, end, 'QUOTE_SINGLE', v), value: v };
  }
  if (c === '[') return parseFlowSeq(text, start, end);
  if (c === '{') {
    if (/^\{\s*\}$/.test(raw)) {
      const node = new YAMLMap();
      node.flow = true;
      node.range = [start, end, end];
      return { node, value: {} };
    }
    return bail();
  }
  if (PLAIN_FORBIDDEN_START.test(raw) && !/^-[^\s]/.test(raw)) return bail();
  const value = resolvePlain(raw);
  return { node: scalar(value, start, end, 'PLAIN', raw), value };
}

/** `[a, "b", 3]`: a one-line flow list of scalars. */
function parseFlowSeq(text: string, start: number, end: number): { node: Node; value: Value } {
  if (text[end - 1] !== ']') return bail();
  const node = new YAMLSeq();
  node.flow = true;
  node.range = [start, end, end];
  const value: Value[] = [];
  let i = start + 1;
  const close = end - 1;
  while (i < close) {
    while (i < close && text[i] === ' ') i++;
    if (i >= close) break;
    let j: number;
    if (text[i] === '"' || text[i] === "'") {
      j = text.indexOf(text[i], i + 1);
      if (j < 0 || j >= close) return bail();
      j++;
    } else {
      j = i;
      while (j < close && text[j] !== ',') j++;
      while (j > i && text[j - 1] === ' ') j--;
    }
    const raw = text.slice(i, j);
    if (/[[\]{}]/.test(raw) || raw === '' || raw.includes(': ')) return bail();
    const item = parseInlineValue(text, i, j);
    node.items.push(item.node);
    value.push(item.value);
    i = j;
    while (i < close && text[i] === ' ') i++;
    if (i < close) {
      if (text[i] !== ',') return bail();
      i++;
    }
  }
  return { node, value };
}

/** End of a value on the line: before a ` #` comment (outside quotes) and trailing spaces. */
function valueEnd(text: string, start: number, lineEnd: number): number {
  let end = lineEnd;
  const c = text[start];
  if (c === '"' || c === "'") {
    const close = text.indexOf(c, start + 1);
    if (close < 0 || close >= lineEnd) return bail();
    const hash = text.indexOf(' #', close);
    end = hash >= 0 && hash < lineEnd ? hash : lineEnd;
  } else {
    const hash = text.indexOf(' #', start);
    if (hash >= 0 && hash < lineEnd) end = hash;
  }
  while (end > start && text[end - 1] === ' ') end--;
  return end;
}

export function fastParse(text: string): FastDocument | undefined {
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

function parse(text: string): FastDocument | undefined {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  const stack: Frame[] = [];
  let pending: Pending | undefined;
  let root: { node: Node; value: Value } | undefined;
  let pos = 0;
  let first = true;
  const len = text.length;

  // Collections end where the yaml package ends them: after the newline of their last line.
  const extend = (lineEnd: number): void => {
    const end = Math.min(lineEnd + 1, len);
    for (const f of stack) f.node.range![1] = f.node.range![2] = end;
  };

  while (pos < len) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = len;
    const next = lineEnd + 1;
    let i = pos;
    while (i < lineEnd && text[i] === ' ') i++;
    if (i === lineEnd || text[i] === '#') {
      pos = next;
      continue;
    }
    const indent = i - pos;
    if (first && indent === 0 && text.startsWith('---', i)) {
      const rest = text.slice(i + 3, lineEnd).trim();
      if (rest !== '' && !rest.startsWith('#')) return bail();
      first = false;
      pos = next;
      continue;
    }
    first = false;
    if (indent === 0 && (text.startsWith('---', i) || text.startsWith('...', i) || text[i] === '%')) return bail();

    const dash = text[i] === '-' && (i + 1 === lineEnd || text[i + 1] === ' ');
    // Place the line: close pending values and frames it does not belong to.
    if (pending) {
      const p = pending;
      pending = undefined;
      if (dash && (indent > p.indent || (p.compactSeq && indent === p.indent))) {
        const node = new YAMLSeq();
        node.range = [i, lineEnd, lineEnd];
        const value: Value[] = [];
        p.set(node, value);
        stack.push({ kind: 'seq', indent, node, value });
      } else if (!dash && indent > p.indent) {
        const node = new YAMLMap();
        node.range = [i, lineEnd, lineEnd];
        const value: Record<string, Value> = {};
        p.set(node, value);
        stack.push({ kind: 'map', indent, node, value, keys: new Set() });
      } else {
        p.set(scalar(null, p.at, p.at, 'PLAIN', ''), null);
      }
    }
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.indent > indent || (top.kind === 'seq' && top.indent === indent && !dash)) stack.pop();
      else break;
    }
    if (stack.length === 0) {
      if (root || indent !== 0) return bail();
      const node = dash ? new YAMLSeq() : new YAMLMap();
      node.range = [i, lineEnd, lineEnd];
      const value = dash ? [] : {};
      root = { node, value };
      stack.push(dash ? { kind: 'seq', indent, node, value } : { kind: 'map', indent, node, value, keys: new Set() });
    }
    const top = stack[stack.length - 1];
    if (top.indent !== indent) return bail();

    let keyStart = i;
    let frame = top;
    if (dash) {
      if (top.kind !== 'seq') return bail();
      const seq = top.node as YAMLSeq;
      const items = top.value as Value[];
      let c = i + 1;
      while (c < lineEnd && text[c] === ' ') c++;
      if (c === lineEnd || text[c] === '#') {
        const index = items.length;
        items.push(null);
        seq.items.push(null);
        pending = {
          indent,
          at: lineEnd,
          compactSeq: false,
          set: (node, value) => {
            seq.items[index] = node;
            items[index] = value;
          },
        };
        extend(lineEnd);
        pos = next;
        continue;
      }
      if (text[c] === '-' && (text[c + 1] === ' ' || c + 1 === lineEnd)) return bail();
      const colon = keyColon(text, c, lineEnd);
      if (colon < 0) {
        const end = valueEnd(text, c, lineEnd);
        const item = parseInlineValue(text, c, end);
        seq.items.push(item.node);
        items.push(item.value);
        extend(lineEnd);
        pos = next;
        continue;
      }
      // `- key: value`: a map item whose keys sit at column c.
      const node = new YAMLMap();
      node.range = [c, lineEnd, lineEnd];
      const value: Record<string, Value> = {};
      seq.items.push(node);
      items.push(value);
      frame = { kind: 'map', indent: c - pos, node, value, keys: new Set() };
      stack.push(frame);
      keyStart = c;
    } else if (top.kind !== 'map') {
      return bail();
    }

    const colon = keyColon(text, keyStart, lineEnd);
    if (colon < 0) return bail();
    const keyRaw = text.slice(keyStart, colon);
    let key: string;
    let keyNode: Scalar;
    if (keyRaw[0] === '"' || keyRaw[0] === "'") {
      key = keyRaw.slice(1, -1);
      if (keyRaw.length < 2 || keyRaw[keyRaw.length - 1] !== keyRaw[0] || /["'\\]/.test(key)) return bail();
      keyNode = scalar(key, keyStart, colon, keyRaw[0] === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', key);
    } else {
      if (!PLAIN_KEY.test(keyRaw) || typeof resolvePlain(keyRaw) !== 'string') return bail();
      key = keyRaw;
      keyNode = scalar(key, keyStart, colon, 'PLAIN', key);
    }
    if (key === '__proto__' || key === '<<' || frame.keys!.has(key)) return bail();
    frame.keys!.add(key);
    const map = frame.node as YAMLMap;
    const obj = frame.value as Record<string, Value>;
    let v = colon + 1;
    while (v < lineEnd && text[v] === ' ') v++;
    if (v === lineEnd || text[v] === '#') {
      const pair = new Pair<Scalar, Node | null>(keyNode, null);
      map.items.push(pair);
      obj[key] = null;
      pending = {
        indent: frame.indent,
        at: v === lineEnd ? lineEnd : v,
        compactSeq: true,
        set: (node, value) => {
          pair.value = node;
          obj[key] = value;
        },
      };
      extend(lineEnd);
      pos = next;
      continue;
    }
    if (text[v] === '|') {
      const block = literalBlock(text, v, lineEnd, frame.indent);
      map.items.push(new Pair(keyNode, block.node));
      obj[key] = block.value;
      extend(block.end - 1);
      pos = block.end;
      continue;
    }
    if (text[v] === '>') return bail();
    const end = valueEnd(text, v, lineEnd);
    const item = parseInlineValue(text, v, end);
    map.items.push(new Pair(keyNode, item.node));
    obj[key] = item.value;
    extend(lineEnd);
    pos = next;
  }
  if (pending) pending.set(scalar(null, pending.at, pending.at, 'PLAIN', ''), null);
  if (!root) return undefined;
  return { contents: root.node, value: root.value };
}

/** The offset of a mapping colon (`: ` or `:` at the end of the line) on the line, or -1. */
function keyColon(text: string, start: number, lineEnd: number): number {
  const c = text[start];
  if (c === '"' || c === "'") {
    const close = text.indexOf(c, start + 1);
    if (close < 0 || close >= lineEnd) return -1;
    return text[close + 1] === ':' && (close + 2 === lineEnd || text[close + 2] === ' ') ? close + 1 : -1;
  }
  for (let i = start; i < lineEnd; i++) {
    if (text[i] === ':' && (i + 1 === lineEnd || text[i + 1] === ' ')) return i;
    if (text[i] === ' ' && text[i + 1] === '#') return -1;
  }
  return -1;
}

/** A literal block scalar (`|`, `|-`, `|+`) starting at `at`, whose parent has indentation `parentIndent`. */
function literalBlock(text: string, at: number, lineEnd: number, parentIndent: number): { node: Scalar; value: string; end: number } {
  const header = text.slice(at, lineEnd).replace(/\s+#.*$/, '').trimEnd();
  if (header !== '|' && header !== '|-' && header !== '|+') return bail();
  const chomp = header[1] ?? '';
  let pos = lineEnd + 1;
  let contentIndent = -1;
  const lines: string[] = [];
  let end = Math.min(pos, text.length);
  while (pos < text.length) {
    let e = text.indexOf('\n', pos);
    if (e < 0) e = text.length;
    let i = pos;
    while (i < e && text[i] === ' ') i++;
    const blank = i === e;
    if (blank) {
      if (contentIndent < 0) return bail(); // leading blank lines: leave to the full parser
      lines.push(text.slice(Math.min(pos + contentIndent, e), e));
    } else {
      const indent = i - pos;
      if (contentIndent < 0) {
        if (indent <= parentIndent) break;
        contentIndent = indent;
      }
      if (indent < contentIndent) break;
      lines.push(text.slice(pos + contentIndent, e));
    }
    pos = e + 1;
    end = Math.min(pos, text.length);
  }
  if (contentIndent < 0) return bail();
  // Trailing blank lines belong to the chomping, not the content.
  let last = lines.length;
  while (last > 0 && lines[last - 1].trim() === '') last--;
  const body = lines.slice(0, last).join('\n');
  const trailing = lines.length - last;
  let value = body;
  if (chomp === '') value = body + '\n';
  else if (chomp === '+') value = body + '\n' + '\n'.repeat(trailing);
  // The node ends where its last content line ends.
  let nodeEnd = end;
  if (chomp !== '+') for (let k = 0; k < trailing; k++) nodeEnd = text.lastIndexOf('\n', nodeEnd - 2) + 1;
  if (end >= text.length && !text.endsWith('\n')) return bail(); // the last line's break decides chomping: leave it to yaml
  const node = scalar(value, at, nodeEnd, 'BLOCK_LITERAL', value);
  return { node, value, end: nodeEnd };
}
