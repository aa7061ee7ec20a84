/**
 * What the plan makes of the state a failed tag batch leaves behind (see applyScaleActions): the
 * action stood, but ScaleToZeroLastTransition was not written. The next run must never undo the
 * action nor redo it over what is there now; and since the saved sizes and the stopped-at marker are
 * tags anyone may write, without the record they are reported, never acted on.
 */
import { describe, expect, it } from '@jest/globals';

import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../../shared/domain';
import { planScale, type ScaleDecision } from '../../../shared/plan/scale';
import { parseHolidays, parseSchedule } from '../../../shared/schedule';

const settings = {
  defaultSchedule: parseSchedule('Mon-Fri 08:00-18:30 Europe/Berlin'),
  namedSchedules: new Map(),
  holidays: parseHolidays([]),
};
// Monday 23 Nov 2026: off from 17:30Z; on again Tuesday 07:00Z.
const EVENING_RERUN = '2026-11-23T17:45:00Z';
const MORNING_RERUN = '2026-11-24T07:15:00Z';

const group = (tags: Record<string, string>, size: [number, number, number]): AutoScalingGroupRecord => ({
  name: 'dev-web',
  launchTemplates: [],
  minSize: size[0],
  desiredCapacity: size[1],
  maxSize: size[2],
  tags: { ScaleToZero: 'true', ...tags },
  instanceIds: [],
});

const instance = (state: string, tags: Record<string, string>): ScalableInstanceRecord => ({
  id: 'i-0dev',
  state,
  rootDeviceType: 'ebs',
  tags: { ScaleToZero: 'true', ...tags },
});

function decide(
  now: string,
  input: { groups?: AutoScalingGroupRecord[]; instances?: ScalableInstanceRecord[] },
): ScaleDecision {
  const plan = planScale({
    groups: input.groups ?? [],
    instances: input.instances ?? [],
    settings,
    now: new Date(now),
  });
  return plan.decisions[0]!;
}

describe('planScale after a failed transition write', () => {
  // Deliberate change: this used to record the transition from the saved sizes alone, which made
  // a forged ScaleToZeroSavedCapacity on a group at 0 restorable the next morning.
  it('a group scaled to 0 keeps its saved sizes and is reported, evening and morning, never restored', () => {
    const g = group({ ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4' }, [0, 0, 0]);
    for (const at of [EVENING_RERUN, MORNING_RERUN]) {
      const d = decide(at, { groups: [g] });
      expect(d.outcome).toBe('skip');
      expect(d.action).toBeUndefined();
      expect(d.tagProblem).toMatchObject({ tag: 'ScaleToZeroSavedCapacity', value: 'min=1 desired=2 max=4' });
      expect(d.reason).toContain('is not backed by ScaleToZeroLastTransition=null');
    }
  });

  it('a restored group (its saved sizes dropped) is left at the sizes it has now', () => {
    const d = decide(MORNING_RERUN, { groups: [group({}, [1, 3, 4])] });
    expect(d.outcome).toBe('record');
    expect(d.reason).toContain('sizes left as they are');
  });

  it('a stopped instance carrying our marker is not stopped again', () => {
    const d = decide(EVENING_RERUN, {
      instances: [instance('stopped', { ScaleToZeroStoppedAt: '2026-11-23T17:30:00Z' })],
    });
    expect(d.outcome).toBe('record');
    expect(d.action).toMatchObject({ kind: 'record-transition', dropMarker: false });
  });

  it('a started instance is left running, and a marker left on it is dropped', () => {
    expect(decide(MORNING_RERUN, { instances: [instance('running', {})] }).outcome).toBe('record');
    const marked = decide(MORNING_RERUN, {
      instances: [instance('running', { ScaleToZeroStoppedAt: '2026-11-23T17:30:00Z' })],
    });
    expect(marked.outcome).toBe('record');
    expect(marked.action).toMatchObject({ kind: 'record-transition', dropMarker: true });
  });
});
