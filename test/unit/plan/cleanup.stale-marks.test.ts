/**
 * Stale pending-deletion marks. Cleanup marks an AMI's snapshots AutoCleanupPendingDeletion=<ami>
 * before deregistering it, and a later run deletes a marked snapshot whose AMI is gone. A run cut short
 * (or a failed DeregisterImage) after marking leaves the AMI in place with marked snapshots. If that
 * mark stayed, a deregistration BY HAND months later (keeping the snapshots) would get them deleted by
 * the next run. So a mark the deletion it was written for can no longer honour is removed ('unmark'),
 * and one that is still needed stays.
 */
import { describe, expect, it } from '@jest/globals';
import type { Image } from '../../../shared/domain';
import type { LaunchPermissionsRead } from '../../../shared/launch-permissions';
import {
  DEFAULT_CLEANUP_SETTINGS,
  planCleanup,
  type CleanupInput,
  type CleanupPlan,
  type CleanupSettings,
  type EarlierRounds,
  type SnapshotRecord,
} from '../../../shared/plan/cleanup';
import { TAG } from '../../../shared/tags';
import type { UsageIndex } from '../../../shared/usage';
import { OTHER, hoursAgo, image, snapshot, usageOf } from '../../helpers/plan-fixtures';

const read = (images: Image[]) =>
  new Map<string, LaunchPermissionsRead>(images.map((i) => [i.id, { kind: 'read', permissions: [] }]));

function plan(
  images: Image[],
  snapshots: SnapshotRecord[],
  opts: {
    usage?: UsageIndex;
    settings?: Partial<CleanupSettings>;
    launchPermissions?: Map<string, LaunchPermissionsRead>;
    earlierRounds?: EarlierRounds;
  } = {},
): CleanupPlan {
  const input: CleanupInput = {
    images,
    usage: opts.usage ?? usageOf(),
    snapshots,
    settings: { ...DEFAULT_CLEANUP_SETTINGS, ...opts.settings },
    now: new Date('2026-11-23T10:00:00Z'),
    launchPermissions: opts.launchPermissions ?? read(images),
    ...(opts.earlierRounds && { earlierRounds: opts.earlierRounds }),
  };
  return planCleanup(input);
}

const marked = (id: string, mark: string, over: Partial<SnapshotRecord> = {}) =>
  snapshot(id, { tags: { [TAG.pendingDeletion]: mark }, ...over });

/** An AMI the tagger saw in use (an instance runs it): kept, with the snapshot an interrupted run marked. */
function inUse(id = 'ami-used') {
  const img = image(id, { snapshotIds: [`snap-${id.slice(4)}`] });
  const usage = usageOf({ instances: [{ id: 'i-0abc', imageId: id, state: 'running' }] });
  return { img, usage, snap: marked(`snap-${id.slice(4)}`, id) };
}

function snapshotDecision(p: CleanupPlan, snapshotId: string) {
  const ds = p.snapshotDecisions.filter((d) => d.snapshotId === snapshotId);
  expect(ds).toHaveLength(1);
  return ds[0]!;
}

describe('planCleanup: a mark whose AMI still exists and is kept is removed', () => {
  it('an AMI now in use: unmark, with the AMI kept, why, and why the mark goes', () => {
    const { img, usage, snap } = inUse();
    const p = plan([img], [snap], { usage });
    expect(p.deletions).toEqual([]);
    expect(p.pendingSnapshotDeletions).toEqual([]);
    const reason =
      'mark from an interrupted run; ami-used still exists and is kept (keep: in use by instance i-0abc (running)): ' +
      'mark removed so that a later deregistration by hand cannot get the snapshot deleted';
    expect(p.snapshotUnmarks).toEqual([
      { snapshotId: 'snap-used', mark: 'ami-used', imageId: 'ami-used', reason },
    ]);
    expect(snapshotDecision(p, 'snap-used')).toEqual({
      snapshotId: 'snap-used',
      imageId: 'ami-used',
      action: 'unmark',
      reason,
      rule: 'mark-image-kept',
    });
    expect(p.counts).toMatchObject({
      snapshotsToUnmark: 1,
      pendingSnapshotsToDelete: 0,
      snapshotsToDelete: 0,
    });
  });

  it.each<[string, Image]>([
    ['AutoCleanup removed', image('ami-k', {}, { AutoCleanup: undefined })],
    ['deregistration protection turned on', image('ami-k', { deregistrationProtected: true })],
    ['used recently', image('ami-k', {}, { LastUsed: hoursAgo(2) })],
    ['disabled', image('ami-k', { state: 'disabled' })],
    ['public', image('ami-k', { public: true })],
    ['an unreadable AutoCleanup (skipped)', image('ami-k', {}, { AutoCleanup: 'maybe' })],
  ])('an AMI kept because of %s', (_label, img) => {
    const alive = image('ami-zz-alive', { snapshotIds: [] }, { AutoCleanup: undefined });
    const p = plan([img, alive], [marked('snap-k', 'ami-k')]);
    expect(p.snapshotUnmarks.map((u) => u.snapshotId)).toEqual(['snap-k']);
    expect(snapshotDecision(p, 'snap-k').reason).toMatch(/^mark from an interrupted run; ami-k still exists/);
  });

  it('an AMI shared with another account (launch permissions read): unmark', () => {
    const img = image('ami-k');
    const p = plan([img], [marked('snap-k', 'ami-k')], {
      launchPermissions: new Map([['ami-k', { kind: 'read', permissions: [{ userId: '210987654321' }] }]]),
    });
    expect(p.snapshotUnmarks.map((u) => u.snapshotId)).toEqual(['snap-k']);
  });

  it('passes the mark exactly as read, so DeleteTags matches it; the AMI id is the trimmed value', () => {
    const { img, usage } = inUse();
    const p = plan([img], [marked('snap-used', ' ami-used ')], { usage });
    expect(p.snapshotUnmarks).toEqual([
      expect.objectContaining({ snapshotId: 'snap-used', mark: ' ami-used ', imageId: 'ami-used' }),
    ]);
  });

  it('a mark naming an AMI that does not use the snapshot (a copy carries the mark) is removed, even while that AMI is deleted', () => {
    const deleted = image('ami-del', { snapshotIds: ['snap-del'] });
    const p = plan([deleted], [snapshot('snap-del'), marked('snap-copy', 'ami-del')]);
    expect(p.deletions.map((d) => [d.image.id, d.snapshotIds])).toEqual([['ami-del', ['snap-del']]]);
    expect(p.snapshotUnmarks.map((u) => u.snapshotId)).toEqual(['snap-copy']);
    expect(snapshotDecision(p, 'snap-copy').reason).toMatch(
      /^marked for ami-del, which does not use this snapshot, so the mark is not one cleanup wrote/,
    );
  });
});

describe('planCleanup: a mark that is still needed stays', () => {
  it('the AMI is deleted in this run: its snapshot is deleted with it (and marked again first), not unmarked', () => {
    const p = plan([image('ami-old')], [marked('snap-old', 'ami-old')]);
    expect(p.deletions.map((d) => [d.image.id, d.snapshotIds])).toEqual([['ami-old', ['snap-old']]]);
    expect(p.snapshotUnmarks).toEqual([]);
    expect(snapshotDecision(p, 'snap-old').action).toBe('delete');
  });

  it('the AMI was tried earlier in this run and left in place: the next run decides', () => {
    const img = image('ami-held');
    const p = plan([img], [marked('snap-held', 'ami-held')], {
      earlierRounds: { attempted: 1, held: new Map([['ami-held', 'DeregisterImage failed: denied']]) },
    });
    expect(p.snapshotUnmarks).toEqual([]);
    expect(snapshotDecision(p, 'snap-held')).toMatchObject({
      action: 'keep',
      reason:
        'marked for ami-held, which this run tried to delete and left in place (DeregisterImage failed: denied): the mark stays and the next run decides',
    });
  });

  it('the AMI is deferred by the cap: its deletion is only put off, so the mark stays', () => {
    const p = plan(
      [image('ami-a', {}, { LastUsed: hoursAgo(30 * 24) }), image('ami-b')],
      [snapshot('snap-a'), marked('snap-b', 'ami-b')],
      { settings: { maxDeletionsPerRun: 1 } },
    );
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-a']);
    expect(p.snapshotUnmarks).toEqual([]);
    expect(snapshotDecision(p, 'snap-b')).toMatchObject({
      action: 'keep',
      reason:
        'marked for ami-b, whose deletion is put off (deferred by the cap of 1 deletions per run): the mark stays for the run that deletes it',
    });
  });

  it('the AMI waits for its launch permissions to be read (a later round may delete it)', () => {
    const img = image('ami-unread');
    const p = plan([img], [marked('snap-unread', 'ami-unread')], { launchPermissions: new Map() });
    expect(p.launchPermissionsToRead).toEqual(['ami-unread']);
    expect(p.snapshotUnmarks).toEqual([]);
    expect(snapshotDecision(p, 'snap-unread').reason).toContain(
      'its launch permissions are still to be read',
    );
  });

  it('EC2 still lists the AMI as deregistered: it is on its way out', () => {
    const p = plan(
      [image('ami-going', { state: 'deregistered' }), image('ami-zz-alive', { snapshotIds: [] })],
      [marked('snap-going', 'ami-going')],
    );
    expect(p.snapshotUnmarks).toEqual([]);
    expect(snapshotDecision(p, 'snap-going')).toMatchObject({ action: 'keep' });
  });

  it('the AMI is gone and nothing uses the snapshot: deleted, as before', () => {
    const p = plan([image('ami-zz-alive', { snapshotIds: [] })], [marked('snap-left', 'ami-gone')]);
    expect(p.pendingSnapshotDeletions.map((s) => s.snapshotId)).toEqual(['snap-left']);
    expect(p.snapshotUnmarks).toEqual([]);
  });
});

describe('planCleanup: a marked snapshot another AMI uses', () => {
  const other = image('ami-b', { snapshotIds: ['snap-s'] }, { AutoCleanup: undefined });

  it('AMI gone, another remaining AMI uses it: unmark (cleanup marks it again if it deletes that AMI)', () => {
    const p = plan([other], [marked('snap-s', 'ami-a')]);
    expect(p.pendingSnapshotDeletions).toEqual([]);
    expect(p.snapshotUnmarks).toEqual([expect.objectContaining({ snapshotId: 'snap-s', imageId: 'ami-a' })]);
    expect(snapshotDecision(p, 'snap-s').reason).toBe(
      'marked for ami-a, which is gone, but remaining AMI ami-b uses it: mark removed; ' +
        'the snapshot goes only with the last AMI that uses it, and cleanup marks it again when it deletes that AMI',
    );
  });

  it('AMI deleted in this run, another remaining AMI uses the snapshot: kept, and the old mark removed', () => {
    const p = plan([image('ami-a', { snapshotIds: ['snap-s'] }), other], [marked('snap-s', 'ami-a')]);
    expect(p.deletions).toEqual([expect.objectContaining({ snapshotIds: [] })]);
    expect(p.snapshotUnmarks.map((u) => u.snapshotId)).toEqual(['snap-s']);
    expect(p.snapshotDecisions.filter((d) => d.snapshotId === 'snap-s').map((d) => d.action)).toEqual([
      'keep',
      'unmark',
    ]);
  });

  it('AMI deferred, another remaining AMI uses the snapshot: unmark', () => {
    const p = plan([image('ami-a', { snapshotIds: ['snap-s'] }), other], [marked('snap-s', 'ami-a')], {
      settings: { maxDeletionsPerRun: 0 },
    });
    expect(p.snapshotUnmarks.map((u) => u.snapshotId)).toEqual(['snap-s']);
  });

  it('the only other AMI is listed as deregistered: no reason to unmark, and the snapshot is kept', () => {
    const going = image('ami-b', { state: 'deregistered', snapshotIds: ['snap-s'] });
    const p = plan([going, image('ami-zz-alive', { snapshotIds: [] })], [marked('snap-s', 'ami-a')]);
    expect(p.snapshotUnmarks).toEqual([]);
    expect(p.pendingSnapshotDeletions).toEqual([]);
    expect(snapshotDecision(p, 'snap-s').action).toBe('keep');
  });
});

describe('planCleanup: marks it never touches', () => {
  it('a snapshot owned by another account, or a mark naming no AMI: kept or skipped as before, never unmarked', () => {
    const { img, usage } = inUse();
    const p = plan(
      [img],
      [
        marked('snap-foreign', 'ami-used', { ownedBySelf: false, ownerId: OTHER }),
        marked('snap-bad', 'soon'),
      ],
      { usage },
    );
    expect(p.snapshotUnmarks).toEqual([]);
    expect(snapshotDecision(p, 'snap-foreign').action).toBe('keep');
    expect(snapshotDecision(p, 'snap-bad')).toMatchObject({
      action: 'skip',
      problem: { tag: TAG.pendingDeletion },
    });
  });
});

describe('planCleanup: a refused run', () => {
  const stale = { LastUsedRuntime: hoursAgo(5) };

  it('removes stale marks (that deletes nothing), deletes nothing, and keeps the mark of an AMI it would have deleted', () => {
    // Refused for an unresolvable reference; ami-used is in use, ami-old would otherwise be deleted.
    const { img, snap } = inUse();
    const wouldGo = image('ami-old', { snapshotIds: ['snap-old'] }, { LastUsedRuntime: hoursAgo(0.1) });
    const p = plan(
      [{ ...img, tags: { ...img.tags, ...stale } }, wouldGo],
      [snap, marked('snap-old', 'ami-old'), marked('snap-left', 'ami-gone')],
      {
        usage: usageOf({
          instances: [{ id: 'i-0abc', imageId: 'ami-used', state: 'running' }],
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
        }),
      },
    );
    expect(p.refused).toBeDefined();
    expect(p.deletions).toEqual([]);
    expect(p.pendingSnapshotDeletions).toEqual([]);
    expect(p.snapshotUnmarks.map((u) => u.snapshotId)).toEqual(['snap-used']);
    expect(snapshotDecision(p, 'snap-old')).toMatchObject({
      action: 'keep',
      reason: expect.stringContaining('whose deletion is put off (this run refuses to delete)'),
    });
    expect(snapshotDecision(p, 'snap-left').action).toBe('keep');
  });
});
