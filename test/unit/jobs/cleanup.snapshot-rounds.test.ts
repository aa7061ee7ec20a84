/**
 * cleanInRounds looks up the snapshots of the AMIs it is about to delete round by round, beside their
 * launch permissions: only those AMIs' snapshots, each once, never an AMI deleted with a snapshot
 * unaccounted for, and a failed look-up keeps the AMIs it was for.
 */
import { describe, expect, it } from '@jest/globals';

import type { Image } from '../../../shared/domain';
import { cleanInRounds } from '../../../shared/jobs/cleanup';
import { DEFAULT_CLEANUP_SETTINGS } from '../../../shared/plan/cleanup';
import { TAG } from '../../../shared/tags';
import { NOW, SELF, hoursAgo, image, usageOf } from '../../helpers/plan-fixtures';
import { awsError, fakeClients, type Call } from '../../helpers/scripted-ec2';

/** ami-00 (oldest) .. ami-NN, two snapshots each; ami-03 and ami-08 share snap-shared. */
function eligible(n: number): Image[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `ami-${String(i).padStart(2, '0')}`;
    const snapshotIds = [`snap-${i}a`, i === 3 || i === 8 ? 'snap-shared' : `snap-${i}b`];
    return image(id, { snapshotIds }, { LastUsed: hoursAgo((100 - i) * 24) });
  });
}

function account(images: Image[], options: { foreign?: Set<string>; failLookupOf?: string } = {}) {
  const registered = new Map(images.map((i) => [i.id, i]));
  const snapshotsLeft = new Set(images.flatMap((i) => i.snapshotIds));
  const marks = new Map<string, string>();
  const lookedUp: string[][] = [];
  const violations: string[] = [];
  const { clients, calls } = fakeClients((c: Call) => {
    switch (c.action) {
      case 'DescribeImageAttribute':
        return { LaunchPermissions: [] };
      case 'DescribeSnapshots': {
        const filters = c.input.Filters as { Name: string; Values: string[] }[];
        const ids = filters.find((f) => f.Name === 'snapshot-id')!.Values;
        if (ids.length > 200) violations.push(`${ids.length} ids in one filter: FilterLimitExceeded`);
        lookedUp.push(ids);
        if (options.failLookupOf !== undefined && ids.includes(options.failLookupOf))
          return awsError('UnauthorizedOperation');
        return {
          Snapshots: ids
            .filter((s) => snapshotsLeft.has(s) && !options.foreign?.has(s))
            .map((s) => ({ SnapshotId: s, OwnerId: SELF, State: 'completed', Tags: [] })),
        };
      }
      case 'CreateTags': {
        const tag = (c.input.Tags as { Key: string; Value: string }[])[0]!;
        for (const s of c.input.Resources as string[]) marks.set(s, tag.Value);
        return {};
      }
      case 'DeregisterImage':
        registered.delete(c.input.ImageId as string);
        return {};
      case 'DeleteSnapshot': {
        const s = c.input.SnapshotId as string;
        if (options.foreign?.has(s)) violations.push(`${s} of another account deleted`);
        const users = [...registered.values()].filter((i) => i.snapshotIds.includes(s));
        if (users.length > 0)
          violations.push(`${s} deleted while ${users.map((i) => i.id).join(', ')} registered`);
        if (!marks.has(s)) violations.push(`${s} deleted without a ${TAG.pendingDeletion} mark`);
        snapshotsLeft.delete(s);
        return {};
      }
      default:
        throw new Error(`unexpected call ${c.action}`);
    }
  });
  /** Owned snapshots of deregistered AMIs, not used by a registered one, neither deleted nor marked. */
  const lost = () =>
    [...snapshotsLeft].filter(
      (s) =>
        !options.foreign?.has(s) &&
        ![...registered.values()].some((i) => i.snapshotIds.includes(s)) &&
        !marks.has(s),
    );
  return { clients, calls, registered, snapshotsLeft, lookedUp, violations, lost };
}

function input(images: Image[], maxDeletionsPerRun: number) {
  return {
    images,
    usage: usageOf(),
    // The inventory reads only the marked snapshots: none here.
    snapshots: [],
    settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun },
    now: NOW,
    accountId: SELF,
  };
}

const snapshotsOf = (images: Image[]) => [...new Set(images.flatMap((i) => i.snapshotIds))];

describe('cleanInRounds: snapshot look-ups', () => {
  it('looks up each snapshot of the AMIs it deletes once, beside their launch permissions, and deletes the owned ones', async () => {
    const images = eligible(12);
    const foreign = new Set(['snap-1b']);
    const a = account(images, { foreign });

    const run = await cleanInRounds(a.clients, input(images, 12), {
      hasTime: () => true,
      checkImageReferences: false,
      readAhead: 5,
    });

    expect(run.failures).toEqual([]);
    expect(run.applied.deregistered).toHaveLength(12);
    expect(a.violations).toEqual([]);
    expect(a.lost()).toEqual([]);
    expect([...a.snapshotsLeft]).toEqual(['snap-1b']);
    expect(a.lookedUp.flat().sort()).toEqual(snapshotsOf(images).sort());
    // One look-up per round of 5 AMIs, as many as the launch-permission rounds.
    expect(a.lookedUp).toHaveLength(3);
    expect(run.plan.snapshotDecisions.find((d) => d.snapshotId === 'snap-1b')).toMatchObject({
      action: 'keep',
      reason: expect.stringContaining('not among the snapshots this account owns'),
    });
  });

  it('a run cut short has looked up at most two rounds ahead of its deletions', async () => {
    const images = eligible(30);
    const a = account(images);
    const hasTime = () => a.calls.filter((c) => c.action === 'DeregisterImage').length < 6;

    const run = await cleanInRounds(a.clients, input(images, 30), {
      hasTime,
      checkImageReferences: false,
      readAhead: 5,
    });

    expect(run.incomplete).toBe(true);
    const deleted = run.applied.deregistered.length;
    expect(deleted).toBeGreaterThanOrEqual(6);
    const reachable = snapshotsOf(images.slice(0, deleted + 2 * 5));
    for (const s of a.lookedUp.flat()) expect(reachable).toContain(s);
    expect(a.violations).toEqual([]);
    expect(a.lost()).toEqual([]);
  });

  it('a failed look-up keeps the AMIs it was for, records a failure for each (an AMI sharing a snapshot with them too), and the rest are deleted', async () => {
    const images = eligible(12);
    const a = account(images, { failLookupOf: 'snap-2a' });

    const run = await cleanInRounds(a.clients, input(images, 12), {
      hasTime: () => true,
      checkImageReferences: false,
      readAhead: 5,
    });

    // The first round's look-up (ami-00..ami-04) failed: those five stay, and so does ami-08, whose
    // snap-shared (ami-03's too) was in that look-up; the other six go.
    const kept = [...images.slice(0, 5), images[8]!].map((i) => i.id);
    expect([...a.registered.keys()].sort()).toEqual(kept);
    expect(run.failures.map((f) => [f.resourceId, f.action])).toEqual(
      kept.map((id) => [id, 'DescribeSnapshots']),
    );
    expect(run.failures[0]!.message).toContain('UnauthorizedOperation');
    // Not asked again in the run.
    expect(a.lookedUp.filter((ids) => ids.includes('snap-2a'))).toHaveLength(1);
    // snap-shared is ami-03's too, which stays: kept, never deleted under it.
    expect(a.snapshotsLeft.has('snap-shared')).toBe(true);
    expect(a.violations).toEqual([]);
    expect(a.lost()).toEqual([]);
  });
});
