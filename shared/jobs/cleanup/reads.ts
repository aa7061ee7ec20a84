/**
 * What a cleanup run reads as it goes, beside the inventory: the snapshots of the AMIs the plan asks
 * about, and the failures of those reads and of the launch permission reads, as RunFailures.
 */
import type { AwsClients } from '../../aws/clients';
import { lookUpOwnedSnapshots } from '../../aws/inventory';
import type { Image } from '../../domain';
import type { RunFailure } from '../../events';
import type { LaunchPermissionsRead } from '../../launch-permissions';
import {
  type CleanupPlan,
  type SnapshotLookup,
  type SnapshotRecord,
  unknownSnapshotIds,
} from '../../plan/cleanup';
import { TAG } from '../../tags';

/**
 * The snapshots a run has read, and the reading of more: the inventory's (pending-deletion marks)
 * plus those looked up for the AMIs the plan asks about (CleanupPlan.snapshotsToRead).
 */
export class SnapshotReader {
  snapshots: SnapshotRecord[];
  readonly lookups = new Map<string, SnapshotLookup>();
  /** Snapshot ids asked about by id, over the whole run. */
  lookedUp = 0;
  /** VolumeSize of every snapshot read, forgotten ones included (the summary's GiB freed). */
  readonly sizesGiB = new Map<string, number>();
  private readonly byImage: ReadonlyMap<string, Image>;

  constructor(
    private readonly clients: AwsClients,
    /** A snapshot is this account's only if DescribeSnapshots names it the owner ('' matches none). */
    private readonly accountId: string,
    images: readonly Image[],
    snapshots: SnapshotRecord[],
  ) {
    this.byImage = new Map(images.map((i) => [i.id, i]));
    this.snapshots = snapshots;
    this.keepSizes(snapshots);
  }

  private keepSizes(records: readonly SnapshotRecord[]): void {
    for (const s of records) if (s.volumeSizeGiB !== undefined) this.sizesGiB.set(s.id, s.volumeSizeGiB);
  }

  /** Looks up the unknown snapshots of these AMIs; false when time ran out before all were. */
  async read(imageIds: readonly string[], hasTime: () => boolean): Promise<boolean> {
    const images = imageIds.flatMap((id) => {
      const image = this.byImage.get(id);
      return image ? [image] : [];
    });
    const ids = unknownSnapshotIds(images, this.snapshots, this.lookups);
    if (ids.length === 0) return true;
    const found = await lookUpOwnedSnapshots(this.clients, this.accountId, ids, { hasTime });
    this.snapshots = [...this.snapshots, ...found.records];
    this.keepSizes(found.records);
    for (const [id, l] of found.lookups) this.lookups.set(id, l);
    this.lookedUp += found.lookups.size;
    return ids.every((id) => found.lookups.has(id));
  }

  /**
   * Forgets these snapshots, look-ups included: should a later round meet one again, it is looked up
   * afresh rather than taken for another account's.
   */
  forget(ids: ReadonlySet<string>): void {
    this.snapshots = this.snapshots.filter((s) => !ids.has(s.id));
    for (const id of ids) this.lookups.delete(id);
  }

  /** Keeps these snapshots' records, without their pending-deletion mark. */
  unmark(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    this.snapshots = this.snapshots.map((s) => (ids.has(s.id) ? withoutMark(s) : s));
  }
}

function withoutMark(s: SnapshotRecord): SnapshotRecord {
  const tags = { ...s.tags };
  delete tags[TAG.pendingDeletion];
  return { ...s, tags };
}

/** One failure per AMI kept because a snapshot of it could not be looked up. */
export function snapshotLookupFailures(plan: CleanupPlan): RunFailure[] {
  return plan.snapshotLookupFailures.map((f) => ({
    resourceId: f.imageId,
    action: 'DescribeSnapshots',
    message: `could not look up its snapshot ${f.snapshotId}: ${f.message}; the AMI was kept and the next run asks again`,
  }));
}

export function launchPermissionFailures(
  launchPermissions: ReadonlyMap<string, LaunchPermissionsRead>,
): RunFailure[] {
  const failures: RunFailure[] = [];
  for (const [id, r] of launchPermissions) {
    if (r.kind !== 'failed') continue;
    failures.push({
      resourceId: id,
      action: 'DescribeImageAttribute',
      message: `could not read its launch permissions: ${r.message}; the AMI was kept and the next run asks again`,
    });
  }
  return failures;
}
