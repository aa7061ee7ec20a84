/**
 * A real cleanup run deletes in rounds (shared/jobs/cleanup/rounds.ts cleanInRounds): it reads launch
 * permissions a few AMIs ahead of its deletions and plans again after each round. These tests pin
 * down what must hold across rounds: the cap, the safety rules for snapshots shared between AMIs of
 * different rounds, AMIs a round tried and left, and the reads staying close to the deletions.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { Image } from '../../../shared/domain';
import { deadlineBudget } from '../../../shared/budget';
import { cleanInRounds, LAUNCH_PERMISSIONS_READ_AHEAD } from '../../../shared/jobs/cleanup';
import { DEFAULT_CLEANUP_SETTINGS, mergeCleanupRounds, planCleanup } from '../../../shared/plan/cleanup';
import { TAG } from '../../../shared/tags';
import { NOW, hoursAgo, image, snapshot, usageOf } from '../../helpers/plan-fixtures';
import { awsError, fakeClients, type Call } from '../../helpers/scripted-ec2';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock';

/** AMIs every rule allows deleting, oldest first (ami-00 is the oldest), each with its own snapshot. */
function eligible(n: number, snapshotsOf: (i: number) => string[] = (i) => [`snap-${i}`]): Image[] {
  return Array.from({ length: n }, (_, i) =>
    image(
      `ami-${String(i).padStart(2, '0')}`,
      { snapshotIds: snapshotsOf(i) },
      { LastUsed: hoursAgo((100 - i) * 24) },
    ),
  );
}

/** An in-memory account behind a scripted EC2 client, answering the calls a cleanup run makes. */
function account(
  images: Image[],
  options: {
    shared?: Set<string>;
    failDeregister?: Set<string>;
    marks?: Map<string, string>;
    failDeleteTags?: boolean;
    /** Called before each call is answered (e.g. to move a virtual clock by what the call costs). */
    onCall?: (c: Call) => void;
  } = {},
) {
  const registered = new Map(images.map((i) => [i.id, i]));
  const snapshotsLeft = new Set(images.flatMap((i) => i.snapshotIds));
  // Marks earlier runs left, by snapshot id.
  const marks = new Map<string, string>(options.marks);
  const marksAtDeletion = new Map<string, string>();
  for (const s of marks.keys()) snapshotsLeft.add(s);
  const violations: string[] = [];
  const { clients, calls } = fakeClients((c: Call) => {
    options.onCall?.(c);
    switch (c.action) {
      case 'DescribeImageAttribute': {
        const id = c.input.ImageId as string;
        return { LaunchPermissions: options.shared?.has(id) ? [{ UserId: '210987654321' }] : [] };
      }
      case 'CreateTags': {
        const tag = (c.input.Tags as { Key: string; Value: string }[])[0]!;
        if (tag.Key === TAG.pendingDeletion) {
          for (const s of c.input.Resources as string[]) marks.set(s, tag.Value);
        }
        return {};
      }
      case 'DeleteTags': {
        // As EC2: with a value given, the tag goes only where it still has that value.
        if (options.failDeleteTags) return awsError('RequestLimitExceeded');
        const tag = (c.input.Tags as { Key: string; Value: string }[])[0]!;
        for (const s of c.input.Resources as string[]) {
          if (tag.Key === TAG.pendingDeletion && marks.get(s) === tag.Value) marks.delete(s);
        }
        return {};
      }
      case 'DeregisterImage': {
        const id = c.input.ImageId as string;
        if (!registered.has(id)) violations.push(`${id} deregistered twice`);
        if (options.failDeregister?.has(id)) return awsError('UnauthorizedOperation');
        registered.delete(id);
        return {};
      }
      case 'DeleteSnapshot': {
        const s = c.input.SnapshotId as string;
        const users = [...registered.values()].filter((i) => i.snapshotIds.includes(s)).map((i) => i.id);
        if (users.length > 0) violations.push(`${s} deleted while ${users.join(', ')} still registered`);
        // The role may delete only snapshots carrying the mark (functions/cleanup/resources.yml).
        if (!marks.has(s))
          violations.push(`${s} deleted without a ${TAG.pendingDeletion} mark: IAM denies it`);
        marksAtDeletion.set(s, marks.get(s) ?? '');
        snapshotsLeft.delete(s);
        return {};
      }
      default:
        throw new Error(`unexpected call ${c.action}`);
    }
  });
  const usedAtStart = new Set(images.flatMap((i) => i.snapshotIds));
  /** Snapshots of AMIs that no remaining AMI uses and that are neither deleted nor marked: lost track of. */
  const lost = () =>
    [...snapshotsLeft].filter(
      (s) =>
        usedAtStart.has(s) &&
        ![...registered.values()].some((i) => i.snapshotIds.includes(s)) &&
        !marks.has(s),
    );
  return { clients, calls, registered, snapshotsLeft, marks, marksAtDeletion, violations, lost };
}

const count = (calls: Call[], action: string) => calls.filter((c) => c.action === action).length;

/** The inventory a run starts from; `marks` are the pending-deletion marks earlier runs left. */
function input(images: Image[], maxDeletionsPerRun: number, marks: ReadonlyMap<string, string> = new Map()) {
  const ids = new Set([...images.flatMap((i) => i.snapshotIds), ...marks.keys()]);
  return {
    images,
    usage: usageOf(),
    snapshots: [...ids].map((s) => {
      const mark = marks.get(s);
      return snapshot(s, mark === undefined ? {} : { tags: { [TAG.pendingDeletion]: mark } });
    }),
    settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun },
    now: NOW,
  };
}

describe('cleanInRounds', () => {
  it('reads launch permissions a round or two ahead of the deletions, not all up to the cap first', async () => {
    const images = eligible(40);
    const a = account(images);
    // The budget runs out after the 15th deregistration.
    const hasTime = () => count(a.calls, 'DeregisterImage') < 15;
    const run = await cleanInRounds(a.clients, input(images, 40), {
      hasTime,
      checkImageReferences: false,
      readAhead: 5,
    });
    expect(run.applied.deregistered).toHaveLength(15);
    expect(run.incomplete).toBe(true);
    // At most two rounds ahead of the AMIs it deleted: the round being deleted and the next one.
    expect(count(a.calls, 'DescribeImageAttribute')).toBeLessThanOrEqual(15 + 2 * 5);
    expect(run.launchPermissions.size).toBe(count(a.calls, 'DescribeImageAttribute'));
    expect(a.violations).toEqual([]);
    expect(a.lost()).toEqual([]);
  });

  it('deletes the oldest first and stops at the cap, counted over all rounds', async () => {
    const images = eligible(12);
    const a = account(images);
    const run = await cleanInRounds(a.clients, input(images, 7), {
      hasTime: () => true,
      checkImageReferences: false,
      readAhead: 3,
    });
    expect(run.applied.deregistered).toEqual(images.slice(0, 7).map((i) => i.id));
    expect(run.incomplete).toBe(false);
    expect(count(a.calls, 'DescribeImageAttribute')).toBe(7);
    // One report for the run: the seven deleted, the rest deferred by the cap.
    expect(run.plan.counts).toMatchObject({ images: 12, delete: 7, defer: 5 });
    expect(run.plan.decisions.map((d) => d.imageId)).toEqual(images.map((i) => i.id));
    expect(run.plan.deletions.map((d) => d.image.id)).toEqual(images.slice(0, 7).map((i) => i.id));
    expect(run.rounds).toBeGreaterThan(2);
  });

  it('keeps a shared AMI and lets the next one take its place', async () => {
    const images = eligible(6);
    const a = account(images, { shared: new Set(['ami-01']) });
    const run = await cleanInRounds(a.clients, input(images, 3), {
      hasTime: () => true,
      checkImageReferences: false,
      readAhead: 2,
    });
    expect(run.applied.deregistered).toEqual(['ami-00', 'ami-02', 'ami-03']);
    expect(a.registered.has('ami-01')).toBe(true);
    expect(run.plan.decisions.find((d) => d.imageId === 'ami-01')).toMatchObject({
      action: 'keep',
      reason: expect.stringMatching(/^shared with 1 other account: /),
    });
  });

  it('deletes a snapshot shared by AMIs of different rounds only once both are gone, and loses none', async () => {
    // ami-00 and ami-03 share snap-x; with one AMI a round, ami-00 goes rounds before ami-03.
    const images = eligible(4, (i) => (i === 0 || i === 3 ? [`snap-${i}`, 'snap-x'] : [`snap-${i}`]));
    const a = account(images);
    const run = await cleanInRounds(a.clients, input(images, 4), {
      hasTime: () => true,
      checkImageReferences: false,
      readAhead: 1,
    });
    expect(run.applied.deregistered).toHaveLength(4);
    expect(a.violations).toEqual([]);
    expect(a.snapshotsLeft).toEqual(new Set());
    // While ami-03 remained, snap-x was its: kept in ami-00's round, deleted in ami-03's.
    const x = run.plan.snapshotDecisions.filter((d) => d.snapshotId === 'snap-x');
    expect(x).toEqual([expect.objectContaining({ imageId: 'ami-03', action: 'delete' })]);
  });

  it('does not try an AMI again in the same run after its deregistration failed, and keeps the snapshot it shares', async () => {
    const images = eligible(4, (i) => (i === 1 || i === 3 ? [`snap-${i}`, 'snap-x'] : [`snap-${i}`]));
    const a = account(images, { failDeregister: new Set(['ami-01']) });
    const run = await cleanInRounds(a.clients, input(images, 4), {
      hasTime: () => true,
      checkImageReferences: false,
      readAhead: 1,
    });
    expect(
      a.calls.filter((c) => c.action === 'DeregisterImage' && c.input.ImageId === 'ami-01'),
    ).toHaveLength(1);
    expect(run.applied.deregistered).toEqual(['ami-00', 'ami-02', 'ami-03']);
    expect(run.applied.failures).toEqual([
      expect.objectContaining({ resourceId: 'ami-01', action: 'DeregisterImage' }),
    ]);
    expect(a.snapshotsLeft.has('snap-x')).toBe(true);
    expect(a.snapshotsLeft.has('snap-1')).toBe(true);
    expect(a.violations).toEqual([]);
    // The report keeps what the plan chose; the failure says what happened.
    expect(run.plan.decisions.find((d) => d.imageId === 'ami-01')!.action).toBe('delete');
    expect(run.plan.counts).toMatchObject({ delete: 4 });
  });

  it('deletes nothing and reads nothing when the plan refuses the run', async () => {
    const images = eligible(3).map((i) => ({ ...i, tags: { ...i.tags, LastUsedRuntime: hoursAgo(48) } }));
    const a = account(images);
    const run = await cleanInRounds(a.clients, input(images, 3), {
      hasTime: () => true,
      checkImageReferences: false,
    });
    expect(run.plan.refused).toBeDefined();
    expect(a.calls).toEqual([]);
  });

  it('removes an old mark in an early round, and a later round that deletes the AMI using the snapshot marks it again first', async () => {
    // snap-x was marked by an earlier run for ami-gone; ami-02 still uses it, and its launch
    // permissions are read only after the first round (one AMI a round).
    const images = eligible(3, (i) => (i === 2 ? ['snap-2', 'snap-x'] : [`snap-${i}`]));
    const marks = new Map([['snap-x', 'ami-gone']]);
    const a = account(images, { marks });
    const run = await cleanInRounds(a.clients, input(images, 3, marks), {
      hasTime: () => true,
      checkImageReferences: false,
      readAhead: 1,
    });
    const writes = a.calls
      .filter((c) => ['DeleteTags', 'CreateTags', 'DeleteSnapshot'].includes(c.action))
      .filter((c) => JSON.stringify(c.input).includes('snap-x'))
      .map((c) => `${c.action} ${JSON.stringify(c.input.Tags ?? c.input.SnapshotId)}`);
    expect(writes).toEqual([
      'DeleteTags [{"Key":"AutoCleanupPendingDeletion","Value":"ami-gone"}]',
      'CreateTags [{"Key":"AutoCleanupPendingDeletion","Value":"ami-02"}]',
      'DeleteSnapshot "snap-x"',
    ]);
    expect(run.applied.deregistered).toEqual(['ami-00', 'ami-01', 'ami-02']);
    expect(run.applied.snapshotsUnmarked).toEqual(['snap-x']);
    expect(a.snapshotsLeft).toEqual(new Set());
    expect(a.violations).toEqual([]);
  });

  it('tries to remove a stale mark once a run, even when DeleteTags fails, and goes on deleting', async () => {
    const kept = image('ami-kept', { snapshotIds: ['snap-k'] }, { AutoCleanup: 'false' });
    const images = [...eligible(3), kept];
    const marks = new Map([['snap-k', 'ami-kept']]);
    const a = account(images, { marks, failDeleteTags: true });
    const run = await cleanInRounds(a.clients, input(images, 3, marks), {
      hasTime: () => true,
      checkImageReferences: false,
      readAhead: 1,
    });
    expect(count(a.calls, 'DeleteTags')).toBe(1);
    expect(run.rounds).toBeGreaterThan(2);
    expect(run.applied.failures).toEqual([
      expect.objectContaining({ resourceId: 'snap-k', action: 'DeleteTags' }),
    ]);
    expect(run.applied.deregistered).toEqual(['ami-00', 'ami-01', 'ami-02']);
    expect(a.marks.get('snap-k')).toBe('ami-kept');
    expect(run.incomplete).toBe(false);
  });

  it('a refused run reads and deletes nothing, but removes the mark of an AMI it keeps', async () => {
    const images = [
      ...eligible(2),
      image('ami-kept', { snapshotIds: ['snap-k'] }, { AutoCleanup: 'false' }),
    ].map((i) => ({ ...i, tags: { ...i.tags, LastUsedRuntime: hoursAgo(48) } }));
    const marks = new Map([
      ['snap-k', 'ami-kept'],
      ['snap-0', 'ami-00'],
      ['snap-left', 'ami-gone'],
    ]);
    const a = account(images, { marks });
    const run = await cleanInRounds(a.clients, input(images, 3, marks), {
      hasTime: () => true,
      checkImageReferences: false,
    });
    expect(run.plan.refused).toBeDefined();
    expect(a.calls.map((c) => [c.action, c.input.Resources])).toEqual([
      ['DeleteTags', ['snap-0']],
      ['DeleteTags', ['snap-k']],
    ]);
    // ami-00 is kept by the refusal's stale tagger, not for good: its mark goes too (a healthy run
    // that deletes it marks it again); the snapshot of a gone AMI keeps its mark and is not deleted.
    expect(a.marks).toEqual(new Map([['snap-left', 'ami-gone']]));
    expect(run.rounds).toBe(1);
  });

  it('the default read-ahead is 100', () => {
    expect(LAUNCH_PERMISSIONS_READ_AHEAD).toBe(100);
  });
});

describe('cleanInRounds property: across rounds, no snapshot is deleted under a registered AMI or lost track of', () => {
  it('holds for random accounts with shared snapshots, shared and failing AMIs, caps, read-aheads and budgets', async () => {
    const pool = ['snap-a', 'snap-b', 'snap-c', 'snap-d'];
    const arb = fc.record({
      images: fc.array(
        fc.record({
          extra: fc.subarray(pool, { maxLength: 2 }),
          optedIn: fc.boolean(),
          shared: fc.boolean(),
          fails: fc.boolean(),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      cap: fc.integer({ min: 0, max: 12 }),
      readAhead: fc.integer({ min: 1, max: 4 }),
      // Marks earlier runs (or copies of marked snapshots) left, naming AMIs here or gone.
      marks: fc.array(
        fc.tuple(
          fc.constantFrom(...pool, 'snap-0', 'snap-1', 'snap-2', 'snap-e'),
          fc.constantFrom('ami-00', 'ami-01', 'ami-02', ' ami-01 ', 'ami-gone'),
        ),
        { maxLength: 4 },
      ),
      budgetSteps: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    });
    let runsThatUnmarked = 0;
    await fc.assert(
      fc.asyncProperty(arb, async ({ images: specs, cap, readAhead, budgetSteps, marks: markList }) => {
        const images = eligible(specs.length, (i) => [`snap-${i}`, ...specs[i]!.extra]).map((img, i) =>
          specs[i]!.optedIn ? img : { ...img, tags: { ...img.tags, AutoCleanup: 'false' } },
        );
        const shared = new Set(images.filter((_, i) => specs[i]!.shared).map((i) => i.id));
        const failDeregister = new Set(images.filter((_, i) => specs[i]!.fails).map((i) => i.id));
        const marks = new Map(markList);
        const a = account(images, { shared, failDeregister, marks });
        let steps = 0;
        const run = await cleanInRounds(a.clients, input(images, cap, marks), {
          hasTime: () => budgetSteps === undefined || ++steps <= budgetSteps,
          checkImageReferences: false,
          readAhead,
        });
        expect(a.violations).toEqual([]);
        expect(a.lost()).toEqual([]);
        const tried = a.calls
          .filter((c) => c.action === 'DeregisterImage')
          .map((c) => c.input.ImageId as string);
        expect(tried.length).toBeLessThanOrEqual(cap);
        for (const id of tried) {
          expect(shared.has(id)).toBe(false);
          expect(images.find((i) => i.id === id)!.tags.AutoCleanup).toBe('true');
        }
        // Reads stay within a round of the AMIs the run planned to delete (plus the shared ones,
        // which free their place): the last round's reads may go unused when time runs out.
        const sharedRead = [...run.launchPermissions.keys()].filter((id) => shared.has(id)).length;
        expect(count(a.calls, 'DescribeImageAttribute')).toBeLessThanOrEqual(
          run.plan.deletions.length + sharedRead + readAhead,
        );
        // One decision per AMI in the merged report.
        expect(run.plan.decisions.map((d) => d.imageId)).toEqual(images.map((i) => i.id));
        if (run.applied.snapshotsUnmarked.length > 0) runsThatUnmarked++;
        // A mark is removed at most once a run, however many rounds plan again.
        const unmarked = a.calls
          .filter((c) => c.action === 'DeleteTags')
          .flatMap((c) => c.input.Resources as string[]);
        expect(new Set(unmarked).size).toBe(unmarked.length);
        // No snapshot is deleted on the strength of a mark naming an AMI that is still registered.
        for (const s of run.applied.snapshotsDeleted) {
          const mark = a.marksAtDeletion.get(s);
          expect(mark !== undefined && a.registered.has(mark.trim())).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
    // Stale marks must be met often enough for the property to say something about them.
    expect(runsThatUnmarked).toBeGreaterThan(30);
  });
});

describe('cleanInRounds reads ahead only what the rest of its budget can delete (issue 17)', () => {
  /**
   * Each call moves the run's virtual clock by what it costs; the budget reads that clock. The first
   * `burst` deregistrations cost 1 ms, as EC2's burst tokens make them, the rest their full cost.
   */
  function timedRun(
    n: number,
    costs: { deregisterMs: number; snapshotMs: number; burst?: number },
    budgetMs: number,
    failDeregister: Set<string> = new Set(),
  ) {
    const clock = new VirtualClock();
    const images = eligible(n);
    let deregistrations = 0;
    const a = account(images, {
      failDeregister,
      onCall: (c) =>
        clock.advance(
          c.action === 'DeregisterImage'
            ? ++deregistrations <= (costs.burst ?? 0)
              ? 1
              : costs.deregisterMs
            : c.action === 'DeleteSnapshot'
              ? costs.snapshotMs
              : 1,
        ),
    });
    const budget = deadlineBudget(budgetMs, clock.now);
    return { a, images, budget };
  }

  it('reads nothing beside its first deletions, then only what the measured rate can still delete', async () => {
    // 10 ms a deregistration, 1 ms for everything else: about 13 ms an AMI, so 400 ms delete ~30.
    const { a, images, budget } = timedRun(200, { deregisterMs: 10, snapshotMs: 1 }, 400);
    const run = await cleanInRounds(a.clients, input(images, 200), {
      hasTime: () => budget.hasTimeFor(),
      remainingMs: () => budget.remainingMs(),
      checkImageReferences: false,
      readAhead: 20,
    });
    expect(run.incomplete).toBe(true);
    const deleted = run.applied.deregistered.length;
    expect(deleted).toBeGreaterThan(10);
    // With a batch of 20 a round read ahead regardless, it would have read up to 40 past them.
    expect(count(a.calls, 'DescribeImageAttribute') - deleted).toBeLessThanOrEqual(20);
    expect(a.violations).toEqual([]);
    expect(a.lost()).toEqual([]);
  });

  it('past a burst, reads ahead only what the refill can delete: the rate is measured within the apply step', async () => {
    // 40 AMIs on the burst at a few ms each, then ~34 ms an AMI: the first step's own rate (60 AMIs in
    // ~0.9 s) is more than twice what the rest of the run sustains.
    const { a, images, budget } = timedRun(90, { deregisterMs: 30, snapshotMs: 1, burst: 40 }, 1_400);
    const run = await cleanInRounds(a.clients, input(images, 90), {
      hasTime: () => budget.hasTimeFor(),
      remainingMs: () => budget.remainingMs(),
      checkImageReferences: false,
      readAhead: 60,
    });
    expect(run.incomplete).toBe(true);
    const deleted = run.applied.deregistered.length;
    expect(deleted).toBeGreaterThan(70);
    // Measured by whole apply steps, this run read 13 AMIs it never reached (90 for 77).
    expect(count(a.calls, 'DescribeImageAttribute') - deleted).toBeLessThanOrEqual(1);
    expect(a.violations).toEqual([]);
    expect(a.lost()).toEqual([]);
  });

  it('without a deadline (the CLI, the demo) reads a batch a round as before', async () => {
    const { a, images } = timedRun(30, { deregisterMs: 10, snapshotMs: 1 }, 0);
    const run = await cleanInRounds(a.clients, input(images, 30), {
      hasTime: () => true,
      remainingMs: () => Number.POSITIVE_INFINITY,
      checkImageReferences: false,
      readAhead: 10,
    });
    expect(run.applied.deregistered).toHaveLength(30);
    expect(run.incomplete).toBe(false);
  });

  it('property (bursts, denied deregistrations): read and not reached is at most one batch; every AMI deregistered had its launch permissions read before, in this run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 30 }),
        // AMIs whose DeregisterImage is denied: they take time and are not counted as deleted.
        fc.array(fc.nat(59), { maxLength: 6 }),
        async (n, deregisterMs, snapshotMs, budgetMs, batch, burst, failing) => {
          const fails = new Set(failing.map((i) => `ami-${String(i).padStart(2, '0')}`));
          const { a, images, budget } = timedRun(n, { deregisterMs, snapshotMs, burst }, budgetMs, fails);
          const run = await cleanInRounds(a.clients, input(images, n), {
            hasTime: () => budget.hasTimeFor(),
            remainingMs: () => budget.remainingMs(),
            checkImageReferences: false,
            readAhead: batch,
          });
          const read = new Map<string, number>();
          a.calls.forEach((c, i) => {
            if (c.action === 'DescribeImageAttribute') read.set(c.input.ImageId as string, i);
          });
          a.calls.forEach((c, i) => {
            if (c.action !== 'DeregisterImage') return;
            const at = read.get(c.input.ImageId as string);
            expect(at !== undefined && at < i).toBe(true);
          });
          // Reached: deregistered, or tried and denied (kept, and reported).
          const reached = count(a.calls, 'DeregisterImage');
          expect(count(a.calls, 'DescribeImageAttribute') - reached).toBeLessThanOrEqual(batch);
          for (const id of run.applied.deregistered) expect(fails.has(id)).toBe(false);
          // Undrained only when time ran out, and then said so.
          if (reached < n) expect(run.incomplete).toBe(true);
          expect(a.violations).toEqual([]);
          expect(a.lost()).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('planCleanup with earlierRounds, and mergeCleanupRounds', () => {
  const images = eligible(4);
  const base = input(images, 3);
  const read = new Map(images.map((i) => [i.id, { kind: 'read' as const, permissions: [] }]));

  it('keeps an AMI an earlier round left in place, saying what happened, and counts it under the cap', () => {
    const plan = planCleanup({
      ...base,
      launchPermissions: read,
      earlierRounds: { attempted: 2, held: new Map([['ami-00', 'DeregisterImage failed: denied']]) },
    });
    expect(plan.decisions.find((d) => d.imageId === 'ami-00')).toEqual({
      imageId: 'ami-00',
      action: 'keep',
      keptFor: 'held',
      reason:
        'tried earlier in this run and left in place (DeregisterImage failed: denied); the next run re-plans it',
      rule: 'held',
    });
    // Cap 3, two places taken by earlier rounds: one deletion left.
    expect(plan.deletions.map((d) => d.image.id)).toEqual(['ami-01']);
    expect(plan.decisions.find((d) => d.imageId === 'ami-02')!.reason).toContain(
      'the cap of 3 deletions per run was reached',
    );
  });

  it('merges rounds into one report: each AMI once, a deleted one as the round that chose it', () => {
    const first = planCleanup({ ...base, launchPermissions: new Map([...read].slice(0, 1)) });
    const second = planCleanup({
      ...base,
      images: images.slice(1),
      snapshots: base.snapshots.filter((s) => s.id !== 'snap-0'),
      launchPermissions: read,
      earlierRounds: { attempted: 1, held: new Map() },
    });
    const merged = mergeCleanupRounds([first, second]);
    expect(merged.decisions.map((d) => [d.imageId, d.action])).toEqual([
      ['ami-00', 'delete'],
      ['ami-01', 'delete'],
      ['ami-02', 'delete'],
      ['ami-03', 'defer'],
    ]);
    expect(merged.deletions.map((d) => d.image.id)).toEqual(['ami-00', 'ami-01', 'ami-02']);
    expect(merged.snapshotDecisions.map((d) => d.snapshotId)).toEqual(['snap-0', 'snap-1', 'snap-2']);
    expect(merged.counts).toMatchObject({ images: 4, delete: 3, defer: 1, keep: 0, snapshotsToDelete: 3 });
    expect(mergeCleanupRounds([first])).toBe(first);
    expect(() => mergeCleanupRounds([])).toThrow('no rounds');
  });
});
