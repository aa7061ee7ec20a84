/**
 * Cleanup looks up which snapshots this account owns only for the AMIs it is about to delete, not for
 * every opted-in AMI (issue 5: N/200 DescribeSnapshots a run, for nothing, in an account with many
 * opted-in AMIs and little to delete). A failed look-up keeps the AMI, and the next run deletes it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { DescribeSnapshotsCommandInput } from '@aws-sdk/client-ec2';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import type { RegionState } from '../../../sandbox/state/region';
import { createClients, destroyClients, type AwsClients } from '../../../shared/aws/clients';
import { readImageInventory, usageOf } from '../../../shared/aws/inventory';
import type { Budget } from '../../../shared/budget';
import { loadSettings } from '../../../shared/config';
import { cleanupSettingsFrom, readAndPlan, runCleanup } from '../../../shared/jobs/cleanup';
import { DAY, MINUTE, stamp } from '../../helpers/harness';

let sandbox: Sandbox;
const opened: AwsClients[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.faults.clear());
afterAll(async () => {
  for (const c of opened) destroyClients(c);
  await sandbox.close();
});

const ENOUGH_TIME: Budget = { remainingMs: () => 60_000, hasTimeFor: () => true };

/** Clients for one region that note the snapshot ids of every DescribeSnapshots by id. */
function clientsNotingLookups(region: string) {
  Object.assign(process.env, sandbox.env(region, 'cleanup'));
  const clients = createClients(region);
  opened.push(clients);
  const lookedUp: string[][] = [];
  let calls = 0;
  clients.ec2.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DescribeSnapshotsCommand') {
        calls += 1;
        const input = args.input as DescribeSnapshotsCommandInput;
        const byId = input.Filters?.find((f) => f.Name === 'snapshot-id');
        if (byId) lookedUp.push(byId.Values ?? []);
      }
      return next(args);
    },
    { step: 'initialize', name: 'noteSnapshotLookups' },
  );
  return { clients, lookedUp, calls: () => calls };
}

/** 298 opted-in AMIs in use recently (kept by retention) and 2 every rule allows deleting; 2 snapshots each. */
function seed(region: RegionState) {
  const twoSnapshots = () => [region.addSnapshot().id, region.addSnapshot().id];
  const kept = Array.from({ length: 298 }, (_, i) =>
    region.addImage({
      name: `recent-${i}`,
      creationDate: stamp(90 * DAY),
      snapshotIds: twoSnapshots(),
      tags: { AutoCleanup: 'true', LastUsed: stamp(1 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    }),
  );
  const deletable = Array.from({ length: 2 }, (_, i) =>
    region.addImage({
      name: `old-${i}`,
      creationDate: stamp(90 * DAY),
      snapshotIds: twoSnapshots(),
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    }),
  );
  const snapshotsOf = (images: typeof kept) =>
    images.flatMap((i) => i.blockDeviceMappings.map((m) => m.snapshotId!));
  return { kept, deletable, snapshotsOf };
}

function run(regionName: string, clients: AwsClients) {
  return runCleanup({
    clientsFor: () => clients,
    settings: loadSettings({ REGIONS: regionName, DRY_RUN: 'false' }),
    now: new Date(),
    log: () => undefined,
    budget: ENOUGH_TIME,
  });
}

describe('cleanup reads only the snapshots of the AMIs it deletes', () => {
  it('300 opted-in AMIs, 2 deletable: the look-up by id covers those 2 AMIs’ 4 snapshots, in one call', async () => {
    const regionName = 'eu-north-1';
    const region = sandbox.state.region(regionName);
    const { kept, deletable, snapshotsOf } = seed(region);
    const { clients, lookedUp, calls } = clientsNotingLookups(regionName);

    const summary = (await run(regionName, clients)).summaries[0]!;

    expect(summary.failures).toEqual([]);
    expect(summary.counts).toMatchObject({ deleted: 2, snapshotsDeleted: 4, snapshotsLookedUp: 4 });
    for (const image of deletable) expect(region.getImage(image.id)).toBeUndefined();
    for (const s of snapshotsOf(deletable)) expect(region.snapshotExists(s)).toBe(false);
    for (const s of snapshotsOf(kept)) expect(region.snapshotExists(s)).toBe(true);
    // Before: the 600 snapshots of every opted-in AMI, 200 a call (3 calls), plus the marked ones.
    expect(lookedUp.flat().sort()).toEqual(snapshotsOf(deletable).sort());
    expect(lookedUp).toHaveLength(1);
    expect(calls()).toBe(2); // the pending-deletion marks, and the look-up
  });

  it('the plan CLI’s and dry runs’ plan says which snapshots would go, having looked up only those', async () => {
    const regionName = 'eu-west-3';
    const region = sandbox.state.region(regionName);
    const { deletable, snapshotsOf } = seed(region);
    const { clients, lookedUp } = clientsNotingLookups(regionName);
    const inventory = await readImageInventory(clients, regionName, { snapshots: true });

    const { plan, failures } = await readAndPlan(
      clients,
      {
        images: inventory.images,
        usage: usageOf(inventory),
        snapshots: inventory.snapshots,
        settings: cleanupSettingsFrom(loadSettings({ REGIONS: regionName })),
        now: new Date(),
        accountId: inventory.accountId,
      },
      () => true,
    );

    expect(failures).toEqual([]);
    expect(plan.deletions.flatMap((d) => d.snapshotIds).sort()).toEqual(snapshotsOf(deletable).sort());
    expect(plan.counts.snapshotsToDelete).toBe(4);
    expect(lookedUp.flat().sort()).toEqual(snapshotsOf(deletable).sort());
    // Read only.
    for (const image of deletable) expect(region.getImage(image.id)).toBeDefined();
  });

  it('a failed look-up keeps the AMIs it was for and says so; the next run deletes them', async () => {
    const regionName = 'sa-east-1';
    const region = sandbox.state.region(regionName);
    const { deletable, snapshotsOf } = seed(region);
    const { clients } = clientsNotingLookups(regionName);
    const failing = snapshotsOf(deletable)[0]!;
    sandbox.faults.add({
      action: 'DescribeSnapshots',
      region: regionName,
      resourceId: failing,
      code: 'UnauthorizedOperation',
    });

    const first = (await run(regionName, clients)).summaries[0]!;

    expect(first.counts).toMatchObject({ deleted: 0, snapshotsDeleted: 0, failed: 2 });
    expect(first.failures).toEqual(
      deletable.map((image) =>
        expect.objectContaining({
          resourceId: image.id,
          action: 'DescribeSnapshots',
          message: expect.stringContaining('UnauthorizedOperation'),
        }),
      ),
    );
    for (const image of deletable) expect(region.getImage(image.id)).toBeDefined();
    for (const s of snapshotsOf(deletable)) {
      expect(region.snapshotExists(s)).toBe(true);
      expect(region.tagsOf(s)).toEqual({});
    }

    sandbox.faults.clear();
    const second = (await run(regionName, clients)).summaries[0]!;
    expect(second.failures).toEqual([]);
    expect(second.counts).toMatchObject({ deleted: 2, snapshotsDeleted: 4 });
  });
});
