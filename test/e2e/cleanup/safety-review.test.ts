/**
 * Safety review, end to end: the real handlers on the local account, for ways an AMI or snapshot
 * could be deleted (or a deletion attempted) while something the run did not see still uses it.
 */
import { describe, expect, it } from '@jest/globals';

import type { RegionState } from '../../../sandbox/state/region';
import { handler as taggerHandler } from '../../../functions/tagger/handler';
import { DAY, decisionsFor, invoke, stamp, useSandboxEnv } from '../../helpers/harness';
import { addEligibleImage, useCleanupFixture } from '../../helpers/cleanup-fixture';

const fx = useCleanupFixture();

const eligible = (region: RegionState, name: string, snapshotIds?: string[]) =>
  addEligibleImage(region, name, snapshotIds ? { snapshotIds } : {});

const run = (regionName: string) => fx.run(regionName);

describe('cleanup and disabled AMIs (DescribeImages leaves them out unless asked)', () => {
  it('keeps a snapshot that a disabled AMI still uses, and neither marks nor tries to delete it', async () => {
    const region = fx.sandbox.state.region('eu-west-3');
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
    const region = fx.sandbox.state.region('eu-central-2');
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
    // A disabled AMI is never deleted, so the mark can only do harm (a deregistration by hand would
    // get the snapshot deleted): it is removed (test/e2e/stale-marks.test.ts).
    expect(decisionsFor(logs, snapshot)[0]).toMatchObject({
      action: 'plan-snapshot-unmark',
      reason: expect.stringContaining(`${disabled.id} still exists`),
    });
    expect(region.tagsOf(snapshot)!.AutoCleanupPendingDeletion).toBeUndefined();
  });
});

describe('tagger with a usage reference it cannot resolve', () => {
  it('stamps the AMIs it saw in use, and leaves LastUsedRuntime alone on the rest', async () => {
    const region = fx.sandbox.state.region('ap-south-1');
    const oldRuntime = stamp(2 * DAY);
    const tags = { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: oldRuntime };
    const used = region.addImage({ name: 'used', creationDate: stamp(90 * DAY), tags });
    const idle = region.addImage({ name: 'idle', creationDate: stamp(90 * DAY), tags });
    region.addInstance({ imageId: used.id, state: 'running' });
    // The parameter does not exist: the template may launch `idle` for all this run can tell.
    region.addLaunchTemplate({ name: 'golden', versions: [{ imageId: 'resolve:ssm:/images/unreadable' }] });

    useSandboxEnv(fx.sandbox, { REGIONS: 'ap-south-1' }, 'tagger');
    const { summaries, logs } = await invoke(taggerHandler);

    expect(region.tagsOf(used.id)!.LastUsedRuntime).not.toBe(oldRuntime);
    expect(region.tagsOf(used.id)!.LastUsed).toBe(region.tagsOf(used.id)!.LastUsedRuntime);
    expect(region.tagsOf(idle.id)).toMatchObject({ LastUsedRuntime: oldRuntime, LastUsed: tags.LastUsed });
    expect(summaries[0]!.counts).toMatchObject({ taggedLastUsed: 1, taggedRuntime: 1 });
    expect(decisionsFor(logs, idle.id)[0]).toMatchObject({
      action: 'skip',
      reason: expect.stringContaining('LastUsedRuntime not refreshed'),
    });

    // And cleanup, reading the same account, deletes nothing.
    const cleanup = await run('ap-south-1');
    expect(region.getImage(idle.id)).toBeDefined();
    expect(cleanup.summaries[0]!.counts).toMatchObject({ refused: 1, deleted: 0 });
  });
});
