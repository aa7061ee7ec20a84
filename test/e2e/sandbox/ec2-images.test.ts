import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeregisterImageCommand,
  DescribeImageReferencesCommand,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  DescribeSnapshotsCommand,
  paginateDescribeImages,
  paginateDescribeSnapshots,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from '@jest/globals';
import { sandboxWithEc2, sdkClients } from '../../helpers/sandbox-clients';

const fx = sandboxWithEc2();

describe('DescribeImages', () => {
  it('returns an owned image with the fields the tagger and cleanup read', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const image = region.addImage({
      name: 'web-2026-11-01',
      creationDate: '2026-11-01T10:00:00.000Z',
      tags: { AutoCleanup: 'true', Team: 'a<b & "c"' },
      deregistrationProtection: true,
    });
    const { Images } = await fx.ec2.send(new DescribeImagesCommand({ ImageIds: [image.id] }));
    expect(Images).toHaveLength(1);
    const got = Images![0]!;
    expect(got.ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(got.OwnerId).toBe('123456789012');
    expect(got.Name).toBe('web-2026-11-01');
    expect(got.State).toBe('available');
    expect(got.CreationDate).toBe('2026-11-01T10:00:00.000Z');
    expect(got.DeregistrationProtection).toBe('enabled');
    expect(got.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId).toBe(image.blockDeviceMappings[0]!.snapshotId);
    expect(got.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
    expect(Object.fromEntries(got.Tags!.map((t) => [t.Key, t.Value]))).toEqual({
      AutoCleanup: 'true',
      Team: 'a<b & "c"',
    });
  });

  it('filters by Owner self, tag:KEY, tag-key and state, and tells foreign images apart', async () => {
    const region = fx.sandbox.state.region('us-east-2');
    const mine = region.addImage({ name: 'mine', tags: { AutoCleanup: 'true' } });
    region.addImage({ name: 'mine-untagged' });
    const foreign = region.addImage({
      name: 'vendor',
      ownerId: '999999999999',
      tags: { AutoCleanup: 'true' },
    });
    const east = sdkClients(fx.sandbox, 'us-east-2').ec2;
    const ids = async (input: DescribeImagesCommandInput) =>
      ((await east.send(new DescribeImagesCommand(input))).Images ?? []).map((i) => i.ImageId).sort();

    expect(await ids({ Owners: ['self'] })).toEqual(
      region
        .images()
        .filter((i) => i.ownerId === '123456789012')
        .map((i) => i.id)
        .sort(),
    );
    expect(await ids({ Filters: [{ Name: 'tag:AutoCleanup', Values: ['true'] }] })).toEqual(
      [mine.id, foreign.id].sort(),
    );
    expect(await ids({ Owners: ['self'], Filters: [{ Name: 'tag-key', Values: ['AutoCleanup'] }] })).toEqual([
      mine.id,
    ]);
    expect(await ids({ Owners: ['999999999999'] })).toEqual([foreign.id]);
    expect(
      await ids({
        Filters: [
          { Name: 'name', Values: ['mine*'] },
          { Name: 'state', Values: ['available'] },
        ],
      }),
    ).toHaveLength(2);
    east.destroy();
  });

  it('pages 2,500 images over pages of 1000 with NextToken', async () => {
    const region = fx.sandbox.state.region('ap-south-1');
    for (let i = 0; i < 2500; i++) region.addImage({ name: `bulk-${i}`, snapshotIds: [] });
    const south = sdkClients(fx.sandbox, 'ap-south-1').ec2;
    fx.sandbox.requests.reset();
    const seen: string[] = [];
    const pageSizes: number[] = [];
    for await (const page of paginateDescribeImages(
      { client: south, pageSize: 1000 },
      { Owners: ['self'] },
    )) {
      pageSizes.push(page.Images!.length);
      seen.push(...page.Images!.map((i) => i.ImageId!));
    }
    expect(pageSizes).toEqual([1000, 1000, 500]);
    expect(new Set(seen).size).toBe(2500);
    expect(fx.sandbox.requests.counts()['ec2:DescribeImages']).toBe(3);
    south.destroy();
  });

  it('refuses MaxResults with ImageIds, and MaxResults out of 5..1000, like EC2', async () => {
    const image = fx.sandbox.state.region('eu-west-1').addImage({});
    await expect(
      fx.ec2.send(new DescribeImagesCommand({ ImageIds: [image.id], MaxResults: 10 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
    });
    await expect(fx.ec2.send(new DescribeImagesCommand({ MaxResults: 2 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('answers InvalidAMIID.NotFound for an unknown image id', async () => {
    await expect(
      fx.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })),
    ).rejects.toMatchObject({
      name: 'InvalidAMIID.NotFound',
      message: expect.stringContaining('ami-0123456789abcdef0'),
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
  });

  it('answers DescribeImageReferences with the instances, templates and parameters that name the AMI', async () => {
    const region = fx.sandbox.state.region('eu-south-2');
    const used = region.addImage({ name: 'used' });
    const viaTemplate = region.addImage({ name: 'template-only' });
    const unused = region.addImage({ name: 'unused' });
    const instance = region.addInstance({ imageId: used.id, state: 'stopped' });
    const gone = region.addInstance({ imageId: unused.id, state: 'terminated' });
    const template = region.addLaunchTemplate({ name: 'web', versions: [{ imageId: viaTemplate.id }] });
    const ec2South = sdkClients(fx.sandbox, 'eu-south-2').ec2;
    const answer = await ec2South.send(
      new DescribeImageReferencesCommand({
        ImageIds: [used.id, viaTemplate.id, unused.id],
        IncludeAllResourceTypes: true,
      }),
    );
    ec2South.destroy();
    expect(answer.ImageReferences).toEqual([
      {
        ImageId: used.id,
        ResourceType: 'ec2:Instance',
        Arn: `arn:aws:ec2:eu-south-2:123456789012:instance/${instance.id}`,
      },
      {
        ImageId: viaTemplate.id,
        ResourceType: 'ec2:LaunchTemplate',
        Arn: `arn:aws:ec2:eu-south-2:123456789012:launch-template/${template.id}`,
      },
    ]);
    expect(JSON.stringify(answer)).not.toContain(gone.id);
  });

  it('can play an endpoint without DescribeImageReferences (InvalidAction), which callers treat as unknown', async () => {
    fx.sandbox.faults.add({ service: 'ec2', action: 'DescribeImageReferences', code: 'InvalidAction' });
    try {
      await expect(
        fx.ec2.send(
          new DescribeImageReferencesCommand({
            ImageIds: ['ami-0123456789abcdef0'],
            IncludeAllResourceTypes: true,
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidAction' });
    } finally {
      fx.sandbox.faults.clear();
    }
  });
});

describe('CreateTags and DeleteTags', () => {
  it('tags many images, snapshots and instances in one call', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const images = Array.from({ length: 300 }, () => region.addImage({}));
    const snapshot = region.addSnapshot({});
    const instance = region.addInstance({ imageId: images[0]!.id });
    fx.sandbox.requests.reset();
    await fx.ec2.send(
      new CreateTagsCommand({
        Resources: [...images.map((i) => i.id), snapshot.id, instance.id],
        Tags: [
          { Key: 'LastUsed', Value: '2026-11-23T15:00:00Z' },
          { Key: 'LastUsedRuntime', Value: '2026-11-23T15:00:00Z' },
        ],
      }),
    );
    expect(fx.sandbox.requests.count('ec2', 'CreateTags')).toBe(1);
    for (const image of images)
      expect(region.tagsOf(image.id)).toMatchObject({ LastUsed: '2026-11-23T15:00:00Z' });
    expect(region.tagsOf(snapshot.id)).toMatchObject({ LastUsedRuntime: '2026-11-23T15:00:00Z' });
    expect(region.tagsOf(instance.id)).toMatchObject({ LastUsed: '2026-11-23T15:00:00Z' });

    await fx.ec2.send(
      new DeleteTagsCommand({
        Resources: [images[0]!.id],
        Tags: [{ Key: 'LastUsed', Value: 'not-this-value' }, { Key: 'LastUsedRuntime' }],
      }),
    );
    expect(region.tagsOf(images[0]!.id)).toEqual({ LastUsed: '2026-11-23T15:00:00Z' });
  });

  it('fails the whole call, changing nothing, when one id is unknown', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const image = region.addImage({});
    await expect(
      fx.ec2.send(
        new CreateTagsCommand({
          Resources: [image.id, 'ami-0000000000000dead'],
          Tags: [{ Key: 'K', Value: 'v' }],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidAMIID.NotFound',
      message: expect.stringContaining('ami-0000000000000dead'),
    });
    await expect(
      fx.ec2.send(
        new CreateTagsCommand({ Resources: ['snap-0000000000000dead'], Tags: [{ Key: 'K', Value: 'v' }] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidSnapshot.NotFound' });
    await expect(
      fx.ec2.send(
        new CreateTagsCommand({ Resources: ['i-0000000000000dead'], Tags: [{ Key: 'K', Value: 'v' }] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    expect(region.tagsOf(image.id)).toEqual({});
  });
});

describe('DeregisterImage and DeleteSnapshot', () => {
  it('refuses to deregister a protected image and keeps it', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const image = region.addImage({ deregistrationProtection: true });
    await expect(fx.ec2.send(new DeregisterImageCommand({ ImageId: image.id }))).rejects.toMatchObject({
      name: 'OperationNotPermitted',
      message: expect.stringContaining(image.id),
    });
    expect(region.getImage(image.id)).toBeDefined();
  });

  it('deregisters an image so it disappears, then deletes its snapshot only once no image uses it', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const image = region.addImage({ name: 'old' });
    const snapshotId = image.blockDeviceMappings[0]!.snapshotId!;
    const copy = region.addImage({ name: 'shares-the-snapshot', snapshotIds: [snapshotId] });

    await fx.ec2.send(new DeregisterImageCommand({ ImageId: image.id }));
    const { Images } = await fx.ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'image-id', Values: [image.id] }] }),
    );
    expect(Images).toEqual([]);

    await expect(fx.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }))).rejects.toMatchObject({
      name: 'InvalidSnapshot.InUse',
      message: expect.stringContaining(copy.id),
    });
    await fx.ec2.send(new DeregisterImageCommand({ ImageId: copy.id }));
    await fx.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    expect(region.snapshotExists(snapshotId)).toBe(false);
    await expect(fx.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }))).rejects.toMatchObject({
      name: 'InvalidSnapshot.NotFound',
    });
  });

  it('refuses to deregister an image another account owns', async () => {
    const image = fx.sandbox.state.region('eu-west-1').addImage({ ownerId: '999999999999' });
    await expect(fx.ec2.send(new DeregisterImageCommand({ ImageId: image.id }))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
    });
  });
});

describe('DescribeSnapshots', () => {
  it('filters by owner, id and tag, and pages', async () => {
    const region = fx.sandbox.state.region('sa-east-1');
    const tagged = region.addSnapshot({
      tags: { 'ec2-hygiene:pending-deletion': 'true' },
      startTime: '2026-11-01T00:00:00Z',
    });
    for (let i = 0; i < 11; i++) region.addSnapshot({});
    region.addSnapshot({ ownerId: '999999999999' });
    const sa = sdkClients(fx.sandbox, 'sa-east-1').ec2;
    const { Snapshots } = await sa.send(new DescribeSnapshotsCommand({ SnapshotIds: [tagged.id] }));
    expect(Snapshots?.[0]).toMatchObject({
      SnapshotId: tagged.id,
      OwnerId: '123456789012',
      State: 'completed',
    });
    expect(Snapshots?.[0]?.StartTime).toEqual(new Date('2026-11-01T00:00:00Z'));
    const byTag = await sa.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:ec2-hygiene:pending-deletion', Values: ['true'] }],
      }),
    );
    expect(byTag.Snapshots?.map((s) => s.SnapshotId)).toEqual([tagged.id]);
    let count = 0;
    for await (const page of paginateDescribeSnapshots({ client: sa, pageSize: 5 }, { OwnerIds: ['self'] })) {
      expect(page.Snapshots!.length).toBeLessThanOrEqual(5);
      count += page.Snapshots!.length;
    }
    expect(count).toBe(12);
    sa.destroy();
  });
});
