/**
 * Cleanup's one plan → read → re-plan loop. Each round plans, reads what the plan asks for (launch
 * permissions and snapshots of the AMIs it would delete, side by side) and plans again, until the plan
 * asks for nothing more or the time budget is spent. A real run also carries out each round's
 * deletions beside the next round's reads (cleanInRounds); a dry run and the plan CLI only read and
 * plan (readAndPlan).
 */
import { applyCleanup, mergeApplyResults, type CleanupApplyResult } from '../../aws/cleanup';
import type { AwsClients } from '../../aws/clients';
import { readLaunchPermissions } from '../../aws/launch-permissions';
import { readUsageReports } from '../../aws/image-usage-reports';
import type { Image } from '../../domain';
import type { RunFailure } from '../../events';
import type { UsageReportRequest, UsageReportsRead } from '../../image-usage-reports';
import type { LaunchPermissionsRead } from '../../launch-permissions';
import {
  mergeCleanupRounds,
  planCleanup,
  type CleanupInput,
  type CleanupPlan,
  type SnapshotLookup,
} from '../../plan/cleanup';
import {
  DeletionRate,
  SnapshotReader,
  launchPermissionFailures,
  readAheadLimit,
  snapshotLookupFailures,
} from './reads';
import { UsageReportRequests, usageReportFailures } from './usage-reports';

/**
 * What a cleanup run plans from: the inventory, without what the run reads as it goes (launch
 * permissions, the snapshots of the AMIs it would delete, its earlier rounds).
 */
export type CleanupRunInput = Omit<
  CleanupInput,
  'launchPermissions' | 'snapshotLookups' | 'earlierRounds' | 'usageReports' | 'usageReportsRequested'
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
  /** deleteSharedImages=when-unused: the usage reports read, by AMI id (failed reads included). */
  usageReports: Map<string, UsageReportsRead>;
  /** The usage reports this run requested (CreateImageUsageReport), by AMI id; none in a dry run. */
  usageReportsRequested: Map<string, string>;
  /** VolumeSize (GiB) of every snapshot the run read, by id: what its deletions freed, at most. */
  snapshotSizesGiB: ReadonlyMap<string, number>;
  /**
   * A failed DescribeImageAttribute per AMI, and a failed DescribeSnapshots per AMI whose snapshot it
   * was looking up: that AMI was kept.
   */
  failures: RunFailure[];
  /** The time budget ran out before every AMI the plan asked about was read (those were kept). */
  incomplete: boolean;
}

/**
 * How many launch permissions a real run reads per round at most: reading them all up front spent a
 * budget-limited run's time on AMIs it then did not reach, and the next run read them again. Once
 * the run has measured its deletion rate, a round reads only what the rest of the budget can delete
 * (readAheadLimit), so a run cut short by its deadline has read at most one batch it did not reach.
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
  /**
   * Milliseconds left in the run's budget (Budget.remainingMs): the clock the run measures its
   * deletion rate by, to read ahead only what it can still delete. Absent, it reads a batch a round.
   */
  remainingMs?: () => number;
}

/**
 * planCleanup with the launch permissions and the snapshots of the AMIs it would delete: the loop
 * without apply, reading everything each plan asks for. An AMI found shared frees its place under the
 * cap for the next one, read in the next round, so the calls stay close to the number of deletions.
 * Read only: the plan CLI and dry runs use it, so their report says which snapshots would go.
 */
export async function readAndPlan(
  clients: AwsClients,
  input: CleanupRunInput,
  hasTime: () => boolean,
): Promise<CheckedCleanupPlan> {
  const run = await planInRounds(clients, input, { hasTime, readAhead: Infinity });
  // Nothing changed between its rounds, so each planned the whole account: the last one is the plan.
  return checkedPlan(run, run.plans[run.plans.length - 1] as CleanupPlan);
}

/**
 * A real run: the loop with the apply step, reading only the next few AMIs' launch permissions and
 * snapshots each round. Between rounds the inventory is brought up to date with what the run did
 * (CleanupInput.earlierRounds), so every deletion is decided by planCleanup over the account as it now
 * is. The returned plan merges the rounds (mergeCleanupRounds).
 */
export async function cleanInRounds(
  clients: AwsClients,
  input: CleanupRunInput,
  options: RoundOptions,
): Promise<CleanedInRounds> {
  const run = await planInRounds(clients, input, {
    hasTime: options.hasTime,
    readAhead: options.readAhead ?? LAUNCH_PERMISSIONS_READ_AHEAD,
    ...(options.remainingMs ? { remainingMs: options.remainingMs } : {}),
    apply: {
      checkImageReferences: options.checkImageReferences,
      ...(options.log ? { log: options.log } : {}),
    },
  });
  return {
    ...checkedPlan(run, mergeCleanupRounds(run.plans)),
    applied: mergeApplyResults(run.applied, options.checkImageReferences),
    rounds: run.plans.length,
  };
}

interface LoopOptions {
  hasTime: () => boolean;
  /** How many of the AMIs the plan asks about a round reads, at most. */
  readAhead: number;
  remainingMs?: () => number;
  /** The real run's apply step between rounds; absent, the loop only reads and plans. */
  apply?: { checkImageReferences: boolean; log?: (line: Record<string, unknown>) => void };
}

/** The loop's state: what the run has read and done so far. */
interface RoundsRun {
  readonly clients: AwsClients;
  readonly input: CleanupRunInput;
  readonly options: LoopOptions;
  readonly launchPermissions: Map<string, LaunchPermissionsRead>;
  readonly reader: SnapshotReader;
  readonly usageReports: Map<string, UsageReportsRead>;
  readonly reportRequests: UsageReportRequests;
  readonly rate: DeletionRate;
  /** The inventory's AMIs, less those deregistered by earlier rounds. */
  images: Image[];
  /** AMIs earlier rounds tried (CleanupInput.earlierRounds), and those left in place, with why. */
  attempted: number;
  readonly held: Map<string, string>;
  /** Off for the rest of the run once an apply step found DescribeImageReferences unsupported. */
  checkImageReferences: boolean;
  readonly plans: CleanupPlan[];
  readonly applied: CleanupApplyResult[];
  incomplete: boolean;
}

/** What one round reads, and whether it applies the plan. */
interface Round {
  launchPermissions: string[];
  snapshotsOf: string[];
  usageReports: string[];
  /** Only in a real run: a dry run and the plan CLI request none. */
  requestReports: UsageReportRequest[];
  apply: boolean;
}

async function planInRounds(
  clients: AwsClients,
  input: CleanupRunInput,
  options: LoopOptions,
): Promise<RoundsRun> {
  const run: RoundsRun = {
    clients,
    input,
    options,
    launchPermissions: new Map(),
    reader: new SnapshotReader(clients, input.accountId ?? '', input.images, input.snapshots),
    usageReports: new Map(),
    reportRequests: new UsageReportRequests(clients, input.now),
    rate: new DeletionRate(options.remainingMs),
    images: input.images,
    attempted: 0,
    held: new Map(),
    checkImageReferences: options.apply?.checkImageReferences ?? false,
    plans: [],
    applied: [],
    incomplete: false,
  };
  for (;;) {
    const plan = planRound(run);
    const round = nextRound(run, plan);
    if (round === undefined) {
      // Left unread because the rest of the budget cannot delete them: the next run carries on.
      if (!plan.refused && plan.launchPermissionsToRead.length + plan.snapshotsToRead.length > 0) {
        run.incomplete = true;
      }
      break;
    }
    if (!options.hasTime()) {
      run.incomplete = true;
      break;
    }
    if (!(await readAndApply(run, plan, round))) {
      // Out of time: the AMIs not read or reached stay kept, and the next run carries on. A dry run
      // plans once more so its report has what was read; a real run's next plan would list
      // deletions it never tries.
      run.incomplete = true;
      if (!options.apply) planRound(run);
      break;
    }
    if (plan.refused) break;
  }
  return run;
}

function planRound(run: RoundsRun): CleanupPlan {
  const plan = planCleanup({
    ...run.input,
    images: run.images,
    snapshots: run.reader.snapshots,
    launchPermissions: run.launchPermissions,
    snapshotLookups: run.reader.lookups,
    earlierRounds: { attempted: run.attempted, held: run.held },
    usageReports: run.usageReports,
    usageReportsRequested: run.reportRequests.attempted,
  });
  run.plans.push(plan);
  return plan;
}

/** The next round, or undefined when the plan leaves nothing to read or do. */
function nextRound(run: RoundsRun, plan: CleanupPlan): Round | undefined {
  // A refused plan deletes and reads nothing, but still removes stale marks and gives staged AMIs
  // back (neither deletes anything).
  if (plan.refused && plan.snapshotUnmarks.length === 0 && plan.stageMoves.length === 0) return undefined;
  const apply =
    run.options.apply !== undefined &&
    (plan.deletions.length > 0 ||
      plan.pendingSnapshotDeletions.length > 0 ||
      plan.snapshotUnmarks.length > 0 ||
      plan.stageMoves.length > 0);
  const readAhead = readAheadLimit(
    run.options.readAhead,
    run.rate.affordable(),
    apply ? plan.deletions.length : 0,
  );
  const round: Round = {
    launchPermissions: plan.launchPermissionsToRead.slice(0, readAhead),
    // The same AMIs as a rule (both lists are in deletion order), so a round reads an AMI's launch
    // permissions and snapshots together, and the next plan can decide it.
    snapshotsOf: plan.snapshotsToRead.slice(0, readAhead),
    usageReports: plan.usageReportsToRead.slice(0, readAhead),
    requestReports: run.options.apply ? plan.usageReportsToRequest : [],
    apply,
  };
  const reads =
    round.launchPermissions.length > 0 ||
    round.snapshotsOf.length > 0 ||
    round.usageReports.length > 0 ||
    round.requestReports.length > 0;
  return round.apply || reads ? round : undefined;
}

/**
 * This round's deletions and the next round's reads, side by side: different API buckets, and the
 * next plan needs them all. False when the budget ran out in any of them.
 */
async function readAndApply(run: RoundsRun, plan: CleanupPlan, round: Round): Promise<boolean> {
  const { clients, options } = run;
  const { hasTime } = options;
  if (round.apply) run.rate.applyStarting(plan.deletions.length);
  const [applied, read, snapshotsComplete, reports] = await Promise.all([
    round.apply
      ? applyCleanup(clients, plan, {
          hasTime,
          checkImageReferences: run.checkImageReferences,
          ...(options.apply?.log ? { log: options.apply.log } : {}),
          onDeregistered: () => run.rate.deregistered(),
        })
      : undefined,
    round.launchPermissions.length > 0
      ? readLaunchPermissions(clients, round.launchPermissions, { hasTime })
      : undefined,
    run.reader.read(round.snapshotsOf, hasTime),
    round.usageReports.length > 0 ? readUsageReports(clients, round.usageReports, { hasTime }) : undefined,
    run.reportRequests.request(round.requestReports, run.usageReports, hasTime),
  ]);
  for (const [id, r] of read ?? []) run.launchPermissions.set(id, r);
  for (const [id, r] of reports ?? []) run.usageReports.set(id, r);
  if (applied) recordApplied(run, plan, applied);
  const readAll =
    (read?.size ?? 0) >= round.launchPermissions.length &&
    (reports?.size ?? 0) >= round.usageReports.length &&
    snapshotsComplete;
  return readAll && !applied?.incomplete;
}

/** Brings the run's view of the account up to date with what this round's apply step did. */
function recordApplied(run: RoundsRun, plan: CleanupPlan, applied: CleanupApplyResult): void {
  run.applied.push(applied);
  run.rate.record(applied.deregistered.length);
  // Unsupported once is unsupported for the run: later rounds do not ask again.
  if (applied.imageReferences.kind !== 'checked') run.checkImageReferences = false;
  const gone = new Set(applied.deregistered);
  const what = new Map<string, string>();
  for (const o of applied.outcomes) if (o.kind === 'image') what.set(o.resourceId, o.reason);
  for (const d of plan.deletions) {
    run.attempted += 1;
    if (!gone.has(d.image.id)) run.held.set(d.image.id, what.get(d.image.id) ?? 'not reached');
  }
  // A stage move (done or failed) is this run's last word on that AMI: later rounds keep it, and a
  // forward move took a place under the cap as a deletion does.
  for (const m of plan.stageMoves) {
    if (m.kind === 'deprecate' || m.kind === 'disable') run.attempted += 1;
    run.held.set(m.imageId, what.get(m.imageId) ?? `${m.kind} planned`);
  }
  run.images = run.images.filter((i) => !gone.has(i.id));
  // Whatever happened to these snapshots (deleted, deferred with their mark, failed), this run is
  // done with them; a later run finds the marked ones again by their tag.
  run.reader.forget(
    new Set([
      ...plan.deletions.flatMap((d) => d.snapshotIds),
      ...plan.pendingSnapshotDeletions.map((p) => p.snapshotId),
    ]),
  );
  // A snapshot whose mark this round removed (or failed to: the next run tries again) stays in the
  // inventory, without the mark, so no later round plans the removal again. It must stay: a later
  // round may still delete an AMI that uses it, and needs its record to know it is ours.
  run.reader.unmark(new Set(plan.snapshotUnmarks.map((u) => u.snapshotId)));
}

function checkedPlan(run: RoundsRun, plan: CleanupPlan): CheckedCleanupPlan {
  return {
    plan,
    launchPermissions: run.launchPermissions,
    snapshotLookups: run.reader.lookups,
    snapshotsLookedUp: run.reader.lookedUp,
    usageReports: run.usageReports,
    usageReportsRequested: run.reportRequests.requested,
    snapshotSizesGiB: run.reader.sizesGiB,
    failures: [
      ...launchPermissionFailures(run.launchPermissions),
      ...snapshotLookupFailures(plan),
      ...usageReportFailures(run.usageReports, run.reportRequests.failed),
    ],
    incomplete: run.incomplete,
  };
}
