/**
 * Retirement in stages, end to end: the real cleanup handler, signed as its own role on the local
 * account (IAM enforced), on a virtual clock that moves a day at a time. The tagger is played by the
 * test: it refreshes LastUsedRuntime on every AMI before each run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';

import { makeCleanupHandler } from '../../../functions/cleanup/handler';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import type { ImageRecord } from '../../../sandbox/state/records';
import type { RegionState } from '../../../sandbox/state/region';
import { DAY, MINUTE, NO_BACKOFF, invoke, stamp, useSandboxEnv } from '../../helpers/harness';

const REGION = 'eu-west-1';
const T0 = Date.parse('2026-11-02T03:00:05Z');
const DEPRECATED_AT = 'AutoCleanupDeprecatedAt';
const DISABLED_AT = 'AutoCleanupDisabledAt';
const WRITES = [
  'CreateTags',
  'DeleteTags',
  'EnableImageDeprecation',
  'DisableImageDeprecation',
  'DisableImage',
  'EnableImage',
  'DeregisterImage',
  'DeleteSnapshot',
];

let sandbox: Sandbox;
let region: RegionState;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(() => {
  sandbox.faults.clear();
  for (const image of [...region.imageTable.values()]) region.removeImage(image.id);
  for (const instance of region.instanceTable.values()) instance.state = 'terminated';
});

/** Runs cleanup `days` after T0, after the "tagger" refreshed every AMI's LastUsedRuntime. */
async function runOn(days: number, settings: Record<string, string> = {}) {
  const now = T0 + days * DAY;
  for (const image of region.imageTable.values()) image.tags.LastUsedRuntime = stamp(5 * MINUTE, now);
  useSandboxEnv(
    sandbox,
    { REGIONS: REGION, DRY_RUN: 'false', DEPRECATE_GRACE_DAYS: '7', DISABLE_GRACE_DAYS: '7', ...settings },
    'cleanup',
  );
  sandbox.requests.reset();
  const run = await invoke(makeCleanupHandler({ clock: () => now, ...NO_BACKOFF }));
  const writes = sandbox.requests
    .all()
    .filter((r) => r.service === 'ec2' && WRITES.includes(r.action) && !r.injected);
  // Signed as the function: nothing it asked for was refused by its role.
  expect(writes.filter((r) => r.errorCode === 'UnauthorizedOperation')).toEqual([]);
  return { ...run, writes: writes.map((r) => r.action) };
}

function seedUnused(name: string, tags: Record<string, string> = {}): ImageRecord {
  region = sandbox.state.region(REGION);
  return region.addImage({
    name,
    creationDate: stamp(90 * DAY, T0),
    tags: { AutoCleanup: 'true', LastUsed: stamp(30 * DAY, T0), ...tags },
  });
}

function admin() {
  return new EC2Client({ region: REGION, endpoint: sandbox.url, credentials: sandbox.credentials('admin') });
}

describe('an unused AMI retires in stages', () => {
  it('is deprecated, disabled after the first grace, and deregistered with its snapshot after the second', async () => {
    const image = seedUnused('retiring');
    const snapshotId = image.blockDeviceMappings[0]!.snapshotId!;

    const day0 = await runOn(0);
    expect(day0.writes).toEqual(['CreateTags', 'EnableImageDeprecation']);
    expect(image.tags[DEPRECATED_AT]).toBe('2026-11-02T03:00:05Z');
    const described = await admin().send(new DescribeImagesCommand({ ImageIds: [image.id] }));
    expect(described.Images?.[0]?.DeprecationTime).toBe('2026-11-02T03:00:00Z');
    expect(day0.summaries[0]!.counts).toMatchObject({ deprecated: 1, deleted: 0, toDeprecate: 1 });

    const day3 = await runOn(3);
    expect(day3.writes).toEqual([]);
    expect(day3.summaries[0]!.counts).toMatchObject({ keptStaged: 1 });

    const day7 = await runOn(7);
    expect(day7.writes).toEqual(['CreateTags', 'DisableImage']);
    expect(image.state).toBe('disabled');
    // Whatever still launches from it now fails loudly, with EC2's own error.
    await expect(
      admin().send(new RunInstancesCommand({ ImageId: image.id, MinCount: 1, MaxCount: 1 })),
    ).rejects.toMatchObject({ name: 'InvalidAMIID.Unavailable' });
    // Listed only with IncludeDisabled.
    const plain = await admin().send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(plain.Images?.map((i) => i.ImageId)).not.toContain(image.id);

    expect((await runOn(10)).writes).toEqual([]);

    const day14 = await runOn(14);
    expect(day14.writes).toEqual(['CreateTags', 'DeregisterImage', 'DeleteSnapshot']);
    expect(region.getImage(image.id)).toBeUndefined();
    expect(region.snapshotExists(snapshotId)).toBe(false);
  });

  it('with both grace periods 0, deregisters in one run as before', async () => {
    const image = seedUnused('one-step');
    const run = await runOn(0, { DEPRECATE_GRACE_DAYS: '0', DISABLE_GRACE_DAYS: '0' });
    expect(run.writes).toEqual(['CreateTags', 'DeregisterImage', 'DeleteSnapshot']);
    expect(region.getImage(image.id)).toBeUndefined();
  });
});

describe('a staged AMI given back', () => {
  it('a disabled AMI found in use is re-enabled, its deprecation cancelled, and its clock starts again', async () => {
    const image = seedUnused('disabled-then-used');
    await runOn(0);
    await runOn(7);
    expect(image.state).toBe('disabled');
    // An instance launched before it was disabled keeps running from it.
    const instance = region.addInstance({ imageId: image.id });

    const day8 = await runOn(8);
    expect(day8.writes).toEqual(['EnableImage', 'DisableImageDeprecation', 'DeleteTags']);
    expect(image.state).toBe('available');
    expect(image.deprecationTime).toBeUndefined();
    expect(image.tags[DEPRECATED_AT]).toBeUndefined();
    expect(image.tags[DISABLED_AT]).toBeUndefined();
    expect(day8.summaries[0]!.counts).toMatchObject({ restored: 1 });

    // The instance goes on day 9 and the tagger records it: the retention runs from then.
    region.getInstance(instance.id)!.state = 'terminated';
    image.tags.LastUsed = stamp(0, T0 + 9 * DAY);
    expect((await runOn(12)).writes).toEqual([]);
    expect((await runOn(17)).writes).toEqual(['CreateTags', 'EnableImageDeprecation']);
  });

  it('AutoCleanupKeepUntil on a deprecated AMI cancels the deprecation', async () => {
    const image = seedUnused('kept-by-owner');
    await runOn(0);
    image.tags.AutoCleanupKeepUntil = '2026-12-31';
    const run = await runOn(2);
    expect(run.writes).toEqual(['DisableImageDeprecation', 'DeleteTags']);
    expect(image.deprecationTime).toBeUndefined();
    expect(image.tags[DEPRECATED_AT]).toBeUndefined();
  });

  it("a person's own deprecation is neither cancelled nor counted", async () => {
    const image = seedUnused('theirs');
    image.deprecationTime = '2026-10-01T00:00:00Z';
    const day0 = await runOn(0);
    expect(day0.writes).toEqual(['CreateTags']);
    image.tags.AutoCleanupKeepUntil = '2026-12-31';
    expect((await runOn(1)).writes).toEqual(['DeleteTags']);
    expect(image.deprecationTime).toBe('2026-10-01T00:00:00Z');
  });
});

describe('adversaries', () => {
  it('a forged AutoCleanupDisabledAt=2020-01-01 on an available AMI is reported and removed; no grace is skipped', async () => {
    const image = seedUnused('forged', { [DISABLED_AT]: '2020-01-01T00:00:00Z' });
    const run = await runOn(0);
    expect(run.writes).toEqual(['DeleteTags']);
    expect(image.state).toBe('available');
    expect(image.tags[DISABLED_AT]).toBeUndefined();
    expect(run.summaries[0]!.counts).toMatchObject({ tagProblems: 1, stageTagsReset: 1, deleted: 0 });
    const problem = run.logs.find((l) => l.type === 'tag-problem' && l.resourceId === image.id);
    expect(String(problem?.message)).toContain('AutoCleanupDisabledAt="2020-01-01T00:00:00Z"');
    // The next run starts at the first stage.
    expect((await runOn(1)).writes).toEqual(['CreateTags', 'EnableImageDeprecation']);
  });

  it('DisableImage denied: recorded, the AMI stays available and its disabled tag is removed again', async () => {
    const image = seedUnused('denied');
    await runOn(0);
    sandbox.faults.add({ action: 'DisableImage', resourceId: image.id, code: 'UnauthorizedOperation' });
    const run = await runOn(7);
    expect(image.state).toBe('available');
    expect(image.tags[DISABLED_AT]).toBeUndefined();
    expect(image.tags[DEPRECATED_AT]).toBeDefined();
    expect(run.summaries[0]!.failures).toEqual([
      expect.objectContaining({ resourceId: image.id, action: 'DisableImage' }),
    ]);
    sandbox.faults.clear();
    expect((await runOn(8)).writes).toEqual(['CreateTags', 'DisableImage']);
  });

  it('EnableImage throttled past the retries: the AMI keeps its stage and tags; the next run gives it back', async () => {
    const image = seedUnused('throttled');
    await runOn(0);
    await runOn(7);
    region.addInstance({ imageId: image.id });
    sandbox.faults.add({ action: 'EnableImage', code: 'RequestLimitExceeded' });
    const run = await runOn(8, { AWS_MAX_ATTEMPTS: '2' });
    expect(image.state).toBe('disabled');
    expect(image.tags[DISABLED_AT]).toBeDefined();
    expect(run.summaries[0]!.failures.map((f) => f.action)).toEqual(['EnableImage']);
    sandbox.faults.clear();
    await runOn(9);
    expect(image.state).toBe('available');
  });
});
