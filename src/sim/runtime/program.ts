/**
 * What a container's main process does, as data: output lines and pauses, then exit, loop forever
 * or keep running; and how it reacts to SIGTERM. The runtime interprets a Program with at most one
 * timer (its exit); log lines are computed on demand from the start time, so a chatty loop costs
 * nothing until someone reads its logs.
 */

/** A line printed (to stderr with `err`; `nl: false` when no newline ends it, as after `printf x`), or a pause. */
export type Step = { out: string; err?: boolean; nl?: false } | { sleepMs: number };

export type ProgramEnd = { exit: number } | { loop: Step[] } | { run: true };

export interface Program {
  steps: Step[];
  then: ProgramEnd;
  /** On SIGTERM: exit with `exit` after `afterMs`, printing `lines`; or 'ignore' (PID 1 without a handler). */
  onSigterm: { exit: number; afterMs: number; lines: string[] } | 'ignore';
  /** Set when the process cannot even start (exec failure): the runtime fails StartContainer. */
  startError?: string;
  /** With startError: runc's reason alone (`exec: "foo": executable file not found in $PATH`), for an exec's error. */
  notExecutable?: string;
}

export interface OutputLine {
  /** Milliseconds after the process started. */
  at: number;
  text: string;
  err?: boolean;
}

/** At most this many lines are kept per container instance (the kubelet rotates logs too). */
export const MAX_LOG_LINES = 10_000;

/** How long the program runs before it exits by itself, or undefined when it does not. */
export function programDuration(program: Program): number | undefined {
  if (!('exit' in program.then)) return undefined;
  return sleepTotal(program.steps);
}

export function exitCodeOf(program: Program): number | undefined {
  return 'exit' in program.then ? program.then.exit : undefined;
}

function sleepTotal(steps: readonly Step[]): number {
  let total = 0;
  for (const step of steps) if ('sleepMs' in step) total += step.sleepMs;
  return total;
}

/**
 * The lines the program has printed within its first `elapsedMs`, oldest first, at most `maxLines`
 * (the newest ones). A line printed at the same instant as a sleep ends counts as printed.
 */
export function outputWithin(program: Program, elapsedMs: number, maxLines = MAX_LOG_LINES): OutputLine[] {
  const out: OutputLine[] = [];
  const t = walk(program.steps, 0, elapsedMs, out);
  if (t !== undefined && 'loop' in program.then) {
    const body = program.then.loop;
    const period = Math.max(1, sleepTotal(body));
    const perIteration = body.filter((s) => 'out' in s).length;
    if (perIteration > 0) {
      const iterations = Math.floor((elapsedMs - t) / period) + 1;
      const needed = Math.ceil(maxLines / perIteration) + 1;
      const first = Math.max(0, iterations - needed);
      if (first > 0) out.length = 0;
      for (let i = first; i < iterations; i++) walk(body, t + i * period, elapsedMs, out);
    }
  }
  return out.length > maxLines ? out.slice(out.length - maxLines) : out;
}

/** Append the lines of `steps` started at `t0` up to `limit`; returns the end time, or undefined if cut. */
function walk(steps: readonly Step[], t0: number, limit: number, out: OutputLine[]): number | undefined {
  let t = t0;
  for (const step of steps) {
    if (t > limit) return undefined;
    if ('sleepMs' in step) t += step.sleepMs;
    else out.push(step.err ? { at: t, text: step.out, err: true } : { at: t, text: step.out });
  }
  return t > limit ? undefined : t;
}

// ---------------------------------------------------------------- time placeholders

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');
const p3 = (n: number) => String(n).padStart(3, '0');

/** A placeholder the interpreter leaves in a line for a value known only when the line is printed. */
export function timeToken(format: string): string {
  return `\u0001${format}\u0001`;
}

/** Format the instant `wallMs` (Unix ms: the clock's `wallMs()`) the way a program prints it. */
export function formatTime(format: string, wallMs: number): string {
  const d = new Date(wallMs);
  const Y = d.getUTCFullYear();
  const M = d.getUTCMonth();
  const D = d.getUTCDate();
  const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const milli = p3(d.getUTCMilliseconds());
  switch (format) {
    case 'nginx':
    case 'go':
      return `${Y}/${p2(M + 1)}/${p2(D)} ${hms}`;
    case 'redis':
      return `${p2(D)} ${MONTHS[M]} ${Y} ${hms}.${milli}`;
    case 'apache':
      return `${DAYS[d.getUTCDay()]} ${MONTHS[M]} ${p2(D)} ${hms}.${milli}000 ${Y}`;
    case 'postgres':
      return `${Y}-${p2(M + 1)}-${p2(D)} ${hms}.${milli} UTC`;
    case 'mysql':
      return `${Y}-${p2(M + 1)}-${p2(D)} ${hms}+00:00`;
    case 'date':
      return `${DAYS[d.getUTCDay()]} ${MONTHS[M]} ${String(D).padStart(2, ' ')} ${hms} UTC ${Y}`;
    case 'epoch':
      return String(Math.floor(wallMs / 1000));
    default:
      return `${Y}-${p2(M + 1)}-${p2(D)}T${hms}.${milli}000Z`;
  }
}

/** Replace the time placeholders of a line printed at `wallMs` (Unix ms: the clock's `wallMs(virtualMs)`). */
export function renderLine(text: string, wallMs: number): string {
  if (!text.includes('\u0001')) return text;
  return text.replace(/\u0001(\w+)\u0001/g, (_m, format: string) => formatTime(format, wallMs));
}
