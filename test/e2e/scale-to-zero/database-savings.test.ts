/**
 * What a stopped database saves, as the real scale-to-zero handler reports it signed as its role: DB
 * instance-hours priced from the local account's Price List API (service AmazonRDS) per class,
 * engine and deployment, an Aurora cluster per member instance, in the run summary, its metric and
 * the notifier's message about the run; a class nobody prices is named, never guessed.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { makeScaleHandler } from '../../../functions/scale-to-zero/handler';
import { setSandboxDatabasePrice } from '../../../sandbox/services/pricing-rds';
import { addDbCluster, addDbInstance } from '../../../sandbox/services/rds';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { DETAIL_TYPE, EVENT_SOURCE, type RunSummaryDetail } from '../../../shared/events';
import { normaliseEvent } from '../../../shared/notify/normalise';
import { fakeContext, invoke, useSandboxEnv } from '../../helpers/harness';

const REGION = 'eu-west-1';
// The off transition, Monday 23 Nov 2026 18:30 Berlin; the on one (08:00 Berlin) is 13.5 hours later.
const OFF_AT = '2026-11-23T17:30:00Z';
const HOURS_OFF = 13.5;
let simulated = 0;
let sandbox: Sandbox;
let handler: ReturnType<typeof makeScaleHandler>;

beforeEach(async () => {
  sandbox = await startSandbox();
  for (const key of ['SCALE_SCHEDULES', 'SCALE_HOLIDAYS', 'SCALE_DRY_RUN']) delete process.env[key];
  const schedule = 'Mon-Fri 08:00-18:30 Europe/Berlin';
  useSandboxEnv(sandbox, { REGIONS: REGION, SCALE_DEFAULT_SCHEDULE: schedule }, 'scale-to-zero');
  handler = makeScaleHandler({ clock: () => simulated });
});
afterEach(() => sandbox.close());

const region = () => sandbox.state.region(REGION);

async function runAt(at: string) {
  simulated = Date.parse(at);
  const { logs } = await invoke(handler, fakeContext());
  const detail = sandbox.state
    .eventsFrom(EVENT_SOURCE)
    .filter((e) => e.detailType === DETAIL_TYPE.runSummary)
    .at(-1)!.detail as RunSummaryDetail;
  return { summary: detail, metrics: logs.filter((l) => l.type === 'metrics') };
}

describe('scale-to-zero savings on databases', () => {
  it('prices the DB instance-hours it stopped, per member for a cluster, and says so in the summary, the metric and the message', async () => {
    addDbInstance(region(), {
      id: 'orders-dev',
      instanceClass: 'db.t3.micro',
      tags: { ScaleToZero: 'true' },
    });
    addDbInstance(region(), {
      id: 'billing-dev',
      instanceClass: 'db.t3.micro',
      multiAz: true,
      tags: { ScaleToZero: 'true' },
    });
    addDbCluster(region(), {
      id: 'reports-dev',
      members: ['reports-dev-1', 'reports-dev-2'],
      tags: { ScaleToZero: 'true' },
    });
    // A class the price list does not have and no table knows: stopped, not estimated.
    addDbInstance(region(), {
      id: 'huge-dev',
      instanceClass: 'db.x2g.16xlarge',
      tags: { ScaleToZero: 'true' },
    });
    // A tag nobody can read: skipped and reported, so the run's summary becomes a message.
    addDbInstance(region(), { id: 'odd-dev', tags: { ScaleToZero: 'Mon-Fri 25:00-26:00' } });
    // A figure only the price list has (the seed says 0.019).
    setSandboxDatabasePrice(
      sandbox.state,
      { region: REGION, instanceClass: 'db.t3.micro', engine: 'PostgreSQL', deployment: 'Single-AZ' },
      0.02,
    );

    const { summary, metrics } = await runAt(OFF_AT);

    expect(summary.counts.databasesStopped).toBe(4);
    // 13.5 h × (0.02 + 0.038 + 2 × 0.29) = 8.613; five DB instances' hours, one unpriced.
    expect(summary.counts.estimatedDatabaseSavingsUsd).toBe(8.61);
    expect(summary.counts.estimatedDbInstanceHoursSaved).toBe(5 * HOURS_OFF);
    // Instance-hours stay the EC2 figure: no database in them.
    expect(summary.counts.estimatedInstanceHoursSaved).toBe(0);
    expect(summary.databaseSavings).toMatchObject({
      estimate: true,
      currency: 'USD',
      basis: expect.stringContaining('Compute only: storage, provisioned IOPS and backups are still billed'),
      prices: {
        'db.t3.micro postgres Single-AZ': { usdPerHour: 0.02, source: 'price-list' },
        'db.t3.micro postgres Multi-AZ': { usdPerHour: 0.038, source: 'price-list' },
        'db.r6g.large aurora-postgresql Single-AZ': { usdPerHour: 0.29, source: 'price-list' },
      },
      notEstimated: [
        {
          resourceId: 'huge-dev',
          reason: 'no on-demand price is known for db.x2g.16xlarge postgres Single-AZ in eu-west-1',
        },
      ],
      unpricedDbInstanceHours: HOURS_OFF,
    });
    expect(summary.databaseSavings?.problems).toBeUndefined();
    expect(metrics).toEqual([
      expect.objectContaining({
        Function: 'scale-to-zero',
        EstimatedDatabaseSavingsUsd: 8.61,
        EstimatedDbInstanceHoursSaved: 5 * HOURS_OFF,
      }),
    ]);
    // One price list call per product (class, engine, deployment).
    expect(sandbox.requests.count('pricing', 'GetProducts')).toBe(4);

    // The notifier's message about this run (it needs a look: a database it skipped) names the savings.
    const event = sandbox.state
      .eventsFrom(EVENT_SOURCE)
      .filter((e) => e.detailType === DETAIL_TYPE.runSummary)
      .at(-1)!;
    const result = normaliseEvent({
      source: EVENT_SOURCE,
      'detail-type': DETAIL_TYPE.runSummary,
      detail: event.detail,
    });
    expect(result.kind).toBe('notify');
    const facts = result.kind === 'notify' ? result.notification.facts : [];
    expect(facts).toContainEqual({
      name: 'Database savings',
      value: expect.stringMatching(/^about \$[\d.]+ \(estimate, compute only: storage is still billed\)/),
    });
  });
});
