/**
 * Virtual time and a seeded random number generator.
 *
 * The simulation never reads the wall clock and never calls Math.random: every component schedules
 * its work here, and a scenario advances by stepping through events in (time, sequence) order.
 * The same seed and the same inputs therefore give the same history, byte for byte.
 */

/** The instant virtual time 0 maps to when the simulation prints timestamps. */
export const EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

export type TimerId = number;

interface Timer {
  id: TimerId;
  at: number;
  seq: number;
  fn: () => void;
  label: string;
}

/** Small, fast, well-distributed 32-bit generator (sfc32) seeded through splitmix32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

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

  /** A UUID-shaped identifier (version 4 layout) drawn from this generator. */
  uuid(): string {
    const hex = (n: number) => this.nextUint32().toString(16).padStart(8, '0').slice(0, n);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${((8 + this.int(4)).toString(16))}${hex(3)}-${hex(8)}${hex(4)}`;
  }
}

/** A binary min-heap of timers ordered by (at, seq). */
class TimerHeap {
  private items: Timer[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Timer | undefined {
    return this.items[0];
  }

  push(timer: Timer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Timer | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l], items[m])) m = l;
        if (r < items.length && before(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(x: Timer, y: Timer): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

export class Clock {
  readonly rng: Rng;
  private time = 0;
  private seq = 0;
  private readonly heap = new TimerHeap();
  private readonly cancelled = new Set<TimerId>();
  private readonly due = new Set<TimerId>();

  constructor(seed = 1) {
    this.rng = new Rng(seed);
  }

  /** Nanoseconds since the Unix epoch at the current virtual time (an integer, whatever fraction `now()` has). */
  epochNanos(): bigint {
    const ms = Math.floor(this.time);
    return BigInt(EPOCH_MS + ms) * 1_000_000n + BigInt(Math.round((this.time - ms) * 1e6));
  }

  /** Virtual milliseconds since the simulation started. */
  now(): number {
    return this.time;
  }

  /** The current virtual time as an RFC 3339 timestamp with second precision, as the API prints it. */
  iso(ms: number = this.time): string {
    return new Date(EPOCH_MS + Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  /** The current virtual time as an RFC 3339 timestamp with microseconds (MicroTime: leases, events). */
  isoMicro(ms: number = this.time): string {
    return new Date(EPOCH_MS + ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  }

  /** Run `fn` after `delayMs` of virtual time (0 = after everything already due now). */
  schedule(delayMs: number, fn: () => void, label = ''): TimerId {
    if (!(delayMs >= 0)) throw new Error(`Clock.schedule: bad delay ${delayMs}`);
    const id = ++this.seq;
    this.heap.push({ id, at: this.time + delayMs, seq: id, fn, label });
    this.due.add(id);
    return id;
  }

  cancel(id: TimerId | undefined): void {
    if (id === undefined || !this.due.delete(id)) return;
    this.cancelled.add(id);
  }

  /** Timers still due to run. */
  pending(): number {
    return this.due.size;
  }

  /** When the next timer is due, or undefined when idle. */
  nextTime(): number | undefined {
    this.dropCancelled();
    return this.heap.peek()?.at;
  }

  /** Run the next due timer, advancing time to it. Returns false when nothing is scheduled. */
  step(): boolean {
    this.dropCancelled();
    const timer = this.heap.pop();
    if (!timer) return false;
    this.due.delete(timer.id);
    this.time = timer.at;
    timer.fn();
    return true;
  }

  /** Run every timer due at or before `t`, then set the time to `t`. Returns the number run. */
  runUntil(t: number): number {
    let n = 0;
    for (;;) {
      const next = this.nextTime();
      if (next === undefined || next > t) break;
      this.step();
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
    while (n < maxSteps) {
      const next = this.nextTime();
      if (next === undefined || next > maxTime) break;
      this.step();
      n++;
    }
    return n;
  }

  /** Step until `done()` holds (checked after each timer) or `maxTime` of virtual time passes. */
  runUntilCondition(done: () => boolean, maxTime: number): boolean {
    const deadline = this.time + maxTime;
    while (!done()) {
      const next = this.nextTime();
      if (next === undefined || next > deadline) {
        if (deadline > this.time && next === undefined) this.time = deadline;
        return done();
      }
      this.step();
    }
    return true;
  }

  private dropCancelled(): void {
    for (let top = this.heap.peek(); top && this.cancelled.has(top.id); top = this.heap.peek()) {
      this.heap.pop();
      this.cancelled.delete(top.id);
    }
  }
}
