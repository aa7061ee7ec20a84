/**
 * The cleanup run: per region, inventory (with snapshots) → plan → apply → report. Dry-run reads
 * and reports only. A refused plan (stale tagger, unresolved usage) deletes nothing and sends a
 * separate CleanupRefused event besides the summary, so it cannot go unnoticed.
 */
import { applyCleanup, type CleanupApplyResult } from '../aws/cleanup';
import type { AwsClients } from '../aws/clients';
import { readImageInventory, usageOf, type RegionInventory } from '../aws/inventory';
import { readLaunchPermissions } from '../aws/launch-permissions';
import type { Settings } from '../config';
import type { CleanupRefusedDetail, RunFailure, RunSummaryDetail } from '../events';
import type { LaunchPermissionsRead } from '../launch-permissions';
import {
  DEFAULT_CLEANUP_SETTINGS,
  planCleanup,
  type CleanupInput,
  type CleanupPlan,
  type CleanupSettings,
} from '../plan/cleanup';
import { logDecision } from '../report';
import { describeTagProblem, formatTimestamp } from '../tags';
import {
  finishSummary,
  problemToSkip,
  readInventoryOrRecord,
  runRegions,
  startSummary,
  type JobDeps,
  type RegionsResult,
} from './common';

export interface CleanupRegionResult {
  region: string;
  inventory?: RegionInventory;
  plan?: CleanupPlan;
  applied?: CleanupApplyResult;
  refused?: CleanupRefusedDetail;
  summary: RunSummaryDetail;
}

export type CleanupResult = RegionsResult<CleanupRegionResult>;

export function cleanupSettingsFrom(settings: Settings): CleanupSettings {
  const out: CleanupSettings = {
    retentionDays: settings.retentionDays,
    freshnessMinutes: settings.freshnessMinutes,
    maxDeletionsPerRun: settings.maxDeletionsPerRun ?? DEFAULT_CLEANUP_SETTINGS.maxDeletionsPerRun,
  };
  if (settings.keepNewestPerFamily !== undefined) out.keepNewestPerFamily = settings.keepNewestPerFamily;
  if (settings.familyTag !== undefined) out.familyTag = settings.familyTag;
  if (settings.deleteSharedImages) out.deleteSharedImages = true;
  return out;
}

export interface CheckedCleanupPlan {
  plan: CleanupPlan;
  /** Every launch permission read, by AMI id (failed reads included). */
  launchPermissions: Map<string, LaunchPermissionsRead>;
  /** A failed DescribeImageAttribute per AMI: that AMI was kept. */
  failures: RunFailure[];
  /** The time budget ran out before every AMI the plan asked about was read (those were kept). */
  incomplete: boolean;
}

/**
 * planCleanup with the launch permissions of the AMIs it would delete: plan, read what the plan asks
 * for (DescribeImageAttribute), plan again, until it asks for nothing. An AMI found shared frees its
 * place under the cap for the next one, which is read in the next round, so the calls stay close to
 * the number of deletions. Read only: the plan CLI uses it too.
 */
export async function planCleanupCheckingSharing(
  clients: AwsClients,
  input: Omit<CleanupInput, 'launchPermissions'>,
  hasTime: () => boolean,
): Promise<CheckedCleanupPlan> {
  const launchPermissions = new Map<string, LaunchPermissionsRead>();
  let plan = planCleanup({ ...input, launchPermissions });
  let incomplete = false;
  // Each round asks only about AMIs not read before, so the loop ends; when time runs out, the AMIs
  // not read stay kept (the plan says so) and the next run carries on.
  while (plan.launchPermissionsToRead.length > 0 && !incomplete) {
    if (!hasTime()) {
      incomplete = true;
      break;
    }
    const wanted = plan.launchPermissionsToRead;
    const read = await readLaunchPermissions(clients, wanted, { hasTime });
    for (const [id, r] of read) launchPermissions.set(id, r);
    if (read.size < wanted.length) incomplete = true;
    plan = planCleanup({ ...input, launchPermissions });
  }
  const failures: RunFailure[] = [];
  for (const [id, r] of launchPermissions) {
    if (r.kind !== 'failed') continue;
    failures.push({
      resourceId: id,
      action: 'DescribeImageAttribute',
      message: `could not read its launch permissions: ${r.message}; the AMI was kept and the next run asks again`,
    });
  }
  return { plan, launchPermissions, failures, incomplete };
}

export async function runCleanup(deps: JobDeps): Promise<CleanupResult> {
  return runRegions(deps, (region) => cleanRegion(deps, region));
}

async function cleanRegion(deps: JobDeps, region: string): Promise<CleanupRegionResult> {
  const { dryRun } = deps.settings;
  const started = startSummary('cleanup', region, deps, dryRun);
  const { summary } = started;
  const clients = deps.clientsFor(region);
  const result: CleanupRegionResult = { region, summary };

  const inventory = await readInventoryOrRecord(
    summary,
    deps.budget,
    "the region's AMIs and their users",
    () => readImageInventory(clients, region, { snapshots: true }),
  );
  if (inventory) {
    result.inventory = inventory;
    summary.accountId = inventory.accountId;
    const usage = usageOf(inventory);
    // Launch permissions are read in a dry run too: they are reads, and the report should say which
    // AMIs a real run would keep as shared.
    const checked = await planCleanupCheckingSharing(
      clients,
      {
        images: inventory.images,
        usage,
        snapshots: inventory.snapshots,
        settings: cleanupSettingsFrom(deps.settings),
        now: deps.now,
      },
      () => deps.budget.hasTimeFor(),
    );
    const plan = checked.plan;
    result.plan = plan;
    summary.failures.push(...checked.failures);
    summary.incomplete ||= checked.incomplete;
    reportPlan(deps, region, plan);
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
              }
            : { resourceId: d.imageId, reason: d.reason },
        );
      }
    }
    for (const d of plan.snapshotDecisions) {
      if (d.action === 'skip') summary.skipped.push({ resourceId: d.snapshotId, reason: d.reason });
    }

    if (plan.refused) {
      result.refused = {
        region,
        accountId: inventory.accountId,
        at: formatTimestamp(deps.now),
        reason: plan.refused.reason,
      };
      if (plan.refused.newestLastUsedRuntime)
        result.refused.newestLastUsedRuntime = plan.refused.newestLastUsedRuntime;
      deps.log({
        level: 'error',
        type: 'refused',
        function: 'cleanup',
        region,
        message: plan.refused.reason,
      });
    }

    if (!dryRun) {
      const applied = await applyCleanup(clients, plan, {
        hasTime: () => deps.budget.hasTimeFor(),
        checkImageReferences: deps.settings.checkImageReferences,
        log: deps.log,
      });
      result.applied = applied;
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
      for (const k of applied.keptByReferences) {
        summary.skipped.push({
          resourceId: k.imageId,
          reason: `in use per DescribeImageReferences: ${k.references.join(', ')}`,
        });
      }
      summary.incomplete ||= applied.incomplete;
    }

    summary.counts = {
      imagesSeen: plan.counts.images,
      planned: plan.counts.delete,
      kept: plan.counts.keep,
      skipped: plan.counts.skip,
      deferred: plan.counts.defer,
      tagProblems: plan.counts.problems,
      deleted: result.applied?.deregistered.length ?? 0,
      snapshotsDeleted: result.applied?.snapshotsDeleted.length ?? 0,
      snapshotsDeferred: result.applied?.snapshotsDeferred.length ?? 0,
      keptByImageReferences: result.applied?.keptByReferences.length ?? 0,
      failed: (result.applied?.failures.length ?? 0) + checked.failures.length,
      refused: plan.refused ? 1 : 0,
      keptShared: plan.counts.keptShared,
      launchPermissionsRead: checked.launchPermissions.size,
    };
  }

  // A dry run still reports (summary.dryRun says so): it changes nothing in EC2, which is the point.
  await finishSummary(deps, clients, started, { publish: true, refused: result.refused });
  return result;
}

function reportPlan(deps: JobDeps, region: string, plan: CleanupPlan): void {
  const dry = deps.settings.dryRun ? ' (dry run: nothing is deleted)' : '';
  for (const d of plan.decisions) {
    const line = {
      function: 'cleanup' as const,
      region,
      resourceId: d.imageId,
      action: `plan-${d.action}`,
      reason: d.action === 'delete' ? d.reason + dry : d.reason,
    };
    logDecision(deps.log, d.problem ? { ...line, tagProblem: d.problem } : line);
  }
  for (const d of plan.snapshotDecisions) {
    const line = {
      function: 'cleanup' as const,
      region,
      resourceId: d.snapshotId,
      action: `plan-snapshot-${d.action}`,
      reason: d.reason,
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
