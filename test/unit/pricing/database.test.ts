/** The price of a DB instance-hour: what the price list is asked, and the bundled table behind it. */
import { describe, expect, it } from '@jest/globals';
import type { PricingClient } from '@aws-sdk/client-pricing';

import {
  createDatabasePriceBook,
  databasePriceFilters,
  databasePriceListLookup,
  fallbackDatabaseHourlyPrice,
} from '../../../shared/pricing';

describe('the price list question for a DB instance', () => {
  it('names the product family, region, class, the list’s engine name and the deployment', () => {
    const filters = databasePriceFilters(
      { instanceClass: 'db.r6g.large', engine: 'aurora-postgresql', deployment: 'Single-AZ' },
      'eu-west-1',
    );
    expect(Object.fromEntries(filters!.map((f) => [f.Field, f.Value]))).toEqual({
      productFamily: 'Database Instance',
      regionCode: 'eu-west-1',
      instanceType: 'db.r6g.large',
      databaseEngine: 'Aurora PostgreSQL',
      deploymentOption: 'Single-AZ',
    });
    expect(filters!.every((f) => f.Type === 'TERM_MATCH')).toBe(true);
  });

  it('is never asked about an engine priced by licence (Oracle, SQL Server): no price, no call', async () => {
    expect(
      databasePriceFilters(
        { instanceClass: 'db.m5.large', engine: 'oracle-se2', deployment: 'Single-AZ' },
        'us-east-1',
      ),
    ).toBeUndefined();
    let calls = 0;
    const client = { send: async () => (calls++, { PriceList: [] }) } as unknown as PricingClient;
    const book = createDatabasePriceBook({ clock: () => 0, lookup: databasePriceListLookup(client) });
    const answer = await book.hourlyPrice('db.m5.large sqlserver-se Multi-AZ', 'us-east-1');
    expect(answer.price).toBeUndefined();
    expect(calls).toBe(0);
  });
});

describe('the bundled database table', () => {
  it('prices Multi-AZ at twice Single-AZ, and knows nothing of Aurora or unlisted classes', () => {
    expect(fallbackDatabaseHourlyPrice('db.t3.micro postgres Single-AZ', 'us-east-1')).toBe(0.018);
    expect(fallbackDatabaseHourlyPrice('db.t3.micro postgres Multi-AZ', 'us-east-1')).toBe(0.036);
    expect(
      fallbackDatabaseHourlyPrice('db.r6g.large aurora-postgresql Single-AZ', 'us-east-1'),
    ).toBeUndefined();
    expect(fallbackDatabaseHourlyPrice('db.x2g.16xlarge postgres Single-AZ', 'us-east-1')).toBeUndefined();
    expect(fallbackDatabaseHourlyPrice('db.t3.micro postgres Single-AZ', 'ap-south-2')).toBeUndefined();
  });

  it('stands in when the price list cannot be read, and says why', async () => {
    const book = createDatabasePriceBook({
      clock: () => 0,
      lookup: async () => {
        throw new Error('AccessDeniedException: not authorized to perform pricing:GetProducts');
      },
    });
    const answer = await book.hourlyPrice('db.t3.micro mysql Single-AZ', 'us-east-1');
    expect(answer.price).toEqual({ usdPerHour: 0.017, source: 'bundled-table' });
    expect(answer.problem).toContain('AccessDeniedException');
  });
});
