/**
 * Drives the virtual Clock with wall time, for the editor, the CLI and the HTTP server.
 *
 * Virtual time runs at `speed` × wall time (0 = paused, 1 = real time, 10, …, Infinity = fast-forward:
 * due events run as fast as possible). The host's timer functions are injected, so this module stays in
 * the pure core: the driver never calls setTimeout or reads the wall clock itself.
 *
 * Work is done in slices of at most `sliceMs` of wall time; between slices the driver yields to the
 * host's event loop (a timer of 0 ms) so I/O — an HTTP request, a UI event — is never starved. When
 * nothing is due it sleeps until the next event's wall time: no busy loop. Input from outside the
 * simulation (a request from kubectl, a command from the editor) goes through `external(fn)`, which
 * brings virtual time up to date first (so the input is stamped with the right time) and wakes the
 * driver afterwards (the input may have scheduled something earlier than the driver's next wake-up).
 */
import type { Clock } from './clock';

/** The host's timer functions (setTimeout/clearTimeout/performance.now in Node and VS Code). */
export interface HostTimers<Handle = unknown> {
  setTimer(fn: () => void, ms: number): Handle;
  clearTimer(handle: Handle): void;
  /** Wall time in milliseconds (any origin, monotonic). */
  now(): number;
}

export interface RealtimeDriverOptions {
  /** Longest stretch of wall time spent running events before yielding to the host (default 12 ms). */
  sliceMs?: number;
  /**
   * When the simulation falls behind wall time by more than this many wall milliseconds (the machine
   * cannot keep up with the speed), the debt is forgiven instead of being paid back in a burst (default 250).
   */
  maxLagMs?: number;
  /** Longest single sleep (default 60 s); a sleeping driver re-checks then. */
  maxSleepMs?: number;
  /**
   * Called with an exception thrown by a simulated event; the driver then goes on with the next event
   * (a bug in one component should not stop the lab). Without it, the exception propagates.
   */
  onError?: (error: unknown) => void;
}

export type DriverListener = () => void;

/** Speed value for "as fast as possible". */
export const FAST_FORWARD = Number.POSITIVE_INFINITY;

/** Parses a speed as users type it: "0"/"pause", "1", "10x", "ff"/"fast"/"max"/"Infinity". */
export function parseSpeed(text: string): number | undefined {
  const t = text.trim().toLowerCase().replace(/[x×]$/, '');
  if (t === 'pause' || t === 'paused') return 0;
  if (t === 'ff' || t === 'fast' || t === 'fast-forward' || t === 'max' || t === 'infinity' || t === 'inf') return FAST_FORWARD;
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** "paused", "1×", "10×", "fast-forward". */
export function formatSpeed(speed: number): string {
  if (speed === 0) return 'paused';
  if (speed === FAST_FORWARD) return 'fast-forward';
  return `${speed}×`;
}

export class RealtimeDriver<Handle = unknown> {
  private currentSpeed: number;
  /** Speed to return to on resume(). */
  private resumeSpeed: number;
  /** Virtual time corresponds to `anchorVirtual + (wall - anchorWall) * speed`. */
  private anchorWall: number;
  private anchorVirtual: number;
  private timer: Handle | undefined;
  /** Wall time the pending host timer fires at (Infinity when none). */
  private timerAt = Number.POSITIVE_INFINITY;
  private disposed = false;
  private running = false;
  /** An active runFor(): virtual deadline and completion callback. */
  private burst: { until: number; done?: () => void } | undefined;
  private readonly listeners = new Set<DriverListener>();
  private readonly sliceMs: number;
  private readonly maxLagMs: number;
  private readonly maxSleepMs: number;
  private readonly onError: ((error: unknown) => void) | undefined;
  /** Events run so far (for status displays and benchmarks). */
  eventsRun = 0;

  constructor(
    readonly clock: Clock,
    private readonly host: HostTimers<Handle>,
    speed = 1,
    options: RealtimeDriverOptions = {},
  ) {
    if (!(speed >= 0)) throw new Error(`RealtimeDriver: bad speed ${speed}`);
    this.sliceMs = options.sliceMs ?? 12;
    this.maxLagMs = options.maxLagMs ?? 250;
    this.maxSleepMs = options.maxSleepMs ?? 60_000;
    this.onError = options.onError;
    this.currentSpeed = speed;
    this.resumeSpeed = speed > 0 ? speed : 1;
    this.anchorWall = host.now();
    this.anchorVirtual = clock.now();
    this.reschedule(0);
  }

  /** Current speed (0 when paused, Infinity in fast-forward). */
  get speed(): number {
    return this.currentSpeed;
  }

  get paused(): boolean {
    return this.currentSpeed === 0 && !this.burst;
  }

  setSpeed(speed: number): void {
    if (!(speed >= 0)) throw new Error(`RealtimeDriver: bad speed ${speed}`);
    this.reanchor();
    this.currentSpeed = speed;
    if (speed > 0) this.resumeSpeed = speed;
    this.reschedule(0);
    this.emit();
  }

  pause(): void {
    if (this.currentSpeed !== 0) this.setSpeed(0);
  }

  /** Continue at the speed used before pause() (1 if none). */
  resume(): void {
    if (this.currentSpeed === 0) this.setSpeed(this.resumeSpeed);
  }

  /**
   * Run the next due event now, whatever the speed (the flow view's "step"), advancing virtual time
   * to it. Returns false when nothing is scheduled.
   */
  stepToNextEvent(): boolean {
    const ran = this.clock.nextTime() !== undefined;
    if (ran) this.runOne();
    this.reanchor(true);
    this.reschedule(0);
    this.emit();
    return ran;
  }

  /**
   * Advance `virtualMs` of virtual time as fast as possible (in slices that yield to the host), then go
   * on at the current speed from there; `done` runs when the time is reached.
   */
  runFor(virtualMs: number, done?: () => void): void {
    if (!(virtualMs >= 0)) throw new Error(`RealtimeDriver.runFor: bad duration ${virtualMs}`);
    const from = Math.max(this.clock.now(), this.target());
    this.burst = { until: from + virtualMs, done };
    this.reschedule(0);
  }

  /**
   * Feed input from outside the simulation: virtual time is brought up to date (events already due run
   * first, within one slice), `fn` runs, and the driver wakes up to handle whatever `fn` scheduled.
   */
  external<T>(fn: () => T): T {
    // Only a clock that follows wall time has catching up to do: in fast-forward (or a runFor burst)
    // virtual time has no wall target, and paused it stands still. Running a slice there would cost
    // every request a slice of wall time (10 requests waiting = 10 slices before the first answer).
    if (!this.running && !this.disposed && this.followsWallTime()) this.advance(this.host.now() + this.sliceMs);
    try {
      return fn();
    } finally {
      this.wake();
    }
  }

  /** Wake a sleeping driver at once (something may have been scheduled earlier than its wake-up). */
  wake(): void {
    this.reschedule(0);
  }

  /** Called after each slice of work and on speed changes; returns the unsubscribe function. */
  onDidAdvance(listener: DriverListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stop driving the clock (the clock itself is left as is). */
  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.listeners.clear();
    const burst = this.burst;
    this.burst = undefined;
    burst?.done?.();
  }

  /** Virtual time maps to wall time (a finite, non-zero speed and no runFor burst). */
  private followsWallTime(): boolean {
    return !this.burst && this.currentSpeed > 0 && this.currentSpeed !== FAST_FORWARD;
  }

  /** The virtual time wall time has reached at the current speed. */
  private target(wall = this.host.now()): number {
    if (this.burst) return this.burst.until;
    if (this.currentSpeed === FAST_FORWARD) return FAST_FORWARD;
    // Whole milliseconds: the driver never introduces fractional virtual times of its own.
    return Math.floor(this.anchorVirtual + (wall - this.anchorWall) * this.currentSpeed);
  }

  /** Restart the wall/virtual mapping from now (after a speed change, a step or forgiven lag). */
  private reanchor(fromClock = false): void {
    const wall = this.host.now();
    const target = this.burst || this.currentSpeed === FAST_FORWARD || fromClock ? this.clock.now() : this.target(wall);
    this.anchorVirtual = Math.max(this.clock.now(), target);
    this.anchorWall = wall;
  }

  private tick = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.disposed) return;
    const deadline = this.host.now() + this.sliceMs;
    const caughtUp = this.advance(deadline);
    this.emit();
    if (this.disposed) return;
    if (!caughtUp) {
      this.forgiveLag();
      this.reschedule(0);
      return;
    }
    this.sleep();
  };

  /**
   * Runs due events until the target is reached or the wall deadline passes. Returns true when caught
   * up (then virtual time is set to the target, or to the end of a runFor()).
   */
  private advance(wallDeadline: number): boolean {
    this.running = true;
    try {
      for (;;) {
        const target = this.target();
        if (this.currentSpeed === 0 && !this.burst) return true;
        const next = this.clock.nextTime();
        if (next === undefined || next > target) {
          if (Number.isFinite(target)) this.clock.runUntil(target);
          this.finishBurst();
          return true;
        }
        this.runOne();
        // Checked after every event: one event can take milliseconds (a list of 10,000 pods), and
        // waiting for 16 of them made slices of 100 ms and more. Reading the wall clock costs ~50 ns.
        if (this.host.now() >= wallDeadline) return false;
      }
    } finally {
      this.running = false;
    }
  }

  private runOne(): void {
    if (!this.onError) {
      this.clock.step();
    } else {
      try {
        this.clock.step();
      } catch (error) {
        this.onError(error);
      }
    }
    this.eventsRun++;
  }

  private finishBurst(): void {
    const burst = this.burst;
    if (!burst) return;
    this.burst = undefined;
    this.anchorVirtual = this.clock.now();
    this.anchorWall = this.host.now();
    burst.done?.();
  }

  private forgiveLag(): void {
    if (this.burst || this.currentSpeed === FAST_FORWARD || this.currentSpeed === 0) return;
    const behindWallMs = (this.target() - this.clock.now()) / this.currentSpeed;
    if (behindWallMs > this.maxLagMs) {
      this.anchorVirtual = this.clock.now();
      this.anchorWall = this.host.now();
    }
  }

  /** Caught up: sleep until the next event is due in wall time, or until woken. */
  private sleep(): void {
    if (this.currentSpeed === 0 && !this.burst) return; // paused: only wake(), setSpeed() or step() continue
    const next = this.clock.nextTime();
    if (next === undefined) return; // nothing scheduled: external input wakes us
    if (this.burst || this.currentSpeed === FAST_FORWARD) {
      this.reschedule(0);
      return;
    }
    const wallAt = this.anchorWall + (next - this.anchorVirtual) / this.currentSpeed;
    const delay = Math.min(this.maxSleepMs, Math.max(0, Math.ceil(wallAt - this.host.now())));
    this.reschedule(delay);
  }

  /** Arrange a tick in `delayMs` unless one is already due sooner. */
  private reschedule(delayMs: number): void {
    if (this.disposed) return;
    const at = this.host.now() + delayMs;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.cancelTimer();
    this.timerAt = at;
    this.timer = this.host.setTimer(this.tick, delayMs);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.host.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
