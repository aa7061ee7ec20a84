/**
 * Scale-to-zero's database savings in money: the DB instance-hours of the databases this run stopped
 * (or, in a dry run, would stop) priced per class, engine and deployment. A DB instance is one
 * instance-hour an hour, priced Multi-AZ when it is; an Aurora cluster is each of its member
 * instances. Compute only: a stopped database's storage is still billed. What has no price (a class
 * not read, an engine priced by licence, a product neither the list nor the table knows) is named,
 * never guessed.
 */
import type { ScaleInventory } from '../aws/scale';
import type { DatabaseSavingsSummary } from '../events';
import type { DatabaseRecord, ScaleAction, ScalePlan } from '../plan/scale';
import type { HourlyPrice, PriceBook } from '../pricing';
import { databaseProductKey, priceListEngine, type DatabaseProduct } from '../pricing/database';

export const DATABASE_SAVINGS_BASIS =
  'estimate: DB instance-hours stopped (until the schedule turns the database on again, at most the 7 days after which RDS starts it) × the on-demand price of an hour of each DB instance’s class, engine and deployment (Single-AZ or Multi-AZ) in this region (Price List API, else a bundled table); an Aurora cluster counts each member instance. ' +
  'Compute only: storage, provisioned IOPS and backups are still billed while a database is stopped; not included: Reserved Instances, Oracle, SQL Server and Db2 (priced by licence model, not read)';

/** One DB instance a stop turns off, with what prices it or why nothing does. */
interface Unit {
  id: string;
  product?: DatabaseProduct;
  why?: string;
}

function unitsOf(d: DatabaseRecord): Unit[] {
  const engineWhy = priceListEngine(d.engine)
    ? undefined
    : `engine ${d.engine} is priced by licence model and edition, which are not read`;
  if (d.type === 'db-instance') {
    if (engineWhy) return [{ id: d.id, why: engineWhy }];
    if (!d.instanceClass) return [{ id: d.id, why: 'its DB instance class was not read' }];
    const deployment = d.multiAz ? 'Multi-AZ' : 'Single-AZ';
    return [{ id: d.id, product: { instanceClass: d.instanceClass, engine: d.engine, deployment } }];
  }
  const members = d.members ?? [];
  if (members.length === 0) return [{ id: d.id, why: 'the cluster lists no member instances' }];
  return members.map((m): Unit => {
    if (engineWhy) return { id: m.id, why: engineWhy };
    if (!m.instanceClass) return { id: m.id, why: 'its DB instance class was not read' };
    // Each Aurora member is its own DB instance, priced as one.
    return {
      id: m.id,
      product: { instanceClass: m.instanceClass, engine: d.engine, deployment: 'Single-AZ' },
    };
  });
}

export async function databaseSavings(
  inventory: ScaleInventory,
  plan: ScalePlan,
  counted: (action: ScaleAction) => boolean,
  region: string,
  book: PriceBook,
): Promise<DatabaseSavingsSummary> {
  const byKey = new Map(inventory.databases.map((d) => [`${d.type} ${d.id}`, d]));
  const prices: Record<string, HourlyPrice> = {};
  const problems = new Set<string>();
  const notEstimated: DatabaseSavingsSummary['notEstimated'] = [];
  let usd = 0;
  let priced = 0;
  let unpriced = 0;
  for (const d of plan.decisions) {
    if (!d.action || !d.databaseHoursOff || !counted(d.action)) continue;
    const db = byKey.get(`${d.resourceType} ${d.resourceId}`);
    const hours = d.databaseHoursOff;
    for (const unit of db ? unitsOf(db) : [{ id: d.resourceId, why: 'not in the inventory' }]) {
      const key = unit.product && databaseProductKey(unit.product);
      const answer = key ? await book.hourlyPrice(key, region) : undefined;
      if (answer?.problem) problems.add(answer.problem);
      if (key && answer?.price) {
        prices[key] = answer.price;
        usd += hours * answer.price.usdPerHour;
        priced += hours;
        continue;
      }
      unpriced += hours;
      notEstimated.push({
        resourceId: unit.id,
        reason: unit.why ?? `no on-demand price is known for ${key} in ${region}`,
      });
    }
  }
  const summary: DatabaseSavingsSummary = {
    estimate: true,
    currency: 'USD',
    basis: DATABASE_SAVINGS_BASIS,
    usd: Math.round(usd * 100) / 100,
    dbInstanceHours: Math.round((priced + unpriced) * 10) / 10,
    unpricedDbInstanceHours: Math.round(unpriced * 10) / 10,
    prices,
    notEstimated,
  };
  if (problems.size > 0) summary.problems = [...problems];
  return summary;
}
