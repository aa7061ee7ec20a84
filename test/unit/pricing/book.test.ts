import { describe, expect, it } from '@jest/globals';

import { createPriceBook, PRICE_CACHE_MS, type HourlyPriceLookup } from '../../../shared/pricing';

/** A price list that answers from a table, counts its calls and can be made to fail. */
function fakeList(prices: Record<string, number>) {
  const calls: string[] = [];
  let failure: Error | undefined;
  const lookup: HourlyPriceLookup = async (type, region) => {
    calls.push(`${type}@${region}`);
    if (failure) throw failure;
    return prices[`${type}@${region}`];
  };
  return { lookup, calls, fail: (e: Error | undefined) => (failure = e) };
}

describe('the price book', () => {
  it('asks the price list once per type and region for a day, then again (virtual clock)', async () => {
    let now = Date.parse('2026-11-23T18:00:00Z');
    const list = fakeList({ 'm5.large@eu-west-1': 0.107 });
    const book = createPriceBook({ lookup: list.lookup, clock: () => now });

    expect(await book.hourlyPrice('m5.large', 'eu-west-1')).toEqual({
      price: { usdPerHour: 0.107, source: 'price-list' },
    });
    now += PRICE_CACHE_MS - 1;
    await book.hourlyPrice('m5.large', 'eu-west-1');
    expect(list.calls).toEqual(['m5.large@eu-west-1']);

    await book.hourlyPrice('m5.large', 'us-east-1');
    expect(list.calls).toHaveLength(2);

    now += 1;
    await book.hourlyPrice('m5.large', 'eu-west-1');
    expect(list.calls).toEqual(['m5.large@eu-west-1', 'm5.large@us-east-1', 'm5.large@eu-west-1']);
  });

  it('asks once when the same type is asked for twice at the same time', async () => {
    const list = fakeList({ 't3.micro@eu-west-1': 0.0114 });
    const book = createPriceBook({ lookup: list.lookup, clock: () => 0 });
    await Promise.all([book.hourlyPrice('t3.micro', 'eu-west-1'), book.hourlyPrice('t3.micro', 'eu-west-1')]);
    expect(list.calls).toHaveLength(1);
  });

  it('falls back to the bundled table when the price list cannot be read, and says why', async () => {
    const list = fakeList({});
    list.fail(
      Object.assign(new Error('User is not authorized to perform: pricing:GetProducts'), {
        name: 'AccessDeniedException',
      }),
    );
    const book = createPriceBook({ lookup: list.lookup, clock: () => 0 });
    const answer = await book.hourlyPrice('t3.micro', 'eu-west-1');
    expect(answer.price).toEqual({ usdPerHour: 0.0114, source: 'bundled-table' });
    expect(answer.problem).toMatch(/GetProducts.*t3\.micro in eu-west-1.*AccessDeniedException/);

    // A failure is not an answer: the next ask tries the price list again.
    list.fail(undefined);
    await book.hourlyPrice('t3.micro', 'eu-west-1');
    expect(list.calls).toHaveLength(2);
  });

  it('uses the bundled table for a type the price list does not list, and caches that answer', async () => {
    const list = fakeList({});
    const book = createPriceBook({ lookup: list.lookup, clock: () => 0 });
    expect((await book.hourlyPrice('c6i.large', 'us-east-1')).price).toEqual({
      usdPerHour: 0.085,
      source: 'bundled-table',
    });
    await book.hourlyPrice('c6i.large', 'us-east-1');
    expect(list.calls).toHaveLength(1);
  });

  it('has no price, never a guess, for a type neither knows', async () => {
    const list = fakeList({});
    const book = createPriceBook({ lookup: list.lookup, clock: () => 0 });
    expect(await book.hourlyPrice('x2iedn.32xlarge', 'eu-west-1')).toEqual({});
    // The table knows m5.large in eu-west-1, not in a region it does not list.
    expect(await book.hourlyPrice('m5.large', 'sa-east-1')).toEqual({});
  });

  it('without a price list uses only the bundled table', async () => {
    const book = createPriceBook({ clock: () => 0 });
    expect((await book.hourlyPrice('t4g.small', 'eu-west-1')).price).toEqual({
      usdPerHour: 0.0184,
      source: 'bundled-table',
    });
  });
});
