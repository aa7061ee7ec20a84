/** The price of a GiB-month of EBS snapshot storage: read from the price list, cached, else the table. */
import { describe, expect, it } from '@jest/globals';

import {
  createSnapshotPriceBook,
  snapshotPriceFilters,
  snapshotPriceFromPriceList,
} from '../../../shared/pricing';

/** A snapshot storage product as GetProducts returns it (trimmed), as a JSON string. */
function product(usagetype: unknown, unit: string, usd: string): string {
  return JSON.stringify({
    product: { productFamily: 'Storage Snapshot', attributes: { usagetype, regionCode: 'eu-west-1' } },
    terms: {
      OnDemand: { 'SKU.JRTCKXETXF': { priceDimensions: { d: { unit, pricePerUnit: { USD: usd } } } } },
    },
  });
}

describe('snapshotPriceFromPriceList', () => {
  it('reads the standard tier (usage type EBS:SnapshotUsage, with or without a region prefix)', () => {
    expect(snapshotPriceFromPriceList([product('EU-EBS:SnapshotUsage', 'GB-Mo', '0.0500000000')])).toBe(0.05);
    expect(snapshotPriceFromPriceList([product('EBS:SnapshotUsage', 'GB-Mo', '0.05')])).toBe(0.05);
  });

  it('leaves out the archive tier and other snapshot products of the same family', () => {
    const list = [
      product('EU-EBS:SnapshotArchiveStorage', 'GB-Mo', '0.0125'),
      product('EU-EBS:SnapshotArchiveRetrieval', 'GB', '0.03'),
      product('EU-EBS:FastSnapshotRestore', 'DSU-Hour', '0.75'),
      product('EU-EBS:SnapshotUsage', 'GB-Mo', '0.05'),
    ];
    expect(snapshotPriceFromPriceList(list)).toBe(0.05);
  });

  it('reads nothing from products that do not read as expected (never a guess)', () => {
    expect(snapshotPriceFromPriceList([])).toBeUndefined();
    expect(snapshotPriceFromPriceList(['not json', product(42, 'GB-Mo', '0.05')])).toBeUndefined();
    expect(snapshotPriceFromPriceList([product('EU-EBS:SnapshotUsage', 'Hrs', '0.05')])).toBeUndefined();
    expect(snapshotPriceFromPriceList([product('EU-EBS:SnapshotUsage', 'GB-Mo', '0.00')])).toBeUndefined();
    expect(snapshotPriceFromPriceList([product('EU-EBS:SnapshotUsageX', 'GB-Mo', '0.05')])).toBeUndefined();
  });

  it('asks for the family and the region, not for a usage type (its prefix differs by region)', () => {
    expect(snapshotPriceFilters('eu-west-1')).toEqual([
      { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'Storage Snapshot' },
      { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
    ]);
  });
});

describe('the snapshot price book', () => {
  it('keeps the price list answer for a day, then asks again', async () => {
    let now = 0;
    const asked: string[] = [];
    const book = createSnapshotPriceBook({
      clock: () => now,
      lookup: async (region) => {
        asked.push(region);
        return 0.06;
      },
    });
    expect(await book.snapshotPrice('eu-west-1')).toEqual({
      price: { usdPerGiBMonth: 0.06, source: 'price-list' },
    });
    now = 23 * 3600_000;
    await book.snapshotPrice('eu-west-1');
    expect(asked).toEqual(['eu-west-1']);
    now = 24 * 3600_000;
    await book.snapshotPrice('eu-west-1');
    expect(asked).toEqual(['eu-west-1', 'eu-west-1']);
  });

  it('uses the bundled table when the list has no product, and says why when it could not be read', async () => {
    const none = createSnapshotPriceBook({ clock: () => 0, lookup: async () => undefined });
    expect(await none.snapshotPrice('eu-central-1')).toEqual({
      price: { usdPerGiBMonth: 0.054, source: 'bundled-table' },
    });
    const refused = createSnapshotPriceBook({
      clock: () => 0,
      lookup: async () => {
        throw Object.assign(new Error('not authorized to perform: pricing:GetProducts'), {
          name: 'AccessDeniedException',
        });
      },
    });
    const answer = await refused.snapshotPrice('eu-west-1');
    expect(answer.price).toEqual({ usdPerGiBMonth: 0.05, source: 'bundled-table' });
    expect(answer.problem).toMatch(/GetProducts.*EBS snapshot storage in eu-west-1.*AccessDeniedException/);
  });

  it('prices nothing in a region neither knows', async () => {
    const book = createSnapshotPriceBook({ clock: () => 0 });
    expect(await book.snapshotPrice('ap-southeast-2')).toEqual({});
  });
});
