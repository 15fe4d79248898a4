/**
 * The text filters a pipe feeds (`wget -qO- web | grep title`, `env | sort`, `… | wc -l`): grep, head, tail,
 * wc, sort and uniq as BusyBox's behave on their standard input, with their usual flags. Pure: lines in,
 * lines out. The runtime has no file system, so a file argument is "No such file or directory".
 */

export interface FilterResult {
  out: string[];
  err: string[];
  status: number;
}

export const FILTERS = new Set(['grep', 'head', 'tail', 'wc', 'sort', 'uniq']);

/** What `name args` prints reading `input` (its stdin); undefined when `name` is not a filter. */
export function runFilter(name: string, args: readonly string[], input: readonly string[]): FilterResult | undefined {
  switch (name) {
    case 'grep':
      return grep(args, input);
    case 'head':
    case 'tail':
      return headOrTail(name, args, input);
    case 'wc':
      return wc(args, input);
    case 'sort':
      return sort(args, input);
    case 'uniq':
      return uniq(args, input);
    default:
      return undefined;
  }
}

/** Single-letter flags, bundled or not ("-iv" is -i -v), and the other arguments, in order. */
function splitArgs(args: readonly string[], withValue: ReadonlySet<string> = new Set()): { flags: Map<string, string>; rest: string[] } | { bad: string } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-' || a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (/\d/.test(f)) {
        // head -5, tail -3: the count as a flag of its own.
        flags.set('n', a.slice(j));
        break;
      }
      if (withValue.has(f)) {
        const value = a.slice(j + 1) || args[++i];
        if (value === undefined) return { bad: f };
        flags.set(f, value);
        break;
      }
      flags.set(f, '');
    }
  }
  return { flags, rest };
}

function noFile(tool: string, file: string): FilterResult {
  return { out: [], err: [`${tool}: ${file}: No such file or directory`], status: 2 };
}

function grep(args: readonly string[], input: readonly string[]): FilterResult {
  const parsed = splitArgs(args, new Set(['e', 'm']));
  if ('bad' in parsed) return { out: [], err: [`grep: option requires an argument -- '${parsed.bad}'`], status: 2 };
  const { flags, rest } = parsed;
  const patternText = flags.get('e') ?? rest.shift();
  if (patternText === undefined) return { out: [], err: ['Usage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...'], status: 2 };
  if (rest.length > 0) return { ...noFile('grep', rest[0]), status: 2 };
  let pattern: RegExp;
  const source = flags.has('F') ? patternText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : flags.has('E') ? patternText : basicToExtended(patternText);
  try {
    pattern = new RegExp(flags.has('w') ? `\\b(?:${source})\\b` : source, flags.has('i') ? 'gi' : 'g');
  } catch {
    return { out: [], err: [`grep: bad regex '${patternText}'`], status: 2 };
  }
  const max = flags.has('m') ? Number(flags.get('m')) : Infinity;
  const out: string[] = [];
  let count = 0;
  for (let n = 0; n < input.length && count < max; n++) {
    const line = input[n];
    pattern.lastIndex = 0;
    const hit = pattern.test(line) !== flags.has('v');
    if (!hit) continue;
    count++;
    if (flags.has('c') || flags.has('q')) continue;
    const prefix = flags.has('n') ? `${n + 1}:` : '';
    if (flags.has('o') && !flags.has('v')) {
      pattern.lastIndex = 0;
      for (const m of line.matchAll(pattern)) if (m[0] !== '') out.push(prefix + m[0]);
    } else out.push(prefix + line);
  }
  if (flags.has('c')) out.push(String(count));
  return { out: flags.has('q') ? [] : out, err: [], status: count > 0 ? 0 : 1 };
}

/** A basic regular expression in JavaScript's terms: \| \+ \? \( \) are the operators, bare | + ? ( ) literal. */
function basicToExtended(bre: string): string {
  let out = '';
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i];
    if (c === '\\' && i + 1 < bre.length) {
      const next = bre[++i];
      out += '|+?(){}'.includes(next) ? next : `\\${next}`;
    } else out += '|+?(){}'.includes(c) ? `\\${c}` : c;
  }
  return out;
}

function headOrTail(tool: 'head' | 'tail', args: readonly string[], input: readonly string[]): FilterResult {
  const parsed = splitArgs(args, new Set(['n']));
  if ('bad' in parsed) return { out: [], err: [`${tool}: option requires an argument -- '${parsed.bad}'`], status: 1 };
  if (parsed.rest.length > 0) return { ...noFile(tool, parsed.rest[0]), status: 1 };
  const spec = parsed.flags.get('n') ?? '10';
  const from = tool === 'tail' && spec.startsWith('+');
  const n = Number(spec.replace(/^[+-]/, ''));
  if (!Number.isInteger(n) || n < 0) return { out: [], err: [`${tool}: invalid number '${spec}'`], status: 1 };
  if (tool === 'head') return { out: input.slice(0, n), err: [], status: 0 };
  return { out: from ? input.slice(Math.max(0, n - 1)) : n === 0 ? [] : input.slice(-n), err: [], status: 0 };
}

function wc(args: readonly string[], input: readonly string[]): FilterResult {
  const parsed = splitArgs(args);
  if ('bad' in parsed) return { out: [], err: [], status: 1 };
  if (parsed.rest.length > 0) return { ...noFile('wc', parsed.rest[0]), status: 1 };
  const lines = input.length;
  const words = input.reduce((sum, line) => sum + line.split(/\s+/).filter((w) => w !== '').length, 0);
  const bytes = input.reduce((sum, line) => sum + utf8Length(line) + 1, 0);
  const { flags } = parsed;
  const wanted = ['l', 'w', 'c'].filter((f) => flags.has(f));
  const counts = (wanted.length ? wanted : ['l', 'w', 'c']).map((f) => (f === 'l' ? lines : f === 'w' ? words : bytes));
  // BusyBox: a lone count alone on its line; several right-aligned in columns of 9.
  return { out: [counts.length === 1 ? String(counts[0]) : counts.map((c) => String(c).padStart(9)).join('')], err: [], status: 0 };
}

function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

function sort(args: readonly string[], input: readonly string[]): FilterResult {
  const parsed = splitArgs(args, new Set(['k', 't']));
  if ('bad' in parsed) return { out: [], err: [`sort: option requires an argument -- '${parsed.bad}'`], status: 1 };
  if (parsed.rest.length > 0) return { out: [], err: [`sort: ${parsed.rest[0]}: No such file or directory`], status: 1 };
  const { flags } = parsed;
  const numeric = (s: string) => {
    const m = /^\s*-?\d+(\.\d+)?/.exec(s);
    return m ? Number(m[0]) : 0;
  };
  const compare = flags.has('n')
    ? (a: string, b: string) => numeric(a) - numeric(b) || (a < b ? -1 : a > b ? 1 : 0)
    : (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  let out = [...input].sort(compare);
  if (flags.has('r')) out.reverse();
  if (flags.has('u')) out = out.filter((line, i) => i === 0 || compare(line, out[i - 1]) !== 0);
  return { out, err: [], status: 0 };
}

function uniq(args: readonly string[], input: readonly string[]): FilterResult {
  const parsed = splitArgs(args);
  if ('bad' in parsed) return { out: [], err: [], status: 1 };
  if (parsed.rest.length > 0) return { out: [], err: [`uniq: ${parsed.rest[0]}: No such file or directory`], status: 1 };
  const { flags } = parsed;
  const runs: { line: string; count: number }[] = [];
  for (const line of input) {
    const last = runs[runs.length - 1];
    if (last && last.line === line) last.count++;
    else runs.push({ line, count: 1 });
  }
  const kept = runs.filter((r) => (flags.has('d') ? r.count > 1 : flags.has('u') ? r.count === 1 : true));
  return { out: kept.map((r) => (flags.has('c') ? `${String(r.count).padStart(7)} ${r.line}` : r.line)), err: [], status: 0 };
}
