/** Prices for the savings estimates: instance-hours (scale-to-zero) and snapshot storage. */
export {
  createPriceBook,
  PRICE_CACHE_MS,
  type HourlyPrice,
  type HourlyPriceLookup,
  type PriceAnswer,
  type PriceBook,
  type PriceBookOptions,
} from './book';
export { fallbackHourlyPrice, FALLBACK_HOURLY_USD } from './fallback';
export { PUBLIC_IPV4_PRICE_SOURCE, PUBLIC_IPV4_USD_PER_HOUR } from './fallback';
export { hourlyPriceFromPriceList } from './parse';
export { createPricingClient, priceFilters, priceListLookup, PRICING_ENDPOINT_REGION } from './price-list';
export { estimateSavings, type HoursSaved, type SavingsEstimate } from './savings';
export {
  createSnapshotPriceBook,
  FALLBACK_SNAPSHOT_USD_PER_GIB_MONTH,
  snapshotPriceFilters,
  snapshotPriceFromPriceList,
  snapshotPriceListLookup,
  type SnapshotPrice,
  type SnapshotPriceAnswer,
  type SnapshotPriceBook,
  type SnapshotPriceLookup,
} from './snapshot';
export {
  createDatabasePriceBook,
  databasePriceFilters,
  databasePriceListLookup,
  databaseProductKey,
  fallbackDatabaseHourlyPrice,
  priceListEngine,
  type DatabaseProduct,
  type Deployment,
} from './database';
