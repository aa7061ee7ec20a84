/**
 * Scale-to-zero's savings in money: the instance-hours of what this run turned off (or, in a dry
 * run, would turn off) priced per instance type. An instance's type is its own; a group's are the
 * types of the instances it lists.
 */
import type { ScaleInventory } from '../aws/scale';
import type { SavingsSummary } from '../events';
import type { ScaleAction, ScalePlan } from '../plan/scale';
import { estimateSavings, type HoursSaved, type PriceBook } from '../pricing';

export const SAVINGS_BASIS =
  'estimate: instance-hours turned off × the on-demand Linux price of an hour of each instance type in this region (Price List API, else a bundled table); ' +
  'not included: Savings Plans, Reserved Instances and Spot discounts, Windows or other licences, EBS volumes (still billed while stopped)';

export function hoursSavedOf(
  inventory: ScaleInventory,
  plan: ScalePlan,
  counted: (action: ScaleAction) => boolean,
): HoursSaved[] {
  const instanceType = new Map(inventory.instances.map((i) => [i.id, i.instanceType]));
  const out: HoursSaved[] = [];
  for (const d of plan.decisions) {
    if (!d.action || !d.instanceHoursSaved || !counted(d.action)) continue;
    const types =
      d.resourceType === 'auto-scaling-group'
        ? (inventory.groupInstanceTypes[d.resourceId] ?? [])
        : [instanceType.get(d.resourceId)].filter((t): t is string => t !== undefined);
    out.push({ resourceId: d.resourceId, instanceHours: d.instanceHoursSaved, instanceTypes: types });
  }
  return out;
}

/** The USD figure (rounded to the cent) and the summary's account of it. */
export async function scaleSavings(
  items: readonly HoursSaved[],
  region: string,
  book: PriceBook,
): Promise<{ usd: number; savings: SavingsSummary }> {
  const e = await estimateSavings(items, region, book);
  const savings: SavingsSummary = {
    estimate: true,
    currency: 'USD',
    basis: SAVINGS_BASIS,
    prices: e.prices,
    unpricedTypes: e.unpricedTypes,
    unknownTypeResources: e.unknownTypeResources,
    unpricedInstanceHours: e.unpricedInstanceHours,
  };
  if (e.problems.length > 0) savings.problems = e.problems;
  return { usd: e.usd, savings };
}
