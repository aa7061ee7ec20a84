/**
 * The rules for every other snapshot carrying TAG.pendingDeletion, in order.
 *
 * A mark promises "the AMI named here is being deleted, and this snapshot goes with it": it is what
 * lets a later run finish a run cut short between DeregisterImage and DeleteSnapshot. A mark the
 * deletion can no longer honour is removed ('unmark'), because it does not expire: left on the
 * snapshot of an AMI that is kept, it would get the snapshot deleted by the first run after somebody
 * deregisters that AMI by hand, months later, meaning to keep the snapshot. So a mark stays only while
 *   - the AMI it names is gone and nothing else uses the snapshot (the snapshot is deleted), or
 *   - the AMI is deleted in this run, was tried earlier in this run (the next run decides), or is a
 *     candidate whose deletion is only put off (the cap, launch permissions still to be read, a
 *     refused run), or EC2 still lists it as deregistered;
 * and it is removed when
 *   - the AMI is kept for any other reason (in use, not opted in, protected, shared, ...),
 *   - the AMI does not use the snapshot at all (cleanup only marks an AMI's own snapshots; a copy of
 *     a marked snapshot carries the mark along), or
 *   - another remaining AMI uses the snapshot: it can only go with the last AMI that uses it, and
 *     cleanup marks it afresh when it deletes that AMI.
 * Cleanup marks again whatever it deletes, so a mark removed by mistake costs at most a snapshot left
 * behind, never one deleted. That is also why a refused run removes marks: it refuses to delete.
 */
import type { Image, SnapshotRecord } from '../../domain';
import { TAG, type TagProblem } from '../../tags';
import type { CleanupDecision, CleanupRefusal, SnapshotAction } from './types';

export interface MarkVerdict {
  action: SnapshotAction;
  reason: string;
  problem?: TagProblem;
}

export interface MarkContext {
  record: SnapshotRecord;
  /** The mark's value exactly as read. */
  raw: string;
  /** The mark's value trimmed: the AMI it names. */
  imageId: string;
  /** The AMI the mark names, when the inventory still lists it. */
  image: Image | undefined;
  /** Remaining AMIs other than the one named that use the snapshot and are not listed as deregistered. */
  standing: string[];
  /** Every remaining AMI that uses the snapshot. */
  users: string[] | undefined;
  held: ReadonlyMap<string, string> | undefined;
  deletingIds: ReadonlySet<string>;
  stillToCome: ReadonlyMap<string, string>;
  refused: CleanupRefusal | undefined;
  decisionOf: (image: Image) => CleanupDecision | undefined;
}

export interface MarkRule {
  name: string;
  summary: string;
  decide: (ctx: MarkContext) => MarkVerdict | undefined;
}

const AMI_ID = /^ami-[0-9a-zA-Z]+$/;
const LAST_ONE =
  'the snapshot goes only with the last AMI that uses it, and cleanup marks it again when it deletes that AMI';

const verdict = (action: SnapshotAction, reason: string): MarkVerdict => ({ action, reason });

function unreadable({ record, raw, imageId }: MarkContext): MarkVerdict | undefined {
  if (AMI_ID.test(imageId)) return undefined;
  const problem: TagProblem = {
    resourceId: record.id,
    tag: TAG.pendingDeletion,
    value: raw,
    expected: 'the id of the AMI the snapshot belonged to (ami-...)',
  };
  return {
    action: 'skip',
    reason: `${TAG.pendingDeletion}=${JSON.stringify(raw)} names no AMI: skipped, never deleted`,
    problem,
  };
}

function sharedSnapshot({ image, imageId, standing }: MarkContext): MarkVerdict | undefined {
  if (standing.length === 0) return undefined;
  const others = standing.join(', ');
  return verdict(
    'unmark',
    image !== undefined
      ? `marked for ${imageId}, but remaining AMI ${others} uses it too: mark removed; ${LAST_ONE}`
      : `marked for ${imageId}, which is gone, but remaining AMI ${others} uses it: mark removed; ${LAST_ONE}`,
  );
}

function imageKept({ image, imageId, decisionOf }: MarkContext): MarkVerdict | undefined {
  if (image === undefined) return undefined;
  const d = decisionOf(image);
  return verdict(
    'unmark',
    `mark from an interrupted run; ${imageId} still exists and is kept (${d ? `${d.action}: ${d.reason}` : 'kept'}): mark removed so that a later deregistration by hand cannot get the snapshot deleted`,
  );
}

export const MARK_RULES = [
  {
    name: 'mark-not-owned',
    summary: 'a marked snapshot another account owns is never deleted',
    decide: ({ record, raw }) =>
      record.ownedBySelf
        ? undefined
        : verdict(
            'keep',
            `marked ${TAG.pendingDeletion}=${raw} but owned by account ${record.ownerId}, not this one: never deleted`,
          ),
  },
  {
    name: 'mark-unreadable',
    summary: 'a mark that names no AMI is skipped and reported',
    decide: unreadable,
  },
  {
    name: 'mark-image-deregistered',
    summary: 'a mark naming an AMI EC2 still lists as deregistered stays: that AMI is on its way out',
    decide: ({ image, imageId }) =>
      image?.state === 'deregistered'
        ? verdict(
            'keep',
            `marked for ${imageId}, which EC2 still lists as deregistered: the mark stays, and a later run deletes the snapshot once ${imageId} is gone and nothing uses it`,
          )
        : undefined,
  },
  {
    name: 'mark-not-its-image',
    summary: 'a mark naming an AMI that does not use the snapshot is removed: it came with a copy',
    decide: ({ image, imageId, record }) =>
      image !== undefined && !image.snapshotIds.includes(record.id)
        ? verdict(
            'unmark',
            `marked for ${imageId}, which does not use this snapshot, so the mark is not one cleanup wrote for deleting it (a copy of a marked snapshot carries the mark): mark removed, so that deregistering ${imageId} cannot get this snapshot deleted`,
          )
        : undefined,
  },
  {
    name: 'mark-image-held',
    summary: 'a mark naming an AMI this run tried and left in place stays: the next run decides',
    decide: ({ image, imageId, held }) =>
      image !== undefined && held?.has(imageId)
        ? verdict(
            'keep',
            `marked for ${imageId}, which this run tried to delete and left in place (${held.get(imageId)}): the mark stays and the next run decides`,
          )
        : undefined,
  },
  {
    name: 'mark-snapshot-shared',
    summary: 'a mark on a snapshot another remaining AMI uses is removed: it goes only with the last one',
    decide: sharedSnapshot,
  },
  {
    name: 'mark-image-deleted',
    summary: 'a mark naming an AMI this run deletes stays: a later run deletes the snapshot',
    decide: ({ image, imageId, deletingIds }) =>
      image !== undefined && deletingIds.has(imageId)
        ? verdict(
            'keep',
            `marked for ${imageId}, which this run deletes; the snapshot is deleted on a later run once nothing uses it`,
          )
        : undefined,
  },
  {
    name: 'mark-image-put-off',
    summary: 'a mark naming an AMI whose deletion is only put off (cap, reads, refusal) stays',
    decide: ({ image, imageId, stillToCome }) =>
      image !== undefined && stillToCome.has(imageId)
        ? verdict(
            'keep',
            `marked for ${imageId}, whose deletion is put off (${stillToCome.get(imageId)}): the mark stays for the run that deletes it`,
          )
        : undefined,
  },
  {
    name: 'mark-image-kept',
    summary:
      'a mark naming an AMI that is kept is removed, so deregistering it by hand cannot delete the snapshot',
    decide: imageKept,
  },
  {
    name: 'mark-used-by-deregistered',
    summary: 'a marked snapshot of a gone AMI that an AMI EC2 lists as deregistered still uses is kept',
    decide: ({ imageId, users }) =>
      users
        ? verdict(
            'keep',
            `marked for ${imageId}, which is gone, but remaining AMI ${users.join(', ')} uses it: kept`,
          )
        : undefined,
  },
  {
    name: 'mark-refused',
    summary: 'a marked snapshot of a gone AMI is kept while the run refuses to delete',
    decide: ({ imageId, refused }) =>
      refused
        ? verdict(
            'keep',
            `marked for ${imageId}, which is gone, but this run deletes nothing: ${refused.reason}`,
          )
        : undefined,
  },
  {
    name: 'mark-image-gone',
    summary: 'a marked snapshot whose AMI is gone and which no remaining AMI uses is deleted',
    decide: ({ imageId }) =>
      verdict(
        'delete',
        `marked for ${imageId} by an earlier run; that AMI is gone and no remaining AMI uses the snapshot`,
      ),
  },
] as const satisfies readonly MarkRule[];
