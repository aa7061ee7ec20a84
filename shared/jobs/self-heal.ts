/**
 * The self-heal run: per region, inventory (groups tagged SelfHeal, their launch hook, the Elastic
 * IPs and volumes they name) → plan → apply (hooks, associations, attachments, lifecycle actions)
 * → report. A launch event runs the same steps for its one group and instance. The Lambda handler
 * and the tests call runSelfHeal; SELF_HEAL_DRY_RUN makes it read-only.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

import {
  applySelfHeal,
  readSelfHealInventory,
  type SelfHealApplyResult,
  type SelfHealReadResult,
} from '../aws/self-heal';
import type { RunSummaryDetail } from '../events';
import { planSelfHeal, type LaunchEvent, type SelfHealPlan } from '../plan/self-heal';
import { logDecision } from '../report';
import type { SelfHealSettings } from '../self-heal/settings';
import {
  finishSummary,
  readInventoryOrRecord,
  runRegions,
  skipToSummary,
  startSummary,
  type JobDepsOf,
  type RegionsResult,
} from './common';

export interface SelfHealJobDeps extends JobDepsOf<SelfHealSettings> {
  /** The launch this run answers; absent on the schedule. */
  event?: LaunchEvent & { region: string };
  /** Waits between volume polls; tests pass one that moves a virtual clock. */
  sleep(ms: number): Promise<void>;
}

export interface SelfHealRegionResult {
  region: string;
  inventory?: SelfHealReadResult;
  plan?: SelfHealPlan;
  applied?: SelfHealApplyResult;
  summary: RunSummaryDetail;
}

export type SelfHealResult = RegionsResult<SelfHealRegionResult>;

export async function runSelfHeal(deps: SelfHealJobDeps): Promise<SelfHealResult> {
  const regions = deps.event ? [deps.event.region] : deps.settings.regions;
  return runRegions({ ...deps, settings: { ...deps.settings, regions } }, (region) =>
    healRegion(deps, region),
  );
}

/** What the log line says happened to a planned decision once apply ran. */
function outcome(action: string, resourceId: string, dryRun: boolean, applied?: SelfHealApplyResult): string {
  if (dryRun && (action === 'heal' || action === 'abandon' || action === 'hook'))
    return `${action} (dry run)`;
  if (!applied) return action;
  if (applied.failures.some((f) => f.resourceId === resourceId)) return `${action} failed`;
  if (action === 'heal' && applied.abandoned.some((a) => a.instanceId === resourceId)) return 'abandon';
  return action;
}

function report(
  deps: SelfHealJobDeps,
  region: string,
  result: SelfHealRegionResult,
  plan: SelfHealPlan,
): void {
  const { summary, applied } = result;
  const dryRun = deps.settings.dryRun;
  for (const d of plan.decisions) {
    const late = applied?.abandoned.find((a) => a.instanceId === d.resourceId && d.action === 'heal');
    logDecision(deps.log, {
      function: 'self-heal',
      region,
      resourceId: d.resourceId,
      action: outcome(d.action, d.resourceId, dryRun, applied),
      reason: late ? `${d.reason}; ${late.reason}` : d.reason,
      ...(d.tagProblem ? { tagProblem: d.tagProblem } : {}),
    });
  }
  for (const s of plan.skipped) summary.skipped.push(skipToSummary(s));
  // An abandoned launch is worth a person's look (the notifier reads `reported`).
  summary.reported = [
    ...plan.reported,
    ...(applied?.abandoned ?? []).map((a) => ({
      resourceId: a.instanceId,
      reason: `launch abandoned: ${a.reason}`,
    })),
  ];
  const inv = result.inventory!;
  summary.counts = {
    groupsSeen: inv.groups.length,
    groupsOptedIn: plan.groupsOptedIn,
    groupsSkipped: plan.skipped.length,
    hooksToWrite: plan.hooks.length,
    hooksWritten: applied?.hooksWritten.length ?? 0,
    addressesAssociated: applied?.associated.length ?? 0,
    volumesAttached: applied?.attached.length ?? 0,
    lifecycleContinued: applied?.continued.length ?? 0,
    lifecycleAbandoned: applied?.abandoned.length ?? 0,
    lifecycleAlreadyCompleted: applied?.alreadyCompleted.length ?? 0,
    describeGroupsCalls: inv.calls.describeGroups,
    describeHooksCalls: inv.calls.describeHooks,
    describeVolumesCalls: inv.calls.describeVolumes + (applied?.calls.describeVolumes ?? 0),
  };
}

async function healRegion(deps: SelfHealJobDeps, region: string): Promise<SelfHealRegionResult> {
  const { dryRun, hookName } = deps.settings;
  const started = startSummary('self-heal', region, deps, dryRun);
  const { summary } = started;
  const clients = deps.clientsFor(region);
  const result: SelfHealRegionResult = { region, summary };
  const event = deps.event;

  const inventory = await readInventoryOrRecord(
    summary,
    deps.budget,
    event
      ? `group ${event.groupName}, its Elastic IP and volume`
      : 'the groups tagged SelfHeal, their hooks, Elastic IPs and volumes',
    async () => {
      const [identity, inv] = await Promise.all([
        clients.sts.send(new GetCallerIdentityCommand({})),
        readSelfHealInventory(clients, { hookName, ...(event ? { groupName: event.groupName } : {}) }),
      ]);
      summary.accountId = identity.Account ?? '';
      return inv;
    },
  );
  if (inventory) {
    result.inventory = inventory;
    const plan = planSelfHeal({
      inventory,
      config: { hookName, heartbeatTimeoutSeconds: deps.settings.heartbeatTimeoutSeconds },
      ...(event ? { event } : {}),
    });
    result.plan = plan;
    if (!dryRun) {
      const clock = deps.clock ?? (() => deps.now.getTime());
      result.applied = await applySelfHeal(clients, plan, {
        hasTimeFor: (ms) => deps.budget.hasTimeFor(ms),
        now: clock,
        sleep: deps.sleep,
        volumeWaitMs: deps.settings.volumeWaitSeconds * 1000,
        pollMs: deps.settings.pollSeconds * 1000,
      });
      summary.failures.push(...result.applied.failures);
      summary.incomplete = result.applied.incomplete;
    }
    report(deps, region, result, plan);
  }
  await finishSummary(deps, clients, started, { publish: true });
  return result;
}

/** The launch an "EC2 Instance-launch Lifecycle Action" event names, or undefined for anything else. */
export function launchEventOf(event: unknown): (LaunchEvent & { region: string }) | undefined {
  const e = (event ?? {}) as {
    source?: unknown;
    'detail-type'?: unknown;
    region?: unknown;
    detail?: Record<string, unknown>;
  };
  if (e.source !== 'aws.autoscaling' || e['detail-type'] !== 'EC2 Instance-launch Lifecycle Action')
    return undefined;
  const d = e.detail ?? {};
  const text = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  if (
    typeof e.region !== 'string' ||
    !text('AutoScalingGroupName') ||
    !text('EC2InstanceId') ||
    !text('LifecycleActionToken')
  ) {
    return undefined;
  }
  return {
    region: e.region,
    groupName: text('AutoScalingGroupName'),
    instanceId: text('EC2InstanceId'),
    hookName: text('LifecycleHookName'),
    token: text('LifecycleActionToken'),
  };
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the self-heal job adds to every job's deps: how to wait, and the launch event it answers. */
export function selfHealExtraDeps(
  rawEvent: unknown,
  sleep: (ms: number) => Promise<void> = realSleep,
): Pick<SelfHealJobDeps, 'sleep' | 'event'> {
  const event = launchEventOf(rawEvent);
  return { sleep, ...(event ? { event } : {}) };
}
