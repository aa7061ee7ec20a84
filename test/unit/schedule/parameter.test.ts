/**
 * Named schedules from an SSM parameter merged with SCALE_SCHEDULES: a name in one place is used, the
 * same schedule in both is used, two different ones are refused by name; an unreadable parameter
 * adds nothing and makes an unknown ScaleToZero value say why.
 */
import { describe, expect, it } from '@jest/globals';

import {
  loadScaleSettings,
  mergeNamedSchedules,
  namedSchedules,
  parseSchedule,
  resolveSchedule,
  type ScheduleSource,
} from '../../../shared/schedule';

const NAME = '/ec2-hygiene/scale-schedules';
const env = namedSchedules(
  JSON.stringify({ berlin: 'Mon-Fri 08:00-18:30 Europe/Berlin', ny: 'Mon-Fri 07:00-19:00 America/New_York' }),
);
const source = (merged: ReturnType<typeof mergeNamedSchedules>): ScheduleSource => ({
  defaultSchedule: parseSchedule('Mon-Fri 07:00-19:00 UTC'),
  ...merged,
});

describe('mergeNamedSchedules', () => {
  it('adds the parameter names, with their own holidays, to those of SCALE_SCHEDULES', () => {
    const merged = mergeNamedSchedules(env, {
      name: NAME,
      value: JSON.stringify({
        sydney: { schedule: 'Mon-Fri 08:30-17:30 Australia/Sydney', holidays: ['2026-12-28'] },
      }),
    });
    expect([...merged.namedSchedules.keys()].sort()).toEqual(['berlin', 'ny', 'sydney']);
    expect(merged.namedSchedules.get('sydney')!.holidays).toEqual({
      dates: new Set(['2026-12-28']),
      withGlobal: true,
    });
    expect(merged.problems).toEqual([]);
    expect(resolveSchedule('sydney', 'i-1', source(merged))).toMatchObject({ kind: 'schedule' });
  });

  it('accepts a name in both places when the schedule is the same, however it is spelled', () => {
    const merged = mergeNamedSchedules(env, {
      name: NAME,
      value: JSON.stringify({ berlin: 'mon-fri  08:00-18:30 Europe/Berlin' }),
    });
    expect(merged.problems).toEqual([]);
    expect(merged.refusedNames).toBeUndefined();
    expect(merged.namedSchedules.has('berlin')).toBe(true);
  });

  it('refuses a name defined differently in both places: skipped by name, the others still work', () => {
    const merged = mergeNamedSchedules(env, {
      name: NAME,
      value: JSON.stringify({
        berlin: 'Mon-Fri 09:00-17:00 Europe/Berlin',
        lisbon: 'Mon-Fri 09:00-18:00 Europe/Lisbon',
      }),
    });
    expect(merged.namedSchedules.has('berlin')).toBe(false);
    expect(merged.problems).toEqual([
      expect.stringContaining('schedule "berlin" is defined differently in SCALE_SCHEDULES'),
    ]);
    const reading = resolveSchedule('berlin', 'i-1', source(merged));
    expect(reading).toMatchObject({
      kind: 'invalid',
      problem: { resourceId: 'i-1', tag: 'ScaleToZero', value: 'berlin' },
      detail: expect.stringContaining(`in SSM parameter ${NAME}`),
    });
    expect(resolveSchedule('lisbon', 'i-1', source(merged))).toMatchObject({ kind: 'schedule' });
    expect(resolveSchedule('ny', 'i-1', source(merged))).toMatchObject({ kind: 'schedule' });
  });

  it.each([
    ['not JSON', '{"berlin": '],
    ['a list', '["Mon-Fri 08:00-18:00 UTC"]'],
    [
      'one bad schedule among good ones',
      JSON.stringify({ ok: 'Mon-Fri 08:00-18:00 UTC', bad: 'Mon-Fri 25:00-26:00 UTC' }),
    ],
    [
      'a bad holiday',
      JSON.stringify({ x: { schedule: 'Mon-Fri 08:00-18:00 UTC', holidays: ['2026-13-01'] } }),
    ],
    ['an unknown field', JSON.stringify({ x: { schedule: 'Mon-Fri 08:00-18:00 UTC', hours: 3 } })],
  ])('a value that is %s adds no name at all (never half-read) and is reported', (_, value) => {
    const merged = mergeNamedSchedules(env, { name: NAME, value });
    expect([...merged.namedSchedules.keys()].sort()).toEqual(['berlin', 'ny']);
    expect(merged.problems).toEqual([
      expect.stringContaining(`SSM parameter ${NAME} (SCALE_SCHEDULES_PARAMETER) could not be read`),
    ]);
    expect(merged.namedUnavailable).toBe(merged.problems[0]);
    expect(resolveSchedule('ok', 'i-1', source(merged))).toMatchObject({ kind: 'invalid' });
  });

  it('an unreadable parameter: unknown names are skipped saying why; true, SCALE_SCHEDULES names and inline schedules work', () => {
    const merged = mergeNamedSchedules(env, {
      name: NAME,
      error: 'GetParameter failed (AccessDeniedException: denied)',
    });
    const s = source(merged);
    const team = resolveSchedule('team-x', 'i-1', s);
    expect(team.kind).toBe('invalid');
    expect(team.kind === 'invalid' && team.detail).toContain('AccessDeniedException');
    expect(resolveSchedule('true', 'i-1', s)).toMatchObject({ kind: 'schedule' });
    expect(resolveSchedule('berlin', 'i-1', s)).toMatchObject({ kind: 'schedule' });
    expect(resolveSchedule('Mon-Fri 08:00-12:00 UTC', 'i-1', s)).toMatchObject({ kind: 'schedule' });
  });
});

describe('SCALE_SCHEDULES_PARAMETER', () => {
  const base = { REGIONS: 'eu-west-1', AWS_REGION: 'eu-central-1' };

  it('names a parameter by its full path, read in the deployment region', () => {
    expect(loadScaleSettings({ ...base, SCALE_SCHEDULES_PARAMETER: NAME }).schedulesParameter).toEqual({
      name: NAME,
      region: 'eu-central-1',
    });
    expect(loadScaleSettings(base).schedulesParameter).toBeUndefined();
  });

  it.each(['scale-schedules', '/has space', 'arn:aws:ssm:eu-west-1:1:parameter/x'])(
    'refuses %j, naming the variable and what was expected',
    (value) => {
      expect(() => loadScaleSettings({ ...base, SCALE_SCHEDULES_PARAMETER: value })).toThrow(
        /SCALE_SCHEDULES_PARAMETER=.* is not valid.*starting with \//,
      );
    },
  );
});
