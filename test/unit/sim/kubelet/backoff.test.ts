import { strict as assert } from 'node:assert';
import { Backoff } from '../../../../src/sim/kubelet/backoff';

describe('kubelet back-off', () => {
  it('doubles from the initial duration up to the maximum', () => {
    const b = new Backoff(10_000, 300_000);
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) {
      b.next('k', i, i);
      seen.push(b.get('k'));
    }
    assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('is over at exactly eventTime + backoff, even when that fractional sum rounds down', () => {
    // 40906.212027727895 + 40000 rounds to a double whose difference from the event time is 39999.99999999999:
    // a waiter woken at the deadline must not find itself still in back-off (it would wait again for 0 ms, forever).
    const eventTime = 40906.212027727895;
    assert.ok(eventTime + 40_000 - eventTime < 40_000, 'the rounding this test is about');
    const b = new Backoff(10_000, 300_000);
    b.next('k', 0, 0);
    b.next('k', 0, 1);
    b.next('k', 0, eventTime);
    assert.equal(b.get('k'), 40_000);
    const deadline = eventTime + b.get('k');
    assert.equal(b.isInBackOffSince('k', eventTime, deadline), false);
    assert.equal(b.isInBackOffSince('k', eventTime, deadline - 1), true);
    assert.equal(b.isInBackOffSinceUpdate('k', b.endsAt('k')!), false);
    assert.equal(b.isInBackOffSinceUpdate('k', b.endsAt('k')! - 1), true);
  });
});
