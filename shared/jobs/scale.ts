/**
 * The scale-to-zero run: per region, inventory (groups and instances tagged ScaleToZero) → plan →
 * apply → report. The Lambda handler, the local demo and the tests all call runScale; dryRun makes
 * it read-only.
 */
import {
  applyScaleActions,
  readScaleInventory,
  type PacingOptions,
  type ScaleApplyResult,
  type ScaleInventory,
} from '../aws/scale';
import type { ReportedResource, RunFailure, RunSummaryDetail, SkippedResource } from '../events';
import { planScale, type ScaleAction, type ScaleDecision, type ScalePlan } from '../plan/scale';
import { createDatabasePriceBook, createPriceBook, type PriceBook } from '../pricing';
import { logDecision } from '../report';
import { readPatchWindows } from './scale-patch';
import { reportIdleAddresses } from './scale-idle';
import { readRunSchedules } from './scale-schedules';
import { databaseSavings } from './scale-db-savings';
import { hoursSavedOf, scaleSavings } from './scale-savings';
import type { ScaleSettings } from '../schedule';
import {
  finishSummary,
  readInventoryOrRecord,
  readWithAccountId,
  runRegions,
  startSummary,
  type JobDepsOf,
  type RegionsResult,
} from './common';

export type ScaleJobDeps = JobDepsOf<ScaleSettings> & {
  /**
   * Prices of an instance-hour for the savings estimate; the handler keeps one for the Lambda
   * instance (a day's cache). Absent: the bundled table only.
   */
  prices?: PriceBook;
  /** Prices of a DB instance-hour (keys: "class engine deployment"), kept like `prices`. */
  databasePrices?: PriceBook;
  /**
   * The per-instance buckets Start/StopInstances batches are paced by, and how the run waits
   * (shared/aws/scale/batches.ts); absent, AWS's default buckets and real time.
   */
  pacing?: PacingOptions;
};

export interface ScaleRegionResult {
  region: string;
  inventory?: ScaleInventory;
  plan?: ScalePlan;
  applied?: ScaleApplyResult;
  summary: RunSummaryDetail;
}

export type ScaleResult = RegionsResult<ScaleRegionResult>;

export async function runScale(deps: ScaleJobDeps): Promise<ScaleResult> {
  const prices = deps.prices ?? createPriceBook({ clock: () => deps.now.getTime() });
  const databasePrices = deps.databasePrices ?? createDatabasePriceBook({ clock: () => deps.now.getTime() });
  const { settings, failures } = await readRunSchedules(deps.settings, deps.clientsFor);
  return runRegions(deps, (region) =>
    scaleRegion({ ...deps, settings, prices, databasePrices }, region, failures),
  );
}

const ACTION_COUNT: Record<ScaleAction['kind'], string> = {
  'scale-group-to-zero': 'groupsScaledToZero',
  'restore-group': 'groupsRestored',
  'stop-instance': 'instancesStopped',
  'start-instance': 'instancesStarted',
  'record-transition': 'transitionsRecorded',
  'stop-database': 'databasesStopped',
  'start-database': 'databasesStarted',
  'record-database': 'transitionsRecorded',
};

async function scaleRegion(
  deps: ScaleJobDeps & { prices: PriceBook; databasePrices: PriceBook },
  region: string,
  scheduleFailures: readonly RunFailure[],
): Promise<ScaleRegionResult> {
  const dryRun = deps.settings.dryRun;
  const started = startSummary('scale-to-zero', region, deps, dryRun);
  const { summary } = started;
  summary.failures.push(...scheduleFailures);
  const clients = deps.clientsFor(region);
  const result: ScaleRegionResult = { region, summary };

  const inventory = await readInventoryOrRecord(
    summary,
    deps.budget,
    'the groups, instances and databases tagged ScaleToZero',
    // The scale inventory does not name the account, so STS does.
    () => readWithAccountId(clients, summary, () => readScaleInventory(clients)),
  );
  if (inventory) {
    result.inventory = inventory;
    const { patchWindows } = deps.settings;
    const maintenanceWindows = await readPatchWindows(clients, inventory, patchWindows, deps.now, summary);
    if (inventory.databaseFailure) summary.failures.push(inventory.databaseFailure);
    const plan = planScale({
      groups: inventory.groups,
      instances: inventory.instances,
      databases: inventory.databases,
      settings: deps.settings,
      now: deps.now,
      maintenanceWindows,
      propagatedTags: inventory.propagatedTags,
    });
    result.plan = plan;
    if (!dryRun) {
      result.applied = await applyScaleActions(clients, plan.actions, {
        now: deps.now,
        hasTime: () => deps.budget.hasTimeFor(),
        remainingMs: () => deps.budget.remainingMs(),
        ...deps.pacing,
      });
      summary.failures.push(...result.applied.failures);
      if (result.applied.reported.length > 0) {
        summary.reported = [...(summary.reported ?? []), ...result.applied.reported];
      }
      summary.incomplete = result.applied.incomplete;
    }
    const done = new Set<ScaleAction>(result.applied?.done ?? []);
    for (const d of plan.decisions) {
      logDecision(deps.log, {
        function: 'scale-to-zero',
        region,
        resourceId: d.resourceId,
        action: decisionOutcome(d, dryRun, done),
        reason: d.reason,
        rule: d.rule,
        ...(d.tagProblem ? { tagProblem: d.tagProblem } : {}),
      });
      summary.skipped.push(...skippedOf(d));
    }
    summary.counts = countsOf(inventory, plan, dryRun, done, result.applied?.reported);
    const counted = (a: ScaleAction) => dryRun || done.has(a);
    const { usd, savings } = await scaleSavings(hoursSavedOf(inventory, plan, counted), region, deps.prices);
    summary.counts.estimatedSavingsUsd = usd;
    summary.savings = savings;
    const db = await databaseSavings(inventory, plan, counted, region, deps.databasePrices);
    summary.counts.estimatedDbInstanceHoursSaved = db.dbInstanceHours;
    summary.counts.estimatedDatabaseSavingsUsd = db.usd;
    if (db.dbInstanceHours > 0) summary.databaseSavings = db;
    await reportIdleAddresses(
      clients,
      {
        instances: inventory.instances,
        groups: inventory.groups,
        decisions: plan.decisions,
        counted,
      },
      summary,
    );
  }

  // Unlike the AMI jobs, a scale dry run sends no summary event: it is logged only.
  await finishSummary(deps, clients, started, { publish: !dryRun });
  return result;
}

/** What happened to the resource, as the log line says it: "stop", "stop (dry run)", "stop failed". */
function decisionOutcome(d: ScaleDecision, dryRun: boolean, done: ReadonlySet<ScaleAction>): string {
  if (!d.action) return d.outcome;
  if (dryRun) return `${d.outcome} (dry run)`;
  return done.has(d.action) ? d.outcome : `${d.outcome} not done`;
}

function skippedOf(d: ScaleDecision): SkippedResource[] {
  const out: SkippedResource[] = [];
  if (d.outcome === 'skip') {
    const s: SkippedResource = { resourceId: d.resourceId, reason: d.reason, rule: d.rule };
    if (d.tagProblem) {
      s.tag = d.tagProblem.tag;
      s.value = d.tagProblem.value;
      s.expected = d.tagProblem.expected;
    }
    out.push(s);
  }
  for (const t of d.ignoredTags) {
    const s: SkippedResource = { resourceId: d.resourceId, tag: t.tag, value: t.value, reason: t.reason };
    if (t.expected) s.expected = t.expected;
    out.push(s);
  }
  return out;
}

function countsOf(
  inventory: ScaleInventory,
  plan: ScalePlan,
  dryRun: boolean,
  done: ReadonlySet<ScaleAction>,
  reported?: readonly ReportedResource[],
): Record<string, number> {
  const counts: Record<string, number> = {
    groupsSeen: inventory.groups.length,
    instancesSeen: inventory.instances.length,
    databasesSeen: inventory.databases.length,
    groupsScaledToZero: 0,
    groupsRestored: 0,
    instancesStopped: 0,
    instancesStarted: 0,
    instancesHibernated: 0,
    databasesStopped: 0,
    databasesStarted: 0,
    transitionsRecorded: 0,
    skipped: plan.decisions.filter((d) => d.outcome === 'skip').length,
    ignoredOverrides: plan.decisions.reduce((n, d) => n + d.ignoredTags.length, 0),
    plannedActions: plan.actions.length,
  };
  let hours = 0;
  const fellBack = new Set((reported ?? []).map((r) => r.resourceId));
  for (const d of plan.decisions) {
    if (!d.action || (!dryRun && !done.has(d.action))) continue;
    if (!dryRun) counts[ACTION_COUNT[d.action.kind]] = (counts[ACTION_COUNT[d.action.kind]] ?? 0) + 1;
    // Of the stopped, those hibernated (one EC2 refused to hibernate was stopped instead, and reported).
    if (d.action.kind === 'stop-instance' && d.action.hibernate && !fellBack.has(d.resourceId)) {
      counts.instancesHibernated = (counts.instancesHibernated ?? 0) + 1;
    }
    hours += d.instanceHoursSaved ?? 0;
  }
  // Estimated: instances turned off now times the hours until the schedule turns them on again.
  counts.estimatedInstanceHoursSaved = Math.round(hours * 10) / 10;
  return counts;
}
