/**
 * From a container spec and its image to the Program its main process runs: Kubernetes' command/args
 * over the image's ENTRYPOINT/CMD, $(VAR) expansion, entrypoint wrappers that exec their arguments,
 * the image's known servers, shells and simple builtins, and exec failures for missing binaries.
 */
import type { Container } from '../api/types';
import type { ImageInfo, ProcessSpec } from '../images';
import type { Program } from './program';
import { timeToken } from './program';
import { runArgv, runScript, type ShellContext } from './shell';
import type { PodNet } from './http-tools';

export interface ProcessContext {
  image: ImageInfo;
  /** The tag's version of the main program ({version} in start-up lines). */
  version?: string;
  /** Pod name: the container's hostname. */
  hostname: string;
  podIP: string;
  /** Resolved environment (container env, then what the kubelet adds). */
  env: Map<string, string>;
  /** The pod's network, for curl and wget (an exec'd process has it; a container's main process does not). */
  net?: PodNet;
  /** Whether the process's stdout is a terminal (`kubectl exec -t`): curl shows no progress meter then. */
  tty?: boolean;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/** Expand $(VAR) references in command and args as Kubernetes does ($$ escapes; unknown stays as is). */
export function expandKubernetesVars(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\((\w+)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : env.get(name!) ?? m));
}

/**
 * The argv of the main process: command/args from the pod spec, else the image's ENTRYPOINT/CMD.
 * `env` may be a function: it is called only when there is a command or args to expand.
 */
export function containerArgv(container: Pick<Container, 'command' | 'args'>, image: Pick<ImageInfo, 'entrypoint' | 'cmd'>, env: ReadonlyMap<string, string> | (() => ReadonlyMap<string, string>)): string[] {
  const expand = (list: string[]) => {
    const vars = typeof env === 'function' ? env() : env;
    return list.map((s) => expandKubernetesVars(s, vars));
  };
  if (container.command && container.command.length > 0) return [...expand(container.command), ...expand(container.args ?? [])];
  if (container.args && container.args.length > 0) return [...image.entrypoint, ...expand(container.args)];
  return [...image.entrypoint, ...image.cmd];
}

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Where an argv leads through the image's entrypoint wrappers (see unwrapEntrypoint). */
export type Unwrapped = { spec: ProcessSpec } | { exitAtOnce: true } | { args: string[] };

/**
 * Entrypoint wrappers (docker-entrypoint.sh, /entrypoint.sh) run the main program when the arguments
 * are flags or name it, and otherwise exec their arguments: the wrapper's own process spec (the image's
 * server), an exit at once, or the argv it execs.
 */
export function unwrapEntrypoint(argv: readonly string[], image: Pick<ImageInfo, 'processes' | 'cmd'>): Unwrapped {
  let args = [...argv];
  while (args.length > 0 && /entrypoint\.sh$/.test(base(args[0]))) {
    const spec = image.processes[base(args[0])];
    const next = args[1];
    if (next === undefined || next.startsWith('-')) {
      if (spec) return { spec };
      args = [...image.cmd, ...args.slice(1)];
      if (args.length === 0 || /entrypoint\.sh$/.test(base(args[0]))) return { exitAtOnce: true };
      continue;
    }
    if (spec && image.processes[base(next)]) return { spec };
    args = args.slice(1);
  }
  return { args };
}

/** What `argv` does in `ctx.image`. */
export function programFor(argv: string[], ctx: ProcessContext): Program {
  const shellCtx = (shell: string): ShellContext => ({ env: ctx.env, hostname: ctx.hostname, shell, binaries: new Set(ctx.image.binaries ?? []), net: ctx.net, tty: ctx.tty });
  const unwrapped = unwrapEntrypoint(argv, ctx.image);
  if ('spec' in unwrapped) return fromSpec(unwrapped.spec, ctx);
  if ('exitAtOnce' in unwrapped) return exitAtOnce(0);
  const args = unwrapped.args;
  if (args.length === 0) return startError('no command specified');
  const name = base(args[0]);
  const spec = ctx.image.processes[name];
  if (spec) return fromSpec(spec, ctx);
  if (SHELLS.has(name)) {
    const shell = name === 'bash' ? 'bash' : 'sh';
    const c = args.indexOf('-c');
    if (c >= 0 && args[c + 1] !== undefined) return runScript(args[c + 1], shellCtx(shell));
    const script = args.slice(1).find((a) => !a.startsWith('-'));
    if (script) return printAndExit([`${shell}: can't open '${script}': No such file or directory`], 2);
    // An interactive shell with no terminal attached reads end-of-file and exits at once.
    return exitAtOnce(0);
  }
  if (name === 'python' || name === 'python3') return python(args.slice(1));
  if (name === 'node') return nodeJs(args.slice(1));
  if (name === 'curl' || (name === 'wget' && ctx.net && ctx.image.binaries?.includes('wget'))) {
    if (ctx.net) return runArgv(args, shellCtx('sh'));
    if (args.length === 1) return printAndExit(["curl: try 'curl --help' or 'curl --manual' for more information"], 2);
    return exitAtOnce(0);
  }
  if (BUILTINS.has(name)) return runArgv(args, shellCtx('sh'));
  if ((ctx.image.binaries ?? []).includes(name)) return exitAtOnce(0);
  return startError(notExecutableReason(args[0]));
}

const BUILTINS = new Set(['echo', 'printf', 'sleep', 'true', 'false', 'date', 'hostname', 'env', 'printenv', 'seq', 'cat', 'tail', 'exit']);

/**
 * Programs of specs whose lines do not mention the pod ({hostname}, {ip}), by spec and version: every
 * container of an image shares one (programs are read-only), instead of a copy of its lines per pod.
 */
const sharedPrograms = new WeakMap<ProcessSpec, Map<string, Program> | null>();
const POD_PLACEHOLDER = /\{(hostname|ip)\}/;

function fromSpec(spec: ProcessSpec, ctx: ProcessContext): Program {
  if (spec.requiresEnv && !spec.requiresEnv.anyOf.some((name) => (ctx.env.get(name) ?? '') !== '')) return buildFromSpec(spec, ctx);
  let byVersion = sharedPrograms.get(spec);
  if (byVersion === undefined) {
    const personal = [...spec.lines, ...(spec.stopLines ?? [])].some((line) => POD_PLACEHOLDER.test(line));
    sharedPrograms.set(spec, (byVersion = personal ? null : new Map()));
  }
  if (byVersion === null) return buildFromSpec(spec, ctx);
  const version = ctx.version ?? '';
  let program = byVersion.get(version);
  if (!program) byVersion.set(version, (program = buildFromSpec(spec, ctx)));
  return program;
}

function buildFromSpec(spec: ProcessSpec, ctx: ProcessContext): Program {
  const fill = (line: string) =>
    line
      .replace(/\{time:(\w+)\}/g, (_m, f: string) => timeToken(f))
      .replace(/\{hostname\}/g, ctx.hostname)
      .replace(/\{ip\}/g, ctx.podIP)
      .replace(/\{version\}/g, ctx.version ?? '');
  if (spec.requiresEnv && !spec.requiresEnv.anyOf.some((name) => (ctx.env.get(name) ?? '') !== '')) {
    return { steps: withGaps(spec.requiresEnv.lines.map(fill)), then: { exit: 1 }, onSigterm: 'ignore' };
  }
  return {
    steps: withGaps(spec.lines.map(fill)),
    then: spec.exitCode === undefined ? { run: true } : { exit: spec.exitCode },
    onSigterm: { exit: 0, afterMs: spec.stopMs ?? 10, lines: (spec.stopLines ?? []).map(fill) },
  };
}

/** Lines printed 1 ms apart, as a process writes them while it starts. */
function withGaps(lines: string[]): Program['steps'] {
  const steps: Program['steps'] = [];
  lines.forEach((out, i) => {
    if (i > 0) steps.push({ sleepMs: 1 });
    steps.push({ out });
  });
  return steps;
}

function exitAtOnce(code: number): Program {
  return { steps: [], then: { exit: code }, onSigterm: 'ignore' };
}

function printAndExit(lines: string[], code: number): Program {
  return { steps: lines.map((out) => ({ out, err: true })), then: { exit: code }, onSigterm: 'ignore' };
}

function startError(why: string): Program {
  return {
    steps: [],
    then: { exit: 128 },
    onSigterm: 'ignore',
    startError: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${why}: unknown`,
    notExecutable: why,
  };
}

/** runc's reason for a file it cannot execute: `exec: "foo": executable file not found in $PATH`, or `stat /x: no such file or directory`. */
export function notExecutableReason(file: string): string {
  return file.includes('/') ? `stat ${file}: no such file or directory` : `exec: "${file}": executable file not found in $PATH`;
}

/** print("…") / console.log("…") with literal strings: the interpreter prints them. */
function literalCalls(code: string, fn: RegExp): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(fn)) out.push(m[2]);
  return out;
}

function python(args: string[]): Program {
  if (args.length === 0) return exitAtOnce(0);
  if (args[0] === '-c') return { steps: literalCalls(args[1] ?? '', /print\((['"])(.*?)\1\)/g).map((out) => ({ out })), then: { exit: 0 }, onSigterm: 'ignore' };
  if (args[0] === '-m' && args[1] === 'http.server') {
    const port = args[2] ?? '8000';
    return { steps: [{ out: `Serving HTTP on 0.0.0.0 port ${port} (http://0.0.0.0:${port}/) ...` }], then: { run: true }, onSigterm: 'ignore' };
  }
  const file = args.find((a) => !a.startsWith('-')) ?? args[0];
  const path = file.startsWith('/') ? file : `/${file}`;
  return printAndExit([`python3: can't open file '${path}': [Errno 2] No such file or directory`], 2);
}

function nodeJs(args: string[]): Program {
  if (args.length === 0) return exitAtOnce(0);
  if (args[0] === '-e' || args[0] === '--eval') {
    return { steps: literalCalls(args[1] ?? '', /console\.log\((['"])(.*?)\1\)/g).map((out) => ({ out })), then: { exit: 0 }, onSigterm: 'ignore' };
  }
  const file = args.find((a) => !a.startsWith('-')) ?? args[0];
  const path = file.startsWith('/') ? file : `/${file}`;
  return printAndExit([
    'node:internal/modules/cjs/loader:1228',
    '  throw err;',
    '  ^',
    '',
    `Error: Cannot find module '${path}'`,
    "  code: 'MODULE_NOT_FOUND',",
    '',
    'Node.js v22.12.0',
  ], 1);
}
