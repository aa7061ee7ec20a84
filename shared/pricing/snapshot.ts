/**
 * The price of a GiB-month of EBS snapshot storage (standard tier), as cleanup's savings estimate
 * uses it: the Price List API first (product family `Storage Snapshot`, usage type ending in
 * `EBS:SnapshotUsage`: the archive tier and Fast Snapshot Restore are other usage types), kept for a
 * day per region in the Lambda instance; the bundled table when the API cannot answer; nothing when
 * neither knows the region (never a guess).
 */
import type { Filter, PricingClient } from '@aws-sdk/client-pricing';

import { errorText } from '../errors';
import { PRICE_CACHE_MS } from './book';
import { isObject, onDemandPrices, parseProducts } from './parse';
import { productsPage } from './price-list';

/** USD per GB-month of standard snapshot storage, public list prices (only used when the API fails). */
export const FALLBACK_SNAPSHOT_USD_PER_GIB_MONTH: Readonly<Record<string, number>> = {
  'us-east-1': 0.05,
  'eu-west-1': 0.05,
  'eu-central-1': 0.054,
};

export interface SnapshotPrice {
  usdPerGiBMonth: number;
  source: 'price-list' | 'bundled-table';
}

export interface SnapshotPriceAnswer {
  price?: SnapshotPrice;
  /** Why the price list could not answer (the bundled table may still have). */
  problem?: string;
}

/** Asks the price list; undefined when it lists no such product. Throws when it could not be asked. */
export type SnapshotPriceLookup = (region: string) => Promise<number | undefined>;

export interface SnapshotPriceBook {
  snapshotPrice(region: string): Promise<SnapshotPriceAnswer>;
}

export function snapshotPriceFilters(region: string): Filter[] {
  const match = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  return [match('productFamily', 'Storage Snapshot'), match('regionCode', region)];
}

const STANDARD_USAGE = /(^|-)EBS:SnapshotUsage$/;

/**
 * The standard tier's USD per GB-month from GetProducts' PriceList, or undefined when no product
 * reads as one. Several matching products: the lowest (an estimate of savings should not overclaim).
 */
export function snapshotPriceFromPriceList(priceList: readonly unknown[]): number | undefined {
  const prices: number[] = [];
  for (const product of parseProducts(priceList)) {
    const attributes = isObject(product.product) ? product.product.attributes : undefined;
    const usage = isObject(attributes) ? attributes.usagetype : undefined;
    if (typeof usage !== 'string' || !STANDARD_USAGE.test(usage)) continue;
    prices.push(...onDemandPrices(product, /^GB-?Mo(nth)?$/i));
  }
  return prices.length === 0 ? undefined : Math.min(...prices);
}

/** `client` may be a maker: the client is then built on the first price asked, not at cold start. */
export function snapshotPriceListLookup(client: PricingClient | (() => PricingClient)): SnapshotPriceLookup {
  const page = productsPage(client);
  // A region lists a handful of snapshot products (standard, archive, restores): one page.
  return async (region) => snapshotPriceFromPriceList(await page('AmazonEC2', snapshotPriceFilters(region)));
}

export function createSnapshotPriceBook(options: {
  /** Absent: only the bundled table is used. */
  lookup?: SnapshotPriceLookup;
  clock: () => number;
  cacheMs?: number;
}): SnapshotPriceBook {
  const cacheMs = options.cacheMs ?? PRICE_CACHE_MS;
  const cache = new Map<string, { at: number; usd: number | undefined }>();
  const fromTable = (region: string, problem?: string): SnapshotPriceAnswer => {
    const usd = FALLBACK_SNAPSHOT_USD_PER_GIB_MONTH[region];
    const answer: SnapshotPriceAnswer = {};
    if (usd !== undefined) answer.price = { usdPerGiBMonth: usd, source: 'bundled-table' };
    if (problem !== undefined) answer.problem = problem;
    return answer;
  };
  const fromCached = (region: string, usd: number | undefined): SnapshotPriceAnswer =>
    usd === undefined ? fromTable(region) : { price: { usdPerGiBMonth: usd, source: 'price-list' } };
  return {
    async snapshotPrice(region) {
      const hit = cache.get(region);
      if (hit && options.clock() - hit.at < cacheMs) return fromCached(region, hit.usd);
      if (!options.lookup) return fromTable(region);
      try {
        const usd = await options.lookup(region);
        cache.set(region, { at: options.clock(), usd });
        return fromCached(region, usd);
      } catch (err) {
        // Not cached: the next run asks again (a refused or throttled call is not an answer).
        return fromTable(
          region,
          `the price list (GetProducts) could not be read for EBS snapshot storage in ${region}: ${errorText(err)}`,
        );
      }
    },
  };
}
