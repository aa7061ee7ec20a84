/**
 * The price of a DB instance-hour, as scale-to-zero's database savings use it: the Price List API
 * (service AmazonRDS, product family `Database Instance`) asked per class, engine and deployment
 * (Single-AZ or Multi-AZ) in the region, kept for a day like the instance prices; a bundled table
 * when the API cannot answer; nothing when neither knows it. Only engines whose price carries no
 * licence choice are priced (MySQL, PostgreSQL, MariaDB, Aurora): Oracle, SQL Server and Db2 depend
 * on the licence model and edition, which the inventory does not read, so they are never guessed.
 */
import type { Filter, PricingClient } from '@aws-sdk/client-pricing';

import { createPriceBook, type HourlyPriceLookup, type PriceBook } from './book';
import { hourlyPriceFromPriceList } from './parse';
import { productsPage } from './price-list';

/** RDS's engine names as the price list's `databaseEngine` writes them. */
const PRICE_LIST_ENGINE: Readonly<Record<string, string>> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  'aurora-postgresql': 'Aurora PostgreSQL',
  'aurora-mysql': 'Aurora MySQL',
  // The engine name of Aurora MySQL 1 (MySQL 5.6 compatible).
  aurora: 'Aurora MySQL',
};

export type Deployment = 'Single-AZ' | 'Multi-AZ';

/** What is priced: one DB instance of this class and engine, in this deployment. */
export interface DatabaseProduct {
  instanceClass: string;
  /** RDS's engine name (DescribeDBInstances' Engine): postgres, aurora-mysql, … */
  engine: string;
  deployment: Deployment;
}

/** "db.t3.micro postgres Single-AZ": the price book's key, and how the summary names a price. */
export function databaseProductKey(p: DatabaseProduct): string {
  return `${p.instanceClass} ${p.engine} ${p.deployment}`;
}

function productOfKey(key: string): DatabaseProduct | undefined {
  const [instanceClass, engine, deployment] = key.split(' ');
  if (!instanceClass || !engine || (deployment !== 'Single-AZ' && deployment !== 'Multi-AZ'))
    return undefined;
  return { instanceClass, engine, deployment };
}

/** Undefined when the engine's price depends on what the inventory does not read (its licence). */
export function priceListEngine(engine: string): string | undefined {
  return PRICE_LIST_ENGINE[engine];
}

export function databasePriceFilters(p: DatabaseProduct, region: string): Filter[] | undefined {
  const engine = priceListEngine(p.engine);
  if (!engine) return undefined;
  const match = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  return [
    match('productFamily', 'Database Instance'),
    match('regionCode', region),
    match('instanceType', p.instanceClass),
    match('databaseEngine', engine),
    match('deploymentOption', p.deployment),
  ];
}

/**
 * USD per hour, on demand, public list prices transcribed by hand for a few common classes (used
 * only when the Price List API cannot answer, and labelled as the table's). Multi-AZ DB instances
 * are listed at twice the Single-AZ figure, as AWS lists them for these engines.
 */
const SINGLE_AZ: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'us-east-1': {
    'db.t3.micro postgres': 0.018,
    'db.t3.small postgres': 0.036,
    'db.t3.medium postgres': 0.072,
    'db.t4g.micro postgres': 0.016,
    'db.t4g.small postgres': 0.032,
    'db.t4g.medium postgres': 0.065,
    'db.m5.large postgres': 0.178,
    'db.r5.large postgres': 0.25,
    'db.t3.micro mysql': 0.017,
    'db.t3.small mysql': 0.034,
    'db.t3.medium mysql': 0.068,
    'db.t4g.micro mysql': 0.016,
    'db.t4g.small mysql': 0.032,
    'db.t4g.medium mysql': 0.065,
    'db.m5.large mysql': 0.171,
    'db.r5.large mysql': 0.24,
  },
};

const AURORA = new Set(['aurora', 'aurora-mysql', 'aurora-postgresql']);

export function fallbackDatabaseHourlyPrice(key: string, region: string): number | undefined {
  const p = productOfKey(key);
  // Aurora's figures differ from the engines above: not in the table, so never guessed from them.
  if (!p || AURORA.has(p.engine)) return undefined;
  const single = SINGLE_AZ[region]?.[`${p.instanceClass} ${p.engine}`];
  if (single === undefined) return undefined;
  return p.deployment === 'Multi-AZ' ? Math.round(single * 2 * 10_000) / 10_000 : single;
}

/** `client` may be a maker: the client is then built on the first price asked. */
export function databasePriceListLookup(client: PricingClient | (() => PricingClient)): HourlyPriceLookup {
  const page = productsPage(client);
  return async (key, region) => {
    const product = productOfKey(key);
    const filters = product && databasePriceFilters(product, region);
    // An engine the list cannot be asked about without a licence model: not listed, not asked.
    if (!filters) return undefined;
    return hourlyPriceFromPriceList(await page('AmazonRDS', filters));
  };
}

/** The database price book: keys are databaseProductKey's, cached like the instance prices. */
export function createDatabasePriceBook(options: {
  lookup?: HourlyPriceLookup;
  clock: () => number;
  cacheMs?: number;
}): PriceBook {
  return createPriceBook({ ...options, fallback: fallbackDatabaseHourlyPrice });
}
