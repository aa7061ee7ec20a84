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
const at =
  (text: string, holidays = none, when = '') =>
  (s: string): ScheduleState =>
    scheduleStateAt(parseSchedule(text), holidays, new Date(s || when));
const brief = (st: ScheduleState) => ({ on: st.on, since: iso(st.since), until: iso(st.until) });

describe('parseSchedule', () => {
  it('reads days, a time range and an IANA zone', () => {
    const s = parseSchedule('  Mon-Fri 08:00-18:30 Europe/Berlin ');
    expect([...s.windows[0]!.days].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(s.windows[0]!.startMinute).toBe(8 * 60);
    expect(s.windows[0]!.endMinute).toBe(18 * 60 + 30);
    expect(s.zone).toBe('Europe/Berlin');
    expect(s.text).toBe('Mon-Fri 08:00-18:30 Europe/Berlin');
  });

  it.each([
    ['mon,wed,FRI 07:00-19:00 UTC', 'Mon,Wed,Fri 07:00-19:00 UTC'],
    ['Fri-Mon 09:00-17:00 UTC', 'Mon,Fri,Sat,Sun 09:00-17:00 UTC'],
    ['Mon-Tue,Thu 00:00-24:00 America/New_York', 'Mon,Tue,Thu 00:00-24:00 America/New_York'],
    ['daily 22:00-06:00 Asia/Tokyo', 'Mon,Tue,Wed,Thu,Fri,Sat,Sun 22:00-06:00 Asia/Tokyo'],
  ])('reads %j', (text, canonical) => {
    expect(formatSchedule(parseSchedule(text))).toBe(canonical);
  });

  it.each([
    ['Mon-Fri 08:00-18:30', 'found 2 part(s)'],
    ['Mon-Fry 08:00-18:30 UTC', '"Fry" is not a day name'],
    ['Mon-Fri 8-18 UTC', '"8" is not a time HH:MM'],
    ['Mon-Fri 08:00 UTC', 'is not a time range'],
    ['Mon-Fri 08:00-25:00 UTC', '"25:00" is not a time'],
    ['Mon-Fri 08:00-08:00 UTC', 'is empty'],
    ['Mon-Fri 08:00-18:30 Europe/Berlinn', '"Europe/Berlinn" is not an IANA time zone'],
    ['Mon,,Fri 08:00-18:30 UTC', 'empty entry'],
    ['Mon-Fri 24:00-06:00 UTC', 'cannot start at 24:00'],
  ])('refuses %j, naming the value and the expected format', (text, detail) => {
    let error: unknown;
    try {
      parseSchedule(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScheduleError);
    const message = (error as Error).message;
    expect(message).toContain(JSON.stringify(text));
    expect(message).toContain(detail);
    expect(message).toContain('expected a schedule "DAYS HH:MM-HH:MM ZONE"');
  });
});

describe('parseHolidays', () => {
  it('refuses an impossible date, naming it', () => {
    expect(() => parseHolidays(['2026-12-24', '2026-02-30'])).toThrow('holiday "2026-02-30" is not a date');
    expect(() => parseHolidays(['24.12.2026'])).toThrow('expected dates YYYY-MM-DD');
  });
});

describe('scheduleStateAt', () => {
  const berlin = at('Mon-Fri 08:00-18:30 Europe/Berlin');
  const newYork = at('Mon-Fri 07:00-19:00 America/New_York');

  it('is on during office hours with the transitions around them (Berlin winter, UTC+1)', () => {
    // Monday 2026-11-23 10:00 Berlin = 09:00Z
    expect(brief(berlin('2026-11-23T09:00:00Z'))).toEqual({
      on: true,
      since: '2026-11-23T07:00:00Z',
      until: '2026-11-23T17:30:00Z',
    });
  });

  it('is off over night until the next morning, across the day boundary', () => {
    expect(brief(berlin('2026-11-23T23:30:00Z'))).toEqual({
      on: false,
      since: '2026-11-23T17:30:00Z',
      until: '2026-11-24T07:00:00Z',
    });
  });

  it('is off the whole weekend, from Friday evening to Monday morning', () => {
    // Saturday 2026-11-28 noon
    expect(brief(berlin('2026-11-28T12:00:00Z'))).toEqual({
      on: false,
      since: '2026-11-27T17:30:00Z',
      until: '2026-11-30T07:00:00Z',
    });
  });

  it('keeps the environment off on a holiday (a date in the schedule zone)', () => {
    const holidays = parseHolidays(['2026-12-24', '2026-12-25']);
    const xmas = at('Mon-Fri 08:00-18:30 Europe/Berlin', holidays);
    // Thursday 24 December, 10:00 Berlin: a holiday, so off since Wednesday evening until Monday 28th.
    expect(brief(xmas('2026-12-24T09:00:00Z'))).toEqual({
      on: false,
      since: '2026-12-23T17:30:00Z',
      until: '2026-12-28T07:00:00Z',
    });
  });

  it('follows the spring-forward switch in Berlin (29 March 2026): 08:00 moves from 07:00Z to 06:00Z', () => {
    expect(iso(berlin('2026-03-27T12:00:00Z').since)).toBe('2026-03-27T07:00:00Z');
    expect(brief(berlin('2026-03-28T12:00:00Z'))).toEqual({
      on: false,
      since: '2026-03-27T17:30:00Z',
      until: '2026-03-30T06:00:00Z',
    });
    expect(iso(berlin('2026-03-30T12:00:00Z').until)).toBe('2026-03-30T16:30:00Z');
  });

  it('follows the fall-back switch in Berlin (25 October 2026): 08:00 moves from 06:00Z to 07:00Z', () => {
    expect(iso(berlin('2026-10-23T12:00:00Z').since)).toBe('2026-10-23T06:00:00Z');
    expect(iso(berlin('2026-10-24T12:00:00Z').until)).toBe('2026-10-26T07:00:00Z');
  });

  it('follows both switches in New York (8 March and 1 November 2026)', () => {
    // Before 8 March: EST (UTC-5), 07:00 = 12:00Z; after: EDT (UTC-4), 07:00 = 11:00Z.
    expect(iso(newYork('2026-03-06T15:00:00Z').since)).toBe('2026-03-06T12:00:00Z');
    expect(iso(newYork('2026-03-07T15:00:00Z').until)).toBe('2026-03-09T11:00:00Z');
    // Before 1 November: EDT; Monday 2 November: EST again.
    expect(iso(newYork('2026-10-30T15:00:00Z').until)).toBe('2026-10-30T23:00:00Z');
    expect(iso(newYork('2026-10-31T15:00:00Z').until)).toBe('2026-11-02T12:00:00Z');
  });

  it('counts a daily window across the DST night in real hours (Berlin, spring: 23 h day)', () => {
    const daily = at('daily 07:00-19:00 Europe/Berlin');
    const st = daily('2026-03-29T00:00:00Z'); // Sunday 01:00 CET, the switch is at 02:00
    expect(brief(st)).toEqual({ on: false, since: '2026-03-28T18:00:00Z', until: '2026-03-29T05:00:00Z' });
  });

  it('moves a window start that falls into the spring-forward gap forward by the gap', () => {
    const st = at('Sun 02:30-04:00 Europe/Berlin')('2026-03-29T00:00:00Z');
    expect(iso(st.until)).toBe('2026-03-29T01:30:00Z'); // 03:30 CEST
  });

  it('supports overnight windows that end the next morning', () => {
    const night = at('Mon-Fri 22:00-06:00 UTC');
    expect(brief(night('2026-11-24T02:00:00Z'))).toEqual({
      on: true,
      since: '2026-11-23T22:00:00Z',
      until: '2026-11-24T06:00:00Z',
    });
    // Friday night runs into Saturday morning; nothing starts on Saturday.
    expect(brief(night('2026-11-28T12:00:00Z'))).toEqual({
      on: false,
      since: '2026-11-28T06:00:00Z',
      until: '2026-11-30T22:00:00Z',
    });
  });

  it('treats touching windows as one (daily 00:00-24:00 never transitions)', () => {
    const st = at('daily 00:00-24:00 UTC')('2026-11-25T12:00:00Z');
    expect(brief(st)).toEqual({ on: true, since: undefined, until: undefined });
    const weekdays = at('Mon-Fri 00:00-24:00 UTC')('2026-11-25T12:00:00Z');
    expect(brief(weekdays)).toEqual({
      on: true,
      since: '2026-11-23T00:00:00Z',
      until: '2026-11-28T00:00:00Z',
    });
  });
});
