/**
 * A cleanup region's report: a log line per decision and per apply outcome, and the summary's
 * skipped resources, failures and counts.
 */
import type { CleanupApplyResult } from '../../aws/cleanup';
import type { RegionInventory } from '../../aws/inventory';
import type {
  CleanupRefusedDetail,
  DeletedImage,
  DeletionNoticeDetail,
  RunSummaryDetail,
  SnapshotSavingsSummary,
} from '../../events';
import { countKeptByReason, type CleanupPlan } from '../../plan/cleanup';
import type { SnapshotPriceBook } from '../../pricing/snapshot';
import { logDecision } from '../../report';
import { describeTagProblem, formatTimestamp } from '../../tags';
import { problemToSkip, type JobDeps } from '../common';
import type { CheckedCleanupPlan } from './rounds';

export interface CleanupRegionResult {
  region: string;
  inventory?: RegionInventory;
  plan?: CleanupPlan;
  applied?: CleanupApplyResult;
  refused?: CleanupRefusedDetail;
  /** The AMIs retiring within the notice period, sent beside the summary. */
  notice?: DeletionNoticeDetail;
  summary: RunSummaryDetail;
}

/** What the region's run read, planned and (unless a dry run) did. */
export type CleanupRun = CheckedCleanupPlan & { applied?: CleanupApplyResult };

/** Logs and records the run in the region's result and summary. */
export function reportRun(
  deps: JobDeps,
  inventory: RegionInventory,
  run: CleanupRun,
  result: CleanupRegionResult,
): void {
  const { region, summary } = result;
  const plan = run.plan;
  result.plan = plan;
  summary.failures.push(...run.failures);
  summary.incomplete ||= run.incomplete;
  reportPlan(deps, region, plan);
  recordSkips(summary, inventory, plan);
  if (plan.refused) {
    result.refused = {
      region,
      accountId: inventory.accountId,
      at: formatTimestamp(deps.now),
      reason: plan.refused.reason,
    };
    if (plan.refused.newestLastUsedRuntime)
      result.refused.newestLastUsedRuntime = plan.refused.newestLastUsedRuntime;
    deps.log({ level: 'error', type: 'refused', function: 'cleanup', region, message: plan.refused.reason });
  }
  if (run.applied) {
    result.applied = run.applied;
    reportApplied(deps, region, summary, run.applied);
    if (run.applied.deregistered.length > 0) summary.deleted = deletedImages(inventory, run.applied);
  }
  summary.counts = summaryCounts(run, result.applied);
}

function reportPlan(deps: JobDeps, region: string, plan: CleanupPlan): void {
  const dry = deps.settings.dryRun ? ' (dry run: nothing is deleted)' : '';
  for (const d of plan.decisions) {
    const line = {
      function: 'cleanup' as const,
      region,
      resourceId: d.imageId,
      action: `plan-${d.action}`,
      reason:
        d.action === 'delete' || d.action === 'deprecate' || d.action === 'disable'
          ? d.reason + dry
          : d.reason,
      rule: d.rule,
    };
    logDecision(deps.log, d.problem ? { ...line, tagProblem: d.problem } : line);
  }
  const dryMark = deps.settings.dryRun ? ' (dry run: the mark stays)' : '';
  for (const d of plan.snapshotDecisions) {
    const line = {
      function: 'cleanup' as const,
      region,
      resourceId: d.snapshotId,
      action: `plan-snapshot-${d.action}`,
      reason: d.action === 'unmark' ? d.reason + dryMark : d.reason,
      rule: d.rule,
    };
    logDecision(deps.log, d.problem ? { ...line, tagProblem: d.problem } : line);
  }
  for (const p of plan.problems) {
    deps.log({
      level: 'warn',
      type: 'tag-problem',
      function: 'cleanup',
      region,
      resourceId: p.resourceId,
      message: describeTagProblem(p),
    });
  }
}

/** What the inventory could not read, and every AMI and snapshot the plan skipped. */
function recordSkips(summary: RunSummaryDetail, inventory: RegionInventory, plan: CleanupPlan): void {
  for (const p of inventory.problems) summary.skipped.push(problemToSkip(p));
  for (const d of plan.decisions) {
    if (d.action === 'skip') {
      summary.skipped.push(
        d.problem
          ? {
              resourceId: d.imageId,
              tag: d.problem.tag,
              value: d.problem.value,
              expected: d.problem.expected,
              reason: d.reason,
              rule: d.rule,
            }
          : { resourceId: d.imageId, reason: d.reason, rule: d.rule },
      );
    }
  }
  for (const d of plan.snapshotDecisions) {
    if (d.action === 'skip')
      summary.skipped.push({ resourceId: d.snapshotId, reason: d.reason, rule: d.rule });
  }
}

function reportApplied(
  deps: JobDeps,
  region: string,
  summary: RunSummaryDetail,
  applied: CleanupApplyResult,
): void {
  for (const o of applied.outcomes) {
    logDecision(deps.log, {
      function: 'cleanup',
      region,
      resourceId: o.resourceId,
      action: o.action,
      reason: o.reason,
    });
  }
  summary.failures.push(...applied.failures);
  for (const k of applied.keptByInstances) {
    summary.skipped.push({
      resourceId: k.imageId,
      reason: `in use right before deregistering: ${k.instances.join(', ')}`,
    });
  }
  for (const k of applied.keptByReferences) {
    summary.skipped.push({
      resourceId: k.imageId,
      reason: `in use per DescribeImageReferences: ${k.references.join(', ')}`,
    });
  }
  summary.incomplete ||= applied.incomplete;
}

/** The AMIs the run deregistered, each with its name and the snapshots of it the run deleted. */
function deletedImages(inventory: RegionInventory, applied: CleanupApplyResult): DeletedImage[] {
  const byId = new Map(inventory.images.map((i) => [i.id, i]));
  const snapshotsDeleted = new Set(applied.snapshotsDeleted);
  return applied.deregistered.map((imageId) => {
    const image = byId.get(imageId);
    const snapshotIds = (image?.snapshotIds ?? []).filter((s) => snapshotsDeleted.has(s));
    return image?.name ? { imageId, name: image.name, snapshotIds } : { imageId, snapshotIds };
  });
}

function summaryCounts(
  run: CheckedCleanupPlan,
  applied: CleanupApplyResult | undefined,
): RunSummaryDetail['counts'] {
  const { plan } = run;
  return {
    imagesSeen: plan.counts.images,
    planned: plan.counts.delete,
    kept: plan.counts.keep,
    skipped: plan.counts.skip,
    deferred: plan.counts.defer,
    tagProblems: plan.counts.problems,
    deleted: applied?.deregistered.length ?? 0,
    snapshotsDeleted: applied?.snapshotsDeleted.length ?? 0,
    snapshotsDeferred: applied?.snapshotsDeferred.length ?? 0,
    // Stale pending-deletion marks: planned (what a dry run would remove), and removed.
    snapshotsToUnmark: plan.counts.snapshotsToUnmark,
    snapshotsUnmarked: applied?.snapshotsUnmarked.length ?? 0,
    keptByImageReferences: applied?.keptByReferences.length ?? 0,
    // AMIs the last DescribeInstances before deregistering found in use (launched since the inventory).
    keptByInstanceCheck: applied?.keptByInstances.length ?? 0,
    failed: (applied?.failures.length ?? 0) + run.failures.length,
    refused: plan.refused ? 1 : 0,
    keptShared: plan.counts.keptShared,
    launchPermissionsRead: run.launchPermissions.size,
    // Snapshot ids looked up by id (DescribeSnapshots, 200 a call) for the AMIs the run would delete.
    snapshotsLookedUp: run.snapshotsLookedUp,
    // deleteSharedImages=when-unused: AMIs whose usage reports were read, and reports requested.
    usageReportsRead: run.usageReports.size,
    usageReportsRequested: run.usageReportsRequested.size,
    ...keptCounts(plan),
    ...stageCounts(plan, applied),
  };
}

/**
 * The retirement stages' counts, only where stages are configured or a stage move was planned (a
 * stage tag met): a run without stages reports exactly what it always did.
 */
function stageCounts(plan: CleanupPlan, applied: CleanupApplyResult | undefined): Record<string, number> {
  const c = plan.counts;
  const any = c.stageDeprecate + c.stageDisable + c.stageRestore + c.stageReset + c.deprecate + c.disable;
  if (any === 0 && !plan.decisions.some((d) => d.keptFor === 'staged')) return {};
  return {
    toDeprecate: c.deprecate,
    toDisable: c.disable,
    deprecated: applied?.deprecated.length ?? 0,
    disabled: applied?.disabled.length ?? 0,
    restored: applied?.restored.length ?? 0,
    stageTagsReset: applied?.stageResets.length ?? 0,
    keptStaged: plan.decisions.filter((d) => d.keptFor === 'staged').length,
  };
}

/** AMIs kept, by main reason, as the summary's counts (shared/metrics.ts turns them into Kept* metrics). */
function keptCounts(plan: CleanupPlan): Record<string, number> {
  const by = countKeptByReason(plan.decisions);
  // Shared is the plan's own keptShared count; the rarer reasons are summed into keptOther.
  const named = new Set<string>(['inUse', 'retention', 'refused', 'notOptedIn', 'taggerStale', 'shared']);
  const other = Object.entries(by).reduce((n, [why, k]) => (named.has(why) ? n : n + (k ?? 0)), 0);
  return {
    keptInUse: by.inUse ?? 0,
    keptRetention: by.retention ?? 0,
    keptRefused: by.refused ?? 0,
    keptNotOptedIn: by.notOptedIn ?? 0,
    keptTaggerStale: by.taggerStale ?? 0,
    keptOther: other,
  };
}

export const SNAPSHOT_SAVINGS_BASIS =
  'estimate and upper bound: GiB = the sum of DescribeSnapshots VolumeSize (the source volume) of the snapshots this run deleted, ' +
  "while snapshots are incremental and hold only changed blocks; × the region's EBS snapshot standard-tier price per GB-month " +
  '(Price List API, else a bundled table); snapshots already gone when deleted are not counted';

/**
 * The snapshot storage the run freed (counts.snapshotGiBDeleted, an upper bound) and what it is worth a
 * month (counts.estimatedSnapshotSavingsUsdPerMonth). The price is asked only when something was freed.
 */
export async function recordSnapshotSavings(
  summary: RunSummaryDetail,
  run: CleanupRun,
  prices: SnapshotPriceBook,
): Promise<void> {
  const applied = run.applied;
  if (!applied) return;
  // Deleted by someone else before this run got to it (InvalidSnapshot.NotFound): not freed by this run.
  const alreadyGone = new Set(
    applied.outcomes
      .filter((o) => o.action === 'snapshot-deleted' && o.reason === 'already deleted')
      .map((o) => o.resourceId),
  );
  let gib = 0;
  const unsized: string[] = [];
  for (const id of new Set(applied.snapshotsDeleted)) {
    if (alreadyGone.has(id)) continue;
    const size = run.snapshotSizesGiB.get(id);
    if (size === undefined) unsized.push(id);
    else gib += size;
  }
  summary.counts.snapshotGiBDeleted = gib;
  if (gib === 0 && unsized.length === 0) return;
  const answer = gib > 0 ? await prices.snapshotPrice(summary.region) : {};
  const savings: SnapshotSavingsSummary = {
    estimate: true,
    upperBound: true,
    currency: 'USD',
    basis: SNAPSHOT_SAVINGS_BASIS,
    unsizedSnapshots: unsized.sort(),
  };
  if (answer.price) {
    savings.price = answer.price;
    summary.counts.estimatedSnapshotSavingsUsdPerMonth =
      Math.round(gib * answer.price.usdPerGiBMonth * 100) / 100;
  }
  if (answer.problem) savings.problems = [answer.problem];
  summary.snapshotSavings = savings;
}
