/** The apply step's snapshot deletions: after an AMI is deregistered, its shared ones, and earlier runs' marks. */
import { DeleteSnapshotCommand } from '@aws-sdk/client-ec2';

import type { PlannedImageDeletion, PlannedPendingSnapshotDeletion } from '../../plan/cleanup';
import { TAG } from '../../tags';
import { mapWithConcurrency } from '../concurrency';
import { errorText } from '../../errors';
import { errorName, outOfTime, recordFailure, stillRegistered, type ApplyRun } from './run';

export async function deleteSnapshot(run: ApplyRun, snapshotId: string, imageId: string): Promise<void> {
  if (outOfTime(run, snapshotId, 'snapshot', 'DeleteSnapshot')) return;
  const { result } = run;
  try {
    await run.clients.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    result.snapshotsDeleted.push(snapshotId);
    result.outcomes.push({
      resourceId: snapshotId,
      kind: 'snapshot',
      action: 'snapshot-deleted',
      reason: `snapshot of deregistered ${imageId}`,
    });
  } catch (err) {
    const code = errorName(err);
    if (code === 'InvalidSnapshot.NotFound') {
      result.snapshotsDeleted.push(snapshotId); // already gone: the goal is reached
      result.outcomes.push({
        resourceId: snapshotId,
        kind: 'snapshot',
        action: 'snapshot-deleted',
        reason: 'already deleted',
      });
    } else if (code === 'InvalidSnapshot.InUse') {
      result.snapshotsDeferred.push(snapshotId);
      result.outcomes.push({
        resourceId: snapshotId,
        kind: 'snapshot',
        action: 'snapshot-deferred',
        reason: `still in use per EC2 (${errorText(err)}); it keeps its ${TAG.pendingDeletion}=${imageId} tag and a later run deletes it`,
      });
    } else {
      recordFailure(
        run,
        snapshotId,
        'snapshot',
        'DeleteSnapshot',
        err,
        `it keeps its ${TAG.pendingDeletion} tag and a later run retries`,
      );
    }
  }
}

/**
 * The snapshots of an AMI just deregistered. The plan gives a snapshot shared by several planned AMIs
 * to the first of them, counting the others as deleted too: until they are all deregistered it waits
 * (it is marked), as AWS's own InUse guard is not relied upon.
 */
export async function deleteSnapshotsOf(run: ApplyRun, deletion: PlannedImageDeletion): Promise<void> {
  const id = deletion.image.id;
  for (const s of deletion.snapshotIds) {
    if (stillRegistered(run, s, id).length > 0) run.sharedWaiting.push({ snapshotId: s, imageId: id });
    else await deleteSnapshot(run, s, id);
  }
}

/** After every AMI was tried: delete the shared snapshots whose AMIs are now all gone; the rest wait. */
export async function settleSharedSnapshots(run: ApplyRun): Promise<void> {
  for (const { snapshotId, imageId } of run.sharedWaiting) {
    const waiting = stillRegistered(run, snapshotId, imageId);
    if (waiting.length === 0 && !run.result.incomplete) {
      await deleteSnapshot(run, snapshotId, imageId);
      continue;
    }
    run.result.snapshotsDeferred.push(snapshotId);
    run.result.outcomes.push({
      resourceId: snapshotId,
      kind: 'snapshot',
      action: 'snapshot-deferred',
      reason:
        waiting.length > 0
          ? `also behind ${waiting.join(', ')}, still registered; it keeps its ${TAG.pendingDeletion}=${imageId} tag and a later run deletes it once no AMI uses it`
          : `time budget spent; it keeps its ${TAG.pendingDeletion}=${imageId} tag and the next run deletes it`,
    });
  }
}

/** The snapshots earlier runs marked whose AMI is gone. */
export async function deletePendingSnapshots(
  run: ApplyRun,
  pending: readonly PlannedPendingSnapshotDeletion[],
): Promise<void> {
  await mapWithConcurrency(pending, run.concurrency, (p) =>
    run.result.incomplete ? Promise.resolve() : deleteSnapshot(run, p.snapshotId, p.imageId),
  );
}
