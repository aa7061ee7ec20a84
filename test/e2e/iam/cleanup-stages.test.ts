/**
 * The cleanup role and the retirement stages, on the local account that enforces it: the four stage
 * actions and the stage tags are allowed exactly where docs/cleanup.md#iam says, and refused elsewhere
 * with UnauthorizedOperation (what a real account answers).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DisableImageCommand,
  DisableImageDeprecationCommand,
  EC2Client,
  EnableImageCommand,
  EnableImageDeprecationCommand,
} from '@aws-sdk/client-ec2';

import { startSandbox, type Sandbox } from '../../../sandbox/server';

const REGION = 'eu-west-1';
let sandbox: Sandbox;
let ec2: EC2Client;
beforeAll(async () => {
  sandbox = await startSandbox();
  ec2 = new EC2Client({ region: REGION, endpoint: sandbox.url, credentials: sandbox.credentials('cleanup') });
});
afterAll(async () => {
  ec2.destroy();
  await sandbox.close();
});

const image = (tags: Record<string, string>) =>
  sandbox.state.region(REGION).addImage({ name: 'x', snapshotIds: [], tags }).id;
const denied = { name: 'UnauthorizedOperation' };

describe('the cleanup role and the stages', () => {
  it('deprecates, tags and disables an opted-in AMI, then gives it back', async () => {
    const id = image({ AutoCleanup: 'TRUE' });
    const Tags = [
      { Key: 'AutoCleanupDeprecatedAt', Value: '2026-11-23T10:00:00Z' },
      { Key: 'AutoCleanupDisabledAt', Value: '2026-11-23T10:00:00Z' },
    ];
    await ec2.send(new CreateTagsCommand({ Resources: [id], Tags }));
    await ec2.send(
      new EnableImageDeprecationCommand({ ImageId: id, DeprecateAt: new Date('2026-11-23T10:00:20Z') }),
    );
    await ec2.send(new DisableImageCommand({ ImageId: id }));
    await ec2.send(new EnableImageCommand({ ImageId: id }));
    await ec2.send(new DisableImageDeprecationCommand({ ImageId: id }));
    await ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: Tags.map(({ Key }) => ({ Key })) }));
    const record = sandbox.state.region(REGION).getImage(id)!;
    expect(record.state).toBe('available');
    expect(record.deprecationTime).toBeUndefined();
  });

  it('refuses to deprecate, disable or stage-tag an AMI that is not opted in', async () => {
    const id = image({});
    await expect(
      ec2.send(
        new EnableImageDeprecationCommand({ ImageId: id, DeprecateAt: new Date('2026-11-23T10:00:00Z') }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(ec2.send(new DisableImageCommand({ ImageId: id }))).rejects.toMatchObject(denied);
    await expect(
      ec2.send(
        new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'AutoCleanupDisabledAt', Value: 'x' }] }),
      ),
    ).rejects.toMatchObject(denied);
  });

  it('gives back only what it staged itself, and writes no other tag on an AMI', async () => {
    const theirs = image({ AutoCleanup: 'true' });
    sandbox.state.region(REGION).getImage(theirs)!.state = 'disabled';
    sandbox.state.region(REGION).getImage(theirs)!.deprecationTime = '2026-10-01T00:00:00Z';
    await expect(ec2.send(new EnableImageCommand({ ImageId: theirs }))).rejects.toMatchObject(denied);
    await expect(ec2.send(new DisableImageDeprecationCommand({ ImageId: theirs }))).rejects.toMatchObject(
      denied,
    );
    await expect(
      ec2.send(new CreateTagsCommand({ Resources: [theirs], Tags: [{ Key: 'LastUsed', Value: 'x' }] })),
    ).rejects.toMatchObject(denied);
    await expect(
      ec2.send(new DeleteTagsCommand({ Resources: [theirs], Tags: [{ Key: 'AutoCleanup' }] })),
    ).rejects.toMatchObject(denied);
  });
});
