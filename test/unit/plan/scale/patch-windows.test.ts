/**
 * Patch windows in the scale-to-zero plan: a resource asleep by scale-to-zero's own record is turned
 * on a lead time before an enabled maintenance window that targets it, kept on while it runs and
 * turned off again when it ends; only what its record says it turned on for a window.
 */
import { describe, expect, it } from '@jest/globals';

import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../../../shared/domain';
import {
  parseTransitionRecord,
  planScale,
  transitionValue,
  type MaintenanceWindow,
  type ScaleDecision,
} from '../../../../shared/plan/scale';
import { parseHolidays, parseSchedule, type PatchWindowSettings } from '../../../../shared/schedule';

// Mon-Fri 08:00-18:30 UTC: off since Monday 30 November 18:30Z, on again Tuesday 08:00Z.
const OFF_AT = '2026-11-30T18:30:00Z';
const STOPPED = `${OFF_AT} stopped=2026-11-30T18:31:00Z`;
const MARKER = '2026-11-30T18:31:00Z';
const SCALED = `${OFF_AT} scaled-to-zero max=4`;
const SIZES = 'min=1 desired=2 max=4';
const MW = 'mw-0abc0123456789def';
const PATCHING = ` patching=${MW} until=2026-12-01T05:00:00Z`;

const nightly = (over: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
  id: MW,
  name: 'nightly-patch',
  nextStart: new Date('2026-12-01T03:00:00Z'),
  durationHours: 2,
  targets: [{ kind: 'tag', key: 'Patch Group', values: ['dev'] }],
  ...over,
});

const box = (
  tags: Record<string, string>,
  over: Partial<ScalableInstanceRecord> = {},
): ScalableInstanceRecord => ({
  id: 'i-0dev',
  state: 'stopped',
  rootDeviceType: 'ebs',
  tags: { ScaleToZero: 'true', 'Patch Group': 'dev', ...tags },
  ...over,
});
const asleep = box({ ScaleToZeroLastTransition: STOPPED, ScaleToZeroStoppedAt: MARKER });

const group = (tags: Record<string, string>, [min, desired, max] = [0, 0, 0]): AutoScalingGroupRecord => ({
  name: 'dev-web',
  launchTemplates: [],
  minSize: min,
  desiredCapacity: desired,
  maxSize: max,
  tags: { ScaleToZero: 'true', ...tags },
  instanceIds: [],
});

function decide(
  now: string,
  input: {
    instances?: ScalableInstanceRecord[];
    groups?: AutoScalingGroupRecord[];
    windows?: MaintenanceWindow[];
    propagated?: Record<string, string>;
    patchWindows?: PatchWindowSettings;
  },
): ScaleDecision {
  const plan = planScale({
    groups: input.groups ?? [],
    instances: input.instances ?? [],
    settings: {
      defaultSchedule: parseSchedule('Mon-Fri 08:00-18:30 UTC'),
      namedSchedules: new Map(),
      holidays: parseHolidays([]),
      ...(input.patchWindows ? { patchWindows: input.patchWindows } : {}),
    },
    now: new Date(now),
    maintenanceWindows: input.windows ?? [nightly()],
    propagatedTags: new Map([['dev-web', input.propagated ?? {}]]),
  });
  return plan.decisions[0]!;
}

describe('patch windows: instances', () => {
  it('starts a box it stopped, within the lead time, and says which window and until when', () => {
    const d = decide('2026-12-01T02:30:00Z', { instances: [asleep] });
    expect(d).toMatchObject({ rule: 'patch-window-start', outcome: 'start' });
    expect(d.reason).toBe(
      `started for maintenance window ${MW} (nightly-patch) at 03:00 UTC, 30 min lead; back to off at 05:00 UTC`,
    );
    // The record keeps the stop it made at 18:30 and adds the window: the morning still finds it.
    expect(transitionValue(d.action!, new Date('2026-12-01T02:30:00Z'))).toBe(STOPPED + PATCHING);
  });

  it('leaves it asleep before the lead time, with a longer lead starts it earlier', () => {
    expect(decide('2026-12-01T02:15:00Z', { instances: [asleep] })).toMatchObject({
      rule: 'already-acted',
      outcome: 'keep',
    });
    const early = decide('2026-12-01T02:15:00Z', {
      instances: [asleep],
      patchWindows: { enabled: true, leadMinutes: 60 },
    });
    expect(early).toMatchObject({ rule: 'patch-window-start', outcome: 'start' });
    expect(early.reason).toContain('60 min lead');
  });

  it('does nothing for windows when SCALE_PATCH_WINDOWS is off', () => {
    const d = decide('2026-12-01T02:30:00Z', {
      instances: [asleep],
      patchWindows: { enabled: false, leadMinutes: 30 },
    });
    expect(d).toMatchObject({ rule: 'already-acted', outcome: 'keep' });
  });

  it('matches by instance id, by tag value and by tag key; not another value', () => {
    const byId = nightly({ targets: [{ kind: 'instance-ids', ids: ['i-0other', 'i-0dev'] }] });
    const byKey = nightly({ targets: [{ kind: 'tag-key', keys: ['Patch Group'] }] });
    const otherValue = nightly({ targets: [{ kind: 'tag', key: 'Patch Group', values: ['prod'] }] });
    const at = '2026-12-01T02:45:00Z';
    expect(decide(at, { instances: [asleep], windows: [byId] }).rule).toBe('patch-window-start');
    expect(decide(at, { instances: [asleep], windows: [byKey] }).rule).toBe('patch-window-start');
    expect(decide(at, { instances: [asleep], windows: [otherValue] }).rule).toBe('already-acted');
    expect(decide(at, { instances: [asleep], windows: [] }).rule).toBe('already-acted');
  });

  it('keeps it on while the window runs, and stops it again once it has ended', () => {
    const patching = box(
      { ScaleToZeroLastTransition: STOPPED + PATCHING, ScaleToZeroStoppedAt: MARKER },
      { state: 'running' },
    );
    // The window's next execution is tomorrow by now: the record alone says when it ends.
    const tomorrow = [nightly({ nextStart: new Date('2026-12-02T03:00:00Z') })];
    const running = decide('2026-12-01T04:00:00Z', { instances: [patching], windows: tomorrow });
    expect(running).toMatchObject({ rule: 'patch-window-running', outcome: 'keep' });
    expect(running.reason).toContain(`${MW} (nightly-patch) until 2026-12-01T05:00:00Z`);
    const over = decide('2026-12-01T05:00:00Z', { instances: [patching], windows: [] });
    expect(over).toMatchObject({ rule: 'patch-window-over', outcome: 'stop' });
    expect(over.reason).toMatch(/ended at 2026-12-01T05:00:00Z: back to off/);
    // Stopped as at the off transition: its new marker and record agree, so 08:00 starts it.
    expect(transitionValue(over.action!, new Date('2026-12-01T05:00:00Z'))).toBe(
      `${OFF_AT} stopped=2026-12-01T05:00:00Z`,
    );
  });

  it('never stops a box a person started in the night: its record has no window', () => {
    const startedByPerson = box(
      { ScaleToZeroLastTransition: STOPPED, ScaleToZeroStoppedAt: MARKER },
      { state: 'running', launchedAt: new Date('2026-12-01T02:00:00Z') },
    );
    for (const at of ['2026-12-01T02:45:00Z', '2026-12-01T04:00:00Z', '2026-12-01T05:30:00Z']) {
      expect(decide(at, { instances: [startedByPerson] })).toMatchObject({
        rule: 'already-acted',
        outcome: 'keep',
      });
    }
  });

  it('does not start what its own record does not say it stopped this off period', () => {
    const at = '2026-12-01T02:45:00Z';
    // A marker alone (forged, or a person's): not started for a window either.
    const markerOnly = box({ ScaleToZeroLastTransition: OFF_AT, ScaleToZeroStoppedAt: MARKER });
    expect(decide(at, { instances: [markerOnly] }).outcome).not.toBe('start');
    // A marker that disagrees with the record.
    const mismatch = box({
      ScaleToZeroLastTransition: STOPPED,
      ScaleToZeroStoppedAt: '2026-11-30T19:00:00Z',
    });
    expect(decide(at, { instances: [mismatch] }).outcome).not.toBe('start');
    // A record of an earlier off period (not yet carried to this one).
    const earlier = box({
      ScaleToZeroLastTransition: '2026-11-27T18:30:00Z stopped=2026-11-27T18:31:00Z',
      ScaleToZeroStoppedAt: '2026-11-27T18:31:00Z',
    });
    expect(decide(at, { instances: [earlier] }).outcome).not.toBe('start');
    // Stopped by a person, no record of a stop at all.
    expect(decide(at, { instances: [box({ ScaleToZeroLastTransition: OFF_AT })] }).outcome).not.toBe('start');
  });

  it('after the window, a box stopped by someone else is recorded as not ours to start in the morning', () => {
    const stopped = box({ ScaleToZeroLastTransition: STOPPED + PATCHING, ScaleToZeroStoppedAt: MARKER });
    const d = decide('2026-12-01T05:15:00Z', { instances: [stopped] });
    expect(d).toMatchObject({ rule: 'patch-window-over', outcome: 'record' });
    expect(d.action).toMatchObject({ kind: 'record-transition', dropMarker: true });
    expect(transitionValue(d.action!, new Date('2026-12-01T05:15:00Z'))).toBe(OFF_AT);
  });

  it('after the window, an active ScaleToZeroSkipUntil keeps it on', () => {
    const kept = box(
      {
        ScaleToZeroLastTransition: STOPPED + PATCHING,
        ScaleToZeroStoppedAt: MARKER,
        ScaleToZeroSkipUntil: '2026-12-01T07:00:00Z',
      },
      { state: 'running' },
    );
    expect(decide('2026-12-01T05:15:00Z', { instances: [kept] })).toMatchObject({
      rule: 'patch-window-over',
      outcome: 'keep',
    });
  });

  it('in the morning, a box still on for a long window is simply on: its marker is dropped', () => {
    const patching = box(
      { ScaleToZeroLastTransition: STOPPED + PATCHING, ScaleToZeroStoppedAt: MARKER },
      { state: 'running' },
    );
    expect(decide('2026-12-01T08:00:00Z', { instances: [patching] })).toMatchObject({
      rule: 'already-on',
      outcome: 'record',
    });
  });
});

describe('patch windows: adversary probes', () => {
  it('a forged window record on a stopped box never starts it, and its end leaves it for a person', () => {
    const forged = box({ ScaleToZeroLastTransition: STOPPED + PATCHING, ScaleToZeroStoppedAt: MARKER });
    expect(decide('2026-12-01T04:00:00Z', { instances: [forged] })).toMatchObject({
      rule: 'patch-window-running',
      outcome: 'keep',
    });
    expect(decide('2026-12-01T05:15:00Z', { instances: [forged] }).outcome).toBe('record');
  });

  it('a window with no next execution, or several windows, never start a box twice or early', () => {
    const { nextStart: _, ...unscheduled } = nightly();
    expect(decide('2026-12-01T02:45:00Z', { instances: [asleep], windows: [unscheduled] }).rule).toBe(
      'already-acted',
    );
    const later = nightly({
      id: 'mw-0fff0123456789abc',
      name: 'late',
      nextStart: new Date('2026-12-01T03:10:00Z'),
    });
    const d = decide('2026-12-01T02:45:00Z', { instances: [asleep], windows: [later, nightly()] });
    expect(d.reason).toContain('(nightly-patch) at 03:00 UTC');
  });

  it('a box that is settling (pending, stopping) is left for the next run, even within the lead time', () => {
    const stopping = box(
      { ScaleToZeroLastTransition: STOPPED, ScaleToZeroStoppedAt: MARKER },
      { state: 'stopping' },
    );
    expect(decide('2026-12-01T02:45:00Z', { instances: [stopping] }).outcome).toBe('keep');
  });
});

describe('patch windows: groups', () => {
  const sleeping = group({ ScaleToZeroLastTransition: SCALED, ScaleToZeroSavedCapacity: SIZES });

  it('restores a group it scaled down when a window targets a tag it propagates, and keeps its sizes remembered', () => {
    const d = decide('2026-12-01T02:30:00Z', { groups: [sleeping], propagated: { 'Patch Group': 'dev' } });
    expect(d).toMatchObject({ rule: 'patch-window-start', outcome: 'restore' });
    expect(d.action).toMatchObject({ kind: 'restore-group', restore: { min: 1, desired: 2, max: 4 } });
    expect(transitionValue(d.action!, new Date('2026-12-01T02:30:00Z'))).toBe(SCALED + PATCHING);
  });

  it('does not match a tag the group carries but does not propagate to its instances', () => {
    const tagged = group({ ...sleeping.tags, 'Patch Group': 'dev' });
    expect(decide('2026-12-01T02:30:00Z', { groups: [tagged], propagated: {} }).rule).toBe('already-acted');
  });

  it('does not restore saved sizes above the recorded max for a window', () => {
    const forged = group({
      ScaleToZeroLastTransition: SCALED,
      ScaleToZeroSavedCapacity: 'min=9 desired=9 max=9',
    });
    expect(
      decide('2026-12-01T02:30:00Z', { groups: [forged], propagated: { 'Patch Group': 'dev' } }).outcome,
    ).not.toBe('restore');
  });

  it('scales it to 0 again when the window ends; at 0 already, its record carries over', () => {
    const on = group(
      { ScaleToZeroLastTransition: SCALED + PATCHING, ScaleToZeroSavedCapacity: SIZES },
      [1, 2, 4],
    );
    const over = decide('2026-12-01T05:00:00Z', { groups: [on] });
    expect(over).toMatchObject({ rule: 'patch-window-over', outcome: 'scale-to-zero' });
    expect(transitionValue(over.action!, new Date('2026-12-01T05:00:00Z'))).toBe(SCALED);
    const atZero = group({ ScaleToZeroLastTransition: SCALED + PATCHING, ScaleToZeroSavedCapacity: SIZES });
    const carried = decide('2026-12-01T05:00:00Z', { groups: [atZero] });
    expect(carried).toMatchObject({ rule: 'patch-window-over', outcome: 'record' });
    expect(transitionValue(carried.action!, new Date('2026-12-01T05:00:00Z'))).toBe(SCALED);
  });
});

describe('the record of a window', () => {
  it('reads and writes `patching=<window> until=<time>` beside a stop or a scale-down only', () => {
    expect(parseTransitionRecord(STOPPED + PATCHING)).toEqual({
      at: new Date(OFF_AT),
      deed: { kind: 'stopped', stoppedAt: new Date(MARKER) },
      patch: { window: MW, until: new Date('2026-12-01T05:00:00Z') },
    });
    expect(parseTransitionRecord(OFF_AT + PATCHING)).toBeUndefined();
    expect(parseTransitionRecord(`${SCALED} patching=mw-1 until=2026-12-01T05:00:00Z`)).toBeUndefined();
  });

  it('an unreadable window record skips the resource and reports it', () => {
    const d = decide('2026-12-01T04:00:00Z', {
      instances: [
        box({ ScaleToZeroLastTransition: `${STOPPED} patching=soon`, ScaleToZeroStoppedAt: MARKER }),
      ],
    });
    expect(d).toMatchObject({ rule: 'transition-unreadable', outcome: 'skip' });
  });
});
