/**
 * The stale pending-deletion marks the plan removes, first: a few calls, each closing a way for a
 * snapshot to be deleted later, on snapshots no other step touches, so a budget spent on deletions
 * never starves them.
 */
import { DeleteTagsCommand } from '@aws-sdk/client-ec2';

import type { PlannedSnapshotUnmark } from '../../plan/cleanup';
import { TAG } from '../../tags';
import { errorText } from '../../errors';
import { CREATE_TAGS_MAX_RESOURCES, chunk } from '../tagging';
import type { ApplyRun } from './run';

/** EC2 DeleteTags takes as many resource ids a call as CreateTags. */
export const DELETE_TAGS_MAX_RESOURCES = CREATE_TAGS_MAX_RESOURCES;

interface UnmarkBatch {
  mark: string;
  batch: string[];
}

/**
 * One DeleteTags per mark value and up to 1000 snapshots. With the value given, EC2 removes the
 * tag only where it still has that value, so a snapshot marked again meanwhile keeps its new mark.
 */
export async function unmarkSnapshots(
  run: ApplyRun,
  unmarks: readonly PlannedSnapshotUnmark[],
): Promise<void> {
  const batches = unmarkBatches(unmarks);
  for (const [i, batch] of batches.entries()) {
    if (!run.hasTime()) {
      run.result.incomplete = true;
      recordUnmarksNotReached(run, batches.slice(i));
      return;
    }
    await unmarkBatch(run, batch);
  }
}

function unmarkBatches(unmarks: readonly PlannedSnapshotUnmark[]): UnmarkBatch[] {
  const byMark = new Map<string, string[]>();
  for (const u of unmarks) byMark.set(u.mark, [...(byMark.get(u.mark) ?? []), u.snapshotId]);
  return [...byMark]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([mark, ids]) => chunk(ids, DELETE_TAGS_MAX_RESOURCES).map((batch) => ({ mark, batch })));
}

async function unmarkBatch(run: ApplyRun, { mark, batch }: UnmarkBatch): Promise<void> {
  const { result } = run;
  try {
    await run.clients.ec2.send(
      new DeleteTagsCommand({ Resources: batch, Tags: [{ Key: TAG.pendingDeletion, Value: mark }] }),
    );
    result.snapshotsUnmarked.push(...batch);
    for (const snapshotId of batch) {
      result.outcomes.push({
        resourceId: snapshotId,
        kind: 'snapshot',
        action: 'snapshot-unmarked',
        reason: `${TAG.pendingDeletion}=${mark} removed: a later deregistration of ${mark.trim()} cannot get this snapshot deleted`,
      });
    }
  } catch (err) {
    // One failure for the batch (a RunFailure names the batch, as the tagger's do); every
    // snapshot of it still gets its line in the log.
    const message = `DeleteTags failed: ${errorText(err)}; the ${batch.length === 1 ? 'snapshot keeps its' : `${batch.length} snapshots keep their`} ${TAG.pendingDeletion}=${mark} mark and the next run removes it`;
    const first = batch[0] ?? '';
    result.failures.push({
      resourceId: batch.length === 1 ? first : `${first} and ${batch.length - 1} more snapshots`,
      action: 'DeleteTags',
      message,
    });
    for (const snapshotId of batch) {
      result.outcomes.push({ resourceId: snapshotId, kind: 'snapshot', action: 'failed', reason: message });
    }
  }
}

function recordUnmarksNotReached(run: ApplyRun, batches: readonly UnmarkBatch[]): void {
  for (const { mark, batch } of batches) {
    for (const snapshotId of batch) {
      run.result.outcomes.push({
        resourceId: snapshotId,
        kind: 'snapshot',
        action: 'not-reached',
        reason: `time budget spent before DeleteTags; it keeps its ${TAG.pendingDeletion}=${mark} tag and the next run removes it`,
      });
    }
  }
}
