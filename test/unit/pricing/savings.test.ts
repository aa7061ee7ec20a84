import { describe, expect, it } from '@jest/globals';

import { createPriceBook, estimateSavings } from '../../../shared/pricing';

const LIST: Record<string, number> = { 't3.micro@eu-west-1': 0.0114, 'm5.large@eu-west-1': 0.107 };
const book = () =>
  createPriceBook({ clock: () => 0, lookup: async (type, region) => LIST[`${type}@${region}`] });

describe('estimateSavings', () => {
  it('prices each resource at its type, a group at the mean of its instances', async () => {
    const e = await estimateSavings(
      [
        { resourceId: 'i-1', instanceHours: 14, instanceTypes: ['t3.micro'] },
        // 2 instances × 14 h: one t3.micro and one m5.large.
        { resourceId: 'web', instanceHours: 28, instanceTypes: ['t3.micro', 'm5.large'] },
      ],
      'eu-west-1',
      book(),
    );
    // 14 × 0.0114 + 28 × (0.0114 + 0.107) / 2 = 0.1596 + 1.6576
    expect(e.usd).toBe(1.82);
    expect(e.pricedInstanceHours).toBe(42);
    expect(e.unpricedTypes).toEqual([]);
    expect(e.prices['m5.large']).toEqual({ usdPerHour: 0.107, source: 'price-list' });
  });

  it('leaves out and names the types nobody prices, and the resources of unknown type', async () => {
    const e = await estimateSavings(
      [
        { resourceId: 'i-1', instanceHours: 10, instanceTypes: ['t3.micro'] },
        { resourceId: 'i-2', instanceHours: 10, instanceTypes: ['u-12tb1.112xlarge'] },
        { resourceId: 'empty-group', instanceHours: 20, instanceTypes: [] },
        { resourceId: 'mixed', instanceHours: 20, instanceTypes: ['t3.micro', 'u-12tb1.112xlarge'] },
      ],
      'eu-west-1',
      book(),
    );
    expect(e.usd).toBe(0.11);
    expect(e.unpricedTypes).toEqual(['u-12tb1.112xlarge']);
    expect(e.unknownTypeResources).toEqual(['empty-group']);
    expect(e.unpricedInstanceHours).toBe(50);
  });

  it('asks nothing for resources that saved no hours', async () => {
    const e = await estimateSavings(
      [{ resourceId: 'i-1', instanceHours: 0, instanceTypes: ['u-12tb1.112xlarge'] }],
      'eu-west-1',
      book(),
    );
    expect(e).toMatchObject({ usd: 0, unpricedTypes: [], prices: {} });
  });
});
