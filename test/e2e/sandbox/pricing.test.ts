/**
 * The local account's Price List API, through the real SDK client signed as scale-to-zero: products
 * as JSON strings with their on-demand term, filters applied, endpoints only where AWS has them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import {
  hourlyPriceFromPriceList,
  priceFilters,
  snapshotPriceFilters,
  snapshotPriceFromPriceList,
} from '../../../shared/pricing';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

function client(region: string): PricingClient {
  return new PricingClient({
    region,
    endpoint: sandbox.url,
    credentials: sandbox.credentials('scale-to-zero'),
    maxAttempts: 1,
  });
}

describe('the local Price List API', () => {
  it('answers GetProducts with the one product the filters name, as a JSON string', async () => {
    const c = client('us-east-1');
    try {
      const out = await c.send(
        new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: priceFilters('t3.micro', 'eu-west-1') }),
      );
      expect(out.PriceList).toHaveLength(1);
      const product = JSON.parse(String(out.PriceList![0])) as {
        product: { attributes: Record<string, string> };
      };
      expect(product.product.attributes).toMatchObject({ instanceType: 't3.micro', regionCode: 'eu-west-1' });
      expect(hourlyPriceFromPriceList(out.PriceList!)).toBe(0.0114);

      const none = await c.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonEC2',
          Filters: priceFilters('x1e.32xlarge', 'eu-west-1'),
        }),
      );
      expect(none.PriceList).toEqual([]);
    } finally {
      c.destroy();
    }
  });

  it('lists EBS snapshot storage by family and region: the standard tier and the archive tier, no instances', async () => {
    const c = client('us-east-1');
    try {
      const out = await c.send(
        new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: snapshotPriceFilters('eu-west-1') }),
      );
      type Product = { product: { productFamily: string; attributes: Record<string, string> } };
      const products = (out.PriceList ?? []).map((p: unknown): Product => JSON.parse(String(p)) as Product);
      expect(products.map((p: Product) => p.product.attributes.usagetype).sort()).toEqual([
        'EU-EBS:SnapshotArchiveStorage',
        'EU-EBS:SnapshotUsage',
      ]);
      expect(products.every((p: Product) => p.product.productFamily === 'Storage Snapshot')).toBe(true);
      expect(snapshotPriceFromPriceList(out.PriceList!)).toBe(0.05);
      // Asking for instances still lists instances only.
      const compute = await c.send(
        new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: priceFilters('t3.micro', 'eu-west-1') }),
      );
      expect(compute.PriceList).toHaveLength(1);
    } finally {
      c.destroy();
    }
  });

  it('has no endpoint outside us-east-1, eu-central-1 and ap-south-1', async () => {
    const c = client('eu-west-1');
    try {
      await expect(
        c.send(
          new GetProductsCommand({
            ServiceCode: 'AmazonEC2',
            Filters: priceFilters('t3.micro', 'eu-west-1'),
          }),
        ),
      ).rejects.toMatchObject({ message: expect.stringContaining('no endpoint in eu-west-1') });
    } finally {
      c.destroy();
    }
  });
});
