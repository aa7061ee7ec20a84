/**
 * The cleanup run: per region, inventory (with snapshots) → plan → apply → report. Dry-run reads
 * and reports only. A refused plan (stale tagger, unresolved usage) deletes nothing and sends a
 * separate CleanupRefused event besides the summary, so it cannot go unnoticed.
 */
import { applyCleanup, mergeApplyResults, type CleanupApplyResult } from '../aws/cleanup';
import type { AwsClients } from '../aws/clients';
import { lookUpOwnedSnapshots, readImageInventory, usageOf, type RegionInventory } from '../aws/inventory';
import { readLaunchPermissions } from '../aws/launch-permissions';
import type { Settings } from '../config';
import type { CleanupRefusedDetail, RunFailure, RunSummaryDetail } from '../events';
import type { LaunchPermissionsRead } from '../launch-permissions';
import {
  DEFAULT_CLEANUP_SETTINGS,
  countKeptByReason,
  mergeCleanupRounds,
  planCleanup,
  type CleanupInput,
  type CleanupPlan,
  type CleanupSettings,
  type SnapshotLookup,
  type SnapshotRecord,
  unknownSnapshotIds,
} from '../plan/cleanup';
import { logDecision } from '../report';
import { TAG, describeTagProblem, formatTimestamp } from '../tags';
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

/**
 * What a cleanup run plans from: the inventory, without what the run reads as it goes (launch
 * permissions, the snapshots of the AMIs it would delete, its earlier rounds).
 */
export type CleanupRunInput = Omit<
  CleanupInput,
  'launchPermissions' | 'snapshotLookups' | 'earlierRounds'
> & {
  /**
   * The account the run acts for (the inventory's): a snapshot looked up is this account's only if
   * DescribeSnapshots names it as the owner. Absent, none counts as this account's, so none is deleted.
   */
  accountId?: string;
};

export interface CheckedCleanupPlan {
  plan: CleanupPlan;
  /** Every launch permission read, by AMI id (failed reads included). */
  launchPermissions: Map<string, LaunchPermissionsRead>;
  /**
   * The snapshot ids looked up, and how (failed look-ups included); a real run forgets those of the
   * snapshots it deleted or deferred (see cleanInRounds), so count with snapshotsLookedUp.
   */
  snapshotLookups: Map<string, SnapshotLookup>;
  /** Snapshot ids asked about by id (DescribeSnapshots, 200 a call), over the whole run. */
  snapshotsLookedUp: number;
  /**
   * A failed DescribeImageAttribute per AMI, and a failed DescribeSnapshots per AMI whose snapshot it
   * was looking up: that AMI was kept.
   */
  failures: RunFailure[];
  /** The time budget ran out before every AMI the plan asked about was read (those were kept). */
  incomplete: boolean;
}

/**
 * planCleanup with the launch permissions and the snapshots of the AMIs it would delete: plan, read
 * what the plan asks for (DescribeImageAttribute and DescribeSnapshots by id, side by side), plan
 * again, until it asks for nothing. An AMI found shared frees its place under the cap for the next
 * one, which is read in the next round, so the calls stay close to the number of deletions. Read
 * only: the plan CLI and dry runs use it, so their report says which snapshots would go.
 */
export async function planCleanupCheckingSharing(
  clients: AwsClients,
  input: CleanupRunInput,
  hasTime: () => boolean,
): Promise<CheckedCleanupPlan> {
  const launchPermissions = new Map<string, LaunchPermissionsRead>();
  const reader = snapshotReader(clients, input);
  const planNow = () =>
    planCleanup({
      ...input,
      snapshots: reader.snapshots,
      launchPermissions,
      snapshotLookups: reader.lookups,
    });
  let plan = planNow();
  let incomplete = false;
  // Each round asks only about AMIs and snapshots not read before, so the loop ends; when time runs
  // out, the AMIs not read stay kept (the plan says so) and the next run carries on.
  while ((plan.launchPermissionsToRead.length > 0 || plan.snapshotsToRead.length > 0) && !incomplete) {
    if (!hasTime()) {
      incomplete = true;
      break;
    }
    const wanted = plan.launchPermissionsToRead;
    const [read, complete] = await Promise.all([
      wanted.length > 0 ? readLaunchPermissions(clients, wanted, { hasTime }) : new Map(),
      reader.read(plan.snapshotsToRead, hasTime),
    ]);
    for (const [id, r] of read) launchPermissions.set(id, r);
    if (read.size < wanted.length || !complete) incomplete = true;
    plan = planNow();
  }
  return {
    plan,
    launchPermissions,
    snapshotLookups: reader.lookups,
    snapshotsLookedUp: reader.lookedUp,
    failures: [...launchPermissionFailures(launchPermissions), ...snapshotLookupFailures(plan)],
    incomplete,
  };
}

/** One failure per AMI kept because a snapshot of it could not be looked up. */
function snapshotLookupFailures(plan: CleanupPlan): RunFailure[] {
  return plan.snapshotLookupFailures.map((f) => ({
    resourceId: f.imageId,
    action: 'DescribeSnapshots',
    message: `could not look up its snapshot ${f.snapshotId}: ${f.message}; the AMI was kept and the next run asks again`,
  }));
}

/**
 * The snapshots a run has read, and the reading of more: the inventory's (pending-deletion marks)
 * plus those looked up for the AMIs the plan asks about (CleanupPlan.snapshotsToRead).
 */
function snapshotReader(clients: AwsClients, input: CleanupRunInput) {
  const byImage = new Map(input.images.map((i) => [i.id, i]));
  const state = {
    snapshots: input.snapshots,
    lookups: new Map<string, SnapshotLookup>(),
    lookedUp: 0,
    /** Looks up the unknown snapshots of these AMIs; false when time ran out before all were. */
    read: async (imageIds: readonly string[], hasTime: () => boolean): Promise<boolean> => {
      const images = imageIds.flatMap((id) => {
        const image = byImage.get(id);
        return image ? [image] : [];
      });
      const ids = unknownSnapshotIds(images, state.snapshots, state.lookups);
      if (ids.length === 0) return true;
      const found = await lookUpOwnedSnapshots(clients, input.accountId ?? '', ids, { hasTime });
      state.snapshots = [...state.snapshots, ...found.records];
      for (const [id, l] of found.lookups) state.lookups.set(id, l);
      state.lookedUp += found.lookups.size;
      return ids.every((id) => found.lookups.has(id));
    },
  };
  return state;
}

function launchPermissionFailures(
  launchPermissions: ReadonlyMap<string, LaunchPermissionsRead>,
): RunFailure[] {
  const failures: RunFailure[] = [];
  for (const [id, r] of launchPermissions) {
    if (r.kind !== 'failed') continue;
    failures.push({
      resourceId: id,
      action: 'DescribeImageAttribute',
      message: `could not read its launch permissions: ${r.message}; the AMI was kept and the next run asks again`,
    });
  }
  return failures;
}

/**
 * How many launch permissions a real run reads per round. Reading them all up front (up to the cap)
 * spent a budget-limited run's time on AMIs it then did not reach, and the next run read them again:
 * at 10k AMIs and a cap of 500, 500 reads a run for about 100 deletions. The next round's reads go
 * alongside this round's deletions, so a run cut short has read at most two rounds ahead of what it
 * deleted. A round re-plans the whole inventory (about 0.2 s at 10k AMIs), so rounds are not smaller.
 */
export const LAUNCH_PERMISSIONS_READ_AHEAD = 100;

export interface CleanedInRounds extends CheckedCleanupPlan {
  /** Every round's apply step, as one. */
  applied: CleanupApplyResult;
  /** Plans made (the last one found nothing more to read or delete, or time ran out). */
  rounds: number;
}

export interface RoundOptions {
  hasTime: () => boolean;
  checkImageReferences: boolean;
  log?: (line: Record<string, unknown>) => void;
  readAhead?: number;
}

/**
 * A real run: plan, read the launch permissions and snapshots of the next few AMIs the plan would
 * delete, plan again, delete what is now decided, and so on, until the plan has nothing left to read
 * or delete or the time budget is spent. Between rounds the inventory is brought up to date with what
 * the run did (CleanupInput.earlierRounds), so every deletion is decided by planCleanup over the
 * account as it now is, and the run's reads stay within a round of its deletions. The returned plan
 * merges the rounds (mergeCleanupRounds).
 */
export async function cleanInRounds(
  clients: AwsClients,
  input: CleanupRunInput,
  options: RoundOptions,
): Promise<CleanedInRounds> {
  const readAhead = options.readAhead ?? LAUNCH_PERMISSIONS_READ_AHEAD;
  const launchPermissions = new Map<string, LaunchPermissionsRead>();
  const reader = snapshotReader(clients, input);
  const held = new Map<string, string>();
  let attempted = 0;
  let images = input.images;
  let checkImageReferences = options.checkImageReferences;
  const rounds: CleanupPlan[] = [];
  const results: CleanupApplyResult[] = [];
  let incomplete = false;
  for (;;) {
    const plan = planCleanup({
      ...input,
      images,
      snapshots: reader.snapshots,
      launchPermissions,
      snapshotLookups: reader.lookups,
      earlierRounds: { attempted, held },
    });
    rounds.push(plan);
    // A refused plan deletes and reads nothing, but still removes stale marks (that deletes nothing).
    if (plan.refused && plan.snapshotUnmarks.length === 0) break;
    const next = plan.launchPermissionsToRead.slice(0, readAhead);
    // The same AMIs as `next` as a rule (both lists are in deletion order), so a round reads an AMI's
    // launch permissions and snapshots together, and the next plan can decide it.
    const nextSnapshots = plan.snapshotsToRead.slice(0, readAhead);
    const work =
      plan.deletions.length > 0 ||
      plan.pendingSnapshotDeletions.length > 0 ||
      plan.snapshotUnmarks.length > 0;
    if (!work && next.length === 0 && nextSnapshots.length === 0) break;
    if (!options.hasTime()) {
      incomplete = true;
      break;
    }
    // This round's deletions and the next round's reads go side by side: different API buckets, and
    // the next plan needs them all.
    const [applied, read, snapshotsComplete] = await Promise.all([
      work
        ? applyCleanup(clients, plan, {
            hasTime: options.hasTime,
            checkImageReferences,
            ...(options.log ? { log: options.log } : {}),
          })
        : undefined,
      next.length > 0 ? readLaunchPermissions(clients, next, { hasTime: options.hasTime }) : undefined,
      reader.read(nextSnapshots, options.hasTime),
    ]);
    for (const [id, r] of read ?? []) launchPermissions.set(id, r);
    if (applied) {
      results.push(applied);
      // Unsupported once is unsupported for the run: later rounds do not ask again.
      if (applied.imageReferences.kind !== 'checked') checkImageReferences = false;
      const gone = new Set(applied.deregistered);
      const what = new Map<string, string>();
      for (const o of applied.outcomes) if (o.kind === 'image') what.set(o.resourceId, o.reason);
      for (const d of plan.deletions) {
        attempted += 1;
        if (!gone.has(d.image.id)) held.set(d.image.id, what.get(d.image.id) ?? 'not reached');
      }
      // Whatever happened to these snapshots (deleted, deferred with their mark, failed), this run
      // is done with them; a later run finds the marked ones again by their tag.
      const touched = new Set([
        ...plan.deletions.flatMap((d) => d.snapshotIds),
        ...plan.pendingSnapshotDeletions.map((p) => p.snapshotId),
      ]);
      images = images.filter((i) => !gone.has(i.id));
      // Forgotten, look-ups included: should a later round meet one again, it is looked up afresh
      // rather than taken for another account's.
      reader.snapshots = reader.snapshots.filter((s) => !touched.has(s.id));
      for (const id of touched) reader.lookups.delete(id);
      // A snapshot whose mark this round removed (or failed to: the next run tries again) stays in
      // the inventory, without the mark, so no later round plans the removal again. It must stay:
      // a later round may still delete an AMI that uses it, and needs its record to know it is ours.
      const unmarked = new Set(plan.snapshotUnmarks.map((u) => u.snapshotId));
      if (unmarked.size > 0) {
        reader.snapshots = reader.snapshots.map((s) => (unmarked.has(s.id) ? withoutMark(s) : s));
      }
    }
    // Out of time in either: the AMIs not reached stay kept, and the next run carries on. Planning
    // again would only put off the report.
    if (applied?.incomplete || (read && read.size < next.length) || !snapshotsComplete) {
      incomplete = true;
      break;
    }
    if (plan.refused) break;
  }
  const plan = mergeCleanupRounds(rounds);
  return {
    plan,
    launchPermissions,
    snapshotLookups: reader.lookups,
    snapshotsLookedUp: reader.lookedUp,
    failures: [...launchPermissionFailures(launchPermissions), ...snapshotLookupFailures(plan)],
    incomplete,
    applied: mergeApplyResults(results, options.checkImageReferences),
    rounds: rounds.length,
  };
}

function withoutMark(s: SnapshotRecord): SnapshotRecord {
  const tags = { ...s.tags };
  delete tags[TAG.pendingDeletion];
  return { ...s, tags };
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
    () => readImageInventory(clients, region, { snapshots: true, ...versionsOption(deps.settings) }),
  );
  if (inventory) {
    result.inventory = inventory;
    summary.accountId = inventory.accountId;
    const input: CleanupRunInput = {
      images: inventory.images,
      usage: usageOf(inventory),
      snapshots: inventory.snapshots,
      settings: cleanupSettingsFrom(deps.settings),
      now: deps.now,
      accountId: inventory.accountId,
    };
    const hasTime = () => deps.budget.hasTimeFor();
    // Launch permissions and snapshots are read in a dry run too: they are reads, and the report
    // should say which AMIs a real run would keep as shared and which snapshots would go. A real run
    // reads them round by round, just ahead of its deletions.
    const checked: CheckedCleanupPlan & { applied?: CleanupApplyResult } = dryRun
      ? await planCleanupCheckingSharing(clients, input, hasTime)
      : await cleanInRounds(clients, input, {
          hasTime,
          checkImageReferences: deps.settings.checkImageReferences,
          log: deps.log,
        });
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

    const applied = checked.applied;
    if (applied) {
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
      // Stale pending-deletion marks: planned (what a dry run would remove), and removed.
      snapshotsToUnmark: plan.counts.snapshotsToUnmark,
      snapshotsUnmarked: result.applied?.snapshotsUnmarked.length ?? 0,
      keptByImageReferences: result.applied?.keptByReferences.length ?? 0,
      // AMIs the last DescribeInstances before deregistering found in use (launched since the inventory).
      keptByInstanceCheck: result.applied?.keptByInstances.length ?? 0,
      failed: (result.applied?.failures.length ?? 0) + checked.failures.length,
      refused: plan.refused ? 1 : 0,
      keptShared: plan.counts.keptShared,
      launchPermissionsRead: checked.launchPermissions.size,
      // Snapshot ids looked up by id (DescribeSnapshots, 200 a call) for the AMIs the run would delete.
      snapshotsLookedUp: checked.snapshotsLookedUp,
      ...keptCounts(plan),
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
  const dryMark = deps.settings.dryRun ? ' (dry run: the mark stays)' : '';
  for (const d of plan.snapshotDecisions) {
    const line = {
      function: 'cleanup' as const,
      region,
      resourceId: d.snapshotId,
      action: `plan-snapshot-${d.action}`,
      reason: d.action === 'unmark' ? d.reason + dryMark : d.reason,
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
