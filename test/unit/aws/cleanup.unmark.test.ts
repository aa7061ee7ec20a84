/**
 * applyCleanup removing stale pending-deletion marks: DeleteTags with the key AND the value (EC2 then
 * removes the tag only where it still has that value), batched per value and up to 1000 snapshots,
 * a failed batch recorded and the run going on, the time budget asked before every call.
 */
import { describe, expect, it } from '@jest/globals';

import { applyCleanup } from '../../../shared/aws/cleanup';
import type { PlannedSnapshotUnmark } from '../../../shared/plan/cleanup';

import { awsError, fakeClients, plannedDeletion } from '../../helpers/scripted-ec2';

const deletion = (id: string, snapshotIds: string[]) =>
  plannedDeletion(id, snapshotIds, snapshotIds, 'unused');

const unmark = (snapshotId: string, mark: string): PlannedSnapshotUnmark => ({
  snapshotId,
  mark,
  imageId: mark.trim(),
  reason: `mark from an interrupted run; ${mark.trim()} still exists and is kept`,
});

const always = () => true;

describe('applyCleanup: stale marks', () => {
  it('removes them with DeleteTags, key and value, one call per mark value, before any deletion', async () => {
    const { clients, calls } = fakeClients(() => ({}));
    const result = await applyCleanup(
      clients,
      {
        deletions: [deletion('ami-9', ['snap-9'])],
        pendingSnapshotDeletions: [],
        snapshotUnmarks: [unmark('snap-1', 'ami-1'), unmark('snap-2', 'ami-2'), unmark('snap-3', 'ami-1')],
      },
      { hasTime: always, checkImageReferences: false },
    );
    expect(calls.map((c) => c.action)).toEqual([
      'DeleteTags',
      'DeleteTags',
      'DescribeInstances',
      'CreateTags',
      'DeregisterImage',
      'DeleteSnapshot',
    ]);
    expect(calls[0]!.input).toEqual({
      Resources: ['snap-1', 'snap-3'],
      Tags: [{ Key: 'AutoCleanupPendingDeletion', Value: 'ami-1' }],
    });
    expect(calls[1]!.input).toEqual({
      Resources: ['snap-2'],
      Tags: [{ Key: 'AutoCleanupPendingDeletion', Value: 'ami-2' }],
    });
    expect(result.snapshotsUnmarked).toEqual(['snap-1', 'snap-3', 'snap-2']);
    expect(result.outcomes.filter((o) => o.action === 'snapshot-unmarked')).toEqual([
      {
        resourceId: 'snap-1',
        kind: 'snapshot',
        action: 'snapshot-unmarked',
        reason:
          'AutoCleanupPendingDeletion=ami-1 removed: a later deregistration of ami-1 cannot get this snapshot deleted',
      },
      expect.objectContaining({ resourceId: 'snap-3' }),
      expect.objectContaining({ resourceId: 'snap-2' }),
    ]);
    expect(result.failures).toEqual([]);
  });

  it('sends the value exactly as read (untrimmed), so EC2 matches the tag', async () => {
    const { clients, calls } = fakeClients(() => ({}));
    await applyCleanup(
      clients,
      { deletions: [], pendingSnapshotDeletions: [], snapshotUnmarks: [unmark('snap-1', ' ami-1 ')] },
      { hasTime: always, checkImageReferences: false },
    );
    expect(calls[0]!.input).toEqual({
      Resources: ['snap-1'],
      Tags: [{ Key: 'AutoCleanupPendingDeletion', Value: ' ami-1 ' }],
    });
  });

  it('batches up to 1000 snapshots a call', async () => {
    const { clients, calls } = fakeClients(() => ({}));
    const many = Array.from({ length: 2001 }, (_, i) => unmark(`snap-${i}`, 'ami-1'));
    const result = await applyCleanup(
      clients,
      { deletions: [], pendingSnapshotDeletions: [], snapshotUnmarks: many },
      { hasTime: always, checkImageReferences: false },
    );
    expect(calls.map((c) => (c.input.Resources as string[]).length)).toEqual([1000, 1000, 1]);
    expect(result.snapshotsUnmarked).toHaveLength(2001);
  });

  it('records a failed batch once, logs each of its snapshots, and goes on with the next batch and the deletions', async () => {
    const { clients, calls } = fakeClients((c) =>
      c.action === 'DeleteTags' && (c.input.Tags as { Value: string }[])[0]!.Value === 'ami-1'
        ? awsError('UnauthorizedOperation')
        : {},
    );
    const result = await applyCleanup(
      clients,
      {
        deletions: [deletion('ami-9', ['snap-9'])],
        pendingSnapshotDeletions: [],
        snapshotUnmarks: [unmark('snap-1', 'ami-1'), unmark('snap-3', 'ami-1'), unmark('snap-2', 'ami-2')],
      },
      { hasTime: always, checkImageReferences: false },
    );
    expect(calls.map((c) => c.action)).toEqual([
      'DeleteTags',
      'DeleteTags',
      'DescribeInstances',
      'CreateTags',
      'DeregisterImage',
      'DeleteSnapshot',
    ]);
    expect(result.failures).toEqual([
      {
        resourceId: 'snap-1 and 1 more snapshots',
        action: 'DeleteTags',
        message:
          'DeleteTags failed: UnauthorizedOperation message; the 2 snapshots keep their AutoCleanupPendingDeletion=ami-1 mark and the next run removes it',
      },
    ]);
    expect(result.outcomes.filter((o) => o.action === 'failed').map((o) => o.resourceId)).toEqual([
      'snap-1',
      'snap-3',
    ]);
    expect(result.snapshotsUnmarked).toEqual(['snap-2']);
    expect(result.deregistered).toEqual(['ami-9']);
    expect(result.incomplete).toBe(false);
  });

  it('stops when the time budget is spent: the rest keep their marks, nothing after is tried', async () => {
    const { clients, calls } = fakeClients(() => ({}));
    let asked = 0;
    const result = await applyCleanup(
      clients,
      {
        deletions: [deletion('ami-9', ['snap-9'])],
        pendingSnapshotDeletions: [{ snapshotId: 'snap-p', imageId: 'ami-gone', reason: 'marked earlier' }],
        snapshotUnmarks: [unmark('snap-1', 'ami-1'), unmark('snap-2', 'ami-2')],
      },
      { hasTime: () => ++asked <= 1, checkImageReferences: false },
    );
    expect(calls.map((c) => c.action)).toEqual(['DeleteTags']);
    expect(result.incomplete).toBe(true);
    expect(result.snapshotsUnmarked).toEqual(['snap-1']);
    expect(result.outcomes.find((o) => o.resourceId === 'snap-2')).toMatchObject({
      action: 'not-reached',
      reason: expect.stringContaining('keeps its AutoCleanupPendingDeletion=ami-2 tag'),
    });
    expect(result.outcomes.find((o) => o.resourceId === 'ami-9')).toMatchObject({ action: 'not-reached' });
  });

  it('makes no call when there is nothing to unmark', async () => {
    const { clients, calls } = fakeClients(() => ({}));
    await applyCleanup(
      clients,
      { deletions: [], pendingSnapshotDeletions: [], snapshotUnmarks: [] },
      { hasTime: always, checkImageReferences: false },
    );
    expect(calls).toEqual([]);
  });
});
