/**
 * Which of an AMI's snapshots this account owns is read like its launch permissions
 * (CleanupPlan.snapshotsToRead, CleanupInput.snapshotLookups): an AMI is deregistered only once every
 * one of its snapshots is accounted for, because a snapshot left behind by a deleted AMI without a
 * pending-deletion mark is one no later run can find.
 */
import type { Image, SnapshotLookup, SnapshotRecord } from '../../domain';

export type SnapshotKnowledge =
  { kind: 'known' } | { kind: 'unread' } | { kind: 'failed'; snapshotId: string; message: string };

/**
 * Whether every snapshot of an AMI is accounted for: a record read (owned by this account), or a
 * look-up that answered without it (another account's, or gone). Without look-ups at all, the
 * records are a full read and nothing is ever unread.
 */
export function snapshotKnowledge(
  snapshots: readonly SnapshotRecord[],
  lookups: ReadonlyMap<string, SnapshotLookup> | undefined,
): (image: Image) => SnapshotKnowledge {
  if (lookups === undefined) return () => ({ kind: 'known' });
  const recorded = new Set(snapshots.map((s) => s.id));
  return (image) => {
    let unread = false;
    for (const id of image.snapshotIds) {
      if (recorded.has(id)) continue;
      const lookup = lookups.get(id);
      if (lookup === undefined) unread = true;
      else if (lookup.kind === 'failed') return { kind: 'failed', snapshotId: id, message: lookup.message };
    }
    return unread ? { kind: 'unread' } : { kind: 'known' };
  };
}

/**
 * The snapshot ids of these AMIs that have neither a record nor a look-up: what to ask
 * DescribeSnapshots about for CleanupPlan.snapshotsToRead. Distinct, in the AMIs' order.
 */
export function unknownSnapshotIds(
  images: readonly Image[],
  snapshots: readonly SnapshotRecord[],
  lookups: ReadonlyMap<string, SnapshotLookup>,
): string[] {
  const recorded = new Set(snapshots.map((s) => s.id));
  const out = new Set<string>();
  for (const image of images) {
    for (const id of image.snapshotIds) if (!recorded.has(id) && !lookups.has(id)) out.add(id);
  }
  return [...out];
}
