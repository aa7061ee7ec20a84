/**
 * The cleanup plan: which AMIs to deregister and which snapshots to delete with them, each decision
 * with its reason and the named rule that made it. Callers import from here.
 */
export { planCleanup } from './plan';
export { mergeCleanupRounds } from './rounds';
export { CLEANUP_RULES, SNAPSHOT_RULES } from './rules';
export type { CleanupRuleName, RuleSummary, SnapshotRuleName, SnapshotRuleSummary } from './rules';
export {
  CleanupSettingsError,
  DEFAULT_CLEANUP_SETTINGS,
  validateCleanupSettings,
  type CleanupSettings,
} from './settings';
export { unknownSnapshotIds } from './snapshot-knowledge';
export type { RecycleBinReport } from './recycle-bin';
export {
  STAGE_SLACK_MS,
  gracesOf,
  projectTimeline,
  readStage,
  type StageReading,
  type Timeline,
} from './stages';
export { countKeptByReason, describeCleanupDecision } from './summary';
export type {
  CleanupAction,
  CleanupCounts,
  CleanupDecision,
  CleanupInput,
  CleanupPlan,
  CleanupRefusal,
  EarlierRounds,
  KeepReason,
  PlannedImageDeletion,
  PlannedPendingSnapshotDeletion,
  PlannedSnapshotUnmark,
  PlannedStageMove,
  SnapshotAction,
  SnapshotDecision,
  SnapshotLookupFailure,
} from './types';
// Inventory records the plan reads; they live in shared/domain.ts.
export type { SnapshotLookup, SnapshotRecord } from '../../domain';
