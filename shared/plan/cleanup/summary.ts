/** What a plan adds up to: the counts a run reports, and one line per decision. */
import type { CleanupCounts, CleanupDecision, CleanupPlan, KeepReason } from './types';

export function countPlan(plan: Omit<CleanupPlan, 'counts'>, keptShared: number): CleanupCounts {
  const { decisions } = plan;
  return {
    images: decisions.length,
    delete: decisions.filter((d) => d.action === 'delete').length,
    deprecate: decisions.filter((d) => d.action === 'deprecate').length,
    disable: decisions.filter((d) => d.action === 'disable').length,
    keep: decisions.filter((d) => d.action === 'keep').length,
    skip: decisions.filter((d) => d.action === 'skip').length,
    defer: decisions.filter((d) => d.action === 'defer').length,
    snapshotsToDelete: plan.deletions.reduce((n, d) => n + d.snapshotIds.length, 0),
    pendingSnapshotsToDelete: plan.pendingSnapshotDeletions.length,
    snapshotsKept: plan.snapshotDecisions.filter((d) => d.action !== 'delete').length,
    snapshotsToUnmark: plan.snapshotUnmarks.length,
    problems: plan.problems.length,
    keptShared,
    stageDeprecate: plan.stageMoves.filter((m) => m.kind === 'deprecate').length,
    stageDisable: plan.stageMoves.filter((m) => m.kind === 'disable').length,
    stageRestore: plan.stageMoves.filter((m) => m.kind === 'restore').length,
    stageReset: plan.stageMoves.filter((m) => m.kind === 'reset').length,
  };
}

/** How many AMIs were kept for each main reason (reasons with none are absent). */
export function countKeptByReason(
  decisions: readonly CleanupDecision[],
): Partial<Record<KeepReason, number>> {
  const out: Partial<Record<KeepReason, number>> = {};
  for (const d of decisions) {
    if (d.action !== 'keep') continue;
    const why = d.keptFor ?? 'other';
    out[why] = (out[why] ?? 0) + 1;
  }
  return out;
}

/** "ami-1 delete: unused since ..." — one line for logs and the CLI. */
export function describeCleanupDecision(d: CleanupDecision): string {
  return `${d.imageId} ${d.action}: ${d.reason}`;
}
