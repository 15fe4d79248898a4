import { strict as assert } from 'node:assert';
import { EventLog, type LogEntry } from '../../../src/sim/log';

const entry = (summary: string) => ({ t: 0, traceId: 't1', from: 'a', to: 'b', kind: 'note' as const, summary });

describe('sim/log', () => {
  it('numbers entries it neither stores nor shows to anyone, and counts them', () => {
    const log = new EventLog({ store: false });
    assert.equal(log.append(entry('one')).seq, 1);
    assert.equal(log.append(entry('two')).seq, 2);
    assert.equal(log.size, 2);
    assert.deepEqual(log.all(), []);
  });

  it('takes a seq without an entry only while nobody records, numbering on as append would', () => {
    const log = new EventLog({ store: false });
    assert.equal(log.takeSeq(), 1);
    assert.equal(log.append(entry('two')).seq, 2);
    assert.equal(log.size, 2);
    const unsubscribe = log.subscribe(() => undefined);
    assert.throws(() => log.takeSeq(), /recorded/);
    unsubscribe();
    assert.equal(log.takeSeq(), 3);
    assert.throws(() => new EventLog().takeSeq(), /recorded/);
  });

  it('gives listeners and the store a copy that starts with seq, whoever else holds the literal', () => {
    const log = new EventLog({ store: false });
    const seen: LogEntry[] = [];
    log.subscribe((e) => seen.push(e));
    const literal = entry('one');
    const appended = log.append(literal);
    assert.equal(appended.seq, 1);
    assert.notEqual(appended, literal);
    assert.deepEqual(Object.keys(seen[0])[0], 'seq');
    const stored = new EventLog();
    stored.append(entry('x'));
    assert.equal(Object.keys(stored.all()[0])[0], 'seq');
  });
});
