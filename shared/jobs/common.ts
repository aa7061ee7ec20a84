/**
 * What every job is given, and the scaffolding the tagger, cleanup and scale-to-zero runs share:
 * the loop over regions, the summary each region starts with, the budget-guarded inventory read, and
 * the closing log line and event. Each job's own plan, apply and counts stay in its own module.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

import type { AwsClients, RequestStats } from '../aws/clients';
import { errorText } from '../errors';
import type { Budget } from '../budget';
import type { Settings } from '../config';
import type {
  CleanupRefusedDetail,
  DeletionNoticeDetail,
  FunctionName,
  RunFailure,
  RunSummaryDetail,
  SkippedResource,
} from '../events';
import { metricsFromSummary } from '../metrics';
import { publishRunEvents } from '../aws/events';
import type { LogFn } from '../report';
import type { Problem } from '../domain';
import { formatTimestamp, type TagProblem } from '../tags';

/** What every job is given: everything from outside (time, clients, settings of its own kind). */
export interface JobDepsOf<S> {
  clientsFor(region: string): AwsClients;
  settings: S;
  /** The run's "now": the tags' value and the clock the plans judge ages and schedules by. */
  now: Date;
  log: LogFn;
  budget: Budget;
  /** Milliseconds since the epoch, for finishedAt; defaults to a clock frozen at `now`. */
  clock?: () => number;
  /** Put the summary on EventBridge (default true; the read-only plan CLI turns it off). */
  publish?: boolean;
}

/** The tagger's and cleanup's deps. */
export type JobDeps = JobDepsOf<Settings>;

/** The settings every job's kind has, whatever else it carries. */
interface RunSettings {
  regions: readonly string[];
  eventBusName: string;
  /** The one region whose bus gets every region's events (absent: each region's own). */
  eventRegion?: string;
}

/** What a job's run of one region must hand back for the run over all regions. */
export interface RegionRun {
  /** Set only when the region's inventory was read. */
  inventory?: unknown;
  summary: RunSummaryDetail;
}

export interface RegionsResult<R extends RegionRun> {
  regions: R[];
  summaries: RunSummaryDetail[];
  /** False when no region could be read at all: the handler turns that into a Lambda error. */
  ok: boolean;
}

/**
 * One region after another, never in parallel: the regions share one time budget, and a region
 * that fails is already recorded in its own summary, so the next one still runs.
 */
export async function runRegions<R extends RegionRun>(
  deps: JobDepsOf<Pick<RunSettings, 'regions'>>,
  perRegion: (region: string) => Promise<R>,
): Promise<RegionsResult<R>> {
  const regions: R[] = [];
  for (const region of deps.settings.regions) regions.push(await perRegion(region));
  return {
    regions,
    summaries: regions.map((r) => r.summary),
    ok: regions.some((r) => r.inventory !== undefined),
  };
}

/** A region's summary as it starts, and the clock reading its finishedAt is measured from. */
export interface StartedSummary {
  summary: RunSummaryDetail;
  startedMs: number;
  /** The region's clients' request counters at the start (warm Lambdas reuse the clients). */
  requestsAtStart?: RequestStats;
}

/** accountId stays empty until the inventory names the account (an unread region has none). */
export function startSummary(
  fn: FunctionName,
  region: string,
  deps: Pick<JobDepsOf<unknown>, 'now' | 'clock'> & Partial<Pick<JobDepsOf<unknown>, 'clientsFor'>>,
  dryRun: boolean,
): StartedSummary {
  const startedMs = deps.clock?.() ?? deps.now.getTime();
  const stats = deps.clientsFor?.(region).stats;
  const summary: RunSummaryDetail = {
    function: fn,
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
  return stats ? { summary, startedMs, requestsAtStart: { ...stats } } : { summary, startedMs };
}

/**
 * The region's inventory, or undefined with the reason in the summary: no time left marks the run
 * incomplete (the next run reads the region), a failed read is the region's failure (`what` names
 * what could not be read). Either way the job then only reports, and the other regions go on.
 */
export async function readInventoryOrRecord<T>(
  summary: RunSummaryDetail,
  budget: Budget,
  what: string,
  read: () => Promise<T>,
): Promise<T | undefined> {
  if (!budget.hasTimeFor()) {
    summary.incomplete = true;
    return undefined;
  }
  try {
    return await read();
  } catch (err) {
    summary.failures.push(
      regionFailure(summary.region, 'inventory', `could not read ${what}: ${errorText(err)}`),
    );
    return undefined;
  }
}

/**
 * Reads an inventory that may not name the account (no instances, or none that say) beside STS's
 * GetCallerIdentity, in the same round trip, and sets summary.accountId. STS needs no permission.
 */
export async function readWithAccountId<T>(
  clients: Pick<AwsClients, 'sts'>,
  summary: RunSummaryDetail,
  read: () => Promise<T>,
  accountIdOf: (inventory: T) => string = () => '',
): Promise<T> {
  const [identity, inventory] = await Promise.all([
    clients.sts.send(new GetCallerIdentityCommand({})),
    read(),
  ]);
  summary.accountId = identity.Account ?? accountIdOf(inventory);
  return inventory;
}

export interface FinishOptions {
  /** Whether this job sends this region's summary at all; deps.publish can still turn it off. */
  publish: boolean;
  /** Sent beside the summary when cleanup refused to delete anything. */
  refused?: CleanupRefusedDetail;
  /** Sent beside the summary when AMIs retire within cleanup's notice period. */
  notice?: DeletionNoticeDetail;
}

/** finishedAt, the summary log line (warn when anything failed), its metrics line, then the event on EventBridge. */
export async function finishSummary(
  deps: JobDepsOf<Pick<RunSettings, 'eventBusName' | 'eventRegion'>>,
  clients: AwsClients,
  started: StartedSummary,
  options: FinishOptions,
): Promise<void> {
  const { summary } = started;
  summary.finishedAt = finishedAt(deps, started.startedMs);
  const stats = clients.stats;
  if (stats && started.requestsAtStart) {
    // This region's requests, retries included; the summary's own PutEvents comes after.
    summary.counts.apiRequests = stats.requests - started.requestsAtStart.requests;
    summary.counts.apiThrottles = stats.throttles - started.requestsAtStart.throttles;
  }
  deps.log({ level: summary.failures.length > 0 ? 'warn' : 'info', type: 'summary', ...summary });
  // The run's metrics (EMF), stamped with when the run finished; written even when publishing is off.
  deps.log(metricsFromSummary(summary, Date.parse(summary.finishedAt)));
  if (options.publish && deps.publish !== false) {
    // The notifier's rules are on one bus in one region: a summary of us-east-2 still goes there.
    const home = deps.settings.eventRegion;
    const eventClients = home && home !== clients.region ? deps.clientsFor(home) : clients;
    await publishRunEvents(
      eventClients,
      deps.settings.eventBusName,
      summary,
      options.refused,
      deps.log,
      options.notice,
    );
  }
}

export function finishedAt(deps: Pick<JobDepsOf<unknown>, 'now' | 'clock'>, startedMs: number): string {
  if (!deps.clock) return formatTimestamp(deps.now);
  return formatTimestamp(new Date(deps.now.getTime() + Math.max(0, deps.clock() - startedMs)));
}

export function problemToSkip(p: Problem): SkippedResource {
  return skipToSummary({ resourceId: p.resourceId, reason: p.message, tagProblem: p.tagProblem });
}

/** A skipped resource as the summary lists it: a tag it could not read, its value, what was expected. */
export function skipToSummary(s: {
  resourceId: string;
  reason: string;
  tagProblem?: TagProblem;
}): SkippedResource {
  if (s.tagProblem) {
    const { tag, value, expected } = s.tagProblem;
    return { resourceId: s.resourceId, tag, value, expected, reason: s.reason };
  }
  return { resourceId: s.resourceId, reason: s.reason };
}

export function regionFailure(region: string, step: string, message: string): RunFailure {
  return { resourceId: region, action: step, message };
}

/** The inventory option for LAUNCH_TEMPLATE_VERSIONS_IN_USE, when it is set. */
export function versionsOption(settings: Settings): { templateVersionsInUse?: number } {
  return settings.launchTemplateVersionsInUse !== undefined
    ? { templateVersionsInUse: settings.launchTemplateVersionsInUse }
    : {};
}
