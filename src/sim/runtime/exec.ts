/**
 * A process started in a running container by CRI Exec (`kubectl exec`): the command runs through the
 * same program and shell simulation as the container's own process (command.ts, shell.ts), with the
 * container's environment, hostname and the image's binaries, but it talks to a client: its output is
 * written as it happens on the virtual clock (sleeps take their time), it may read stdin (a shell given
 * no script reads its commands there, line by line), and with a terminal (`-t`) the line discipline echoes
 * what is typed, a prompt is printed and Ctrl-C interrupts. It ends with an exit code, or with the runtime's
 * error when the file cannot be executed (runc's "executable file not found in $PATH").
 */
import type { Clock, TimerId } from '../clock';
import type { ImageInfo } from '../images';
import { notExecutableReason, programFor, type ProcessContext } from './command';
import { renderLine, type Step } from './program';
import { needsMore, ShellSession, type LineEnd } from './shell';
import { LineDiscipline, onlcr } from './tty';

export interface ExecOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** How an exec ended: the process's exit code, or the error the runtime's streaming server reports. */
export type ExecEnd = { exitCode: number } | { error: string };

export interface ExecStreams {
  /** Output for the client (with a terminal everything is stdout, newlines as CR LF). */
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** The process ended (called once). */
  end(result: ExecEnd): void;
}

export interface ExecSpec {
  argv: string[];
  options: ExecOptions;
  /** The container's context: image, version, hostname, pod IP, a copy of its environment, the pod's network. */
  context: ProcessContext;
  /** The image tag (alpine variants have BusyBox and no bash). */
  tag?: string;
  /** containerd's exec ID (64 hex digits), named in its errors. */
  execId: string;
}

type Flavour = 'ash' | 'dash' | 'bash';

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);
/** Programs every image with a userland has (coreutils or BusyBox applets). */
const COREUTILS = new Set(['echo', 'printf', 'sleep', 'true', 'false', 'date', 'hostname', 'env', 'printenv', 'seq', 'cat', 'tail', 'pwd']);
/** An iteration of an endless loop takes at least this long (a loop that never sleeps would never yield). */
const MIN_LOOP_MS = 10;

/** Images built on Alpine or BusyBox: sh is BusyBox ash, and there is no bash. */
export function isBusyBoxImage(image: Pick<ImageInfo, 'repository'>, tag: string | undefined): boolean {
  return /\/(busybox|alpine)$|^docker\.io\/curlimages\/curl$/.test(image.repository) || (tag ?? '').includes('alpine');
}

/**
 * Whether the image has the file argv[0] names: its own programs, and — for an image with a userland (a
 * `binaries` list; scratch images such as http-echo have none) — the shells (bash only off Alpine), the
 * common utilities, the interpreters of python and node images, and its listed binaries. Undefined when
 * it has; otherwise runc's reason.
 */
export function execFailure(file: string, image: Pick<ImageInfo, 'repository' | 'processes' | 'binaries'>, tag: string | undefined): string | undefined {
  const name = base(file);
  const missing = notExecutableReason(file);
  if (name === '' || name === 'exit') return missing;
  if (image.processes[name]) return undefined;
  if (image.binaries === undefined) return missing;
  const busybox = isBusyBoxImage(image, tag);
  if (SHELLS.has(name)) return name === 'sh' || (name === 'bash' ? !busybox : name === 'ash' ? busybox : !busybox) ? undefined : missing;
  if (COREUTILS.has(name) || image.binaries.includes(name)) return undefined;
  if ((name === 'python' || name === 'python3') && /\/python$/.test(image.repository)) return undefined;
  if (name === 'node' && /\/node$/.test(image.repository)) return undefined;
  return missing;
}

/** The prompt of an interactive shell: BusyBox ash "/ # ", dash "# ", bash "root@web:/# ". */
export function promptOf(flavour: Flavour, hostname: string, cwd: string): string {
  if (flavour === 'dash') return '# ';
  if (flavour === 'bash') return `root@${hostname}:${cwd === '/root' ? '~' : cwd}# `;
  return `${cwd === '/root' ? '~' : cwd} # `;
}

export class ExecProcess {
  private timer: TimerId | undefined;
  private ended = false;
  /** Output of the current instant, flushed before each pause (one write per burst, not per line). */
  private pending: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  // Shell mode
  private shell: ShellSession | undefined;
  private flavour: Flavour = 'ash';
  private tty: LineDiscipline | undefined;
  private lines: string[] = [];
  private partialLine = '';
  private script = '';
  private busy = false;
  private stdinClosed = false;
  /** `cat` without files: stdin back to stdout. */
  private cat = false;

  constructor(
    private readonly clock: Clock,
    private readonly spec: ExecSpec,
    private readonly streams: ExecStreams,
  ) {}

  /** Whether the process still runs. */
  get running(): boolean {
    return !this.ended;
  }

  start(): void {
    const { argv, options, context } = this.spec;
    const why = execFailure(argv[0] ?? '', context.image, this.spec.tag);
    if (why !== undefined) return this.fail(why);
    if (options.tty) this.tty = new LineDiscipline();
    const name = base(argv[0]);
    const rest = argv.slice(1);
    if (options.stdin && SHELLS.has(name) && !rest.includes('-c') && !rest.some((a) => !a.startsWith('-'))) {
      this.flavour = name === 'bash' ? 'bash' : isBusyBoxImage(context.image, this.spec.tag) ? 'ash' : 'dash';
      const env = context.env;
      if (options.tty) env.set('TERM', 'xterm');
      this.shell = new ShellSession({
        env, hostname: context.hostname, shell: name === 'bash' ? 'bash' : 'sh', binaries: new Set(context.image.binaries ?? []),
        net: context.net, tty: options.tty, version: context.version,
      });
      if (options.tty) this.write('stdout', promptOf(this.flavour, context.hostname, this.shell.cwd));
      this.flush();
      return;
    }
    if (options.stdin && name === 'cat' && rest.length === 0) {
      this.cat = true;
      return;
    }
    const program = programFor(argv, context);
    if (program.startError) return this.fail(program.notExecutable ?? program.startError);
    this.play(program.steps, 'exit' in program.then ? { exit: program.then.exit } : 'loop' in program.then ? { loop: program.then.loop } : { forever: true }, (code) => this.finish(code));
  }

  /** Bytes from the client's stdin (channel 0). */
  input(data: string): void {
    if (this.ended || this.stdinClosed) return;
    if (this.tty) {
      const typed = this.tty.feed(data);
      if (typed.echo) this.write('stdout', typed.echo);
      for (const event of typed.events) {
        if (this.ended) break;
        if (event.type === 'line') this.takeLine(event.text);
        else if (event.type === 'interrupt') this.interrupt();
        else this.endOfInput();
      }
      this.flush();
      return;
    }
    if (this.cat) {
      this.write('stdout', data);
      this.flush();
      return;
    }
    if (!this.shell) return;
    const parts = (this.partialLine + data).split('\n');
    this.partialLine = parts.pop() ?? '';
    for (const line of parts) this.takeLine(line);
  }

  /** The client closed stdin (v5's CLOSE signal on channel 0). */
  closeStdin(): void {
    if (this.ended || this.stdinClosed) return;
    if (this.partialLine !== '') this.takeLine(this.partialLine);
    this.partialLine = '';
    this.endOfInput();
  }

  /** Killed with its container (SIGKILL): it ends with `exitCode`. */
  terminate(exitCode: number): void {
    this.finish(exitCode);
  }

  /** The client or the container is gone: stop, without reporting an end. */
  kill(): void {
    this.ended = true;
    this.clock.cancel(this.timer);
    this.timer = undefined;
  }

  // ---------------------------------------------------------------- shell mode

  private takeLine(line: string): void {
    if (this.cat) {
      this.write('stdout', `${line}\n`);
      return;
    }
    if (!this.shell) return;
    this.lines.push(line);
    this.next();
  }

  private endOfInput(): void {
    this.stdinClosed = true;
    if (this.cat) return this.finish(0);
    if (!this.shell) return;
    if (this.tty && this.flavour === 'bash') this.write('stdout', 'exit\r\n');
    else if (this.tty) this.write('stdout', '\r\n');
    this.next();
  }

  /** Run the next complete command, if idle. */
  private next(): void {
    while (!this.busy && !this.ended && this.shell) {
      const line = this.lines.shift();
      if (line === undefined) {
        if (this.stdinClosed) {
          if (this.script.trim() !== '') {
            const text = this.script;
            this.script = '';
            this.runShell(text);
            continue;
          }
          this.finish(this.shell.status);
        }
        return;
      }
      this.script += `${line}\n`;
      if (needsMore(this.script)) {
        if (this.tty) this.write('stdout', '> ');
        continue;
      }
      const text = this.script;
      this.script = '';
      this.runShell(text);
    }
    this.flush();
  }

  private runShell(text: string): void {
    const shell = this.shell!;
    const { steps, end } = shell.run(text);
    this.busy = true;
    const after = (code: number | undefined) => {
      this.busy = false;
      if (code !== undefined) return this.finish(code);
      if (this.tty && !this.stdinClosed) this.write('stdout', promptOf(this.flavour, this.spec.context.hostname, shell.cwd));
      this.next();
    };
    this.play(steps, end, (code) => after('exit' in end ? code : undefined));
  }

  /** Ctrl-C: the foreground command stops (status 130); the shell prints a new prompt. */
  private interrupt(): void {
    this.clock.cancel(this.timer);
    this.timer = undefined;
    if (!this.shell) {
      this.write('stdout', '\r\n');
      return this.finish(130);
    }
    this.busy = false;
    this.script = '';
    this.shell.status = 130;
    this.write('stdout', `\r\n${promptOf(this.flavour, this.spec.context.hostname, this.shell.cwd)}`);
    this.next();
  }

  // ---------------------------------------------------------------- playing output

  /** Print `steps` over time, then end as `then` says; `done` gets the exit code (not called for endless ones). */
  private play(steps: readonly Step[], then: LineEnd, done: (code: number) => void): void {
    let i = 0;
    const run = () => {
      this.timer = undefined;
      if (this.ended) return;
      while (i < steps.length) {
        const step = steps[i++];
        if ('sleepMs' in step) {
          if (step.sleepMs <= 0) continue;
          this.flush();
          this.timer = this.clock.schedule(step.sleepMs, run, 'exec-output');
          return;
        }
        this.output(step);
      }
      this.flush();
      if ('loop' in then) {
        const body = then.loop;
        const pause = body.some((s) => 'sleepMs' in s && s.sleepMs > 0) ? 0 : MIN_LOOP_MS;
        return this.play(pause ? [...body, { sleepMs: pause }] : body, then, done);
      }
      if ('forever' in then) return;
      done('exit' in then ? then.exit : this.shell?.status ?? 0);
    };
    run();
  }

  private output(step: Extract<Step, { out: string }>): void {
    const text = renderLine(step.out, this.clock.wallMs()) + (step.nl === false ? '' : '\n');
    this.write(step.err ? 'stderr' : 'stdout', text);
  }

  private write(stream: 'stdout' | 'stderr', text: string): void {
    const { options } = this.spec;
    const target = options.tty ? 'stdout' : stream;
    if ((target === 'stdout' && !options.stdout) || (target === 'stderr' && !options.stderr)) return;
    const last = this.pending[this.pending.length - 1];
    if (last && last.stream === target) last.text += text;
    else this.pending.push({ stream: target, text });
  }

  private flush(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    const tty = this.spec.options.tty;
    for (const { stream, text } of pending) this.streams.write(stream, tty ? onlcr(text) : text);
  }

  private finish(code: number): void {
    if (this.ended) return;
    this.flush();
    this.kill();
    this.streams.end({ exitCode: code });
  }

  /** The file cannot be executed: containerd's error, as its streaming server reports it (an internal error). */
  private fail(why: string): void {
    this.kill();
    this.streams.end({
      error: `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${this.spec.execId}": OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`,
    });
  }
}
