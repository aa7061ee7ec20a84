/**
 * Carries out a cleanup plan. First the stale pending-deletion marks the plan removes (unmark.ts),
 * then the retirement stage moves (stages.ts).
 * Then, per AMI, in an order chosen so that a run cut short never loses a snapshot (images.ts):
 *   1. (optional) DescribeImageReferences as a second opinion: any reference keeps the AMI;
 *   2. tag its snapshots TAG.pendingDeletion=<ami id>, so a later run can find them;
 *   3. DeregisterImage;
 *   4. DeleteSnapshot each (InvalidSnapshot.InUse is left to a later run, found again by the tag);
 *      a snapshot behind several planned AMIs only once all of them are deregistered.
 * Then the snapshots earlier runs marked. One failure is recorded and the run goes on; before every
 * step the budget is asked, and when it is spent the run stops and says it is incomplete.
 */
import type { AwsClients } from '../clients';
import { chunk } from '../tagging';
import { DESCRIBE_IMAGE_REFERENCES_MAX_IDS, deleteImageBatch } from './images';
import { recordImageNotReached, startApplyRun } from './run';
import { deletePendingSnapshots, settleSharedSnapshots } from './snapshots';
import type { ApplyOptions, CleanupApplyResult, CleanupWork } from './types';
import { applyStageMoves } from './stages';
import { unmarkSnapshots } from './unmark';

export async function applyCleanup(
  clients: AwsClients,
  work: CleanupWork,
  options: ApplyOptions,
): Promise<CleanupApplyResult> {
  const run = startApplyRun(clients, work, options);
  await unmarkSnapshots(run, work.snapshotUnmarks ?? []);
  await applyStageMoves(run, work.stageMoves ?? []);
  for (const batch of chunk(work.deletions, DESCRIBE_IMAGE_REFERENCES_MAX_IDS)) {
    if (run.result.incomplete) break;
    await deleteImageBatch(run, batch);
  }
  await settleSharedSnapshots(run);
  if (!run.result.incomplete) await deletePendingSnapshots(run, work.pendingSnapshotDeletions);
  if (run.result.incomplete) {
    const done = new Set(run.result.outcomes.map((o) => o.resourceId));
    for (const d of work.deletions) if (!done.has(d.image.id)) recordImageNotReached(run, d.image.id);
  }
  return run.result;
}
