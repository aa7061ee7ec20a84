import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  DescribeTagsCommand,
  paginateDescribeAutoScalingGroups,
  paginateDescribeTags,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { sdkClients } from '../../helpers/sandbox-clients';

let sandbox: Sandbox;
let autoscaling: AutoScalingClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  autoscaling = sdkClients(sandbox).autoscaling;
});
afterAll(async () => {
  autoscaling.destroy();
  await sandbox.close();
});

describe('DescribeAutoScalingGroups', () => {
  it('reports launch configuration, launch template and mixed-instances references, sizes, instances and tags', async () => {
    const region = sandbox.state.region('eu-west-1');
    const [a, b, c] = [region.addImage({}), region.addImage({}), region.addImage({})];
    region.addLaunchConfiguration({ name: 'legacy-lc', imageId: a.id, createdTime: '2026-01-01T00:00:00Z' });
    const template = region.addLaunchTemplate({ name: 'web-lt', versions: [{ imageId: b.id }] });
    const arm = region.addLaunchTemplate({
      name: 'arm-lt',
      versions: [{ imageId: c.id }, { imageId: c.id }],
    });
    region.addAutoScalingGroup({ name: 'legacy', launchConfigurationName: 'legacy-lc', desiredCapacity: 0 });
    region.addAutoScalingGroup({
      name: 'web',
      launchTemplate: { launchTemplateName: 'web-lt', version: '$Latest' },
      minSize: 1,
      desiredCapacity: 2,
      maxSize: 4,
      tags: { ScaleToZero: 'true' },
    });
    region.addAutoScalingGroup({
      name: 'mixed',
      mixedInstancesPolicy: {
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: template.id, version: '$Default' },
          overrides: [
            {
              instanceType: 'm7g.large',
              launchTemplateSpecification: { launchTemplateId: arm.id, version: '2' },
            },
          ],
        },
      },
    });

    const { AutoScalingGroups: groups } = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['legacy', 'web', 'mixed'] }),
    );
    const byName = Object.fromEntries(groups!.map((g) => [g.AutoScalingGroupName, g]));
    expect(byName.legacy).toMatchObject({
      LaunchConfigurationName: 'legacy-lc',
      MinSize: 0,
      DesiredCapacity: 0,
      Instances: [],
    });
    expect(byName.web).toMatchObject({
      LaunchTemplate: { LaunchTemplateId: template.id, LaunchTemplateName: 'web-lt', Version: '$Latest' },
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      Tags: [
        {
          ResourceId: 'web',
          ResourceType: 'auto-scaling-group',
          Key: 'ScaleToZero',
          Value: 'true',
          PropagateAtLaunch: false,
        },
      ],
    });
    expect(byName.web!.Instances).toHaveLength(2);
    expect(region.getInstance(byName.web!.Instances![0]!.InstanceId!)!.imageId).toBe(b.id);
    expect(byName.mixed!.MixedInstancesPolicy?.LaunchTemplate).toEqual({
      LaunchTemplateSpecification: {
        LaunchTemplateId: template.id,
        LaunchTemplateName: 'web-lt',
        Version: '$Default',
      },
      Overrides: [
        {
          InstanceType: 'm7g.large',
          LaunchTemplateSpecification: {
            LaunchTemplateId: arm.id,
            LaunchTemplateName: 'arm-lt',
            Version: '2',
          },
        },
      ],
    });

    const { LaunchConfigurations } = await autoscaling.send(new DescribeLaunchConfigurationsCommand({}));
    expect(LaunchConfigurations).toEqual([
      expect.objectContaining({
        LaunchConfigurationName: 'legacy-lc',
        ImageId: a.id,
        CreatedTime: new Date('2026-01-01T00:00:00Z'),
      }),
    ]);
  });

  it('pages 120 groups 50 at a time by default, and filters by tag', async () => {
    const region = sandbox.state.region('us-east-1');
    for (let i = 0; i < 120; i++) {
      region.addAutoScalingGroup({
        name: `g${i}`,
        instanceIds: [],
        tags: i % 3 === 0 ? { ScaleToZero: 'true' } : {},
      });
    }
    const east = sdkClients(sandbox, 'us-east-1').autoscaling;
    const sizes: number[] = [];
    for await (const page of paginateDescribeAutoScalingGroups({ client: east }, {}))
      sizes.push(page.AutoScalingGroups!.length);
    expect(sizes).toEqual([50, 50, 20]);
    const tagged = await east.send(
      new DescribeAutoScalingGroupsCommand({
        Filters: [{ Name: 'tag:ScaleToZero', Values: ['true'] }],
        MaxRecords: 100,
      }),
    );
    expect(tagged.AutoScalingGroups).toHaveLength(40);
    const byKey = await east.send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag-key', Values: ['ScaleToZero'] }] }),
    );
    expect(byKey.AutoScalingGroups).toHaveLength(40);
    await expect(
      east.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining("'colour'") });
    east.destroy();
  });
});

describe('UpdateAutoScalingGroup', () => {
  it('scales a group to zero and back, terminating and launching its instances', async () => {
    const region = sandbox.state.region('eu-west-1');
    const image = region.addImage({});
    region.addLaunchConfiguration({ name: 'app-lc', imageId: image.id });
    const group = region.addAutoScalingGroup({
      name: 'app',
      launchConfigurationName: 'app-lc',
      minSize: 1,
      desiredCapacity: 2,
      maxSize: 3,
    });
    const before = [...group.instanceIds];

    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'app', MinSize: 0, DesiredCapacity: 0 }),
    );
    expect(region.getAutoScalingGroup('app')).toMatchObject({
      minSize: 0,
      desiredCapacity: 0,
      maxSize: 3,
      instanceIds: [],
    });
    expect(before.map((id) => region.getInstance(id)!.state)).toEqual(['terminated', 'terminated']);

    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'app', MinSize: 1, DesiredCapacity: 2 }),
    );
    const after = region.getAutoScalingGroup('app')!.instanceIds;
    expect(after).toHaveLength(2);
    expect(after.map((id) => region.getInstance(id)!)).toEqual([
      expect.objectContaining({ imageId: image.id, state: 'running' }),
      expect.objectContaining({ imageId: image.id, state: 'running' }),
    ]);
  });

  it('refuses sizes that break min <= desired <= max with AWS ValidationError', async () => {
    sandbox.state
      .region('eu-west-1')
      .addAutoScalingGroup({ name: 'strict', minSize: 1, desiredCapacity: 1, maxSize: 2, instanceIds: [] });
    await expect(
      autoscaling.send(
        new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'strict', DesiredCapacity: 5 }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Desired capacity:5 must be between the specified min size:1 and max size:2',
    });
    await expect(
      autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'strict', MinSize: 3 })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Max bound, 2, must be greater than or equal to min bound, 3',
    });
    await expect(
      autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'missing', MinSize: 0 })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('missing'),
    });
    expect(sandbox.state.region('eu-west-1').getAutoScalingGroup('strict')).toMatchObject({
      minSize: 1,
      desiredCapacity: 1,
      maxSize: 2,
    });
  });
});

describe('SetDesiredCapacity', () => {
  it('changes the desired capacity within the bounds and refuses one above max', async () => {
    const region = sandbox.state.region('eu-west-1');
    const image = region.addImage({});
    region.addLaunchConfiguration({ name: 'sdc-lc', imageId: image.id });
    region.addAutoScalingGroup({
      name: 'sdc',
      launchConfigurationName: 'sdc-lc',
      minSize: 0,
      desiredCapacity: 1,
      maxSize: 2,
    });
    await autoscaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: 'sdc', DesiredCapacity: 2 }),
    );
    expect(region.getAutoScalingGroup('sdc')!.instanceIds).toHaveLength(2);
    await expect(
      autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'sdc', DesiredCapacity: 3 })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'New SetDesiredCapacity value 3 is above max value 2 for the AutoScalingGroup.',
    });
  });
});

describe('group tags', () => {
  it('creates, updates, describes (filtered, paginated) and deletes tags', async () => {
    const region = sandbox.state.region('eu-north-1');
    region.addAutoScalingGroup({ name: 'one', instanceIds: [] });
    region.addAutoScalingGroup({ name: 'two', instanceIds: [], tags: { Team: 'b' } });
    const north = sdkClients(sandbox, 'eu-north-1').autoscaling;
    const tag = (group: string, Key: string, Value: string) => ({
      ResourceId: group,
      ResourceType: 'auto-scaling-group',
      Key,
      Value,
      PropagateAtLaunch: false,
    });
    await north.send(
      new CreateOrUpdateTagsCommand({
        Tags: [tag('one', 'ScaleToZero:sizes', '1/2/3'), tag('two', 'ScaleToZero:sizes', '0/1/1')],
      }),
    );
    await north.send(new CreateOrUpdateTagsCommand({ Tags: [tag('one', 'ScaleToZero:sizes', '2/2/3')] }));
    expect(region.tagsOf('one')).toEqual({ 'ScaleToZero:sizes': '2/2/3' });

    const found = await north.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['ScaleToZero:sizes'] }] }),
    );
    expect(found.Tags?.map((t) => [t.ResourceId, t.Value])).toEqual([
      ['one', '2/2/3'],
      ['two', '0/1/1'],
    ]);
    const pages: number[] = [];
    for await (const page of paginateDescribeTags({ client: north, pageSize: 2 }, {}))
      pages.push(page.Tags!.length);
    expect(pages).toEqual([2, 1]);
    const forTwo = await north.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'auto-scaling-group', Values: ['two'] }] }),
    );
    expect(forTwo.Tags).toHaveLength(2);

    await north.send(
      new DeleteTagsCommand({
        Tags: [{ ResourceId: 'two', ResourceType: 'auto-scaling-group', Key: 'ScaleToZero:sizes' }],
      }),
    );
    expect(region.tagsOf('two')).toEqual({ Team: 'b' });
    await expect(
      north.send(new CreateOrUpdateTagsCommand({ Tags: [tag('ghost', 'K', 'v')] })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('ghost'),
    });
    north.destroy();
  });
});
