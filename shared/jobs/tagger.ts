/**
 * The tagger run: per region, inventory → plan → apply (CreateTags) → report. The Lambda handler,
 * the local demo and the plan CLI all call runTagger; dryRun makes it read-only.
 */
import { readImageInventory, usageOf, type RegionInventory } from '../aws/inventory';
import { applyTagWrites, taggerWrites, type TagWrite, type TagWriteResult } from '../aws/tagging';
import type { RunSummaryDetail } from '../events';
import { planTagging, type TaggingPlan } from '../plan/tagging';
import { logDecision } from '../report';
import { TAG, readTimestampTag } from '../tags';
import {
  finishSummary,
  problemToSkip,
  readInventoryOrRecord,
  runRegions,
  startSummary,
  versionsOption,
  type JobDeps,
  type RegionsResult,
} from './common';

export interface TaggerDeps extends JobDeps {
  /** Plan and report only: no CreateTags. */
  dryRun?: boolean;
}

export interface TaggerRegionResult {
  region: string;
  inventory?: RegionInventory;
  plan?: TaggingPlan;
  writes: TagWrite[];
  applied?: TagWriteResult & { incomplete: boolean };
  summary: RunSummaryDetail;
}

export type TaggerResult = RegionsResult<TaggerRegionResult>;

export async function runTagger(deps: TaggerDeps): Promise<TaggerResult> {
  return runRegions(deps, (region) => tagRegion(deps, region));
}

async function tagRegion(deps: TaggerDeps, region: string): Promise<TaggerRegionResult> {
  const dryRun = deps.dryRun ?? false;
  const started = startSummary('tagger', region, deps, dryRun);
  const { summary } = started;
  const clients = deps.clientsFor(region);
  const result: TaggerRegionResult = { region, writes: [], summary };

  const inventory = await readInventoryOrRecord(
    summary,
    deps.budget,
    "the region's AMIs and their users",
    () => readImageInventory(clients, region, versionsOption(deps.settings)),
  );
  if (inventory) {
    result.inventory = inventory;
    summary.accountId = inventory.accountId;
    const usage = usageOf(inventory);
    const plan = planTagging({
      images: inventory.images,
      usage,
      now: deps.now,
      freshnessMinutes: deps.settings.freshnessMinutes,
    });
    result.plan = plan;
    result.writes = taggerWrites(plan.lastUsed, plan.runtime, deps.now, plan.observedSince);

    for (const d of plan.decisions) {
      logDecision(deps.log, {
        function: 'tagger',
        region,
        resourceId: d.imageId,
        action: d.action,
        reason: d.reason,
      });
    }
    for (const p of [...inventory.problems, ...plan.problems]) summary.skipped.push(problemToSkip(p));
    summary.reported = [];
    for (const f of plan.foreignInUse) {
      summary.reported.push({
        resourceId: f.imageId,
        reason: f.ownerId
          ? `in use, owned by account ${f.ownerId}: reported, not tagged`
          : 'in use but not found (deregistered or not visible): reported, not tagged',
      });
    }

    if (!dryRun) {
      const applied = await applyTagWrites(clients, result.writes, () => deps.budget.hasTimeFor());
      result.applied = applied;
      summary.failures.push(...applied.failures);
      summary.incomplete = applied.incomplete;
    }
    const failedIds = new Set((result.applied?.failedBatches ?? []).flatMap((b) => b.resourceIds));
    summary.counts = {
      imagesSeen: inventory.images.length,
      ownedImages: inventory.images.filter((i) => i.ownedBySelf).length,
      inUse: plan.lastUsed.length,
      foreignInUse: plan.foreignInUse.length,
      taggedLastUsed: dryRun ? 0 : plan.lastUsed.filter((id) => !failedIds.has(id)).length,
      taggedRuntime: dryRun ? 0 : plan.runtime.filter((id) => !failedIds.has(id)).length,
      taggedObservedSince: dryRun ? 0 : plan.observedSince.filter((id) => !failedIds.has(id)).length,
      createTagsCalls: result.applied?.calls ?? 0,
      problems: inventory.problems.length + plan.problems.length,
      ...newestRuntimeAge(inventory, deps.now),
    };
  }

  // A dry run still reports (summary.dryRun says so), like cleanup's.
  await finishSummary(deps, clients, started, { publish: true });
  return result;
}

/**
 * Seconds from the newest LastUsedRuntime on an owned AMI (as read, before this run stamps any) to
 * now: the tagger's health, which cleanup's freshness rule depends on. Absent with no such tag; an
 * unreadable or future value is not taken (it is reported as a tag problem already).
 */
function newestRuntimeAge(
  inventory: RegionInventory,
  now: Date,
): { newestLastUsedRuntimeAgeSeconds?: number } {
  let newest: number | undefined;
  for (const image of inventory.images) {
    if (!image.ownedBySelf) continue;
    const r = readTimestampTag(image.tags, TAG.lastUsedRuntime, image.id);
    if (r.kind !== 'ok' || r.value.getTime() > now.getTime()) continue;
    newest = Math.max(newest ?? r.value.getTime(), r.value.getTime());
  }
  return newest === undefined
    ? {}
    : { newestLastUsedRuntimeAgeSeconds: Math.round((now.getTime() - newest) / 1000) };
}
