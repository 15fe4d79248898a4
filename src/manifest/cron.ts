/**
 * Cron schedules as upstream's CronJobs read them: github.com/robfig/cron/v3's ParseStandard (5 fields: minute,
 * hour, day of month, month, day of week; or a descriptor: @yearly @annually @monthly @weekly @daily @midnight
 * @hourly, @every <duration>; an optional TZ=/CRON_TZ= prefix), with its error messages, and its Next().
 *
 * Written here rather than taken from npm: the lab needs robfig's exact semantics — the day-of-month/day-of-week
 * rule (OR when both are restricted, AND when either is `*` or `?`, where `*\/2` no longer counts as a star),
 * `?` as a star, 3-letter names only, day of week 0-6 (7 refused), `N/step` meaning `N-max/step`, no time found
 * within 5 years for impossible dates (Feb 30), and its words in the API server's 422 — and a pure function of a
 * time passed in (no timers, no Date.now), for the simulation's virtual clock.
 *
 * Times are epoch milliseconds. Time zones come from the runtime's IANA database through Intl (ECMA-402, pure);
 * daylight-saving transitions are approximated: a wall time in a spring-forward gap runs at the instant the
 * offset before the gap gives, and a repeated wall time after a fall-back runs once.
 */

export interface CronSchedule {
  /** The first activation strictly after `ms`, or undefined when there is none within five years (robfig's zero time). */
  next(ms: number): number | undefined;
}

export class CronSyntaxError extends Error {}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1, max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** One field: which values match, and whether it was written as a star (robfig's starBit). */
interface Field {
  bits: boolean[];
  star: boolean;
}

/** Go's strconv.Atoi, with robfig's mustParseInt wording around it. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronSyntaxError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const num = Number(expr);
  if (!Number.isSafeInteger(num) || Math.abs(num) > 2 ** 63) {
    throw new CronSyntaxError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  }
  if (num < 0) throw new CronSyntaxError(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

function parseIntOrName(expr: string, names: Record<string, number> | undefined): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : mustParseInt(expr);
}

function getRange(expr: string, r: Bounds, into: Field): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = r.min;
    end = r.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0], r.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], r.names);
    else throw new CronSyntaxError(`too many hyphens: ${expr}`);
  }
  let step: number;
  if (rangeAndStep.length === 1) step = 1;
  else if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    if (singleDigit) end = r.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else throw new CronSyntaxError(`too many slashes: ${expr}`);
  if (start < r.min) throw new CronSyntaxError(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new CronSyntaxError(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new CronSyntaxError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronSyntaxError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.bits[v] = true;
  if (star) into.star = true;
}

function getField(text: string, r: Bounds): Field {
  const field: Field = { bits: [], star: false };
  for (const expr of text.split(',')) getRange(expr, r, field);
  return field;
}

function all(r: Bounds): Field {
  const bits: boolean[] = [];
  for (let v = r.min; v <= r.max; v++) bits[v] = true;
  return { bits, star: true };
}

function only(v: number): Field {
  const bits: boolean[] = [];
  bits[v] = true;
  return { bits, star: false };
}

// ------------------------------------------------------------------ time zones

/** Converts between instants and wall-clock times of one zone (wall times as epoch ms of the same fields in UTC). */
export interface Zone {
  readonly name: string;
  /** Wall-clock time minus UTC at `utcMs`, in ms. */
  offset(utcMs: number): number;
}

const UTC_ZONE: Zone = { name: 'UTC', offset: () => 0 };
const zones = new Map<string, Zone | null>();

/**
 * The zone named `name` (Go's time.LoadLocation: "" and "UTC" are UTC), or undefined when the runtime's database
 * does not know it. "Local" is refused: the lab's controller-manager has no local zone of its own.
 */
export function loadZone(name: string): Zone | undefined {
  if (name === '' || name === 'UTC') return UTC_ZONE;
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = null;
    if (name !== 'Local' && /^[A-Za-z0-9._+\-/]+$/.test(name)) {
      try {
        const fmt = new Intl.DateTimeFormat('en-US', {
          timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
        });
        const z: Zone = {
          name,
          offset(utcMs: number): number {
            const p: Record<string, number> = {};
            for (const part of fmt.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
            const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
            return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
          },
        };
        zone = z;
      } catch {
        zone = null;
      }
    }
    zones.set(name, zone);
  }
  return zone ?? undefined;
}

function toWall(zone: Zone, utcMs: number): number {
  return utcMs + zone.offset(utcMs);
}

function fromWall(zone: Zone, wall: number): number {
  if (zone === UTC_ZONE) return wall;
  const o1 = zone.offset(wall);
  const guess = wall - o1;
  const o2 = zone.offset(guess);
  return o2 === o1 ? guess : wall - o2;
}

// ------------------------------------------------------------------ schedules

class SpecSchedule implements CronSchedule {
  constructor(
    private readonly minute: Field,
    private readonly hour: Field,
    private readonly dom: Field,
    private readonly month: Field,
    private readonly dow: Field,
    private readonly zone: Zone,
  ) {}

  /** robfig's dayMatches: both restricted → either matches; else both must. */
  private dayMatches(d: Date): boolean {
    const domMatch = this.dom.bits[d.getUTCDate()] === true;
    const dowMatch = this.dow.bits[d.getUTCDay()] === true;
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  next(ms: number): number | undefined {
    // Search wall-clock times of the zone; seconds are always 0 in the standard format.
    let from = ms;
    for (let guard = 0; guard < 4; guard++) {
      const wall = this.nextWall(Math.floor(toWall(this.zone, from) / 60_000) * 60_000 + 60_000);
      if (wall === undefined) return undefined;
      const at = fromWall(this.zone, wall);
      if (at > ms) return at;
      from = at + 60_000; // a repeated hour: look past it
    }
    return undefined;
  }

  /** The first matching wall time at or after `start` (a whole minute), within five years. */
  private nextWall(start: number): number | undefined {
    const d = new Date(start);
    const yearLimit = d.getUTCFullYear() + 5;
    for (;;) {
      if (d.getUTCFullYear() > yearLimit) return undefined;
      if (!this.month.bits[d.getUTCMonth() + 1]) {
        d.setTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
        continue;
      }
      if (!this.dayMatches(d)) {
        d.setTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
        continue;
      }
      if (!this.hour.bits[d.getUTCHours()]) {
        d.setTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1));
        continue;
      }
      if (!this.minute.bits[d.getUTCMinutes()]) {
        d.setTime(d.getTime() + 60_000);
        continue;
      }
      return d.getTime();
    }
  }
}

/** @every: a constant delay (rounded down to whole seconds, at least one), from the previous activation. */
class ConstantDelaySchedule implements CronSchedule {
  constructor(private readonly delayMs: number) {}

  next(ms: number): number {
    return ms - (((ms % 1000) + 1000) % 1000) + this.delayMs;
  }
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in ms. */
export function parseGoDuration(text: string): number {
  const bad = () => new CronSyntaxError(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  while (s.length > 0) {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (num[1] === '' && !num[2]) throw bad();
    s = s.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') throw new CronSyntaxError(`time: missing unit in duration ${JSON.stringify(text)}`);
    const scale = GO_UNITS[unit];
    if (scale === undefined) throw new CronSyntaxError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    total += Number(`${num[1] || '0'}.${num[2] || '0'}`) * scale;
    s = s.slice(unit.length);
  }
  return sign * total;
}

function parseDescriptor(descriptor: string, zone: Zone): CronSchedule {
  const at = (minute: Field, hour: Field, dom: Field, month: Field, dow: Field) => new SpecSchedule(minute, hour, dom, month, dow, zone);
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return at(only(0), only(0), only(1), only(1), all(DOW));
    case '@monthly':
      return at(only(0), only(0), only(1), all(MONTHS), all(DOW));
    case '@weekly':
      return at(only(0), only(0), all(DOM), all(MONTHS), only(0));
    case '@daily':
    case '@midnight':
      return at(only(0), only(0), all(DOM), all(MONTHS), all(DOW));
    case '@hourly':
      return at(only(0), all(HOURS), all(DOM), all(MONTHS), all(DOW));
  }
  const every = '@every ';
  if (descriptor.startsWith(every)) {
    let ms: number;
    try {
      ms = parseGoDuration(descriptor.slice(every.length));
    } catch (e) {
      throw new CronSyntaxError(`failed to parse duration ${descriptor}: ${(e as Error).message}`);
    }
    ms = Math.max(1000, Math.floor(ms / 1000) * 1000);
    return new ConstantDelaySchedule(ms);
  }
  throw new CronSyntaxError(`unrecognized descriptor: ${descriptor}`);
}

/**
 * robfig/cron's ParseStandard: the schedule, or a CronSyntaxError with robfig's message. `zone` is the location
 * used without a TZ= prefix (upstream passes spec.timeZone as that prefix; default UTC, as a controller-manager in a
 * container runs).
 */
export function parseStandard(spec: string, zone: Zone = UTC_ZONE): CronSchedule {
  if (spec.length === 0) throw new CronSyntaxError('empty spec string');
  let rest = spec;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    const eq = rest.indexOf('=');
    const name = space < 0 ? rest.slice(eq + 1) : rest.slice(eq + 1, space);
    const loaded = loadZone(name);
    if (!loaded) throw new CronSyntaxError(`provided bad location ${name}: unknown time zone ${name}`);
    zone = loaded;
    rest = space < 0 ? '' : rest.slice(space).trim();
  }
  if (rest.startsWith('@')) return parseDescriptor(rest, zone);
  const fields = rest.split(/\s+/).filter((f) => f.length > 0);
  if (fields.length !== 5) throw new CronSyntaxError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return new SpecSchedule(getField(fields[0], MINUTES), getField(fields[1], HOURS), getField(fields[2], DOM), getField(fields[3], MONTHS), getField(fields[4], DOW), zone);
}

/** The parse error of a schedule (robfig's words), or undefined when it parses. */
export function cronScheduleError(spec: string): string | undefined {
  try {
    parseStandard(spec);
    return undefined;
  } catch (e) {
    if (e instanceof CronSyntaxError) return e.message;
    throw e;
  }
}
