/**
 * The apply step's AMI deletions, ten at a time (DescribeImageReferences' limit): a last look for
 * instances, the second opinion of DescribeImageReferences, then per AMI: mark its snapshots,
 * deregister it, delete its snapshots.
 */
import { CreateTagsCommand, DeregisterImageCommand } from '@aws-sdk/client-ec2';

import type { PlannedImageDeletion } from '../../plan/cleanup';
import { TAG } from '../../tags';
import { mapWithConcurrency } from '../concurrency';
import { errorText } from '../../errors';
import { describeImageReferences, liveInstancesOf } from './look';
import { errorName, outOfTime, recordFailure, recordImageNotReached, type ApplyRun } from './run';
import { deleteSnapshotsOf } from './snapshots';

export const DESCRIBE_IMAGE_REFERENCES_MAX_IDS = 10;
/** Error codes that mean the endpoint has no DescribeImageReferences at all, as opposed to a failed call. */
const IMAGE_REFERENCES_UNSUPPORTED = new Set([
  'InvalidAction',
  'UnsupportedOperation',
  'NotImplemented',
  'UnknownOperationException',
]);

/** Up to ten planned AMIs. When the budget runs out on the way, the run is marked incomplete. */
export async function deleteImageBatch(run: ApplyRun, batch: readonly PlannedImageDeletion[]): Promise<void> {
  const group = await keepThoseInUseNow(run, batch);
  if (group === undefined || group.length === 0) return;
  const references = await imageReferencesOf(run, group);
  if (references === undefined) return;
  await mapWithConcurrency(group, run.concurrency, (d) =>
    run.result.incomplete
      ? Promise.resolve(recordImageNotReached(run, d.image.id))
      : deleteImage(run, d, references),
  );
}

/**
 * The inventory may be minutes old: one last look for instances of these AMIs right before
 * deregistering them. Returns the AMIs none was found of; undefined when none may go on. Unknown is
 * never "unused": a failed look keeps the whole batch.
 */
async function keepThoseInUseNow(
  run: ApplyRun,
  batch: readonly PlannedImageDeletion[],
): Promise<PlannedImageDeletion[] | undefined> {
  if (outOfTime(run, batch[0]?.image.id ?? '', 'image', 'DescribeInstances')) return undefined;
  let running: Map<string, string[]>;
  try {
    running = await liveInstancesOf(
      run.clients,
      batch.map((d) => d.image.id),
    );
  } catch (err) {
    for (const d of batch) {
      recordFailure(
        run,
        d.image.id,
        'image',
        'DescribeInstances',
        err,
        'whether an instance runs from it now is unknown, so the AMI was kept; the next run looks again',
      );
    }
    return undefined;
  }
  const group: PlannedImageDeletion[] = [];
  for (const d of batch) {
    const instances = running.get(d.image.id);
    if (instances === undefined) {
      group.push(d);
      continue;
    }
    run.result.keptByInstances.push({ imageId: d.image.id, instances });
    run.result.outcomes.push({
      resourceId: d.image.id,
      kind: 'image',
      action: 'kept-instance',
      reason: `in use by ${instances.join(', ')}, found right before deregistering (launched after the inventory): kept`,
    });
  }
  return group;
}

/**
 * AMI id -> what DescribeImageReferences says references it (empty when the check is off or
 * unsupported); undefined when the AMIs must wait (the call failed or the budget is spent).
 */
async function imageReferencesOf(
  run: ApplyRun,
  group: readonly PlannedImageDeletion[],
): Promise<Map<string, string[]> | undefined> {
  if (!run.checkReferences) return new Map();
  if (outOfTime(run, group[0]?.image.id ?? '', 'image', 'DescribeImageReferences')) return undefined;
  try {
    return await describeImageReferences(
      run.clients,
      group.map((d) => d.image.id),
    );
  } catch (err) {
    if (!IMAGE_REFERENCES_UNSUPPORTED.has(errorName(err))) {
      // Throttled past the retries, denied, or one AMI of the ten gone: what EC2 knows about these
      // AMIs is unknown, and unknown is never "no references". They wait for the next run; the next
      // ten are asked again.
      for (const d of group) {
        recordFailure(
          run,
          d.image.id,
          'image',
          'DescribeImageReferences',
          err,
          'its references are unknown, so the AMI was kept; the next run asks again',
        );
      }
      return undefined;
    }
    // The endpoint does not implement the call (e.g. a local emulator): there is no second opinion
    // to be had. The plan's own usage check, which also covers Auto Scaling, still stands.
    run.checkReferences = false;
    run.result.imageReferences = { kind: 'unknown', message: errorText(err) };
    run.log({
      level: 'warn',
      action: 'DescribeImageReferences',
      message: `second opinion unavailable, relying on the plan's usage check: ${errorText(err)}`,
    });
    return new Map();
  }
}

/** One AMI: kept if referenced; else its snapshots marked, then deregistered, then its snapshots deleted. */
async function deleteImage(
  run: ApplyRun,
  d: PlannedImageDeletion,
  references: ReadonlyMap<string, string[]>,
): Promise<void> {
  const id = d.image.id;
  const refs = references.get(id);
  if (refs && refs.length > 0) {
    run.result.keptByReferences.push({ imageId: id, references: refs });
    run.result.outcomes.push({
      resourceId: id,
      kind: 'image',
      action: 'kept-referenced',
      reason: `in use per DescribeImageReferences: ${refs.join(', ')}`,
    });
    return;
  }
  if (!(await markSnapshots(run, d))) return;
  if (!(await deregister(run, d))) return;
  run.result.deregistered.push(id);
  run.deregistered.add(id);
  run.result.outcomes.push({ resourceId: id, kind: 'image', action: 'deregistered', reason: d.reason });
  run.onDeregistered(id);
  await deleteSnapshotsOf(run, d);
}

/** Tags the AMI's snapshots TAG.pendingDeletion=<ami id>, so a run cut short cannot lose them. */
async function markSnapshots(run: ApplyRun, d: PlannedImageDeletion): Promise<boolean> {
  const id = d.image.id;
  if (d.snapshotIds.length === 0) return true;
  if (outOfTime(run, id, 'image', 'marking its snapshots')) return false;
  try {
    await run.clients.ec2.send(
      new CreateTagsCommand({ Resources: d.snapshotIds, Tags: [{ Key: TAG.pendingDeletion, Value: id }] }),
    );
    return true;
  } catch (err) {
    // Without the mark a snapshot could be lost track of, so the AMI is not touched this run.
    recordFailure(
      run,
      id,
      'image',
      'CreateTags',
      err,
      'its snapshots could not be marked, so the AMI was kept; the next run retries',
    );
    return false;
  }
}

/** True when the AMI is gone (deregistered now, or already). */
async function deregister(run: ApplyRun, d: PlannedImageDeletion): Promise<boolean> {
  const id = d.image.id;
  if (outOfTime(run, id, 'image', 'DeregisterImage')) return false;
  try {
    await run.clients.ec2.send(new DeregisterImageCommand({ ImageId: id }));
    return true;
  } catch (err) {
    // Only NotFound means gone. InvalidAMIID.Unavailable is also EC2's answer for an AMI that is
    // registered but not launchable, which may still need its snapshots: it is a failure, and the
    // marked snapshots are deleted by a later run once the AMI is really gone.
    if (errorName(err) === 'InvalidAMIID.NotFound') return true;
    recordFailure(
      run,
      id,
      'image',
      'DeregisterImage',
      err,
      'the AMI and its snapshots are kept; the next run re-plans it',
    );
    return false;
  }
}
