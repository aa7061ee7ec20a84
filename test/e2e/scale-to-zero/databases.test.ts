/**
 * Databases in scale-to-zero, with the real handler signed as its role against the local account:
 * an RDS instance and an Aurora cluster stopped at night and started in the morning (databases first
 * in the morning, last at night), a database stopped again after RDS's automatic start 7 days later
 * (simulated), a person's early start left alone, and a refused StopDBInstance reported while the
 * rest of the run goes on.
 */
import { describe, expect, it } from '@jest/globals';

import {
  addDbCluster,
  addDbInstance,
  getDbCluster,
  getDbInstance,
  simulateAutomaticStart,
} from '../../../sandbox/services/rds';
import type { RunSummaryDetail } from '../../../shared/events';
import { useScaleFixture } from '../../helpers/scale-fixture';

// Monday 23 Nov 2026 18:30 Berlin is the off transition; Tuesday 08:00 Berlin the on transition.
const OFF_AT = '2026-11-23T17:30:00Z';
const MORNING = '2026-11-24T07:00:00Z';

const fx = useScaleFixture();
const { region } = fx;

async function runAt(at: string): Promise<RunSummaryDetail> {
  await fx.runAt(at);
  return fx.summaries().at(-1)!;
}

const statusOf = (id: string) => getDbInstance(region(), id)!.status;
/** Where the database settles (the sandbox shows a stop's `stopping` until the next describe). */
const settledOf = (id: string) => getDbInstance(region(), id)!.settlesTo ?? statusOf(id);
const firstSeq = (service: string, action: string) =>
  fx.sandbox.requests.all().find((e) => e.service === service && e.action === action && e.status === 200)
    ?.seq;

describe('scale-to-zero and databases', () => {
  it('stops an RDS instance and an Aurora cluster at night after the instances, starts them in the morning before them', async () => {
    addDbInstance(region(), { id: 'orders-dev', tags: { ScaleToZero: 'true' } });
    addDbCluster(region(), { id: 'reports-dev', members: ['reports-dev-1'], tags: { ScaleToZero: 'true' } });
    addDbInstance(region(), { id: 'untagged' });
    const image = region().addImage({ name: 'dev-base' });
    const box = region().addInstance({ imageId: image.id, tags: { ScaleToZero: 'true' } }).id;

    const night = await runAt(OFF_AT);
    expect(night.counts).toMatchObject({ databasesSeen: 2, databasesStopped: 2, instancesStopped: 1 });
    expect(night.failures).toEqual([]);
    expect(settledOf('orders-dev')).toBe('stopped');
    expect(getDbCluster(region(), 'reports-dev')!.settlesTo).toBe('stopped');
    expect(statusOf('untagged')).toBe('available');
    expect(firstSeq('ec2', 'StopInstances')!).toBeLessThan(firstSeq('rds', 'StopDBInstance')!);
    expect(firstSeq('ec2', 'StopInstances')!).toBeLessThan(firstSeq('rds', 'StopDBCluster')!);
    const tags = getDbInstance(region(), 'orders-dev')!.tags;
    expect(tags.ScaleToZeroLastTransition).toBe(`${OFF_AT} stopped=${OFF_AT}`);
    expect(tags.ScaleToZeroStoppedAt).toBe(OFF_AT);

    fx.sandbox.requests.reset();
    const morning = await runAt(MORNING);
    expect(morning.counts).toMatchObject({ databasesStarted: 2, instancesStarted: 1 });
    expect(firstSeq('rds', 'StartDBInstance')!).toBeLessThan(firstSeq('ec2', 'StartInstances')!);
    expect(firstSeq('rds', 'StartDBCluster')!).toBeLessThan(firstSeq('ec2', 'StartInstances')!);
    expect(settledOf('orders-dev')).toBe('available');
    expect(getDbInstance(region(), 'orders-dev')!.tags).toEqual({
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: MORNING,
    });
    expect(region().getInstance(box)!.state).not.toBe('stopped');
  });

  it('a database stopped overnight and stopped again after RDS started it 7 days later (simulated)', async () => {
    // A week of holidays: off from Friday 27 Nov 18:30 Berlin to Monday 7 Dec 08:00.
    process.env.SCALE_HOLIDAYS = '2026-11-30,2026-12-01,2026-12-02,2026-12-03,2026-12-04';
    addDbInstance(region(), { id: 'orders-dev', tags: { ScaleToZero: 'true' } });
    addDbInstance(region(), { id: 'people-start-me', tags: { ScaleToZero: 'true' } });

    expect((await runAt('2026-11-27T17:30:00Z')).counts).toMatchObject({ databasesStopped: 2 });
    await runAt('2026-11-28T10:00:00Z'); // settles; nothing to do
    expect([statusOf('orders-dev'), statusOf('people-start-me')]).toEqual(['stopped', 'stopped']);

    // Day 3: a person starts one of them by hand; scale-to-zero leaves it alone.
    simulateAutomaticStart(region(), 'people-start-me');
    const day3 = await runAt('2026-11-30T09:00:00Z');
    expect(day3.counts).toMatchObject({ databasesStopped: 0, transitionsRecorded: 1 });
    expect(getDbInstance(region(), 'people-start-me')!.tags).toEqual({
      ScaleToZero: 'true',
      ScaleToZeroLastTransition: '2026-11-27T17:30:00Z',
    });
    expect(statusOf('people-start-me')).toBe('available');

    // Day 7: RDS starts the other one by itself; the next run stops it again.
    simulateAutomaticStart(region(), 'orders-dev');
    const day7 = await runAt('2026-12-04T17:45:00Z');
    expect(day7.counts).toMatchObject({ databasesStopped: 1 });
    expect(statusOf('people-start-me')).toBe('available');
    expect(settledOf('orders-dev')).toBe('stopped');
    expect(getDbInstance(region(), 'orders-dev')!.tags.ScaleToZeroLastTransition).toBe(
      '2026-11-27T17:30:00Z stopped=2026-12-04T17:45:00Z',
    );
    // Monday morning: it is started, as its record of the (renewed) stop says.
    const monday = await runAt('2026-12-07T07:00:00Z');
    expect(monday.counts).toMatchObject({ databasesStarted: 1 });
    expect(settledOf('orders-dev')).toBe('available');
  });

  it('reports a refused StopDBInstance with AWS reason and goes on with the other databases and instances', async () => {
    addDbInstance(region(), { id: 'orders-dev', tags: { ScaleToZero: 'true' } });
    addDbInstance(region(), { id: 'billing-dev', tags: { ScaleToZero: 'true' } });
    addDbInstance(region(), { id: 'replica-src', tags: { ScaleToZero: 'true' } });
    addDbInstance(region(), { id: 'replica', replicaOf: 'replica-src', tags: { ScaleToZero: 'true' } });
    const image = region().addImage({ name: 'dev-base' });
    const box = region().addInstance({ imageId: image.id, tags: { ScaleToZero: 'true' } }).id;
    fx.sandbox.faults.add({
      service: 'rds',
      action: 'StopDBInstance',
      resourceId: 'orders-dev',
      code: 'AccessDenied',
      message:
        'User: arn:aws:sts::123456789012:assumed-role/scale/x is not authorized to perform: rds:StopDBInstance',
    });

    const night = await runAt(OFF_AT);
    expect(night.failures).toEqual([
      expect.objectContaining({
        resourceId: 'orders-dev',
        action: 'StopDBInstance',
        message: expect.stringMatching(
          /stopping the database failed \(AccessDenied: .*not authorized.*\); the next run tries again/,
        ),
      }),
    ]);
    expect(night.counts).toMatchObject({ databasesStopped: 1, instancesStopped: 1 });
    expect(settledOf('billing-dev')).toBe('stopped');
    expect(region().getInstance(box)!.state).toBe('stopped');
    expect(statusOf('orders-dev')).toBe('available');
    // No record of a stop that did not happen: the next run tries again.
    expect(getDbInstance(region(), 'orders-dev')!.tags.ScaleToZeroLastTransition).toBeUndefined();
    // The read replica and its source are skipped with RDS's reason, never sent to RDS.
    expect(night.skipped.map((s) => [s.resourceId, s.rule])).toEqual(
      expect.arrayContaining([
        ['replica', 'refused-by-rds'],
        ['replica-src', 'refused-by-rds'],
      ]),
    );
    fx.sandbox.faults.clear();
    const retry = await runAt('2026-11-23T17:45:00Z');
    expect(retry.counts).toMatchObject({ databasesStopped: 1 });
    expect(settledOf('orders-dev')).toBe('stopped');
  });

  it('scales groups and instances when the databases cannot be read, and says so', async () => {
    addDbInstance(region(), { id: 'orders-dev', tags: { ScaleToZero: 'true' } });
    const image = region().addImage({ name: 'dev-base' });
    const box = region().addInstance({ imageId: image.id, tags: { ScaleToZero: 'true' } }).id;
    fx.sandbox.faults.add({ service: 'rds', action: 'DescribeDBInstances', code: 'AccessDenied' });
    const night = await runAt(OFF_AT);
    expect(region().getInstance(box)!.state).toBe('stopped');
    expect(statusOf('orders-dev')).toBe('available');
    expect(night.failures).toEqual([
      expect.objectContaining({
        action: 'DescribeDBInstances',
        message: expect.stringContaining('the databases tagged ScaleToZero could not be read (AccessDenied'),
      }),
    ]);
  });
});
