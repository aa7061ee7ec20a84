/**
 * Properties of multi-window schedules around the daylight-saving switches of Berlin, New York and
 * Sydney, checked against a brute-force oracle that knows nothing of intervals: it reads each minute
 * on the local wall clock and asks whether any window (started on that local date, or the day before
 * for an overnight one) covers it.
 *
 * Window edges stay out of 01:00-02:55 local time, the hours in which these zones' clocks skip or
 * repeat: there a wall-clock time does not exist or happens twice and the schedule follows luxon's
 * documented rule (moved forward by the gap / the first occurrence), which a wall-clock oracle cannot
 * express; evaluate.test.ts pins those cases by example. Windows still span the switches freely.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  parseHolidays,
  parseSchedule,
  scheduleStateAt,
  type Holidays,
  type Schedule,
} from '../../../shared/schedule';

const MINUTE = 60_000;
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** Local dates of both 2026 switches in each zone. */
const SWITCHES: Record<string, string[]> = {
  'Europe/Berlin': ['2026-03-29', '2026-10-25'],
  'America/New_York': ['2026-03-08', '2026-11-01'],
  'Australia/Sydney': ['2026-04-05', '2026-10-04'],
};
/**
 * Beyond this, a weekly pattern with holidays only near the moment cannot change any more (one
 * working day a week, a holiday on it: two weeks off).
 */
const HORIZON_MINUTES = 15 * 24 * 60;
/**
 * Edges are whole multiples of 5 local minutes and these zones' offsets are whole hours, so the
 * state can only change on a 5-minute step of UTC: the oracle walks those, minute-exact.
 */
const STEP = 5 * MINUTE;

interface Window {
  days: number[];
  start: number;
  end: number;
}

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const edge = (min: number, max: number) =>
  fc
    .integer({ min: min / 5, max: max / 5 })
    .map((n) => n * 5)
    .filter((m) => m < 60 || m >= 180);
const windowArb: fc.Arbitrary<Window> = fc
  .record({
    days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    start: edge(0, 1435),
    end: edge(5, 1440),
  })
  .filter((w) => w.start !== w.end);

const text = (windows: Window[], zone: string) =>
  `${windows
    .map((w) => `${w.days.map((d) => DAY_NAMES[d - 1]).join(',')} ${hhmm(w.start)}-${hhmm(w.end)}`)
    .join(', ')} ${zone}`;

const caseArb = fc
  .record({
    zone: fc.constantFrom(...Object.keys(SWITCHES)),
    which: fc.nat(1),
    // Steps of 5 minutes from the switch date's local noon: five days either side.
    offset: fc.integer({ min: -5 * 24 * 12, max: 5 * 24 * 12 }),
    windows: fc.array(windowArb, { minLength: 1, maxLength: 4 }),
    holidayOffsets: fc.uniqueArray(fc.integer({ min: -3, max: 3 }), { maxLength: 2 }),
  })
  .map(({ zone, which, offset, windows, holidayOffsets }) => {
    const noon = DateTime.fromISO(`${SWITCHES[zone]![which]!}T12:00`, { zone });
    const at = noon.toMillis() + offset * STEP;
    const day = DateTime.fromMillis(at, { zone }).startOf('day');
    const holidays = holidayOffsets.map((d) => day.plus({ days: d }).toISODate()!);
    return { zone, at, windows, holidays };
  });

/**
 * The oracle: is the wall-clock minute at `t` inside any window? Only the zone's UTC offset comes
 * from luxon (memoised per UTC hour: these zones switch on the hour); the wall clock is plain
 * arithmetic on it.
 */
function oracle(windows: Window[], zone: string, holidays: ReadonlySet<string>) {
  const offsets = new Map<number, number>();
  const offsetAt = (t: number) => {
    const hour = Math.floor(t / 3_600_000);
    let offset = offsets.get(hour);
    if (offset === undefined) {
      offset = DateTime.fromMillis(hour * 3_600_000, { zone }).offset;
      offsets.set(hour, offset);
    }
    return offset;
  };
  const dayOf = (wall: Date) => ({
    weekday: ((wall.getUTCDay() + 6) % 7) + 1,
    works: !holidays.has(wall.toISOString().slice(0, 10)),
  });
  return (t: number): boolean => {
    const wall = new Date(t + offsetAt(t) * MINUTE);
    const m = wall.getUTCHours() * 60 + wall.getUTCMinutes();
    const today = dayOf(wall);
    const yesterday = dayOf(new Date(wall.getTime() - 86_400_000));
    return windows.some((w) => {
      const startsOn = (d: { weekday: number; works: boolean }) => d.works && w.days.includes(d.weekday);
      if (w.end > w.start) return startsOn(today) && w.start <= m && m < w.end;
      return (startsOn(today) && m >= w.start) || (startsOn(yesterday) && m < w.end);
    });
  };
}

/** The first moment, walking from `t` by `step`, whose state differs from t's; undefined if none. */
function firstChange(on: (t: number) => boolean, t: number, step: number): number | undefined {
  const here = on(t);
  for (let i = 1; i <= HORIZON_MINUTES / 5; i++) {
    const u = t + i * step;
    if (on(u) !== here) return u;
  }
  return undefined;
}

function setUp(c: { zone: string; windows: Window[]; holidays: string[] }) {
  const schedule: Schedule = parseSchedule(text(c.windows, c.zone));
  const holidays: Holidays = parseHolidays(c.holidays);
  return { schedule, holidays, on: oracle(c.windows, c.zone, holidays) };
}

describe('multi-window schedules across DST (Berlin, New York, Sydney)', () => {
  it('agree with a wall-clock oracle walked step by step: the state, the next and the last transition', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { schedule, holidays, on } = setUp(c);
        const state = scheduleStateAt(schedule, holidays, new Date(c.at));
        expect(state.on).toBe(on(c.at));
        // The next transition is the first minute the oracle changes.
        expect(state.until?.getTime()).toBe(firstChange(on, c.at, STEP));
        // The last one is the step after the last step that was different.
        const before = firstChange(on, c.at, -STEP);
        expect(state.since?.getTime()).toBe(before === undefined ? undefined : before + STEP);
      }),
      { numRuns: 60 },
    );
  });

  it('merge their windows into the union: on exactly when one of the windows alone is on', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }), (c, shift) => {
        const { schedule, holidays } = setUp(c);
        const at = new Date(c.at + shift * MINUTE);
        const alone = c.windows.map((w) => scheduleStateAt(parseSchedule(text([w], c.zone)), holidays, at));
        expect(scheduleStateAt(schedule, holidays, at).on).toBe(alone.some((s) => s.on));
      }),
      { numRuns: 60 },
    );
  });

  it('do not depend on the order the windows are written in', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { schedule, holidays } = setUp(c);
        const reversed = parseSchedule(text([...c.windows].reverse(), c.zone));
        const at = new Date(c.at);
        expect(scheduleStateAt(reversed, holidays, at)).toEqual(scheduleStateAt(schedule, holidays, at));
      }),
      { numRuns: 50 },
    );
  });
});
