/** Recycle Bin awareness: the rules as read, and which of them would retain what cleanup deletes. */
export { coverageOf, describeRecoverability, recoverabilityOf, ruleCovers, uncoveredParts } from './coverage';
export type {
  Coverage,
  ImageRecoverability,
  RecycleBinRead,
  RecycleBinResourceType,
  RecycleBinRule,
  RuleLockState,
  RuleTag,
  SnapshotCoverage,
} from './types';
