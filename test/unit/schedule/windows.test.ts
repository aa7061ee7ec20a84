/**
 * Several windows in one schedule (`Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin`): how they
 * read, how a bad one is named, and how they evaluate (on inside any window, merged where they meet).
 */
import { describe, expect, it } from '@jest/globals';
import {
  formatSchedule,
  parseHolidays,
  parseSchedule,
  scheduleStateAt,
  ScheduleError,
  type ScheduleState,
} from '../../../shared/schedule';

const none = parseHolidays([]);
const iso = (d: Date | undefined) => d?.toISOString().replace('.000Z', 'Z');
const brief = (st: ScheduleState) => ({ on: st.on, since: iso(st.since), until: iso(st.until) });
const at = (text: string, when: string, holidays = none) =>
  brief(scheduleStateAt(parseSchedule(text), holidays, new Date(when)));
const SHORT_FRIDAY = 'Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin';

function refusal(text: string): string {
  try {
    parseSchedule(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ScheduleError);
    return (e as Error).message;
  }
  throw new Error(`${text} was accepted`);
}

describe('parseSchedule with several windows', () => {
  it('reads each window with its days and hours, and the one zone at the end', () => {
    const s = parseSchedule(` ${SHORT_FRIDAY} `);
    expect(s.text).toBe(SHORT_FRIDAY);
    expect(s.zone).toBe('Europe/Berlin');
    expect(
      s.windows.map((w) => ({ days: [...w.days].sort(), from: w.startMinute, to: w.endMinute })),
    ).toEqual([
      { days: [1, 2, 3, 4], from: 8 * 60, to: 18 * 60 + 30 },
      { days: [5], from: 8 * 60, to: 15 * 60 },
    ]);
  });

  it.each([
    [SHORT_FRIDAY, 'Mon,Tue,Wed,Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin'],
    // A comma inside a day list follows a day name, so it never splits the windows.
    ['Mon,Wed 08:00-12:00,Fri-Sat 10:00-11:00 UTC', 'Mon,Wed 08:00-12:00, Fri,Sat 10:00-11:00 UTC'],
    [
      'daily 22:00-06:00 , Sun 10:00-24:00 Asia/Tokyo',
      'Mon,Tue,Wed,Thu,Fri,Sat,Sun 22:00-06:00, Sun 10:00-24:00 Asia/Tokyo',
    ],
  ])('reads %j', (text, canonical) => {
    expect(formatSchedule(parseSchedule(text))).toBe(canonical);
  });

  it.each([
    [
      'Mon-Thu 08:00-18:30, Fri 08:00-15:0 Europe/Berlin',
      'window 2 of 2 ("Fri 08:00-15:0 Europe/Berlin"): "15:0" is not a time HH:MM',
    ],
    [
      'Mon-Thu 08:00-18:30, Fyi 08:00-15:00 Europe/Berlin',
      'window 2 of 2 ("Fyi 08:00-15:00 Europe/Berlin"): "Fyi" is not a day name',
    ],
    [
      'Mon-Thu 08:00-08:00, Fri 08:00-15:00 UTC',
      'window 1 of 2 ("Mon-Thu 08:00-08:00"): the window "08:00-08:00" is empty',
    ],
    [
      'Mon-Thu 08:00-18:30 UTC, Fri 08:00-15:00 UTC',
      // The comma follows a zone, not a time: one window with six parts.
      'found 6 part(s) separated by spaces instead of 3 (several windows: a comma after each time range, one zone at the end)',
    ],
    [
      'Mon-Thu 08:00-18:30, Fri 08:00-15:00',
      'window 2 of 2 ("Fri 08:00-15:00") has 2 part(s) separated by spaces instead of 3: "DAYS HH:MM-HH:MM ZONE"',
    ],
    [
      'Mon-Thu 08:00-18:30, Fri 08:00-12:00 13:00-15:00, Sat 10:00-11:00 UTC',
      'window 2 of 3 ("Fri 08:00-12:00 13:00-15:00") has 3 part(s) separated by spaces instead of 2',
    ],
    ['Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlinn', '"Europe/Berlinn" is not an IANA time zone'],
  ])('refuses %j, naming the window and what was expected', (text, detail) => {
    const message = refusal(text);
    expect(message).toContain(JSON.stringify(text));
    expect(message).toContain(detail);
    expect(message).toContain('"Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin"');
  });
});

describe('scheduleStateAt with several windows', () => {
  it('turns off at 15:00 on a Friday and back on Monday 08:00 (Berlin, winter)', () => {
    // Friday 2026-11-27 12:00 Berlin = 11:00Z.
    expect(at(SHORT_FRIDAY, '2026-11-27T11:00:00Z')).toEqual({
      on: true,
      since: '2026-11-27T07:00:00Z',
      until: '2026-11-27T14:00:00Z',
    });
    expect(at(SHORT_FRIDAY, '2026-11-27T16:00:00Z')).toEqual({
      on: false,
      since: '2026-11-27T14:00:00Z',
      until: '2026-11-30T07:00:00Z',
    });
    // Thursday keeps the long day.
    expect(at(SHORT_FRIDAY, '2026-11-26T16:00:00Z').until).toBe('2026-11-26T17:30:00Z');
  });

  it('merges windows that touch or overlap into one on-period (no transition between them)', () => {
    const touching = 'Mon-Fri 08:00-12:00, Mon-Fri 12:00-18:00 UTC';
    expect(at(touching, '2026-11-23T10:00:00Z')).toEqual({
      on: true,
      since: '2026-11-23T08:00:00Z',
      until: '2026-11-23T18:00:00Z',
    });
    const overlapping = 'Mon 08:00-12:00, Mon 11:00-14:00, Mon 09:00-10:00 UTC';
    expect(at(overlapping, '2026-11-23T13:00:00Z')).toEqual({
      on: true,
      since: '2026-11-23T08:00:00Z',
      until: '2026-11-23T14:00:00Z',
    });
    // An overnight window that runs into the next day's window is one period too.
    const night = 'Sun 20:00-08:00, Mon 08:00-18:00 UTC';
    expect(at(night, '2026-11-23T07:00:00Z')).toEqual({
      on: true,
      since: '2026-11-22T20:00:00Z',
      until: '2026-11-23T18:00:00Z',
    });
  });

  it('has a transition at each window edge when windows are apart (a lunch break)', () => {
    const lunch = 'Mon-Fri 08:00-12:00, Mon-Fri 13:00-17:00 America/New_York';
    // Monday 2026-11-23 12:30 New York (EST) = 17:30Z.
    expect(at(lunch, '2026-11-23T17:30:00Z')).toEqual({
      on: false,
      since: '2026-11-23T17:00:00Z',
      until: '2026-11-23T18:00:00Z',
    });
  });

  it('starts no window on a holiday', () => {
    const xmas = parseHolidays(['2026-12-25']);
    // Friday 25 December: off from Thursday 18:30 to Monday 08:00.
    expect(at(SHORT_FRIDAY, '2026-12-25T09:00:00Z', xmas)).toEqual({
      on: false,
      since: '2026-12-24T17:30:00Z',
      until: '2026-12-28T07:00:00Z',
    });
  });
});
