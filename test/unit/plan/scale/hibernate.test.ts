/**
 * ScaleToZeroAction: the off edge hibernates an instance configured for it, stops any other with a
 * reason that says so, and skips (never guesses at) a value that is neither stop nor hibernate.
 */
import { describe, expect, it } from '@jest/globals';

import type { ScalableInstanceRecord } from '../../../../shared/domain';
import { planScale, readOffAction, type ScaleDecision } from '../../../../shared/plan/scale';
import { parseHolidays, parseSchedule } from '../../../../shared/schedule';

const settings = {
  defaultSchedule: parseSchedule('Mon-Fri 08:00-18:30 UTC'),
  namedSchedules: new Map(),
  holidays: parseHolidays([]),
};
// Monday 23 Nov 2026 20:00Z: off since 18:30Z. Tuesday 09:00Z: on since 08:00Z.
const OFF = new Date('2026-11-23T20:00:00Z');
const ON = new Date('2026-11-24T09:00:00Z');

const instance = (
  tags: Record<string, string>,
  over: Partial<ScalableInstanceRecord> = {},
): ScalableInstanceRecord => ({
  id: 'i-0dev',
  state: 'running',
  rootDeviceType: 'ebs',
  tags: { ScaleToZero: 'true', ...tags },
  ...over,
});

function decide(i: ScalableInstanceRecord, now = OFF): ScaleDecision {
  return planScale({ groups: [], instances: [i], settings, now }).decisions[0]!;
}

describe('ScaleToZeroAction=hibernate at the off edge', () => {
  it('hibernates an instance launched with hibernation configured', () => {
    const d = decide(instance({ ScaleToZeroAction: 'hibernate' }, { hibernationConfigured: true }));
    expect(d).toMatchObject({ rule: 'hibernate', outcome: 'stop' });
    expect(d.action).toEqual({
      kind: 'stop-instance',
      instanceId: 'i-0dev',
      transition: new Date('2026-11-23T18:30:00Z'),
      hibernate: true,
    });
    expect(d.reason).toContain(': hibernate until 2026-11-24T08:00:00Z');
    expect(d.instanceHoursSaved).toBe(12);
  });

  it.each([
    ['not configured', { hibernationConfigured: false }],
    ['configuration unknown', {}],
  ])('stops an instance whose hibernation is %s, and the reason says so', (_, over) => {
    const d = decide(instance({ ScaleToZeroAction: 'hibernate' }, over));
    expect(d).toMatchObject({ rule: 'stop', outcome: 'stop' });
    expect(d.action).not.toHaveProperty('hibernate');
    expect(d.reason).toContain('hibernation not configured on i-0dev: stopped instead');
  });

  it('reads the value trimmed and in any case; stop and no tag stop as before, without a note', () => {
    const spaced = decide(instance({ ScaleToZeroAction: ' Hibernate ' }, { hibernationConfigured: true }));
    expect(spaced.rule).toBe('hibernate');
    for (const tags of [{ ScaleToZeroAction: 'STOP' }, {}] as Record<string, string>[]) {
      const d = decide(instance(tags, { hibernationConfigured: true }));
      expect(d.rule).toBe('stop');
      expect(d.action).not.toHaveProperty('hibernate');
      expect(d.reason).not.toContain('hibernat');
    }
  });

  it.each(['sleep', 'hibernate!', '', 'true', 'stop,hibernate'])(
    'skips and reports ScaleToZeroAction=%j with the tag, value and what was expected',
    (value) => {
      const d = decide(instance({ ScaleToZeroAction: value }, { hibernationConfigured: true }));
      expect(d).toMatchObject({ rule: 'action-unreadable', outcome: 'skip' });
      expect(d.action).toBeUndefined();
      expect(d.tagProblem).toEqual({
        resourceId: 'i-0dev',
        tag: 'ScaleToZeroAction',
        value,
        expected: expect.stringContaining('stop or hibernate'),
      });
    },
  );

  it('an unreadable action is skipped in the morning too: a stopped instance is not started on a guess', () => {
    const stopped = instance(
      {
        ScaleToZeroAction: 'snooze',
        ScaleToZeroLastTransition: '2026-11-23T18:30:00Z stopped=2026-11-23T18:31:00Z',
        ScaleToZeroStoppedAt: '2026-11-23T18:31:00Z',
      },
      { state: 'stopped' },
    );
    expect(decide(stopped, ON)).toMatchObject({ rule: 'action-unreadable', outcome: 'skip' });
  });

  it('a hibernated instance is started in the morning like a stopped one (same record, same marker)', () => {
    const slept = instance(
      {
        ScaleToZeroAction: 'hibernate',
        ScaleToZeroLastTransition: '2026-11-23T18:30:00Z stopped=2026-11-23T18:31:00Z',
        ScaleToZeroStoppedAt: '2026-11-23T18:31:00Z',
      },
      { state: 'stopped', hibernationConfigured: true },
    );
    expect(decide(slept, ON)).toMatchObject({ rule: 'start', action: { kind: 'start-instance' } });
  });

  it('readOffAction: absent, ok or invalid', () => {
    expect(readOffAction({}, 'i-1')).toEqual({ kind: 'absent' });
    expect(readOffAction({ ScaleToZeroAction: 'hibernate' }, 'i-1')).toEqual({
      kind: 'ok',
      value: 'hibernate',
    });
    expect(readOffAction({ ScaleToZeroAction: 'halt' }, 'i-1').kind).toBe('invalid');
  });
});
