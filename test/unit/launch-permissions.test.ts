/**
 * The shared-AMI check around planCleanup: describeSharing's words, and the job's read loop
 * (readAndPlan) with a scripted EC2 client, for what the sandbox cannot easily show:
 * a time budget running out between reads, and an answer without a launchPermission list.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from '@jest/globals';

import type { AwsClients } from '../../shared/aws/clients';
import { readAndPlan } from '../../shared/jobs/cleanup';
import { describeSharing } from '../../shared/launch-permissions';
import { DEFAULT_CLEANUP_SETTINGS } from '../../shared/plan/cleanup';
import { NOW, hoursAgo, image, snapshotsOf, usageOf } from '../helpers/plan-fixtures';

function fakeEc2(answer: (imageId: string) => unknown): { clients: AwsClients; asked: string[] } {
  const asked: string[] = [];
  const ec2 = new EC2Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  ec2.send = (async (command: {
    constructor: { name: string };
    input: { ImageId: string; Attribute: string };
  }) => {
    expect(command.constructor.name).toBe('DescribeImageAttributeCommand');
    expect(command.input.Attribute).toBe('launchPermission');
    asked.push(command.input.ImageId);
    const result = answer(command.input.ImageId);
    if (result instanceof Error) throw result;
    return result;
  }) as unknown as EC2Client['send'];
  return { clients: { region: 'eu-west-1', ec2 } as unknown as AwsClients, asked };
}

/** Four AMIs every other rule allows deleting, oldest first: ami-1 (40 days) ... ami-4 (10 days). */
const images = [40, 30, 20, 10].map((days, i) =>
  image(`ami-${i + 1}`, {}, { LastUsed: hoursAgo(days * 24) }),
);
const input = (maxDeletionsPerRun: number) => ({
  images,
  usage: usageOf(),
  snapshots: snapshotsOf(images),
  settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun },
  now: NOW,
});

describe('describeSharing', () => {
  it('says who else may launch the AMI, and nothing for an empty list', () => {
    expect(describeSharing([])).toBeUndefined();
    expect(describeSharing([{ userId: '210987654321' }])).toBe('shared with 1 other account');
    expect(describeSharing([{ userId: '1' }, { userId: '2' }, { userId: '2' }])).toBe(
      'shared with 2 other accounts',
    );
    expect(describeSharing([{ userId: '1' }, { group: 'all' }])).toBe(
      'public (every AWS account may launch it)',
    );
    expect(
      describeSharing([
        { organizationArn: 'o1' },
        { organizationArn: 'o2' },
        { organizationArn: 'o3' },
        { userId: '1' },
      ]),
    ).toBe('shared with 1 other account, 3 organizations');
    // An entry of a kind this code does not know is still someone else.
    expect(describeSharing([{}])).toBe('shared with 1 launch permission of an unknown kind');
  });
});

describe('readAndPlan', () => {
  it('reads only the AMIs the plan would delete, again after a shared one frees its place', async () => {
    const { clients, asked } = fakeEc2((id) => ({
      LaunchPermissions: id === 'ami-1' ? [{ UserId: '210987654321' }] : [],
    }));
    const { plan, failures, incomplete } = await readAndPlan(clients, input(2), () => true);
    expect(asked).toEqual(['ami-1', 'ami-2', 'ami-3']);
    expect(plan.deletions.map((d) => d.image.id)).toEqual(['ami-2', 'ami-3']);
    expect(plan.decisions.find((d) => d.imageId === 'ami-1')!.reason).toMatch(
      /^shared with 1 other account: /,
    );
    expect(plan.decisions.find((d) => d.imageId === 'ami-4')!.action).toBe('defer');
    expect(plan.launchPermissionsToRead).toEqual([]);
    expect({ failures, incomplete }).toEqual({ failures: [], incomplete: false });
  });

  it('a failed read or an answer without a list keeps that AMI and is a failure naming it', async () => {
    const { clients } = fakeEc2((id) =>
      id === 'ami-1'
        ? Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' })
        : id === 'ami-2'
          ? {}
          : { LaunchPermissions: [] },
    );
    const { plan, failures } = await readAndPlan(clients, input(10), () => true);
    expect(plan.deletions.map((d) => d.image.id)).toEqual(['ami-3', 'ami-4']);
    expect(failures).toEqual([
      {
        resourceId: 'ami-1',
        action: 'DescribeImageAttribute',
        message:
          'could not read its launch permissions: RequestLimitExceeded: Rate exceeded; the AMI was kept and the next run asks again',
      },
      {
        resourceId: 'ami-2',
        action: 'DescribeImageAttribute',
        message: expect.stringContaining('answered without a launchPermission list'),
      },
    ]);
  });

  it('when the time budget runs out, the AMIs not read are kept and the run is incomplete', async () => {
    const { clients, asked } = fakeEc2(() => ({ LaunchPermissions: [] }));
    let budget = 3; // the loop's own check, then two reads
    const { plan, incomplete } = await readAndPlan(clients, input(10), () => budget-- > 0);
    expect(asked).toEqual(['ami-1', 'ami-2']);
    expect(incomplete).toBe(true);
    expect(plan.deletions.map((d) => d.image.id)).toEqual(['ami-1', 'ami-2']);
    expect(plan.decisions.find((d) => d.imageId === 'ami-3')).toMatchObject({
      action: 'keep',
      reason: expect.stringContaining('its launch permissions were not read in this run'),
    });
  });
});
