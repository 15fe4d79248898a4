import { strict as assert } from 'node:assert';
import { Clock } from '../../../src/sim/clock';
import { FAST_FORWARD, RealtimeDriver, formatSpeed, parseSpeed, type HostTimers } from '../../../src/sim/realtime';

/** Fake wall-clock host: timers fire only when the test advances wall time. */
class FakeHost implements HostTimers<number> {
  t = 0;
  private nextId = 1;
  readonly timers = new Map<number, { at: number; fn: () => void }>();
  /** Every setTimer delay requested, for asserting on sleeps. */
  readonly delays: number[] = [];

  setTimer(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + ms, fn });
    this.delays.push(ms);
    return id;
  }

  clearTimer(id: number): void {
    this.timers.delete(id);
  }

  now(): number {
    return this.t;
  }

  /** Advance wall time by `ms`, firing due timers in order (each at its own time). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (!first || entry[1].at < first[1].at) first = entry;
      if (!first || first[1].at > end) break;
      this.timers.delete(first[0]);
      this.t = Math.max(this.t, first[1].at);
      first[1].fn();
    }
    this.t = end;
  }
}

function setup(speed: number, options = {}) {
  const host = new FakeHost();
  const clock = new Clock(7);
  const driver = new RealtimeDriver(clock, host, speed, options);
  return { host, clock, driver };
}

describe('sim/realtime driver', () => {
  it('advances virtual time with wall time at speed 1, running events when they fall due', () => {
    const { host, clock, driver } = setup(1);
    const seen: number[] = [];
    clock.schedule(100, () => seen.push(clock.now()));
    clock.schedule(250, () => seen.push(clock.now()));
    driver.wake();
    host.advance(99);
    assert.deepEqual(seen, []);
    host.advance(1);
    assert.deepEqual(seen, [100]);
    host.advance(200);
    assert.deepEqual(seen, [100, 250]);
    assert.equal(clock.now(), 250, 'virtual time stops at the last event while sleeping');
    driver.dispose();
  });

  it('runs ten times faster at speed 10', () => {
    const { host, clock, driver } = setup(10);
    const seen: number[] = [];
    clock.schedule(1000, () => seen.push(host.now()));
    driver.wake();
    host.advance(150);
    assert.deepEqual(seen, [100], 'a 1 s virtual event runs after 100 ms of wall time');
    driver.dispose();
  });

  it('sleeps until the next event instead of polling', () => {
    const { host, clock, driver } = setup(1);
    clock.schedule(5000, () => undefined);
    driver.wake();
    host.advance(10);
    host.delays.length = 0;
    host.advance(6000);
    assert.ok(host.delays.length <= 2, `woke ${host.delays.length} times in 6 s`);
    assert.ok(host.timers.size === 0, 'nothing scheduled: no timer left');
    driver.dispose();
  });

  it('does not advance while paused, and resumes at the previous speed', () => {
    const { host, clock, driver } = setup(2);
    let ran = false;
    clock.schedule(100, () => (ran = true));
    driver.pause();
    assert.equal(driver.paused, true);
    assert.equal(formatSpeed(driver.speed), 'paused');
    host.advance(10_000);
    assert.equal(ran, false);
    assert.equal(clock.now(), 0);
    driver.resume();
    assert.equal(driver.speed, 2);
    host.advance(49);
    assert.equal(ran, false);
    host.advance(1);
    assert.equal(ran, true);
    driver.dispose();
  });

  it('steps to the next event on demand, even when paused', () => {
    const { clock, driver } = setup(0);
    const seen: string[] = [];
    clock.schedule(30, () => seen.push('a'));
    clock.schedule(700, () => seen.push('b'));
    assert.equal(driver.stepToNextEvent(), true);
    assert.deepEqual(seen, ['a']);
    assert.equal(clock.now(), 30);
    assert.equal(driver.stepToNextEvent(), true);
    assert.equal(clock.now(), 700);
    assert.equal(driver.stepToNextEvent(), false);
    driver.dispose();
  });

  it('fast-forward runs events as fast as possible in slices that yield to the host', () => {
    const { host, clock, driver } = setup(FAST_FORWARD, { sliceMs: 5 });
    let count = 0;
    // A periodic task, like a heartbeat; each run costs 1 ms of wall time.
    const beat = () => {
      count++;
      host.t += 1;
      clock.schedule(10_000, beat);
    };
    clock.schedule(10_000, beat);
    host.advance(0);
    assert.ok(count > 0 && count <= 16 + 1, `first slice ran ${count}`);
    const yields = host.timers.size;
    assert.equal(yields, 1, 'a follow-up slice is scheduled');
    host.advance(200);
    assert.ok(clock.now() >= 150 * 10_000, `virtual time ${clock.now()} ran far ahead of wall time`);
    driver.dispose();
    assert.equal(host.timers.size, 0);
  });

  it('runFor advances a virtual duration quickly, then continues at the current speed', () => {
    const { host, clock, driver } = setup(1);
    const seen: number[] = [];
    for (let t = 1000; t <= 10_000; t += 1000) clock.schedule(t, () => seen.push(t));
    let finished = false;
    driver.runFor(5500, () => (finished = true));
    host.advance(0);
    assert.equal(finished, true);
    assert.deepEqual(seen, [1000, 2000, 3000, 4000, 5000]);
    assert.equal(clock.now(), 5500);
    host.advance(499);
    assert.equal(seen.length, 5);
    host.advance(1);
    assert.deepEqual(seen.slice(5), [6000]);
    driver.dispose();
  });

  it('external input is stamped with up-to-date virtual time and wakes the driver', () => {
    const { host, clock, driver } = setup(1);
    clock.schedule(60_000, () => undefined); // the driver sleeps long
    driver.wake();
    host.advance(1);
    host.advance(2000);
    let stampedAt = -1;
    let handledAt = -1;
    driver.external(() => {
      stampedAt = clock.now();
      clock.schedule(5, () => (handledAt = host.now()));
    });
    assert.equal(stampedAt, 2001);
    host.advance(10);
    assert.equal(handledAt, 2006, 'the new event ran on time, not after the long sleep');
    driver.dispose();
  });

  it('in fast-forward, external input runs at once instead of first spending a slice on due events', () => {
    const { host, clock, driver } = setup(FAST_FORWARD, { sliceMs: 5 });
    // Background work: each event costs 1 ms of wall time, forever.
    let background = 0;
    const busy = () => {
      host.t += 1;
      background++;
      clock.schedule(1, busy);
    };
    clock.schedule(1, busy);
    host.advance(20);
    const before = background;
    let ranAfter = -1;
    driver.external(() => (ranAfter = background));
    assert.equal(ranAfter, before, 'no background event ran before the input');
    driver.dispose();
  });

  it('a slice ends after the event that passes the wall deadline, however few events ran', () => {
    const { host, clock, driver } = setup(FAST_FORWARD, { sliceMs: 12 });
    // Events of 10 ms each: a slice of 12 ms holds two, not sixteen.
    const slow = () => {
      host.t += 10;
      clock.schedule(1, slow);
    };
    clock.schedule(1, slow);
    const started = driver.eventsRun;
    host.advance(0);
    assert.equal(driver.eventsRun - started, 2);
    driver.dispose();
  });

  it('forgives lag it cannot pay back instead of bursting later', () => {
    const { host, clock, driver } = setup(1000, { sliceMs: 5, maxLagMs: 50 });
    // Each event costs 2 ms of wall time but there is one per virtual millisecond: 2000× too slow.
    const tick = () => {
      host.t += 2;
      clock.schedule(1, tick);
    };
    clock.schedule(1, tick);
    host.advance(1000);
    // Without forgiveness virtual time would owe ~1,000,000 ms; with it the lag stays bounded.
    assert.ok(clock.now() < 2000, `virtual ${clock.now()}`);
    assert.ok(driver.eventsRun > 100);
    driver.dispose();
  });

  it('changing speed keeps virtual time continuous', () => {
    const { host, clock, driver } = setup(1);
    const seen: number[] = [];
    clock.schedule(1500, () => seen.push(host.now()));
    driver.wake();
    host.advance(1000);
    driver.setSpeed(10);
    host.advance(49);
    assert.deepEqual(seen, []);
    host.advance(1);
    assert.deepEqual(seen, [1050]);
    driver.dispose();
  });

  it('notifies listeners after each slice and speed change', () => {
    const { host, clock, driver } = setup(1);
    let calls = 0;
    const off = driver.onDidAdvance(() => calls++);
    clock.schedule(10, () => undefined);
    driver.wake();
    host.advance(20);
    const afterRun = calls;
    assert.ok(afterRun >= 1);
    driver.setSpeed(3);
    assert.equal(calls, afterRun + 1);
    off();
    driver.setSpeed(4);
    assert.equal(calls, afterRun + 1);
    driver.dispose();
  });

  it('parses and formats speeds as users write them', () => {
    assert.equal(parseSpeed('10'), 10);
    assert.equal(parseSpeed('10x'), 10);
    assert.equal(parseSpeed('0.5'), 0.5);
    assert.equal(parseSpeed('pause'), 0);
    assert.equal(parseSpeed('ff'), FAST_FORWARD);
    assert.equal(parseSpeed('fast-forward'), FAST_FORWARD);
    assert.equal(parseSpeed('-1'), undefined);
    assert.equal(parseSpeed('abc'), undefined);
    assert.equal(formatSpeed(10), '10×');
    assert.equal(formatSpeed(FAST_FORWARD), 'fast-forward');
  });

  it('reports an exception thrown by an event and goes on with the next one', () => {
    const host = new FakeHost();
    const clock = new Clock(1);
    const errors: unknown[] = [];
    const driver = new RealtimeDriver(clock, host, 1, { onError: (e) => errors.push(e) });
    let later = false;
    clock.schedule(10, () => {
      throw new Error('component bug');
    });
    clock.schedule(20, () => (later = true));
    host.advance(30);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /component bug/);
    assert.equal(later, true);
    driver.dispose();
  });

  it('rejects negative speeds', () => {
    const { driver } = setup(1);
    assert.throws(() => driver.setSpeed(-1), /bad speed/);
    driver.dispose();
  });
});
