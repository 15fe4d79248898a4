/**
 * A small POSIX-shell subset, run symbolically: it turns `sh -c "…"` scripts and simple commands into
 * a Program (output lines, sleeps, then exit / loop forever / keep running) without running anything.
 * Supported: words with '…', "…", \ escapes; $VAR, ${VAR}, $?, $$, $(…) and `…`; `;`, `&&`, `||`,
 * `&`, `|` (streamed through a bare cat/tee; into the filters grep, head, tail, wc, sort, uniq — filters.ts —
 * once the left side is done), newlines, comments; while/until
 * (a condition the interpreter can decide: true, :, false, or anything else run once), for … in …;
 * if/then/else/fi; builtins echo, printf, sleep, exit, true, false, :, date, hostname, env, printenv,
 * export, VAR=value, cat /etc/hostname, seq, tail -f, trap … TERM, exec, wait, cd, set, sh/bash -c.
 */
import type { Program, Step } from './program';
import { timeToken } from './program';
import { runCurl, runWget, type PodNet, type ToolResult } from './http-tools';
import { FILTERS, runFilter } from './filters';

export interface ShellContext {
  /** Environment variables in the order the process sees them. */
  env: Map<string, string>;
  hostname: string;
  /** The shell's name in error messages: "sh" (busybox/ash) or "bash". */
  shell: string;
  /** Binaries the image has that the interpreter treats as silent successes. */
  binaries: ReadonlySet<string>;
  /** The pod's network: curl and wget (when the image has them) make requests through it. */
  net?: PodNet;
  /** Whether stdout is a terminal (curl shows its progress meter only when it is not). */
  tty?: boolean;
  /** The image's program version (curlimages/curl: curl's, for its User-Agent). */
  version?: string;
}

// ---------------------------------------------------------------- lexing

type Part = { text: string; quote: 'none' | 'single' | 'double' };
type Word = { parts: Part[] };
type Token = { word: Word } | { op: string } | { redir: Redirection };

/** `>file`, `2>/dev/null`, `>&2`, `2>&1`, `>>file`, `<file`: where a command's fd goes (the target is the next word). */
interface Redirection {
  fd: number;
  /** '>' and '>>' to a file, '>&' to another fd, '<' from a file. */
  kind: '>' | '>>' | '>&' | '<';
}

const REDIRECTION = /^(\d?)(>>|>&|>|<)/;

const OPS = ['&&', '||', ';;', ';', '&', '|', '\n', '(', ')'];

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let word: Word | null = null;
  const push = (text: string, quote: Part['quote']) => {
    if (!word) word = { parts: [] };
    word.parts.push({ text, quote });
  };
  const endWord = () => {
    if (word) tokens.push({ word });
    word = null;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '#' && !word) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (!word && REDIRECTION.test(src.slice(i, i + 3))) {
      const m = REDIRECTION.exec(src.slice(i, i + 3))!;
      const kind = m[2] as Redirection['kind'];
      tokens.push({ redir: { fd: m[1] !== '' ? Number(m[1]) : kind === '<' ? 0 : 1, kind } });
      i += m[0].length;
      while (src[i] === ' ' || src[i] === '\t') i++;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      const stop = end < 0 ? src.length : end;
      push(src.slice(i + 1, stop), 'single');
      i = stop + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\' && '"\\$`'.includes(src[j + 1] ?? '')) {
          text += src[j] === '\\' && src[j + 1] === '$' ? '\\$' : src[j + 1];
          j += 2;
        } else if (src[j] === '$' && src[j + 1] === '(') {
          const end = matchParen(src, j + 1);
          text += src.slice(j, end + 1);
          j = end + 1;
        } else text += src[j++];
      }
      push(text, 'double');
      i = j + 1;
    } else if (c === '\\') {
      if (src[i + 1] !== '\n') push(src[i + 1] ?? '', 'single');
      i += 2;
    } else if (c === '$' && src[i + 1] === '(') {
      const end = matchParen(src, i + 1);
      push(src.slice(i, end + 1), 'none');
      i = end + 1;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      const stop = end < 0 ? src.length : end;
      push(`$(${src.slice(i + 1, stop)})`, 'none');
      i = stop + 1;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (op) {
        endWord();
        tokens.push({ op });
        i += op.length;
      } else {
        let j = i;
        while (j < src.length && !" \t\r'\"\\`#".includes(src[j]) && !OPS.some((o) => src.startsWith(o, j)) && !(src[j] === '$' && src[j + 1] === '(')) j++;
        if (j === i) j++;
        push(src.slice(i, j), 'none');
        i = j;
      }
    }
  }
  endWord();
  return tokens;
}

function matchParen(src: string, open: number): number {
  let depth = 0;
  for (let j = open; j < src.length; j++) {
    if (src[j] === '(') depth++;
    else if (src[j] === ')' && --depth === 0) return j;
  }
  return src.length - 1;
}

// ---------------------------------------------------------------- parsing

type Node =
  | { type: 'cmd'; words: Word[]; redirs?: { r: Redirection; target: Word }[] }
  | { type: 'pipe'; left: Node; right: Node }
  | { type: 'loop'; until: boolean; cond: List; body: List }
  | { type: 'for'; name: string; items: Word[]; body: List }
  | { type: 'if'; cond: List; then: List; else?: List }
  | { type: 'group'; body: List };
type List = { node: Node; op: string }[];

const bare = (t: Token | undefined): string | undefined =>
  t && 'word' in t && t.word.parts.length === 1 && t.word.parts[0].quote === 'none' ? t.word.parts[0].text : undefined;

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parseList(stop: string[] = []): List {
    const list: List = [];
    for (;;) {
      this.skipSeparators();
      const t = this.tokens[this.i];
      if (!t || stop.includes(bare(t) ?? '') || ('op' in t && (t.op === ')' || t.op === ';;'))) return list;
      const node = this.parsePipeline();
      const next = this.tokens[this.i];
      let op = ';';
      if (next && 'op' in next && ['&&', '||', ';', '&', '\n'].includes(next.op)) {
        op = next.op === '\n' ? ';' : next.op;
        this.i++;
      }
      list.push({ node, op });
    }
  }

  private skipSeparators(): void {
    for (let t = this.tokens[this.i]; t && 'op' in t && (t.op === ';' || t.op === '\n'); t = this.tokens[++this.i]);
  }

  private parsePipeline(): Node {
    let node = this.parseCommand();
    for (let t = this.tokens[this.i]; t && 'op' in t && t.op === '|'; t = this.tokens[this.i]) {
      this.i++;
      node = { type: 'pipe', left: node, right: this.parseCommand() };
    }
    return node;
  }

  private expect(keyword: string): void {
    this.skipSeparators();
    if (bare(this.tokens[this.i]) === keyword) this.i++;
  }

  private parseCommand(): Node {
    const first = this.tokens[this.i];
    const kw = bare(first);
    if (first && 'op' in first && first.op === '(') {
      this.i++;
      const body = this.parseList();
      this.i++;
      return { type: 'group', body };
    }
    if (kw === '{') {
      this.i++;
      const body = this.parseList(['}']);
      this.expect('}');
      return { type: 'group', body };
    }
    if (kw === 'while' || kw === 'until') {
      this.i++;
      const cond = this.parseList(['do']);
      this.expect('do');
      const body = this.parseList(['done']);
      this.expect('done');
      return { type: 'loop', until: kw === 'until', cond, body };
    }
    if (kw === 'for') {
      this.i++;
      const name = bare(this.tokens[this.i++]) ?? '_';
      const items: Word[] = [];
      if (bare(this.tokens[this.i]) === 'in') {
        this.i++;
        for (let t = this.tokens[this.i]; t && 'word' in t; t = this.tokens[++this.i]) items.push(t.word);
      }
      this.expect('do');
      const body = this.parseList(['done']);
      this.expect('done');
      return { type: 'for', name, items, body };
    }
    if (kw === 'if') {
      this.i++;
      const cond = this.parseList(['then']);
      this.expect('then');
      const then = this.parseList(['else', 'elif', 'fi']);
      let otherwise: List | undefined;
      if (bare(this.tokens[this.i]) === 'elif') {
        otherwise = [{ node: this.parseCommand(), op: ';' }];
        return { type: 'if', cond, then, else: otherwise };
      }
      if (bare(this.tokens[this.i]) === 'else') {
        this.i++;
        otherwise = this.parseList(['fi']);
      }
      this.expect('fi');
      return { type: 'if', cond, then, ...(otherwise ? { else: otherwise } : {}) };
    }
    const words: Word[] = [];
    const redirs: { r: Redirection; target: Word }[] = [];
    for (let t = this.tokens[this.i]; t && ('word' in t || 'redir' in t); t = this.tokens[++this.i]) {
      if ('word' in t) words.push(t.word);
      else {
        const target = this.tokens[this.i + 1];
        if (target && 'word' in target) {
          redirs.push({ r: t.redir, target: target.word });
          this.i++;
        }
      }
    }
    if (words.length === 0 && redirs.length === 0 && this.tokens[this.i]) this.i++;
    return redirs.length > 0 ? { type: 'cmd', words, redirs } : { type: 'cmd', words };
  }
}

// ---------------------------------------------------------------- running

/** Why execution of the script stopped early. */
type Halt = { exit: number } | { forever: true } | { loop: Step[] };

class Interpreter {
  steps: Step[] = [];
  status = 0;
  halt: Halt | undefined;
  sigterm: Program['onSigterm'] = 'ignore';
  /** The working directory (`cd`, `pwd`, an interactive shell's prompt). */
  cwd = '/';
  /** Lines of command substitutions are captured, not printed. */
  private capture: string[] | undefined;
  /** What a pipe feeds the command on its right (its standard input), while it runs. */
  private stdin: string[] | undefined;
  private budget = 20_000;

  constructor(private readonly ctx: ShellContext) {}

  runList(list: List): void {
    let skip = false;
    for (const { node, op } of list) {
      if (this.halt || --this.budget < 0) return;
      if (!skip) {
        if (op === '&') {
          // A background job: its output interleaves; we run it for its output and keep going.
          const saved = this.halt;
          this.runNode(node);
          if (this.halt && !('exit' in this.halt)) this.halt = saved;
          this.status = 0;
        } else this.runNode(node);
      }
      skip = (op === '&&' && this.status !== 0) || (op === '||' && this.status === 0);
    }
  }

  private runNode(node: Node): void {
    switch (node.type) {
      case 'cmd': {
        if (!node.redirs) return this.runCommand(node.words.flatMap((w) => this.expandWord(w)));
        const saved = this.fds;
        this.fds = this.redirected(node.redirs);
        try {
          return this.runCommand(node.words.flatMap((w) => this.expandWord(w)));
        } finally {
          this.fds = saved;
        }
      }
      case 'group':
        return this.runList(node.body);
      case 'pipe': {
        // `… | cat` and `… | tee` with no files pass the output on as it comes (with its pauses, forever if need be).
        // (Only a lone word is looked at: expanding the others here would run their $(…) twice.)
        const lone = node.right.type === 'cmd' && node.right.words.length === 1 ? this.expandWord(node.right.words[0])[0] : undefined;
        if (lone === 'cat' || lone === 'tee') return this.runNode(node.left);
        // Otherwise the right side reads what the left side printed, once it is done.
        const saved = this.capture;
        this.capture = [];
        this.runNode(node.left);
        const piped = this.capture;
        this.capture = saved;
        const savedStdin = this.stdin;
        this.stdin = piped;
        try {
          return this.runNode(node.right);
        } finally {
          this.stdin = savedStdin;
        }
      }
      case 'if':
        this.runList(node.cond);
        if (this.halt) return;
        if (this.status === 0) this.runList(node.then);
        else if (node.else) this.runList(node.else);
        else this.status = 0;
        return;
      case 'for':
        for (const item of node.items.flatMap((w) => this.expandWord(w))) {
          if (this.halt) return;
          this.ctx.env.set(node.name, item);
          this.runList(node.body);
        }
        return;
      case 'loop':
        return this.runLoop(node);
    }
  }

  private runLoop(node: Extract<Node, { type: 'loop' }>): void {
    const constant = this.constantCondition(node.cond);
    const runsForever = constant !== undefined && constant !== node.until;
    if (!runsForever) {
      if (constant === undefined) this.runList(node.body); // a condition we cannot decide: run once
      this.status = 0;
      return;
    }
    // An endless loop: record one iteration's steps; the program then repeats them forever.
    const outer = this.steps;
    this.steps = [];
    this.runList(node.body);
    const body = this.steps;
    this.steps = outer;
    if (this.halt) {
      this.steps.push(...body);
      return;
    }
    if (this.capture) return;
    this.halt = { loop: body };
  }

  private constantCondition(cond: List): boolean | undefined {
    if (cond.length !== 1 || cond[0].node.type !== 'cmd') return undefined;
    const words = cond[0].node.words.map((w) => w.parts.map((p) => p.text).join(''));
    if (words.length === 1 && (words[0] === 'true' || words[0] === ':')) return true;
    if (words.length === 1 && words[0] === 'false') return false;
    if (words.join(' ') === '[ 1 ]' || words.join(' ') === 'sleep 1') return true;
    return undefined;
  }

  /** Where fds 1 and 2 go, after redirections (no file system: a file or /dev/null swallows the output). */
  private fds: { 1: 'out' | 'err' | 'null'; 2: 'out' | 'err' | 'null' } = { 1: 'out', 2: 'err' };

  private redirected(redirs: readonly { r: Redirection; target: Word }[]): { 1: 'out' | 'err' | 'null'; 2: 'out' | 'err' | 'null' } {
    const fds = { ...this.fds };
    for (const { r, target } of redirs) {
      if (r.fd !== 1 && r.fd !== 2) continue;
      const to = this.expandWord(target)[0] ?? '';
      if (r.kind === '>&') {
        if (to === '1' || to === '2') fds[r.fd] = fds[Number(to) as 1 | 2];
      } else if (r.kind !== '<') fds[r.fd] = 'null';
    }
    return fds;
  }

  private print(text: string, err = false, newline = true): void {
    const where = this.fds[err ? 2 : 1];
    if (where === 'null') return;
    err = where === 'err';
    if (this.capture && !err) this.capture.push(text);
    else {
      const step: Step = err ? { out: text, err } : { out: text };
      if (!newline) step.nl = false;
      this.steps.push(step);
    }
  }

  /** What a tool printed (stdout captured inside $(…), as print does), its pauses, and its exit status. */
  private emit(result: ToolResult): void {
    for (const step of result.steps) {
      if ('sleepMs' in step) this.sleep(step.sleepMs);
      else this.print(step.out, step.err, step.nl !== false);
    }
    this.status = result.status;
  }

  /** Reset what one run produced, keeping the shell's state ($?, variables, cwd): for the next command line. */
  reset(): void {
    this.steps = [];
    this.halt = undefined;
    this.budget = 20_000;
  }

  private sleep(ms: number): void {
    if (!this.capture && ms > 0) this.steps.push({ sleepMs: ms });
  }

  private expandWord(word: Word): string[] {
    let text = '';
    let splittable = false;
    for (const part of word.parts) {
      if (part.quote === 'single') text += part.text;
      else {
        text += this.expandText(part.text);
        if (part.quote === 'none' && part.text.includes('$')) splittable = true;
      }
    }
    if (splittable) return text.split(/\s+/).filter((s) => s !== '');
    return [text];
  }

  private expandText(text: string): string {
    let out = '';
    for (let i = 0; i < text.length; ) {
      if (text.startsWith('$(', i)) {
        const end = matchParen(text, i + 1);
        out += this.substitute(text.slice(i + 2, end));
        i = end + 1;
        continue;
      }
      const m = /^\\\$|^\$\{(\w+)(?::?-([^}]*))?\}|^\$(\w+|\?|\$)/.exec(text.slice(i, i + 200));
      if (!m) {
        out += text[i++];
        continue;
      }
      i += m[0].length;
      if (m[0] === '\\$') {
        out += '$';
        continue;
      }
      const name = m[1] ?? m[3];
      const value = name === '?' ? String(this.status) : name === '$' ? '1' : this.ctx.env.get(name);
      out += value === undefined || (value === '' && m[2] !== undefined) ? m[2] ?? '' : value;
    }
    return out;
  }

  private substitute(script: string): string {
    const saved = this.capture;
    this.capture = [];
    const savedHalt = this.halt;
    this.runList(new Parser(lex(script)).parseList());
    const out = this.capture.join('\n');
    this.capture = saved;
    this.halt = savedHalt;
    return out;
  }

  runCommand(argv: string[]): void {
    while (argv.length > 0 && /^[A-Za-z_]\w*=/.test(argv[0])) {
      const eq = argv[0].indexOf('=');
      this.ctx.env.set(argv[0].slice(0, eq), argv[0].slice(eq + 1));
      argv = argv.slice(1);
    }
    if (argv.length === 0) {
      this.status = 0;
      return;
    }
    const [name, ...args] = argv;
    const base = name.slice(name.lastIndexOf('/') + 1);
    this.status = 0;
    switch (base) {
      case 'echo': {
        let newline = true;
        let escapes = false;
        while (args[0] && /^-[neE]+$/.test(args[0])) {
          if (args[0].includes('n')) newline = false;
          if (args[0].includes('e')) escapes = true;
          args.shift();
        }
        const text = args.join(' ');
        return this.printText(escapes ? unescape(text) : text, newline);
      }
      case 'printf':
        return this.printText(printf(args[0] ?? '', args.slice(1)), false);
      case 'sleep': {
        const ms = parseDuration(args[0]);
        if (ms === undefined) {
          this.print(`sleep: invalid number '${args[0] ?? ''}'`, true);
          this.status = 1;
        } else if (ms === Infinity) {
          if (!this.capture) this.halt = { forever: true };
        } else this.sleep(ms);
        return;
      }
      case 'exit':
        this.halt = { exit: args[0] !== undefined ? Number(args[0]) & 255 : this.status };
        return;
      case 'cd': {
        const to = args[0] ?? this.ctx.env.get('HOME') ?? '/';
        this.cwd = to.startsWith('/') ? normalizePath(to) : normalizePath(`${this.cwd}/${to}`);
        return;
      }
      case 'pwd':
        return this.print(this.cwd);
      case 'true':
      case ':':
      case 'wait':
      case 'set':
      case 'read':
      case 'export':
        for (const a of base === 'export' ? args : []) if (a.includes('=')) this.ctx.env.set(a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
        return;
      case 'false':
        this.status = 1;
        return;
      case 'date':
        return this.print(timeToken(args.includes('+%s') ? 'epoch' : 'date'));
      case 'hostname':
        return this.print(this.ctx.hostname);
      case 'env':
      case 'printenv':
        if (args[0]) {
          const value = this.ctx.env.get(args[0]);
          if (value === undefined) this.status = 1;
          else this.print(value);
        } else for (const [k, v] of this.ctx.env) this.print(`${k}=${v}`);
        return;
      case 'seq': {
        const [from, to] = args.length > 1 ? [Number(args[0]), Number(args[1])] : [1, Number(args[0])];
        for (let n = from; n <= to && n - from < 10_000; n++) this.print(String(n));
        return;
      }
      case 'cat':
        if (args.length === 0 || (args.length === 1 && args[0] === '-')) {
          for (const line of this.stdin ?? []) this.print(line);
          return;
        }
        for (const file of args) {
          if (file === '/etc/hostname') this.print(this.ctx.hostname);
          else {
            this.print(`cat: can't open '${file}': No such file or directory`, true);
            this.status = 1;
          }
        }
        return;
      case 'tail':
        if (args.includes('-f') || args.includes('-F')) {
          if (!this.capture) this.halt = { forever: true };
          return;
        }
        return this.filter(base, args);
      case 'trap':
        if (args.slice(1).some((s) => /^(SIG)?TERM$|^15$/.test(s))) {
          const exit = /exit\s+(\d+)/.exec(args[0] ?? '');
          this.sigterm = { exit: exit ? Number(exit[1]) : 143, afterMs: 1, lines: [] };
        }
        return;
      case 'exec':
        return this.runCommand(args);
      case 'sh':
      case 'bash':
      case 'ash':
        if (args[0] === '-c' && args[1] !== undefined) return this.runList(new Parser(lex(args[1])).parseList());
        return;
      default:
        if ((base === 'curl' || base === 'wget') && this.ctx.net && this.ctx.binaries.has(base)) {
          const tool = { net: this.ctx.net, tty: (this.ctx.tty ?? false) && !this.capture, curlVersion: this.ctx.version };
          return this.emit(base === 'curl' ? runCurl(args, tool) : runWget(args, tool));
        }
        if (FILTERS.has(base) && this.ctx.binaries.has(base)) return this.filter(base, args);
        if (base === 'tee' && this.ctx.binaries.has(base)) {
          for (const line of this.stdin ?? []) this.print(line);
          return;
        }
        if (this.ctx.binaries.has(base)) return;
        this.print(this.ctx.shell === 'bash' ? `bash: line 1: ${name}: command not found` : `${this.ctx.shell}: ${name}: not found`, true);
        this.status = 127;
    }
  }

  /** A text filter reading the pipe's lines (nothing, end of file, when no pipe feeds it). */
  private filter(name: string, args: string[]): void {
    const r = runFilter(name, args, this.stdin ?? []);
    if (!r) return;
    for (const line of r.err) this.print(line, true);
    for (const line of r.out) this.print(line);
    this.status = r.status;
  }

  private printText(text: string, newline: boolean): void {
    const lines = text.split('\n');
    // printf 'a' ends without a newline: its last line is a partial one.
    const partial = !newline && lines[lines.length - 1] !== '';
    if (!newline && !partial) lines.pop();
    else if (newline && text === '') lines.splice(0, lines.length, '');
    lines.forEach((line, i) => this.print(line, false, !(partial && i === lines.length - 1)));
  }
}

/** "/a/./b/../c" → "/a/c". */
function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

function unescape(text: string): string {
  return text.replace(/\\([ntr\\])/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? c);
}

function printf(format: string, args: string[]): string {
  let i = 0;
  let out = '';
  do {
    out += unescape(format).replace(/%([sdi%])/g, (_m, c: string) => (c === '%' ? '%' : c === 's' ? args[i++] ?? '' : String(Math.trunc(Number(args[i++] ?? 0)) || 0)));
  } while (i < args.length && /%[sdi]/.test(format));
  return out;
}

/** `sleep` arguments: 5, 0.5, 10s, 2m, 1h, 1d, infinity. */
export function parseDuration(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  if (arg === 'infinity' || arg === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(arg);
  if (!m) return undefined;
  const unit = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]]!;
  return Math.round(Number(m[1]) * unit);
}

/** The program of a shell script (the argument of `sh -c`). */
export function runScript(script: string, ctx: ShellContext): Program {
  return finish(ctx, (interp) => interp.runList(new Parser(lex(script)).parseList()));
}

/** The program of one simple command run without a shell (argv as exec'd), for builtins we know. */
export function runArgv(argv: string[], ctx: ShellContext): Program {
  return finish(ctx, (interp) => interp.runCommand(argv));
}

function finish(ctx: ShellContext, run: (interp: Interpreter) => void): Program {
  const interp = new Interpreter(ctx);
  run(interp);
  const halt = interp.halt;
  const then: Program['then'] = !halt ? { exit: interp.status } : 'exit' in halt ? { exit: halt.exit } : 'loop' in halt ? { loop: halt.loop } : { run: true };
  return { steps: interp.steps, then, onSigterm: interp.sigterm };
}

/** How one command line of an interactive shell ended. */
export type LineEnd =
  /** Done; the shell reads the next line. */
  | { next: true }
  /** `exit N`: the shell is gone. */
  | { exit: number }
  /** `sleep infinity`, `tail -f`: runs until interrupted. */
  | { forever: true }
  /** An endless loop: these steps repeat until interrupted. */
  | { loop: Step[] };

/**
 * A shell reading commands one line at a time (`kubectl exec -i … -- sh`, or with a terminal, `-it`):
 * the same interpreter as `sh -c`, whose state — variables, $?, the working directory — lasts from one
 * line to the next. `ctx.env` is the shell's own copy of the environment; it changes as lines set variables.
 */
export class ShellSession {
  private readonly interp: Interpreter;

  constructor(ctx: ShellContext) {
    this.interp = new Interpreter(ctx);
  }

  /** $? after the last line. */
  get status(): number {
    return this.interp.status;
  }

  set status(code: number) {
    this.interp.status = code;
  }

  get cwd(): string {
    return this.interp.cwd;
  }

  /** Run a complete command (see needsMore): its output and pauses, and how it ended. */
  run(text: string): { steps: Step[]; end: LineEnd } {
    const interp = this.interp;
    interp.reset();
    interp.runList(new Parser(lex(text)).parseList());
    const halt = interp.halt;
    const end: LineEnd = !halt ? { next: true } : 'exit' in halt ? { exit: halt.exit } : 'loop' in halt ? { loop: halt.loop } : { forever: true };
    return { steps: interp.steps, end };
  }
}

const OPENERS = new Set(['if', 'while', 'until', 'for', 'case', '{']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}']);
/** Words after which the next word is in command position again. */
const LEADS = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '{', '!']);

/**
 * Whether the shell needs more lines before it can run `text` (it prints its "> " prompt then): an open
 * quote, a trailing backslash or operator (|, &&, ||), or a compound command (if, while, until, for, case,
 * { or a subshell) not yet closed.
 */
export function needsMore(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '\\') {
      if (i === text.length - 1 || (i === text.length - 2 && text[i + 1] === '\n')) return true;
      i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < text.length && text[i] !== '\n') i++;
    }
  }
  if (quote) return true;
  const tokens = lex(text);
  let depth = 0;
  let commandPosition = true;
  for (const t of tokens) {
    if ('op' in t) {
      if (t.op === '(') depth++;
      else if (t.op === ')') depth--;
      commandPosition = true;
      continue;
    }
    const word = bare(t);
    if (commandPosition && word !== undefined) {
      if (OPENERS.has(word)) depth++;
      else if (CLOSERS.has(word)) depth--;
    }
    commandPosition = word !== undefined && (LEADS.has(word) || CLOSERS.has(word));
    if (word === 'for' || word === 'case') commandPosition = false;
  }
  const last = tokens[tokens.length - 1];
  if (last && 'op' in last && (last.op === '|' || last.op === '&&' || last.op === '||')) return true;
  return depth > 0;
}
