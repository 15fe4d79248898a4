import { strict as assert } from 'node:assert';
import { Clock } from '../../../../src/sim/clock';
import { DeadlineEntry, DeadlineQueue } from '../../../../src/sim/client/deadlines';

describe('sim/client/deadlines', () => {
  it('fires only the deadlines not settled, each at its time, with one timer', () => {
    const clock = new Clock(1);
    const q = new DeadlineQueue(clock, 1000, 'test');
    const fired: string[] = [];
    const a = q.add(() => fired.push('a'));
    clock.advance(100);
    q.add(() => fired.push('b'));
    assert.equal(a.settle(), true);
    assert.equal(a.settle(), false, 'settling twice');
    assert.equal(clock.pending(), 1);
    clock.advance(950);
    assert.deepEqual(fired, []);
    clock.advance(100);
    assert.deepEqual(fired, ['b']);
    assert.equal(q.size, 0);
    assert.equal(clock.pending(), 0);
  });

  it('forgets settled deadlines long before they would expire, and still fires the rest on time', () => {
    const clock = new Clock(1);
    const q = new DeadlineQueue(clock, 60_000, 'test');
    const fired: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const d = q.add(() => fired.push(i));
      if (i % 100 !== 0) assert.equal(d.settle(), true);
      clock.advance(1);
    }
    assert.equal(q.size, 100);
    const kept = (q as unknown as { items: unknown[] }).items.length;
    assert.ok(kept < 2500, `settled deadlines are dropped (${kept} kept of 10,000)`);
    clock.advance(60_000);
    assert.deepEqual(fired, Array.from({ length: 100 }, (_, k) => k * 100));
  });

  it('keeps order and times when an expiring deadline adds many more (settled ones dropped meanwhile)', () => {
    const clock = new Clock(1);
    const q = new DeadlineQueue(clock, 1000, 'test');
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    q.add(at('a'));
    q.add(() => {
      fired.push(`b@${clock.now()}`);
      // 3,000 more, all but two settled at once: enough to drop settled deadlines during this firing.
      for (let i = 0; i < 3000; i++) {
        const d = q.add(at(`n${i}`));
        if (i !== 0 && i !== 2999) d.settle();
      }
    });
    q.add(at('c'));
    clock.advance(1000);
    assert.deepEqual(fired, ['a@1000', 'b@1000', 'c@1000']);
    assert.equal(q.size, 2);
    clock.advance(1000);
    assert.deepEqual(fired.slice(3), ['n0@2000', 'n2999@2000']);
    assert.equal(q.size, 0);
    assert.equal(clock.pending(), 0);
  });

  it('expires an entry object unless settled, and lets go of it as soon as it is settled', () => {
    const clock = new Clock(1);
    const q = new DeadlineQueue(clock, 1000, 'test');
    const expired: string[] = [];
    class Req extends DeadlineEntry {
      constructor(readonly name: string) {
        super();
      }
      expire(): void {
        expired.push(`${this.name}@${clock.now()}`);
      }
    }
    const a = q.addEntry(new Req('a'));
    const b = q.addEntry(new Req('b'));
    assert.equal(a.pending, true);
    assert.equal(a.settle(), true);
    assert.equal(a.pending, false);
    assert.equal(a.settle(), false, 'settling twice');
    const items = (q as unknown as { items: unknown[] }).items;
    assert.ok(!items.includes(a), 'a settled entry is not held by the queue');
    clock.advance(1000);
    assert.deepEqual(expired, ['b@1000']);
    assert.equal(b.pending, false);
    assert.equal(b.settle(), false, 'settling after expiry');
    assert.equal(q.size, 0);
  });

  it('fires among timers due at the same time in the order timers set when it armed would', () => {
    const clock = new Clock(1);
    const q = new DeadlineQueue(clock, 1000, 'test');
    const order: string[] = [];
    clock.schedule(1000, () => order.push('timer before'));
    q.add(() => order.push('deadline'));
    clock.schedule(1000, () => order.push('timer after'));
    // A later deadline is due at 1500: the queue arms for it when it fires at 1000, so it runs after a
    // timer for 1500 set at 500.
    clock.advance(500);
    q.add(() => order.push('second deadline'));
    clock.schedule(1000, () => order.push('timer at 1500, set at 500'));
    clock.advance(1000);
    assert.deepEqual(order, ['timer before', 'deadline', 'timer after', 'timer at 1500, set at 500', 'second deadline']);
    assert.equal(clock.pending(), 0);
  });
});
