/**
 * The snapshot storage a cleanup run frees, and what it is worth a month, as the real handler reports
 * them signed as its own role: GiB from DescribeSnapshots' VolumeSize (an upper bound), priced from
 * the local account's Price List API (the standard tier, not the archive tier beside it), the
 * bundled table when the list cannot answer, and nothing guessed where neither knows the region.
 */
import { describe, expect, it } from '@jest/globals';

import { makeCleanupHandler } from '../../../functions/cleanup/handler';
import { setSandboxSnapshotPrice } from '../../../sandbox/services/pricing';
import type { RegionState } from '../../../sandbox/state/region';
import { NO_BACKOFF } from '../../helpers/harness';
import { addEligibleImage, useCleanupFixture } from '../../helpers/cleanup-fixture';

const fx = useCleanupFixture();

/** An AMI every safety rule allows deleting, with snapshots of these source volume sizes. */
function eligible(region: RegionState, name: string, sizes: number[]) {
  const snapshotIds = sizes.map((volumeSize) => region.addSnapshot({ volumeSize }).id);
  const image = addEligibleImage(region, name, { snapshotIds });
  return { image, snapshotIds };
}

async function run(regionName: string, settings: Record<string, string> = {}) {
  // A fresh handler each run: its price book (a day's cache) would otherwise carry over.
  const { summaries, logs } = await fx.run(regionName, settings, makeCleanupHandler(NO_BACKOFF));
  return { summary: summaries[0]!, metrics: logs.filter((l) => l.type === 'metrics'), logs };
}

describe('cleanup: the snapshot storage it freed, in GiB and in money', () => {
  it('sums the deleted snapshots VolumeSize and prices it at the region standard snapshot price', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const a = eligible(region, 'a', [8, 30]);
    const b = eligible(region, 'b', [100]);
    const asked = fx.sandbox.requests.count('pricing', 'GetProducts');

    const { summary, metrics } = await run('eu-west-1');

    // What the account shows: those snapshots are gone.
    for (const id of [...a.snapshotIds, ...b.snapshotIds]) expect(region.snapshotExists(id)).toBe(false);
    expect(summary.counts.snapshotsDeleted).toBe(3);
    expect(summary.counts.snapshotGiBDeleted).toBe(138);
    // 138 GiB × $0.05 (eu-west-1's standard tier; the archive tier's $0.0125 is listed beside it).
    expect(summary.counts.estimatedSnapshotSavingsUsdPerMonth).toBe(6.9);
    expect(summary.snapshotSavings).toEqual({
      estimate: true,
      upperBound: true,
      currency: 'USD',
      basis: expect.stringMatching(/^estimate and upper bound: .*incremental/),
      price: { usdPerGiBMonth: 0.05, source: 'price-list' },
      unsizedSnapshots: [],
    });
    expect(metrics).toEqual([
      expect.objectContaining({
        Function: 'cleanup',
        SnapshotGiBDeleted: 138,
        EstimatedSnapshotSavingsUsdPerMonth: 6.9,
      }),
    ]);
    // Signed as cleanup, and its role allows it: one ask, answered.
    expect(fx.sandbox.requests.count('pricing', 'GetProducts')).toBe(asked + 1);
  });

  it('asks no price when nothing was freed (a dry run, or nothing eligible)', async () => {
    const region = fx.sandbox.state.region('eu-central-1');
    eligible(region, 'dry', [50]);
    const asked = fx.sandbox.requests.count('pricing', 'GetProducts');

    const { summary, metrics } = await run('eu-central-1', { DRY_RUN: 'true' });

    expect(summary.counts.snapshotGiBDeleted).toBeUndefined();
    expect(summary.snapshotSavings).toBeUndefined();
    expect(metrics[0]).toMatchObject({ SnapshotGiBDeleted: 0 });
    expect(metrics[0]).not.toHaveProperty('EstimatedSnapshotSavingsUsdPerMonth');
    expect(fx.sandbox.requests.count('pricing', 'GetProducts')).toBe(asked);
  });

  it('falls back to the bundled table when the price list refuses, names why, and still deletes', async () => {
    const region = fx.sandbox.state.region('us-east-1');
    const { snapshotIds } = eligible(region, 'refused-price', [20]);
    fx.sandbox.faults.add({ service: 'pricing', action: 'GetProducts', code: 'AccessDeniedException' });

    const { summary } = await run('us-east-1');

    expect(region.snapshotExists(snapshotIds[0]!)).toBe(false);
    expect(summary.failures).toEqual([]);
    expect(summary.counts.snapshotGiBDeleted).toBe(20);
    expect(summary.counts.estimatedSnapshotSavingsUsdPerMonth).toBe(1);
    expect(summary.snapshotSavings?.price).toEqual({ usdPerGiBMonth: 0.05, source: 'bundled-table' });
    expect(summary.snapshotSavings?.problems).toEqual([
      expect.stringMatching(/GetProducts.*EBS snapshot storage in us-east-1.*AccessDenied/),
    ]);
  });

  it('counts the GiB but prices nothing where neither the price list nor the table knows the region', async () => {
    const region = fx.sandbox.state.region('ap-southeast-2');
    eligible(region, 'unpriced', [16]);
    setSandboxSnapshotPrice(fx.sandbox.state, 'ap-southeast-2', undefined);

    const { summary, metrics } = await run('ap-southeast-2');

    expect(summary.counts.snapshotGiBDeleted).toBe(16);
    expect(summary.counts.estimatedSnapshotSavingsUsdPerMonth).toBeUndefined();
    expect(summary.snapshotSavings).toMatchObject({ estimate: true, unsizedSnapshots: [] });
    expect(summary.snapshotSavings?.price).toBeUndefined();
    expect(metrics[0]).toMatchObject({ SnapshotGiBDeleted: 16 });
    expect(metrics[0]).not.toHaveProperty('EstimatedSnapshotSavingsUsdPerMonth');
  });

  it('does not count a snapshot someone else deleted first as freed by this run', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const { snapshotIds } = eligible(region, 'raced', [40, 10]);
    // The second snapshot is gone by the time DeleteSnapshot reaches it.
    fx.sandbox.faults.add({
      service: 'ec2',
      action: 'DeleteSnapshot',
      resourceId: snapshotIds[1]!,
      code: 'InvalidSnapshot.NotFound',
      status: 400,
    });

    const { summary } = await run('eu-west-1');

    expect(summary.counts.snapshotsDeleted).toBe(2);
    expect(summary.counts.snapshotGiBDeleted).toBe(40);
    expect(summary.counts.estimatedSnapshotSavingsUsdPerMonth).toBe(2);
  });
});
