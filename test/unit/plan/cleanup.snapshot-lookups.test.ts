/**
 * The plan reads which snapshots this account owns only for the AMIs it is about to delete
 * (CleanupPlan.snapshotsToRead, CleanupInput.snapshotLookups). An AMI must never be deleted while one
 * of its snapshots is unaccounted for: a snapshot of a deleted AMI that is neither deleted nor marked
 * is one no later run can find.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { Image } from '../../../shared/domain';
import type { LaunchPermissionsRead } from '../../../shared/launch-permissions';
import {
  DEFAULT_CLEANUP_SETTINGS,
  planCleanup,
  unknownSnapshotIds,
  type CleanupInput,
  type CleanupPlan,
  type SnapshotLookup,
  type SnapshotRecord,
} from '../../../shared/plan/cleanup';
import { TAG } from '../../../shared/tags';
import { NOW, OTHER, hoursAgo, image, snapshot, usageOf } from '../../helpers/plan-fixtures';

const PRIVATE: LaunchPermissionsRead = { kind: 'read', permissions: [] };
const READ: SnapshotLookup = { kind: 'read' };

function privateAll(images: Image[]): Map<string, LaunchPermissionsRead> {
  return new Map(images.map((i) => [i.id, PRIVATE]));
}

function plan(images: Image[], over: Partial<CleanupInput> & { cap?: number } = {}): CleanupPlan {
  const { cap, ...rest } = over;
  return planCleanup({
    images,
    usage: usageOf(),
    snapshots: [],
    settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun: cap ?? 100 },
    now: NOW,
    launchPermissions: privateAll(images),
    snapshotLookups: new Map(),
    ...rest,
  });
}

const actionOf = (p: CleanupPlan, id: string) => p.decisions.find((d) => d.imageId === id)?.action;
const reasonOf = (p: CleanupPlan, id: string) => p.decisions.find((d) => d.imageId === id)?.reason;

describe('planCleanup with snapshot look-ups', () => {
  it('keeps an AMI whose snapshots were not looked up yet, and asks for them', () => {
    const p = plan([image('ami-a', { snapshotIds: ['snap-1', 'snap-2'] })]);
    expect(p.deletions).toEqual([]);
    expect(actionOf(p, 'ami-a')).toBe('keep');
    expect(reasonOf(p, 'ami-a')).toContain('its snapshots were not looked up yet');
    expect(p.snapshotsToRead).toEqual(['ami-a']);
  });

  it('keeps it while only one of its snapshots is known', () => {
    const p = plan([image('ami-a', { snapshotIds: ['snap-1', 'snap-2'] })], {
      snapshots: [snapshot('snap-1')],
      snapshotLookups: new Map([['snap-1', READ]]),
    });
    expect(p.deletions).toEqual([]);
    expect(p.snapshotsToRead).toEqual(['ami-a']);
  });

  it('deletes it once every snapshot is accounted for; one not found is another account’s and stays', () => {
    const p = plan([image('ami-a', { snapshotIds: ['snap-own', 'snap-not-ours'] })], {
      snapshots: [snapshot('snap-own')],
      snapshotLookups: new Map([
        ['snap-own', READ],
        ['snap-not-ours', READ],
      ]),
    });
    expect(p.deletions).toEqual([expect.objectContaining({ snapshotIds: ['snap-own'] })]);
    expect(p.snapshotsToRead).toEqual([]);
    expect(p.snapshotDecisions.find((d) => d.snapshotId === 'snap-not-ours')).toMatchObject({
      action: 'keep',
      reason: expect.stringContaining('not among the snapshots this account owns'),
    });
  });

  it('never deletes a snapshot another account owns', () => {
    const p = plan([image('ami-a', { snapshotIds: ['snap-f'] })], {
      snapshots: [snapshot('snap-f', { ownedBySelf: false, ownerId: OTHER })],
      snapshotLookups: new Map([['snap-f', READ]]),
    });
    expect(p.deletions).toEqual([expect.objectContaining({ snapshotIds: [] })]);
  });

  it('a snapshot already read with its pending mark needs no look-up', () => {
    const p = plan([image('ami-a', { snapshotIds: ['snap-1'] })], {
      snapshots: [snapshot('snap-1', { tags: { [TAG.pendingDeletion]: 'ami-a' } })],
    });
    expect(p.snapshotsToRead).toEqual([]);
    expect(p.deletions).toEqual([expect.objectContaining({ snapshotIds: ['snap-1'] })]);
  });

  it('a failed look-up keeps the AMI for the run, without asking again and without taking a place under the cap', () => {
    const images = [
      image('ami-a', { snapshotIds: ['snap-a'] }, { LastUsed: hoursAgo(40 * 24) }),
      image('ami-b', { snapshotIds: ['snap-b'] }, { LastUsed: hoursAgo(30 * 24) }),
    ];
    const p = plan(images, {
      cap: 1,
      snapshots: [snapshot('snap-b')],
      snapshotLookups: new Map<string, SnapshotLookup>([
        ['snap-a', { kind: 'failed', message: 'UnauthorizedOperation' }],
        ['snap-b', READ],
      ]),
    });
    expect(actionOf(p, 'ami-a')).toBe('keep');
    expect(reasonOf(p, 'ami-a')).toContain('snap-a could not be looked up (UnauthorizedOperation)');
    expect(p.snapshotsToRead).toEqual([]);
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-b']);
    expect(p.counts.keptShared).toBe(0);
  });

  it('a pending mark naming an AMI whose look-up failed stays for the next run', () => {
    const images = [image('ami-a', { snapshotIds: ['snap-a', 'snap-marked'] })];
    const p = plan(images, {
      snapshots: [snapshot('snap-marked', { tags: { [TAG.pendingDeletion]: 'ami-a' } })],
      snapshotLookups: new Map([['snap-a', { kind: 'failed', message: 'InternalError' }]]),
    });
    expect(p.snapshotLookupFailures).toEqual([
      { imageId: 'ami-a', snapshotId: 'snap-a', message: 'InternalError' },
    ]);
    expect(p.snapshotUnmarks).toEqual([]);
  });

  it('an AMI waiting for its snapshots holds its place under the cap', () => {
    const images = [
      image('ami-a', { snapshotIds: ['snap-a'] }, { LastUsed: hoursAgo(40 * 24) }),
      image('ami-b', { snapshotIds: ['snap-b'] }, { LastUsed: hoursAgo(30 * 24) }),
    ];
    const p = plan(images, { cap: 1, snapshots: [snapshot('snap-b')] });
    expect(p.deletions).toEqual([]);
    expect(actionOf(p, 'ami-b')).toBe('defer');
    expect(p.snapshotsToRead).toEqual(['ami-a']);
  });

  it('asks for snapshots side by side with launch permissions, but not for an AMI kept as shared', () => {
    const images = [
      image('ami-a', { snapshotIds: ['snap-a'] }),
      image('ami-pub', { snapshotIds: ['snap-p'], public: true }),
    ];
    const p = plan(images, { launchPermissions: new Map() });
    expect(p.launchPermissionsToRead).toEqual(['ami-a']);
    expect(p.snapshotsToRead).toEqual(['ami-a']);
  });

  it('with deleteSharedImages on, asks only for snapshots', () => {
    const images = [image('ami-a', { snapshotIds: ['snap-a'] })];
    const p = plan(images, {
      launchPermissions: new Map(),
      settings: { ...DEFAULT_CLEANUP_SETTINGS, deleteSharedImages: true },
    });
    expect(p.launchPermissionsToRead).toEqual([]);
    expect(p.snapshotsToRead).toEqual(['ami-a']);
  });

  it('a refused run asks for nothing', () => {
    const p = plan([image('ami-a', {}, { LastUsedRuntime: hoursAgo(5) })]);
    expect(p.refused).toBeDefined();
    expect(p.snapshotsToRead).toEqual([]);
  });

  it('a pending mark naming an AMI that waits for its snapshots stays', () => {
    const images = [image('ami-a', { snapshotIds: ['snap-a', 'snap-marked'] })];
    const p = plan(images, {
      snapshots: [snapshot('snap-marked', { tags: { [TAG.pendingDeletion]: 'ami-a' } })],
    });
    expect(p.snapshotsToRead).toEqual(['ami-a']);
    expect(p.snapshotUnmarks).toEqual([]);
    expect(p.snapshotDecisions.find((d) => d.snapshotId === 'snap-marked')?.reason).toContain(
      'its snapshots are still to be looked up',
    );
  });

  it('a snapshot a remaining AMI uses is kept even when found', () => {
    const images = [
      image('ami-a', { snapshotIds: ['snap-s'] }),
      image('ami-keep', { snapshotIds: ['snap-s'] }, { AutoCleanup: undefined }),
    ];
    const p = plan(images, { snapshots: [snapshot('snap-s')], snapshotLookups: new Map([['snap-s', READ]]) });
    expect(p.deletions).toEqual([expect.objectContaining({ snapshotIds: [] })]);
  });

  it('without look-ups (every snapshot read up front) nothing is asked for', () => {
    const p = plan([image('ami-a', { snapshotIds: ['snap-a'] })], {
      snapshots: [snapshot('snap-a')],
      snapshotLookups: undefined,
    });
    expect(p.snapshotsToRead).toEqual([]);
    expect(p.deletions).toHaveLength(1);
  });

  it('unknownSnapshotIds lists each id once, leaving out the recorded and the looked up', () => {
    const images = [
      image('ami-a', { snapshotIds: ['snap-1', 'snap-2', 'snap-3'] }),
      image('ami-b', { snapshotIds: ['snap-3', 'snap-4'] }),
    ];
    expect(unknownSnapshotIds(images, [snapshot('snap-1')], new Map([['snap-2', READ]]))).toEqual([
      'snap-3',
      'snap-4',
    ]);
  });
});

/** A small world: AMIs (some opted in, some old), snapshots shared among them, some not ours. */
const SNAPS = ['snap-0', 'snap-1', 'snap-2', 'snap-3', 'snap-4', 'snap-5'];
const world = fc.record({
  images: fc.uniqueArray(
    fc.record({
      n: fc.integer({ min: 0, max: 9 }),
      optedIn: fc.boolean(),
      ageDays: fc.integer({ min: 1, max: 60 }),
      snapshotIds: fc.subarray(SNAPS, { maxLength: 3 }),
    }),
    { selector: (i) => i.n, maxLength: 8 },
  ),
  owned: fc.subarray(SNAPS),
  marked: fc.dictionary(fc.constantFrom(...SNAPS), fc.constantFrom('ami-0', 'ami-1', 'ami-2', 'ami-9')),
  failing: fc.subarray(SNAPS, { maxLength: 2 }),
  cap: fc.integer({ min: 0, max: 5 }),
});

describe('planCleanup with snapshot look-ups: properties', () => {
  it('looking up what the plan asks until it asks for nothing deletes what a full read would, and no AMI goes with a snapshot unaccounted for', () => {
    fc.assert(
      fc.property(world, (w) => {
        const images = w.images.map((s) =>
          image(
            `ami-${s.n}`,
            { snapshotIds: s.snapshotIds },
            { AutoCleanup: s.optedIn ? 'true' : undefined, LastUsed: hoursAgo(s.ageDays * 24) },
          ),
        );
        const owned = new Set(w.owned);
        const record = (id: string): SnapshotRecord =>
          snapshot(id, w.marked[id] !== undefined ? { tags: { [TAG.pendingDeletion]: w.marked[id] } } : {});
        // What DescribeSnapshots(owner self) would answer: the marked ones up front, the rest by id.
        const everyOwned = [...owned].map(record);
        const markedOwned = everyOwned.filter((s) => s.tags[TAG.pendingDeletion] !== undefined);
        const base = {
          images,
          usage: usageOf(),
          settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun: w.cap },
          now: NOW,
          launchPermissions: privateAll(images),
        };
        const full = planCleanup({ ...base, snapshots: everyOwned });

        // No look-up fails: after the reads, the plan is the full read's.
        let snapshots = markedOwned;
        const lookups = new Map<string, SnapshotLookup>();
        let p = planCleanup({ ...base, snapshots, snapshotLookups: lookups });
        for (let round = 0; p.snapshotsToRead.length > 0; round++) {
          if (round > 10) throw new Error('the plan keeps asking');
          // Whatever is deleted meanwhile has each snapshot accounted for.
          for (const d of p.deletions)
            for (const s of d.image.snapshotIds)
              expect(snapshots.some((r) => r.id === s) || lookups.has(s)).toBe(true);
          const asked = p.snapshotsToRead.flatMap((id) => images.find((i) => i.id === id)!.snapshotIds);
          const ids = unknownSnapshotIds(
            images.filter((i) => p.snapshotsToRead.includes(i.id)),
            snapshots,
            lookups,
          );
          expect(new Set(ids)).toEqual(new Set(asked.filter((s) => !snapshots.some((r) => r.id === s))));
          for (const id of ids) lookups.set(id, READ);
          snapshots = [...snapshots, ...ids.filter((id) => owned.has(id)).map(record)];
          p = planCleanup({ ...base, snapshots, snapshotLookups: lookups });
        }
        expect(p.deletions).toEqual(full.deletions);
        expect(p.pendingSnapshotDeletions).toEqual(full.pendingSnapshotDeletions);

        // With some look-ups failing: every AMI deleted has each snapshot recorded or found not ours.
        const failing = new Set(w.failing);
        const partial = new Map<string, SnapshotLookup>();
        let have = markedOwned;
        let q = planCleanup({ ...base, snapshots: have, snapshotLookups: partial });
        for (let round = 0; q.snapshotsToRead.length > 0; round++) {
          if (round > 10) throw new Error('the plan keeps asking');
          const ids = unknownSnapshotIds(
            images.filter((i) => q.snapshotsToRead.includes(i.id)),
            have,
            partial,
          );
          for (const id of ids) partial.set(id, failing.has(id) ? { kind: 'failed', message: 'boom' } : READ);
          have = [...have, ...ids.filter((id) => owned.has(id) && !failing.has(id)).map(record)];
          q = planCleanup({ ...base, snapshots: have, snapshotLookups: partial });
        }
        for (const d of q.deletions) {
          for (const s of d.image.snapshotIds) {
            expect(failing.has(s) && !have.some((r) => r.id === s)).toBe(false);
            expect(have.some((r) => r.id === s) || partial.get(s)?.kind === 'read').toBe(true);
          }
        }
        // A snapshot of a deleted AMI that this account owns and no remaining AMI uses goes with it.
        const remaining = new Set(
          images.filter((i) => !q.deletions.some((d) => d.image.id === i.id)).flatMap((i) => i.snapshotIds),
        );
        const deleting = new Set(q.deletions.flatMap((d) => d.snapshotIds));
        for (const d of q.deletions) {
          for (const s of d.image.snapshotIds) {
            if (owned.has(s) && !remaining.has(s)) expect(deleting.has(s)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
