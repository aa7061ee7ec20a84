/** The cleanup plan's input and output shapes. */
import type { Image, SnapshotLookup, SnapshotRecord } from '../../domain';
import type { UsageReportRequest, UsageReportsRead } from '../../image-usage-reports';
import type { LaunchPermissionsRead } from '../../launch-permissions';
import type { TagProblem } from '../../tags';
import type { UnresolvedUsage, UsageIndex } from '../../usage';
import type { RecycleBinRead } from '../../recycle-bin';
import type { RecycleBinReport } from './recycle-bin';
import type { CleanupRuleName, SnapshotRuleName } from './rules';
import type { CleanupSettings } from './settings';
import type { StageReading, Timeline } from './stages';

/** 'deprecate' and 'disable': a retirement stage begins (stages.ts); 'delete' deregisters. */
export type CleanupAction = 'delete' | 'deprecate' | 'disable' | 'keep' | 'skip' | 'defer';

/**
 * The main reason an AMI was kept, for the run's metrics (the reason text says it in full): what
 * most often keeps AMIs tells an operator whether to change the settings, fix the tagger or wait.
 */
export type KeepReason =
  | 'inUse'
  | 'retention'
  | 'keepUntil'
  | 'shared'
  | 'refused'
  | 'notOptedIn'
  | 'notOwned'
  | 'taggerStale'
  | 'tagProblem'
  | 'protected'
  | 'pending'
  | 'held'
  | 'recycleBin'
  /** In a retirement stage whose grace period has not passed. */
  | 'staged'
  | 'other';

export interface CleanupDecision {
  imageId: string;
  action: CleanupAction;
  reason: string;
  /** The unreadable tag behind a 'skip' (or reported alongside a 'keep'). */
  problem?: TagProblem;
  /** Set on every 'keep'. */
  keptFor?: KeepReason;
  /** The rule that decided (see CLEANUP_RULES). */
  rule: CleanupRuleName;
  /**
   * With retirement stages configured (or stage tags on the AMI): when it was or will be deprecated,
   * disabled and deleted, as the settings and its stage project it; empty when it is not on its way out.
   */
  timeline?: Timeline;
}

/**
 * 'unmark': the snapshot is kept and its TAG.pendingDeletion mark removed, because the deletion the
 * mark was written for can no longer delete it (see snapshots.ts).
 */
export type SnapshotAction = 'delete' | 'keep' | 'skip' | 'unmark';

export interface SnapshotDecision {
  snapshotId: string;
  /** The AMI the snapshot belongs (or, for a pending mark, belonged) to. */
  imageId: string;
  action: SnapshotAction;
  reason: string;
  problem?: TagProblem;
  /** The rule that decided (see SNAPSHOT_RULES). */
  rule: SnapshotRuleName;
}

export interface PlannedImageDeletion {
  image: Image;
  /** Mark with TAG.pendingDeletion before deregistering, delete after: owned and no remaining AMI uses them. */
  snapshotIds: string[];
  reason: string;
}

export interface PlannedPendingSnapshotDeletion {
  snapshotId: string;
  imageId: string;
  reason: string;
}

/**
 * A TAG.pendingDeletion mark to remove. The apply step passes `mark` as the tag value to DeleteTags,
 * which then removes the tag only where it still has that value: a mark rewritten meanwhile (another
 * run deleting another AMI that uses the snapshot) is left alone.
 */
export interface PlannedSnapshotUnmark {
  snapshotId: string;
  /** The mark's value exactly as read, untrimmed: DeleteTags matches it byte for byte. */
  mark: string;
  /** The AMI the mark names. */
  imageId: string;
  reason: string;
}

/**
 * One AMI's move between retirement stages (stages.ts), carried out in this order: tags written,
 * EnableImageDeprecation, DisableImage (forward); or EnableImage, DisableImageDeprecation, tags
 * removed (a retirement called off, or a stage tag EC2 disagrees with).
 */
export interface PlannedStageMove {
  imageId: string;
  kind: 'deprecate' | 'disable' | 'restore' | 'reset';
  /** Stage tags to write with the value `at` (forward moves). */
  writeTags: string[];
  /** The run's now: the tags' value and EnableImageDeprecation's DeprecateAt. */
  at: string;
  /** EnableImageDeprecation (false when a deprecation is already in effect: it is left as it is). */
  deprecate: boolean;
  disable: boolean;
  /** EnableImage: cleanup disabled it. */
  enable: boolean;
  /** DisableImageDeprecation: the deprecation is the one cleanup set. */
  cancelDeprecation: boolean;
  /** Stage tags to remove (restore, reset). */
  removeTags: string[];
  reason: string;
}

export interface SnapshotLookupFailure {
  imageId: string;
  snapshotId: string;
  message: string;
}

export interface CleanupRefusal {
  reason: string;
  newestLastUsedRuntime?: string;
  unresolved?: UnresolvedUsage[];
}

export interface CleanupCounts {
  images: number;
  delete: number;
  /** AMIs entering the deprecated, the disabled stage (stages.ts). */
  deprecate: number;
  disable: number;
  keep: number;
  skip: number;
  defer: number;
  snapshotsToDelete: number;
  pendingSnapshotsToDelete: number;
  /** Snapshots not deleted (unmarked ones included: they are kept). */
  snapshotsKept: number;
  /** Pending-deletion marks to remove. */
  snapshotsToUnmark: number;
  problems: number;
  /** Kept because they are shared outside the account, or their launch permissions are unknown. */
  keptShared: number;
  /** Retirement stage moves (stages.ts): AMIs to deprecate, to disable, to re-enable, stage tags to reset. */
  stageDeprecate: number;
  stageDisable: number;
  stageRestore: number;
  stageReset: number;
}

export interface CleanupPlan {
  /** In deletion order: oldest-unused first, then by id. Empty when refused. */
  deletions: PlannedImageDeletion[];
  /** Snapshots marked by earlier runs whose AMI is gone. Empty when refused. */
  pendingSnapshotDeletions: PlannedPendingSnapshotDeletion[];
  /**
   * Marks whose deletion can no longer delete the snapshot (the AMI named is kept, or another AMI
   * uses the snapshot), sorted by snapshot id. Also in a refused run: removing a mark deletes nothing.
   */
  snapshotUnmarks: PlannedSnapshotUnmark[];
  /** Retirement stage moves, by image id (empty without stages, unless stage tags are found). */
  stageMoves: PlannedStageMove[];
  /** One per image read, sorted by image id. */
  decisions: CleanupDecision[];
  /** One per snapshot looked at (of planned AMIs, and pending marks), sorted by snapshot id then AMI id. */
  snapshotDecisions: SnapshotDecision[];
  /** Every unreadable tag value met, sorted by resource id then tag. */
  problems: TagProblem[];
  refused?: CleanupRefusal;
  /**
   * AMIs that would be deleted once their launch permissions are known, in deletion order and at
   * most the cap: read them (DescribeImageAttribute launchPermission) and plan again with them in
   * CleanupInput.launchPermissions. Until then they are kept. Empty when refused or when
   * deleteSharedImages is on.
   */
  launchPermissionsToRead: string[];
  /**
   * AMIs that would be deleted once their snapshots are known (and, for those also in
   * launchPermissionsToRead, their launch permissions: both are read side by side), in deletion order
   * and at most the cap: look up their snapshot ids not yet in
   * CleanupInput.snapshots or snapshotLookups (unknownSnapshotIds) and plan again with what was found.
   * Until then they are kept. Empty when refused, and always empty without snapshotLookups.
   */
  snapshotsToRead: string[];
  /** AMIs kept this run because the look-up of one of their snapshots failed, in deletion order. */
  snapshotLookupFailures: SnapshotLookupFailure[];
  /**
   * deleteSharedImages=when-unused: shared AMIs that would be deleted once their usage reports are
   * known, in deletion order, at most the cap: read them (DescribeImageUsageReports, and the entries
   * of each available one) and plan again with them in CleanupInput.usageReports.
   */
  usageReportsToRead: string[];
  /**
   * Usage reports to request (CreateImageUsageReport) for shared AMIs with none pending and none
   * fresh, in deletion order, at most MAX_USAGE_REPORT_REQUESTS_PER_RUN less
   * CleanupInput.usageReportsRequested. A real run requests them; a dry run and the plan CLI do not.
   */
  usageReportsToRequest: UsageReportRequest[];
  /**
   * When each owned AMI will be deprecated, disabled and deleted if nothing uses or keeps it first (from
   * now, or from the end of its retention or AutoCleanupKeepUntil): what the deletion notice reads.
   */
  retirements: ReadonlyMap<string, Timeline>;
  counts: CleanupCounts;
  /**
   * Per AMI this account owns, whether a Recycle Bin retention rule would retain it and its owned
   * snapshots if deleted now, by which rule, locked or not, and until when (or why that is unknown).
   * Absent when the plan was made without CleanupInput.recycleBin.
   */
  recycleBin?: RecycleBinReport;
}

export interface CleanupInput {
  images: Image[];
  usage: UsageIndex;
  snapshots: SnapshotRecord[];
  settings: CleanupSettings;
  now: Date;
  /**
   * Launch permissions read so far, by AMI id (see CleanupPlan.launchPermissionsToRead). An AMI that
   * would be deleted and is not in here is kept; a failed read keeps it too.
   */
  launchPermissions?: ReadonlyMap<string, LaunchPermissionsRead>;
  /**
   * Snapshot ids looked up so far (see CleanupPlan.snapshotsToRead and SnapshotLookup). Given (as the
   * cleanup job and the plan CLI always do), an AMI is deleted only when each of its snapshots has a
   * record in `snapshots` or a 'read' look-up here; one with a snapshot not looked up yet is kept until
   * it is, and one with a failed look-up is kept for the run. Absent, `snapshots` is taken to hold every
   * owned snapshot of every AMI (a full read up front), and a snapshot without a record is kept.
   */
  snapshotLookups?: ReadonlyMap<string, SnapshotLookup>;
  /**
   * What earlier rounds of this same run did. A real run deletes in rounds (shared/jobs/cleanup.ts),
   * reading launch permissions only a little ahead of its deletions; between rounds the AMIs it
   * deregistered leave `images` and the snapshots it touched leave `snapshots`, as a fresh read
   * would show them.
   */
  earlierRounds?: EarlierRounds;
  /** The region's Recycle Bin retention rules, read once per run (or why they could not be). */
  recycleBin?: RecycleBinRead;
  /**
   * Usage reports read so far, by AMI id (see CleanupPlan.usageReportsToRead): with
   * deleteSharedImages=when-unused, a shared AMI not in here is kept.
   */
  usageReports?: ReadonlyMap<string, UsageReportsRead>;
  /** Usage reports this run has already requested (earlier rounds): counted against the bound. */
  usageReportsRequested?: number;
}

export interface EarlierRounds {
  /** AMIs this run already deregistered or tried to: each took one place under the cap. */
  attempted: number;
  /**
   * AMIs an earlier round tried and left in place (a failed call, a reference found), with what
   * happened: kept for the rest of the run, so their snapshots stay theirs; the next run re-plans them.
   */
  held: ReadonlyMap<string, string>;
}

/**
 * What a rule decided about an AMI. `problem` is the unreadable value the decision names; `reported`
 * is every unreadable value the rule met, for the plan's problem list.
 */
export interface Verdict {
  action: CleanupAction;
  reason: string;
  keptFor?: KeepReason;
  problem?: TagProblem;
  reported?: readonly TagProblem[];
}

/** An AMI every per-AMI rule let through, with its last activity: the run-wide rules decide on it. */
export interface Candidate {
  image: Image;
  /** Its retirement stage (stages.ts). */
  stage: StageReading;
  lastActivity: Date;
  reason: string;
}
