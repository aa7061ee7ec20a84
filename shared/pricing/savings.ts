/**
 * Instance-hours saved, in money: hours × the on-demand price of an hour of each resource's
 * instance type in its region. Always an estimate (on-demand Linux list prices; no Savings Plans,
 * Reserved Instances, Spot, licences or EBS), and a resource whose type has no price adds nothing
 * and is named rather than guessed.
 */
import type { HourlyPrice, PriceBook } from './book';

export interface HoursSaved {
  resourceId: string;
  instanceHours: number;
  /**
   * The instance types behind those hours, one per instance (a group lists its instances'); the
   * price of an hour is their mean. Empty: the type is unknown and the hours stay unpriced.
   */
  instanceTypes: readonly string[];
}

export interface SavingsEstimate {
  /** USD, rounded to the cent; an estimate. */
  usd: number;
  pricedInstanceHours: number;
  unpricedInstanceHours: number;
  /** Types neither the price list nor the bundled table knows, sorted. */
  unpricedTypes: string[];
  /** Resources whose instance type the inventory does not name. */
  unknownTypeResources: string[];
  /** The price used for each type, and where it came from. */
  prices: Record<string, HourlyPrice>;
  /** Why the price list could not be read (the bundled table stood in where it could). */
  problems: string[];
}

export async function estimateSavings(
  items: readonly HoursSaved[],
  region: string,
  book: PriceBook,
): Promise<SavingsEstimate> {
  const worth = items.filter((i) => i.instanceHours > 0);
  const types = [...new Set(worth.flatMap((i) => i.instanceTypes))].sort();
  const prices: Record<string, HourlyPrice> = {};
  const problems = new Set<string>();
  const unpriced = new Set<string>();
  for (const t of types) {
    const answer = await book.hourlyPrice(t, region);
    if (answer.problem) problems.add(answer.problem);
    if (answer.price) prices[t] = answer.price;
    else unpriced.add(t);
  }

  let usd = 0;
  let priced = 0;
  let unpricedHours = 0;
  const unknownType: string[] = [];
  for (const item of worth) {
    if (item.instanceTypes.length === 0) unknownType.push(item.resourceId);
    const each = item.instanceTypes.map((t) => prices[t]?.usdPerHour);
    if (each.length === 0 || each.some((p) => p === undefined)) {
      unpricedHours += item.instanceHours;
      continue;
    }
    const mean = (each as number[]).reduce((a, b) => a + b, 0) / each.length;
    usd += item.instanceHours * mean;
    priced += item.instanceHours;
  }
  return {
    usd: Math.round(usd * 100) / 100,
    pricedInstanceHours: Math.round(priced * 10) / 10,
    unpricedInstanceHours: Math.round(unpricedHours * 10) / 10,
    unpricedTypes: [...unpriced],
    unknownTypeResources: unknownType,
    prices,
    problems: [...problems],
  };
}
