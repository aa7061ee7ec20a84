/** The apply step's input, options and result: what a cleanup run hands it and reads back. */
import type { RunFailure } from '../../events';
import type {
  PlannedImageDeletion,
  PlannedPendingSnapshotDeletion,
  PlannedSnapshotUnmark,
  PlannedStageMove,
} from '../../plan/cleanup';

/** The part of a CleanupPlan the apply step carries out. */
export interface CleanupWork {
  deletions: readonly PlannedImageDeletion[];
  pendingSnapshotDeletions: readonly PlannedPendingSnapshotDeletion[];
  snapshotUnmarks?: readonly PlannedSnapshotUnmark[];
  /** Retirement stage moves (stages.ts); absent: none. */
  stageMoves?: readonly PlannedStageMove[];
}

export interface ApplyOptions {
  /** Asked before every AWS call that changes something. */
  hasTime: () => boolean;
  checkImageReferences: boolean;
  concurrency?: number;
  log?: (line: Record<string, unknown>) => void;
  /**
   * Told of each AMI as soon as it is gone (deregistered, or found already gone), before its
   * snapshots are deleted: the run measures its deletion rate by it while the step goes on.
   */
  onDeregistered?: (imageId: string) => void;
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
    | 'deprecated'
    | 'disabled'
    | 'restored'
    | 'stage-reset'
    | 'failed'
    | 'not-reached';
  reason: string;
}

/**
 * Whether DescribeImageReferences gave its second opinion: asked, not asked (the setting is off), or
 * unknown because the endpoint does not implement it (the message says what it answered).
 */
export type ImageReferencesCheck =
  { kind: 'checked' } | { kind: 'off' } | { kind: 'unknown'; message: string };

/** The check as one word, or `unknown: <why>`: how logs and reports have always printed it. */
export function describeImageReferencesCheck(check: ImageReferencesCheck): string {
  return check.kind === 'unknown' ? `unknown: ${check.message}` : check.kind;
}

export interface CleanupApplyResult {
  deregistered: string[];
  snapshotsDeleted: string[];
  /** Snapshots AWS still reported in use: tagged, so a later run deletes them. */
  snapshotsDeferred: string[];
  /** Snapshots whose stale pending-deletion mark DeleteTags removed. */
  snapshotsUnmarked: string[];
  /** Retirement stages: AMIs this run deprecated, disabled, gave back (re-enabled), whose stage tags it reset. */
  deprecated: string[];
  disabled: string[];
  restored: string[];
  stageResets: string[];
  keptByReferences: { imageId: string; references: string[] }[];
  /**
   * AMIs the last look before deregistering (DescribeInstances by image id) found an instance of,
   * e.g. launched after the inventory: kept.
   */
  keptByInstances: { imageId: string; instances: string[] }[];
  failures: RunFailure[];
  outcomes: ApplyOutcome[];
  imageReferences: ImageReferencesCheck;
  incomplete: boolean;
}

export function emptyApplyResult(checkImageReferences: boolean): CleanupApplyResult {
  return {
    deregistered: [],
    snapshotsDeleted: [],
    snapshotsDeferred: [],
    snapshotsUnmarked: [],
    deprecated: [],
    disabled: [],
    restored: [],
    stageResets: [],
    keptByReferences: [],
    keptByInstances: [],
    failures: [],
    outcomes: [],
    imageReferences: { kind: checkImageReferences ? 'checked' : 'off' },
    incomplete: false,
  };
}

/**
 * Several apply steps (a run's rounds) as one. The image references check is unknown if any round
 * found it unsupported, else what the run asked for.
 */
export function mergeApplyResults(
  results: readonly CleanupApplyResult[],
  checkImageReferences: boolean,
): CleanupApplyResult {
  const unknown = results.find((r) => r.imageReferences.kind === 'unknown');
  return {
    deregistered: results.flatMap((r) => r.deregistered),
    snapshotsDeleted: results.flatMap((r) => r.snapshotsDeleted),
    snapshotsDeferred: results.flatMap((r) => r.snapshotsDeferred),
    snapshotsUnmarked: results.flatMap((r) => r.snapshotsUnmarked),
    deprecated: results.flatMap((r) => r.deprecated),
    disabled: results.flatMap((r) => r.disabled),
    restored: results.flatMap((r) => r.restored),
    stageResets: results.flatMap((r) => r.stageResets),
    keptByReferences: results.flatMap((r) => r.keptByReferences),
    keptByInstances: results.flatMap((r) => r.keptByInstances),
    failures: results.flatMap((r) => r.failures),
    outcomes: results.flatMap((r) => r.outcomes),
    imageReferences: unknown?.imageReferences ?? { kind: checkImageReferences ? 'checked' : 'off' },
    incomplete: results.some((r) => r.incomplete),
  };
}
