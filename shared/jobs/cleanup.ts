/**
 * The cleanup run: per region, inventory (with snapshots) → plan → apply → report. Dry-run reads
 * and reports only. A refused plan (stale tagger, unresolved usage) deletes nothing and sends a
 * separate CleanupRefused event besides the summary, so it cannot go unnoticed.
 */
import { applyCleanup, type CleanupApplyResult } from '../aws/cleanup';
import { errorText, readImageInventory, type RegionInventory } from '../aws/inventory';
import type { Settings } from '../config';
import type { CleanupRefusedDetail, RunSummaryDetail } from '../events';
import {
  DEFAULT_CLEANUP_SETTINGS,
  planCleanup,
  type CleanupPlan,
  type CleanupSettings,
} from '../plan/cleanup';
import { logDecision, publishRunEvents } from '../report';
import { describeTagProblem, formatTimestamp } from '../tags';
import { collectUsage } from '../usage';
import { finishedAt, problemToSkip, regionFailure, type JobDeps } from './common';

export interface CleanupRegionResult {
  region: string;
  inventory?: RegionInventory;
  plan?: CleanupPlan;
  applied?: CleanupApplyResult;
  refused?: CleanupRefusedDetail;
  summary: RunSummaryDetail;
}

export interface CleanupResult {
  regions: CleanupRegionResult[];
  summaries: RunSummaryDetail[];
  ok: boolean;
}

export function cleanupSettingsFrom(settings: Settings): CleanupSettings {
  const out: CleanupSettings = {
    retentionDays: settings.retentionDays,
    freshnessMinutes: settings.freshnessMinutes,
    maxDeletionsPerRun: settings.maxDeletionsPerRun ?? DEFAULT_CLEANUP_SETTINGS.maxDeletionsPerRun,
  };
  if (settings.keepNewestPerFamily !== undefined) out.keepNewestPerFamily = settings.keepNewestPerFamily;
  if (settings.familyTag !== undefined) out.familyTag = settings.familyTag;
  return out;
}

export async function runCleanup(deps: JobDeps): Promise<CleanupResult> {
  const regions: CleanupRegionResult[] = [];
  for (const region of deps.settings.regions) regions.push(await cleanRegion(deps, region));
  return {
    regions,
    summaries: regions.map((r) => r.summary),
    ok: regions.some((r) => r.inventory !== undefined),
  };
}

async function cleanRegion(deps: JobDeps, region: string): Promise<CleanupRegionResult> {
  const startedMs = deps.clock?.() ?? deps.now.getTime();
  const { dryRun } = deps.settings;
  const clients = deps.clientsFor(region);
  const summary: RunSummaryDetail = {
    function: 'cleanup',
    region,
    accountId: '',
    startedAt: formatTimestamp(deps.now),
    finishedAt: '',
    dryRun,
    incomplete: false,
    counts: {},
    failures: [],
    skipped: [],
  };
  const result: CleanupRegionResult = { region, summary };

  if (!deps.budget.hasTimeFor()) {
    summary.incomplete = true;
  } else {
    try {
      result.inventory = await readImageInventory(clients, region, { snapshots: true });
    } catch (err) {
      summary.failures.push(
        regionFailure(
          region,
          'inventory',
          `could not read the region's AMIs and their users: ${errorText(err)}`,
        ),
      );
    }
  }

  const inventory = result.inventory;
  if (inventory) {
    summary.accountId = inventory.accountId;
    const usage = collectUsage(inventory.sources, { ssmParameters: inventory.ssmParameters });
    const plan = planCleanup({
      images: inventory.images,
      usage,
      snapshots: inventory.snapshots,
      settings: cleanupSettingsFrom(deps.settings),
      now: deps.now,
    });
    result.plan = plan;
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
      summary.incomplete = applied.incomplete;
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
      failed: result.applied?.failures.length ?? 0,
      refused: plan.refused ? 1 : 0,
    };
  }

  summary.finishedAt = finishedAt(deps, startedMs);
  deps.log({ level: summary.failures.length > 0 ? 'warn' : 'info', type: 'summary', ...summary });
  // A dry run still reports (summary.dryRun says so): it changes nothing in EC2, which is the point.
  if (deps.publish !== false) {
    await publishRunEvents(clients, deps.settings.eventBusName, summary, result.refused, deps.log);
  }
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
