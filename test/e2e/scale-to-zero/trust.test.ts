/**
 * The real scale-to-zero handler, signed as its role, against the local account, with a second
 * principal (admin credentials) playing the person or the adversary who may tag groups and
 * instances: a tag alone never makes the function resize a group or start an instance, and a group
 * it left at 0 without its sizes is reported on every run.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';

import type { RunSummaryDetail } from '../../../shared/events';
import { useScaleFixture } from '../../helpers/scale-fixture';

// Monday 23 Nov 2026 18:30 Berlin is the off transition; Tuesday 08:00 Berlin the on transition.
const OFF_AT = '2026-11-23T17:30:00Z';
const MORNING = '2026-11-24T07:00:00Z';

const fx = useScaleFixture();
const { region, sizes } = fx;
let person: { ec2: EC2Client; autoScaling: AutoScalingClient };
beforeEach(() => {
  person = fx.personClients();
});

async function runAt(at: string): Promise<RunSummaryDetail> {
  await fx.runAt(at);
  return fx.summaries().at(-1)!;
}

const ZERO = { min: 0, desired: 0, max: 0 };

const addGroup = fx.addOptedInGroup;

const tagGroup = (group: string, key: string, value: string) =>
  person.autoScaling.send(
    new CreateOrUpdateTagsCommand({
      Tags: [
        {
          ResourceType: 'auto-scaling-group',
          ResourceId: group,
          Key: key,
          Value: value,
          PropagateAtLaunch: false,
        },
      ],
    }),
  );

describe('scale-to-zero trusts only its own record', () => {
  it('does not resize a group or start a stopped box on tags a person wrote, and reports each run', async () => {
    addGroup('dev-web', { min: 1, desired: 2, max: 4 });
    // Turned off on purpose by its owner, still opted in.
    addGroup('parked', ZERO);
    const image = region().addImage({ name: 'dev-base' });
    // A quarantined box, stopped by a person, still opted in.
    const quarantined = region().addInstance({
      imageId: image.id,
      state: 'stopped',
      tags: { ScaleToZero: 'true' },
    }).id;

    await runAt(OFF_AT);
    expect(sizes('dev-web')).toEqual(ZERO);

    // At night, someone who may only tag writes the sizes and the marker the function itself writes.
    await tagGroup('dev-web', 'ScaleToZeroSavedCapacity', 'min=300 desired=300 max=300');
    await tagGroup('parked', 'ScaleToZeroSavedCapacity', 'min=3 desired=3 max=3');
    await person.ec2.send(
      new CreateTagsCommand({
        Resources: [quarantined],
        Tags: [{ Key: 'ScaleToZeroStoppedAt', Value: '2026-11-23T17:45:00Z' }],
      }),
    );

    for (const at of [MORNING, '2026-11-24T07:15:00Z']) {
      fx.sandbox.requests.reset();
      const summary = await runAt(at);
      expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(0);
      expect(fx.sandbox.requests.count('ec2', 'StartInstances')).toBe(0);
      expect(summary.counts).toMatchObject({ groupsRestored: 0, instancesStarted: 0 });
      expect(summary.skipped).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            resourceId: 'dev-web',
            tag: 'ScaleToZeroSavedCapacity',
            value: 'min=300 desired=300 max=300',
            reason: expect.stringContaining('above the max=4 the group had'),
          }),
          expect.objectContaining({
            resourceId: 'parked',
            tag: 'ScaleToZeroSavedCapacity',
            value: 'min=3 desired=3 max=3',
            reason: expect.stringContaining('is not backed by ScaleToZeroLastTransition'),
          }),
          expect.objectContaining({
            resourceId: quarantined,
            tag: 'ScaleToZeroStoppedAt',
            value: '2026-11-23T17:45:00Z',
            reason: expect.stringContaining('not started'),
          }),
        ]),
      );
    }
    expect(sizes('dev-web')).toEqual(ZERO);
    expect(sizes('parked')).toEqual(ZERO);
    expect(region().getInstance(quarantined)!.state).toBe('stopped');
  });

  it('reports a group whose saved sizes were removed while it slept on every run, until a person sets its sizes', async () => {
    addGroup('dev-web', { min: 1, desired: 2, max: 4 });
    await runAt(OFF_AT);
    await person.autoScaling.send(
      new DeleteGroupTagsCommand({
        Tags: [
          { ResourceType: 'auto-scaling-group', ResourceId: 'dev-web', Key: 'ScaleToZeroSavedCapacity' },
        ],
      }),
    );
    for (const at of ['2026-11-23T20:00:00Z', MORNING, '2026-11-24T07:15:00Z', '2026-11-24T12:00:00Z']) {
      const summary = await runAt(at);
      expect(sizes('dev-web')).toEqual(ZERO);
      expect(summary.skipped).toContainEqual({
        resourceId: 'dev-web',
        tag: 'ScaleToZeroLastTransition',
        value: `${OFF_AT} scaled-to-zero max=4`,
        expected: expect.stringContaining('ScaleToZeroSavedCapacity'),
        reason: expect.stringMatching(
          /at 0 since scale-to-zero scaled it down .* its ScaleToZeroSavedCapacity tag is gone, so it cannot be restored: a person must set its sizes \(it had max=4\)/,
        ),
        rule: 'saved-sizes-lost',
      });
    }
    await person.autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: 'dev-web',
        MinSize: 1,
        DesiredCapacity: 1,
        MaxSize: 4,
      }),
    );
    const fixed = await runAt('2026-11-24T12:15:00Z');
    expect(fixed.skipped).toEqual([]);
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 1, max: 4 });
  });

  it('does not bring back a group its owner turned off after a restore whose saved sizes could not be removed', async () => {
    addGroup('dev-web', { min: 1, desired: 2, max: 4 });
    await runAt(OFF_AT);
    fx.sandbox.faults.add({
      service: 'autoscaling',
      action: 'DeleteTags',
      code: 'ValidationError',
      status: 400,
      times: 1,
    });
    const morning = await runAt(MORNING);
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
    expect(morning.failures).toContainEqual(
      expect.objectContaining({ resourceId: 'dev-web', action: 'DeleteTags' }),
    );
    // The owner turns the group off for the week.
    await person.autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: 'dev-web',
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 0,
      }),
    );
    await runAt('2026-11-24T17:30:00Z');
    fx.sandbox.requests.reset();
    const next = await runAt('2026-11-25T07:00:00Z');
    expect(sizes('dev-web')).toEqual(ZERO);
    expect(fx.sandbox.requests.count('autoscaling', 'UpdateAutoScalingGroup')).toBe(0);
    expect(next.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: 'dev-web',
        tag: 'ScaleToZeroSavedCapacity',
        value: 'min=1 desired=2 max=4',
      }),
    );
  });

  it('a group and an instance it could not turn back on all day are carried to the next night and turned on the morning after', async () => {
    process.env.AWS_MAX_ATTEMPTS = '1';
    fx.handler = fx.makeHandler();
    addGroup('dev-web', { min: 1, desired: 2, max: 4 });
    const image = region().addImage({ name: 'dev-base' });
    const box = region().addInstance({ imageId: image.id, tags: { ScaleToZero: 'true' } }).id;
    await runAt(OFF_AT);
    // No capacity, and the group refused, all of Tuesday.
    const faults = [
      fx.sandbox.faults.add({
        service: 'ec2',
        action: 'StartInstances',
        code: 'InsufficientInstanceCapacity',
        status: 400,
      }),
      fx.sandbox.faults.add({
        service: 'autoscaling',
        action: 'UpdateAutoScalingGroup',
        code: 'ValidationError',
        status: 400,
      }),
    ];
    await runAt(MORNING);
    await runAt('2026-11-24T16:00:00Z');
    for (const f of faults) fx.sandbox.faults.remove(f.id);
    const evening = await runAt('2026-11-24T17:30:00Z');
    expect(evening.skipped).toEqual([]);
    expect(region().tagsOf('dev-web')).toMatchObject({
      ScaleToZeroLastTransition: '2026-11-24T17:30:00Z scaled-to-zero max=4',
      ScaleToZeroSavedCapacity: 'min=1 desired=2 max=4',
    });
    expect(region().tagsOf(box)).toMatchObject({
      ScaleToZeroLastTransition: `2026-11-24T17:30:00Z stopped=${OFF_AT}`,
      ScaleToZeroStoppedAt: OFF_AT,
    });
    await runAt('2026-11-25T07:00:00Z');
    expect(sizes('dev-web')).toEqual({ min: 1, desired: 2, max: 4 });
    expect(region().getInstance(box)!.state).toBe('running');
  });

  it('never scales down or restores a group above SCALE_MAX_RESTORE_CAPACITY', async () => {
    process.env.SCALE_MAX_RESTORE_CAPACITY = '5';
    fx.handler = fx.makeHandler();
    addGroup('small', { min: 1, desired: 2, max: 5 });
    addGroup('big', { min: 2, desired: 4, max: 8 });
    const evening = await runAt(OFF_AT);
    expect(sizes('small')).toEqual(ZERO);
    expect(sizes('big')).toEqual({ min: 2, desired: 4, max: 8 });
    expect(evening.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: 'big',
        reason: expect.stringContaining('SCALE_MAX_RESTORE_CAPACITY=5'),
      }),
    );
    await runAt(MORNING);
    expect(sizes('small')).toEqual({ min: 1, desired: 2, max: 5 });
  });
});
