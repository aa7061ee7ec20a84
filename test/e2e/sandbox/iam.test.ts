/**
 * The local account answers as AWS would for each function's own role (functions/<name>/resources.yml,
 * resolved like the packaged template): a call the role does not allow is refused with AWS's own
 * error, is not retried as throttling, and names the action and the resource.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateTagsCommand,
  DeregisterImageCommand,
  DescribeImageReferencesCommand,
  DescribeImagesCommand,
  EC2Client,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

import { startSandbox, type Caller, type Sandbox } from '../../../sandbox/server';

const REGION = 'eu-west-1';
let sandbox: Sandbox;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await sandbox.close();
});

function ec2As(caller: Caller): EC2Client {
  const c = new EC2Client({
    endpoint: sandbox.url,
    region: REGION,
    credentials: sandbox.credentials(caller),
    maxAttempts: 3,
  });
  clients.push(c);
  return c;
}

const denied = (action: string, resource: string) =>
  expect.objectContaining({
    name: 'UnauthorizedOperation',
    message: expect.stringMatching(
      new RegExp(
        `not authorized to perform: ${action} on resource: ${resource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
      ),
    ),
    $metadata: expect.objectContaining({ httpStatusCode: 403 }),
  });

describe('the local account enforces each function role', () => {
  it('refuses the tagger a DeregisterImage, once (no retry), naming action and resource', async () => {
    const image = sandbox.state.region(REGION).addImage({ tags: { AutoCleanup: 'true' } });
    sandbox.requests.reset();
    const error = await ec2As('tagger')
      .send(new DeregisterImageCommand({ ImageId: image.id }))
      .catch((e: unknown) => e);
    expect(error).toEqual(denied('ec2:DeregisterImage', `arn:aws:ec2:${REGION}::image/${image.id}`));
    expect(sandbox.requests.count('ec2', 'DeregisterImage')).toBe(1);
    expect(sandbox.state.region(REGION).getImage(image.id)).toBeDefined();
  });

  it('lets cleanup deregister only AMIs tagged AutoCleanup=true, in any case, and not " true "', async () => {
    const region = sandbox.state.region(REGION);
    const upper = region.addImage({ tags: { AutoCleanup: 'TRUE' } });
    const none = region.addImage({ tags: {} });
    const padded = region.addImage({ tags: { AutoCleanup: ' true ' } });
    const cleanup = ec2As('cleanup');
    await cleanup.send(new DeregisterImageCommand({ ImageId: upper.id }));
    expect(region.getImage(upper.id)).toBeUndefined();
    for (const image of [none, padded]) {
      await expect(cleanup.send(new DeregisterImageCommand({ ImageId: image.id }))).rejects.toEqual(
        denied('ec2:DeregisterImage', `arn:aws:ec2:${REGION}::image/${image.id}`),
      );
      expect(region.getImage(image.id)).toBeDefined();
    }
  });

  it('lets cleanup write only its mark, and only on snapshots; one denied resource fails the whole call', async () => {
    const region = sandbox.state.region(REGION);
    const image = region.addImage({});
    const snapshot = image.blockDeviceMappings[0]!.snapshotId!;
    const cleanup = ec2As('cleanup');
    await cleanup.send(
      new CreateTagsCommand({
        Resources: [snapshot],
        Tags: [{ Key: 'AutoCleanupPendingDeletion', Value: image.id }],
      }),
    );
    expect(region.getSnapshot(snapshot)!.tags).toMatchObject({ AutoCleanupPendingDeletion: image.id });
    await expect(
      cleanup.send(new CreateTagsCommand({ Resources: [snapshot], Tags: [{ Key: 'Owner', Value: 'x' }] })),
    ).rejects.toEqual(denied('ec2:CreateTags', `arn:aws:ec2:${REGION}::snapshot/${snapshot}`));
    await expect(
      cleanup.send(
        new CreateTagsCommand({
          Resources: [snapshot, image.id],
          Tags: [{ Key: 'AutoCleanupPendingDeletion', Value: image.id }],
        }),
      ),
    ).rejects.toEqual(denied('ec2:CreateTags', `arn:aws:ec2:${REGION}::image/${image.id}`));
    expect(region.getImage(image.id)!.tags).not.toHaveProperty('AutoCleanupPendingDeletion');
  });

  it('lets scale-to-zero stop only instances that carry ScaleToZero', async () => {
    const region = sandbox.state.region(REGION);
    const image = region.addImage({});
    const optedIn = region.addInstance({
      imageId: image.id,
      state: 'running',
      tags: { ScaleToZero: 'true' },
    });
    const other = region.addInstance({ imageId: image.id, state: 'running' });
    const scale = ec2As('scale-to-zero');
    await scale.send(new StopInstancesCommand({ InstanceIds: [optedIn.id] }));
    await expect(scale.send(new StopInstancesCommand({ InstanceIds: [other.id] }))).rejects.toEqual(
      denied('ec2:StopInstances', `arn:aws:ec2:${REGION}:123456789012:instance/${other.id}`),
    );
    expect(region.getInstance(other.id)!.state).toBe('running');
  });

  it('refuses PutEvents to a bus the role does not name (AccessDeniedException)', async () => {
    const events = new EventBridgeClient({
      endpoint: sandbox.url,
      region: REGION,
      credentials: sandbox.credentials('tagger'),
      maxAttempts: 1,
    });
    clients.push(events);
    const entry = { Source: 'ec2-hygiene', DetailType: 'x', Detail: '{}' };
    await events.send(new PutEventsCommand({ Entries: [entry] }));
    await expect(
      events.send(new PutEventsCommand({ Entries: [{ ...entry, EventBusName: 'someone-elses' }] })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`event-bus/someone-elses`),
    });
  });

  it('asks DescribeImageReferences for the read permissions of what it scans', async () => {
    const image = sandbox.state.region(REGION).addImage({});
    const input = { ImageIds: [image.id], IncludeAllResourceTypes: true };
    // The tagger may describe instances but not launch templates: the scan is refused, not shortened.
    await expect(ec2As('tagger').send(new DescribeImageReferencesCommand(input))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      message: expect.stringContaining('ec2:DescribeImageReferences'),
    });
    await expect(ec2As('cleanup').send(new DescribeImageReferencesCommand(input))).resolves.toMatchObject({
      ImageReferences: [],
    });
  });

  it('refuses an access key that names no function, and lets the admin key do anything', async () => {
    const stranger = new EC2Client({
      endpoint: sandbox.url,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    clients.push(stranger);
    await expect(stranger.send(new DescribeImagesCommand({ Owners: ['self'] }))).rejects.toMatchObject({
      name: 'AuthFailure',
    });
    const ssm = new SSMClient({
      endpoint: sandbox.url,
      region: REGION,
      credentials: sandbox.credentials('admin'),
    });
    clients.push(ssm);
    await expect(ssm.send(new GetParameterCommand({ Name: '/nothing/here' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
  });
});
