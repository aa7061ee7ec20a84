/**
 * "A patch window at 03:00 on a sleeping box": the real scale-to-zero handler, signed as its role,
 * against the local account on a simulated clock. The team's hours are Mon-Fri 08:00-19:00 UTC; an
 * SSM maintenance window patches `Patch Group=dev` every night at 03:00 UTC for 2 hours. The dev box
 * and the dev group (which propagates `Patch Group` to its instances) are asleep at 22:00, turned on
 * at 02:30 (30 minutes' lead), off again at 05:00 and on at 08:00 by the schedule; a box outside the
 * window's targets sleeps through. When the window read is refused, the run says so and still does
 * its schedule work.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateMaintenanceWindowCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';

import { maintenanceWindows } from '../../../sandbox/services/ssm-maintenance-windows';
import { decisionsFor, NO_BACKOFF } from '../../helpers/harness';
import { SCALE_REGION as REGION, useScaleFixture } from '../../helpers/scale-fixture';

const QUARTER = 15 * 60_000;

const fx = useScaleFixture({
  settings: { SCALE_DEFAULT_SCHEDULE: 'Mon-Fri 08:00-19:00 UTC', SCALE_PATCH_WINDOW_LEAD_MINUTES: '30' },
  handler: NO_BACKOFF,
});
const { region, summaries } = fx;
const logs: Record<string, unknown>[] = [];
beforeEach(() => {
  logs.length = 0;
  maintenanceWindows(fx.sandbox.state, REGION).clock = () => new Date(fx.now);
});

const stateOf = (id: string) => region().getInstance(id)!.state;
const sizes = (name: string) => {
  const g = region().getAutoScalingGroup(name)!;
  return [g.minSize, g.desiredCapacity, g.maxSize];
};

/** Runs the handler at `from`, then every quarter hour up to and including `to`. */
async function runEvery(from: string, to = from): Promise<void> {
  for (let t = Date.parse(from); t <= Date.parse(to); t += QUARTER) {
    logs.push(...(await fx.runAt(t)).logs);
  }
}

async function seed() {
  const r = region();
  const image = r.addImage({ name: 'dev-base' });
  const devBox = r.addInstance({ imageId: image.id, tags: { ScaleToZero: 'true', 'Patch Group': 'dev' } });
  const otherBox = r.addInstance({ imageId: image.id, tags: { ScaleToZero: 'true', 'Patch Group': 'prod' } });
  const template = r.addLaunchTemplate({ name: 'dev', versions: [{ imageId: image.id }] });
  r.addAutoScalingGroup({
    name: 'dev-web',
    launchTemplate: { launchTemplateId: template.id, version: '$Default' },
    minSize: 1,
    desiredCapacity: 2,
    maxSize: 4,
    tags: { ScaleToZero: 'true', 'Patch Group': 'dev' },
    propagateAtLaunch: ['Patch Group'],
  });
  // The operator's window, seeded with admin credentials through the real SSM client.
  fx.now = Date.parse('2026-11-30T12:00:00Z');
  const ssm = new SSMClient({
    region: REGION,
    endpoint: fx.sandbox.url,
    credentials: fx.sandbox.credentials('admin'),
  });
  const { WindowId } = await ssm.send(
    new CreateMaintenanceWindowCommand({
      Name: 'nightly-patch',
      Schedule: 'cron(0 3 ? * * *)',
      Duration: 2,
      Cutoff: 1,
      AllowUnassociatedTargets: false,
    }),
  );
  await ssm.send(
    new RegisterTargetWithMaintenanceWindowCommand({
      WindowId,
      ResourceType: 'INSTANCE',
      Targets: [{ Key: 'tag:Patch Group', Values: ['dev'] }],
    }),
  );
  ssm.destroy();
  return { devBox: devBox.id, otherBox: otherBox.id, windowId: WindowId! };
}

describe('a patch window at 03:00 on a sleeping box', () => {
  it('starts the box and the group at 02:30, turns them off after 05:00, and the schedule starts them at 08:00', async () => {
    const { devBox, otherBox, windowId } = await seed();
    const seeding = fx.sandbox.requests.count('ssm');
    // Monday 30 November, 18:45: everything is on, nothing asleep: no SSM call at all.
    await runEvery('2026-11-30T18:45:00Z');
    expect(fx.sandbox.requests.count('ssm')).toBe(seeding);

    // 19:00 off; at 22:00 asleep. The window is read, but its targets only once it is due.
    await runEvery('2026-11-30T19:00:00Z');
    await runEvery('2026-11-30T22:00:00Z');
    expect([stateOf(devBox), stateOf(otherBox)]).toEqual(['stopped', 'stopped']);
    expect(sizes('dev-web')).toEqual([0, 0, 0]);
    expect(fx.sandbox.requests.count('ssm', 'DescribeMaintenanceWindows')).toBe(1);
    expect(fx.sandbox.requests.count('ssm', 'DescribeMaintenanceWindowTargets')).toBe(0);

    // Tuesday 1 December: still asleep at 02:15, on at 02:30 for the 03:00 window.
    await runEvery('2026-12-01T02:00:00Z', '2026-12-01T02:15:00Z');
    expect(stateOf(devBox)).toBe('stopped');
    await runEvery('2026-12-01T02:30:00Z');
    expect(stateOf(devBox)).toBe('running');
    expect(sizes('dev-web')).toEqual([1, 2, 4]);
    expect(stateOf(otherBox)).toBe('stopped');
    expect(summaries().at(-1)!.counts).toMatchObject({ instancesStarted: 1, groupsRestored: 1 });
    expect(decisionsFor(logs, devBox).at(-1)).toMatchObject({
      rule: 'patch-window-start',
      reason: `started for maintenance window ${windowId} (nightly-patch) at 03:00 UTC, 30 min lead; back to off at 05:00 UTC`,
    });
    expect(region().tagsOf(devBox)).toMatchObject({
      ScaleToZeroLastTransition: `2026-11-30T19:00:00Z stopped=2026-11-30T19:00:00Z patching=${windowId} until=2026-12-01T05:00:00Z`,
    });
    // The group's sizes stay remembered: it goes back to 0 after the window.
    expect(region().tagsOf('dev-web')).toMatchObject({ ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4' });

    // The window runs 03:00-05:00: left on; back to off at 05:00 (Cutoff does not extend it).
    await runEvery('2026-12-01T02:45:00Z', '2026-12-01T04:45:00Z');
    expect(stateOf(devBox)).toBe('running');
    expect(sizes('dev-web')).toEqual([1, 2, 4]);
    await runEvery('2026-12-01T05:00:00Z');
    expect(stateOf(devBox)).toBe('stopped');
    expect(sizes('dev-web')).toEqual([0, 0, 0]);
    expect(region().tagsOf(devBox)).toMatchObject({
      ScaleToZeroLastTransition: '2026-11-30T19:00:00Z stopped=2026-12-01T05:00:00Z',
      ScaleToZeroStoppedAt: '2026-12-01T05:00:00Z',
    });
    await runEvery('2026-12-01T05:15:00Z', '2026-12-01T07:45:00Z');
    expect(stateOf(devBox)).toBe('stopped');

    // 08:00: the schedule turns everything on, from scale-to-zero's own records.
    await runEvery('2026-12-01T08:00:00Z');
    expect([stateOf(devBox), stateOf(otherBox)]).toEqual(['running', 'running']);
    expect(sizes('dev-web')).toEqual([1, 2, 4]);
    expect(summaries().at(-1)!.counts).toMatchObject({ instancesStarted: 2, groupsRestored: 1 });
    expect(summaries().flatMap((s) => s.failures)).toEqual([]);
    expect(fx.sandbox.requests.errors()).toEqual([]);
    // The night's SSM cost: one list per run with something asleep (26 of the 28 runs), the targets
    // only in the two runs within the lead time, no schedule call (NextExecutionTime was listed).
    expect(summaries()).toHaveLength(28);
    expect(fx.sandbox.requests.count('ssm', 'DescribeMaintenanceWindows')).toBe(26);
    expect(fx.sandbox.requests.count('ssm', 'DescribeMaintenanceWindowTargets')).toBe(2);
    expect(fx.sandbox.requests.count('ssm', 'DescribeMaintenanceWindowSchedule')).toBe(0);
  });

  it('reports a refused window read and still does its schedule work', async () => {
    const { devBox, otherBox } = await seed();
    await runEvery('2026-11-30T19:00:00Z');
    fx.sandbox.faults.add({
      service: 'ssm',
      action: 'DescribeMaintenanceWindows',
      code: 'AccessDeniedException',
      status: 400,
      message: 'User is not authorized to perform: ssm:DescribeMaintenanceWindows',
    });
    await runEvery('2026-12-01T02:30:00Z');
    expect(stateOf(devBox)).toBe('stopped');
    expect(summaries().at(-1)!.failures).toEqual([
      expect.objectContaining({
        resourceId: REGION,
        action: 'DescribeMaintenanceWindows',
        message: expect.stringMatching(/AccessDenied.*nothing was started for a patch window/),
      }),
    ]);
    // The morning: the read is refused again, the schedule's start still happens.
    await runEvery('2026-12-01T08:00:00Z');
    expect([stateOf(devBox), stateOf(otherBox)]).toEqual(['running', 'running']);
    expect(sizes('dev-web')).toEqual([1, 2, 4]);
    expect(summaries().at(-1)!.failures).toHaveLength(1);
  });

  it('with SCALE_PATCH_WINDOWS=false reads no window and lets the box sleep', async () => {
    process.env.SCALE_PATCH_WINDOWS = 'false';
    fx.handler = fx.makeHandler();
    const { devBox } = await seed();
    const seeding = fx.sandbox.requests.count('ssm');
    await runEvery('2026-11-30T19:00:00Z');
    await runEvery('2026-12-01T02:30:00Z', '2026-12-01T03:00:00Z');
    expect(stateOf(devBox)).toBe('stopped');
    expect(fx.sandbox.requests.count('ssm')).toBe(seeding);
  });
});
