/**
 * Stale pending-deletion marks, end to end: the real cleanup handler on the local account.
 *
 * A run that marked an AMI's snapshots (AutoCleanupPendingDeletion=<ami>) and then stopped before
 * DeregisterImage leaves the marks behind. If the AMI is kept from then on and, much later, somebody
 * deregisters it by hand keeping its snapshots, a stale mark would get those snapshots deleted.
 * Cleanup removes such marks, and then a deregistration by hand deletes nothing.
 */
import { describe, expect, it } from '@jest/globals';
import { CreateTagsCommand, DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';

import type { RegionState } from '../../../sandbox/state/region';
import { handler } from '../../../functions/cleanup/handler';
import { DAY, MINUTE, decisionsFor, invoke, stamp, useSandboxEnv } from '../../helpers/harness';
import { useCleanupFixture } from '../../helpers/cleanup-fixture';

const MARK = 'AutoCleanupPendingDeletion';

const fx = useCleanupFixture();

const run = fx.run;

/**
 * An opted-in AMI, unused for 30 days by its tags, whose two snapshots an interrupted run marked, and
 * which an instance has since started using; plus an AMI that is not opted in, to show a live tagger.
 */
function seed(region: RegionState) {
  const snapshots = [
    region.addSnapshot({ description: 'root' }),
    region.addSnapshot({ description: 'data' }),
  ];
  const image = region.addImage({
    name: 'interrupted-then-used',
    creationDate: stamp(90 * DAY),
    snapshotIds: snapshots.map((s) => s.id),
    tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
  });
  for (const s of snapshots) s.tags[MARK] = image.id;
  const instance = region.addInstance({ imageId: image.id });
  region.addImage({ name: 'base', snapshotIds: [], tags: { LastUsedRuntime: stamp(5 * MINUTE) } });
  return { image, instance, snapshotIds: snapshots.map((s) => s.id) };
}

const writes = () =>
  fx.sandbox.requests
    .all()
    .filter((r) => ['DeleteTags', 'CreateTags', 'DeregisterImage', 'DeleteSnapshot'].includes(r.action))
    .map((r) => r.action);

describe('cleanup and a mark left by an interrupted run, whose AMI is now in use', () => {
  it('removes the mark and deletes nothing; a later deregistration by hand then gets no snapshot deleted', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const { image, instance, snapshotIds } = seed(region);
    fx.sandbox.requests.reset();

    const first = await run('eu-west-1');

    expect(region.getImage(image.id)).toBeDefined();
    for (const id of snapshotIds) {
      expect(region.snapshotExists(id)).toBe(true);
      expect(region.tagsOf(id)![MARK]).toBeUndefined();
    }
    // One DeleteTags for both snapshots (same mark value); nothing deregistered or deleted.
    expect(writes()).toEqual(['DeleteTags']);
    expect(first.summaries[0]!.counts).toMatchObject({
      deleted: 0,
      snapshotsDeleted: 0,
      snapshotsToUnmark: 2,
      snapshotsUnmarked: 2,
      failed: 0,
    });
    expect(decisionsFor(first.logs, snapshotIds[0]!).map((d) => d.action)).toEqual([
      'plan-snapshot-unmark',
      'snapshot-unmarked',
    ]);
    expect(decisionsFor(first.logs, snapshotIds[0]!)[0]!.reason).toBe(
      `mark from an interrupted run; ${image.id} still exists and is kept (keep: in use by instance ${instance.id} (running)): ` +
        'mark removed so that a later deregistration by hand cannot get the snapshot deleted',
    );

    // Months later: the instance is gone and somebody deregisters the AMI by hand, keeping its snapshots.
    instance.state = 'terminated';
    region.removeImage(image.id);
    fx.sandbox.requests.reset();

    const second = await run('eu-west-1');

    for (const id of snapshotIds) expect(region.snapshotExists(id)).toBe(true);
    expect(writes()).toEqual([]);
    expect(second.summaries[0]!.counts).toMatchObject({ snapshotsDeleted: 0, snapshotsUnmarked: 0 });
  });

  it('in a dry run, says it would remove the mark and leaves it', async () => {
    const region = fx.sandbox.state.region('eu-central-1');
    const { snapshotIds } = seed(region);
    fx.sandbox.requests.reset();

    useSandboxEnv(fx.sandbox, { REGIONS: 'eu-central-1' }, 'cleanup'); // DRY_RUN not set: true
    const { summaries, logs } = await invoke(handler);

    expect(writes()).toEqual([]);
    for (const id of snapshotIds) expect(region.tagsOf(id)![MARK]).toBeDefined();
    expect(summaries[0]!.counts).toMatchObject({ snapshotsToUnmark: 2, snapshotsUnmarked: 0 });
    expect(decisionsFor(logs, snapshotIds[0]!)).toEqual([
      expect.objectContaining({
        action: 'plan-snapshot-unmark',
        reason: expect.stringMatching(/cannot get the snapshot deleted \(dry run: the mark stays\)$/),
      }),
    ]);
  });

  it('keeps the mark of an AMI the run deletes, and deletes its snapshots with it', async () => {
    const region = fx.sandbox.state.region('eu-west-3');
    const snapshot = region.addSnapshot({ description: 'root' });
    const image = region.addImage({
      name: 'interrupted-still-eligible',
      creationDate: stamp(90 * DAY),
      snapshotIds: [snapshot.id],
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    });
    snapshot.tags[MARK] = image.id;
    fx.sandbox.requests.reset();

    const { summaries } = await run('eu-west-3');

    expect(region.getImage(image.id)).toBeUndefined();
    expect(region.snapshotExists(snapshot.id)).toBe(false);
    expect(writes()).toEqual(['CreateTags', 'DeregisterImage', 'DeleteSnapshot']);
    expect(summaries[0]!.counts).toMatchObject({ deleted: 1, snapshotsDeleted: 1, snapshotsUnmarked: 0 });
  });
});

describe("the local account's DeleteTags", () => {
  it('removes a tag given with a value only where the value matches, as EC2 does', async () => {
    const region = fx.sandbox.state.region('eu-north-1');
    const rewritten = region.addSnapshot({ tags: { [MARK]: 'ami-0new' } });
    const stale = region.addSnapshot({ tags: { [MARK]: 'ami-0old' } });
    const ec2 = new EC2Client({
      region: 'eu-north-1',
      endpoint: fx.sandbox.url,
      credentials: fx.sandbox.credentials('admin'),
    });
    try {
      await ec2.send(
        new DeleteTagsCommand({
          Resources: [rewritten.id, stale.id],
          Tags: [{ Key: MARK, Value: 'ami-0old' }],
        }),
      );
      expect(region.tagsOf(rewritten.id)![MARK]).toBe('ami-0new');
      expect(region.tagsOf(stale.id)![MARK]).toBeUndefined();
      // And a key without a value removes the tag whatever its value.
      await ec2.send(new CreateTagsCommand({ Resources: [stale.id], Tags: [{ Key: MARK, Value: 'x' }] }));
      await ec2.send(new DeleteTagsCommand({ Resources: [stale.id], Tags: [{ Key: MARK }] }));
      expect(region.tagsOf(stale.id)![MARK]).toBeUndefined();
    } finally {
      ec2.destroy();
    }
  });
});
