/**
 * What a stopped database saves: DB instance-hours × the hourly price of its class, engine and
 * deployment; an Aurora cluster per member instance; compute only; nothing guessed.
 */
import { describe, expect, it } from '@jest/globals';

import type { ScaleInventory } from '../../../shared/aws/scale';
import { databaseSavings } from '../../../shared/jobs/scale-db-savings';
import type { DatabaseRecord, ScaleDecision, ScalePlan } from '../../../shared/plan/scale';
import { createDatabasePriceBook } from '../../../shared/pricing';

const T = new Date('2026-11-23T17:30:00Z');
const LIST: Record<string, number> = {
  'db.t3.micro postgres Single-AZ': 0.019,
  'db.t3.micro postgres Multi-AZ': 0.038,
  'db.r6g.large aurora-postgresql Single-AZ': 0.29,
};
const book = () => createDatabasePriceBook({ clock: () => 0, lookup: async (key) => LIST[key] });

const db = (over: Partial<DatabaseRecord>): DatabaseRecord => ({
  type: 'db-instance',
  id: 'orders-dev',
  arn: `arn:aws:rds:eu-west-1:1:db:${over.id ?? 'orders-dev'}`,
  status: 'available',
  engine: 'postgres',
  tags: { ScaleToZero: 'true' },
  instanceClass: 'db.t3.micro',
  multiAz: false,
  ...over,
});

function stopOf(d: DatabaseRecord, hours: number): ScaleDecision {
  return {
    resourceType: d.type,
    resourceId: d.id,
    outcome: 'stop',
    reason: 'off',
    rule: 'stop',
    action: { kind: 'stop-database', database: { type: d.type, id: d.id, arn: d.arn }, transition: T },
    databaseHoursOff: hours,
    ignoredTags: [],
  };
}

async function estimate(stops: [DatabaseRecord, number][], counted = true) {
  const databases = stops.map(([d]) => d);
  const inventory = { databases } as unknown as ScaleInventory;
  const decisions = stops.map(([d, h]) => stopOf(d, h));
  const plan: ScalePlan = { decisions, actions: decisions.map((d) => d.action!), instanceHoursSaved: 0 };
  return databaseSavings(inventory, plan, () => counted, 'eu-west-1', book());
}

describe('databaseSavings', () => {
  it('prices a DB instance per hour at its deployment, and an Aurora cluster per member instance', async () => {
    const e = await estimate([
      [db({ id: 'orders-dev' }), 13.5],
      [db({ id: 'billing-dev', multiAz: true }), 13.5],
      [
        db({
          type: 'db-cluster',
          id: 'reports-dev',
          engine: 'aurora-postgresql',
          members: [
            { id: 'reports-dev-1', instanceClass: 'db.r6g.large' },
            { id: 'reports-dev-2', instanceClass: 'db.r6g.large' },
          ],
        }),
        10,
      ],
    ]);
    // 13.5 × 0.019 + 13.5 × 0.038 + 2 × 10 × 0.29 = 0.2565 + 0.513 + 5.8
    expect(e.usd).toBe(6.57);
    expect(e.dbInstanceHours).toBe(47);
    expect(e.unpricedDbInstanceHours).toBe(0);
    expect(e.prices).toEqual({
      'db.t3.micro postgres Single-AZ': { usdPerHour: 0.019, source: 'price-list' },
      'db.t3.micro postgres Multi-AZ': { usdPerHour: 0.038, source: 'price-list' },
      'db.r6g.large aurora-postgresql Single-AZ': { usdPerHour: 0.29, source: 'price-list' },
    });
    expect(e.basis).toMatch(/Compute only: storage.*still billed/);
  });

  it('names what it cannot price, with why, and adds nothing for it', async () => {
    const classless = db({ id: 'classless' });
    delete classless.instanceClass;
    const e = await estimate([
      [db({ id: 'orders-dev' }), 10],
      [db({ id: 'big-dev', instanceClass: 'db.x2g.16xlarge' }), 10],
      [db({ id: 'erp-dev', engine: 'oracle-se2', instanceClass: 'db.m5.large' }), 10],
      [classless, 10],
      [db({ type: 'db-cluster', id: 'empty', engine: 'aurora-mysql', members: [] }), 10],
    ]);
    expect(e.usd).toBe(0.19);
    expect(e.dbInstanceHours).toBe(50);
    expect(e.unpricedDbInstanceHours).toBe(40);
    expect(e.notEstimated).toEqual([
      {
        resourceId: 'big-dev',
        reason: 'no on-demand price is known for db.x2g.16xlarge postgres Single-AZ in eu-west-1',
      },
      {
        resourceId: 'erp-dev',
        reason: 'engine oracle-se2 is priced by licence model and edition, which are not read',
      },
      { resourceId: 'classless', reason: 'its DB instance class was not read' },
      { resourceId: 'empty', reason: 'the cluster lists no member instances' },
    ]);
  });

  it('counts only the stops that took effect (or a dry run’s)', async () => {
    const e = await estimate([[db({}), 10]], false);
    expect(e).toMatchObject({ usd: 0, dbInstanceHours: 0, notEstimated: [] });
  });
});
