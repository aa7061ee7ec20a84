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
import { readRecycleBinRules, recycleBinCalls } from '../../aws/recycle-bin';
import type { RecycleBinRead } from '../../recycle-bin';
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

/** The region's Recycle Bin retention rules, read once per run (ListRules per type, GetRule per rule). */
export function readRecycleBin(clients: AwsClients): Promise<RecycleBinRead> {
  return readRecycleBinRules(recycleBinCalls(clients));
}

/**
 * A failed read of the rules, for the summary: with requireRecycleBin the region deleted no AMI; without
 * it, the run went on and whether its deletions can be undone is unknown.
 */
export function recycleBinFailure(region: string, read: RecycleBinRead, required: boolean): RunFailure[] {
  if (read.kind !== 'failed') return [];
  const consequence = required
    ? 'requireRecycleBin is on, so no AMI was deregistered in this region; the next run reads them again'
    : "whether this run's deletions can be restored from the Recycle Bin is unknown (requireRecycleBin is off, so the run went on)";
  return [
    {
      resourceId: region,
      action: 'rbin:ListRules',
      message: `could not read the Recycle Bin retention rules (${read.message}): ${consequence}`,
    },
  ];
}

/**
 * The deletion rate a real run has measured in itself: AMIs deregistered over the budget spent, both
 * since its first apply step began and in its last one, the lower of the two. The first apply step
 * spends EC2's bursts (DeleteSnapshot's 100 tokens, then 5 a second), so the rate since the start
 * alone overstates what the rest of the run can do. The clock is the budget's (remainingMs), so a
 * test's virtual clock moves it and a slower machine (fewer deletions per second) reads ahead less.
 */
export class DeletionRate {
  private firstStartMs: number | undefined;
  private lastStartMs: number | undefined;
  private deregistered = 0;
  private applied = false;
  private lastRate: number | undefined;

  constructor(private readonly remainingMs?: () => number) {}

  /** Called as an apply step begins. */
  applyStarting(): void {
    if (!this.remainingMs) return;
    this.lastStartMs = this.remainingMs();
    this.firstStartMs ??= this.lastStartMs;
  }

  /** Called when that apply step is done, with the AMIs it deregistered. */
  record(deregistered: number): void {
    this.applied = true;
    this.deregistered += deregistered;
    if (!this.remainingMs || this.lastStartMs === undefined) return;
    const spent = this.lastStartMs - this.remainingMs();
    if (deregistered > 0 && spent > 0) this.lastRate = deregistered / spent;
  }

  /**
   * AMIs the rest of the budget can deregister at the rate measured so far: undefined before the
   * first apply step is done; Infinity when there is nothing to measure by (no budget given, an
   * unlimited one, one whose clock did not move, or no AMI deregistered yet: all kept or failed).
   */
  affordable(): number | undefined {
    if (!this.remainingMs) return Number.POSITIVE_INFINITY;
    const left = this.remainingMs();
    if (!Number.isFinite(left)) return Number.POSITIVE_INFINITY;
    if (!this.applied || this.firstStartMs === undefined) return undefined;
    const spent = this.firstStartMs - left;
    if (spent <= 0 || this.deregistered === 0) return Number.POSITIVE_INFINITY;
    const rate = Math.min(this.deregistered / spent, this.lastRate ?? Number.POSITIVE_INFINITY);
    return Math.floor(rate * left);
  }
}

/**
 * How many AMIs' launch permissions and snapshots a round reads ahead: only what the rest of the
 * budget can delete beyond the AMIs this round is deleting (read already), and never more than one
 * batch. Before its first apply step is done, a round that deletes reads nothing beside it (it is what
 * measures the rate), and a round that deletes nothing reads one batch. So what a run has read and
 * not reached when its deadline comes is at most one batch: an AMI read but not reached is kept,
 * and the next run reads it again, which is the waste this saves.
 */
export function readAheadLimit(batch: number, affordable: number | undefined, deletingNow: number): number {
  if (affordable === undefined) return deletingNow > 0 ? 0 : batch;
  return Math.max(0, Math.min(batch, affordable - deletingNow));
}
