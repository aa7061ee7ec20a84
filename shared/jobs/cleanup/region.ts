/**
 * The cleanup run: per region, inventory (with snapshots) → plan → apply → report. Dry-run reads
 * and reports only. A refused plan (stale tagger, unresolved usage) deletes nothing and sends a
 * separate CleanupRefused event besides the summary, so it cannot go unnoticed.
 */
import type { AwsClients } from '../../aws/clients';
import { readImageInventory, usageOf, type RegionInventory } from '../../aws/inventory';
import type { Settings } from '../../config';
import type { RecycleBinRead } from '../../recycle-bin';
import { DEFAULT_CLEANUP_SETTINGS, type CleanupSettings } from '../../plan/cleanup';
import {
  finishSummary,
  readInventoryOrRecord,
  runRegions,
  startSummary,
  versionsOption,
  type JobDeps,
  type RegionsResult,
} from '../common';
import { readRecycleBin, recycleBinFailure } from './reads';
import { deletionNotice } from './notice';
import { cleanInRounds, readAndPlan } from './rounds';
import { createSnapshotPriceBook, type SnapshotPriceBook } from '../../pricing/snapshot';
import { recordSnapshotSavings, reportRun, type CleanupRegionResult, type CleanupRun } from './summary';

export type { CleanupRegionResult };

export type CleanupResult = RegionsResult<CleanupRegionResult>;

export function cleanupSettingsFrom(settings: Settings): CleanupSettings {
  const out: CleanupSettings = {
    retentionDays: settings.retentionDays,
    freshnessMinutes: settings.freshnessMinutes,
    maxDeletionsPerRun: settings.maxDeletionsPerRun ?? DEFAULT_CLEANUP_SETTINGS.maxDeletionsPerRun,
  };
  if (settings.keepNewestPerFamily !== undefined) out.keepNewestPerFamily = settings.keepNewestPerFamily;
  if (settings.familyTag !== undefined) out.familyTag = settings.familyTag;
  if (settings.deleteSharedImages) out.deleteSharedImages = settings.deleteSharedImages;
  if (settings.requireRecycleBin) out.requireRecycleBin = true;
  if (settings.deprecateGraceDays) out.deprecateGraceDays = settings.deprecateGraceDays;
  if (settings.disableGraceDays) out.disableGraceDays = settings.disableGraceDays;
  return out;
}

export type CleanupJobDeps = JobDeps & {
  /**
   * The price of snapshot storage for the savings estimate; the handler keeps one for the Lambda
   * instance (a day's cache). Absent: the bundled table only.
   */
  snapshotPrices?: SnapshotPriceBook;
};

export async function runCleanup(deps: CleanupJobDeps): Promise<CleanupResult> {
  const prices = deps.snapshotPrices ?? createSnapshotPriceBook({ clock: () => deps.now.getTime() });
  return runRegions(deps, (region) => cleanRegion(deps, region, prices));
}

async function cleanRegion(
  deps: JobDeps,
  region: string,
  prices: SnapshotPriceBook,
): Promise<CleanupRegionResult> {
  const started = startSummary('cleanup', region, deps, deps.settings.dryRun);
  const { summary } = started;
  const clients = deps.clientsFor(region);
  const result: CleanupRegionResult = { region, summary };
  const inventory = await readInventoryOrRecord(
    summary,
    deps.budget,
    "the region's AMIs and their users",
    () => readImageInventory(clients, region, { snapshots: true, ...versionsOption(deps.settings) }),
  );
  if (inventory) {
    result.inventory = inventory;
    summary.accountId = inventory.accountId;
    const recycleBin = await readRecycleBin(clients);
    summary.failures.push(...recycleBinFailure(region, recycleBin, deps.settings.requireRecycleBin === true));
    const run = await planAndApply(deps, clients, inventory, recycleBin);
    reportRun(deps, inventory, run, result);
    await recordSnapshotSavings(summary, run, prices);
    result.notice = deletionNotice({
      plan: run.plan,
      images: inventory.images,
      now: deps.now,
      noticeDays: deps.settings.noticeDays ?? 0,
      dryRun: deps.settings.dryRun,
      region,
      accountId: inventory.accountId,
    });
    if (result.notice)
      summary.counts.noticeImages = result.notice.images.length + (result.notice.omitted ?? 0);
  }
  // A dry run still reports (summary.dryRun says so): it changes nothing in EC2, which is the point.
  await finishSummary(deps, clients, started, {
    publish: true,
    refused: result.refused,
    notice: result.notice,
  });
  return result;
}

/**
 * Launch permissions and snapshots are read in a dry run too: they are reads, and the report should
 * say which AMIs a real run would keep as shared and which snapshots would go. A real run reads them
 * round by round, just ahead of its deletions.
 */
async function planAndApply(
  deps: JobDeps,
  clients: AwsClients,
  inventory: RegionInventory,
  recycleBin: RecycleBinRead,
): Promise<CleanupRun> {
  const input = {
    recycleBin,
    images: inventory.images,
    usage: usageOf(inventory),
    snapshots: inventory.snapshots,
    settings: cleanupSettingsFrom(deps.settings),
    now: deps.now,
    accountId: inventory.accountId,
  };
  const hasTime = () => deps.budget.hasTimeFor();
  if (deps.settings.dryRun) return readAndPlan(clients, input, hasTime);
  return cleanInRounds(clients, input, {
    hasTime,
    checkImageReferences: deps.settings.checkImageReferences,
    log: deps.log,
    remainingMs: () => deps.budget.remainingMs(),
  });
}
