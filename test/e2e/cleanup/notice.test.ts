/**
 * Notice before deletion, end to end: the real cleanup handler signed as its own role on the local
 * account, on a virtual clock. AMIs whose next retirement step falls within NOTICE_DAYS are listed in
 * an "EC2 Hygiene Deletion Notice" event; the notifier turns it into one message; an owner's
 * AutoCleanupKeepUntil keeps the AMI and takes it off the next notice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { makeCleanupHandler } from '../../../functions/cleanup/handler';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import type { RegionState } from '../../../sandbox/state/region';
import { DETAIL_TYPE, EVENT_SOURCE, type DeletionNoticeDetail } from '../../../shared/events';
import { normaliseEvent } from '../../../shared/notify';
import { DAY, MINUTE, NO_BACKOFF, invoke, stamp, useSandboxEnv } from '../../helpers/harness';

const REGION = 'eu-west-3';
const T0 = Date.parse('2026-11-02T03:00:05Z');

let sandbox: Sandbox;
let region: RegionState;
beforeAll(async () => {
  sandbox = await startSandbox();
  region = sandbox.state.region(REGION);
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(() => {
  for (const image of [...region.imageTable.values()]) region.removeImage(image.id);
  sandbox.state.events.splice(0);
});

/** Runs cleanup `days` after T0, after the "tagger" refreshed every AMI's LastUsedRuntime. */
async function runOn(days: number, settings: Record<string, string> = {}) {
  const now = T0 + days * DAY;
  for (const image of region.imageTable.values()) image.tags.LastUsedRuntime = stamp(5 * MINUTE, now);
  useSandboxEnv(sandbox, { REGIONS: REGION, DRY_RUN: 'false', NOTICE_DAYS: '3', ...settings }, 'cleanup');
  const run = await invoke(makeCleanupHandler({ clock: () => now, ...NO_BACKOFF }));
  const notices = sandbox.state.events.filter(
    (e) => e.region === REGION && e.source === EVENT_SOURCE && e.detailType === DETAIL_TYPE.deletionNotice,
  );
  sandbox.state.events.splice(0);
  return { ...run, notices: notices.map((e) => e.detail as DeletionNoticeDetail) };
}

/** An opted-in AMI last used `daysAgo` days before T0 (retention 7 days). */
function seed(name: string, daysAgo: number, tags: Record<string, string> = {}) {
  return region.addImage({
    name,
    creationDate: stamp(90 * DAY, T0),
    tags: { AutoCleanup: 'true', LastUsed: stamp(daysAgo * DAY, T0), ...tags },
  });
}

describe('notice before deletion', () => {
  it('lists the AMIs that go within the notice period, with the date; an owner keeps one with AutoCleanupKeepUntil', async () => {
    const soon = seed('soon', 5); // deleted from day 2
    const later = seed('later', 1); // deleted from day 6: not within 3 days at day 0
    const optedOut = seed('manual', 6, { AutoCleanup: 'false' });

    const day0 = await runOn(0);
    expect(day0.notices).toHaveLength(1);
    const notice = day0.notices[0]!;
    expect(notice).toMatchObject({ region: REGION, noticeDays: 3, dryRun: false });
    expect(notice.images).toEqual([
      { imageId: soon.id, name: 'soon', step: 'deregister', on: stamp(-2 * DAY, T0).replace(/\.\d+Z$/, 'Z') },
    ]);
    expect(notice.images.map((i) => i.imageId)).not.toContain(later.id);
    expect(notice.images.map((i) => i.imageId)).not.toContain(optedOut.id);
    expect(day0.summaries[0]!.counts.noticeImages).toBe(1);

    // The notifier's message names the AMI, its date, and the command that keeps it.
    const message = normaliseEvent({
      source: EVENT_SOURCE,
      'detail-type': DETAIL_TYPE.deletionNotice,
      detail: notice,
    });
    expect(message.kind === 'notify' && message.notification.reason).toContain(
      `${soon.id} (soon): deregistered with its snapshots from ${notice.images[0]!.on.slice(0, 10)}`,
    );
    expect(message.kind === 'notify' && message.notification.reason).toContain(
      `--resources ${soon.id} --tags Key=AutoCleanupKeepUntil,Value=`,
    );

    // The owner answers the notice: keep it through the end of the month.
    region.getImage(soon.id)!.tags.AutoCleanupKeepUntil = '2026-11-30';
    const day3 = await runOn(3);
    expect(region.getImage(soon.id)).toBeDefined();
    expect(day3.logs).toContainEqual(
      expect.objectContaining({ resourceId: soon.id, action: 'plan-keep', rule: 'keep-until' }),
    );
    // Day 3: `later` now goes within 3 days (day 6); `soon` is kept until 2026-11-30, far off.
    expect(day3.notices[0]!.images.map((i) => i.imageId)).toEqual([later.id]);

    // Three days before the keep-until date runs out, the notice lists it again.
    const day26 = await runOn(26);
    expect(day26.notices[0]!.images).toContainEqual(
      expect.objectContaining({ imageId: soon.id, step: 'deregister', on: '2026-12-01T00:00:00Z' }),
    );
  });

  it('with stages, names the next stage and its date; a malformed keep tag keeps the AMI and is reported', async () => {
    const first = seed('first', 6); // eligible from day 1: deprecated then
    const bad = seed('bad-keep', 6, { AutoCleanupKeepUntil: 'next week' });
    const run = await runOn(0, { DEPRECATE_GRACE_DAYS: '2', DISABLE_GRACE_DAYS: '2' });
    expect(run.notices[0]!.images).toEqual([
      expect.objectContaining({ imageId: first.id, step: 'deprecate' }),
    ]);
    expect(run.summaries[0]!.skipped).toContainEqual(
      expect.objectContaining({ resourceId: bad.id, tag: 'AutoCleanupKeepUntil', value: 'next week' }),
    );
    // Deprecated on day 1: the notice that day names the disable, two days on.
    const day1 = await runOn(1, { DEPRECATE_GRACE_DAYS: '2', DISABLE_GRACE_DAYS: '2' });
    expect(day1.notices[0]!.images).toEqual([
      expect.objectContaining({ imageId: first.id, step: 'disable' }),
    ]);
  });

  it('sends no notice when NOTICE_DAYS is 0 (unset), nor while the run is refused', async () => {
    seed('soon', 5);
    expect((await runOn(0, { NOTICE_DAYS: '0' })).notices).toEqual([]);
    // The tagger is stale: nothing will happen, so no dates are promised.
    useSandboxEnv(sandbox, { REGIONS: REGION, DRY_RUN: 'false', NOTICE_DAYS: '3' }, 'cleanup');
    for (const image of region.imageTable.values()) image.tags.LastUsedRuntime = stamp(5 * DAY, T0);
    await invoke(makeCleanupHandler({ clock: () => T0, ...NO_BACKOFF }));
    expect(sandbox.state.events.filter((e) => e.detailType === DETAIL_TYPE.deletionNotice)).toEqual([]);
  });

  it('refuses a NOTICE_DAYS that is not a whole number of days up to 30, naming it', async () => {
    await expect(runOn(0, { NOTICE_DAYS: '45' })).rejects.toThrow(/NOTICE_DAYS="45".*0 to 30/);
  });
});
