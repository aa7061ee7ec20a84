import { describe, expect, it } from '@jest/globals';

import type { FunctionName, RunSummaryDetail } from '../../shared/events';
import {
  DEFAULT_CLEANUP_SETTINGS,
  countKeptByReason,
  planCleanup,
  type CleanupDecision,
} from '../../shared/plan/cleanup';
import { NOW, OTHER, hoursAgo, image, snapshotsOf, usageOf } from '../helpers/plan-fixtures';
import {
  METRICS,
  METRICS_NAMESPACE,
  allMetricNames,
  metricsFromSummary,
  notifierResultOf,
  notifierSummary,
  type EmfLine,
} from '../../shared/metrics';

const AT = Date.parse('2026-11-30T12:00:00Z');

function summary(fn: FunctionName, over: Partial<RunSummaryDetail> = {}): RunSummaryDetail {
  return {
    function: fn,
    region: 'eu-west-1',
    accountId: '123456789012',
    startedAt: '2026-11-30T11:59:00Z',
    finishedAt: '2026-11-30T12:00:00Z',
    dryRun: false,
    incomplete: false,
    counts: {},
    failures: [],
    skipped: [],
    ...over,
  };
}

/** The metric values as CloudWatch would read them: each declared name's value from the line. */
function read(line: EmfLine): Record<string, number> {
  const [directive] = line._aws.CloudWatchMetrics;
  const out: Record<string, number> = {};
  for (const m of directive!.Metrics) {
    const v = line[m.Name];
    if (typeof v !== 'number') throw new Error(`metric ${m.Name} is declared but has no number`);
    out[m.Name] = v;
  }
  return out;
}

describe('metricsFromSummary (EMF)', () => {
  it('writes a well-formed EMF line: namespace, Function and Region dimensions, timestamp', () => {
    const line = metricsFromSummary(summary('tagger'), AT);
    expect(line._aws.Timestamp).toBe(AT);
    expect(line._aws.CloudWatchMetrics).toEqual([
      expect.objectContaining({ Namespace: METRICS_NAMESPACE, Dimensions: [['Function', 'Region']] }),
    ]);
    expect(line.Function).toBe('tagger');
    expect(line.Region).toBe('eu-west-1');
    // Every dimension named must be a string at the top level, or CloudWatch drops the line.
    for (const d of line._aws.CloudWatchMetrics[0]!.Dimensions.flat()) expect(typeof line[d]).toBe('string');
    // A log line is one JSON object that survives the round trip unchanged.
    expect(JSON.parse(JSON.stringify(line))).toEqual(line);
  });

  it('tagger: tagged, in use, skipped for bad tags and the newest LastUsedRuntime age', () => {
    const line = metricsFromSummary(
      summary('tagger', {
        counts: {
          imagesSeen: 10,
          inUse: 3,
          taggedLastUsed: 3,
          taggedRuntime: 9,
          newestLastUsedRuntimeAgeSeconds: 1200,
          problems: 1,
        },
        skipped: [
          { resourceId: 'ami-1', tag: 'LastUsed', value: 'soon', expected: 'ISO 8601 UTC', reason: 'bad' },
          // A skip without a tag (e.g. a duplicate listing) is not a bad tag.
          { resourceId: 'ami-2', reason: 'listed twice' },
        ],
        failures: [{ resourceId: 'ami-3', action: 'CreateTags', message: 'denied' }],
      }),
      AT,
    );
    expect(read(line)).toEqual({
      Runs: 1,
      RunFailures: 1,
      RunsIncomplete: 0,
      AMIsTaggedLastUsed: 3,
      AMIsTaggedLastUsedRuntime: 9,
      AMIsInUse: 3,
      SkippedForBadTags: 1,
      NewestLastUsedRuntimeAgeSeconds: 1200,
    });
  });

  it('a region whose inventory was not read reports the run, not zeros it never measured', () => {
    const line = metricsFromSummary(
      summary('tagger', {
        incomplete: true,
        failures: [{ resourceId: 'eu-west-1', action: 'inventory', message: 'could not read' }],
      }),
      AT,
    );
    expect(read(line)).toEqual({ Runs: 1, RunFailures: 1, RunsIncomplete: 1, SkippedForBadTags: 0 });
    // The requests it made before failing are measured, and still no zeros for the rest.
    const withRequests = metricsFromSummary(
      summary('cleanup', { counts: { apiRequests: 9, apiThrottles: 8 } }),
      AT,
    );
    expect(read(withRequests)).toEqual({
      Runs: 1,
      RunFailures: 0,
      RunsIncomplete: 0,
      ApiRequests: 9,
      ApiThrottles: 8,
      SkippedForBadTags: 0,
    });
  });

  it('cleanup: deletions, snapshots, kept per main reason and the refusal', () => {
    const line = metricsFromSummary(
      summary('cleanup', {
        counts: {
          deleted: 2,
          snapshotsDeleted: 3,
          keptInUse: 4,
          keptRetention: 5,
          keptShared: 1,
          keptRefused: 0,
          keptNotOptedIn: 6,
          keptTaggerStale: 0,
          keptOther: 2,
          refused: 0,
        },
      }),
      AT,
    );
    expect(read(line)).toMatchObject({
      AMIsDeleted: 2,
      SnapshotsDeleted: 3,
      KeptInUse: 4,
      KeptRetention: 5,
      KeptShared: 1,
      KeptRefused: 0,
      KeptNotOptedIn: 6,
      KeptTaggerStale: 0,
      KeptOther: 2,
      CleanupRefused: 0,
    });
    const refused = metricsFromSummary(summary('cleanup', { counts: { refused: 1, keptRefused: 7 } }), AT);
    expect(read(refused)).toMatchObject({ CleanupRefused: 1, KeptRefused: 7, AMIsDeleted: 0 });
  });

  it('scale-to-zero: groups, instances and estimated instance-hours saved', () => {
    const line = metricsFromSummary(
      summary('scale-to-zero', {
        counts: {
          groupsScaledToZero: 2,
          groupsRestored: 1,
          instancesStopped: 4,
          instancesStarted: 0,
          estimatedInstanceHoursSaved: 37.5,
        },
      }),
      AT,
    );
    expect(read(line)).toMatchObject({
      GroupsScaledToZero: 2,
      GroupsRestored: 1,
      InstancesStopped: 4,
      InstancesStarted: 0,
      EstimatedInstanceHoursSaved: 37.5,
    });
  });

  it('scale-to-zero: databases stopped and started beside the groups and instances', () => {
    const line = metricsFromSummary(
      summary('scale-to-zero', { counts: { databasesStopped: 3, databasesStarted: 0, instancesStopped: 1 } }),
      AT,
    );
    expect(read(line)).toMatchObject({ DatabasesStopped: 3, DatabasesStarted: 0, InstancesStopped: 1 });
  });

  it('scale-to-zero: the estimated savings in USD, declared with unit None', () => {
    const line = metricsFromSummary(
      summary('scale-to-zero', { counts: { estimatedInstanceHoursSaved: 27, estimatedSavingsUsd: 2.89 } }),
      AT,
    );
    expect(read(line)).toMatchObject({ EstimatedSavingsUsd: 2.89 });
    expect(line._aws.CloudWatchMetrics[0]!.Metrics).toContainEqual({
      Name: 'EstimatedSavingsUsd',
      Unit: 'None',
    });
  });

  it('notifier: one of sent, suppressed or failed per event', () => {
    const at = '2026-11-30T12:00:00Z';
    expect(read(metricsFromSummary(notifierSummary('eu-west-1', 'sent', at), AT))).toEqual({
      NotificationsSent: 1,
      NotificationsSuppressed: 0,
      NotificationsFailed: 0,
    });
    expect(read(metricsFromSummary(notifierSummary('eu-west-1', 'failed', at), AT))).toEqual({
      NotificationsSent: 0,
      NotificationsSuppressed: 0,
      NotificationsFailed: 1,
    });
    expect(notifierResultOf('partially-sent')).toBe('sent');
    expect(notifierResultOf('already-sent')).toBe('suppressed');
    expect(notifierResultOf('suppressed')).toBe('suppressed');
    expect(notifierResultOf('ignored')).toBe('ignored');
  });

  it('leaves out a value that is not a finite number instead of breaking the whole line', () => {
    const line = metricsFromSummary(
      summary('scale-to-zero', { counts: { groupsScaledToZero: 1, estimatedInstanceHoursSaved: NaN } }),
      AT,
    );
    expect(read(line)).not.toHaveProperty('EstimatedInstanceHoursSaved');
    expect(read(line)).toHaveProperty('GroupsScaledToZero', 1);
  });

  it('names every metric once per function, and allMetricNames lists them all', () => {
    for (const [fn, defs] of Object.entries(METRICS)) {
      const names = defs.map((d) => d.name);
      expect({ fn, names: [...new Set(names)] }).toEqual({ fn, names });
    }
    expect(allMetricNames()).toContain('NewestLastUsedRuntimeAgeSeconds');
    expect(allMetricNames()).toContain('CleanupRefused');
  });
});

describe("cleanup's main reason for each AMI it keeps (the Kept* metrics)", () => {
  const planOf = (images: ReturnType<typeof image>[], usage = usageOf()) =>
    planCleanup({
      images,
      usage,
      snapshots: snapshotsOf(images),
      settings: { ...DEFAULT_CLEANUP_SETTINGS },
      now: NOW,
      launchPermissions: new Map(images.map((i) => [i.id, { kind: 'read' as const, permissions: [] }])),
    }).decisions;
  const why = (ds: CleanupDecision[], id: string) => ds.find((d) => d.imageId === id)?.keptFor;

  it('names in use, retention, not opted in, not owned, shared, protected and stale-tagger keeps', () => {
    const ds = planOf(
      [
        image('ami-used'),
        image('ami-recent', {}, { LastUsed: hoursAgo(24) }),
        image('ami-manual', {}, { AutoCleanup: undefined }),
        image('ami-vendor', { ownerId: OTHER, ownedBySelf: false }),
        image('ami-public', { public: true }),
        image('ami-guarded', { deregistrationProtected: true }),
        image('ami-unstamped', {}, { LastUsedRuntime: undefined }),
        image('ami-old'),
      ],
      usageOf({ instances: [{ id: 'i-1', imageId: 'ami-used', state: 'running' }] }),
    );
    expect(Object.fromEntries(ds.map((d) => [d.imageId, d.keptFor ?? d.action]))).toEqual({
      'ami-used': 'inUse',
      'ami-recent': 'retention',
      'ami-manual': 'notOptedIn',
      'ami-vendor': 'notOwned',
      'ami-public': 'shared',
      'ami-guarded': 'protected',
      'ami-unstamped': 'taggerStale',
      'ami-old': 'delete',
    });
    // Every keep has a reason, and the counts add up to the keeps.
    const keeps = ds.filter((d) => d.action === 'keep');
    expect(keeps.every((d) => d.keptFor !== undefined)).toBe(true);
    const by = countKeptByReason(ds);
    expect(Object.values(by).reduce((a, b) => a + (b ?? 0), 0)).toBe(keeps.length);
  });

  it('an AMI past retention in a run that refuses (a usage reference it cannot resolve) is kept as refused', () => {
    const usage = usageOf({
      autoScalingGroups: [
        {
          name: 'web-asg',
          launchTemplates: [{ templateId: 'lt-0ab', version: '7' }],
          minSize: 0,
          maxSize: 1,
          desiredCapacity: 0,
          tags: {},
          instanceIds: [],
        },
      ],
    });
    const ds = planOf([image('ami-old'), image('ami-recent', {}, { LastUsed: hoursAgo(24) })], usage);
    expect(why(ds, 'ami-old')).toBe('refused');
    expect(why(ds, 'ami-recent')).toBe('retention');
    // A stale LastUsedRuntime on the AMI itself is named first: the tagger's fault, not the run's.
    const stale = planOf([image('ami-old', {}, { LastUsedRuntime: hoursAgo(72) })]);
    expect(why(stale, 'ami-old')).toBe('taggerStale');
  });
});
