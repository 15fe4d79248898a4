/**
 * Many requests with the same timeout, one timer: deadlines of a constant delay expire in the order
 * they were added, so a FIFO and a single pending timer replace one cancelled timer per request
 * (which the clock would keep, with everything its closure holds, until its time came).
 */
import type { Clock, ClockTask } from '../clock';

export interface Deadline {
  /** The request finished in time: the deadline will not fire. Returns false if it already fired. */
  settle(): boolean;
}

/**
 * A deadline the caller's own object can be (a request's state, say): the queue calls `expire()`
 * unless `settle()` came first. Settling empties its slot in the queue at once, so a settled entry is
 * not kept alive by the queue (thousands of requests are answered every second, and the queue drops
 * its empty slots only now and then). Its time is in the queue's `times`, a list of plain numbers.
 */
export abstract class DeadlineEntry implements Deadline {
  // Assigned in the constructor, not initialized as class fields: a field initializer defines the
  // property (define semantics, ES2022), and one defining site shared by every subclass's objects (a
  // proposal, a read, a client call ...) goes megamorphic and runs ~20x slower than plain stores.
  /** The queue holding this entry until it is settled or expires (for the queue only). */
  declare queue: DeadlineQueue | undefined;
  /** Its index in the queue's lists (for the queue only). */
  declare slot: number;

  constructor() {
    this.queue = undefined;
    this.slot = -1;
  }

  /** Neither settled nor expired (nor added yet). */
  get pending(): boolean {
    return this.queue !== undefined;
  }

  settle(): boolean {
    const queue = this.queue;
    if (queue === undefined) return false;
    queue.release(this);
    return true;
  }

  /** The deadline passed first. */
  abstract expire(): void;
}

/** A deadline that calls a function. */
class Pending extends DeadlineEntry {
  constructor(private readonly onExpire: () => void) {
    super();
  }

  expire(): void {
    this.onExpire();
  }
}

/** Empty slots are dropped once the list is this long, or twice as long as after the last drop. */
const MIN_DROP_AT = 1024;

/**
 * The queue is its own clock task (its timer is never cancelled): each arming schedules the queue
 * itself, not a new timer and closure. A kubelet's client arms once per request (a Lease renewal
 * every 10 s, 5,000 kubelets), and what is scheduled lives those 10 s, through scavenges.
 */
export class DeadlineQueue implements ClockTask {
  /** Entries in the order added; undefined where one was settled or has expired. */
  private items: (DeadlineEntry | undefined)[] = [];
  /** When items[i] expires. */
  private times: number[] = [];
  private head = 0;
  /** Whether the queue is scheduled to fire (at the time of its oldest pending deadline). */
  private armed = false;
  /** Length of the part of `items` from `head` at which empty slots are dropped next. */
  private dropAt = MIN_DROP_AT;

  /** `label` names the queue (in a debugger: the clock holds the queue itself, not a labelled timer). */
  constructor(private readonly clock: Clock, readonly delayMs: number, readonly label: string) {}

  add(onExpire: () => void): Deadline {
    return this.addEntry(new Pending(onExpire));
  }

  /** Add an entry not in any queue; it expires `delayMs` from now unless settled. */
  addEntry<E extends DeadlineEntry>(item: E): E {
    if (item.queue !== undefined) throw new Error('DeadlineQueue: entry already pending');
    item.queue = this;
    item.slot = this.items.length;
    this.items.push(item);
    this.times.push(this.clock.now() + this.delayMs);
    if (this.items.length - this.head >= this.dropAt) this.dropSettled();
    if (!this.armed) this.arm();
    return item;
  }

  /** Settle `item` (pending in this queue): its slot is emptied. */
  release(item: DeadlineEntry): void {
    this.items[item.slot] = undefined;
    item.queue = undefined;
  }

  /** Deadlines not yet settled or expired. */
  get size(): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (this.items[i] !== undefined) n++;
    return n;
  }

  /**
   * Most requests are answered long before their deadline: drop their empty slots instead of keeping
   * them until it passes (in place, keeping the order). Amortised O(1) per deadline: the next drop
   * waits until the list has doubled.
   */
  private dropSettled(): void {
    const { items, times } = this;
    let kept = 0;
    for (let i = this.head; i < items.length; i++) {
      const item = items[i];
      if (item === undefined) continue;
      item.slot = kept;
      items[kept] = item;
      times[kept] = times[i];
      kept++;
    }
    items.length = kept;
    times.length = kept;
    this.head = 0;
    this.dropAt = Math.max(MIN_DROP_AT, 2 * kept);
  }

  private arm(): void {
    while (this.head < this.items.length && this.items[this.head] === undefined) this.head++;
    if (this.head >= this.items.length) {
      this.items = [];
      this.times = [];
      this.head = 0;
      this.dropAt = MIN_DROP_AT;
      this.armed = false;
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) this.dropSettled();
    const delay = Math.max(0, this.times[this.head] - this.clock.now());
    // Ordered among timers exactly as clock.schedule would order a timer set now.
    this.clock.scheduleTask(delay, this);
    this.armed = true;
  }

  /** @internal (Clock) The oldest pending deadline's time came: expire what is due, and arm again. */
  run(): void {
    const now = this.clock.now();
    while (this.head < this.items.length && this.times[this.head] <= now) {
      const item = this.items[this.head];
      this.items[this.head++] = undefined;
      if (item === undefined) continue;
      item.queue = undefined;
      item.expire();
    }
    this.arm();
  }
}
