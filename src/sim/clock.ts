/**
 * Virtual time and a seeded random number generator.
 *
 * The simulation never reads the wall clock and never calls Math.random: every component schedules
 * its work here, and a scenario advances by stepping through events in (time, sequence) order.
 * The same seed and the same inputs therefore give the same history, byte for byte.
 */

/** The instant virtual time 0 maps to when the simulation prints timestamps. */
export const EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

/**
 * What the clock runs: an object with a `run()` method. A component whose many pending deliveries are
 * objects already (a group of network messages in flight, say) schedules the object itself, instead of
 * a closure and a timer wrapping it: hundreds of thousands are pending at once and live through
 * scavenges. Such a task cannot be cancelled (it decides when it runs whether anything is left to do).
 */
export interface ClockTask {
  run(): void;
}

/**
 * A scheduled callback, cancellable. Its time and sequence number (which breaks ties at equal times)
 * live only in the heap's key arrays, so it carries nothing else.
 */
class Timer implements ClockTask {
  constructor(
    /** Undefined once run or cancelled (the heap drops a cancelled timer lazily when it reaches the top). */
    public fn: (() => void) | undefined,
    readonly label: string,
  ) {}

  run(): void {
    const fn = this.fn!;
    this.fn = undefined;
    fn();
  }
}

/** Whether `task` is a cancelled timer, to be dropped without advancing time to it. */
function isCancelled(task: ClockTask): boolean {
  return task instanceof Timer && task.fn === undefined;
}

/**
 * How many tasks may run at one instant of virtual time before the clock calls it a livelock: a task
 * that keeps scheduling itself (or another) at the instant it runs, so time never moves again and
 * every component stands still while the CPU spins. Far above any real burst (creating 100,000 pods
 * runs a few thousand tasks at any one instant).
 */
export const MAX_RUNS_AT_ONE_INSTANT = 1_000_000;

/** Thrown when MAX_RUNS_AT_ONE_INSTANT tasks ran without time moving; the task that would have run next was dropped. */
export class ClockStalledError extends Error {
  constructor(readonly at: number, readonly task: string) {
    super(`virtual time stopped at ${at} ms: over ${MAX_RUNS_AT_ONE_INSTANT.toLocaleString('en-US')} tasks ran at that instant without it moving on; the next one ("${task}") was dropped to break the loop`);
    this.name = 'ClockStalledError';
  }
}

/** What `schedule` returns, to cancel the timer: the timer itself, opaque to callers (no lookup table). */
export type TimerId = { readonly __timer: never };

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = '-'.charCodeAt(0);

/** Small, fast, well-distributed 32-bit generator (sfc32) seeded through splitmix32. */
export class Rng {
  // Initialised here (not only in the constructor) so the fields hold plain 32-bit values: a field
  // declared without a value starts as undefined, and every number stored in it is then boxed.
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[this.int(items.length)];
  }

  /** A lowercase alphanumeric string like the suffixes Kubernetes generates (no vowels, as upstream). */
  suffix(length = 5): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /**
   * A UUID-shaped identifier (version 4 layout) drawn from this generator: the first n hex digits of
   * successive 32-bit draws. Built from character codes in a reused buffer, so the result is one flat
   * string (pieces joined with + stay in memory as a tree of fragments for as long as the identifier
   * lives) and nothing else is allocated (every pod and container gets one).
   */
  uuid(): string {
    const codes = UUID_CODES;
    let i = this.hexInto(codes, 0, 8);
    codes[i++] = DASH;
    i = this.hexInto(codes, i, 4);
    codes[i++] = DASH;
    codes[i++] = HEX_CODES[4];
    i = this.hexInto(codes, i, 3);
    codes[i++] = DASH;
    codes[i++] = HEX_CODES[8 + this.int(4)];
    i = this.hexInto(codes, i, 3);
    codes[i++] = DASH;
    i = this.hexInto(codes, i, 8);
    this.hexInto(codes, i, 4);
    return String.fromCharCode.apply(null, codes);
  }

  /** `words` draws as 8 lowercase hex digits each, concatenated (a flat string). */
  hex(words: number): string {
    const codes = hexBuffer(words);
    for (let i = 0, w = 0; w < words; w++) i = this.hexInto(codes, i, 8);
    return String.fromCharCode.apply(null, codes);
  }

  /** Write the first `digits` hex digits of one 32-bit draw, zero-padded to 8 digits, at `at`; returns the index after them. */
  private hexInto(codes: number[], at: number, digits: number): number {
    const v = this.nextUint32();
    for (let k = 0; k < digits; k++) codes[at + k] = HEX_CODES[(v >>> (28 - 4 * k)) & 15];
    return at + digits;
  }
}

/** uuid()'s characters, overwritten by each call (the simulation runs on one thread). */
const UUID_CODES: number[] = new Array<number>(36).fill(0);
/** hex()'s buffers by length in words (a simulation uses one or two lengths). */
const HEX_BUFFERS: number[][] = [];

function hexBuffer(words: number): number[] {
  return (HEX_BUFFERS[words] ??= new Array<number>(8 * words).fill(0));
}

/**
 * A 4-ary min-heap of tasks ordered by (at, seq); sifting moves a hole instead of swapping pairs.
 * A cluster keeps hundreds of thousands of timers pending and each pop walks from the root to a leaf:
 * four children per node halve a binary heap's depth, and the keys live in typed arrays beside the
 * timers, so comparing them reads contiguous memory instead of chasing a pointer per timer.
 */
class TimerHeap {
  private items: ClockTask[] = [];
  private ats = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private n = 0;

  get size(): number {
    return this.n;
  }

  peek(): ClockTask | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  /** When the top timer is due (call only when not empty). */
  peekAt(): number {
    return this.ats[0];
  }

  push(timer: ClockTask, at: number, seq: number): void {
    if (this.n === this.ats.length) this.grow();
    const { items, ats, seqs } = this;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pa = ats[parent];
      if (at > pa || (at === pa && seq > seqs[parent])) break;
      items[i] = items[parent];
      ats[i] = pa;
      seqs[i] = seqs[parent];
      i = parent;
    }
    items[i] = timer;
    ats[i] = at;
    seqs[i] = seq;
  }

  pop(): ClockTask | undefined {
    if (this.n === 0) return undefined;
    const { items, ats, seqs } = this;
    const top = items[0];
    const n = --this.n;
    const last = items[n];
    const at = ats[n];
    const seq = seqs[n];
    items[n] = undefined as unknown as ClockTask;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const first = 4 * i + 1;
        if (first >= n) break;
        let m = first;
        const end = first + 4 < n ? first + 4 : n;
        for (let c = first + 1; c < end; c++) if (ats[c] < ats[m] || (ats[c] === ats[m] && seqs[c] < seqs[m])) m = c;
        if (ats[m] > at || (ats[m] === at && seqs[m] > seq)) break;
        items[i] = items[m];
        ats[i] = ats[m];
        seqs[i] = seqs[m];
        i = m;
      }
      items[i] = last;
      ats[i] = at;
      seqs[i] = seq;
    }
    return top;
  }

  private grow(): void {
    const ats = new Float64Array(this.ats.length * 2);
    ats.set(this.ats);
    this.ats = ats;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}

export class Clock {
  readonly rng: Rng;
  private time = 0;
  private seq = 0;
  private readonly heap = new TimerHeap();
  /** Timers still due to run (scheduled, neither run nor cancelled). */
  private dueCount = 0;
  /** The instant of the last task run, and how many more ran at it (see MAX_RUNS_AT_ONE_INSTANT). */
  private stallInstant = Number.NaN;
  private runsAtInstant = 0;
  /** The last second `iso` formatted, and its text: thousands of timestamps fall in one second (one string for all). */
  private isoSecond = Number.NaN;
  private isoText = '';
  /** isoMicro's second ("…T00:01:01."), formatted once per wall-clock second. */
  private microSecond = Number.NaN;
  private microPrefix = '';

  /**
   * The Unix time in ms that virtual time 0 maps to in timestamps (default EPOCH_MS, so runs are
   * reproducible byte for byte; a lab serving real kubectl passes the wall time at start, so ages that
   * kubectl computes on its own clock come out right).
   */
  readonly epochMs: number;

  constructor(seed = 1, epochMs: number = EPOCH_MS) {
    if (!Number.isFinite(epochMs)) throw new Error(`Clock: bad epoch ${epochMs}`);
    this.rng = new Rng(seed);
    this.epochMs = epochMs;
  }

  /** Unix milliseconds at virtual time `ms` (default now): what the simulation's timestamps say. */
  wallMs(ms: number = this.time): number {
    return this.epochMs + ms;
  }

  /** Nanoseconds since the Unix epoch at the current virtual time (an integer, whatever fraction `now()` has). */
  epochNanos(): bigint {
    const ms = Math.floor(this.time);
    return BigInt(this.epochMs + ms) * 1_000_000n + BigInt(Math.round((this.time - ms) * 1e6));
  }

  /** Virtual milliseconds since the simulation started. */
  now(): number {
    return this.time;
  }

  /** The current virtual time as an RFC 3339 timestamp with second precision, as the API prints it. */
  iso(ms: number = this.time): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.isoSecond) {
      this.isoSecond = second;
      this.isoText = new Date(this.epochMs + second * 1000).toISOString().replace('.000Z', 'Z');
    }
    return this.isoText;
  }

  /** The current virtual time as an RFC 3339 timestamp with microseconds (MicroTime: leases, events). */
  isoMicro(ms: number = this.time): string {
    const wall = Math.floor(this.epochMs + ms);
    const second = Math.floor(wall / 1000);
    if (second !== this.microSecond) {
      this.microSecond = second;
      this.microPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    }
    const milli = wall - second * 1000;
    return `${this.microPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}000Z`;
  }

  /** Run `fn` after `delayMs` of virtual time (0 = after everything already due now). */
  schedule(delayMs: number, fn: () => void, label = ''): TimerId {
    if (!(delayMs >= 0)) throw new Error(`Clock.schedule: bad delay ${delayMs}`);
    const timer = new Timer(fn, label);
    this.heap.push(timer, this.time + delayMs, ++this.seq);
    this.dueCount++;
    return timer as unknown as TimerId;
  }

  /**
   * Run `task.run()` after `delayMs` of virtual time, ordered with timers exactly as `schedule` would
   * order a callback scheduled at the same moment. Not cancellable.
   */
  scheduleTask(delayMs: number, task: ClockTask): void {
    if (!(delayMs >= 0)) throw new Error(`Clock.schedule: bad delay ${delayMs}`);
    this.heap.push(task, this.time + delayMs, ++this.seq);
    this.dueCount++;
  }

  cancel(id: TimerId | undefined): void {
    if (id === undefined) return;
    const timer = id as unknown as Timer;
    if (timer.fn === undefined) return;
    timer.fn = undefined;
    this.dueCount--;
  }

  /** Timers still due to run. */
  pending(): number {
    return this.dueCount;
  }

  /** When the next timer is due, or undefined when idle. */
  nextTime(): number | undefined {
    this.dropCancelled();
    return this.heap.size > 0 ? this.heap.peekAt() : undefined;
  }

  /** Run the next due timer, advancing time to it. Returns false when nothing is scheduled. */
  step(): boolean {
    this.dropCancelled();
    if (this.heap.size === 0) return false;
    this.runTop();
    return true;
  }

  /** Run every timer due at or before `t`, then set the time to `t`. Returns the number run. */
  runUntil(t: number): number {
    let n = 0;
    while (this.dueBy(t)) {
      this.runTop();
      n++;
    }
    if (t > this.time) this.time = t;
    return n;
  }

  /** Advance by `ms` of virtual time. */
  advance(ms: number): number {
    return this.runUntil(this.time + ms);
  }

  /**
   * Run until nothing is scheduled, or `maxSteps` timers have run, or time passes `maxTime`.
   * A running cluster always has periodic timers (heartbeats), so most callers bound it by time
   * or use `runUntilQuiet`.
   */
  runUntilIdle(maxSteps = 10_000_000, maxTime = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < maxSteps && this.dueBy(maxTime)) {
      this.runTop();
      n++;
    }
    return n;
  }

  /** Step until `done()` holds (checked after each timer) or `maxTime` of virtual time passes. */
  runUntilCondition(done: () => boolean, maxTime: number): boolean {
    const deadline = this.time + maxTime;
    while (!done()) {
      if (!this.dueBy(deadline)) {
        if (deadline > this.time && this.heap.size === 0) this.time = deadline;
        return done();
      }
      this.runTop();
    }
    return true;
  }

  /**
   * Whether a timer is due at or before `t` (cancelled ones dropped first). The run loops ask this
   * rather than `nextTime()`, whose number-or-undefined answer is a fresh heap number every step.
   */
  private dueBy(t: number): boolean {
    this.dropCancelled();
    return this.heap.size > 0 && this.heap.peekAt() <= t;
  }

  /** Run the top timer (the heap is not empty and its top is not cancelled). */
  private runTop(): void {
    const at = this.heap.peekAt();
    const task = this.heap.pop()!;
    this.dueCount--;
    this.time = at;
    if (at !== this.stallInstant) {
      this.stallInstant = at;
      this.runsAtInstant = 0;
    } else if (++this.runsAtInstant > MAX_RUNS_AT_ONE_INSTANT) {
      this.runsAtInstant = 0;
      if (task instanceof Timer) task.fn = undefined;
      throw new ClockStalledError(at, task instanceof Timer ? task.label || 'unlabelled timer' : task.constructor.name);
    }
    task.run();
  }

  private dropCancelled(): void {
    for (let top = this.heap.peek(); top !== undefined && isCancelled(top); top = this.heap.peek()) this.heap.pop();
  }
}
