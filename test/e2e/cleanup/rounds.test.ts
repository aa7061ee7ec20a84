/**
 * A budget-limited cleanup run against the local account: it must spend its time on deletions, not
 * on reading launch permissions of AMIs it will not reach (issue 5's backlog drain), and a run cut
 * short must leave nothing half-done that the next run cannot find.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import type { RegionState } from '../../../sandbox/state/region';
import { createClients, destroyClients, type AwsClients } from '../../../shared/aws/clients';
import type { Budget } from '../../../shared/budget';
import { loadSettings } from '../../../shared/config';
import { LAUNCH_PERMISSIONS_READ_AHEAD, runCleanup } from '../../../shared/jobs/cleanup';
import { DAY, MINUTE, stamp } from '../../helpers/harness';

const REGION = 'ap-south-1';
let sandbox: Sandbox;
let clients: AwsClients;
beforeAll(async () => {
  sandbox = await startSandbox();
  Object.assign(process.env, sandbox.env(REGION, 'cleanup'));
  clients = createClients(REGION);
});
afterAll(async () => {
  destroyClients(clients);
  await sandbox.close();
});

function eligible(region: RegionState, n: number) {
  return Array.from({ length: n }, (_, i) =>
    region.addImage({
      name: `old-${i}`,
      creationDate: stamp(90 * DAY),
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    }),
  );
}

/** A budget that is spent once the account has seen `deregistrations` DeregisterImage calls. */
function budgetUntil(deregistrations: number): Budget {
  const left = () => sandbox.requests.count('ec2', 'DeregisterImage') < deregistrations;
  return { remainingMs: () => (left() ? 60_000 : 0), hasTimeFor: () => left() };
}

function run(budget: Budget) {
  return runCleanup({
    clientsFor: () => clients,
    settings: loadSettings({ REGIONS: REGION, DRY_RUN: 'false', MAX_DELETIONS_PER_RUN: '400' }),
    now: new Date(),
    log: () => undefined,
    budget,
  });
}

describe('cleanup under a time budget that cannot cover its cap', () => {
  it('reads launch permissions at most two rounds ahead of its deletions, and the next run finishes the work', async () => {
    const region = sandbox.state.region(REGION);
    const images = eligible(region, 400);
    sandbox.requests.reset();

    const first = (await run(budgetUntil(120))).summaries[0]!;

    expect(first.incomplete).toBe(true);
    expect(first.failures).toEqual([]);
    // 4 deletions in flight may each pass the budget check just before it is spent.
    expect(first.counts.deleted).toBeGreaterThanOrEqual(120);
    expect(first.counts.deleted).toBeLessThanOrEqual(124);
    // Reading all 400 first would have left less time for deletions, and the next run reads them
    // again. The reads run at most two rounds ahead: the round being deleted and the next one.
    const reads = sandbox.requests.count('ec2', 'DescribeImageAttribute');
    expect(reads).toBeLessThanOrEqual(first.counts.deleted! + 2 * LAUNCH_PERMISSIONS_READ_AHEAD);
    expect(first.counts.launchPermissionsRead).toBe(reads);
    // Nothing half-done is lost: every snapshot of a deregistered AMI is gone or marked for later.
    for (const image of images) {
      const snapshot = image.blockDeviceMappings[0]!.snapshotId!;
      if (!region.getImage(image.id) && region.snapshotExists(snapshot)) {
        expect(region.tagsOf(snapshot)!.AutoCleanupPendingDeletion).toBe(image.id);
      }
    }

    const second = (await run({ remainingMs: () => 60_000, hasTimeFor: () => true })).summaries[0]!;
    expect(second.incomplete).toBe(false);
    expect(second.counts.deleted).toBe(400 - first.counts.deleted!);
    expect(region.images()).toEqual([]);
    expect(region.snapshots()).toEqual([]);
  });
});
