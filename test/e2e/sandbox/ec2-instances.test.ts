import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  paginateDescribeInstances,
  paginateDescribeLaunchTemplateVersions,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from '@jest/globals';
import { sandboxWithEc2, sdkClients } from '../../helpers/sandbox-clients';

const fx = sandboxWithEc2();

describe('DescribeInstances', () => {
  it('reports instances in reservations with state, image, lifecycle and root device type', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const image = region.addImage({});
    const spot = region.addInstance({
      imageId: image.id,
      lifecycle: 'spot',
      rootDeviceType: 'instance-store',
      launchTime: '2026-11-20T08:00:00Z',
      tags: { Name: 'worker' },
    });
    const { Reservations } = await fx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [spot.id] }));
    expect(Reservations).toHaveLength(1);
    expect(Reservations![0]!.OwnerId).toBe('123456789012');
    expect(Reservations![0]!.Instances![0]).toMatchObject({
      InstanceId: spot.id,
      ImageId: image.id,
      State: { Code: 16, Name: 'running' },
      InstanceLifecycle: 'spot',
      RootDeviceType: 'instance-store',
      LaunchTime: new Date('2026-11-20T08:00:00Z'),
      Tags: [{ Key: 'Name', Value: 'worker' }],
    });
  });

  it('filters by instance-state-name and tag, and pages with MaxResults/NextToken', async () => {
    const region = fx.sandbox.state.region('eu-central-1');
    const image = region.addImage({});
    for (let i = 0; i < 23; i++) {
      region.addInstance({
        imageId: image.id,
        state: i % 2 ? 'stopped' : 'running',
        tags: { ScaleToZero: 'true' },
      });
    }
    region.addInstance({ imageId: image.id, state: 'terminated', tags: { ScaleToZero: 'true' } });
    region.addInstance({ imageId: image.id });
    const central = sdkClients(fx.sandbox, 'eu-central-1').ec2;
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstances(
      { client: central, pageSize: 5 },
      {
        Filters: [
          { Name: 'tag:ScaleToZero', Values: ['true'] },
          { Name: 'instance-state-name', Values: ['running', 'stopped'] },
        ],
      },
    )) {
      pages++;
      for (const r of page.Reservations ?? []) ids.push(...r.Instances!.map((i) => i.InstanceId!));
    }
    expect(ids).toHaveLength(23);
    expect(pages).toBe(5);
    await expect(
      central.send(new DescribeInstancesCommand({ InstanceIds: [ids[0]!], MaxResults: 5 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
    });
    await expect(
      central.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000beef'] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
    });
    central.destroy();
  });
});

describe('StopInstances and StartInstances', () => {
  it('stops and starts many instances in one call, reporting previous and current state', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const image = region.addImage({});
    const a = region.addInstance({ imageId: image.id });
    const b = region.addInstance({ imageId: image.id, state: 'stopped' });

    const stopped = await fx.ec2.send(new StopInstancesCommand({ InstanceIds: [a.id, b.id] }));
    expect(stopped.StoppingInstances).toEqual([
      {
        InstanceId: a.id,
        PreviousState: { Code: 16, Name: 'running' },
        CurrentState: { Code: 64, Name: 'stopping' },
      },
      {
        InstanceId: b.id,
        PreviousState: { Code: 80, Name: 'stopped' },
        CurrentState: { Code: 80, Name: 'stopped' },
      },
    ]);
    expect(region.getInstance(a.id)!.state).toBe('stopped');

    const started = await fx.ec2.send(new StartInstancesCommand({ InstanceIds: [a.id, b.id] }));
    expect(started.StartingInstances?.map((c) => [c.PreviousState?.Name, c.CurrentState?.Name])).toEqual([
      ['stopped', 'pending'],
      ['stopped', 'pending'],
    ]);
    expect(region.getInstance(b.id)!.state).toBe('running');
  });

  it('refuses instances EC2 cannot stop, changing none of them', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const image = region.addImage({});
    const fine = region.addInstance({ imageId: image.id });
    const ephemeral = region.addInstance({ imageId: image.id, rootDeviceType: 'instance-store' });
    const gone = region.addInstance({ imageId: image.id, state: 'terminated' });
    await expect(
      fx.ec2.send(new StopInstancesCommand({ InstanceIds: [fine.id, ephemeral.id] })),
    ).rejects.toMatchObject({
      name: 'UnsupportedOperation',
      message: expect.stringContaining(ephemeral.id),
    });
    await expect(fx.ec2.send(new StartInstancesCommand({ InstanceIds: [gone.id] }))).rejects.toMatchObject({
      name: 'IncorrectInstanceState',
    });
    expect(region.getInstance(fine.id)!.state).toBe('running');
  });

  it('answers DryRun with DryRunOperation and changes nothing', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const instance = region.addInstance({ imageId: region.addImage({}).id });
    await expect(
      fx.ec2.send(new StopInstancesCommand({ InstanceIds: [instance.id], DryRun: true })),
    ).rejects.toMatchObject({
      name: 'DryRunOperation',
      $metadata: expect.objectContaining({ httpStatusCode: 412 }),
    });
    expect(region.getInstance(instance.id)!.state).toBe('running');
  });
});

describe('launch templates', () => {
  it('describes templates with default and latest version numbers, paginated', async () => {
    const region = fx.sandbox.state.region('us-west-2');
    const image = region.addImage({});
    for (let i = 0; i < 7; i++)
      region.addLaunchTemplate({ name: `t${i}`, versions: [{ imageId: image.id }, {}], defaultVersion: 1 });
    const west = sdkClients(fx.sandbox, 'us-west-2').ec2;
    const first = await west.send(new DescribeLaunchTemplatesCommand({ MaxResults: 5 }));
    expect(first.LaunchTemplates).toHaveLength(5);
    expect(first.LaunchTemplates![0]).toMatchObject({
      LaunchTemplateName: 't0',
      DefaultVersionNumber: 1,
      LatestVersionNumber: 2,
    });
    const second = await west.send(
      new DescribeLaunchTemplatesCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(second.LaunchTemplates?.map((t) => t.LaunchTemplateName)).toEqual(['t5', 't6']);
    expect(second.NextToken).toBeUndefined();
    await expect(
      west.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] })),
    ).rejects.toMatchObject({
      name: 'InvalidLaunchTemplateName.NotFoundException',
    });
    west.destroy();
  });

  it('resolves $Latest, $Default and numbers for one template, by id or by name', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const [v1, v2, v3] = [region.addImage({}), region.addImage({}), region.addImage({})];
    const template = region.addLaunchTemplate({
      name: 'web',
      versions: [{ imageId: v1.id }, { imageId: v2.id }, { imageId: v3.id }],
      defaultVersion: 2,
    });
    const byId = await fx.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template.id,
        Versions: ['$Latest', '$Default', '1'],
      }),
    );
    expect(
      byId.LaunchTemplateVersions?.map((v) => [
        v.VersionNumber,
        v.DefaultVersion,
        v.LaunchTemplateData?.ImageId,
      ]),
    ).toEqual([
      [1, false, v1.id],
      [2, true, v2.id],
      [3, false, v3.id],
    ]);
    const byName = await fx.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web' }),
    );
    expect(byName.LaunchTemplateVersions).toHaveLength(3);
    await expect(
      fx.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.id, Versions: ['9'] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidLaunchTemplateId.VersionNotFound' });
  });

  it('describes $Latest and $Default of ALL templates when no template is named, paginated', async () => {
    const region = fx.sandbox.state.region('ca-central-1');
    const images = Array.from({ length: 30 }, () => region.addImage({ snapshotIds: [] }));
    for (let i = 0; i < 10; i++) {
      region.addLaunchTemplate({
        name: `lt-${i}`,
        versions: [
          { imageId: images[3 * i]!.id },
          { imageId: images[3 * i + 1]!.id },
          { imageId: images[3 * i + 2]!.id },
        ],
        defaultVersion: i === 0 ? 3 : 1, // template 0: $Default is $Latest, reported once
      });
    }
    const canada = sdkClients(fx.sandbox, 'ca-central-1').ec2;
    const seen: Array<[string, number]> = [];
    for await (const page of paginateDescribeLaunchTemplateVersions(
      { client: canada, pageSize: 4 },
      { Versions: ['$Latest', '$Default'] },
    )) {
      seen.push(
        ...page.LaunchTemplateVersions!.map((v): [string, number] => [
          v.LaunchTemplateName!,
          v.VersionNumber!,
        ]),
      );
    }
    expect(seen).toHaveLength(19);
    expect(seen.filter(([name]) => name === 'lt-0')).toEqual([['lt-0', 3]]);
    expect(seen.filter(([name]) => name === 'lt-5')).toEqual([
      ['lt-5', 1],
      ['lt-5', 3],
    ]);
    await expect(
      canada.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['2'] })),
    ).rejects.toMatchObject({
      name: 'MissingParameter',
    });
    canada.destroy();
  });
});
