import { describe, expect, it } from '@jest/globals';

import { hourlyPriceFromPriceList } from '../../../shared/pricing';

/** A product as GetProducts returns it (trimmed to what matters), as a JSON string. */
function product(dimensions: Record<string, { unit: string; USD: string }>, reserved = false): string {
  const priceDimensions = Object.fromEntries(
    Object.entries(dimensions).map(([k, d]) => [k, { unit: d.unit, pricePerUnit: { USD: d.USD } }]),
  );
  return JSON.stringify({
    product: { attributes: { instanceType: 'm5.large', regionCode: 'eu-west-1' } },
    terms: {
      OnDemand: { 'SKU.JRTCKXETXF': { priceDimensions } },
      ...(reserved
        ? {
            Reserved: {
              'SKU.X': { priceDimensions: { d: { unit: 'Hrs', pricePerUnit: { USD: '0.0010' } } } },
            },
          }
        : {}),
    },
  });
}

describe('hourlyPriceFromPriceList', () => {
  it('reads the on-demand USD price of an hour from the JSON string', () => {
    expect(hourlyPriceFromPriceList([product({ a: { unit: 'Hrs', USD: '0.1070000000' } })])).toBe(0.107);
  });

  it('ignores Reserved terms: only on-demand is what an hour off saves', () => {
    expect(hourlyPriceFromPriceList([product({ a: { unit: 'Hrs', USD: '0.096' } }, true)])).toBe(0.096);
  });

  it('accepts the String objects the SDK may hand over', () => {
    const boxed = new String(product({ a: { unit: 'Hrs', USD: '0.0114' } }));
    expect(hourlyPriceFromPriceList([boxed])).toBe(0.0114);
  });

  it('takes the lowest when several products match (an estimate must not overclaim)', () => {
    const list = [product({ a: { unit: 'Hrs', USD: '0.2' } }), product({ a: { unit: 'Hrs', USD: '0.1' } })];
    expect(hourlyPriceFromPriceList(list)).toBe(0.1);
  });

  it('finds no price in an empty list, zero prices, other units, or text that is not JSON', () => {
    expect(hourlyPriceFromPriceList([])).toBeUndefined();
    expect(hourlyPriceFromPriceList([product({ a: { unit: 'Hrs', USD: '0.0000000000' } })])).toBeUndefined();
    expect(hourlyPriceFromPriceList([product({ a: { unit: 'Quantity', USD: '500' } })])).toBeUndefined();
    expect(hourlyPriceFromPriceList([product({ a: { unit: 'Hrs', USD: 'n/a' } })])).toBeUndefined();
    expect(hourlyPriceFromPriceList(['{not json', '{"terms":7}', 'null'])).toBeUndefined();
  });
});
