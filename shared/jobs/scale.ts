/**
 * The scale-to-zero run: per region, inventory (groups and instances tagged ScaleToZero) → plan →
 * apply → report. The Lambda handler, the local demo and the tests all call runScale; dryRun makes
 * it read-only.
 */
import {
  applyScaleActions,
  readScaleInventory,
  type ScaleApplyResult,
  type ScaleInventory,
} from '../aws/scale';
import type { RunSummaryDetail, SkippedResource } from '../events';
import { planScale, type ScaleAction, type ScaleDecision, type ScalePlan } from '../plan/scale';
import { createPriceBook, type PriceBook } from '../pricing';
import { logDecision } from '../report';
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
  return runRegions(deps, (region) => scaleRegion({ ...deps, prices }, region));
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
  deps: ScaleJobDeps & { prices: PriceBook },
  region: string,
): Promise<ScaleRegionResult> {
  const dryRun = deps.settings.dryRun;
  const started = startSummary('scale-to-zero', region, deps, dryRun);
  const { summary } = started;
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
    if (inventory.databaseFailure) summary.failures.push(inventory.databaseFailure);
    const plan = planScale({
      groups: inventory.groups,
      instances: inventory.instances,
      databases: inventory.databases,
      settings: deps.settings,
      now: deps.now,
    });
    result.plan = plan;
    if (!dryRun) {
      result.applied = await applyScaleActions(clients, plan.actions, {
        now: deps.now,
        hasTime: () => deps.budget.hasTimeFor(),
        remainingMs: () => deps.budget.remainingMs(),
      });
      summary.failures.push(...result.applied.failures);
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
    summary.counts = countsOf(inventory, plan, dryRun, done);
    const counted = (a: ScaleAction) => dryRun || done.has(a);
    const { usd, savings } = await scaleSavings(hoursSavedOf(inventory, plan, counted), region, deps.prices);
    summary.counts.estimatedSavingsUsd = usd;
    summary.savings = savings;
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
): Record<string, number> {
  const counts: Record<string, number> = {
    groupsSeen: inventory.groups.length,
    instancesSeen: inventory.instances.length,
    databasesSeen: inventory.databases.length,
    groupsScaledToZero: 0,
    groupsRestored: 0,
    instancesStopped: 0,
    instancesStarted: 0,
    databasesStopped: 0,
    databasesStarted: 0,
    transitionsRecorded: 0,
    skipped: plan.decisions.filter((d) => d.outcome === 'skip').length,
    ignoredOverrides: plan.decisions.reduce((n, d) => n + d.ignoredTags.length, 0),
    plannedActions: plan.actions.length,
  };
  let hours = 0;
  for (const d of plan.decisions) {
    if (!d.action || (!dryRun && !done.has(d.action))) continue;
    if (!dryRun) counts[ACTION_COUNT[d.action.kind]] = (counts[ACTION_COUNT[d.action.kind]] ?? 0) + 1;
    hours += d.instanceHoursSaved ?? 0;
  }
  // Estimated: instances turned off now times the hours until the schedule turns them on again.
  counts.estimatedInstanceHoursSaved = Math.round(hours * 10) / 10;
  return counts;
}
