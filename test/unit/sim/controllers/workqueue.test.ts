import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import { WorkQueue, type ReconcileResult } from '../../../../src/sim/controllers/workqueue/workqueue';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter } from '../../../../src/sim/controllers/workqueue/ratelimiter';
import { Expectations, EXPECTATIONS_TIMEOUT_MS } from '../../../../src/sim/controllers/expectations';
import { slowStartBatch } from '../../../../src/sim/controllers/batch';

describe('work queue', () => {
  it('exponential failure backoff: 5 ms doubling to the 1000 s cap; forget resets', () => {
    const l = new ItemExponentialFailureRateLimiter(5, 1000_000);
    const waits = Array.from({ length: 20 }, () => l.when('k'));
    assert.deepEqual(waits.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(waits[19], 1000_000);
    assert.equal(l.numRequeues('k'), 20);
    l.forget('k');
    assert.equal(l.when('k'), 5);
  });

  it('bucket limiter: a burst of 100, then 10 per second', () => {
    const clock = new Clock(1);
    const b = new BucketRateLimiter(clock, 10, 100);
    for (let i = 0; i < 100; i++) assert.equal(b.when(), 0);
    assert.equal(Math.round(b.when()), 100);
    assert.equal(Math.round(b.when()), 200);
    clock.advance(10_000);
    assert.equal(b.when(), 0);
  });

  it('hands a key to one worker at a time, dedupes adds, and re-queues a key added while it was processing', () => {
    const clock = new Clock(1);
    const q = new WorkQueue(clock, 'test', defaultControllerRateLimiter(clock));
    const log: string[] = [];
    const pending: (() => void)[] = [];
    q.run(2, (key, _ctx, finish) => {
      log.push(key);
      pending.push(() => finish());
    });
    q.add('a');
    q.add('a');
    q.add('b');
    clock.runUntilIdle();
    assert.deepEqual(log, ['a', 'b']);
    q.add('a'); // while 'a' is processing
    clock.runUntilIdle();
    assert.deepEqual(log, ['a', 'b'], 'not handed out twice concurrently');
    pending.shift()!();
    clock.runUntilIdle();
    assert.deepEqual(log, ['a', 'b', 'a'], 'processed again after done');
  });

  it('requeues failures with growing backoff and delayed adds at their time', () => {
    const clock = new Clock(1);
    const q = new WorkQueue(clock, 'test', defaultControllerRateLimiter(clock));
    const times: number[] = [];
    q.run(1, (_key, _ctx, finish) => {
      times.push(clock.now());
      finish(times.length < 4 ? { error: 'boom' } : undefined as ReconcileResult);
    });
    q.add('k');
    clock.runUntilIdle();
    assert.deepEqual(times.map((t, i) => (i ? t - times[i - 1] : 0)), [0, 5, 10, 20]);
    assert.equal(q.numRequeues('k'), 0, 'forgotten after success');
    q.addAfter('k', 1000);
    q.addAfter('k', 3000);
    clock.runUntilIdle();
    assert.equal(times.length, 5);
    assert.equal(times[4] - times[3], 1000);
    assert.ok(q.idle());
  });

  it('shutDown drops queued work and ignores late completions', () => {
    const clock = new Clock(1);
    const q = new WorkQueue(clock, 'test', defaultControllerRateLimiter(clock));
    let finishLater: (() => void) | undefined;
    let runs = 0;
    q.run(1, (_k, _c, finish) => {
      runs++;
      finishLater = () => finish({ error: 'x' });
    });
    q.add('a');
    clock.runUntilIdle();
    q.shutDown();
    finishLater!();
    clock.runUntilIdle();
    assert.equal(runs, 1);
  });
});

describe('expectations and slow start', () => {
  it('is satisfied once every expected creation is observed, or after the timeout', () => {
    const clock = new Clock(1);
    const e = new Expectations(clock);
    assert.ok(e.satisfied('rs'));
    e.expectCreations('rs', 2);
    assert.ok(!e.satisfied('rs'));
    e.creationObserved('rs');
    assert.ok(!e.satisfied('rs'));
    e.creationObserved('rs');
    assert.ok(e.satisfied('rs'));
    e.expectDeletions('rs', ['ns/a', 'ns/b']);
    e.deletionObserved('rs', 'ns/a');
    e.deletionObserved('rs', 'ns/a');
    assert.ok(!e.satisfied('rs'), 'the same deletion counts once');
    clock.advance(EXPECTATIONS_TIMEOUT_MS + 1);
    assert.ok(e.satisfied('rs'), 'expired');
  });

  it('slowStartBatch runs batches of 1, 2, 4 ... and stops after a failing batch', () => {
    const batches: number[][] = [];
    let done = -1;
    slowStartBatch(10, 1, (i, cb) => {
      const b = batches.at(-1);
      if (!b || b.length === 0 || (batches.length && b.length === 2 ** (batches.length - 1))) batches.push([i]);
      else b.push(i);
      cb(true);
    }, (n) => (done = n));
    assert.equal(done, 10);
    assert.deepEqual(batches.map((b) => b.length), [1, 2, 4, 3]);
    let calls = 0;
    slowStartBatch(10, 1, (i, cb) => {
      calls++;
      cb(i !== 2);
    }, (n) => (done = n));
    assert.equal(calls, 3, 'the batch of 2 fails: nothing more is tried');
    assert.equal(done, 2);
  });
});
