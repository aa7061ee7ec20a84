import { describe, expect, it } from '@jest/globals';

import type { RegionState } from '../../../sandbox/state/region';
import { makeCleanupHandler } from '../../../functions/cleanup/handler';
import {
  DETAIL_TYPE,
  EVENT_SOURCE,
  type CleanupRefusedDetail,
  type RunSummaryDetail,
} from '../../../shared/events';
import {
  DAY,
  decisionsFor,
  fakeContext,
  invoke,
  MINUTE,
  NO_BACKOFF,
  stamp,
  useSandboxEnv,
} from '../../helpers/harness';
import { addEligibleImage, useCleanupFixture } from '../../helpers/cleanup-fixture';

// The product's attempts per call without the backoff between them: injected faults cost no waiting.
const handler = makeCleanupHandler(NO_BACKOFF);
const fx = useCleanupFixture({ handler });

/** An AMI every safety rule allows deleting: opted in, unused for 30 days, tagger seen 5 min ago. */
const eligible = (region: RegionState, name: string, tags: Record<string, string> = {}) =>
  addEligibleImage(region, name, { tags });

const run = fx.run;

const WRITES = ['CreateTags', 'DeleteTags', 'DeregisterImage', 'DeleteSnapshot'];

describe('cleanup handler against the local account', () => {
  it('deletes exactly the eligible AMIs and their snapshots, and says why for every AMI', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const old = eligible(region, 'old');
    const recent = eligible(region, 'recent', { LastUsed: stamp(2 * DAY) });
    const notOptedIn = region.addImage({
      name: 'manual',
      creationDate: stamp(90 * DAY),
      tags: { LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    });
    const stoppedUser = eligible(region, 'stale-tag-but-used'); // LastUsed is old, yet an instance uses it now
    region.addInstance({ imageId: stoppedUser.id, state: 'stopped' });
    const zeroGroupUser = eligible(region, 'scaled-to-zero');
    region.addLaunchConfiguration({ name: 'lc', imageId: zeroGroupUser.id });
    region.addAutoScalingGroup({ name: 'asleep', launchConfigurationName: 'lc', desiredCapacity: 0 });
    const yesterday = eligible(region, 'bad-lastused', { LastUsed: 'yesterday' });
    const maybe = eligible(region, 'bad-optin', { AutoCleanup: 'maybe' });
    const protectedImage = region.addImage({
      name: 'protected',
      creationDate: stamp(90 * DAY),
      deregistrationProtection: true,
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    });
    const neverUsed = region.addImage({
      name: 'never-used',
      creationDate: stamp(20 * DAY),
      tags: { AutoCleanup: 'TRUE', LastUsedRuntime: stamp(5 * MINUTE) },
    });
    // Two AMIs sharing a snapshot: deleting one must keep the snapshot the other still needs.
    const shared = region.addSnapshot({ description: 'shared' });
    const sharing = region.addImage({
      name: 'sharing-old',
      creationDate: stamp(90 * DAY),
      snapshotIds: [shared.id],
      tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY), LastUsedRuntime: stamp(5 * MINUTE) },
    });
    const keeper = region.addImage({ name: 'sharing-kept', snapshotIds: [shared.id], tags: {} });
    const oldSnapshot = old.blockDeviceMappings[0]!.snapshotId!;

    const { summaries, logs } = await run('eu-west-1');

    const remaining = new Set(region.images().map((i) => i.id));
    for (const gone of [old, neverUsed, sharing]) expect(remaining.has(gone.id)).toBe(false);
    for (const kept of [
      recent,
      notOptedIn,
      stoppedUser,
      zeroGroupUser,
      yesterday,
      maybe,
      protectedImage,
      keeper,
    ]) {
      expect(remaining.has(kept.id)).toBe(true);
    }
    expect(region.snapshotExists(oldSnapshot)).toBe(false);
    expect(region.snapshotExists(neverUsed.blockDeviceMappings[0]!.snapshotId!)).toBe(false);
    expect(region.snapshotExists(shared.id)).toBe(true);
    expect(region.tagsOf(shared.id)!.AutoCleanupPendingDeletion).toBeUndefined();

    // Malformed tags: skipped, reported with the tag, the value and what was expected.
    const summary = summaries[0]!;
    expect(summary.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: yesterday.id,
        tag: 'LastUsed',
        value: 'yesterday',
        expected: expect.stringContaining('ISO 8601'),
      }),
    );
    expect(summary.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: maybe.id,
        tag: 'AutoCleanup',
        value: 'maybe',
        expected: 'true or false',
        rule: 'unreadable-tags',
      }),
    );
    // Every decision line names the plan rule that made it, so logs can be filtered by rule.
    expect(decisionsFor(logs, maybe.id)[0]).toMatchObject({
      action: 'plan-skip',
      rule: 'unreadable-tags',
      tagProblem: { tag: 'AutoCleanup' },
    });
    expect(decisionsFor(logs, stoppedUser.id)[0]).toMatchObject({ action: 'plan-keep', rule: 'in-use' });
    expect(decisionsFor(logs, old.id)[0]).toMatchObject({ action: 'plan-delete', rule: 'eligible' });
    expect(decisionsFor(logs, stoppedUser.id)[0]!.reason).toContain('stopped');
    expect(decisionsFor(logs, zeroGroupUser.id)[0]!.reason).toContain('asleep');
    expect(decisionsFor(logs, old.id).map((d) => d.action)).toEqual(['plan-delete', 'deregistered']);
    expect(summary.counts).toMatchObject({ deleted: 3, snapshotsDeleted: 2, failed: 0, refused: 0 });
    // The summary names what is gone (the notifier's message lists it), each AMI with its snapshots.
    const names = new Map([
      [old.id, 'old'],
      [neverUsed.id, 'never-used'],
      [sharing.id, 'sharing-old'],
    ]);
    expect([...(summary.deleted ?? [])].sort((a, b) => a.imageId.localeCompare(b.imageId))).toEqual(
      [
        { imageId: old.id, snapshotIds: [oldSnapshot] },
        { imageId: neverUsed.id, snapshotIds: [neverUsed.blockDeviceMappings[0]!.snapshotId!] },
        { imageId: sharing.id, snapshotIds: [] },
      ]
        .map((d) => ({ ...d, name: names.get(d.imageId) }))
        .sort((a, b) => a.imageId.localeCompare(b.imageId)),
    );
    expect(summary).toMatchObject({
      function: 'cleanup',
      dryRun: false,
      incomplete: false,
      accountId: '123456789012',
    });

    // The summary event is on EventBridge.
    const events = fx.sandbox.state.events.filter(
      (e) => e.region === 'eu-west-1' && e.source === EVENT_SOURCE,
    );
    expect(events.map((e) => e.detailType)).toEqual([DETAIL_TYPE.runSummary]);
    expect((events[0]!.detail as RunSummaryDetail).counts.deleted).toBe(3);
  });

  it('refuses to delete anything when the tagger is stale, and says so on EventBridge', async () => {
    const region = fx.sandbox.state.region('eu-west-2');
    const a = eligible(region, 'a', { LastUsedRuntime: stamp(3 * 60 * MINUTE) });
    const b = eligible(region, 'b', { LastUsedRuntime: stamp(2 * 60 * MINUTE) });
    fx.sandbox.requests.reset();

    const { summaries, logs } = await run('eu-west-2');

    expect(region.getImage(a.id)).toBeDefined();
    expect(region.getImage(b.id)).toBeDefined();
    expect(fx.sandbox.requests.all().filter((r) => WRITES.includes(r.action))).toEqual([]);
    expect(summaries[0]!.counts).toMatchObject({ refused: 1, deleted: 0 });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', type: 'refused' }));
    const refused = fx.sandbox.state.events.find(
      (e) => e.region === 'eu-west-2' && e.detailType === DETAIL_TYPE.cleanupRefused,
    );
    const detail = refused!.detail as CleanupRefusedDetail;
    expect(detail.reason).toContain('is the tagger running?');
    expect(detail.newestLastUsedRuntime).toBe(b.tags.LastUsedRuntime);
  });

  it('refuses when a launch template names its AMI through an SSM parameter that does not exist', async () => {
    const region = fx.sandbox.state.region('ap-northeast-1');
    const a = eligible(region, 'a');
    region.addLaunchTemplate({ name: 'mystery', versions: [{ imageId: 'resolve:ssm:/images/missing' }] });

    const { summaries } = await run('ap-northeast-1');

    expect(region.getImage(a.id)).toBeDefined();
    expect(summaries[0]!.counts).toMatchObject({ refused: 1, deleted: 0 });
    expect(summaries[0]!.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: '/images/missing',
        reason: expect.stringContaining('ParameterNotFound'),
      }),
    );
  });

  it('writes nothing in a dry run (the default) but reports what it would delete', async () => {
    const region = fx.sandbox.state.region('eu-north-1');
    const a = eligible(region, 'a');
    fx.sandbox.requests.reset();

    useSandboxEnv(fx.sandbox, { REGIONS: 'eu-north-1' }, 'cleanup'); // DRY_RUN not set: true
    const { summaries, logs } = await invoke(handler);

    expect(region.getImage(a.id)).toBeDefined();
    expect(fx.sandbox.requests.all().filter((r) => r.service === 'ec2' && WRITES.includes(r.action))).toEqual(
      [],
    );
    expect(summaries[0]).toMatchObject({ dryRun: true, counts: { planned: 1, deleted: 0 } });
    expect(decisionsFor(logs, a.id)[0]!.reason).toContain('dry run');
  });

  it('survives throttling on reads and writes', async () => {
    const region = fx.sandbox.state.region('eu-south-1');
    const images = [eligible(region, 'a'), eligible(region, 'b'), eligible(region, 'c')];
    for (const action of ['DescribeImages', 'DescribeSnapshots', 'DeregisterImage', 'DeleteSnapshot']) {
      fx.sandbox.faults.add({
        service: 'ec2',
        action,
        region: 'eu-south-1',
        code: 'RequestLimitExceeded',
        times: 2,
      });
    }
    fx.sandbox.faults.add({ service: 'autoscaling', region: 'eu-south-1', code: 'Throttling', times: 2 });
    fx.sandbox.requests.reset();

    const { summaries } = await run('eu-south-1');

    expect(fx.sandbox.requests.errors().filter((e) => e.injected).length).toBeGreaterThanOrEqual(6);
    expect(summaries[0]!.failures).toEqual([]);
    for (const image of images) expect(region.getImage(image.id)).toBeUndefined();
    expect(region.snapshots()).toEqual([]);
  });

  it('records one failed deregistration and deletes the rest', async () => {
    const region = fx.sandbox.state.region('us-west-1');
    const images = Array.from({ length: 6 }, (_, i) => eligible(region, `img-${i}`));
    const failing = images[2]!;
    fx.sandbox.faults.add({
      action: 'DeregisterImage',
      resourceId: failing.id,
      code: 'UnauthorizedOperation',
    });

    const { summaries } = await run('us-west-1');

    expect(region.images().map((i) => i.id)).toEqual([failing.id]);
    const summary = summaries[0]!;
    expect(summary.failures).toEqual([
      expect.objectContaining({
        resourceId: failing.id,
        action: 'DeregisterImage',
        message: expect.stringContaining('UnauthorizedOperation'),
      }),
    ]);
    expect(summary.counts).toMatchObject({ deleted: 5, failed: 1 });
    // Its snapshot was marked before the failed call, but is never deleted while the AMI exists.
    const snapshot = failing.blockDeviceMappings[0]!.snapshotId!;
    expect(region.snapshotExists(snapshot)).toBe(true);

    fx.sandbox.faults.clear();
    const second = await run('us-west-1');
    // The next run plans the AMI again and deletes it with its (already marked) snapshot.
    expect(region.snapshotExists(snapshot)).toBe(false);
    expect(second.summaries[0]!.counts).toMatchObject({ deleted: 1 });
    expect(region.images()).toEqual([]);
  });

  it('leaves a snapshot AWS still reports in use for a later run, which deletes it', async () => {
    const region = fx.sandbox.state.region('us-west-2');
    const image = eligible(region, 'a');
    eligible(region, 'keeps-the-tagger-fresh', { LastUsed: stamp(1 * DAY) });
    const snapshot = image.blockDeviceMappings[0]!.snapshotId!;
    fx.sandbox.faults.add({
      action: 'DeleteSnapshot',
      resourceId: snapshot,
      code: 'InvalidSnapshot.InUse',
      times: 1,
    });

    const first = await run('us-west-2');
    expect(region.getImage(image.id)).toBeUndefined();
    expect(region.snapshotExists(snapshot)).toBe(true);
    expect(region.tagsOf(snapshot)).toMatchObject({ AutoCleanupPendingDeletion: image.id });
    expect(first.summaries[0]!.counts).toMatchObject({ deleted: 1, snapshotsDeferred: 1, failed: 0 });

    const second = await run('us-west-2');
    expect(region.snapshotExists(snapshot)).toBe(false);
    expect(second.summaries[0]!.counts).toMatchObject({ deleted: 0, snapshotsDeleted: 1 });
  });

  it('stops cleanly when its time budget is spent, and the next run finishes the work', async () => {
    const region = fx.sandbox.state.region('sa-east-1');
    const images = Array.from({ length: 20 }, (_, i) => eligible(region, `img-${i}`));
    // Slow deregistrations so the budget (20 s safety margin + 1.5 s) runs out mid-run.
    const slow = fx.sandbox.faults.add({ action: 'DeregisterImage', region: 'sa-east-1', delayMs: 600 });

    useSandboxEnv(fx.sandbox, { REGIONS: 'sa-east-1', DRY_RUN: 'false' }, 'cleanup');
    const first = await invoke(handler, fakeContext(21_500));
    const summary = first.summaries[0]!;
    expect(summary.incomplete).toBe(true);
    expect(summary.counts.deleted).toBeLessThan(20);
    expect(summary.failures).toEqual([]);
    // Nothing half-done is lost: every snapshot of a deregistered AMI is gone or marked for later.
    for (const image of images) {
      const snapshot = image.blockDeviceMappings[0]!.snapshotId!;
      if (!region.getImage(image.id) && region.snapshotExists(snapshot)) {
        expect(region.tagsOf(snapshot)!.AutoCleanupPendingDeletion).toBe(image.id);
      }
    }

    fx.sandbox.faults.remove(slow.id);
    const second = await invoke(handler, fakeContext());
    expect(second.summaries[0]!.incomplete).toBe(false);
    expect(region.images()).toEqual([]);
    expect(region.snapshots()).toEqual([]);
  });

  it('fails the invocation when a setting is invalid, naming it', async () => {
    useSandboxEnv(fx.sandbox, { REGIONS: 'eu-west-1', RETENTION_DAYS: 'seven' }, 'cleanup');
    await expect(invoke(handler)).rejects.toThrow(
      'RETENTION_DAYS="seven" is not valid: expected a whole number of days >= 1',
    );
  });
});
