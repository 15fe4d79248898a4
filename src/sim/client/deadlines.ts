/**
 * Many requests with the same timeout, one timer: deadlines of a constant delay expire in the order
 * they were added, so a FIFO and a single pending timer replace one cancelled timer per request
 * (which the clock would keep, with everything its closure holds, until its time came).
 */
import type { Clock, TimerId } from '../clock';

export interface Deadline {
  /** The request finished in time: the deadline will not fire. Returns false if it already fired. */
  settle(): boolean;
}

/**
 * One deadline, and also the handle its caller settles. It lives for its request's round trip (so it
 * usually survives a scavenge): it holds nothing but the callback. Its time is in the queue's
 * `times`, a list of plain numbers (a number field would be one more boxed object per deadline).
 */
class Pending implements Deadline {
  constructor(public onExpire: (() => void) | undefined) {}

  settle(): boolean {
    if (!this.onExpire) return false;
    this.onExpire = undefined;
    return true;
  }
}

/** Settled deadlines are dropped once the list is this long, or twice as long as after the last drop. */
const MIN_DROP_AT = 1024;

export class DeadlineQueue {
  private items: Pending[] = [];
  /** When items[i] expires. */
  private times: number[] = [];
  private head = 0;
  private timer: TimerId | undefined;
  /** Length of the part of `items` from `head` at which settled deadlines are dropped next. */
  private dropAt = MIN_DROP_AT;

  constructor(private readonly clock: Clock, readonly delayMs: number, private readonly label: string) {}

  add(onExpire: () => void): Deadline {
    const item = new Pending(onExpire);
    this.items.push(item);
    this.times.push(this.clock.now() + this.delayMs);
    if (this.items.length - this.head >= this.dropAt) this.dropSettled();
    if (this.timer === undefined) this.arm();
    return item;
  }

  /** Deadlines not yet settled or expired. */
  get size(): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (this.items[i].onExpire) n++;
    return n;
  }

  /**
   * Most requests are answered long before their deadline: forget those instead of keeping them until
   * it passes (in place, keeping the order). Amortised O(1) per deadline: the next drop waits until
   * the list has doubled.
   */
  private dropSettled(): void {
    const { items, times } = this;
    let kept = 0;
    for (let i = this.head; i < items.length; i++) {
      if (items[i].onExpire === undefined) continue;
      items[kept] = items[i];
      times[kept] = times[i];
      kept++;
    }
    items.length = kept;
    times.length = kept;
    this.head = 0;
    this.dropAt = Math.max(MIN_DROP_AT, 2 * kept);
  }

  private arm(): void {
    while (this.head < this.items.length && !this.items[this.head].onExpire) this.head++;
    if (this.head >= this.items.length) {
      this.items = [];
      this.times = [];
      this.head = 0;
      this.dropAt = MIN_DROP_AT;
      this.timer = undefined;
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) this.dropSettled();
    const delay = Math.max(0, this.times[this.head] - this.clock.now());
    this.timer = this.clock.schedule(delay, () => this.fire(), this.label);
  }

  private fire(): void {
    const now = this.clock.now();
    while (this.head < this.items.length && this.times[this.head] <= now) {
      const item = this.items[this.head++];
      const fn = item.onExpire;
      item.onExpire = undefined;
      fn?.();
    }
    this.arm();
  }
}
