/**
 * Carries out a cleanup plan. First the stale pending-deletion marks the plan removes (DeleteTags,
 * batched per mark value): a few calls, each closing a way for a snapshot to be deleted later, on
 * snapshots no other step of the plan touches, so a budget spent on deletions never starves them.
 * Then, per AMI, in an order chosen so that a run cut short never loses a snapshot:
 *   1. (optional) DescribeImageReferences as a second opinion: any reference keeps the AMI;
 *   2. tag its snapshots TAG.pendingDeletion=<ami id>, so a later run can find them;
 *   3. DeregisterImage;
 *   4. DeleteSnapshot each (InvalidSnapshot.InUse is left to a later run, found again by the tag);
 *      a snapshot behind several planned AMIs only once all of them are deregistered.
 * Then the snapshots earlier runs marked. One failure is recorded and the run goes on; before every
 * step the budget is asked, and when it is spent the run stops and says it is incomplete.
 */
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeregisterImageCommand,
  paginateDescribeImageReferences,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';

import type { RunFailure } from '../events';
import type {
  PlannedImageDeletion,
  PlannedPendingSnapshotDeletion,
  PlannedSnapshotUnmark,
} from '../plan/cleanup';
import { TAG } from '../tags';
import type { AwsClients } from './clients';
import { mapWithConcurrency } from './concurrency';
import { errorText } from '../errors';
import { CREATE_TAGS_MAX_RESOURCES, chunk } from './tagging';

// The plan's own shapes (shared/plan/cleanup.ts), under the names this step has always used.
export type PlannedDeletion = PlannedImageDeletion;
export type PlannedSnapshotDeletion = PlannedPendingSnapshotDeletion;
export type { PlannedSnapshotUnmark };

export interface CleanupWork {
  deletions: readonly PlannedDeletion[];
  pendingSnapshotDeletions: readonly PlannedSnapshotDeletion[];
  snapshotUnmarks?: readonly PlannedSnapshotUnmark[];
}

/** EC2 DeleteTags takes as many resource ids a call as CreateTags. */
export const DELETE_TAGS_MAX_RESOURCES = CREATE_TAGS_MAX_RESOURCES;

export interface ApplyOptions {
  /** Asked before every AWS call that changes something. */
  hasTime: () => boolean;
  checkImageReferences: boolean;
  concurrency?: number;
  log?: (line: Record<string, unknown>) => void;
}

/** What happened to one resource, for the per-decision log and the summary. */
export interface ApplyOutcome {
  resourceId: string;
  kind: 'image' | 'snapshot';
  action:
    | 'deregistered'
    | 'kept-referenced'
    | 'kept-instance'
    | 'snapshot-deleted'
    | 'snapshot-deferred'
    | 'snapshot-unmarked'
    | 'failed'
    | 'not-reached';
  reason: string;
}

export interface CleanupApplyResult {
  deregistered: string[];
  snapshotsDeleted: string[];
  /** Snapshots AWS still reported in use: tagged, so a later run deletes them. */
  snapshotsDeferred: string[];
  /** Snapshots whose stale pending-deletion mark DeleteTags removed. */
  snapshotsUnmarked: string[];
  keptByReferences: { imageId: string; references: string[] }[];
  /**
   * AMIs the last look before deregistering (DescribeInstances by image id) found an instance of,
   * e.g. launched after the inventory: kept.
   */
  keptByInstances: { imageId: string; instances: string[] }[];
  failures: RunFailure[];
  outcomes: ApplyOutcome[];
  /** 'checked' | 'unknown: <why>' | 'off' */
  imageReferences: string;
  incomplete: boolean;
}

export const DESCRIBE_IMAGE_REFERENCES_MAX_IDS = 10;
/** Error codes that mean the endpoint has no DescribeImageReferences at all, as opposed to a failed call. */
const IMAGE_REFERENCES_UNSUPPORTED = new Set([
  'InvalidAction',
  'UnsupportedOperation',
  'NotImplemented',
  'UnknownOperationException',
]);
const DEFAULT_CONCURRENCY = 4;

export async function applyCleanup(
  clients: AwsClients,
  work: CleanupWork,
  options: ApplyOptions,
): Promise<CleanupApplyResult> {
  const log = options.log ?? (() => undefined);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const result: CleanupApplyResult = {
    deregistered: [],
    snapshotsDeleted: [],
    snapshotsDeferred: [],
    snapshotsUnmarked: [],
    keptByReferences: [],
    keptByInstances: [],
    failures: [],
    outcomes: [],
    imageReferences: options.checkImageReferences ? 'checked' : 'off',
    incomplete: false,
  };
  let checkReferences = options.checkImageReferences;
  const deregistered = new Set<string>();
  // Snapshot id -> every planned AMI behind it (not only the one the plan gave it to).
  const sharers = new Map<string, string[]>();
  for (const d of work.deletions) {
    for (const s of new Set(d.image.snapshotIds)) sharers.set(s, [...(sharers.get(s) ?? []), d.image.id]);
  }

  const outOfTime = (resourceId: string, kind: ApplyOutcome['kind'], step: string): boolean => {
    if (options.hasTime()) return false;
    result.incomplete = true;
    result.outcomes.push({
      resourceId,
      kind,
      action: 'not-reached',
      reason: `time budget spent before ${step}; the next run continues`,
    });
    return true;
  };
  const fail = (
    resourceId: string,
    kind: ApplyOutcome['kind'],
    action: string,
    err: unknown,
    then: string,
  ) => {
    const message = `${action} failed: ${errorText(err)}; ${then}`;
    result.failures.push({ resourceId, action, message });
    result.outcomes.push({ resourceId, kind, action: 'failed', reason: message });
  };

  const deleteSnapshot = async (snapshotId: string, imageId: string): Promise<void> => {
    if (outOfTime(snapshotId, 'snapshot', 'DeleteSnapshot')) return;
    try {
      await clients.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
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
        fail(
          snapshotId,
          'snapshot',
          'DeleteSnapshot',
          err,
          `it keeps its ${TAG.pendingDeletion} tag and a later run retries`,
        );
      }
    }
  };

  const deleteImage = async (d: PlannedDeletion, references: Map<string, string[]>): Promise<void> => {
    const id = d.image.id;
    const refs = references.get(id);
    if (refs && refs.length > 0) {
      result.keptByReferences.push({ imageId: id, references: refs });
      result.outcomes.push({
        resourceId: id,
        kind: 'image',
        action: 'kept-referenced',
        reason: `in use per DescribeImageReferences: ${refs.join(', ')}`,
      });
      return;
    }
    if (d.snapshotIds.length > 0) {
      if (outOfTime(id, 'image', 'marking its snapshots')) return;
      try {
        await clients.ec2.send(
          new CreateTagsCommand({
            Resources: d.snapshotIds,
            Tags: [{ Key: TAG.pendingDeletion, Value: id }],
          }),
        );
      } catch (err) {
        // Without the mark a snapshot could be lost track of, so the AMI is not touched this run.
        fail(
          id,
          'image',
          'CreateTags',
          err,
          'its snapshots could not be marked, so the AMI was kept; the next run retries',
        );
        return;
      }
    }
    if (outOfTime(id, 'image', 'DeregisterImage')) return;
    try {
      await clients.ec2.send(new DeregisterImageCommand({ ImageId: id }));
    } catch (err) {
      // Only NotFound means gone. InvalidAMIID.Unavailable is also EC2's answer for an AMI that is
      // registered but not launchable, which may still need its snapshots: it is a failure, and the
      // marked snapshots are deleted by a later run once the AMI is really gone.
      if (errorName(err) !== 'InvalidAMIID.NotFound') {
        fail(
          id,
          'image',
          'DeregisterImage',
          err,
          'the AMI and its snapshots are kept; the next run re-plans it',
        );
        return;
      }
    }
    result.deregistered.push(id);
    deregistered.add(id);
    result.outcomes.push({ resourceId: id, kind: 'image', action: 'deregistered', reason: d.reason });
    for (const s of d.snapshotIds) {
      // The plan gives a snapshot shared by several planned AMIs to the first of them, counting the
      // others as deleted too. Until they are all deregistered the snapshot waits (it is marked);
      // AWS's own InUse guard is not relied upon.
      if (stillRegistered(s, id).length > 0) sharedWaiting.push({ snapshotId: s, imageId: id });
      else await deleteSnapshot(s, id);
    }
  };
  const sharedWaiting: { snapshotId: string; imageId: string }[] = [];
  const stillRegistered = (snapshotId: string, imageId: string) =>
    (sharers.get(snapshotId) ?? []).filter((other) => other !== imageId && !deregistered.has(other));
  /** After every AMI was tried: delete the shared snapshots whose AMIs are now all gone; the rest wait. */
  const settleSharedSnapshots = async () => {
    for (const { snapshotId, imageId } of sharedWaiting) {
      const waiting = stillRegistered(snapshotId, imageId);
      if (waiting.length === 0 && !result.incomplete) {
        await deleteSnapshot(snapshotId, imageId);
        continue;
      }
      result.snapshotsDeferred.push(snapshotId);
      result.outcomes.push({
        resourceId: snapshotId,
        kind: 'snapshot',
        action: 'snapshot-deferred',
        reason:
          waiting.length > 0
            ? `also behind ${waiting.join(', ')}, still registered; it keeps its ${TAG.pendingDeletion}=${imageId} tag and a later run deletes it once no AMI uses it`
            : `time budget spent; it keeps its ${TAG.pendingDeletion}=${imageId} tag and the next run deletes it`,
      });
    }
  };

  const skip = (id: string): void => {
    result.outcomes.push({
      resourceId: id,
      kind: 'image',
      action: 'not-reached',
      reason: 'time budget spent; the next run continues',
    });
  };

  /**
   * One DeleteTags per mark value and up to 1000 snapshots. With the value given, EC2 removes the
   * tag only where it still has that value, so a snapshot marked again meanwhile keeps its new mark.
   */
  const unmarkSnapshots = async (unmarks: readonly PlannedSnapshotUnmark[]) => {
    const byMark = new Map<string, string[]>();
    for (const u of unmarks) byMark.set(u.mark, [...(byMark.get(u.mark) ?? []), u.snapshotId]);
    const batches = [...byMark]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([mark, ids]) => chunk(ids, DELETE_TAGS_MAX_RESOURCES).map((batch) => ({ mark, batch })));
    for (const [i, { mark, batch }] of batches.entries()) {
      if (!options.hasTime()) {
        result.incomplete = true;
        for (const rest of batches.slice(i)) {
          for (const snapshotId of rest.batch) {
            result.outcomes.push({
              resourceId: snapshotId,
              kind: 'snapshot',
              action: 'not-reached',
              reason: `time budget spent before DeleteTags; it keeps its ${TAG.pendingDeletion}=${rest.mark} tag and the next run removes it`,
            });
          }
        }
        return;
      }
      try {
        await clients.ec2.send(
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
          result.outcomes.push({
            resourceId: snapshotId,
            kind: 'snapshot',
            action: 'failed',
            reason: message,
          });
        }
      }
    }
  };

  await unmarkSnapshots(work.snapshotUnmarks ?? []);

  for (const batch of chunk(work.deletions, DESCRIBE_IMAGE_REFERENCES_MAX_IDS)) {
    if (result.incomplete) break;
    // The inventory may be minutes old: one last look for instances of this batch's AMIs right
    // before deregistering them. Unknown is never "unused": a failed look keeps the whole batch.
    if (outOfTime(batch[0]?.image.id ?? '', 'image', 'DescribeInstances')) break;
    let running: Map<string, string[]>;
    try {
      running = await liveInstancesOf(
        clients,
        batch.map((d) => d.image.id),
      );
    } catch (err) {
      for (const d of batch) {
        fail(
          d.image.id,
          'image',
          'DescribeInstances',
          err,
          'whether an instance runs from it now is unknown, so the AMI was kept; the next run looks again',
        );
      }
      continue;
    }
    const group: PlannedDeletion[] = [];
    for (const d of batch) {
      const instances = running.get(d.image.id);
      if (instances === undefined) {
        group.push(d);
        continue;
      }
      result.keptByInstances.push({ imageId: d.image.id, instances });
      result.outcomes.push({
        resourceId: d.image.id,
        kind: 'image',
        action: 'kept-instance',
        reason: `in use by ${instances.join(', ')}, found right before deregistering (launched after the inventory): kept`,
      });
    }
    if (group.length === 0) continue;
    let references = new Map<string, string[]>();
    if (checkReferences) {
      if (outOfTime(group[0]?.image.id ?? '', 'image', 'DescribeImageReferences')) break;
      try {
        references = await describeImageReferences(
          clients,
          group.map((d) => d.image.id),
        );
      } catch (err) {
        if (!IMAGE_REFERENCES_UNSUPPORTED.has(errorName(err))) {
          // Throttled past the retries, denied, or one AMI of the ten gone: what EC2 knows about
          // these AMIs is unknown, and unknown is never "no references". They wait for the next run;
          // the next ten are asked again.
          for (const d of group) {
            fail(
              d.image.id,
              'image',
              'DescribeImageReferences',
              err,
              'its references are unknown, so the AMI was kept; the next run asks again',
            );
          }
          continue;
        }
        // The endpoint does not implement the call (e.g. a local emulator): there is no second
        // opinion to be had. The plan's own usage check, which also covers Auto Scaling, still stands.
        checkReferences = false;
        result.imageReferences = `unknown: ${errorText(err)}`;
        log({
          level: 'warn',
          action: 'DescribeImageReferences',
          message: `second opinion unavailable, relying on the plan's usage check: ${errorText(err)}`,
        });
      }
    }
    await mapWithConcurrency(group, concurrency, (d) =>
      result.incomplete ? Promise.resolve(skip(d.image.id)) : deleteImage(d, references),
    );
  }

  await settleSharedSnapshots();
  if (!result.incomplete) {
    await mapWithConcurrency(work.pendingSnapshotDeletions, concurrency, (p) =>
      result.incomplete ? Promise.resolve() : deleteSnapshot(p.snapshotId, p.imageId),
    );
  }
  if (result.incomplete) {
    const done = new Set(result.outcomes.map((o) => o.resourceId));
    for (const d of work.deletions) if (!done.has(d.image.id)) skip(d.image.id);
  }
  return result;
}

// Every state but terminated, as in the inventory: a stopped instance can start again from its AMI.
const LIVE_INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/** AMI id -> "instance i-0ab (running)" for each live instance of these AMIs (at most 10 ids a call). */
async function liveInstancesOf(clients: AwsClients, imageIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const pages = paginateDescribeInstances(
    { client: clients.ec2 },
    {
      Filters: [
        { Name: 'image-id', Values: imageIds },
        { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES },
      ],
      MaxResults: 1000,
    },
  );
  for await (const page of pages) {
    for (const r of page.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (!i.ImageId) continue;
        const list = out.get(i.ImageId) ?? [];
        list.push(`instance ${i.InstanceId ?? '(no id)'} (${i.State?.Name ?? 'unknown'})`);
        out.set(i.ImageId, list);
      }
    }
  }
  return out;
}

async function describeImageReferences(
  clients: AwsClients,
  imageIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const pages = paginateDescribeImageReferences(
    { client: clients.ec2 },
    { ImageIds: imageIds, IncludeAllResourceTypes: true },
  );
  for await (const page of pages) {
    for (const r of page.ImageReferences ?? []) {
      if (!r.ImageId) continue;
      const list = out.get(r.ImageId) ?? [];
      list.push(`${r.ResourceType ?? 'resource'} ${r.Arn ?? ''}`.trim());
      out.set(r.ImageId, list);
    }
  }
  return out;
}

function errorName(err: unknown): string {
  return (err as { name?: string; Code?: string })?.name ?? '';
}
