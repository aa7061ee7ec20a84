/**
 * Every rule of the cleanup plan by name, in the order the plan tries them, with a one-line summary:
 * what docs, reports and tests read. Each decision names the rule that made it (CleanupDecision.rule,
 * SnapshotDecision.rule).
 */
import { CANDIDATE_RULES, type CandidateRuleName } from './candidate-rules';
import { IMAGE_RULES, type ImageRuleName } from './image-rules';
import { MARK_RULES } from './mark-rules';
import { SNAPSHOT_OF_IMAGE_RULES } from './snapshot-rules';

export type CleanupRuleName = ImageRuleName | CandidateRuleName;
export type SnapshotRuleName =
  (typeof SNAPSHOT_OF_IMAGE_RULES)[number]['name'] | (typeof MARK_RULES)[number]['name'];

export interface RuleSummary<Name extends string = string> {
  name: Name;
  summary: string;
  /** 'image': tried on each AMI alone; 'run': on the AMIs every 'image' rule let through, across the run. */
  scope: 'image' | 'run';
}

export interface SnapshotRuleSummary<Name extends string = string> {
  name: Name;
  summary: string;
  /** 'image': the snapshots of an AMI deleted in this run; 'mark': other snapshots carrying a pending-deletion mark. */
  scope: 'image' | 'mark';
}

/** The AMI rules: the first that decides wins; `eligible` (delete) only when none of the others did. */
export const CLEANUP_RULES: readonly RuleSummary<CleanupRuleName>[] = [
  ...IMAGE_RULES.map(({ name, summary }) => ({ name, summary, scope: 'image' as const })),
  ...CANDIDATE_RULES.map(({ name, summary }) => ({ name, summary, scope: 'run' as const })),
];

/** The snapshot rules: the first that decides wins. */
export const SNAPSHOT_RULES: readonly SnapshotRuleSummary<SnapshotRuleName>[] = [
  ...SNAPSHOT_OF_IMAGE_RULES.map(({ name, summary }) => ({ name, summary, scope: 'image' as const })),
  ...MARK_RULES.map(({ name, summary }) => ({ name, summary, scope: 'mark' as const })),
];
