/**
 * The real scale-to-zero handler against the local account over simulated days: the handler runs
 * every 15 minutes of simulated time (its clock is the only thing simulated), with real SDK clients
 * talking to the sandbox over HTTP.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, StartInstancesCommand } from '@aws-sdk/client-ec2';

import { makeScaleHandler } from '../../../functions/scale-to-zero/handler';
import { invoke, type HandlerRun } from '../../helpers/harness';
import { SCALE_REGION as REGION, useScaleFixture, type ScaleHandler } from '../../helpers/scale-fixture';

const QUARTER = 15 * 60_000;

const fx = useScaleFixture({
  settings: {
    SCALE_SCHEDULES: JSON.stringify({ 'ny-office': 'Mon-Fri 07:00-19:00 America/New_York' }),
    SCALE_HOLIDAYS: '2026-12-24,2026-12-25',
  },
});
const { region, sizes, summaries } = fx;
let runs: HandlerRun[] = [];
beforeEach(() => {
  runs = [];
});

/** Runs the handler at every quarter hour in [from, to], calling `at` before the run at that time. */
async function runEveryQuarter(
  from: string,
  to: string,
  at: Record<string, () => Promise<void> | void> = {},
) {
  for (let t = Date.parse(from); t <= Date.parse(to); t += QUARTER) {
    fx.now = t;
    const hook = at[new Date(t).toISOString().replace('.000Z', 'Z')];
    if (hook) await hook();
    runs.push(await fx.runAt(t));
  }
}

const stateOf = (id: string) => region().getInstance(id)!.state;
const clients = () => fx.personClients();

function seedDevEnvironment() {
  const r = region();
  const image = r.addImage({ name: 'dev-base' });
  const template = r.addLaunchTemplate({ name: 'dev-web', versions: [{ imageId: image.id }] });
  r.addAutoScalingGroup({
    name: 'dev-web',
    launchTemplate: { launchTemplateId: template.id, version: '$Default' },
    minSize: 1,
    desiredCapacity: 2,
    maxSize: 4,
    tags: { ScaleToZero: 'true', Team: 'web' },
  });
  r.addAutoScalingGroup({
    name: 'prod-web',
    launchTemplate: { launchTemplateId: template.id, version: '$Default' },
    minSize: 2,
    desiredCapacity: 3,
    maxSize: 6,
  });
  const devBox = r.addInstance({ imageId: image.id, tags: { ScaleToZero: 'true', Name: 'dev-box' } });
  const lateBox = r.addInstance({ imageId: image.id, tags: { ScaleToZero: 'true', Name: 'late-box' } });
  const prodBox = r.addInstance({ imageId: image.id, tags: { Name: 'prod-box' } });
  const badBox = r.addInstance({
    imageId: image.id,
    tags: { ScaleToZero: 'weekdays 9 to 5', Name: 'bad-box' },
  });
  const spotBox = r.addInstance({ imageId: image.id, lifecycle: 'spot', tags: { ScaleToZero: 'true' } });
  return {
    devBox: devBox.id,
    lateBox: lateBox.id,
    prodBox: prodBox.id,
    badBox: badBox.id,
    spotBox: spotBox.id,
  };
}

describe('scale-to-zero handler over simulated days (Mon-Fri 08:00-18:30 Europe/Berlin)', () => {
  it('takes a dev group to 0 at night and back to its exact sizes in the morning; untagged things are untouched', async () => {
    const ids = seedDevEnvironment();
    // Monday 23 Nov 2026: 17:00Z is 18:00 in Berlin; the environment goes off at 18:30 (17:30Z).
    await runEveryQuarter('2026-11-23T17:00:00Z', '2026-11-23T17:15:00Z');
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });

    await runEveryQuarter('2026-11-23T17:30:00Z', '2026-11-23T17:30:00Z');
    expect(sizes('dev-web')).toEqual({ min: 0, desired: 0, max: 0 });
    expect(region().tagsOf('dev-web')).toMatchObject({
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
      ScaleToZeroLastTransition: '2026-11-23T17:30:00Z scaled-to-zero max=4',
    });
    // The sandbox's Auto Scaling terminates the group's instances as the real one would.
    const groupInstances = region().getAutoScalingGroup('dev-web')!.instanceIds;
    expect(groupInstances.every((id) => ['terminated', 'shutting-down'].includes(stateOf(id)))).toBe(true);
    expect(stateOf(ids.devBox)).toBe('stopped');
    expect(region().tagsOf(ids.devBox)).toMatchObject({
      ScaleToZeroStoppedAt: '2026-11-23T17:30:00Z',
      ScaleToZeroLastTransition: '2026-11-23T17:30:00Z stopped=2026-11-23T17:30:00Z',
    });

    const summary = summaries().at(-1)!;
    expect(summary).toMatchObject({
      function: 'scale-to-zero',
      region: REGION,
      accountId: '123456789012',
      dryRun: false,
    });
    expect(summary.counts).toMatchObject({ groupsScaledToZero: 1, instancesStopped: 2 });
    // 2 group instances + 2 boxes, off from 17:30Z until Tuesday 07:00Z: 4 x 13.5 h.
    expect(summary.counts.estimatedInstanceHoursSaved).toBe(54);

    // The rest of the night: every run is a no-op.
    const stopsBefore = fx.sandbox.requests.count('ec2', 'StopInstances');
    await runEveryQuarter('2026-11-23T17:45:00Z', '2026-11-24T06:45:00Z');
    expect(fx.sandbox.requests.count('ec2', 'StopInstances')).toBe(stopsBefore);
    expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(1);

    // Tuesday 08:00 Berlin.
    await runEveryQuarter('2026-11-24T07:00:00Z', '2026-11-24T07:00:00Z');
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
    expect(region().tagsOf('dev-web')).not.toHaveProperty('ScaleToZeroSavedCapacity');
    expect(stateOf(ids.devBox)).toBe('running');
    expect(region().tagsOf(ids.devBox)).not.toHaveProperty('ScaleToZeroStoppedAt');
    expect(summaries().at(-1)!.counts).toMatchObject({ groupsRestored: 1, instancesStarted: 2 });

    // Never touched: the untagged group and box, the unreadable tag, the Spot instance.
    expect(sizes('prod-web')).toEqual({ min: 2, desired: 3, max: 6 });
    expect(Object.keys(region().tagsOf('prod-web')!)).toEqual([]);
    expect(region().tagsOf(ids.prodBox)).toEqual({ Name: 'prod-box' });
    expect(stateOf(ids.badBox)).toBe('running');
    expect(stateOf(ids.spotBox)).toBe('running');
  });

  it('reports a bad schedule tag with the tag, the value and the expected format, and goes on', async () => {
    const ids = seedDevEnvironment();
    await runEveryQuarter('2026-11-23T17:30:00Z', '2026-11-23T17:30:00Z');
    const skipped = summaries().at(-1)!.skipped;
    expect(skipped).toContainEqual({
      resourceId: ids.badBox,
      tag: 'ScaleToZero',
      value: 'weekdays 9 to 5',
      expected: expect.stringContaining('Mon-Fri 08:00-18:30 Europe/Berlin'),
      reason: expect.stringContaining('is not readable'),
      rule: 'schedule-unreadable',
    });
    expect(skipped).toContainEqual(
      expect.objectContaining({ resourceId: ids.spotBox, reason: expect.stringContaining('Spot instance') }),
    );
    const line = runs[0]!.logs.find((l) => l.type === 'decision' && l.resourceId === ids.badBox);
    expect(line).toMatchObject({
      level: 'warn',
      action: 'skip',
      rule: 'schedule-unreadable',
      tagProblem: { tag: 'ScaleToZero' },
    });
    expect(stateOf(ids.badBox)).toBe('running');
  });

  it("leaves a late worker's box alone: one who starts it at 21:00, one who sets an override", async () => {
    const ids = seedDevEnvironment();
    const { ec2, autoScaling } = clients();
    // late-box's owner asks before the evening to keep it on until 22:00 Berlin (21:00Z).
    await ec2.send(
      new CreateTagsCommand({
        Resources: [ids.lateBox],
        Tags: [{ Key: 'ScaleToZeroSkipUntil', Value: '2026-11-23T21:00:00Z' }],
      }),
    );
    await runEveryQuarter('2026-11-23T17:15:00Z', '2026-11-24T07:15:00Z', {
      // 21:00 Berlin: dev-box's owner starts it again and scales the group up to test something.
      '2026-11-23T20:00:00Z': async () => {
        await ec2.send(new StartInstancesCommand({ InstanceIds: [ids.devBox] }));
        await autoScaling.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: 'dev-web',
            MinSize: 0,
            DesiredCapacity: 1,
            MaxSize: 1,
          }),
        );
      },
      '2026-11-23T20:45:00Z': () => {
        // Not fought: still running and still scaled up after three runs.
        expect(stateOf(ids.devBox)).toBe('running');
        expect(sizes('dev-web')).toEqual({ min: 0, desired: 1, max: 1 });
        expect(stateOf(ids.lateBox)).toBe('running');
      },
      '2026-11-23T21:15:00Z': () => {
        // The override ran out at 21:00Z; that run stopped the box.
        expect(stateOf(ids.lateBox)).toBe('stopped');
      },
    });
    expect(fx.sandbox.requests.count('ec2', 'StopInstances')).toBe(2);
    // Morning: the group gets back what it had before the evening, not the late worker's sizes.
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
    expect(stateOf(ids.devBox)).toBe('running');
    expect(stateOf(ids.lateBox)).toBe('running');
    const expiredOverride = summaries().find((s) =>
      s.skipped.some((k) => k.resourceId === ids.lateBox && k.tag === 'ScaleToZeroSkipUntil'),
    );
    expect(expiredOverride?.skipped).toContainEqual(
      expect.objectContaining({ resourceId: ids.lateBox, reason: expect.stringContaining('expired') }),
    );
    ec2.destroy();
    autoScaling.destroy();
  });

  it('reports a failed start, starts the others, and retries it on the next run', async () => {
    process.env.AWS_MAX_ATTEMPTS = '2'; // keep the SDK's retries of the 5xx short
    const ids = seedDevEnvironment();
    await runEveryQuarter('2026-11-23T17:30:00Z', '2026-11-23T17:30:00Z');
    // No capacity for dev-box this morning (the SDK retries it as a 5xx, then gives up), for as
    // long as the fault is on: the batch call and the instance's own call both fail.
    const fault = fx.sandbox.faults.add({
      service: 'ec2',
      action: 'StartInstances',
      resourceId: ids.devBox,
      code: 'InsufficientInstanceCapacity',
      status: 500,
      message: 'We currently do not have sufficient t3.micro capacity.',
    });
    await runEveryQuarter('2026-11-24T07:00:00Z', '2026-11-24T07:00:00Z');
    expect(stateOf(ids.lateBox)).toBe('running');
    expect(stateOf(ids.devBox)).toBe('stopped');
    expect(summaries().at(-1)!.failures).toContainEqual(
      expect.objectContaining({
        resourceId: ids.devBox,
        action: 'StartInstances',
        message: expect.stringContaining('InsufficientInstanceCapacity'),
      }),
    );
    fx.sandbox.faults.remove(fault.id);
    await runEveryQuarter('2026-11-24T07:15:00Z', '2026-11-24T07:15:00Z');
    expect(stateOf(ids.devBox)).toBe('running');
    expect(summaries().at(-1)!.failures).toEqual([]);
  });

  it('stays off over a weekend and the Christmas holidays, and catches up a missed run', async () => {
    const ids = seedDevEnvironment();
    // Wednesday 23 Dec evening, then nothing runs (an outage) until Monday 28 Dec 09:00Z (10:00 Berlin).
    await runEveryQuarter('2026-12-23T17:30:00Z', '2026-12-23T17:30:00Z');
    expect(sizes('dev-web')).toEqual({ min: 0, desired: 0, max: 0 });
    await runEveryQuarter('2026-12-24T07:00:00Z', '2026-12-24T07:30:00Z'); // a holiday: stays off
    expect(sizes('dev-web')).toEqual({ min: 0, desired: 0, max: 0 });
    await runEveryQuarter('2026-12-28T09:00:00Z', '2026-12-28T09:00:00Z');
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
    expect(stateOf(ids.devBox)).toBe('running');
  });

  it('plans without acting in dry-run', async () => {
    const ids = seedDevEnvironment();
    process.env.SCALE_DRY_RUN = 'true';
    await runEveryQuarter('2026-11-23T17:30:00Z', '2026-11-23T17:30:00Z');
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
    expect(stateOf(ids.devBox)).toBe('running');
    const line = runs[0]!.logs.find((l) => l.type === 'decision' && l.resourceId === 'dev-web');
    expect(line).toMatchObject({ action: 'scale-to-zero (dry run)' });
    expect(fx.sandbox.requests.count('autoscaling', 'CreateOrUpdateTags')).toBe(0);
  });

  it('handles 100 groups and 1,000 instances in one run, in batches of 100 instances', async () => {
    const r = region();
    const image = r.addImage({ name: 'dev-base' });
    for (let n = 0; n < 100; n++) {
      r.addAutoScalingGroup({
        name: `dev-${n}`,
        minSize: 1,
        desiredCapacity: 1,
        maxSize: 2,
        instanceIds: [],
        tags: { ScaleToZero: 'true' },
      });
    }
    const boxes = Array.from(
      { length: 1000 },
      () => r.addInstance({ imageId: image.id, tags: { ScaleToZero: 'true' } }).id,
    );
    await runEveryQuarter('2026-11-23T17:30:00Z', '2026-11-23T17:30:00Z');
    expect(summaries().at(-1)!.counts).toMatchObject({
      instancesSeen: 1000,
      groupsScaledToZero: 100,
      instancesStopped: 1000,
    });
    expect(boxes.every((id) => stateOf(id) === 'stopped')).toBe(true);
    expect(fx.sandbox.requests.count('ec2', 'StopInstances')).toBe(10);
    await runEveryQuarter('2026-11-24T07:00:00Z', '2026-11-24T07:00:00Z');
    expect(summaries().at(-1)!.counts).toMatchObject({ groupsRestored: 100, instancesStarted: 1000 });
    expect(fx.sandbox.requests.count('ec2', 'StartInstances')).toBe(10);
  });

  it('stops between steps when the time budget runs out, and the next run finishes the work', async () => {
    const r = region();
    const image = r.addImage({ name: 'dev-base' });
    const boxes = Array.from(
      { length: 250 },
      () => r.addInstance({ imageId: image.id, tags: { ScaleToZero: 'true' } }).id,
    );
    fx.now = Date.parse('2026-11-23T17:30:00Z');
    // 33 s left with a 20 s safety margin, and every call "takes" 2 s: time for the four reads
    // (STS, groups, instances, databases) and one batch of 100 (tag, stop, tag), not for the next.
    let clock = 0;
    const context = { getRemainingTimeInMillis: () => 33_000 - clock } as Parameters<ScaleHandler>[1];
    const slow = makeScaleHandler({ clock: () => fx.now + clock });
    const originalSend = fx.sandbox.requests.record.bind(fx.sandbox.requests);
    fx.sandbox.requests.record = (entry) => {
      clock += 2_000;
      originalSend(entry);
    };
    const first = await invoke(slow, context);
    fx.sandbox.requests.record = originalSend;
    expect(first.summaries[0]!.incomplete).toBe(true);
    const stopped = boxes.filter((id) => stateOf(id) === 'stopped').length;
    expect(stopped).toBe(100);
    await runEveryQuarter('2026-11-23T17:45:00Z', '2026-11-23T17:45:00Z');
    expect(boxes.every((id) => stateOf(id) === 'stopped')).toBe(true);
    expect(summaries().at(-1)!.incomplete).toBe(false);
  });
});
