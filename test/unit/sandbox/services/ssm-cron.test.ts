/** The local account's evaluator of SSM maintenance-window schedules (cron and rate). */
import { describe, expect, it } from '@jest/globals';

import { nextExecutions, parseWindowSchedule } from '../../../../sandbox/services/ssm-cron';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('SSM maintenance-window cron', () => {
  it('runs cron(0 3 ? * * *) every day at 03:00 UTC', () => {
    const s = parseWindowSchedule('cron(0 3 ? * * *)');
    expect(iso(nextExecutions(s, new Date('2026-11-30T22:00:00Z'), 3))).toEqual([
      '2026-12-01T03:00:00.000Z',
      '2026-12-02T03:00:00.000Z',
      '2026-12-03T03:00:00.000Z',
    ]);
  });

  it('is strictly after the given time: at 03:00 exactly, the next is tomorrow', () => {
    const s = parseWindowSchedule('cron(0 3 ? * * *)');
    expect(iso(nextExecutions(s, new Date('2026-12-01T03:00:00Z'), 1))).toEqual(['2026-12-02T03:00:00.000Z']);
  });

  it('counts days of the week 1-7 from Sunday, with names, and ranges', () => {
    // Tuesday 1 December 2026.
    const from = new Date('2026-12-01T12:00:00Z');
    expect(iso(nextExecutions(parseWindowSchedule('cron(30 2 ? * SUN *)'), from, 1))).toEqual([
      '2026-12-06T02:30:00.000Z',
    ]);
    expect(iso(nextExecutions(parseWindowSchedule('cron(0 1 ? * 1 *)'), from, 1))).toEqual([
      '2026-12-06T01:00:00.000Z',
    ]);
    expect(iso(nextExecutions(parseWindowSchedule('cron(0 4 ? * MON-FRI *)'), from, 3))).toEqual([
      '2026-12-02T04:00:00.000Z',
      '2026-12-03T04:00:00.000Z',
      '2026-12-04T04:00:00.000Z',
    ]);
  });

  it('evaluates wall-clock time in ScheduleTimezone, across the DST switch', () => {
    const s = parseWindowSchedule('cron(0 3 ? * * *)');
    // 03:00 Berlin is 01:00Z in summer and 02:00Z in winter (the switch is on 25 October 2026).
    expect(iso(nextExecutions(s, new Date('2026-10-24T12:00:00Z'), 2, { zone: 'Europe/Berlin' }))).toEqual([
      '2026-10-25T02:00:00.000Z',
      '2026-10-26T02:00:00.000Z',
    ]);
    expect(iso(nextExecutions(s, new Date('2026-10-23T12:00:00Z'), 1, { zone: 'Europe/Berlin' }))).toEqual([
      '2026-10-24T01:00:00.000Z',
    ]);
  });

  it('supports day-of-month, months, lists, steps and a year', () => {
    const s = parseWindowSchedule('cron(0/30 22 1,15 JAN,JUL ? 2027)');
    expect(iso(nextExecutions(s, new Date('2026-12-01T00:00:00Z'), 3))).toEqual([
      '2027-01-01T22:00:00.000Z',
      '2027-01-01T22:30:00.000Z',
      '2027-01-15T22:00:00.000Z',
    ]);
    expect(nextExecutions(parseWindowSchedule('cron(0 3 1 * ? 2020)'), new Date('2026-01-01'), 1)).toEqual(
      [],
    );
  });

  it('runs rate(N hours|days) from the start time', () => {
    const s = parseWindowSchedule('rate(6 hours)');
    const start = new Date('2026-12-01T01:00:00Z');
    expect(iso(nextExecutions(s, new Date('2026-12-01T08:00:00Z'), 2, { start }))).toEqual([
      '2026-12-01T13:00:00.000Z',
      '2026-12-01T19:00:00.000Z',
    ]);
  });

  it('refuses the forms it does not evaluate, and malformed ones, naming what is wrong', () => {
    expect(() => parseWindowSchedule('cron(0 3 ? * 3#2 *)')).toThrow(/L, W and # forms.*not supported/);
    expect(() => parseWindowSchedule('cron(0 3 L * ? *)')).toThrow(/not supported/);
    expect(() => parseWindowSchedule('cron(0 3 * * *)')).toThrow(/expected 6 fields, found 5/);
    expect(() => parseWindowSchedule('cron(0 3 * * * *)')).toThrow(
      /exactly one of day-of-month and day-of-week/,
    );
    expect(() => parseWindowSchedule('cron(0 25 ? * * *)')).toThrow(/25 is outside 0-23 in the hours field/);
    expect(() => parseWindowSchedule('at(2026-12-01T03:00:00)')).toThrow(/expected cron\(/);
    expect(() => parseWindowSchedule('cron(0 3 ? * FOO *)')).toThrow(
      /"FOO" is not a value of the day-of-week/,
    );
  });

  it('does not mistake day and month names with W or L in them for unsupported forms', () => {
    expect(() => parseWindowSchedule('cron(0 3 ? JUL WED *)')).not.toThrow();
  });
});
