/**
 * Safety review, end to end: the real cleanup handler on the local account, for ways a snapshot
 * could be deleted (or a deletion attempted) while an AMI the run did not see still uses it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startSandbox, type Sandbox } from '../../sandbox/server';
import type { RegionState } from '../../sandbox/state/region';
import { handler } from '../../functions/cleanup/handler';
import { DAY, MINUTE, decisionsFor, invoke, stamp, useSandboxEnv } from './harness';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

function eligible(region: RegionState, name: string, snapshotIds?: string[]) {
  return region.addImage({
    name,
    creationDate: stamp(90 * DAY),
    ...(snapshotIds ? { snapshotIds } : {}),
    tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
  });
}

function run(regionName: string) {
  useSandboxEnv(sandbox, { REGIONS: regionName, DRY_RUN: 'false' });
  return invoke(handler);
}

describe('cleanup and disabled AMIs (DescribeImages leaves them out unless asked)', () => {
  it('keeps a snapshot that a disabled AMI still uses, and neither marks nor tries to delete it', async () => {
    const region = sandbox.state.region('eu-west-3');
    const shared = region.addSnapshot({ description: 'shared with a disabled AMI' });
    const old = eligible(region, 'old', [shared.id]);
    const disabled = region.addImage({
      name: 'disabled-but-registered',
      state: 'disabled',
      creationDate: stamp(60 * DAY),
      snapshotIds: [shared.id],
    });

    const { summaries, logs } = await run('eu-west-3');

    expect(region.getImage(old.id)).toBeUndefined();
    expect(region.snapshotExists(shared.id)).toBe(true);
    expect(region.tagsOf(shared.id)!.AutoCleanupPendingDeletion).toBeUndefined();
    expect(summaries[0]!.counts).toMatchObject({ deleted: 1, snapshotsDeleted: 0, snapshotsDeferred: 0 });
    expect(decisionsFor(logs, shared.id)).toContainEqual(
      expect.objectContaining({
        action: 'plan-snapshot-keep',
        reason: `also used by remaining AMI ${disabled.id}: kept`,
      }),
    );
    // The disabled AMI is reported, never acted on.
    expect(decisionsFor(logs, disabled.id)[0]).toMatchObject({ action: 'plan-keep' });
  });

  it('does not take a disabled AMI for gone when an earlier run marked its snapshot', async () => {
    const region = sandbox.state.region('eu-central-2');
    eligible(region, 'keeps-the-tagger-fresh');
    // An earlier run marked the snapshot, then stopped before DeregisterImage; since then someone
    // disabled the AMI.
    const marked = region.addSnapshot({ description: 'marked by an earlier run' });
    const disabled = region.addImage({
      name: 'marked-then-disabled',
      state: 'disabled',
      creationDate: stamp(60 * DAY),
      snapshotIds: [marked.id],
      tags: { AutoCleanup: 'true' },
    });
    marked.tags.AutoCleanupPendingDeletion = disabled.id;
    const snapshot = marked.id;

    const { summaries, logs } = await run('eu-central-2');

    expect(region.snapshotExists(snapshot)).toBe(true);
    expect(summaries[0]!.counts).toMatchObject({ snapshotsDeleted: 1, snapshotsDeferred: 0, failed: 0 });
    expect(decisionsFor(logs, snapshot)[0]).toMatchObject({
      action: 'plan-snapshot-keep',
      reason: expect.stringContaining(`${disabled.id} still exists`),
    });
  });
});
