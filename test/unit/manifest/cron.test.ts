import { strict as assert } from 'node:assert';
import { cronScheduleError, loadZone, parseStandard } from '../../../src/manifest';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** The next `n` activations after `from`. */
function nexts(spec: string, from: string, n = 3, tz?: string): (string | undefined)[] {
  const sched = parseStandard(spec, tz ? loadZone(tz) : undefined);
  const out: (string | undefined)[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < n && t !== undefined; i++) out.push(iso((t = sched.next(t))));
  return out;
}

describe('manifest: cron schedules (robfig/cron ParseStandard semantics)', () => {
  // 2026-01-01 is a Thursday.
  const cases: [string, string, string[]][] = [
    ['*/1 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:01:00Z', '2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z']],
    ['* * * * *', '2026-01-01T00:00:30.500Z', ['2026-01-01T00:01:00Z', '2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z']],
    ['*/15 * * * *', '2026-01-01T00:07:00Z', ['2026-01-01T00:15:00Z', '2026-01-01T00:30:00Z', '2026-01-01T00:45:00Z']],
    ['5/20 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:05:00Z', '2026-01-01T00:25:00Z', '2026-01-01T00:45:00Z']],
    ['10-12 3 * * *', '2026-01-01T00:00:00Z', ['2026-01-01T03:10:00Z', '2026-01-01T03:11:00Z', '2026-01-01T03:12:00Z']],
    ['0 9,17 * * *', '2026-01-01T10:00:00Z', ['2026-01-01T17:00:00Z', '2026-01-02T09:00:00Z', '2026-01-02T17:00:00Z']],
    ['0 0 * * MON-FRI', '2026-01-01T12:00:00Z', ['2026-01-02T00:00:00Z', '2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z']],
    ['0 0 1 JAN,jul *', '2026-01-01T12:00:00Z', ['2026-07-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-07-01T00:00:00Z']],
    // Day of month and day of week both restricted: either matches (the 13th, or a Friday).
    ['0 0 13 * 5', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z', '2026-01-13T00:00:00Z']],
    // One of them a star: both must match (every Friday).
    ['0 0 * * 5', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z', '2026-01-16T00:00:00Z']],
    ['0 0 ? * 5', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z', '2026-01-16T00:00:00Z']],
    // */2 in day of month is no longer a star: OR with Sunday.
    ['0 0 */10 * 0', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z', '2026-01-18T00:00:00Z']],
    ['0 0 29 2 *', '2026-01-01T00:00:00Z', ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z', '2036-02-29T00:00:00Z']],
    ['@hourly', '2026-01-01T00:30:00Z', ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z']],
    ['@daily', '2026-01-01T00:30:00Z', ['2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z']],
    ['@midnight', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z']],
    ['@weekly', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z', '2026-01-18T00:00:00Z']],
    ['@monthly', '2026-01-01T00:00:00Z', ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z']],
    ['@yearly', '2026-01-01T00:00:00Z', ['2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z', '2029-01-01T00:00:00Z']],
    ['@annually', '2026-06-01T00:00:00Z', ['2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z', '2029-01-01T00:00:00Z']],
    ['@every 90s', '2026-01-01T00:00:00.250Z', ['2026-01-01T00:01:30Z', '2026-01-01T00:03:00Z', '2026-01-01T00:04:30Z']],
    ['TZ=Asia/Tokyo 0 9 * * *', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z']],
  ];
  for (const [spec, from, expected] of cases) {
    it(`${spec} after ${from}`, () => {
      assert.deepEqual(nexts(spec, from), expected.filter((e) => e !== undefined));
    });
  }

  it('a time zone: 09:00 in New York is 14:00 UTC in winter and 13:00 in summer', () => {
    assert.deepEqual(nexts('0 9 * * *', '2026-01-01T00:00:00Z', 1, 'America/New_York'), ['2026-01-01T14:00:00Z']);
    assert.deepEqual(nexts('0 9 * * *', '2026-07-01T00:00:00Z', 1, 'America/New_York'), ['2026-07-01T13:00:00Z']);
    assert.deepEqual(nexts('30 0 * * *', '2026-01-01T00:00:00Z', 1, 'Etc/GMT-2'), ['2026-01-01T22:30:00Z']);
  });

  it('an impossible date has no next time (robfig searches five years)', () => {
    assert.equal(parseStandard('0 0 30 2 *').next(at('2026-01-01T00:00:00Z')), undefined);
  });

  it("refuses bad schedules with robfig's messages", () => {
    const errors: [string, string][] = [
      ['error', 'expected exactly 5 fields, found 1: [error]'],
      ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
      ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
      ['60 * * * *', 'end of range (60) above maximum (59): 60'],
      ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
      ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
      ['* * * 13 *', 'end of range (13) above maximum (12): 13'],
      ['* * * * 7', 'end of range (7) above maximum (6): 7'],
      ['5-2 * * * *', 'beginning of range (5) beyond end of range (2): 5-2'],
      ['*/0 * * * *', 'step of range should be a positive number: */0'],
      ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
      ['*/2/3 * * * *', 'too many slashes: */2/3'],
      ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
      ['* * * * MONDAY', 'failed to parse int from MONDAY: strconv.Atoi: parsing "MONDAY": invalid syntax'],
      ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
      ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
      ['TZ=Mars/Olympus * * * * *', 'provided bad location Mars/Olympus: unknown time zone Mars/Olympus'],
    ];
    for (const [spec, msg] of errors) assert.equal(cronScheduleError(spec), msg, spec);
    assert.equal(cronScheduleError('*/5 1-3,7 * JAN-MAR sun'), undefined);
  });
});
