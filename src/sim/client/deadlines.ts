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
 * One deadline, and also the handle its caller settles: a single object per request (not an entry, a
 * handle and a `settle` closure), since it lives for the request's round trip and so usually survives
 * a scavenge.
 */
class Pending implements Deadline {
  constructor(
    private readonly queue: DeadlineQueue,
    readonly at: number,
    public onExpire: (() => void) | undefined,
  ) {}

  settle(): boolean {
    if (!this.onExpire) return false;
    this.onExpire = undefined;
    this.queue.noteSettled();
    return true;
  }
}

export class DeadlineQueue {
  private items: Pending[] = [];
  private head = 0;
  private timer: TimerId | undefined;
  /** Settled deadlines still in `items` (dropped in one pass once they are most of it). */
  private settled = 0;

  constructor(private readonly clock: Clock, readonly delayMs: number, private readonly label: string) {}

  add(onExpire: () => void): Deadline {
    const item = new Pending(this, this.clock.now() + this.delayMs, onExpire);
    this.items.push(item);
    if (this.timer === undefined) this.arm();
    return item;
  }

  /** For Pending.settle: one more settled deadline waits in `items`. */
  noteSettled(): void {
    if (++this.settled > 64 && this.settled * 2 > this.items.length - this.head) this.dropSettled();
  }

  /** Deadlines not yet settled or expired. */
  get size(): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (this.items[i].onExpire) n++;
    return n;
  }

  /** Most requests are answered long before their deadline: forget those instead of keeping them until it passes. */
  private dropSettled(): void {
    this.items = this.items.slice(this.head).filter((item) => item.onExpire !== undefined);
    this.head = 0;
    this.settled = 0;
  }

  private arm(): void {
    while (this.head < this.items.length && !this.items[this.head].onExpire) {
      this.head++;
      this.settled = Math.max(0, this.settled - 1);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
      this.settled = 0;
      this.timer = undefined;
      return;
    }
    const delay = Math.max(0, this.items[this.head].at - this.clock.now());
    this.timer = this.clock.schedule(delay, () => this.fire(), this.label);
  }

  private fire(): void {
    const now = this.clock.now();
    while (this.head < this.items.length && this.items[this.head].at <= now) {
      const item = this.items[this.head++];
      const fn = item.onExpire;
      item.onExpire = undefined;
      fn?.();
    }
    this.arm();
  }
}
