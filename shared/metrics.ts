/**
 * CloudWatch metrics in the embedded metric format (EMF): one JSON log line per run and region that
 * CloudWatch Logs turns into metrics, so no PutMetricData call and no IAM beyond writing logs. Every
 * metric is derived here from the run summary (or the notifier's outcome), nowhere else, and the
 * dashboard and alarms in functions/metrics.yml name only metrics listed in METRICS.
 */
import type { FunctionName, RunSummaryDetail } from './events';

export const METRICS_NAMESPACE = 'EC2Hygiene';

/** Every metric line carries both: a fleet over several regions is told apart per region. */
export const METRIC_DIMENSIONS = ['Function', 'Region'] as const;

/** 'None' for figures that are neither (the estimated savings in USD). */
export type MetricUnit = 'Count' | 'Seconds' | 'None';

export interface MetricDefinition {
  name: string;
  unit: MetricUnit;
  /** The value for this summary; undefined leaves the metric out of the line (nothing to measure). */
  value(summary: RunSummaryDetail): number | undefined;
}

const count =
  (key: string) =>
  (s: RunSummaryDetail): number | undefined =>
    s.counts[key];

/** Counts finishSummary adds to every run's summary, read or not. */
const REQUEST_COUNTS = new Set(['apiRequests', 'apiThrottles']);

/** Only where the region's inventory was read: a failed read measured nothing, which is not zero. */
const countIfRead =
  (key: string) =>
  (s: RunSummaryDetail): number | undefined =>
    Object.keys(s.counts).some((k) => !REQUEST_COUNTS.has(k)) ? (s.counts[key] ?? 0) : undefined;

/** Skips that name a tag: a value the product could not read (see the tag contract). */
const skippedForBadTags = (s: RunSummaryDetail): number =>
  s.skipped.filter((k) => k.tag !== undefined).length;

const every: MetricDefinition[] = [
  // One per run and region, read or not: an hour with none means the function is not running.
  { name: 'Runs', unit: 'Count', value: () => 1 },
  { name: 'RunFailures', unit: 'Count', value: (s) => s.failures.length },
  { name: 'RunsIncomplete', unit: 'Count', value: (s) => (s.incomplete ? 1 : 0) },
  // AWS requests of the run's region, each retry counted, and those answered with throttling.
  { name: 'ApiRequests', unit: 'Count', value: count('apiRequests') },
  { name: 'ApiThrottles', unit: 'Count', value: count('apiThrottles') },
];

/** The metrics each function emits, in the order the dashboard shows them. */
export const METRICS: Readonly<Record<FunctionName, readonly MetricDefinition[]>> = {
  tagger: [
    ...every,
    { name: 'AMIsTaggedLastUsed', unit: 'Count', value: countIfRead('taggedLastUsed') },
    { name: 'AMIsTaggedLastUsedRuntime', unit: 'Count', value: countIfRead('taggedRuntime') },
    { name: 'AMIsInUse', unit: 'Count', value: countIfRead('inUse') },
    { name: 'SkippedForBadTags', unit: 'Count', value: skippedForBadTags },
    // The tagger's health: how old the newest LastUsedRuntime was before this run stamped any.
    {
      name: 'NewestLastUsedRuntimeAgeSeconds',
      unit: 'Seconds',
      value: count('newestLastUsedRuntimeAgeSeconds'),
    },
  ],
  cleanup: [
    ...every,
    { name: 'AMIsDeleted', unit: 'Count', value: countIfRead('deleted') },
    { name: 'SnapshotsDeleted', unit: 'Count', value: countIfRead('snapshotsDeleted') },
    // The deleted snapshots' source volume sizes, an upper bound (snapshots are incremental), and
    // that storage at the region's snapshot price in USD a month: an estimate (docs/cleanup.md).
    { name: 'SnapshotGiBDeleted', unit: 'None', value: countIfRead('snapshotGiBDeleted') },
    {
      name: 'EstimatedSnapshotSavingsUsdPerMonth',
      unit: 'None',
      value: count('estimatedSnapshotSavingsUsdPerMonth'),
    },
    { name: 'KeptInUse', unit: 'Count', value: countIfRead('keptInUse') },
    { name: 'KeptRetention', unit: 'Count', value: countIfRead('keptRetention') },
    { name: 'KeptShared', unit: 'Count', value: countIfRead('keptShared') },
    { name: 'KeptRefused', unit: 'Count', value: countIfRead('keptRefused') },
    { name: 'KeptNotOptedIn', unit: 'Count', value: countIfRead('keptNotOptedIn') },
    { name: 'KeptTaggerStale', unit: 'Count', value: countIfRead('keptTaggerStale') },
    { name: 'KeptOther', unit: 'Count', value: countIfRead('keptOther') },
    { name: 'CleanupRefused', unit: 'Count', value: countIfRead('refused') },
    { name: 'SkippedForBadTags', unit: 'Count', value: skippedForBadTags },
  ],
  'scale-to-zero': [
    ...every,
    { name: 'GroupsScaledToZero', unit: 'Count', value: countIfRead('groupsScaledToZero') },
    { name: 'GroupsRestored', unit: 'Count', value: countIfRead('groupsRestored') },
    { name: 'InstancesStopped', unit: 'Count', value: countIfRead('instancesStopped') },
    { name: 'InstancesStarted', unit: 'Count', value: countIfRead('instancesStarted') },
    { name: 'DatabasesStopped', unit: 'Count', value: countIfRead('databasesStopped') },
    { name: 'DatabasesStarted', unit: 'Count', value: countIfRead('databasesStarted') },
    {
      name: 'EstimatedInstanceHoursSaved',
      unit: 'Count',
      value: countIfRead('estimatedInstanceHoursSaved'),
    },
    // The hours above at on-demand prices, in USD: an estimate (docs/operations.md#savings-in-money).
    { name: 'EstimatedSavingsUsd', unit: 'None', value: countIfRead('estimatedSavingsUsd') },
    // The databases stopped: DB instance-hours, and those at on-demand prices, compute only (storage
    // is still billed while stopped): an estimate (docs/scale-to-zero.md).
    {
      name: 'EstimatedDbInstanceHoursSaved',
      unit: 'Count',
      value: countIfRead('estimatedDbInstanceHoursSaved'),
    },
    { name: 'EstimatedDatabaseSavingsUsd', unit: 'None', value: countIfRead('estimatedDatabaseSavingsUsd') },
    { name: 'SkippedForBadTags', unit: 'Count', value: skippedForBadTags },
  ],
  recovery: [
    ...every,
    { name: 'AlarmsWritten', unit: 'Count', value: countIfRead('alarmsWritten') },
    { name: 'AlarmsDeleted', unit: 'Count', value: countIfRead('alarmsDeleted') },
    { name: 'InstancesProtected', unit: 'Count', value: countIfRead('instancesProtected') },
    { name: 'SkippedForBadTags', unit: 'Count', value: skippedForBadTags },
  ],
  'self-heal': [
    ...every,
    { name: 'AddressesAssociated', unit: 'Count', value: countIfRead('addressesAssociated') },
    { name: 'VolumesAttached', unit: 'Count', value: countIfRead('volumesAttached') },
    { name: 'LaunchesAbandoned', unit: 'Count', value: countIfRead('lifecycleAbandoned') },
    { name: 'SkippedForBadTags', unit: 'Count', value: skippedForBadTags },
  ],
  // Per invocation (one event), from notifierSummary below.
  notifier: [
    { name: 'NotificationsSent', unit: 'Count', value: count('sent') },
    { name: 'NotificationsSuppressed', unit: 'Count', value: count('suppressed') },
    { name: 'NotificationsFailed', unit: 'Count', value: count('failed') },
  ],
};

export type EmfLine = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: MetricUnit }[];
    }[];
  };
};

/**
 * The EMF line for one run's summary. `type: 'metrics'` lets a reader of the logs (and the tests)
 * find it; CloudWatch ignores keys no metric or dimension names.
 */
export function metricsFromSummary(summary: RunSummaryDetail, timestampMs: number): EmfLine {
  const values: Record<string, number> = {};
  const declared: { Name: string; Unit: MetricUnit }[] = [];
  for (const m of METRICS[summary.function]) {
    const v = m.value(summary);
    // A non-finite value would make CloudWatch drop the whole line, losing every other metric.
    if (v === undefined || !Number.isFinite(v)) continue;
    values[m.name] = v;
    declared.push({ Name: m.name, Unit: m.unit });
  }
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: [[...METRIC_DIMENSIONS]], Metrics: declared },
      ],
    },
    type: 'metrics',
    Function: summary.function,
    Region: summary.region,
    ...values,
  };
}

/** What became of one event the notifier was given. */
export type NotifierResult = 'sent' | 'suppressed' | 'failed' | 'ignored';

/** The notifier's outcome kinds (shared/notify NotifyOutcome) as a metric; a thrown error is 'failed'. */
export function notifierResultOf(outcome: string): NotifierResult {
  if (outcome === 'sent' || outcome === 'partially-sent') return 'sent';
  // A redelivery of an event already sent is a duplicate kept from the reader too.
  if (outcome === 'suppressed' || outcome === 'already-sent') return 'suppressed';
  return 'ignored';
}

/** The notifier has no run summary: its outcome becomes one, so its metrics come from the same place. */
export function notifierSummary(region: string, result: NotifierResult, at: string): RunSummaryDetail {
  return {
    function: 'notifier',
    region,
    accountId: '',
    startedAt: at,
    finishedAt: at,
    dryRun: false,
    incomplete: false,
    counts: {
      sent: result === 'sent' ? 1 : 0,
      suppressed: result === 'suppressed' ? 1 : 0,
      failed: result === 'failed' ? 1 : 0,
    },
    failures: [],
    skipped: [],
  };
}

/** Every metric name any function emits (the dashboard test checks its widgets against these). */
export function allMetricNames(): Set<string> {
  return new Set(Object.values(METRICS).flatMap((ms) => ms.map((m) => m.name)));
}

/**
 * A few lines a person reads: per function, each metric summed over the lines given (the Seconds
 * ones as their highest value), metrics that stayed 0 left out. For `npm start`.
 */
export function describeMetrics(lines: readonly Record<string, unknown>[]): string[] {
  const out: string[] = [];
  for (const [fn, defs] of Object.entries(METRICS)) {
    const mine = lines.filter((l) => l.Function === fn);
    if (mine.length === 0) continue;
    const parts: string[] = [];
    for (const d of defs) {
      const values = mine.map((l) => l[d.name]).filter((v): v is number => typeof v === 'number');
      if (values.length === 0) continue;
      const v = d.unit === 'Seconds' ? Math.max(...values) : values.reduce((a, b) => a + b, 0);
      if (v === 0) continue;
      parts.push(d.unit === 'Seconds' ? `${d.name} max ${v}` : `${d.name} ${Math.round(v * 10) / 10}`);
    }
    out.push(`${fn} (${mine.length} lines): ${parts.join(', ')}`);
  }
  return out;
}
