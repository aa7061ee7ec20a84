/**
 * The local account's Elastic IPs, volumes and lifecycle hooks through the real SDK clients: the
 * rules and error codes AWS answers with, which the self-heal function's idempotency relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  PutLifecycleHookCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachVolumeCommand,
  CreateVolumeCommand,
  DescribeAddressesCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';

import { replaceGroupInstance } from '../../../sandbox/services/autoscaling/lifecycle-hooks';
import { startSandbox, type Sandbox } from '../../../sandbox/server';

const REGION = 'eu-west-1';
let sandbox: Sandbox;
let ec2: EC2Client;
let autoScaling: AutoScalingClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  const common = { endpoint: sandbox.url, region: REGION, credentials: sandbox.credentials('admin') };
  ec2 = new EC2Client(common);
  autoScaling = new AutoScalingClient(common);
});
afterAll(async () => {
  ec2.destroy();
  autoScaling.destroy();
  await sandbox.close();
});

const region = () => sandbox.state.region(REGION);
const instance = () => region().addInstance({ imageId: region().addImage({}).id });

describe('Elastic IPs', () => {
  it('moves an associated address only with AllowReassociation, and lists it by allocation-id filter', async () => {
    const { AllocationId } = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const [a, b] = [instance(), instance()];
    await ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: a.id }));
    await expect(
      ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: b.id })),
    ).rejects.toMatchObject({
      name: 'Resource.AlreadyAssociated',
    });
    await ec2.send(new AssociateAddressCommand({ AllocationId, InstanceId: b.id, AllowReassociation: true }));
    const out = await ec2.send(
      new DescribeAddressesCommand({
        Filters: [{ Name: 'allocation-id', Values: [AllocationId!, 'eipalloc-0000000000000dead'] }],
      }),
    );
    expect(out.Addresses).toEqual([
      expect.objectContaining({ AllocationId, InstanceId: b.id, Domain: 'vpc' }),
    ]);
    await expect(
      ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000dead'] })),
    ).rejects.toMatchObject({ name: 'InvalidAllocationID.NotFound' });
  });
});

describe('EBS volumes', () => {
  it('attaches in the same zone only, once, and releases the volume when its instance is terminated', async () => {
    const i = instance();
    const here = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 10 }));
    const there = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}b`, Size: 10 }));
    await expect(
      ec2.send(new AttachVolumeCommand({ VolumeId: there.VolumeId, InstanceId: i.id, Device: '/dev/xvdf' })),
    ).rejects.toMatchObject({ name: 'InvalidVolume.ZoneMismatch' });
    const attached = await ec2.send(
      new AttachVolumeCommand({ VolumeId: here.VolumeId, InstanceId: i.id, Device: '/dev/xvdf' }),
    );
    expect(attached.State).toBe('attaching');
    await expect(
      ec2.send(
        new AttachVolumeCommand({ VolumeId: here.VolumeId, InstanceId: instance().id, Device: '/dev/xvdf' }),
      ),
    ).rejects.toMatchObject({ name: 'VolumeInUse' });
    const inUse = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [here.VolumeId!] }));
    expect(inUse.Volumes![0]).toMatchObject({
      State: 'in-use',
      Attachments: [expect.objectContaining({ InstanceId: i.id, Device: '/dev/xvdf', State: 'attached' })],
    });
    i.state = 'terminated';
    const released = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [here.VolumeId!] }] }),
    );
    expect(released.Volumes![0]).toMatchObject({ State: 'available', Attachments: [] });
  });
});

describe('lifecycle hooks', () => {
  it('holds a launched instance in Pending:Wait until completed; a second completion is refused as AWS does', async () => {
    const group = region().addAutoScalingGroup({
      name: 'hooked',
      launchTemplate: {
        launchTemplateId: region().addLaunchTemplate({
          name: 'hooked',
          versions: [{ imageId: region().addImage({}).id }],
        }).id,
      },
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
    });
    await autoScaling.send(
      new PutLifecycleHookCommand({
        AutoScalingGroupName: group.name,
        LifecycleHookName: 'h',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        HeartbeatTimeout: 600,
        DefaultResult: 'CONTINUE',
      }),
    );
    const hooks = await autoScaling.send(
      new DescribeLifecycleHooksCommand({ AutoScalingGroupName: group.name }),
    );
    expect(hooks.LifecycleHooks).toEqual([
      expect.objectContaining({ LifecycleHookName: 'h', HeartbeatTimeout: 600, DefaultResult: 'CONTINUE' }),
    ]);
    const { events, newInstanceIds } = replaceGroupInstance(sandbox.state, REGION, group.name);
    const state = async () =>
      (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group.name] })))
        .AutoScalingGroups![0]!.Instances![0]!.LifecycleState;
    expect(await state()).toBe('Pending:Wait');
    const complete = new CompleteLifecycleActionCommand({
      AutoScalingGroupName: group.name,
      LifecycleHookName: 'h',
      LifecycleActionToken: events[0]!.detail.LifecycleActionToken,
      LifecycleActionResult: 'CONTINUE',
    });
    expect(events[0]!.detail.EC2InstanceId).toBe(newInstanceIds[0]);
    await autoScaling.send(complete);
    expect(await state()).toBe('InService');
    await expect(autoScaling.send(complete)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('No active Lifecycle Action found'),
    });
  });
});
