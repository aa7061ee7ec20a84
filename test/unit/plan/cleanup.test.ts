import { describe, expect, it } from '@jest/globals';
import type { Image } from '../../../shared/domain';
import type { LaunchPermission, LaunchPermissionsRead } from '../../../shared/launch-permissions';
import {
  CleanupSettingsError,
  DEFAULT_CLEANUP_SETTINGS,
  planCleanup,
  type CleanupInput,
  type CleanupSettings,
  type SnapshotRecord,
} from '../../../shared/plan/cleanup';
import { TAG } from '../../../shared/tags';
import type { UsageIndex } from '../../../shared/usage';
import {
  NOW,
  OTHER,
  daysAgo,
  hoursAgo,
  image,
  snapshot,
  snapshotsOf,
  usageOf,
} from '../../helpers/plan-fixtures';

function plan(
  images: Image[],
  opts: {
    usage?: UsageIndex;
    snapshots?: SnapshotRecord[];
    settings?: Partial<CleanupSettings>;
    now?: Date;
    /** Default: every AMI read and shared with nobody. */
    launchPermissions?: Map<string, LaunchPermissionsRead>;
  } = {},
) {
  const input: CleanupInput = {
    images,
    usage: opts.usage ?? usageOf(),
    snapshots: opts.snapshots ?? snapshotsOf(images),
    settings: { ...DEFAULT_CLEANUP_SETTINGS, ...opts.settings },
    now: opts.now ?? NOW,
    launchPermissions:
      opts.launchPermissions ?? new Map(images.map((i) => [i.id, { kind: 'read', permissions: [] }])),
  };
  return planCleanup(input);
}

function decisionOf(p: ReturnType<typeof plan>, imageId: string) {
  const d = p.decisions.find((x) => x.imageId === imageId);
  if (!d) throw new Error(`no decision for ${imageId}`);
  return d;
}

describe('planCleanup: an AMI that meets every rule', () => {
  it('is deleted with its snapshot, and the reason gives the date, the age and the retention', () => {
    const p = plan([image('ami-old')]);
    expect(p.refused).toBeUndefined();
    expect(p.deletions.map((d) => [d.image.id, d.snapshotIds])).toEqual([['ami-old', ['snap-old']]]);
    expect(decisionOf(p, 'ami-old')).toEqual({
      imageId: 'ami-old',
      action: 'delete',
      reason: 'unused since 2026-11-04T10:00:00Z, 19 days > 7 days retention',
      rule: 'eligible',
    });
    expect(p.counts).toMatchObject({ images: 1, delete: 1, snapshotsToDelete: 1 });
  });

  it('never used: counts from the creation date', () => {
    const p = plan([image('ami-new', { createdAt: daysAgo(10) }, { LastUsed: undefined })]);
    expect(decisionOf(p, 'ami-new').reason).toBe(
      'never used; created 2026-11-13T10:00:00Z, 10 days > 7 days retention',
    );
  });

  it('a LastUsed older than the AMI itself (a copied tag) counts from creation instead', () => {
    const p = plan([image('ami-copy', { createdAt: daysAgo(2) }, { LastUsed: hoursAgo(30 * 24) })]);
    expect(decisionOf(p, 'ami-copy')).toMatchObject({ action: 'keep' });
    expect(decisionOf(p, 'ami-copy').reason).toContain('predates its creation');
  });
});

describe('planCleanup: each rule keeps an AMI on its own', () => {
  it.each<[string, Image, string]>([
    ['not owned', image('ami-x', { ownedBySelf: false, ownerId: OTHER }), `owned by account ${OTHER}`],
    ['not available', image('ami-x', { state: 'pending' }), 'state pending: only available AMIs are deleted'],
    ['no AutoCleanup', image('ami-x', {}, { AutoCleanup: undefined }), 'not opted in: no AutoCleanup tag'],
    ['AutoCleanup=false', image('ami-x', {}, { AutoCleanup: 'FALSE' }), 'opted out: AutoCleanup=false'],
    [
      'deregistration protection',
      image('ami-x', { deregistrationProtected: true }),
      'deregistration protection is on',
    ],
    [
      'no LastUsedRuntime',
      image('ami-x', {}, { LastUsedRuntime: undefined }),
      'no LastUsedRuntime tag: the tagger has not covered this AMI within 60 min',
    ],
    [
      'stale LastUsedRuntime',
      image('ami-x', {}, { LastUsedRuntime: hoursAgo(2) }),
      'LastUsedRuntime 2026-11-23T08:00:00Z is 2 h old > 60 min: the tagger has not covered this AMI within 60 min',
    ],
    [
      'LastUsed yesterday (the date)',
      image('ami-x', {}, { LastUsed: hoursAgo(24) }),
      'unused since 2026-11-22T10:00:00Z, 1 day ago: within the 7 days retention',
    ],
    [
      'never used and creation date unknown',
      image('ami-x', { createdAt: undefined }, { LastUsed: undefined }),
      'never used (no LastUsed tag) and its creation date is unknown',
    ],
    [
      'never used and creation date unreadable',
      image('ami-x', { createdAt: new Date('garbage') }, { LastUsed: undefined }),
      'never used (no LastUsed tag) and its creation date is unknown',
    ],
    [
      'created in the future',
      image('ami-x', { createdAt: new Date(NOW.getTime() + 3_600_000) }, { LastUsed: undefined }),
      'is in the future: its age cannot be told',
    ],
  ])('%s', (_label, img, reason) => {
    // A second, fresh AMI keeps the tagger demonstrably alive so only the rule under test decides.
    const p = plan([img, image('ami-zz-alive', {}, { AutoCleanup: undefined })]);
    expect(p.refused).toBeUndefined();
    expect(p.deletions).toEqual([]);
    expect(decisionOf(p, 'ami-x').action).toBe('keep');
    expect(decisionOf(p, 'ami-x').reason).toContain(reason);
  });

  it('exactly at the retention limit is kept; one second over is deleted', () => {
    const at = plan([image('ami-x', {}, { LastUsed: hoursAgo(7 * 24) })]);
    expect(decisionOf(at, 'ami-x').action).toBe('keep');
    const over = plan([image('ami-x', {}, { LastUsed: hoursAgo(7 * 24 + 1 / 3600) })]);
    expect(decisionOf(over, 'ami-x')).toMatchObject({
      action: 'delete',
      reason: 'unused since 2026-11-16T09:59:59Z, 7 days 1 s > 7 days retention',
    });
  });

  it('in use by an instance, a launch template, a launch configuration or a group: kept, naming the user', () => {
    const usage = usageOf({
      instances: [{ id: 'i-0abc', imageId: 'ami-inst', state: 'stopped' }],
      launchTemplateVersions: [
        {
          templateId: 'lt-0ab',
          templateName: 'web',
          versionNumber: 3,
          isDefault: true,
          isLatest: true,
          imageId: 'ami-lt',
        },
      ],
      launchConfigurations: [{ name: 'lc-1', imageId: 'ami-lc' }],
      autoScalingGroups: [
        {
          name: 'batch',
          launchConfigurationName: 'lc-1',
          launchTemplates: [],
          minSize: 0,
          maxSize: 0,
          desiredCapacity: 0,
          tags: {},
          instanceIds: [],
        },
      ],
    });
    const p = plan([image('ami-inst'), image('ami-lt'), image('ami-lc')], { usage });
    expect(p.deletions).toEqual([]);
    expect(decisionOf(p, 'ami-inst').reason).toBe('in use by instance i-0abc (stopped)');
    expect(decisionOf(p, 'ami-lt').reason).toBe(
      'in use by launch template lt-0ab (web) $Default (version 3), launch template lt-0ab (web) $Latest (version 3)',
    );
    expect(decisionOf(p, 'ami-lc').reason).toBe(
      'in use by auto scaling group batch (launch configuration lc-1, scaled to zero), launch configuration lc-1',
    );
  });
});

describe('planCleanup: unreadable tags are skipped and reported, never acted on', () => {
  it('AutoCleanup=maybe', () => {
    const p = plan([image('ami-x', {}, { AutoCleanup: 'maybe' })]);
    expect(p.deletions).toEqual([]);
    expect(decisionOf(p, 'ami-x')).toMatchObject({
      action: 'skip',
      problem: { resourceId: 'ami-x', tag: 'AutoCleanup', value: 'maybe', expected: 'true or false' },
    });
    expect(p.problems).toEqual([decisionOf(p, 'ami-x').problem]);
  });

  it('LastUsed=yesterday', () => {
    const p = plan([image('ami-x', {}, { LastUsed: 'yesterday' })]);
    expect(p.deletions).toEqual([]);
    expect(decisionOf(p, 'ami-x').action).toBe('skip');
    expect(decisionOf(p, 'ami-x').reason).toContain('LastUsed="yesterday" is not readable');
    expect(p.problems.map((x) => [x.resourceId, x.tag, x.value])).toEqual([
      ['ami-x', 'LastUsed', 'yesterday'],
    ]);
  });

  it('a malformed LastUsedRuntime', () => {
    const p = plan([image('ami-x', {}, { LastUsedRuntime: '23/11/2026' }), image('ami-y')]);
    expect(decisionOf(p, 'ami-x').action).toBe('skip');
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-y']);
  });

  it('a LastUsed in the future is kept and reported', () => {
    const p = plan([image('ami-x', {}, { LastUsed: '2027-01-01T00:00:00Z' })]);
    expect(decisionOf(p, 'ami-x')).toMatchObject({
      action: 'keep',
      problem: {
        tag: 'LastUsed',
        value: '2027-01-01T00:00:00Z',
        expected: 'a time not after now (2026-11-23T10:00:00Z)',
      },
    });
  });

  it('a malformed LastUsed on an AMI that is not opted in is reported but changes nothing', () => {
    const p = plan([image('ami-x', {}, { AutoCleanup: undefined, LastUsed: 'yesterday' }), image('ami-y')]);
    expect(decisionOf(p, 'ami-x')).toMatchObject({
      action: 'keep',
      reason: 'not opted in: no AutoCleanup tag',
    });
    expect(p.problems).toHaveLength(1);
  });
});

describe('planCleanup: the whole run refuses', () => {
  it('when the newest LastUsedRuntime is stale, saying how stale', () => {
    const stale = hoursAgo(72);
    const p = plan([
      image('ami-a', {}, { LastUsedRuntime: stale }),
      image('ami-b', {}, { LastUsedRuntime: hoursAgo(80) }),
    ]);
    expect(p.refused).toEqual({
      reason:
        'refusing to delete: newest LastUsedRuntime is 2026-11-20T10:00:00Z, 3 days old > 60 min; is the tagger running?',
      newestLastUsedRuntime: stale,
    });
    expect(p.deletions).toEqual([]);
  });

  it('when no owned AMI carries LastUsedRuntime', () => {
    const p = plan([image('ami-a', {}, { LastUsedRuntime: undefined })]);
    expect(p.refused?.reason).toBe(
      'refusing to delete: none of the 1 AMIs owned by this account carries a readable LastUsedRuntime; is the tagger running?',
    );
  });

  it('when every LastUsedRuntime is in the future', () => {
    const p = plan([image('ami-a', {}, { LastUsedRuntime: '2026-11-24T00:00:00Z' })]);
    expect(p.refused?.reason).toContain('every LastUsedRuntime is in the future');
  });

  it('but not when the region holds no owned AMI at all: nothing the tagger protects could be deleted', () => {
    const p = plan([image('ami-f', { ownedBySelf: false, ownerId: OTHER })], {
      snapshots: [snapshot('snap-left', { tags: { [TAG.pendingDeletion]: 'ami-gone' } })],
    });
    expect(p.refused).toBeUndefined();
    expect(p.deletions).toEqual([]);
    expect(p.pendingSnapshotDeletions.map((s) => s.snapshotId)).toEqual(['snap-left']);
  });

  it('when a usage reference could not be resolved, naming it', () => {
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
    const p = plan([image('ami-old')], { usage });
    expect(p.deletions).toEqual([]);
    expect(p.refused?.reason).toBe(
      'refusing to delete: 1 usage reference(s) could not be resolved, so any AMI could be in use ' +
        '(auto scaling group web-asg: launch template lt-0ab version 7: the template was not among the launch templates read)',
    );
    expect(p.refused?.unresolved).toHaveLength(1);
    expect(decisionOf(p, 'ami-old')).toMatchObject({ action: 'keep' });
    expect(decisionOf(p, 'ami-old').reason).toMatch(
      /^would be deleted \(unused since .*\), but this run deletes nothing: refusing/,
    );
  });

  it('a fresh LastUsedRuntime on one AMI is enough; another stale one is only kept', () => {
    const p = plan([image('ami-a'), image('ami-b', {}, { LastUsedRuntime: hoursAgo(3) })]);
    expect(p.refused).toBeUndefined();
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-a']);
  });

  it('also deletes no pending snapshots', () => {
    const p = plan([image('ami-a', {}, { LastUsedRuntime: hoursAgo(3) })], {
      snapshots: [snapshot('snap-left', { tags: { [TAG.pendingDeletion]: 'ami-gone' } })],
    });
    expect(p.pendingSnapshotDeletions).toEqual([]);
    expect(p.snapshotDecisions.find((s) => s.snapshotId === 'snap-left')?.action).toBe('keep');
  });
});

describe('planCleanup: keep newest N per family and the cap', () => {
  const family = (id: string, ageDays: number, tags: Record<string, string | undefined> = {}) =>
    image(id, { createdAt: daysAgo(ageDays) }, { Family: 'web', LastUsed: undefined, ...tags });

  it('keeps the newest N of a family (counting AMIs that are not opted in), deletes the older', () => {
    const images = [
      family('ami-1', 40),
      family('ami-2', 30),
      family('ami-3', 20, { AutoCleanup: undefined }),
      family('ami-4', 10),
      image('ami-other', { createdAt: daysAgo(50) }, { LastUsed: undefined }),
    ];
    const p = plan(images, { settings: { keepNewestPerFamily: 2, familyTag: 'Family' } });
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-other', 'ami-1', 'ami-2']);
    expect(decisionOf(p, 'ami-4').reason).toMatch(
      /^among the newest 2 of family Family=web \(created 2026-11-13T10:00:00Z\) \(otherwise: never used/,
    );
  });

  it('an undated family member is kept but takes none of the N places', () => {
    const p = plan(
      [family('ami-1', 20), family('ami-2', 30), { ...family('ami-3', 0), createdAt: new Date('x') }],
      {
        settings: { keepNewestPerFamily: 1, familyTag: 'Family' },
      },
    );
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-2']);
    expect(decisionOf(p, 'ami-1').reason).toMatch(/^among the newest 1 of family Family=web/);
  });

  it('keeps every AMI tied with the Nth newest', () => {
    const p = plan([family('ami-1', 20), family('ami-2', 20), family('ami-3', 30)], {
      settings: { keepNewestPerFamily: 1, familyTag: 'Family' },
    });
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-3']);
  });

  it('defers beyond maxDeletionsPerRun, oldest-unused first', () => {
    const images = [
      image('ami-a', {}, { LastUsed: hoursAgo(10 * 24) }),
      image('ami-b', {}, { LastUsed: hoursAgo(30 * 24) }),
      image('ami-c', {}, { LastUsed: hoursAgo(20 * 24) }),
    ];
    const p = plan(images, { settings: { maxDeletionsPerRun: 2 } });
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-b', 'ami-c']);
    expect(decisionOf(p, 'ami-a')).toMatchObject({ action: 'defer' });
    expect(decisionOf(p, 'ami-a').reason).toContain(
      'deferred to the next run: the cap of 2 deletions per run',
    );
    expect(p.counts).toMatchObject({ delete: 2, defer: 1 });
  });
});

describe('planCleanup: AMIs shared outside the account', () => {
  const ORG = 'arn:aws:organizations::111111111111:organization/o-abc123';
  const read = (entries: Record<string, LaunchPermission[]>) =>
    new Map<string, LaunchPermissionsRead>(
      Object.entries(entries).map(([id, permissions]) => [id, { kind: 'read', permissions }]),
    );

  it('keeps a public AMI without reading its launch permissions, and says why', () => {
    const p = plan([image('ami-pub', { public: true })], { launchPermissions: new Map() });
    expect(p.deletions).toEqual([]);
    expect(p.launchPermissionsToRead).toEqual([]);
    expect(decisionOf(p, 'ami-pub')).toMatchObject({ action: 'keep' });
    expect(decisionOf(p, 'ami-pub').reason).toMatch(
      /^public \(every AWS account may launch it\): use there is invisible to this account, so it is kept while deleteSharedImages is off \(otherwise: unused since /,
    );
    expect(p.counts.keptShared).toBe(1);
  });

  it('keeps an AMI shared with other accounts, an organization or an OU, naming them', () => {
    const p = plan([image('ami-acc'), image('ami-org'), image('ami-ou'), image('ami-mine')], {
      launchPermissions: read({
        'ami-acc': [{ userId: '210987654321' }, { userId: '310987654321' }],
        'ami-org': [{ organizationArn: ORG }],
        'ami-ou': [{ organizationalUnitArn: `${ORG}/ou-1` }],
        'ami-mine': [],
      }),
    });
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-mine']);
    expect(decisionOf(p, 'ami-acc').reason).toMatch(
      /^shared with 2 other accounts: use there is invisible to this account/,
    );
    expect(decisionOf(p, 'ami-org').reason).toContain(`shared with organization ${ORG}: `);
    expect(decisionOf(p, 'ami-ou').reason).toContain(`shared with organizational unit ${ORG}/ou-1: `);
  });

  it('keeps an AMI whose launch permissions could not be read, with the error', () => {
    const p = plan([image('ami-x')], {
      launchPermissions: new Map([
        ['ami-x', { kind: 'failed', message: 'RequestLimitExceeded: Rate exceeded' }],
      ]),
    });
    expect(p.deletions).toEqual([]);
    expect(decisionOf(p, 'ami-x').reason).toMatch(
      /^its launch permissions could not be read \(RequestLimitExceeded: Rate exceeded\), so whether other accounts use it is unknown: kept this run/,
    );
  });

  it('asks for the launch permissions of the AMIs it would delete, up to the cap, and keeps them until read', () => {
    const images = [
      image('ami-a', {}, { LastUsed: hoursAgo(30 * 24) }),
      image('ami-b', {}, { LastUsed: hoursAgo(20 * 24) }),
      image('ami-c', {}, { LastUsed: hoursAgo(10 * 24) }),
      image('ami-recent', {}, { LastUsed: hoursAgo(24) }),
    ];
    const first = plan(images, { settings: { maxDeletionsPerRun: 2 }, launchPermissions: new Map() });
    expect(first.launchPermissionsToRead).toEqual(['ami-a', 'ami-b']);
    expect(first.deletions).toEqual([]);
    expect(decisionOf(first, 'ami-a').reason).toMatch(
      /^its launch permissions were not read in this run, so whether other accounts use it is unknown: kept/,
    );
    expect(decisionOf(first, 'ami-c').action).toBe('defer');

    // ami-a turns out shared: it frees its place for ami-c, whose permissions are asked for next.
    const second = plan(images, {
      settings: { maxDeletionsPerRun: 2 },
      launchPermissions: read({ 'ami-a': [{ userId: '210987654321' }], 'ami-b': [] }),
    });
    expect(second.deletions.map((d) => d.image.id)).toEqual(['ami-b']);
    expect(second.launchPermissionsToRead).toEqual(['ami-c']);
  });

  it('with deleteSharedImages on, deletes public and shared AMIs alike and reads nothing', () => {
    const p = plan([image('ami-pub', { public: true }), image('ami-acc')], {
      settings: { deleteSharedImages: true },
      launchPermissions: new Map(),
    });
    expect(p.deletions.map((d) => d.image.id).sort()).toEqual(['ami-acc', 'ami-pub']);
    expect(p.launchPermissionsToRead).toEqual([]);
    expect(decisionOf(p, 'ami-pub').reason).toMatch(/; public, deleted because deleteSharedImages is on$/);
  });

  it('a refused run reads no launch permissions', () => {
    const p = plan([image('ami-a', {}, { LastUsedRuntime: hoursAgo(5) })], { launchPermissions: new Map() });
    expect(p.refused).toBeDefined();
    expect(p.launchPermissionsToRead).toEqual([]);
  });
});

describe('planCleanup: snapshots', () => {
  it('keeps a snapshot another remaining AMI uses, or that another account owns, or was not described', () => {
    const deleted = image('ami-old', {
      snapshotIds: ['snap-shared', 'snap-foreign', 'snap-unknown', 'snap-own'],
    });
    const kept = image('ami-keep', { snapshotIds: ['snap-shared'] }, { AutoCleanup: undefined });
    const p = plan([deleted, kept], {
      snapshots: [
        snapshot('snap-shared'),
        snapshot('snap-foreign', { ownedBySelf: false, ownerId: OTHER }),
        snapshot('snap-own'),
      ],
    });
    expect(p.deletions).toEqual([expect.objectContaining({ snapshotIds: ['snap-own'] })]);
    expect(p.snapshotDecisions.map((s) => [s.snapshotId, s.action, s.reason])).toEqual([
      ['snap-foreign', 'keep', `owned by account ${OTHER}, not this one: never deleted`],
      ['snap-own', 'delete', expect.stringContaining('belongs to ami-old')],
      ['snap-shared', 'keep', 'also used by remaining AMI ami-keep: kept'],
      ['snap-unknown', 'keep', 'not described by the inventory, so its owner is unknown: kept'],
    ]);
  });

  it('a snapshot shared by two AMIs that are both deleted is deleted once', () => {
    const p = plan([
      image('ami-a', { snapshotIds: ['snap-s'] }),
      image('ami-b', { snapshotIds: ['snap-s'] }),
    ]);
    expect(p.deletions.flatMap((d) => d.snapshotIds)).toEqual(['snap-s']);
  });

  it('a snapshot shared with a deferred AMI stays', () => {
    const p = plan(
      [
        image('ami-a', { snapshotIds: ['snap-s'] }, { LastUsed: hoursAgo(30 * 24) }),
        image('ami-b', { snapshotIds: ['snap-s'] }, { LastUsed: hoursAgo(20 * 24) }),
      ],
      { settings: { maxDeletionsPerRun: 1 } },
    );
    expect(p.deletions).toEqual([expect.objectContaining({ snapshotIds: [] })]);
  });

  it('pending snapshots: deletes those whose AMI is gone, keeps the rest with a reason', () => {
    const pending = (id: string, ami: string, over: Partial<SnapshotRecord> = {}) =>
      snapshot(id, { tags: { [TAG.pendingDeletion]: ami }, ...over });
    const keep = image(
      'ami-keep',
      { snapshotIds: ['snap-used', 'snap-interrupted'] },
      { AutoCleanup: undefined },
    );
    const p = plan([keep], {
      snapshots: [
        pending('snap-gone', 'ami-gone'),
        pending('snap-used', 'ami-gone2'),
        pending('snap-interrupted', 'ami-keep'),
        pending('snap-foreign', 'ami-gone', { ownedBySelf: false, ownerId: OTHER }),
        pending('snap-bad', 'soon'),
      ],
    });
    expect(p.pendingSnapshotDeletions).toEqual([
      {
        snapshotId: 'snap-gone',
        imageId: 'ami-gone',
        reason:
          'marked for ami-gone by an earlier run; that AMI is gone and no remaining AMI uses the snapshot',
      },
    ]);
    const why = Object.fromEntries(
      p.snapshotDecisions.map((s) => [s.snapshotId, `${s.action}: ${s.reason}`]),
    );
    // A mark the deletion it was written for can no longer honour is removed (cleanup-stale-marks.test.ts).
    expect(why['snap-used']).toBe(
      'unmark: marked for ami-gone2, which is gone, but remaining AMI ami-keep uses it: mark removed; ' +
        'the snapshot goes only with the last AMI that uses it, and cleanup marks it again when it deletes that AMI',
    );
    expect(why['snap-interrupted']).toBe(
      'unmark: mark from an interrupted run; ami-keep still exists and is kept (keep: not opted in: no AutoCleanup tag): ' +
        'mark removed so that a later deregistration by hand cannot get the snapshot deleted',
    );
    expect(p.snapshotUnmarks.map((u) => u.snapshotId)).toEqual(['snap-interrupted', 'snap-used']);
    expect(why['snap-foreign']).toMatch(/^keep: marked .* owned by account 222222222222/);
    expect(why['snap-bad']).toBe(
      'skip: AutoCleanupPendingDeletion="soon" names no AMI: skipped, never deleted',
    );
    expect(p.problems.map((x) => x.resourceId)).toEqual(['snap-bad']);
  });
});

describe('planCleanup: settings and determinism', () => {
  it('refuses settings that cannot be meant, naming each', () => {
    expect(() => plan([], { settings: { retentionDays: -1, keepNewestPerFamily: 2 } })).toThrow(
      new CleanupSettingsError([
        'retentionDays is -1; expected a number greater than 0',
        'keepNewestPerFamily is set but familyTag is not; expected the tag key that names the family',
      ]),
    );
    expect(() => plan([], { settings: { maxDeletionsPerRun: 1.5 } })).toThrow(
      'maxDeletionsPerRun is 1.5; expected a whole number 0 or greater',
    );
  });

  it('gives the same plan whatever order the inventory came in', () => {
    const images = [image('ami-c'), image('ami-a', {}, { AutoCleanup: 'maybe' }), image('ami-b')];
    const a = plan(images);
    const b = plan([...images].reverse(), { snapshots: snapshotsOf(images).reverse() });
    expect(b).toEqual(a);
  });

  it('an AMI listed twice is skipped, not decided on', () => {
    const p = plan([image('ami-a'), image('ami-a'), image('ami-b')]);
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-b']);
    expect(p.decisions.filter((d) => d.imageId === 'ami-a').map((d) => d.action)).toEqual(['skip', 'skip']);
  });
});
