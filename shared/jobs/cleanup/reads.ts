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
 * Fewest deregistrations a measured window holds: AMIs go four at a time (the apply step's
 * concurrency), so a shorter window says more about that rhythm than about the rate.
 */
const MIN_WINDOW = 20;

/**
 * The deletion rate a real run has measured in itself, by the budget's clock (remainingMs, so a
 * test's virtual clock moves it and a slower machine, deleting fewer per second, reads ahead less).
 * Each AMI is counted as it is deregistered (deregistered(), ApplyOptions.onDeregistered), not when
 * its apply step ends, and the lowest of these rates counts: since the first apply step that deletes
 * began; over that step's whole last one; and over each stretch from some deregistration until now
 * holding at least MIN_WINDOW of them (and a quarter of all). EC2's bursts (DeleteSnapshot's 100
 * tokens, then 5 a second) make the first AMIs fast, so every rate that includes them overstates
 * what the rest of the run can do; a recent stretch is past the burst as soon as the run is.
 */
export class DeletionRate {
  private firstStartMs: number | undefined;
  private lastStartMs: number | undefined;
  /** remainingMs() at each deregistration, in order. */
  private readonly at: number[] = [];
  /** How many of `at` the current apply step has reported through deregistered(). */
  private seenInStep = 0;
  /** Whether the current apply step has AMIs to deregister: only such a step measures the rate. */
  private measuring = false;
  private applied = false;
  private lastRate: number | undefined;

  constructor(private readonly remainingMs?: () => number) {}

  /**
   * Called as an apply step begins, with the AMIs it is to deregister. A step with none (it only
   * removes marks, moves stages or deletes snapshots earlier runs marked) measures nothing.
   */
  applyStarting(deleting = 1): void {
    this.seenInStep = 0;
    this.measuring = deleting > 0;
    if (!this.measuring || !this.remainingMs) return;
    this.lastStartMs = this.remainingMs();
    this.firstStartMs ??= this.lastStartMs;
  }

  /** Called as an AMI is deregistered, while its step goes on. */
  deregistered(): void {
    this.seenInStep += 1;
    this.at.push(this.remainingMs?.() ?? Number.POSITIVE_INFINITY);
  }

  /**
   * Called when that apply step is done, with the AMIs it deregistered: those it did not report one
   * by one are counted as deregistered now.
   */
  record(deregistered: number): void {
    const now = this.remainingMs?.() ?? Number.POSITIVE_INFINITY;
    for (let i = this.seenInStep; i < deregistered; i++) this.at.push(now);
    this.seenInStep = Math.max(this.seenInStep, deregistered);
    if (!this.measuring) return;
    this.applied = true;
    if (!this.remainingMs || this.lastStartMs === undefined) return;
    const spent = this.lastStartMs - now;
    if (deregistered > 0 && spent > 0) this.lastRate = deregistered / spent;
  }

  /**
   * AMIs the rest of the budget can deregister at the rate measured so far: undefined before the
   * first apply step with AMIs to deregister is done; Infinity when there is nothing to measure by
   * (no budget given, an unlimited one, one whose clock did not move, or no AMI deregistered yet:
   * all kept or failed).
   */
  affordable(): number | undefined {
    if (!this.remainingMs) return Number.POSITIVE_INFINITY;
    const left = this.remainingMs();
    if (!Number.isFinite(left)) return Number.POSITIVE_INFINITY;
    if (!this.applied || this.firstStartMs === undefined) return undefined;
    const spent = this.firstStartMs - left;
    const n = this.at.length;
    if (spent <= 0 || n === 0) return Number.POSITIVE_INFINITY;
    const rate = Math.min(n / spent, this.lastRate ?? Infinity, this.recentRate(left) ?? Infinity);
    return Math.floor(rate * left);
  }

  /**
   * The lowest rate over the stretches that end now and begin at a deregistration, counting those
   * after it: at least MIN_WINDOW of them and a quarter of all. Undefined until there are enough.
   */
  private recentRate(left: number): number | undefined {
    const n = this.at.length;
    let lowest: number | undefined;
    for (let count = Math.max(MIN_WINDOW, Math.ceil(n / 4)); count < n; count++) {
      const spent = (this.at[n - count - 1] as number) - left;
      if (spent > 0) lowest = Math.min(lowest ?? Infinity, count / spent);
    }
    return lowest;
  }
}

/**
 * How many AMIs' launch permissions and snapshots a round reads ahead: only what the rest of the
 * budget can delete beyond the AMIs this round is deleting (read already), and, under a deadline,
 * no more than one batch with them: a rate measured on EC2's burst can overstate what is left for
 * two rounds in a row, and each would then read for AMIs the run never reaches. Before its first
 * apply step is done, a round that deletes reads nothing beside it (it is what measures the rate),
 * and a round that deletes nothing reads one batch. So what a run has read and not reached when its
 * deadline comes is at most one batch: an AMI read but not reached is kept, and the next run reads
 * it again, which is the waste this saves. Without a deadline (affordable is Infinity) nothing is
 * left unreached for lack of time, and a round reads a batch beside its deletions.
 */
export function readAheadLimit(batch: number, affordable: number | undefined, deletingNow: number): number {
  if (affordable === undefined) return deletingNow > 0 ? 0 : batch;
  if (affordable === Number.POSITIVE_INFINITY) return batch;
  return Math.max(0, Math.min(batch, affordable) - deletingNow);
}
