/** The cleanup job: runCleanup for the Lambda, and the plan → read → re-plan loop for the CLI and tests. */
export {
  cleanupSettingsFrom,
  runCleanup,
  type CleanupJobDeps,
  type CleanupRegionResult,
  type CleanupResult,
} from './region';
export {
  LAUNCH_PERMISSIONS_READ_AHEAD,
  cleanInRounds,
  readAndPlan,
  type CheckedCleanupPlan,
  type CleanedInRounds,
  type CleanupRunInput,
  type RoundOptions,
} from './rounds';
