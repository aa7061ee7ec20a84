import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  EC2Client,
  ModifyImageAttributeCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from '@jest/globals';

import type { Sandbox } from '../../../sandbox/server';
import { sandboxWithEc2 } from '../../helpers/sandbox-clients';

let sandbox: Sandbox;
let ec2: EC2Client;
sandboxWithEc2((s, c) => {
  sandbox = s;
  ec2 = c;
});

const ORG = 'arn:aws:organizations::123456789012:organization/o-abc123defg';
const OU = 'arn:aws:organizations::123456789012:ou/o-abc123defg/ou-ab12-cdef3456';

async function launchPermissions(imageId: string) {
  const out = await ec2.send(
    new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
  );
  expect(out.ImageId).toBe(imageId);
  return out.LaunchPermissions;
}

describe('DescribeImageAttribute launchPermission', () => {
  it('answers an empty list for an AMI shared with nobody', async () => {
    const image = sandbox.state.region('eu-west-1').addImage({ name: 'private' });
    expect(await launchPermissions(image.id)).toEqual([]);
  });

  it('lists the seeded accounts, organization and OU, and group all for a public AMI', async () => {
    const region = sandbox.state.region('eu-west-1');
    const image = region.addImage({
      name: 'shared',
      public: true,
      launchPermissions: [
        { userId: '210987654321' },
        { organizationArn: ORG },
        { organizationalUnitArn: OU },
      ],
    });
    expect(await launchPermissions(image.id)).toEqual([
      { Group: 'all' },
      { UserId: '210987654321' },
      { OrganizationArn: ORG },
      { OrganizationalUnitArn: OU },
    ]);
    // DescribeImages reports the same AMI as public.
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [image.id] }));
    expect(Images![0]!.Public).toBe(true);
  });

  it('takes a group all seed entry for public, as EC2 reports it', async () => {
    const image = sandbox.state
      .region('eu-west-1')
      .addImage({ name: 'via-group', launchPermissions: [{ group: 'all' }] });
    expect(image.public).toBe(true);
    expect(await launchPermissions(image.id)).toEqual([{ Group: 'all' }]);
  });

  it('refuses an AMI this account does not own, and an id that does not exist', async () => {
    const region = sandbox.state.region('eu-west-1');
    const vendor = region.addImage({ name: 'vendor', ownerId: '999999999999' });
    await expect(launchPermissions(vendor.id)).rejects.toMatchObject({
      name: 'AuthFailure',
      message: `Not authorized for image:${vendor.id}`,
    });
    await expect(launchPermissions('ami-0123456789abcdef0')).rejects.toMatchObject({
      name: 'InvalidAMIID.NotFound',
    });
  });

  it('names the attribute it implements when asked for another one', async () => {
    const image = sandbox.state.region('eu-west-1').addImage({ name: 'other-attribute' });
    await expect(
      ec2.send(new DescribeImageAttributeCommand({ ImageId: image.id, Attribute: 'bootMode' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('expected launchPermission'),
    });
  });
});

describe('ModifyImageAttribute launchPermission', () => {
  it('adds and removes shares with the LaunchPermission Add/Remove form', async () => {
    const region = sandbox.state.region('eu-west-1');
    const image = region.addImage({ name: 'to-share' });
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: image.id,
        LaunchPermission: { Add: [{ UserId: '210987654321' }, { OrganizationArn: ORG }, { Group: 'all' }] },
      }),
    );
    expect(await launchPermissions(image.id)).toEqual([
      { Group: 'all' },
      { UserId: '210987654321' },
      { OrganizationArn: ORG },
    ]);
    expect(region.getImage(image.id)!.public).toBe(true);

    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: image.id,
        LaunchPermission: { Remove: [{ Group: 'all' }, { OrganizationArn: ORG }] },
      }),
    );
    expect(await launchPermissions(image.id)).toEqual([{ UserId: '210987654321' }]);
    expect(region.getImage(image.id)!.public).toBe(false);
  });

  it('takes the OperationType form with UserIds, UserGroups and organization lists', async () => {
    const image = sandbox.state.region('eu-west-1').addImage({ name: 'flat-form' });
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: image.id,
        Attribute: 'launchPermission',
        OperationType: 'add',
        UserIds: ['210987654321', '210987654321'],
        OrganizationalUnitArns: [OU],
      }),
    );
    expect(await launchPermissions(image.id)).toEqual([
      { UserId: '210987654321' },
      { OrganizationalUnitArn: OU },
    ]);
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: image.id,
        Attribute: 'launchPermission',
        OperationType: 'remove',
        UserIds: ['210987654321'],
        OrganizationalUnitArns: [OU],
      }),
    );
    expect(await launchPermissions(image.id)).toEqual([]);
  });

  it('rejects a malformed account id, a group other than all, and an AMI owned by another account', async () => {
    const region = sandbox.state.region('eu-west-1');
    const image = region.addImage({ name: 'bad-input' });
    await expect(
      ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: image.id,
          LaunchPermission: { Add: [{ UserId: 'bob' }] },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidAMIAttributeItemValue',
      message: expect.stringContaining('"bob"'),
    });
    await expect(
      ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: image.id,
          Attribute: 'launchPermission',
          OperationType: 'add',
          UserGroups: ['everyone' as 'all'],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('expected all'),
    });
    const vendor = region.addImage({ name: 'vendor-2', ownerId: '999999999999' });
    await expect(
      ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: vendor.id,
          LaunchPermission: { Add: [{ Group: 'all' }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AuthFailure' });
    expect(await launchPermissions(image.id)).toEqual([]);
  });
});
