/** Coalesce bursts of calls into at most one call per `intervalMs` (leading edge delayed, trailing edge kept). */
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = 0;

  constructor(private readonly fn: () => void, private readonly intervalMs: number) {}

  /** Ask for a call; it happens within `intervalMs`, once however many asks arrive meanwhile. */
  schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.last = performance.now();
      this.fn();
    }, wait);
  }

  /** Run now if a call is pending. */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = performance.now();
    this.fn();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Run `fn` once calls stop arriving for `delayMs` (at the latest after `maxWaitMs`). */
export class Debounce {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstAsk: number | undefined;

  constructor(private readonly fn: () => void, private readonly delayMs: number, private readonly maxWaitMs = Number.POSITIVE_INFINITY) {}

  schedule(): void {
    const now = performance.now();
    this.firstAsk ??= now;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.min(this.delayMs, Math.max(0, this.firstAsk + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.firstAsk = undefined;
    this.fn();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
