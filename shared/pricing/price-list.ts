/**
 * The Price List Query API call behind the price book. Its endpoints live in us-east-1 (and
 * eu-central-1, ap-south-1) whatever region is priced: the region is a filter, not the endpoint.
 */
import { GetProductsCommand, PricingClient, type Filter } from '@aws-sdk/client-pricing';

import type { HourlyPriceLookup } from './book';
import { hourlyPriceFromPriceList } from './parse';

export const PRICING_ENDPOINT_REGION = 'us-east-1';

/** The one product that is "an hour of this type running Linux on shared hardware, on demand". */
export function priceFilters(instanceType: string, region: string): Filter[] {
  const match = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  return [
    match('instanceType', instanceType),
    match('regionCode', region),
    match('operatingSystem', 'Linux'),
    match('tenancy', 'Shared'),
    match('preInstalledSw', 'NA'),
    match('capacitystatus', 'Used'),
  ];
}

/**
 * One page of GetProducts a price: each lookup's filters leave a handful of products, so the first
 * page is the whole answer. `client` may be a maker: the client is then built on the first price
 * asked, not at cold start.
 */
export function productsPage(
  client: PricingClient | (() => PricingClient),
): (serviceCode: 'AmazonEC2' | 'AmazonRDS', filters: Filter[]) => Promise<string[]> {
  let made: PricingClient | undefined = typeof client === 'function' ? undefined : client;
  return async (serviceCode, filters) => {
    made ??= (client as () => PricingClient)();
    const out = await made.send(
      new GetProductsCommand({
        ServiceCode: serviceCode,
        FormatVersion: 'aws_v1',
        Filters: filters,
        MaxResults: 100,
      }),
    );
    return out.PriceList ?? [];
  };
}

/** An instance type's hourly Linux on-demand price (these filters leave one product, two at most). */
export function priceListLookup(client: PricingClient | (() => PricingClient)): HourlyPriceLookup {
  const page = productsPage(client);
  return async (instanceType, region) =>
    hourlyPriceFromPriceList(await page('AmazonEC2', priceFilters(instanceType, region)));
}

export function createPricingClient(options: { maxAttempts?: number } = {}): PricingClient {
  return new PricingClient({
    region: PRICING_ENDPOINT_REGION,
    // Savings are a nicety: a throttled price list falls back to the table rather than eat the run's time.
    maxAttempts: options.maxAttempts ?? 3,
  });
}
