import { strict as assert } from 'node:assert';
import { SliceWriteTracker } from '../../../../src/sim/controllers/endpointslice/slice-tracker';

describe('EndpointSlice controller: its own writes (SliceWriteTracker)', () => {
  const svc = 'default/web';
  const cached = (keys: string[]) => (k: string) => keys.includes(k);

  it('holds a Service back until the cache shows the version its write produced, or a later one', () => {
    const t = new SliceWriteTracker(10_000);
    assert.ok(t.caughtUp(svc, 0, cached([])), 'nothing written: caught up');
    t.wrote(svc, 'default/web-abcde', 42, 100);
    assert.ok(!t.caughtUp(svc, 150, cached([])), 'the created slice is not in the cache yet');
    t.observe('default/web-abcde', 41);
    assert.ok(!t.caughtUp(svc, 160, cached(['default/web-abcde'])), 'an older version is not enough');
    t.observe('default/web-abcde', 43);
    assert.ok(t.caughtUp(svc, 170, cached(['default/web-abcde'])), 'a later version (someone else\'s edit) counts');
    assert.ok(t.caughtUp(svc, 171, cached(['default/web-abcde'])), 'and the write is forgotten');
  });

  it('waits for a deletion until the cache no longer has the slice', () => {
    const t = new SliceWriteTracker(10_000);
    t.observe('default/web-old', 7);
    t.wrote(svc, 'default/web-old', 0, 0);
    assert.ok(!t.caughtUp(svc, 10, cached(['default/web-old'])));
    t.observeDeleted('default/web-old', svc);
    assert.ok(t.caughtUp(svc, 20, cached([])));
  });

  it('gives up on a write the cache never showed (superseded unseen), and only for that Service', () => {
    const t = new SliceWriteTracker(10_000);
    t.wrote(svc, 'default/web-x', 5, 0);
    t.wrote('default/db', 'default/db-y', 6, 0);
    assert.ok(!t.caughtUp(svc, 9_999, cached([])));
    assert.ok(t.caughtUp(svc, 10_000, cached([])));
    t.forget('default/db');
    assert.ok(t.caughtUp('default/db', 0, cached([])), 'a forgotten Service holds nothing back');
  });
});
