/**
 * The price of an instance-hour, as scale-to-zero's savings estimate uses it: the Price List API
 * first, its answer kept for a day per (type, region) in the Lambda instance; the bundled table when
 * the API cannot answer; nothing when neither knows the type (never a guess).
 */
import { errorText } from '../errors';
import { fallbackHourlyPrice } from './fallback';

/** Asks the price list; undefined when it lists no such product. Throws when it could not be asked. */
export type HourlyPriceLookup = (instanceType: string, region: string) => Promise<number | undefined>;

export interface HourlyPrice {
  usdPerHour: number;
  /** Where the figure came from: the live price list or the bundled table. */
  source: 'price-list' | 'bundled-table';
}

export interface PriceAnswer {
  price?: HourlyPrice;
  /** Why the price list could not answer (the bundled table may still have). */
  problem?: string;
}

export interface PriceBook {
  hourlyPrice(instanceType: string, region: string): Promise<PriceAnswer>;
}

export const PRICE_CACHE_MS = 24 * 60 * 60 * 1000;

export interface PriceBookOptions {
  /** Absent: only the bundled table is used (e.g. no client could be made). */
  lookup?: HourlyPriceLookup;
  /** The bundled table; absent: EC2 instance types' (a database book passes its own). */
  fallback?: (product: string, region: string) => number | undefined;
  /** Milliseconds since the epoch; the cache ages by it. */
  clock: () => number;
  cacheMs?: number;
}

interface Cached {
  at: number;
  /** The price list's answer; undefined: it lists no such product (also worth keeping for a day). */
  usdPerHour: number | undefined;
}

export function createPriceBook(options: PriceBookOptions): PriceBook {
  const cacheMs = options.cacheMs ?? PRICE_CACHE_MS;
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<PriceAnswer>>();

  const fromTable = (instanceType: string, region: string, problem?: string): PriceAnswer => {
    const usdPerHour = (options.fallback ?? fallbackHourlyPrice)(instanceType, region);
    const answer: PriceAnswer = {};
    if (usdPerHour !== undefined) answer.price = { usdPerHour, source: 'bundled-table' };
    if (problem !== undefined) answer.problem = problem;
    return answer;
  };

  const fromCache = (instanceType: string, region: string, c: Cached): PriceAnswer =>
    c.usdPerHour === undefined
      ? fromTable(instanceType, region)
      : { price: { usdPerHour: c.usdPerHour, source: 'price-list' } };

  const ask = async (key: string, instanceType: string, region: string): Promise<PriceAnswer> => {
    const lookup = options.lookup;
    if (!lookup) return fromTable(instanceType, region);
    try {
      const usdPerHour = await lookup(instanceType, region);
      const entry: Cached = { at: options.clock(), usdPerHour };
      cache.set(key, entry);
      return fromCache(instanceType, region, entry);
    } catch (err) {
      // Not cached: the next run asks again (a refused or throttled call is not an answer).
      return fromTable(
        instanceType,
        region,
        `the price list (GetProducts) could not be read for ${instanceType} in ${region}: ${errorText(err)}`,
      );
    }
  };

  return {
    async hourlyPrice(instanceType, region) {
      const key = `${region}\u0000${instanceType}`;
      const hit = cache.get(key);
      if (hit && options.clock() - hit.at < cacheMs) return fromCache(instanceType, region, hit);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const asking = ask(key, instanceType, region).finally(() => inFlight.delete(key));
      inFlight.set(key, asking);
      return asking;
    },
  };
}
