import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../../shared/config';
import {
  formatSchedule,
  loadScaleSettings,
  resolveSchedule,
  scheduleStateAt,
} from '../../../shared/schedule';

const base = { AWS_REGION: 'eu-west-1' };

describe('loadScaleSettings', () => {
  it('has safe defaults: the deployment region, Mon-Fri 07:00-19:00 UTC, no holidays, acting', () => {
    const s = loadScaleSettings(base);
    expect(s.regions).toEqual(['eu-west-1']);
    expect(formatSchedule(s.defaultSchedule)).toBe('Mon,Tue,Wed,Thu,Fri 07:00-19:00 UTC');
    expect(s.namedSchedules.size).toBe(0);
    expect(s.holidays.size).toBe(0);
    expect(s.dryRun).toBe(false);
    expect(s.maxRestoreCapacity).toBe(100);
  });

  it('reads SCALE_MAX_RESTORE_CAPACITY, and fails on a value that is not a whole number from 1, naming it', () => {
    expect(loadScaleSettings({ ...base, SCALE_MAX_RESTORE_CAPACITY: ' 25 ' }).maxRestoreCapacity).toBe(25);
    for (const bad of ['0', '-5', '2.5', 'ten', '1000000', '1e3']) {
      const load = () => loadScaleSettings({ ...base, SCALE_MAX_RESTORE_CAPACITY: bad });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(
        `SCALE_MAX_RESTORE_CAPACITY=${JSON.stringify(bad)} is not valid: expected a whole number`,
      );
    }
  });

  it('reads the default schedule, named schedules, holidays and dry-run', () => {
    const s = loadScaleSettings({
      ...base,
      REGIONS: 'eu-central-1, us-east-1',
      SCALE_DEFAULT_SCHEDULE: 'Mon-Fri 08:00-18:30 Europe/Berlin',
      SCALE_SCHEDULES: '{"ny-office":"Mon-Fri 07:00-19:00 America/New_York"}',
      SCALE_HOLIDAYS: '2026-12-24, 2026-12-25',
      SCALE_DRY_RUN: 'TRUE',
    });
    expect(s.regions).toEqual(['eu-central-1', 'us-east-1']);
    expect(s.defaultSchedule.zone).toBe('Europe/Berlin');
    expect(s.namedSchedules.get('ny-office')?.zone).toBe('America/New_York');
    expect([...s.holidays]).toEqual(['2026-12-24', '2026-12-25']);
    expect(s.dryRun).toBe(true);
  });

  it.each([
    [{ SCALE_DEFAULT_SCHEDULE: 'weekdays' }, 'SCALE_DEFAULT_SCHEDULE: schedule "weekdays" is not valid'],
    [{ SCALE_SCHEDULES: 'berlin=Mon-Fri' }, 'SCALE_SCHEDULES="berlin=Mon-Fri" is not valid (not JSON)'],
    [{ SCALE_SCHEDULES: '{"true":"Mon-Fri 08:00-18:00 UTC"}' }, '"true" is not a usable name'],
    [{ SCALE_SCHEDULES: '{"x":"Mon-Fri 08:00-18:00 Mars/Olympus"}' }, 'SCALE_SCHEDULES.x: schedule'],
    [{ SCALE_HOLIDAYS: '2026-12-24,25.12.2026' }, 'SCALE_HOLIDAYS: holiday "25.12.2026" is not a date'],
    [{ SCALE_DRY_RUN: 'yes' }, 'SCALE_DRY_RUN="yes" is not valid: expected true or false'],
    [{ REGIONS: 'eu-west-1,Frankfurt' }, 'REGIONS="eu-west-1,Frankfurt" is not valid'],
  ])('refuses %j with a message naming the setting, the value and what was expected', (env, message) => {
    expect(() => loadScaleSettings({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadScaleSettings({ ...base, ...env })).toThrow(message);
  });
});

describe('resolveSchedule (the ScaleToZero tag value)', () => {
  const settings = loadScaleSettings({
    ...base,
    SCALE_DEFAULT_SCHEDULE: 'Mon-Fri 08:00-18:30 Europe/Berlin',
    SCALE_SCHEDULES: '{"ny-office":"Mon-Fri 07:00-19:00 America/New_York"}',
  });

  it('maps true (any case) to the default schedule, false to opted out, a name to its schedule', () => {
    expect(resolveSchedule(' True ', 'i-1', settings)).toMatchObject({
      kind: 'schedule',
      schedule: settings.defaultSchedule,
    });
    expect(resolveSchedule('false', 'i-1', settings)).toEqual({ kind: 'opted-out' });
    expect(resolveSchedule('ny-office', 'i-1', settings)).toMatchObject({
      kind: 'schedule',
      label: expect.stringContaining('ny-office'),
    });
    expect(resolveSchedule('Sat 10:00-12:00 Asia/Tokyo', 'i-1', settings)).toMatchObject({
      kind: 'schedule',
    });
  });

  it('reports an unreadable value with the resource, the tag, the value and every accepted form', () => {
    const r = resolveSchedule('ny office', 'i-1', settings);
    expect(r).toMatchObject({
      kind: 'invalid',
      problem: { resourceId: 'i-1', tag: 'ScaleToZero', value: 'ny office' },
    });
    if (r.kind !== 'invalid') throw new Error('unreachable');
    expect(r.problem.expected).toContain('a named schedule (ny-office)');
    expect(r.problem.expected).toContain('DAYS HH:MM-HH:MM ZONE');
  });
});

describe('named schedules with their own holidays (SCALE_SCHEDULES)', () => {
  const BERLIN = 'Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin';
  const load = (schedules: unknown, holidays = '2026-12-24,2026-12-25') =>
    loadScaleSettings({ ...base, SCALE_SCHEDULES: JSON.stringify(schedules), SCALE_HOLIDAYS: holidays });
  // Thursday 2026-12-31 10:00 Berlin and Friday 2026-12-25 10:00 Berlin.
  const onAt = (settings: ReturnType<typeof load>, name: string, when: string) =>
    scheduleStateAt(settings.namedSchedules.get(name)!, settings.holidays, new Date(when)).on;

  it('keeps a plain string working: the global holidays apply, nothing of its own', () => {
    const s = load({ berlin: BERLIN });
    expect(s.namedSchedules.get('berlin')?.holidays).toBeUndefined();
    expect(onAt(s, 'berlin', '2026-12-25T09:00:00Z')).toBe(false);
    expect(onAt(s, 'berlin', '2026-12-31T09:00:00Z')).toBe(true);
  });

  it('adds its own holidays to the global ones by default', () => {
    const s = load({ berlin: { schedule: BERLIN, holidays: ['2026-12-31'] }, other: BERLIN });
    expect(onAt(s, 'berlin', '2026-12-31T09:00:00Z')).toBe(false);
    expect(onAt(s, 'berlin', '2026-12-25T09:00:00Z')).toBe(false);
    // Another schedule with the same hours keeps only the global holidays.
    expect(onAt(s, 'other', '2026-12-31T09:00:00Z')).toBe(true);
    expect(resolveSchedule('berlin', 'i-1', s)).toMatchObject({
      label: `berlin (${BERLIN}; with its own holidays)`,
    });
    expect(resolveSchedule('other', 'i-1', s)).toMatchObject({ label: `other (${BERLIN})` });
  });

  it('uses its own holidays instead of the global ones with "globalHolidays": false', () => {
    const s = load({ berlin: { schedule: BERLIN, holidays: '2026-12-31', globalHolidays: false } });
    expect(onAt(s, 'berlin', '2026-12-31T09:00:00Z')).toBe(false);
    expect(onAt(s, 'berlin', '2026-12-25T09:00:00Z')).toBe(true);
    expect(resolveSchedule('berlin', 'i-1', s)).toMatchObject({
      label: `berlin (${BERLIN}; its own holidays instead of SCALE_HOLIDAYS)`,
    });
  });

  it('accepts a named schedule longer than a tag value may be (256 characters)', () => {
    const long = [
      'Mon 07:00-12:00',
      'Mon 13:00-18:30',
      'Tue 07:30-12:00',
      'Tue 13:00-19:00',
      'Wed 08:00-12:00',
      'Wed 13:00-17:00',
      'Thu 07:00-12:00',
      'Thu 13:00-18:30',
      'Fri 07:00-12:00',
      'Fri 12:30-15:00',
      'Sat 10:00-12:00',
      'Sat 13:00-14:00',
      'Sun 10:00-11:00',
      'Sun 18:00-22:00',
      'Sun 22:00-23:30',
      'daily 23:30-24:00',
    ].join(', ');
    const text = `${long} America/Argentina/Buenos_Aires`;
    expect(text.length).toBeGreaterThan(256);
    const s = load({ 'long-week': text });
    const r = resolveSchedule('long-week', 'i-1', s);
    expect(r).toMatchObject({ kind: 'schedule', label: expect.stringContaining('long-week') });
    if (r.kind !== 'schedule') throw new Error('unreachable');
    expect(r.schedule.windows).toHaveLength(16);
  });

  it.each([
    [
      { b: { schedule: 'Mon-Fri 08:00-18:00 UTC', holidays: ['24.12.2026'] } },
      'SCALE_SCHEDULES.b.holidays: holiday "24.12.2026" is not a date',
    ],
    [
      { b: { schedule: 'Mon-Fri 08:00-18:00 UTC', holidays: [20261224] } },
      '"b".holidays is not a list of dates',
    ],
    [
      { b: { schedule: 'Mon-Fri 08:00-18:00 UTC', globalHolidays: 'no' } },
      '"b".globalHolidays is not true or false',
    ],
    [
      { b: { schedule: 'Mon-Fri 08:00-18:00 UTC', holiday: ['2026-12-24'] } },
      '"b" has unknown field(s) holiday',
    ],
    [{ b: { holidays: ['2026-12-24'] } }, '"b".schedule is not a string'],
    [{ b: 42 }, 'the schedule of "b" is not a string or an object'],
    [{ b: { schedule: 'Mon-Fri 08:00-18:00, Sat 10:00 UTC' } }, 'SCALE_SCHEDULES.b: schedule'],
  ])('refuses %j, naming the schedule, the field and what was expected', (schedules, message) => {
    expect(() => load(schedules)).toThrow(ConfigError);
    expect(() => load(schedules)).toThrow(message);
  });
});
