/**
 * The rules for the snapshots of the AMIs deleted in this run, in order. A snapshot goes with its AMI
 * only when this account owns it and no remaining AMI uses it (the design's safety rule 6).
 */
import type { Image, SnapshotLookup, SnapshotRecord } from '../../domain';
import type { SnapshotAction } from './types';

export interface SnapshotVerdict {
  action: SnapshotAction;
  reason: string;
}

export interface SnapshotOfImageContext {
  /** The AMI deleted in this run. */
  image: Image;
  /** Remaining AMIs (owned or not, any state) that use the snapshot. */
  users: string[] | undefined;
  record: SnapshotRecord | undefined;
  /** Its look-up, when the run looks snapshots up instead of reading them all. */
  lookup: SnapshotLookup | undefined;
}

export interface SnapshotOfImageRule {
  name: string;
  summary: string;
  decide: (ctx: SnapshotOfImageContext) => SnapshotVerdict | undefined;
}

const kept = (reason: string): SnapshotVerdict => ({ action: 'keep', reason });

export const SNAPSHOT_OF_IMAGE_RULES = [
  {
    name: 'snapshot-used-elsewhere',
    summary: 'a snapshot another remaining AMI uses is kept: it goes with the last AMI that uses it',
    decide: ({ users }) => (users ? kept(`also used by remaining AMI ${users.join(', ')}: kept`) : undefined),
  },
  {
    name: 'snapshot-not-owned',
    summary: "another account's snapshot is never deleted",
    decide: ({ record, lookup }) => {
      if (!record && lookup?.kind === 'read') {
        return kept(
          'not among the snapshots this account owns (another account owns it, or it is gone): never deleted',
        );
      }
      if (record && !record.ownedBySelf)
        return kept(`owned by account ${record.ownerId}, not this one: never deleted`);
      return undefined;
    },
  },
  {
    name: 'snapshot-owner-unknown',
    summary: 'a snapshot the inventory did not describe is kept: its owner is unknown',
    decide: ({ record }) =>
      record ? undefined : kept('not described by the inventory, so its owner is unknown: kept'),
  },
  {
    name: 'snapshot-with-image',
    summary: 'an owned snapshot no remaining AMI uses is deleted with its AMI',
    decide: ({ image }) => ({
      action: 'delete',
      reason: `belongs to ${image.id}, deleted in this run; owned by this account and no remaining AMI uses it`,
    }),
  },
] as const satisfies readonly SnapshotOfImageRule[];
