/**
 * Hibernation and idle Elastic IPs, told with the real handler signed as its role against the local
 * account on a simulated clock (schedule Mon-Fri 08:00-18:30 UTC; Monday 23 November 2026).
 * - A box launched with hibernation configured and tagged ScaleToZeroAction=hibernate is hibernated
 *   at 18:30; one not configured for it is stopped, and its reason says so; a box whose
 *   ScaleToZeroAction reads as neither is left running and reported. All come back at 08:00.
 * - EC2 refusing to hibernate a configured box ("not ready yet") gets a plain stop, reported.
 * - The summary lists the sleeping box's Elastic IP and an unassociated one with their hourly cost,
 *   and never releases either; a refused DescribeAddresses is a failure line and nothing else.
 */
import { describe, expect, it } from '@jest/globals';

import { addressesOf, allocateAddress } from '../../../sandbox/services/ec2/addresses';
import type { RunSummaryDetail } from '../../../shared/events';
import { decisionsFor, NO_BACKOFF, type HandlerRun } from '../../helpers/harness';
import { SCALE_REGION as REGION, useScaleFixture } from '../../helpers/scale-fixture';

const EVENING = '2026-11-23T18:30:00Z';
const MORNING = '2026-11-24T08:00:00Z';

const fx = useScaleFixture({
  settings: { SCALE_DEFAULT_SCHEDULE: 'Mon-Fri 08:00-18:30 UTC' },
  handler: NO_BACKOFF,
});
const { region } = fx;
const newId = (prefix: string) => fx.sandbox.state.ids.next(prefix);

async function runAt(iso: string): Promise<HandlerRun & { summary: RunSummaryDetail }> {
  const run = await fx.runAt(iso);
  return { ...run, summary: run.summaries[0]! };
}

function box(name: string, tags: Record<string, string>, hibernation = false): string {
  const image = region().addImage({ name: `${name}-image` });
  return region().addInstance({
    imageId: image.id,
    hibernation,
    tags: { Name: name, ScaleToZero: 'true', ...tags },
  }).id;
}

const stateOf = (id: string) => region().getInstance(id)!;

describe('ScaleToZeroAction=hibernate', () => {
  it('hibernates the configured box, stops the unconfigured one saying why, skips a bad value; all back at 08:00', async () => {
    const ready = box('ready', { ScaleToZeroAction: 'hibernate' }, true);
    const plain = box('plain', { ScaleToZeroAction: 'hibernate' });
    const odd = box('odd', { ScaleToZeroAction: 'snooze' }, true);

    const evening = await runAt(EVENING);
    expect(stateOf(ready)).toMatchObject({
      state: 'stopped',
      stateReason: { code: 'Client.UserInitiatedHibernate' },
    });
    expect(stateOf(plain)).toMatchObject({
      state: 'stopped',
      stateReason: { code: 'Client.UserInitiatedShutdown' },
    });
    expect(stateOf(odd).state).toBe('running');
    expect(decisionsFor(evening.logs, ready)[0]).toMatchObject({ rule: 'hibernate', action: 'stop' });
    expect(String(decisionsFor(evening.logs, plain)[0]!.reason)).toContain(
      `hibernation not configured on ${plain}: stopped instead`,
    );
    expect(evening.summary.counts).toMatchObject({ instancesStopped: 2, instancesHibernated: 1, skipped: 1 });
    expect(evening.summary.skipped).toContainEqual({
      resourceId: odd,
      rule: 'action-unreadable',
      tag: 'ScaleToZeroAction',
      value: 'snooze',
      expected: expect.stringContaining('stop or hibernate'),
      reason: expect.stringContaining('is not readable'),
    });
    // One StopInstances with Hibernate=true (the configured box), one plain (the other).
    const stops = fx.sandbox.requests.all().filter((r) => r.action === 'StopInstances');
    expect(stops.map((r) => (r.params?.Hibernate ? 'hibernate' : 'plain')).sort()).toEqual([
      'hibernate',
      'plain',
    ]);
    expect(region().tagsOf(ready)?.ScaleToZeroLastTransition).toMatch(/^2026-11-23T18:30:00Z stopped=/);

    const morning = await runAt(MORNING);
    for (const id of [ready, plain]) expect(stateOf(id).state).toBe('running');
    expect(morning.summary.counts).toMatchObject({ instancesStarted: 2 });
    expect(stateOf(odd).state).toBe('running');
  });

  it('stops a configured box EC2 refuses to hibernate (UnsupportedHibernationConfiguration), and reports it', async () => {
    const fresh = box('fresh', { ScaleToZeroAction: 'hibernate' }, true);
    const other = box('other', { ScaleToZeroAction: 'hibernate' }, true);
    fx.sandbox.faults.add({
      service: 'ec2',
      action: 'StopInstances',
      resourceId: fresh,
      code: 'UnsupportedHibernationConfiguration',
      status: 400,
      message: 'Instance is not ready to hibernate yet, please try again later.',
      times: 2,
    });
    const evening = await runAt(EVENING);
    expect(stateOf(fresh)).toMatchObject({
      state: 'stopped',
      stateReason: { code: 'Client.UserInitiatedShutdown' },
    });
    expect(stateOf(other)).toMatchObject({
      state: 'stopped',
      stateReason: { code: 'Client.UserInitiatedHibernate' },
    });
    expect(evening.summary.failures).toEqual([]);
    expect(evening.summary.reported).toEqual([
      {
        resourceId: fresh,
        reason: expect.stringMatching(
          /EC2 refused to hibernate it \(UnsupportedHibernationConfiguration.*not ready.*\): stopped instead/,
        ),
      },
    ]);
    expect(evening.summary.counts).toMatchObject({ instancesStopped: 2, instancesHibernated: 1 });
    // Its record is a stop like any other: it is started in the morning.
    await runAt(MORNING);
    expect(stateOf(fresh).state).toBe('running');
  });

  it('falls back on no other refusal: another StopInstances error is a failure, the box keeps running', async () => {
    const locked = box('locked', { ScaleToZeroAction: 'hibernate' }, true);
    fx.sandbox.faults.add({
      service: 'ec2',
      action: 'StopInstances',
      resourceId: locked,
      code: 'OperationNotPermitted',
      status: 400,
    });
    const evening = await runAt(EVENING);
    expect(stateOf(locked).state).toBe('running');
    expect(evening.summary.failures).toContainEqual(
      expect.objectContaining({
        resourceId: locked,
        action: 'StopInstances',
        message: expect.stringContaining('hibernating failed'),
      }),
    );
    expect(evening.summary.reported ?? []).toEqual([]);
  });
});

describe('an idle Elastic IP', () => {
  it('lists the address of a box scale-to-zero stopped and an unassociated one, with their hourly cost, and releases neither', async () => {
    const sleeper = box('sleeper', {});
    const worker = region().addInstance({
      imageId: region().addImage({ name: 'prod' }).id,
      tags: { Name: 'prod' },
    }).id;
    const sleeperIp = allocateAddress(region(), { instanceId: sleeper }, newId);
    allocateAddress(region(), { instanceId: worker }, newId);
    const spare = allocateAddress(region(), {}, newId);

    const evening = await runAt(EVENING);
    expect(evening.summary.idleAddresses).toEqual({
      estimate: true,
      currency: 'USD',
      basis: expect.stringMatching(/never released by scale-to-zero.*\$0\.005 per address-hour/),
      addresses: [
        {
          publicIp: sleeperIp.publicIp,
          allocationId: sleeperIp.allocationId,
          instanceId: sleeper,
          reason: `associated with ${sleeper}, stopped by scale-to-zero in this run`,
          usdPerHour: 0.005,
        },
        {
          publicIp: spare.publicIp,
          allocationId: spare.allocationId,
          reason: 'unassociated',
          usdPerHour: 0.005,
        },
      ],
      usdPerHour: 0.01,
    });
    expect(evening.summary.counts).toMatchObject({ idleElasticIps: 2, idleElasticIpUsdPerHour: 0.01 });
    expect(fx.sandbox.requests.count('ec2', 'DescribeAddresses')).toBe(1);

    // Later in the night the box still sleeps: still listed, from its record.
    const night = await runAt('2026-11-23T22:00:00Z');
    expect(night.summary.idleAddresses!.addresses[0]).toMatchObject({
      instanceId: sleeper,
      reason: expect.stringMatching(/stopped by scale-to-zero at 2026-11-23T18:30/),
    });
    // In the morning it runs again: only the unassociated address is left, and nothing was released.
    const morning = await runAt(MORNING);
    expect(morning.summary.idleAddresses!.addresses.map((a) => a.publicIp)).toEqual([spare.publicIp]);
    expect(addressesOf(region())).toHaveLength(3);
    expect(fx.sandbox.requests.all().filter((r) => r.action === 'ReleaseAddress')).toEqual([]);
  });

  it('a refused DescribeAddresses is one failure line; the scaling still happens', async () => {
    const sleeper = box('sleeper', {});
    fx.sandbox.faults.add({
      service: 'ec2',
      action: 'DescribeAddresses',
      code: 'UnauthorizedOperation',
      status: 403,
    });
    const evening = await runAt(EVENING);
    expect(stateOf(sleeper).state).toBe('stopped');
    expect(evening.summary.idleAddresses).toBeUndefined();
    expect(evening.summary.failures).toEqual([
      {
        resourceId: REGION,
        action: 'DescribeAddresses',
        message: expect.stringMatching(/UnauthorizedOperation.*scaling is not affected/),
      },
    ]);
  });
});
