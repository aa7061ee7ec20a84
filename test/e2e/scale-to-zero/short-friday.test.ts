/**
 * "A short Friday": the real scale-to-zero handler, signed as its role, against the local account on
 * a simulated clock, with a schedule of two windows. The team works Mon-Thu 08:00-18:30 and
 * Fri 08:00-15:00 in Berlin; its group goes to 0 at 15:00 on Friday and comes back on Monday at
 * 08:00. A second group follows the same hours through a named schedule with a holiday of its own
 * (Monday 30 November), so it stays off one more day.
 */
import { describe, expect, it } from '@jest/globals';

import { useScaleFixture } from '../../helpers/scale-fixture';

const SHORT_FRIDAY = 'Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin';
const HOUR = 3_600_000;

const fx = useScaleFixture({
  settings: {
    SCALE_SCHEDULES: JSON.stringify({ 'berlin-team': { schedule: SHORT_FRIDAY, holidays: ['2026-11-30'] } }),
    SCALE_HOLIDAYS: '2026-12-24,2026-12-25',
  },
});
const { region, sizes, summaries } = fx;

/** Runs the handler at `from`, then every `step` up to and including `to`. */
async function runEvery(step: number, from: string, to = from): Promise<void> {
  for (let t = Date.parse(from); t <= Date.parse(to); t += step) await fx.runAt(t);
}

function seedTeam() {
  const r = region();
  const image = r.addImage({ name: 'dev-base' });
  const template = r.addLaunchTemplate({ name: 'dev', versions: [{ imageId: image.id }] });
  const launchTemplate = { launchTemplateId: template.id, version: '$Default' };
  r.addAutoScalingGroup({
    name: 'dev-web',
    launchTemplate,
    minSize: 1,
    desiredCapacity: 2,
    maxSize: 4,
    tags: { ScaleToZero: SHORT_FRIDAY },
  });
  r.addAutoScalingGroup({
    name: 'dev-api',
    launchTemplate,
    minSize: 1,
    desiredCapacity: 1,
    maxSize: 2,
    tags: { ScaleToZero: 'berlin-team' },
  });
}

describe('a short Friday (Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin)', () => {
  it('scales the group to zero at 15:00 on Friday and restores it on Monday at 08:00', async () => {
    seedTeam();
    // Thursday 26 November, 15:00 Berlin (14:00Z): Thursday is a long day, the group stays on.
    await runEvery(15 * 60_000, '2026-11-26T13:45:00Z', '2026-11-26T14:15:00Z');
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });

    // Friday 27 November: still on at 14:45 Berlin, off at 15:00 (14:00Z).
    await runEvery(15 * 60_000, '2026-11-27T13:30:00Z', '2026-11-27T13:45:00Z');
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
    await runEvery(15 * 60_000, '2026-11-27T14:00:00Z');
    for (const name of ['dev-web', 'dev-api']) expect(sizes(name)).toEqual({ min: 0, desired: 0, max: 0 });
    expect(region().tagsOf('dev-web')).toMatchObject({
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
      ScaleToZeroLastTransition: '2026-11-27T14:00:00Z scaled-to-zero max=4',
    });
    const friday = summaries().at(-1)!;
    expect(friday.counts).toMatchObject({ groupsScaledToZero: 2 });
    // dev-web: 2 instances off until Monday 07:00Z (65 h); dev-api: 1 until Tuesday 07:00Z (89 h).
    expect(friday.counts.estimatedInstanceHoursSaved).toBe(2 * 65 + 89);

    // The weekend: the schedule has no transition, so no run resizes anything.
    await runEvery(3 * HOUR, '2026-11-27T17:00:00Z', '2026-11-30T05:00:00Z');
    await runEvery(15 * 60_000, '2026-11-30T06:30:00Z', '2026-11-30T06:45:00Z');
    expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(2);
    expect(sizes('dev-web')).toEqual({ min: 0, desired: 0, max: 0 });

    // Monday 30 November, 08:00 Berlin (07:00Z): dev-web is back with its exact sizes.
    await runEvery(15 * 60_000, '2026-11-30T07:00:00Z');
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
    expect(region().tagsOf('dev-web')).not.toHaveProperty('ScaleToZeroSavedCapacity');
    expect(summaries().at(-1)!.counts).toMatchObject({ groupsRestored: 1 });
    // dev-api's named schedule keeps Monday as its own holiday: it stays at 0 until Tuesday 08:00.
    expect(sizes('dev-api')).toEqual({ min: 0, desired: 0, max: 0 });
    await runEvery(HOUR, '2026-11-30T08:00:00Z', '2026-12-01T06:00:00Z');
    expect(sizes('dev-api')).toEqual({ min: 0, desired: 0, max: 0 });
    await runEvery(15 * 60_000, '2026-12-01T07:00:00Z');
    expect(sizes('dev-api')).toEqual({ min: 1, desired: 1, max: 2 });
    // Meanwhile dev-web had its ordinary Monday: off at 18:30 Berlin, back on Tuesday at 08:00.
    expect(region().tagsOf('dev-web')).toMatchObject({ ScaleToZeroLastTransition: '2026-12-01T07:00:00Z' });
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
  });
});
