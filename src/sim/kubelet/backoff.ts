/**
 * Per-key exponential back-off with the semantics of client-go's flowcontrol.Backoff, which the
 * kubelet uses for image pulls (key: pod UID + image) and container restarts (key: pod + container):
 * `next` starts at the initial duration and doubles up to the maximum; an entry not updated for twice
 * the maximum (10 min with the kubelet's 5 min cap) has expired and starts over. No jitter: runs stay
 * reproducible and a lesson can predict 10 s, 20 s, 40 s ...
 */

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs = 10_000,
    readonly maxMs = 300_000,
  ) {}

  /** The current back-off of `key` (0 when there is none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** When the back-off of `key` was last advanced. */
  lastUpdate(key: string): number | undefined {
    return this.entries.get(key)?.lastUpdate;
  }

  /** Advance the back-off of `key`: a failure (or restart) observed for an event at `eventTime`. */
  next(key: string, eventTime: number, now: number): void {
    const entry = this.entries.get(key);
    if (!entry || this.expired(eventTime, entry)) this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { backoffMs: Math.min(entry.backoffMs * 2, this.maxMs), lastUpdate: now });
  }

  /**
   * True while less than the current back-off has passed since `eventTime` (e.g. a container's exit).
   * Compared against the deadline `eventTime + backoff` — the very sum a caller waits for — rather than
   * as `now - eventTime < backoff`: virtual times are fractional, and when the sum rounds down the
   * difference at the deadline is a hair short of the back-off, so the caller would find itself still
   * in back-off at the instant it was woken and wait again with a zero delay, forever.
   */
  isInBackOffSince(key: string, eventTime: number, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.expired(now, entry)) return false;
    return now < eventTime + entry.backoffMs;
  }

  /** True while less than the current back-off has passed since the last `next` (image pulls); until `endsAt`. */
  isInBackOffSinceUpdate(key: string, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.expired(now, entry)) return false;
    return now < entry.lastUpdate + entry.backoffMs;
  }

  /** When the back-off of `key` ends (lastUpdate + backoff), if it has an entry. */
  endsAt(key: string): number | undefined {
    const entry = this.entries.get(key);
    return entry && entry.lastUpdate + entry.backoffMs;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drop every key that starts with `prefix` (a pod's entries when it goes away). */
  forgetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private expired(time: number, entry: Entry): boolean {
    return time - entry.lastUpdate > 2 * this.maxMs;
  }
}
