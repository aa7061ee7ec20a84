/**
 * Scale-to-zero's rule lists: the order is the documented one, and every rule decides some resource
 * (a rule no input reaches is dead code or hidden behind a rule above it).
 */
import { describe, expect, it } from '@jest/globals';
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../../../shared/domain';
import {
  GROUP_RULES,
  INSTANCE_RULES,
  planScale,
  type MaintenanceWindow,
  type Outcome,
  type ScaleDecision,
} from '../../../../shared/plan/scale';
import { parseHolidays, parseSchedule } from '../../../../shared/schedule';

const settings = {
  defaultSchedule: parseSchedule('Mon-Fri 08:00-18:30 UTC'),
  // Always on: no transition at all.
  namedSchedules: new Map([['always', parseSchedule('daily 00:00-24:00 UTC')]]),
  holidays: parseHolidays([]),
  maxRestoreCapacity: 10,
};

// Monday 23 Nov 2026: off since 18:30Z; Tuesday on since 08:00Z, its off period began Monday 18:30Z.
const OFF = '2026-11-23T20:00:00Z';
const ON = '2026-11-24T09:00:00Z';
const OFF_NEXT_DAY = '2026-11-24T20:00:00Z';
const SCALED = '2026-11-23T18:30:00Z scaled-to-zero max=4';
const STOPPED = '2026-11-23T18:30:00Z stopped=2026-11-23T18:31:00Z';
const MARKER = '2026-11-23T18:31:00Z';
const SIZES = 'min=1 desired=2 max=4';
// A maintenance window at 21:00Z on Monday for 2 hours, targeting `Patch Group=dev` (30 min lead).
const WINDOW: MaintenanceWindow = {
  id: 'mw-0123456789abcdef0',
  name: 'nightly-patch',
  nextStart: new Date('2026-11-23T21:00:00Z'),
  durationHours: 2,
  targets: [{ kind: 'tag', key: 'Patch Group', values: ['dev'] }],
};
const IN_LEAD = '2026-11-23T20:45:00Z';
const WINDOW_RUNNING = '2026-11-23T22:00:00Z';
const WINDOW_OVER = '2026-11-23T23:15:00Z';
const PATCHING = ' patching=mw-0123456789abcdef0 until=2026-11-23T23:00:00Z';
const patched = { 'Patch Group': 'dev' };

const DOCUMENTED_GROUP_ORDER = [
  'not-opted-in',
  'opted-out',
  'schedule-unreadable',
  'transition-unreadable',
  'transition-in-future',
  'no-transition',
  'saved-sizes-unreadable',
  'skip-until',
  'saved-sizes-lost',
  'patch-window-start',
  'patch-window-running',
  'patch-window-over',
  'already-acted',
  'over-cap',
  'scale-down',
  'saved-sizes-too-large',
  'still-at-zero',
  'restore',
  'saved-sizes-unvouched',
  'already-at-zero',
  'resized-while-off',
  'not-scaled-by-us',
];

const DOCUMENTED_INSTANCE_ORDER = [
  'not-opted-in',
  'managed-by-group',
  'unsafe-to-stop',
  'opted-out',
  'schedule-unreadable',
  'action-unreadable',
  'transition-unreadable',
  'transition-in-future',
  'no-transition',
  'patch-window-start',
  'patch-window-running',
  'patch-window-over',
  'already-acted',
  'marker-unreadable',
  'settling',
  'terminated',
  'skip-until',
  'stop-unproven',
  'still-stopped',
  'already-off',
  'started-while-off',
  'hibernate',
  'stop',
  'not-stopped-by-us',
  'start',
  'already-on',
];

const group = (tags: Record<string, string>, [min, desired, max] = [1, 2, 4]): AutoScalingGroupRecord => ({
  name: 'dev-web',
  launchTemplates: [],
  minSize: min,
  desiredCapacity: desired,
  maxSize: max,
  tags,
  instanceIds: [],
});

const instance = (
  tags: Record<string, string>,
  over: Partial<ScalableInstanceRecord> = {},
): ScalableInstanceRecord => ({
  id: 'i-0dev',
  state: 'running',
  rootDeviceType: 'ebs',
  tags,
  ...over,
});

function decide(
  now: string,
  input: { groups?: AutoScalingGroupRecord[]; instances?: ScalableInstanceRecord[] },
  id: string,
): ScaleDecision {
  const plan = planScale({
    groups: input.groups ?? [],
    instances: input.instances ?? [],
    settings,
    now: new Date(now),
    maintenanceWindows: [WINDOW],
    propagatedTags: new Map([['dev-web', patched]]),
  });
  const d = plan.decisions.find((x) => x.resourceId === id);
  if (!d) throw new Error(`no decision for ${id}`);
  return d;
}

type Example = [rule: string, outcome: Outcome, now: string, g: AutoScalingGroupRecord];
const GROUP_EXAMPLES: Example[] = [
  ['not-opted-in', 'keep', OFF, group({})],
  ['opted-out', 'keep', OFF, group({ ScaleToZero: 'false' })],
  ['schedule-unreadable', 'skip', OFF, group({ ScaleToZero: 'whenever' })],
  [
    'transition-unreadable',
    'skip',
    OFF,
    group({ ScaleToZero: 'true', ScaleToZeroLastTransition: 'yesterday' }),
  ],
  [
    'transition-in-future',
    'skip',
    OFF,
    group({ ScaleToZero: 'true', ScaleToZeroLastTransition: '2026-11-30T00:00:00Z' }),
  ],
  ['no-transition', 'keep', OFF, group({ ScaleToZero: 'always' })],
  ['saved-sizes-unreadable', 'skip', OFF, group({ ScaleToZero: 'true', ScaleToZeroSavedCapacity: 'lots' })],
  ['skip-until', 'keep', OFF, group({ ScaleToZero: 'true', ScaleToZeroSkipUntil: '2026-11-23T23:00:00Z' })],
  [
    'saved-sizes-lost',
    'skip',
    OFF,
    group({ ScaleToZero: 'true', ScaleToZeroLastTransition: SCALED }, [0, 0, 0]),
  ],
  [
    'patch-window-start',
    'restore',
    IN_LEAD,
    group(
      { ScaleToZero: 'true', ScaleToZeroLastTransition: SCALED, ScaleToZeroSavedCapacity: SIZES },
      [0, 0, 0],
    ),
  ],
  [
    'patch-window-running',
    'keep',
    WINDOW_RUNNING,
    group({
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: SCALED + PATCHING,
      ScaleToZeroSavedCapacity: SIZES,
    }),
  ],
  [
    'patch-window-over',
    'scale-to-zero',
    WINDOW_OVER,
    group({
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: SCALED + PATCHING,
      ScaleToZeroSavedCapacity: SIZES,
    }),
  ],
  [
    'already-acted',
    'keep',
    OFF,
    group({ ScaleToZero: 'true', ScaleToZeroLastTransition: '2026-11-23T18:30:00Z' }),
  ],
  ['over-cap', 'skip', OFF, group({ ScaleToZero: 'true' }, [1, 2, 50])],
  ['scale-down', 'scale-to-zero', OFF, group({ ScaleToZero: 'true' })],
  [
    'saved-sizes-too-large',
    'skip',
    ON,
    group(
      {
        ScaleToZero: 'true',
        ScaleToZeroLastTransition: SCALED,
        ScaleToZeroSavedCapacity: 'min=1 desired=2 max=8',
      },
      [0, 0, 0],
    ),
  ],
  [
    'still-at-zero',
    'record',
    OFF_NEXT_DAY,
    group(
      { ScaleToZero: 'true', ScaleToZeroLastTransition: SCALED, ScaleToZeroSavedCapacity: SIZES },
      [0, 0, 0],
    ),
  ],
  [
    'restore',
    'restore',
    ON,
    group(
      { ScaleToZero: 'true', ScaleToZeroLastTransition: SCALED, ScaleToZeroSavedCapacity: SIZES },
      [0, 0, 0],
    ),
  ],
  [
    'saved-sizes-unvouched',
    'skip',
    ON,
    group({ ScaleToZero: 'true', ScaleToZeroSavedCapacity: SIZES }, [0, 0, 0]),
  ],
  ['already-at-zero', 'record', OFF, group({ ScaleToZero: 'true' }, [0, 0, 0])],
  [
    'resized-while-off',
    'record',
    ON,
    group({ ScaleToZero: 'true', ScaleToZeroLastTransition: SCALED }, [1, 1, 1]),
  ],
  ['not-scaled-by-us', 'record', ON, group({ ScaleToZero: 'true' })],
];

type InstanceExample = [rule: string, outcome: Outcome, now: string, i: ScalableInstanceRecord];
const on = { ScaleToZero: 'true' };
const INSTANCE_EXAMPLES: InstanceExample[] = [
  ['not-opted-in', 'keep', OFF, instance({})],
  ['managed-by-group', 'keep', OFF, instance(on, { autoScalingGroupName: 'dev-web' })],
  ['unsafe-to-stop', 'skip', OFF, instance(on, { lifecycle: 'spot' })],
  ['opted-out', 'keep', OFF, instance({ ScaleToZero: 'false' })],
  ['schedule-unreadable', 'skip', OFF, instance({ ScaleToZero: 'whenever' })],
  ['action-unreadable', 'skip', OFF, instance({ ...on, ScaleToZeroAction: 'sleep' })],
  ['transition-unreadable', 'skip', OFF, instance({ ...on, ScaleToZeroLastTransition: 'yesterday' })],
  [
    'transition-in-future',
    'skip',
    OFF,
    instance({ ...on, ScaleToZeroLastTransition: '2026-11-30T00:00:00Z' }),
  ],
  ['no-transition', 'keep', OFF, instance({ ScaleToZero: 'always' })],
  [
    'patch-window-start',
    'start',
    IN_LEAD,
    instance(
      { ...on, ...patched, ScaleToZeroLastTransition: STOPPED, ScaleToZeroStoppedAt: MARKER },
      { state: 'stopped' },
    ),
  ],
  [
    'patch-window-running',
    'keep',
    WINDOW_RUNNING,
    instance({ ...on, ScaleToZeroLastTransition: STOPPED + PATCHING, ScaleToZeroStoppedAt: MARKER }),
  ],
  [
    'patch-window-over',
    'stop',
    WINDOW_OVER,
    instance({ ...on, ScaleToZeroLastTransition: STOPPED + PATCHING, ScaleToZeroStoppedAt: MARKER }),
  ],
  ['already-acted', 'keep', OFF, instance({ ...on, ScaleToZeroLastTransition: '2026-11-23T18:30:00Z' })],
  ['marker-unreadable', 'skip', OFF, instance({ ...on, ScaleToZeroStoppedAt: 'bad' })],
  ['settling', 'wait', OFF, instance(on, { state: 'pending' })],
  ['terminated', 'keep', OFF, instance(on, { state: 'terminated' })],
  ['skip-until', 'keep', OFF, instance({ ...on, ScaleToZeroSkipUntil: '2026-11-23T23:00:00Z' })],
  ['stop-unproven', 'skip', ON, instance({ ...on, ScaleToZeroStoppedAt: MARKER }, { state: 'stopped' })],
  [
    'still-stopped',
    'record',
    OFF_NEXT_DAY,
    instance(
      { ...on, ScaleToZeroLastTransition: STOPPED, ScaleToZeroStoppedAt: MARKER },
      { state: 'stopped' },
    ),
  ],
  ['already-off', 'record', OFF, instance(on, { state: 'stopped' })],
  ['started-while-off', 'record', OFF, instance(on, { launchedAt: new Date('2026-11-23T19:00:00Z') })],
  [
    'hibernate',
    'stop',
    OFF,
    instance({ ...on, ScaleToZeroAction: 'hibernate' }, { hibernationConfigured: true }),
  ],
  ['stop', 'stop', OFF, instance(on)],
  ['not-stopped-by-us', 'record', ON, instance(on)],
  [
    'start',
    'start',
    ON,
    instance(
      { ...on, ScaleToZeroLastTransition: STOPPED, ScaleToZeroStoppedAt: MARKER },
      { state: 'stopped' },
    ),
  ],
  ['already-on', 'record', ON, instance({ ...on, ScaleToZeroStoppedAt: MARKER })],
];

describe('scale-to-zero rules', () => {
  it('lists the group rules and the instance rules in the documented order, each with a one-line summary', () => {
    expect(GROUP_RULES.map((r) => r.name)).toEqual(DOCUMENTED_GROUP_ORDER);
    expect(INSTANCE_RULES.map((r) => r.name)).toEqual(DOCUMENTED_INSTANCE_ORDER);
    for (const r of [...GROUP_RULES, ...INSTANCE_RULES]) {
      expect(r.summary).toMatch(/^\S.*\S$/);
      expect(r.summary).not.toContain('\n');
    }
  });

  it.each(GROUP_EXAMPLES)('group rule %s decides %s', (rule, outcome, now, g) => {
    const d = decide(now, { groups: [g] }, g.name);
    expect(d).toMatchObject({ rule, outcome, resourceType: 'auto-scaling-group' });
  });

  it.each(INSTANCE_EXAMPLES)('instance rule %s decides %s', (rule, outcome, now, i) => {
    // dev-web carries ScaleToZero, so its members are scaled through it.
    const d = decide(now, { groups: [group({ ScaleToZero: 'false' })], instances: [i] }, i.id);
    expect(d).toMatchObject({ rule, outcome, resourceType: 'instance' });
  });

  it('reaches every rule in both lists with some input', () => {
    expect(GROUP_EXAMPLES.map(([rule]) => rule)).toEqual(GROUP_RULES.map((r) => r.name));
    expect(INSTANCE_EXAMPLES.map(([rule]) => rule)).toEqual(INSTANCE_RULES.map((r) => r.name));
  });

  it('reports an ignored override only for a resource judged by its schedule, not one the tag rules decided', () => {
    const expired = { ScaleToZeroSkipUntil: '2026-11-01T00:00:00Z' };
    const byTags = decide(OFF, { groups: [group({ ScaleToZero: 'whenever', ...expired })] }, 'dev-web');
    expect(byTags).toMatchObject({ rule: 'schedule-unreadable', ignoredTags: [] });
    const bySchedule = decide(OFF, { groups: [group({ ScaleToZero: 'always', ...expired })] }, 'dev-web');
    expect(bySchedule.rule).toBe('no-transition');
    expect(bySchedule.ignoredTags).toEqual([expect.objectContaining({ tag: 'ScaleToZeroSkipUntil' })]);
    const byTransition = decide(OFF, { instances: [instance({ ...on, ...expired })] }, 'i-0dev');
    expect(byTransition.rule).toBe('stop');
    expect(byTransition.ignoredTags).toEqual([expect.objectContaining({ tag: 'ScaleToZeroSkipUntil' })]);
  });
});
