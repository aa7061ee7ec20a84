/**
 * The tagger run: per region, inventory → plan → apply (CreateTags) → report. The Lambda handler,
 * the local demo and the plan CLI all call runTagger; dryRun makes it read-only.
 */
import { errorText, readImageInventory, usageOf, type RegionInventory } from '../aws/inventory';
import { applyTagWrites, taggerWrites, type TagWrite, type TagWriteResult } from '../aws/tagging';
import type { RunSummaryDetail } from '../events';
import { planTagging, type TaggingPlan } from '../plan/tagging';
import { logDecision, publishRunEvents } from '../report';
import { formatTimestamp } from '../tags';
import { finishedAt, problemToSkip, regionFailure, type JobDeps } from './common';

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

export interface TaggerResult {
  regions: TaggerRegionResult[];
  summaries: RunSummaryDetail[];
  /** False when no region could be read at all: the handler turns that into a Lambda error. */
  ok: boolean;
}

export async function runTagger(deps: TaggerDeps): Promise<TaggerResult> {
  const regions: TaggerRegionResult[] = [];
  for (const region of deps.settings.regions) regions.push(await tagRegion(deps, region));
  return {
    regions,
    summaries: regions.map((r) => r.summary),
    ok: regions.some((r) => r.inventory !== undefined),
  };
}

async function tagRegion(deps: TaggerDeps, region: string): Promise<TaggerRegionResult> {
  const startedMs = deps.clock?.() ?? deps.now.getTime();
  const dryRun = deps.dryRun ?? false;
  const clients = deps.clientsFor(region);
  const summary: RunSummaryDetail = {
    function: 'tagger',
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
  const result: TaggerRegionResult = { region, writes: [], summary };

  if (!deps.budget.hasTimeFor()) {
    summary.incomplete = true;
  } else {
    try {
      result.inventory = await readImageInventory(clients, region);
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
    const usage = usageOf(inventory);
    const plan = planTagging({ images: inventory.images, usage, now: deps.now });
    result.plan = plan;
    result.writes = taggerWrites(plan.lastUsed, plan.runtime, deps.now);

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
      createTagsCalls: result.applied?.calls ?? 0,
      problems: inventory.problems.length + plan.problems.length,
    };
  }

  summary.finishedAt = finishedAt(deps, startedMs);
  deps.log({ level: summary.failures.length > 0 ? 'warn' : 'info', type: 'summary', ...summary });
  if (deps.publish !== false) {
    await publishRunEvents(clients, deps.settings.eventBusName, summary, undefined, deps.log);
  }
  return result;
}
