/**
 * The savings in money, as the real scale-to-zero handler reports them signed as its own role: the
 * instance-hours it turned off priced from the local account's Price List API, the bundled table
 * when the list has no figure, and the types nobody prices named rather than guessed.
 */
import { describe, expect, it } from '@jest/globals';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';

import { setSandboxPrice } from '../../../sandbox/services/pricing';
import { SCALE_REGION as REGION, useScaleFixture } from '../../helpers/scale-fixture';

// Monday 23 Nov 2026 18:30 Berlin is the off transition; Tuesday 08:00 Berlin is 13.5 hours later.
const OFF_AT = '2026-11-23T17:30:00Z';
const HOURS_OFF = 13.5;

const fx = useScaleFixture();
const { region } = fx;

async function runAt(at: string) {
  const { logs } = await fx.runAt(at);
  return { summary: fx.summaries().at(-1)!, metrics: logs.filter((l) => l.type === 'metrics') };
}

/** A group of two m5.large, a t3.micro box and a box of a type nobody prices, all opted in. */
function seedFleet() {
  const image = region().addImage({ name: 'dev-base' });
  const members = [1, 2].map(() => region().addInstance({ imageId: image.id, instanceType: 'm5.large' }).id);
  region().addAutoScalingGroup({
    name: 'dev-web',
    minSize: 2,
    desiredCapacity: 2,
    maxSize: 4,
    instanceIds: members,
    tags: { ScaleToZero: 'true' },
  });
  const small = region().addInstance({
    imageId: image.id,
    instanceType: 't3.micro',
    tags: { ScaleToZero: 'true' },
  });
  const odd = region().addInstance({
    imageId: image.id,
    instanceType: 'x1e.32xlarge',
    tags: { ScaleToZero: 'true' },
  });
  return { small: small.id, odd: odd.id };
}

describe('scale-to-zero savings in money', () => {
  it('prices the hours it turned off from the price list, names the unpriced type, and emits the metric', async () => {
    seedFleet();
    // A figure only the price list has: the bundled table says 0.107 for m5.large in eu-west-1.
    setSandboxPrice(fx.sandbox.state, REGION, 'm5.large', 0.2);

    const { summary, metrics } = await runAt(OFF_AT);

    expect(summary.counts.estimatedInstanceHoursSaved).toBe(2 * HOURS_OFF + HOURS_OFF + HOURS_OFF);
    // 27 h × $0.2 (the group) + 13.5 h × $0.0114 (t3.micro); the x1e box adds nothing.
    expect(summary.counts.estimatedSavingsUsd).toBe(5.55);
    expect(summary.savings).toMatchObject({
      estimate: true,
      currency: 'USD',
      basis: expect.stringMatching(/^estimate: .*not included: Savings Plans/),
      prices: {
        'm5.large': { usdPerHour: 0.2, source: 'price-list' },
        't3.micro': { usdPerHour: 0.0114, source: 'price-list' },
      },
      unpricedTypes: ['x1e.32xlarge'],
      unknownTypeResources: [],
      unpricedInstanceHours: HOURS_OFF,
    });
    expect(summary.savings?.problems).toBeUndefined();
    expect(metrics).toEqual([
      expect.objectContaining({ Function: 'scale-to-zero', EstimatedSavingsUsd: 5.55 }),
    ]);
    // One price list call per type, the endpoint in us-east-1 whatever region is priced.
    expect(fx.sandbox.requests.count('pricing', 'GetProducts')).toBe(3);
  });

  it('falls back to the bundled table, and keeps the prices for a day in the warm Lambda', async () => {
    seedFleet();
    // A box whose evening starts an hour later (18:30 UTC): the second run prices it.
    region().addInstance({
      imageId: region().addImage({ name: 'late-base' }).id,
      instanceType: 't3.micro',
      tags: { ScaleToZero: 'Mon-Fri 08:00-19:30 Europe/Berlin' },
    });
    // The list no longer has m5.large: the bundled table's figure stands in.
    setSandboxPrice(fx.sandbox.state, REGION, 'm5.large', undefined);
    const first = await runAt(OFF_AT);
    expect(first.summary.savings?.prices['m5.large']).toEqual({ usdPerHour: 0.107, source: 'bundled-table' });
    expect(first.summary.counts.estimatedSavingsUsd).toBe(
      Math.round((2 * HOURS_OFF * 0.107 + HOURS_OFF * 0.0114) * 100) / 100,
    );
    const asked = fx.sandbox.requests.count('pricing', 'GetProducts');

    // An hour later, same handler: the t3.micro price comes from the cache, nothing is asked.
    const later = await runAt('2026-11-23T18:30:00Z');
    expect(later.summary.counts.instancesStopped).toBe(1);
    expect(later.summary.counts.estimatedSavingsUsd).toBe(Math.round(12.5 * 0.0114 * 100) / 100);
    expect(fx.sandbox.requests.count('pricing', 'GetProducts')).toBe(asked);

    // A day after the first ask the price is asked again.
    region()
      .instances()
      .filter((i) => i.instanceType === 't3.micro')
      .forEach((i) => (i.state = 'running'));
    await runAt('2026-11-24T17:30:00Z');
    expect(fx.sandbox.requests.count('pricing', 'GetProducts')).toBeGreaterThan(asked);
  });

  it('is allowed to the functions that price only (scale-to-zero, cleanup): the tagger is refused the price list', async () => {
    const asTagger = new PricingClient({
      region: 'us-east-1',
      endpoint: fx.sandbox.url,
      credentials: fx.sandbox.credentials('tagger'),
      maxAttempts: 1,
    });
    try {
      await expect(
        asTagger.send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: [] })),
      ).rejects.toMatchObject({ name: expect.stringMatching(/AccessDenied/) });
    } finally {
      asTagger.destroy();
    }
  });
});
