/**
 * The recovery run: per region, inventory (instances tagged AutoRecover, their types, the fleet's
 * prefixed alarms) → plan → apply (PutMetricAlarm / DeleteAlarms) → report. The Lambda handler and
 * the tests call runRecovery; RECOVERY_DRY_RUN makes it read-only.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

import { DEFAULT_MAX_ATTEMPTS, type ClientOptions } from '../aws/clients';
import {
  applyRecovery,
  readRecoveryInventory,
  type RecoveryApplyResult,
  type RecoveryInventory,
} from '../aws/recovery';
import type { RunSummaryDetail } from '../events';
import { planRecovery, type RecoveryPlan } from '../plan/recovery';
import type { RecoverySettings } from '../recovery/settings';
import { logDecision } from '../report';
import {
  finishSummary,
  readInventoryOrRecord,
  readWithAccountId,
  runRegions,
  skipToSummary,
  startSummary,
  type JobDepsOf,
  type RegionsResult,
} from './common';

export interface RecoveryJobDeps extends JobDepsOf<RecoverySettings> {
  /** CloudWatch is the recovery function's alone: kept out of AwsClients so no other bundle carries it. */
  cloudWatchFor(region: string): CloudWatchClient;
}

export interface RecoveryRegionResult {
  region: string;
  inventory?: RecoveryInventory;
  plan?: RecoveryPlan;
  applied?: RecoveryApplyResult;
  summary: RunSummaryDetail;
}

export type RecoveryResult = RegionsResult<RecoveryRegionResult>;

export async function runRecovery(deps: RecoveryJobDeps): Promise<RecoveryResult> {
  return runRegions(deps, (region) => recoverRegion(deps, region));
}

async function recoverRegion(deps: RecoveryJobDeps, region: string): Promise<RecoveryRegionResult> {
  const { dryRun, alarmPrefix } = deps.settings;
  const started = startSummary('recovery', region, deps, dryRun);
  const { summary } = started;
  const clients = deps.clientsFor(region);
  const cloudWatch = deps.cloudWatchFor(region);
  const result: RecoveryRegionResult = { region, summary };

  const inventory = await readInventoryOrRecord(
    summary,
    deps.budget,
    'the instances tagged AutoRecover and the fleet alarms',
    // Without instances DescribeInstances names no account; STS does.
    () =>
      readWithAccountId(
        clients,
        summary,
        () => readRecoveryInventory(clients.ec2, cloudWatch, alarmPrefix),
        (inv) => inv.accountId,
      ),
  );
  if (inventory) {
    result.inventory = inventory;
    const plan = planRecovery({
      instances: inventory.instances,
      alarms: inventory.alarms,
      config: {
        region,
        alarmPrefix,
        ...(deps.settings.topicArn ? { topicArn: deps.settings.topicArn } : {}),
        autoRecoverySupported: inventory.autoRecoverySupported,
      },
    });
    result.plan = plan;
    if (!dryRun) {
      result.applied = await applyRecovery(cloudWatch, plan.puts, plan.deletes, () =>
        deps.budget.hasTimeFor(),
      );
      summary.failures.push(...result.applied.failures);
      summary.incomplete = result.applied.incomplete;
    }
    const failed = new Set(result.applied?.failures.map((f) => f.resourceId));
    for (const d of plan.decisions) {
      const outcome =
        d.action === 'delete' && dryRun
          ? 'delete (dry run)'
          : d.action === 'delete' && failed.has(d.resourceId)
            ? 'delete failed'
            : d.action;
      logDecision(deps.log, {
        function: 'recovery',
        region,
        resourceId: d.resourceId,
        action: outcome,
        reason: dryRun && d.action === 'protect' ? `${d.reason} (dry run: nothing written)` : d.reason,
        ...(d.tagProblem ? { tagProblem: d.tagProblem } : {}),
      });
    }
    for (const s of plan.skipped) summary.skipped.push(skipToSummary(s));
    for (const p of inventory.problems) summary.skipped.push({ resourceId: p.resourceId, reason: p.message });
    summary.reported = [...plan.reported];
    summary.counts = {
      instancesTagged: inventory.instances.length,
      instancesProtected: plan.protectedInstances,
      instancesSkipped: plan.skipped.length,
      alarmsSeen: inventory.alarms.length,
      alarmsToWrite: plan.puts.length,
      alarmsToDelete: plan.deletes.length,
      alarmsWritten: result.applied?.written.length ?? 0,
      alarmsDeleted: result.applied?.deleted.length ?? 0,
      describeAlarmsCalls: inventory.calls.describeAlarms,
      listTagsCalls: inventory.calls.listTags,
      putMetricAlarmCalls: result.applied?.calls.putMetricAlarm ?? 0,
      deleteAlarmsCalls: result.applied?.calls.deleteAlarms ?? 0,
    };
  }

  await finishSummary(deps, clients, started, { publish: true });
  return result;
}

export function createCloudWatch(region: string, options: ClientOptions = {}): CloudWatchClient {
  return new CloudWatchClient({
    region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}
