import { describe, expect, it } from '@jest/globals';
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../../shared/domain';
import { planScale, transitionValue, type ScaleDecision } from '../../../shared/plan/scale';
import { parseHolidays, parseSchedule } from '../../../shared/schedule';

const settings = (over: { schedule?: string; holidays?: string[]; named?: Record<string, string> } = {}) => ({
  defaultSchedule: parseSchedule(over.schedule ?? 'Mon-Fri 08:00-18:30 Europe/Berlin'),
  namedSchedules: new Map(Object.entries(over.named ?? {}).map(([k, v]) => [k, parseSchedule(v)])),
  holidays: parseHolidays(over.holidays ?? []),
});

const group = (
  tags: Record<string, string>,
  size = { min: 1, desired: 2, max: 4 },
): AutoScalingGroupRecord => ({
  name: 'dev-web',
  launchTemplates: [],
  minSize: size.min,
  desiredCapacity: size.desired,
  maxSize: size.max,
  tags,
  instanceIds: [],
});

const instance = (over: Partial<ScalableInstanceRecord> = {}): ScalableInstanceRecord => ({
  id: 'i-0dev',
  state: 'running',
  rootDeviceType: 'ebs',
  tags: { ScaleToZero: 'true' },
  ...over,
});

function decide(
  now: string,
  input: { groups?: AutoScalingGroupRecord[]; instances?: ScalableInstanceRecord[] },
  s = settings(),
): ScaleDecision {
  const plan = planScale({
    groups: input.groups ?? [],
    instances: input.instances ?? [],
    settings: s,
    now: new Date(now),
  });
  expect(plan.decisions).toHaveLength(1);
  return plan.decisions[0]!;
}

describe('planScale: Auto Scaling groups (Mon-Fri 08:00-18:30 Europe/Berlin)', () => {
  it('remembers the sizes and scales to 0 after the evening transition, estimating hours saved', () => {
    // Monday 23 Nov 2026, 18:45 Berlin (17:45Z); back on Tuesday 08:00 (07:00Z): 13.25 h x 2 instances.
    const d = decide('2026-11-23T17:45:00Z', { groups: [group({ ScaleToZero: 'true' })] });
    expect(d.outcome).toBe('scale-to-zero');
    expect(d.action).toEqual({
      kind: 'scale-group-to-zero',
      group: 'dev-web',
      saved: { min: 1, desired: 2, max: 4 },
      transition: new Date('2026-11-23T17:30:00Z'),
    });
    expect(d.instanceHoursSaved).toBeCloseTo(26.5);
    expect(d.reason).toContain('remember min=1 desired=2 max=4');
  });

  it('does not fight a late worker who scaled the group up after the transition was handled', () => {
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-11-23T17:30:00Z',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const d = decide('2026-11-23T20:00:00Z', { groups: [group(tags, { min: 0, desired: 1, max: 1 })] });
    expect(d.outcome).toBe('keep');
    expect(d.action).toBeUndefined();
    expect(d.reason).toContain('already acted on the off transition at 2026-11-23T17:30:00Z');
  });

  it('restores exactly the remembered sizes in the morning', () => {
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-11-23T17:30:00Z scaled-to-zero max=4',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const d = decide('2026-11-24T07:10:00Z', { groups: [group(tags, { min: 0, desired: 0, max: 0 })] });
    expect(d.action).toEqual({
      kind: 'restore-group',
      group: 'dev-web',
      restore: { min: 1, desired: 2, max: 4 },
      transition: new Date('2026-11-24T07:00:00Z'),
    });
  });

  it('never "restores" a group it did not scale down', () => {
    const tags = { ScaleToZero: 'true', ScaleToZeroLastTransition: '2026-11-23T17:30:00Z' };
    const d = decide('2026-11-24T07:10:00Z', { groups: [group(tags, { min: 0, desired: 0, max: 0 })] });
    expect(d.outcome).toBe('record');
    expect(d.action).toMatchObject({ kind: 'record-transition', resourceId: 'dev-web' });
    expect(d.reason).toContain('not scaled down by scale-to-zero');
  });

  it('catches up a missed morning run at the next run', () => {
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-11-23T17:30:00Z scaled-to-zero max=4',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const d = decide('2026-11-24T11:00:00Z', { groups: [group(tags, { min: 0, desired: 0, max: 0 })] });
    expect(d.outcome).toBe('restore');
  });

  it('stays off over the weekend and counts the hours to Monday morning', () => {
    // Friday 27 Nov, 18:45 Berlin; Monday 30 Nov 08:00 Berlin = 07:00Z: 61.25 h.
    const d = decide('2026-11-27T17:45:00Z', {
      groups: [group({ ScaleToZero: 'true' }, { min: 1, desired: 1, max: 1 })],
    });
    expect(d.outcome).toBe('scale-to-zero');
    expect(d.instanceHoursSaved).toBeCloseTo(61.25);
    const sat = decide('2026-11-28T10:00:00Z', {
      groups: [
        group(
          { ScaleToZero: 'true', ScaleToZeroLastTransition: '2026-11-27T17:30:00Z' },
          { min: 0, desired: 0, max: 0 },
        ),
      ],
    });
    expect(sat.outcome).toBe('keep');
  });

  it('keeps the group off on a holiday and restores it the working day after', () => {
    const s = settings({ holidays: ['2026-12-24', '2026-12-25'] });
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-12-23T17:30:00Z scaled-to-zero max=4',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const zero = { min: 0, desired: 0, max: 0 };
    expect(decide('2026-12-24T07:10:00Z', { groups: [group(tags, zero)] }, s).outcome).toBe('keep');
    expect(decide('2026-12-25T07:10:00Z', { groups: [group(tags, zero)] }, s).outcome).toBe('keep');
    expect(decide('2026-12-28T07:10:00Z', { groups: [group(tags, zero)] }, s).outcome).toBe('restore');
  });

  it('follows the Berlin fall-back switch: Monday 26 Oct 2026 08:00 is 07:00Z, not 06:00Z', () => {
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-10-23T16:30:00Z scaled-to-zero max=4',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const zero = { min: 0, desired: 0, max: 0 };
    expect(decide('2026-10-26T06:10:00Z', { groups: [group(tags, zero)] }).outcome).toBe('keep');
    expect(decide('2026-10-26T07:00:00Z', { groups: [group(tags, zero)] }).outcome).toBe('restore');
  });

  it('follows the Berlin spring-forward switch: Monday 30 Mar 2026 08:00 is 06:00Z', () => {
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-03-27T17:30:00Z scaled-to-zero max=4',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const d = decide('2026-03-30T06:05:00Z', { groups: [group(tags, { min: 0, desired: 0, max: 0 })] });
    expect(d.action).toMatchObject({ kind: 'restore-group', transition: new Date('2026-03-30T06:00:00Z') });
  });

  it('follows both New York switches with the default schedule (ScaleToZero=true)', () => {
    const s = settings({ schedule: 'Mon-Fri 07:00-19:00 America/New_York' });
    const zero = { min: 0, desired: 0, max: 0 };
    // Spring: Friday 6 Mar 19:00 EST = Sat 00:00Z; Monday 9 Mar 07:00 EDT = 11:00Z.
    const spring = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-03-07T00:00:00Z scaled-to-zero max=6',
      ScaleToZeroSavedCapacity: 'min=2 desired=3 max=6',
    };
    expect(decide('2026-03-09T10:30:00Z', { groups: [group(spring, zero)] }, s).outcome).toBe('keep');
    expect(decide('2026-03-09T11:00:00Z', { groups: [group(spring, zero)] }, s).action).toMatchObject({
      restore: { min: 2, desired: 3, max: 6 },
    });
    // Autumn: Friday 30 Oct 19:00 EDT = 23:00Z; Monday 2 Nov 07:00 EST = 12:00Z.
    const friday = decide('2026-10-30T23:05:00Z', { groups: [group({ ScaleToZero: 'true' })] }, s);
    expect(friday.action).toMatchObject({
      kind: 'scale-group-to-zero',
      transition: new Date('2026-10-30T23:00:00Z'),
    });
    expect(friday.instanceHoursSaved).toBeCloseTo(2 * (61 - 5 / 60));
    const autumn = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-10-30T23:00:00Z scaled-to-zero max=4',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    expect(decide('2026-11-02T11:30:00Z', { groups: [group(autumn, zero)] }, s).outcome).toBe('keep');
    expect(decide('2026-11-02T12:00:00Z', { groups: [group(autumn, zero)] }, s).outcome).toBe('restore');
  });

  it('uses a named schedule from the settings', () => {
    const s = settings({ named: { 'ny-office': 'Mon-Fri 07:00-19:00 America/New_York' } });
    // 20:00Z is 21:00 in Berlin (off) but 15:00 in New York (on).
    const d = decide('2026-11-23T20:00:00Z', { groups: [group({ ScaleToZero: 'ny-office' })] }, s);
    expect(d.outcome).toBe('record');
    expect(d.reason).toContain('ny-office (Mon-Fri 07:00-19:00 America/New_York)');
  });

  it('skips an unreadable schedule and reports the tag, the value and the expected format', () => {
    const d = decide('2026-11-23T20:00:00Z', { groups: [group({ ScaleToZero: 'weekdays 9 to 5' })] });
    expect(d.outcome).toBe('skip');
    expect(d.action).toBeUndefined();
    expect(d.tagProblem).toMatchObject({
      resourceId: 'dev-web',
      tag: 'ScaleToZero',
      value: 'weekdays 9 to 5',
    });
    expect(d.tagProblem?.expected).toContain('"Mon-Fri 08:00-18:30 Europe/Berlin"');
  });

  it('skips a group whose remembered sizes are unreadable instead of guessing them', () => {
    const tags = { ScaleToZero: 'true', ScaleToZeroSavedCapacity: '1/2/4' };
    const d = decide('2026-11-24T07:10:00Z', { groups: [group(tags, { min: 0, desired: 0, max: 0 })] });
    expect(d.outcome).toBe('skip');
    expect(d.tagProblem).toMatchObject({ tag: 'ScaleToZeroSavedCapacity', value: '1/2/4' });
  });

  it('leaves ScaleToZero=false alone', () => {
    expect(decide('2026-11-23T20:00:00Z', { groups: [group({ ScaleToZero: 'FALSE' })] }).outcome).toBe(
      'keep',
    );
  });
});

describe('planScale: instances', () => {
  it('stops a running opted-in instance after the evening transition', () => {
    const d = decide('2026-11-23T17:45:00Z', { instances: [instance()] });
    expect(d.action).toEqual({
      kind: 'stop-instance',
      instanceId: 'i-0dev',
      transition: new Date('2026-11-23T17:30:00Z'),
    });
  });

  it.each([
    [{ lifecycle: 'spot' }, 'Spot instance'],
    [{ rootDeviceType: 'instance-store' }, 'instance-store root volume'],
    [{ autoScalingGroupName: 'dev-web' }, 'member of Auto Scaling group dev-web'],
  ])('skips an instance that cannot be stopped safely (%j)', (over, reason) => {
    const d = decide('2026-11-23T17:45:00Z', { instances: [instance(over)] });
    expect(d.outcome).toBe('skip');
    expect(d.reason).toContain(reason);
    expect(d.action).toBeUndefined();
  });

  it('leaves members of a managed group to the group, without reporting them as skipped', () => {
    const plan = planScale({
      groups: [group({ ScaleToZero: 'true' })],
      instances: [instance({ autoScalingGroupName: 'dev-web' })],
      settings: settings(),
      now: new Date('2026-11-23T17:45:00Z'),
    });
    expect(plan.decisions.find((d) => d.resourceId === 'i-0dev')).toMatchObject({
      outcome: 'keep',
      reason: 'managed through its Auto Scaling group dev-web',
    });
    expect(plan.actions).toEqual([
      expect.objectContaining({ kind: 'scale-group-to-zero', group: 'dev-web' }),
    ]);
  });

  it('does not stop a box a late worker started after the transition', () => {
    const d = decide('2026-11-23T20:15:00Z', {
      instances: [instance({ launchedAt: new Date('2026-11-23T20:00:00Z') })],
    });
    expect(d.outcome).toBe('record');
    expect(d.reason).toContain('left running');
  });

  it('keeps a box on while ScaleToZeroSkipUntil is in the future, and stops it once it has passed', () => {
    const tags = { ScaleToZero: 'true', ScaleToZeroSkipUntil: '2026-11-23T22:00:00Z' };
    const kept = decide('2026-11-23T17:45:00Z', { instances: [instance({ tags })] });
    expect(kept.outcome).toBe('keep');
    expect(kept.reason).toContain('keeps it on until 2026-11-23T22:00:00Z');
    const later = decide('2026-11-23T22:00:00Z', { instances: [instance({ tags })] });
    expect(later.outcome).toBe('stop');
    expect(later.ignoredTags).toEqual([
      expect.objectContaining({ tag: 'ScaleToZeroSkipUntil', reason: expect.stringContaining('expired') }),
    ]);
  });

  it('ignores and reports a malformed override; the schedule applies', () => {
    const tags = { ScaleToZero: 'true', ScaleToZeroSkipUntil: 'tomorrow' };
    const d = decide('2026-11-23T17:45:00Z', { instances: [instance({ tags })] });
    expect(d.outcome).toBe('stop');
    expect(d.ignoredTags).toEqual([
      expect.objectContaining({
        tag: 'ScaleToZeroSkipUntil',
        value: 'tomorrow',
        expected: expect.stringContaining('ISO 8601'),
      }),
    ]);
  });

  it('starts only instances it stopped itself', () => {
    const ours = instance({
      state: 'stopped',
      tags: {
        ScaleToZero: 'true',
        ScaleToZeroStoppedAt: '2026-11-23T17:45:00Z',
        ScaleToZeroLastTransition: '2026-11-23T17:30:00Z stopped=2026-11-23T17:45:00Z',
      },
    });
    expect(decide('2026-11-24T07:05:00Z', { instances: [ours] }).action).toMatchObject({
      kind: 'start-instance',
    });
    const someoneElses = instance({
      state: 'stopped',
      tags: { ScaleToZero: 'true', ScaleToZeroLastTransition: '2026-11-23T17:30:00Z' },
    });
    expect(decide('2026-11-24T07:05:00Z', { instances: [someoneElses] }).outcome).toBe('record');
  });

  it('drops the stopped marker of a box somebody already started before the morning', () => {
    const d = decide('2026-11-24T07:05:00Z', {
      instances: [
        instance({
          tags: {
            ScaleToZero: 'true',
            ScaleToZeroStoppedAt: '2026-11-23T17:45:00Z',
            ScaleToZeroLastTransition: '2026-11-23T17:30:00Z',
          },
        }),
      ],
    });
    expect(d.action).toMatchObject({ kind: 'record-transition', dropMarker: true });
  });

  it('waits for an instance in a passing state', () => {
    expect(decide('2026-11-23T17:45:00Z', { instances: [instance({ state: 'pending' })] }).outcome).toBe(
      'wait',
    );
  });

  it('skips an unreadable transition tag instead of acting', () => {
    const d = decide('2026-11-23T17:45:00Z', {
      instances: [instance({ tags: { ScaleToZero: 'true', ScaleToZeroLastTransition: 'yesterday' } })],
    });
    expect(d.outcome).toBe('skip');
    expect(d.tagProblem).toMatchObject({ tag: 'ScaleToZeroLastTransition', value: 'yesterday' });
  });
});

describe('planScale: only what it turned off itself, from its own record (Mon-Fri 08:00-18:30 Europe/Berlin)', () => {
  // Monday 23 Nov 2026: off from 17:30Z; Tuesday 24 Nov on from 07:00Z.
  const OFF = '2026-11-23T17:30:00Z';
  const zero = { min: 0, desired: 0, max: 0 };
  const MORNING = '2026-11-24T07:10:00Z';

  it('does not apply a forged ScaleToZeroSavedCapacity on a group it never scaled down, and reports it', () => {
    const forged = { ScaleToZero: 'true', ScaleToZeroSavedCapacity: 'min=300 desired=300 max=300' };
    for (const tags of [forged, { ...forged, ScaleToZeroLastTransition: OFF }]) {
      const d = decide(MORNING, { groups: [group(tags, zero)] });
      expect(d.outcome).toBe('skip');
      expect(d.action).toBeUndefined();
      expect(d.tagProblem).toMatchObject({
        resourceId: 'dev-web',
        tag: 'ScaleToZeroSavedCapacity',
        value: 'min=300 desired=300 max=300',
      });
      expect(d.reason).toContain('set the sizes by hand');
    }
  });

  it('does not restore above the max the group had when it saved its sizes', () => {
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: `${OFF} scaled-to-zero max=4`,
      ScaleToZeroSavedCapacity: 'min=300 desired=300 max=300',
    };
    const d = decide(MORNING, { groups: [group(tags, zero)] });
    expect(d.outcome).toBe('skip');
    expect(d.action).toBeUndefined();
    expect(d.reason).toContain('max=300 is above the max=4 the group had when scale-to-zero saved its sizes');
    expect(d.tagProblem).toMatchObject({
      tag: 'ScaleToZeroSavedCapacity',
      expected: expect.stringContaining('max <= 4'),
    });
  });

  it('never restores above SCALE_MAX_RESTORE_CAPACITY, and does not scale down what it would not restore', () => {
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: `${OFF} scaled-to-zero max=300`,
      ScaleToZeroSavedCapacity: 'min=300 desired=300 max=300',
    };
    const d = decide(MORNING, { groups: [group(tags, zero)] });
    expect(d.outcome).toBe('skip');
    expect(d.reason).toContain('max=300 is above SCALE_MAX_RESTORE_CAPACITY=100');

    const s = { ...settings(), maxRestoreCapacity: 3 };
    const down = decide('2026-11-23T17:45:00Z', { groups: [group({ ScaleToZero: 'true' })] }, s);
    expect(down.outcome).toBe('skip');
    expect(down.action).toBeUndefined();
    expect(down.reason).toContain('max=4 is above SCALE_MAX_RESTORE_CAPACITY=3');
    const within = { ...settings(), maxRestoreCapacity: 4 };
    const ok = {
      ...tags,
      ScaleToZeroLastTransition: `${OFF} scaled-to-zero max=4`,
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    expect(decide(MORNING, { groups: [group(ok, zero)] }, within).action).toMatchObject({
      kind: 'restore-group',
      restore: { min: 1, desired: 2, max: 4 },
    });
  });

  it('does not restore from a record of an earlier off period', () => {
    // Scaled down last Monday and never carried forward: the saved sizes are not this night's.
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-11-16T17:30:00Z scaled-to-zero max=4',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const d = decide(MORNING, { groups: [group(tags, zero)] });
    expect(d.outcome).toBe('skip');
    expect(d.action).toBeUndefined();
  });

  it('reports a sleeping group whose saved sizes are gone on every run until a person sets its sizes', () => {
    const tags = { ScaleToZero: 'true', ScaleToZeroLastTransition: `${OFF} scaled-to-zero max=4` };
    // The same night, every run of the day, the next evening (not recorded over) and the morning after.
    for (const at of [
      '2026-11-23T20:00:00Z',
      MORNING,
      '2026-11-24T12:00:00Z',
      '2026-11-24T17:45:00Z',
      '2026-11-25T07:10:00Z',
    ]) {
      const d = decide(at, { groups: [group(tags, zero)] });
      expect(d.outcome).toBe('skip');
      expect(d.action).toBeUndefined();
      expect(d.reason).toContain(
        `at 0 since scale-to-zero scaled it down (ScaleToZeroLastTransition="${OFF} scaled-to-zero max=4"), but its ScaleToZeroSavedCapacity tag is gone`,
      );
      expect(d.reason).toContain('a person must set its sizes (it had max=4)');
      expect(d.tagProblem).toMatchObject({ resourceId: 'dev-web', tag: 'ScaleToZeroLastTransition' });
    }
    // Once a person has set sizes, the run records the transition and leaves them.
    const fixed = decide(MORNING, { groups: [group(tags, { min: 1, desired: 1, max: 2 })] });
    expect(fixed.outcome).toBe('record');
    expect(fixed.reason).toContain('set by hand');
  });

  it('does not bring back a group a person turned off, when its saved sizes outlived an earlier restore', () => {
    // Restored on Tuesday morning (recorded bare), but the saved sizes could not be removed; the
    // owner then set the group to 0 on purpose.
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-11-24T07:00:00Z',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const evening = decide('2026-11-24T17:45:00Z', { groups: [group(tags, zero)] });
    expect(evening.outcome).toBe('skip');
    expect(evening.action).toBeUndefined();
    const morning = decide('2026-11-25T07:10:00Z', { groups: [group(tags, zero)] });
    expect(morning.outcome).toBe('skip');
    expect(morning.action).toBeUndefined();
    expect(morning.tagProblem).toMatchObject({
      tag: 'ScaleToZeroSavedCapacity',
      value: 'min=1 desired=2 max=4',
    });
  });

  it('carries a group whose restore never happened into the next off period, and restores it after that', () => {
    const tags = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: `${OFF} scaled-to-zero max=4`,
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    };
    const evening = decide('2026-11-24T17:45:00Z', { groups: [group(tags, zero)] });
    expect(evening.action).toEqual({
      kind: 'record-transition',
      resourceType: 'auto-scaling-group',
      resourceId: 'dev-web',
      transition: new Date('2026-11-24T17:30:00Z'),
      dropMarker: false,
      carried: { kind: 'scaled-to-zero', max: 4 },
    });
    expect(transitionValue(evening.action!, new Date('2026-11-24T17:45:00Z'))).toBe(
      '2026-11-24T17:30:00Z scaled-to-zero max=4',
    );
    const next = { ...tags, ScaleToZeroLastTransition: '2026-11-24T17:30:00Z scaled-to-zero max=4' };
    expect(decide('2026-11-25T07:10:00Z', { groups: [group(next, zero)] }).outcome).toBe('restore');
  });

  it('reports a ScaleToZeroLastTransition in the future instead of letting it silence the function', () => {
    // A record of a transition that has not happened would read as "already acted on" until then.
    const tags = { ScaleToZero: 'true', ScaleToZeroLastTransition: '2030-01-01T00:00:00Z' };
    const d = decide('2026-11-23T17:45:00Z', { groups: [group(tags)] });
    expect(d.outcome).toBe('skip');
    expect(d.action).toBeUndefined();
    expect(d.tagProblem).toMatchObject({ tag: 'ScaleToZeroLastTransition', value: '2030-01-01T00:00:00Z' });
    expect(d.reason).toContain('is in the future');
  });

  it('does not start a stopped instance on a lone ScaleToZeroStoppedAt, and reports it', () => {
    const quarantined = (tags: Record<string, string>) =>
      instance({
        state: 'stopped',
        tags: { ScaleToZero: 'true', ScaleToZeroStoppedAt: '2026-11-23T17:45:00Z', ...tags },
      });
    for (const extra of <Record<string, string>[]>[
      {},
      { ScaleToZeroLastTransition: OFF },
      // A record of another stop, or of an earlier off period, does not vouch for this marker.
      { ScaleToZeroLastTransition: `${OFF} stopped=2026-11-23T17:31:00Z` },
      { ScaleToZeroLastTransition: '2026-11-16T17:30:00Z stopped=2026-11-23T17:45:00Z' },
    ]) {
      const d = decide(MORNING, { instances: [quarantined(extra)] });
      expect(d.outcome).toBe('skip');
      expect(d.action).toBeUndefined();
      expect(d.tagProblem).toMatchObject({
        resourceId: 'i-0dev',
        tag: 'ScaleToZeroStoppedAt',
        value: '2026-11-23T17:45:00Z',
      });
      expect(d.reason).toContain('not started');
    }
    // Its own record of the stop in the off period that just ended is what starts it.
    const ours = quarantined({ ScaleToZeroLastTransition: `${OFF} stopped=2026-11-23T17:45:00Z` });
    expect(decide(MORNING, { instances: [ours] }).action).toMatchObject({ kind: 'start-instance' });
  });

  it('reports an instance it stopped whose marker is gone, and carries a failed start to the next night', () => {
    const recorded = {
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: `${OFF} stopped=2026-11-23T17:45:00Z`,
    };
    const lost = decide(MORNING, { instances: [instance({ state: 'stopped', tags: recorded })] });
    expect(lost.outcome).toBe('skip');
    expect(lost.reason).toContain('the stopped-at marker is gone');

    const marked = { ...recorded, ScaleToZeroStoppedAt: '2026-11-23T17:45:00Z' };
    const evening = decide('2026-11-24T17:45:00Z', {
      instances: [instance({ state: 'stopped', tags: marked })],
    });
    expect(evening.action).toMatchObject({
      kind: 'record-transition',
      carried: { kind: 'stopped', stoppedAt: new Date('2026-11-23T17:45:00Z') },
    });
    const next = { ...marked, ScaleToZeroLastTransition: transitionValue(evening.action!, new Date(0)) };
    expect(next.ScaleToZeroLastTransition).toBe('2026-11-24T17:30:00Z stopped=2026-11-23T17:45:00Z');
    expect(
      decide('2026-11-25T07:10:00Z', { instances: [instance({ state: 'stopped', tags: next })] }).outcome,
    ).toBe('start');
  });
});
