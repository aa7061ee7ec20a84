/**
 * The cleanup plan's named rules: the documented order, and for every rule an input on which that
 * rule is the one that decides (so no rule in the list is dead, and each decision names its rule).
 */
import { describe, expect, it } from '@jest/globals';

import type { Image, SnapshotLookup, SnapshotRecord } from '../../../../shared/domain';
import type { UsageReportsRead } from '../../../../shared/image-usage-reports';
import type { LaunchPermissionsRead } from '../../../../shared/launch-permissions';
import {
  CLEANUP_RULES,
  DEFAULT_CLEANUP_SETTINGS,
  SNAPSHOT_RULES,
  planCleanup,
  type CleanupDecision,
  type CleanupInput,
  type CleanupPlan,
  type CleanupSettings,
  type EarlierRounds,
  type SnapshotDecision,
} from '../../../../shared/plan/cleanup';
import { TAG } from '../../../../shared/tags';
import type { UsageIndex } from '../../../../shared/usage';
import {
  NOW,
  OTHER,
  daysAgo,
  hoursAgo,
  image,
  snapshot,
  snapshotsOf,
  usageOf,
} from '../../../helpers/plan-fixtures';

interface Options {
  usage?: UsageIndex;
  snapshots?: SnapshotRecord[];
  settings?: Partial<CleanupSettings>;
  launchPermissions?: Map<string, LaunchPermissionsRead>;
  snapshotLookups?: Map<string, SnapshotLookup>;
  earlierRounds?: EarlierRounds;
  usageReports?: Map<string, UsageReportsRead>;
}

function plan(images: Image[], opts: Options = {}): CleanupPlan {
  const input: CleanupInput = {
    images,
    usage: opts.usage ?? usageOf(),
    snapshots: opts.snapshots ?? snapshotsOf(images),
    settings: { ...DEFAULT_CLEANUP_SETTINGS, ...opts.settings },
    now: NOW,
    launchPermissions:
      opts.launchPermissions ??
      new Map(images.map((i): [string, LaunchPermissionsRead] => [i.id, { kind: 'read', permissions: [] }])),
    ...(opts.snapshotLookups && { snapshotLookups: opts.snapshotLookups }),
    ...(opts.earlierRounds && { earlierRounds: opts.earlierRounds }),
    ...(opts.usageReports && { usageReports: opts.usageReports }),
  };
  return planCleanup(input);
}

const inUseBy = (imageId: string) => usageOf({ instances: [{ id: 'i-0abc', imageId, state: 'running' }] });

/** A launch template version that was not read: any AMI could be in use, so the run refuses. */
const unresolvable = usageOf({
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

const marked = (id: string, mark: string, over: Partial<SnapshotRecord> = {}) =>
  snapshot(id, { tags: { [TAG.pendingDeletion]: mark }, ...over });

/** For each AMI rule: a plan in which it decides on ami-a, and what it must have decided. */
const IMAGE_CASES: Record<string, { plan: () => CleanupPlan; expect: Partial<CleanupDecision> }> = {
  duplicate: { plan: () => plan([image('ami-a'), image('ami-a')]), expect: { action: 'skip' } },
  held: {
    plan: () =>
      plan([image('ami-a')], { earlierRounds: { attempted: 1, held: new Map([['ami-a', 'denied']]) } }),
    expect: { action: 'keep', keptFor: 'held' },
  },
  'stage-tags': {
    plan: () => plan([image('ami-a', {}, { [TAG.autoCleanupDeprecatedAt]: 'yesterday' })]),
    expect: { action: 'skip' },
  },
  'not-owned': {
    plan: () => plan([image('ami-a', { ownedBySelf: false, ownerId: OTHER })]),
    expect: { action: 'keep', keptFor: 'notOwned' },
  },
  'not-available': {
    plan: () => plan([image('ami-a', { state: 'pending' })]),
    expect: { action: 'keep', keptFor: 'other' },
  },
  'not-opted-in': {
    plan: () => plan([image('ami-a', {}, { AutoCleanup: 'false' })]),
    expect: { action: 'keep', keptFor: 'notOptedIn' },
  },
  'unreadable-tags': {
    plan: () => plan([image('ami-a', {}, { LastUsed: 'last tuesday' })]),
    expect: { action: 'skip' },
  },
  'in-use': { plan: () => plan([image('ami-a')], { usage: inUseBy('ami-a') }), expect: { keptFor: 'inUse' } },
  protected: {
    plan: () => plan([image('ami-a', { deregistrationProtected: true })]),
    expect: { action: 'keep', keptFor: 'protected' },
  },
  'tagger-stale': {
    plan: () => plan([image('ami-a', {}, { LastUsedRuntime: hoursAgo(3) })]),
    expect: { action: 'keep', keptFor: 'taggerStale' },
  },
  'future-time': {
    plan: () => plan([image('ami-a', {}, { LastUsed: hoursAgo(-2) })]),
    expect: { action: 'keep', keptFor: 'tagProblem' },
  },
  'launch-time-unreadable': {
    plan: () => plan([image('ami-a', { lastLaunchedAt: new Date(Number.NaN) })]),
    expect: { action: 'keep', keptFor: 'tagProblem' },
  },
  'keep-until': {
    plan: () => plan([image('ami-a', {}, { [TAG.autoCleanupKeepUntil]: '2026-11-30' })]),
    expect: { action: 'keep', keptFor: 'keepUntil' },
  },
  'age-unknown': {
    plan: () => plan([image('ami-a', { createdAt: undefined }, { LastUsed: undefined })]),
    expect: { action: 'keep', keptFor: 'other' },
  },
  retention: {
    plan: () => plan([image('ami-a', {}, { LastUsed: hoursAgo(24) })]),
    expect: { action: 'keep', keptFor: 'retention' },
  },
  family: {
    plan: () =>
      plan([image('ami-a', {}, { Family: 'web' })], {
        settings: { keepNewestPerFamily: 1, familyTag: 'Family' },
      }),
    expect: { action: 'keep', keptFor: 'retention' },
  },
  'stage-grace': {
    plan: () =>
      plan([image('ami-a', { deprecatedAt: daysAgo(1) }, { [TAG.autoCleanupDeprecatedAt]: hoursAgo(24) })], {
        settings: { deprecateGraceDays: 7 },
      }),
    expect: { action: 'keep', keptFor: 'staged' },
  },
  refused: { plan: () => plan([image('ami-a')], { usage: unresolvable }), expect: { keptFor: 'refused' } },
  shared: {
    plan: () => plan([image('ami-a', { public: true })]),
    expect: { action: 'keep', keptFor: 'shared' },
  },
  'shared-usage-report': {
    plan: () =>
      plan([image('ami-a')], {
        settings: { deleteSharedImages: 'when-unused' },
        launchPermissions: new Map([['ami-a', { kind: 'read', permissions: [{ userId: OTHER }] }]]),
        usageReports: new Map([['ami-a', { kind: 'read', reports: [] }]]),
      }),
    expect: { action: 'keep', keptFor: 'shared' },
  },
  'snapshots-unknown': {
    plan: () =>
      plan([image('ami-a')], {
        snapshots: [],
        snapshotLookups: new Map([['snap-a', { kind: 'failed', message: 'throttled' }]]),
      }),
    expect: { action: 'keep', keptFor: 'pending' },
  },
  'recycle-bin-required': {
    plan: () => plan([image('ami-a')], { settings: { requireRecycleBin: true } }),
    expect: { action: 'keep', keptFor: 'recycleBin' },
  },
  cap: {
    plan: () => plan([image('ami-a')], { settings: { maxDeletionsPerRun: 0 } }),
    expect: { action: 'defer' },
  },
  'launch-permissions-unread': {
    plan: () => plan([image('ami-a')], { launchPermissions: new Map() }),
    expect: { action: 'keep', keptFor: 'shared' },
  },
  'usage-report-unread': {
    plan: () =>
      plan([image('ami-a')], {
        settings: { deleteSharedImages: 'when-unused' },
        launchPermissions: new Map([['ami-a', { kind: 'read', permissions: [{ userId: OTHER }] }]]),
      }),
    expect: { action: 'keep', keptFor: 'shared' },
  },
  deprecate: {
    plan: () => plan([image('ami-a')], { settings: { deprecateGraceDays: 7, disableGraceDays: 7 } }),
    expect: { action: 'deprecate' },
  },
  disable: {
    plan: () => plan([image('ami-a')], { settings: { disableGraceDays: 7 } }),
    expect: { action: 'disable' },
  },
  'snapshots-unread': {
    plan: () => plan([image('ami-a')], { snapshots: [], snapshotLookups: new Map() }),
    expect: { action: 'keep', keptFor: 'pending' },
  },
  eligible: { plan: () => plan([image('ami-a')]), expect: { action: 'delete' } },
};

/** For each snapshot rule: a plan in which it decides on snap-s, and the action it must have taken. */
const SNAPSHOT_CASES: Record<
  string,
  { plan: () => CleanupPlan; expect: Partial<SnapshotDecision>; /** Default 1. */ decisions?: number }
> = {
  'snapshot-used-elsewhere': {
    plan: () =>
      plan([
        image('ami-a', { snapshotIds: ['snap-s'] }),
        image('ami-b', { snapshotIds: ['snap-s'] }, { AutoCleanup: undefined }),
      ]),
    expect: { action: 'keep', imageId: 'ami-a' },
  },
  'snapshot-not-owned': {
    plan: () =>
      plan([image('ami-a', { snapshotIds: ['snap-s'] })], {
        snapshots: [snapshot('snap-s', { ownedBySelf: false, ownerId: OTHER })],
      }),
    expect: { action: 'keep' },
  },
  'snapshot-owner-unknown': {
    plan: () => plan([image('ami-a', { snapshotIds: ['snap-s'] })], { snapshots: [] }),
    expect: { action: 'keep' },
  },
  'snapshot-with-image': {
    plan: () => plan([image('ami-a', { snapshotIds: ['snap-s'] })]),
    expect: { action: 'delete' },
  },
  'mark-not-owned': {
    plan: () =>
      plan([], { snapshots: [marked('snap-s', 'ami-gone', { ownedBySelf: false, ownerId: OTHER })] }),
    expect: { action: 'keep' },
  },
  'mark-unreadable': {
    plan: () => plan([], { snapshots: [marked('snap-s', 'yes please')] }),
    expect: { action: 'skip' },
  },
  'mark-image-deregistered': {
    plan: () =>
      plan([image('ami-a', { state: 'deregistered', snapshotIds: ['snap-s'] })], {
        snapshots: [marked('snap-s', 'ami-a')],
      }),
    expect: { action: 'keep' },
  },
  'mark-not-its-image': {
    plan: () =>
      plan([image('ami-a', {}, { AutoCleanup: undefined })], { snapshots: [marked('snap-s', 'ami-a')] }),
    expect: { action: 'unmark' },
  },
  'mark-image-held': {
    plan: () =>
      plan([image('ami-a', { snapshotIds: ['snap-s'] })], {
        snapshots: [marked('snap-s', 'ami-a')],
        earlierRounds: { attempted: 1, held: new Map([['ami-a', 'denied']]) },
      }),
    expect: { action: 'keep' },
  },
  'mark-snapshot-shared': {
    plan: () =>
      plan([image('ami-b', { snapshotIds: ['snap-s'] }, { AutoCleanup: undefined })], {
        snapshots: [marked('snap-s', 'ami-gone')],
      }),
    expect: { action: 'unmark' },
  },
  'mark-image-deleted': {
    // ami-b, listed as deregistered, keeps the snapshot alive but is no reason to remove the mark.
    plan: () =>
      plan(
        [
          image('ami-a', { snapshotIds: ['snap-s'] }),
          image('ami-b', { state: 'deregistered', snapshotIds: ['snap-s'] }),
        ],
        { snapshots: [marked('snap-s', 'ami-a')] },
      ),
    expect: { action: 'keep', imageId: 'ami-a' },
    // The snapshot of a deleted AMI is decided on first (snapshot-used-elsewhere), then its mark.
    decisions: 2,
  },
  'mark-image-put-off': {
    plan: () =>
      plan([image('ami-a', { snapshotIds: ['snap-s'] })], {
        snapshots: [marked('snap-s', 'ami-a')],
        settings: { maxDeletionsPerRun: 0 },
      }),
    expect: { action: 'keep' },
  },
  'mark-image-kept': {
    plan: () =>
      plan([image('ami-a', { snapshotIds: ['snap-s'] })], {
        snapshots: [marked('snap-s', 'ami-a')],
        usage: inUseBy('ami-a'),
      }),
    expect: { action: 'unmark' },
  },
  'mark-used-by-deregistered': {
    plan: () =>
      plan([image('ami-b', { state: 'deregistered', snapshotIds: ['snap-s'] })], {
        snapshots: [marked('snap-s', 'ami-gone')],
      }),
    expect: { action: 'keep' },
  },
  'mark-refused': {
    plan: () => plan([image('ami-a')], { snapshots: [marked('snap-s', 'ami-gone')], usage: unresolvable }),
    expect: { action: 'keep' },
  },
  'mark-image-gone': {
    plan: () => plan([], { snapshots: [marked('snap-s', 'ami-gone')] }),
    expect: { action: 'delete' },
  },
};

describe('the cleanup rules', () => {
  it('are tried in the documented order', () => {
    expect(CLEANUP_RULES.map((r) => r.name)).toEqual([
      'duplicate',
      'held',
      'not-owned',
      'stage-tags',
      'not-available',
      'not-opted-in',
      'unreadable-tags',
      'in-use',
      'protected',
      'tagger-stale',
      'future-time',
      'launch-time-unreadable',
      'keep-until',
      'age-unknown',
      'retention',
      'family',
      'stage-grace',
      'refused',
      'shared',
      'shared-usage-report',
      'snapshots-unknown',
      'recycle-bin-required',
      'cap',
      'launch-permissions-unread',
      'usage-report-unread',
      'deprecate',
      'disable',
      'snapshots-unread',
      'eligible',
    ]);
    expect(
      CLEANUP_RULES.filter((r) => r.scope === 'image')
        .map((r) => r.name)
        .at(-1),
    ).toBe('retention');
    expect(SNAPSHOT_RULES.map((r) => r.name)).toEqual([
      'snapshot-used-elsewhere',
      'snapshot-not-owned',
      'snapshot-owner-unknown',
      'snapshot-with-image',
      'mark-not-owned',
      'mark-unreadable',
      'mark-image-deregistered',
      'mark-not-its-image',
      'mark-image-held',
      'mark-snapshot-shared',
      'mark-image-deleted',
      'mark-image-put-off',
      'mark-image-kept',
      'mark-used-by-deregistered',
      'mark-refused',
      'mark-image-gone',
    ]);
  });

  it('each have a one-line summary', () => {
    for (const r of [...CLEANUP_RULES, ...SNAPSHOT_RULES]) {
      expect(r.summary).toMatch(/^[a-z].*\S$/);
      expect(r.summary).not.toContain('\n');
    }
  });

  it('have an input on which each one decides, for every rule in the list', () => {
    expect(Object.keys(IMAGE_CASES).sort()).toEqual(CLEANUP_RULES.map((r) => r.name).sort());
    expect(Object.keys(SNAPSHOT_CASES).sort()).toEqual(SNAPSHOT_RULES.map((r) => r.name).sort());
  });

  it.each(Object.entries(IMAGE_CASES))('%s decides on an AMI and is named in its decision', (name, c) => {
    const decisions = c.plan().decisions.filter((d) => d.imageId === 'ami-a');
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) expect(d).toMatchObject({ ...c.expect, rule: name });
  });

  it.each(Object.entries(SNAPSHOT_CASES))(
    '%s decides on a snapshot and is named in its decision',
    (name, c) => {
      const decisions = c.plan().snapshotDecisions.filter((d) => d.snapshotId === 'snap-s');
      expect(decisions).toHaveLength(c.decisions ?? 1);
      expect(decisions.at(-1)).toMatchObject({ ...c.expect, rule: name });
    },
  );

  it('name the rule in every decision of a mixed plan, and only rules from the list', () => {
    const p = plan(
      [
        image('ami-a'),
        image('ami-b', {}, { AutoCleanup: undefined }),
        image('ami-c', { ownedBySelf: false, ownerId: OTHER }),
      ],
      { snapshots: [snapshot('snap-a'), marked('snap-x', 'ami-gone')] },
    );
    const ruleNames = new Set<string>(CLEANUP_RULES.map((r) => r.name));
    const snapshotRuleNames = new Set<string>(SNAPSHOT_RULES.map((r) => r.name));
    expect(p.decisions.map((d) => [d.imageId, d.rule])).toEqual([
      ['ami-a', 'eligible'],
      ['ami-b', 'not-opted-in'],
      ['ami-c', 'not-owned'],
    ]);
    for (const d of p.decisions) expect(ruleNames.has(d.rule)).toBe(true);
    expect(p.snapshotDecisions.map((d) => [d.snapshotId, d.rule])).toEqual([
      ['snap-a', 'snapshot-with-image'],
      ['snap-x', 'mark-image-gone'],
    ]);
    for (const d of p.snapshotDecisions) expect(snapshotRuleNames.has(d.rule)).toBe(true);
  });
});
