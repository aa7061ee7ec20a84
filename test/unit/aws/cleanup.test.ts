/**
 * applyCleanup's ordering and failure rules, with a scripted EC2 client: the parts the sandbox
 * cannot show (it does not implement DescribeImageReferences).
 */
import { describe, expect, it } from '@jest/globals';

import { applyCleanup, describeImageReferencesCheck } from '../../../shared/aws/cleanup';

import { awsError, fakeClients, plannedDeletion } from '../../helpers/scripted-ec2';

const deletion = (id: string, snapshotIds: string[]) => plannedDeletion(id, snapshotIds);

const always = () => true;

describe('applyCleanup', () => {
  it('marks snapshots, then deregisters, then deletes them, in that order', async () => {
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DescribeImageReferences' ? { ImageReferences: [] } : {},
    );
    const result = await applyCleanup(
      clients,
      { deletions: [deletion('ami-1', ['snap-1', 'snap-2'])], pendingSnapshotDeletions: [] },
      { hasTime: always, checkImageReferences: true },
    );
    // The last look for instances of the batch comes first, then the second opinion.
    expect(calls.map((c) => c.action)).toEqual([
      'DescribeInstances',
      'DescribeImageReferences',
      'CreateTags',
      'DeregisterImage',
      'DeleteSnapshot',
      'DeleteSnapshot',
    ]);
    expect(calls[2]!.input).toEqual({
      Resources: ['snap-1', 'snap-2'],
      Tags: [{ Key: 'AutoCleanupPendingDeletion', Value: 'ami-1' }],
    });
    expect(result).toMatchObject({
      deregistered: ['ami-1'],
      snapshotsDeleted: ['snap-1', 'snap-2'],
      incomplete: false,
    });
  });

  it('keeps an AMI that DescribeImageReferences says is referenced, and asks for up to 10 at a time', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `ami-${i}`);
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DescribeImageReferences'
        ? {
            ImageReferences: (c.input.ImageIds as string[]).includes('ami-3')
              ? [
                  {
                    ImageId: 'ami-3',
                    ResourceType: 'ssm:Parameter',
                    Arn: 'arn:aws:ssm:eu-west-1:1:parameter/golden',
                  },
                ]
              : [],
          }
        : {},
    );
    const result = await applyCleanup(
      clients,
      { deletions: ids.map((id) => deletion(id, [])), pendingSnapshotDeletions: [] },
      { hasTime: always, checkImageReferences: true },
    );
    const lookups = calls.filter((c) => c.action === 'DescribeImageReferences');
    expect(lookups.map((c) => (c.input.ImageIds as string[]).length)).toEqual([10, 2]);
    expect(result.keptByReferences).toEqual([
      { imageId: 'ami-3', references: ['ssm:Parameter arn:aws:ssm:eu-west-1:1:parameter/golden'] },
    ]);
    expect(result.deregistered).toHaveLength(11);
    expect(result.deregistered).not.toContain('ami-3');
  });

  it('treats an unsupported DescribeImageReferences as unknown and goes on with the plan', async () => {
    const logs: Record<string, unknown>[] = [];
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DescribeImageReferences' ? awsError('InvalidAction') : {},
    );
    const result = await applyCleanup(
      clients,
      {
        deletions: Array.from({ length: 11 }, (_, i) => deletion(`ami-${i}`, [])),
        pendingSnapshotDeletions: [],
      },
      { hasTime: always, checkImageReferences: true, log: (l) => logs.push(l) },
    );
    expect(calls.filter((c) => c.action === 'DescribeImageReferences')).toHaveLength(1); // not asked again
    expect(result.imageReferences).toEqual({
      kind: 'unknown',
      message: expect.stringMatching(/^InvalidAction/),
    });
    expect(describeImageReferencesCheck(result.imageReferences)).toMatch(/^unknown: InvalidAction/);
    expect(result.deregistered).toHaveLength(11);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'warn', action: 'DescribeImageReferences' }),
    );
  });

  it('does not deregister an AMI whose snapshots could not be marked', async () => {
    const { clients, calls } = fakeClients((c) =>
      c.action === 'CreateTags' ? awsError('UnauthorizedOperation') : {},
    );
    const result = await applyCleanup(
      clients,
      { deletions: [deletion('ami-1', ['snap-1'])], pendingSnapshotDeletions: [] },
      { hasTime: always, checkImageReferences: false },
    );
    expect(calls.map((c) => c.action)).toEqual(['DescribeInstances', 'CreateTags']);
    expect(result.failures).toEqual([expect.objectContaining({ resourceId: 'ami-1', action: 'CreateTags' })]);
    expect(result.deregistered).toEqual([]);
  });

  it('leaves InUse snapshots for later and counts an already-deleted snapshot as done', async () => {
    const { clients } = fakeClients((c) =>
      c.action === 'DeleteSnapshot'
        ? c.input.SnapshotId === 'snap-busy'
          ? awsError('InvalidSnapshot.InUse')
          : c.input.SnapshotId === 'snap-gone'
            ? awsError('InvalidSnapshot.NotFound')
            : {}
        : {},
    );
    const result = await applyCleanup(
      clients,
      {
        deletions: [deletion('ami-1', ['snap-busy'])],
        pendingSnapshotDeletions: [{ snapshotId: 'snap-gone', imageId: 'ami-0', reason: 'marked earlier' }],
      },
      { hasTime: always, checkImageReferences: false },
    );
    expect(result).toMatchObject({
      snapshotsDeferred: ['snap-busy'],
      snapshotsDeleted: ['snap-gone'],
      failures: [],
    });
  });

  it('stops before the next step when the budget is spent and lists what it did not reach', async () => {
    let steps = 0;
    const { clients, calls } = fakeClients(() => ({}));
    const result = await applyCleanup(
      clients,
      {
        deletions: [
          deletion('ami-1', ['snap-1']),
          deletion('ami-2', ['snap-2']),
          deletion('ami-3', ['snap-3']),
        ],
        pendingSnapshotDeletions: [{ snapshotId: 'snap-9', imageId: 'ami-9', reason: 'marked earlier' }],
      },
      { hasTime: () => ++steps <= 3, checkImageReferences: false, concurrency: 1 },
    );
    // Three steps: look for instances of the batch, mark ami-1's snapshot, deregister ami-1. Its
    // snapshot keeps the mark for later.
    expect(calls.map((c) => c.action)).toEqual(['DescribeInstances', 'CreateTags', 'DeregisterImage']);
    expect(result.incomplete).toBe(true);
    expect(result.deregistered).toEqual(['ami-1']);
    expect(result.outcomes.filter((o) => o.action === 'not-reached').map((o) => o.resourceId)).toEqual([
      'snap-1',
      'ami-2',
      'ami-3',
    ]);
  });
});

describe('applyCleanup: onDeregistered, for the run measuring its deletion rate as it goes', () => {
  it('names each AMI right after it is gone (deregistered, or found gone), before its snapshots go, and no other', async () => {
    const order: string[] = [];
    const { clients } = fakeClients((c) => {
      order.push(`${c.action} ${String(c.input.ImageId ?? c.input.SnapshotId ?? '')}`.trim());
      if (c.action === 'DeregisterImage' && c.input.ImageId === 'ami-gone') {
        return awsError('InvalidAMIID.NotFound');
      }
      if (c.action === 'DeregisterImage' && c.input.ImageId === 'ami-denied') {
        return awsError('UnauthorizedOperation');
      }
      return {};
    });
    const result = await applyCleanup(
      clients,
      {
        deletions: [
          deletion('ami-1', ['snap-1']),
          deletion('ami-gone', ['snap-g']),
          deletion('ami-denied', ['snap-d']),
        ],
        pendingSnapshotDeletions: [],
      },
      {
        hasTime: always,
        checkImageReferences: false,
        concurrency: 1,
        onDeregistered: (id) => order.push(`told ${id}`),
      },
    );
    expect(result.deregistered).toEqual(['ami-1', 'ami-gone']);
    expect(order).toEqual([
      'DescribeInstances',
      'CreateTags',
      'DeregisterImage ami-1',
      'told ami-1',
      'DeleteSnapshot snap-1',
      'CreateTags',
      'DeregisterImage ami-gone',
      'told ami-gone',
      'DeleteSnapshot snap-g',
      'CreateTags',
      'DeregisterImage ami-denied',
    ]);
  });
});

describe('applyCleanup: the last look for instances before deregistering', () => {
  it('asks once per batch of 10, by image id and live state, and keeps the AMIs it finds in use', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `ami-${i}`);
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DescribeInstances'
        ? {
            Reservations: (c.input.Filters as { Name: string; Values: string[] }[])[0]!.Values.includes(
              'ami-11',
            )
              ? [{ Instances: [{ InstanceId: 'i-new', ImageId: 'ami-11', State: { Name: 'pending' } }] }]
              : [],
          }
        : {},
    );
    const result = await applyCleanup(
      clients,
      { deletions: ids.map((id) => deletion(id, [`snap-${id}`])), pendingSnapshotDeletions: [] },
      { hasTime: always, checkImageReferences: false },
    );
    const looks = calls.filter((c) => c.action === 'DescribeInstances');
    expect(looks.map((c) => c.input.Filters)).toEqual([
      [
        { Name: 'image-id', Values: ids.slice(0, 10) },
        {
          Name: 'instance-state-name',
          Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'],
        },
      ],
      [
        { Name: 'image-id', Values: ids.slice(10) },
        {
          Name: 'instance-state-name',
          Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'],
        },
      ],
    ]);
    expect(result.keptByInstances).toEqual([{ imageId: 'ami-11', instances: ['instance i-new (pending)'] }]);
    expect(result.deregistered).toEqual(ids.slice(0, 11));
    // Nothing of the kept AMI was touched: not its snapshot's mark, not the AMI.
    const touched = calls.filter(
      (c) => JSON.stringify(c.input).includes('ami-11') && c.action !== 'DescribeInstances',
    );
    expect(touched).toEqual([]);
    expect(result.outcomes).toContainEqual({
      resourceId: 'ami-11',
      kind: 'image',
      action: 'kept-instance',
      reason:
        'in use by instance i-new (pending), found right before deregistering (launched after the inventory): kept',
    });
  });

  it('a failed look keeps that batch (a failure per AMI) and the next batch goes on', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `ami-${i}`);
    let first = true;
    const { clients, calls } = fakeClients((c) => {
      if (c.action !== 'DescribeInstances') return {};
      if (first) {
        first = false;
        return awsError('RequestLimitExceeded');
      }
      return { Reservations: [] };
    });
    const result = await applyCleanup(
      clients,
      { deletions: ids.map((id) => deletion(id, [])), pendingSnapshotDeletions: [] },
      { hasTime: always, checkImageReferences: false },
    );
    expect(result.deregistered).toEqual(['ami-10']);
    expect(result.failures.map((f) => [f.resourceId, f.action])).toEqual(
      ids.slice(0, 10).map((id) => [id, 'DescribeInstances']),
    );
    expect(result.failures[0]!.message).toBe(
      'DescribeInstances failed: RequestLimitExceeded message; whether an instance runs from it now is unknown, so the AMI was kept; the next run looks again',
    );
    expect(calls.filter((c) => c.action === 'DeregisterImage').map((c) => c.input.ImageId)).toEqual([
      'ami-10',
    ]);
  });
});
