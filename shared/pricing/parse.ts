/**
 * Reading the Price List Query API's answer. GetProducts returns each product as a JSON string;
 * the on-demand hourly price is under terms.OnDemand.<offer>.priceDimensions.<dimension>.pricePerUnit.USD.
 * Nothing here trusts the shape: a product that does not read as expected contributes no price.
 */

interface PriceDimension {
  unit?: unknown;
  pricePerUnit?: { USD?: unknown };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The positive USD prices of one product's on-demand terms in a unit (`Hrs` for an instance-hour,
 * `GB-Mo` for a month of storage).
 */
export function onDemandPrices(product: unknown, unit: RegExp): number[] {
  if (!isObject(product) || !isObject(product.terms) || !isObject(product.terms.OnDemand)) return [];
  const out: number[] = [];
  for (const offer of Object.values(product.terms.OnDemand)) {
    if (!isObject(offer) || !isObject(offer.priceDimensions)) continue;
    for (const dim of Object.values(offer.priceDimensions) as PriceDimension[]) {
      if (!isObject(dim) || typeof dim.unit !== 'string' || !unit.test(dim.unit)) continue;
      const usd = isObject(dim.pricePerUnit) ? dim.pricePerUnit.USD : undefined;
      const value = typeof usd === 'string' ? Number(usd) : NaN;
      // A 0.00 dimension is a reservation or capacity placeholder, not the price of an hour.
      if (Number.isFinite(value) && value > 0) out.push(value);
    }
  }
  return out;
}

/** The products of a PriceList that parse as JSON objects (the others are left out). */
export function parseProducts(priceList: readonly unknown[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const entry of priceList) {
    try {
      // The SDK hands each product over as a string (or its LazyJsonString, a String object).
      const product: unknown =
        typeof entry === 'string' || entry instanceof String ? JSON.parse(String(entry)) : entry;
      if (isObject(product)) out.push(product);
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * The on-demand price of an hour from GetProducts' PriceList, or undefined when none of its
 * products names one. When several products match the filters (AWS occasionally lists a second
 * SKU), the lowest is taken: an estimate of savings should not overclaim.
 */
export function hourlyPriceFromPriceList(priceList: readonly unknown[]): number | undefined {
  const prices = parseProducts(priceList).flatMap((p) => onDemandPrices(p, /^hrs?$/i));
  return prices.length === 0 ? undefined : Math.min(...prices);
}
