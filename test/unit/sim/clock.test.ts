import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Clock, ClockStalledError, EPOCH_MS, MAX_RUNS_AT_ONE_INSTANT, Rng } from '../../../src/sim/clock';

describe('sim/clock', () => {
  it('runs timers in time order, ties in scheduling order', () => {
    const clock = new Clock(1);
    const seen: string[] = [];
    clock.schedule(20, () => seen.push('b'));
    clock.schedule(10, () => seen.push('a1'));
    clock.schedule(10, () => seen.push('a2'));
    clock.schedule(0, () => clock.schedule(5, () => seen.push('nested')));
    clock.runUntilIdle();
    assert.deepEqual(seen, ['nested', 'a1', 'a2', 'b']);
    assert.equal(clock.now(), 20);
  });

  it('cancels timers, and cancelling twice or after running changes nothing', () => {
    const clock = new Clock(1);
    let ran = 0;
    const a = clock.schedule(5, () => ran++);
    const b = clock.schedule(6, () => ran++);
    clock.cancel(a);
    clock.cancel(a);
    assert.equal(clock.pending(), 1);
    clock.runUntilIdle();
    clock.cancel(b);
    assert.equal(ran, 1);
    assert.equal(clock.pending(), 0);
  });

  it('runs task objects in (time, scheduling order) among timers; a cancelled timer before them does not advance time', () => {
    const clock = new Clock(1);
    const seen: string[] = [];
    const task = (label: string) => ({ run: () => seen.push(label) });
    clock.schedule(10, () => seen.push('timer 10'));
    clock.scheduleTask(10, task('task 10'));
    clock.scheduleTask(5, task('task 5'));
    const cancelled = clock.schedule(1, () => seen.push('cancelled'));
    clock.cancel(cancelled);
    assert.equal(clock.pending(), 3);
    assert.equal(clock.nextTime(), 5);
    clock.runUntilIdle();
    assert.deepEqual(seen, ['task 5', 'timer 10', 'task 10']);
    assert.equal(clock.pending(), 0);
  });

  it('stops a task that keeps rescheduling itself at the same instant with a clear error, and goes on', () => {
    const clock = new Clock(1);
    let runs = 0;
    const again = () => {
      runs++;
      clock.schedule(0, again, 'spinner');
    };
    clock.advance(5.25);
    clock.schedule(0, again, 'spinner');
    let later = false;
    clock.schedule(10, () => (later = true), 'later');
    assert.throws(() => clock.runUntilCondition(() => later, 1000), (e: unknown) => {
      assert.ok(e instanceof ClockStalledError);
      assert.equal(e.at, 5.25);
      assert.equal(e.task, 'spinner');
      assert.match(e.message, /virtual time stopped at 5\.25 ms: over 1,000,000 tasks ran at that instant .*"spinner"/);
      return true;
    });
    assert.equal(runs, MAX_RUNS_AT_ONE_INSTANT + 1);
    // The dropped task broke the loop: time moves on to the next timer.
    assert.equal(clock.runUntilCondition(() => later, 1000), true);
    assert.equal(clock.now(), 15.25);
  });

  it('runs a large burst at one instant without calling it a stall', () => {
    const clock = new Clock(1);
    let runs = 0;
    for (let i = 0; i < 200_000; i++) clock.schedule(3, () => runs++);
    clock.advance(3);
    assert.equal(runs, 200_000);
  });

  it('runUntil advances time even with nothing due', () => {
    const clock = new Clock(1);
    let ran = false;
    clock.schedule(100, () => (ran = true));
    assert.equal(clock.runUntil(50), 0);
    assert.equal(clock.now(), 50);
    assert.equal(ran, false);
    clock.advance(50);
    assert.equal(ran, true);
  });

  it('prints API timestamps from the fixed epoch', () => {
    const clock = new Clock(1);
    clock.runUntil(61_500);
    assert.equal(clock.iso(), '2026-01-01T00:01:01Z');
    assert.equal(clock.isoMicro(), '2026-01-01T00:01:01.500000Z');
    // Other instants in between (the last formatted second is remembered, never confused).
    assert.equal(clock.iso(0), '2026-01-01T00:00:00Z');
    assert.equal(clock.iso(61_999), '2026-01-01T00:01:01Z');
    assert.equal(clock.iso(62_000), '2026-01-01T00:01:02Z');
    assert.equal(clock.iso(-1), '2025-12-31T23:59:59Z');
    clock.runUntil(62_000);
    assert.equal(clock.iso(), '2026-01-01T00:01:02Z');
  });

  it('prints MicroTime like Date does at every instant, the formatted second reused or not', () => {
    const clock = new Clock(3, Date.UTC(2031, 6, 4, 12, 30, 15, 250));
    const expected = (ms: number) => new Date(clock.epochMs + ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const instants = [0, 0.4, 1, 9, 10, 99, 100, 749, 750, 750.9, 999, 1000, 61_500, 86_399_999, 86_400_000];
    for (let i = 0; i < 2000; i++) instants.push(clock.rng.next() * 90_000_000);
    for (const ms of [...instants, ...instants.reverse()]) assert.equal(clock.isoMicro(ms), expected(ms), `at ${ms} ms`);
  });

  it('prints timestamps from another epoch when given one, and the same random numbers', () => {
    const epochMs = Date.UTC(2031, 6, 4, 12, 30, 15);
    const clock = new Clock(1, epochMs);
    assert.equal(clock.epochMs, epochMs);
    assert.equal(new Clock(1).epochMs, EPOCH_MS);
    clock.runUntil(61_500);
    assert.equal(clock.iso(), '2031-07-04T12:31:16Z');
    assert.equal(clock.isoMicro(), '2031-07-04T12:31:16.500000Z');
    assert.equal(clock.wallMs(), epochMs + 61_500);
    assert.equal(clock.wallMs(1000), epochMs + 1000);
    assert.equal(clock.epochNanos(), BigInt(epochMs + 61_500) * 1_000_000n);
    // The epoch changes only how time prints: the random numbers stay those of the seed.
    assert.equal(clock.rng.uuid(), new Clock(1).rng.uuid());
    assert.throws(() => new Clock(1, Number.NaN), /bad epoch/);
  });

  it('the same seed gives the same numbers, another seed others', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return [rng.nextUint32(), rng.int(1000), rng.suffix(), rng.uuid()];
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
    const rng = new Rng(7);
    for (let i = 0; i < 1000; i++) {
      const x = rng.next();
      assert.ok(x >= 0 && x < 1);
    }
  });
  it('runs timers in (time, scheduling order), whatever the mix of delays, ties, cancellations and timers added while running', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean(), fc.integer({ min: 0, max: 3 })), { maxLength: 400 }), (plan) => {
        const clock = new Clock(1);
        const ran: { at: number; order: number }[] = [];
        const expected: { at: number; order: number }[] = [];
        let order = 0;
        const add = (delay: number, children: number, cancel: boolean): void => {
          const me = { at: clock.now() + delay, order: order++ };
          const id = clock.schedule(delay, () => {
            ran.push(me);
            // Timers scheduled while running go after everything already due at the same time.
            for (let c = 0; c < children; c++) add(c, 0, false);
          });
          if (cancel) clock.cancel(id);
          else expected.push(me);
        };
        for (const [delay, cancel, children] of plan) add(delay, children, cancel);
        clock.runUntilIdle();
        const sorted = [...ran].sort((a, b) => a.at - b.at || a.order - b.order);
        assert.deepEqual(ran, sorted);
        assert.deepEqual([...ran].sort((a, b) => a.order - b.order), expected.sort((a, b) => a.order - b.order));
        assert.equal(clock.pending(), 0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('sim/clock epochNanos', () => {
  it('is an integer count of nanoseconds even when virtual time has a fraction', () => {
    const clock = new Clock(1);
    clock.runUntil(1.5);
    assert.equal(clock.epochNanos(), BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n + 1_500_000n);
    clock.runUntil(2.0000004);
    assert.equal(typeof clock.epochNanos(), 'bigint');
  });

});
