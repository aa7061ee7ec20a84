/**
 * The real cleanup handler on the local account with Recycle Bin retention rules (issue 14 §2): the
 * rules are read once per run (ListRules per type, GetRule per rule, signed as cleanup's role), each
 * deletion says until when it can be undone, and with REQUIRE_RECYCLE_BIN=true what no rule covers is
 * kept, and nothing is deregistered when the rules cannot be read.
 */
import { describe, expect, it } from '@jest/globals';

import { makeCleanupHandler } from '../../../functions/cleanup/handler';
import { seedRecycleBinRule } from '../../../sandbox/services/rbin';
import type { RegionState } from '../../../sandbox/state/region';
import { NO_BACKOFF, decisionsFor } from '../../helpers/harness';
import { addEligibleImage, useCleanupFixture } from '../../helpers/cleanup-fixture';

const NOW = Date.parse('2026-12-01T03:00:00Z');

const fx = useCleanupFixture({ handler: makeCleanupHandler({ ...NO_BACKOFF, clock: () => NOW }) });

/** Opted in, unused for 30 days, tagger seen 5 minutes ago, one snapshot: every other rule allows deleting it. */
const eligible = (region: RegionState, name: string, tags: Record<string, string> = {}) =>
  addEligibleImage(region, name, { tags, now: NOW });

const run = fx.run;

describe('cleanup with Recycle Bin retention rules', () => {
  it('required and absent: keeps the AMI, and says what no rule covers', async () => {
    const region = fx.sandbox.state.region('eu-west-1');
    const ami = eligible(region, 'no-rules');
    fx.sandbox.requests.reset();

    const { summaries, logs } = await run('eu-west-1', { REQUIRE_RECYCLE_BIN: 'true' });

    expect(region.getImage(ami.id)).toBeDefined();
    expect(region.getSnapshot(ami.blockDeviceMappings[0]!.snapshotId!)).toBeDefined();
    expect(decisionsFor(logs, ami.id)[0]).toMatchObject({
      action: 'plan-keep',
      rule: 'recycle-bin-required',
      reason: expect.stringMatching(
        new RegExp(
          `^requireRecycleBin is on and no available Recycle Bin retention rule covers the AMI ${ami.id}, so its deletion could not be undone: kept \\(otherwise: unused since`,
        ),
      ),
    });
    expect(summaries[0]!.counts).toMatchObject({ deleted: 0 });
    expect(summaries[0]!.failures).toEqual([]);
    expect(fx.sandbox.requests.count('rbin', 'ListRules')).toBe(2);
    expect(fx.sandbox.requests.count('ec2', 'DeregisterImage')).toBe(0);
  });

  it('required, the AMI covered but not its snapshot: kept, naming the snapshot', async () => {
    const region = fx.sandbox.state.region('eu-west-2');
    seedRecycleBinRule(region, {
      resourceType: 'EC2_IMAGE',
      retentionDays: 14,
      resourceTags: [{ key: 'AutoCleanup', value: 'true' }],
    });
    const ami = eligible(region, 'image-only');

    const { logs } = await run('eu-west-2', { REQUIRE_RECYCLE_BIN: 'true' });

    expect(region.getImage(ami.id)).toBeDefined();
    expect(decisionsFor(logs, ami.id)[0]).toMatchObject({
      action: 'plan-keep',
      reason: expect.stringContaining(
        `covers its snapshot ${ami.blockDeviceMappings[0]!.snapshotId}, so its deletion`,
      ),
    });
  });

  it('required and present: deletes the AMI and its snapshot, the reason giving the date and the rules', async () => {
    const region = fx.sandbox.state.region('eu-central-1');
    const images = seedRecycleBinRule(region, {
      resourceType: 'EC2_IMAGE',
      retentionDays: 14,
      resourceTags: [{ key: 'AutoCleanup', value: 'true' }],
    });
    const snapshots = seedRecycleBinRule(region, {
      resourceType: 'EBS_SNAPSHOT',
      retentionDays: 30,
      excludeTags: [{ key: 'Scratch' }],
      lockState: 'locked',
    });
    // A pending rule with a longer retention must not be the one named.
    seedRecycleBinRule(region, { resourceType: 'EC2_IMAGE', retentionDays: 60, status: 'pending' });
    const ami = eligible(region, 'covered');
    fx.sandbox.requests.reset();

    const { summaries, logs } = await run('eu-central-1', { REQUIRE_RECYCLE_BIN: 'true' });

    expect(region.getImage(ami.id)).toBeUndefined();
    expect(region.getSnapshot(ami.blockDeviceMappings[0]!.snapshotId!)).toBeUndefined();
    expect(decisionsFor(logs, ami.id)[0]).toMatchObject({
      action: 'plan-delete',
      reason: expect.stringContaining(
        `recoverable from the Recycle Bin until 2026-12-15 by rule ${images.Identifier} (image) / ${snapshots.Identifier} (locked) (snapshots)`,
      ),
    });
    expect(summaries[0]!.counts).toMatchObject({ deleted: 1 });
    expect(summaries[0]!.failures).toEqual([]);
    // Once per run: ListRules per type, GetRule per rule.
    expect(fx.sandbox.requests.count('rbin', 'ListRules')).toBe(2);
    expect(fx.sandbox.requests.count('rbin', 'GetRule')).toBe(3);
  });

  it('ListRules denied with the setting on: nothing is deregistered in the region, and the failure is reported', async () => {
    const region = fx.sandbox.state.region('us-east-1');
    seedRecycleBinRule(region, { resourceType: 'EC2_IMAGE', retentionDays: 14 });
    seedRecycleBinRule(region, { resourceType: 'EBS_SNAPSHOT', retentionDays: 14 });
    const a = eligible(region, 'a');
    const b = eligible(region, 'b');
    fx.sandbox.faults.add({
      service: 'rbin',
      action: 'ListRules',
      code: 'AccessDeniedException',
      message: 'User is not authorized to perform: rbin:ListRules',
    });

    const { summaries, logs } = await run('us-east-1', { REQUIRE_RECYCLE_BIN: 'true' });

    expect(region.getImage(a.id)).toBeDefined();
    expect(region.getImage(b.id)).toBeDefined();
    for (const ami of [a, b]) {
      expect(decisionsFor(logs, ami.id)[0]).toMatchObject({
        action: 'plan-keep',
        rule: 'recycle-bin-required',
        reason: expect.stringContaining('no AMI is deregistered in this region this run'),
      });
    }
    expect(summaries[0]!.counts).toMatchObject({ deleted: 0 });
    expect(summaries[0]!.failures).toEqual([
      {
        resourceId: 'us-east-1',
        action: 'rbin:ListRules',
        message: expect.stringMatching(
          /^could not read the Recycle Bin retention rules \(ListRules EC2_IMAGE failed: AccessDeniedException: .*\): requireRecycleBin is on, so no AMI was deregistered in this region/,
        ),
      },
    ]);
  });

  it('an outage with the setting off: the run goes on, and its deletions say recoverability is unknown', async () => {
    const region = fx.sandbox.state.region('ap-south-1');
    const ami = eligible(region, 'unknown');
    fx.sandbox.faults.add({ service: 'rbin', code: 'InternalServerException', status: 500 });
    fx.sandbox.requests.reset();

    const { summaries, logs } = await run('ap-south-1', { REQUIRE_RECYCLE_BIN: 'false' });

    expect(region.getImage(ami.id)).toBeUndefined();
    expect(decisionsFor(logs, ami.id)[0]).toMatchObject({
      action: 'plan-delete',
      reason: expect.stringContaining('whether it is recoverable from the Recycle Bin is unknown'),
    });
    expect(summaries[0]!.failures).toEqual([
      expect.objectContaining({
        action: 'rbin:ListRules',
        message: expect.stringContaining('requireRecycleBin is off, so the run went on'),
      }),
    ]);
    // The SDK's retry path was taken: 8 attempts (AWS_MAX_ATTEMPTS's default), then the failure.
    expect(fx.sandbox.requests.count('rbin', 'ListRules')).toBe(8);
  });

  it('a throttled ListRules is retried, and the run reads the rules', async () => {
    const region = fx.sandbox.state.region('sa-east-1');
    seedRecycleBinRule(region, { resourceType: 'EC2_IMAGE', retentionDays: 7 });
    seedRecycleBinRule(region, { resourceType: 'EBS_SNAPSHOT', retentionDays: 7 });
    const ami = eligible(region, 'throttled');
    fx.sandbox.faults.add({ service: 'rbin', action: 'ListRules', code: 'ThrottlingException', times: 2 });

    const { summaries, logs } = await run('sa-east-1', { REQUIRE_RECYCLE_BIN: 'true' });

    expect(summaries[0]!.failures).toEqual([]);
    expect(region.getImage(ami.id)).toBeUndefined();
    expect(decisionsFor(logs, ami.id)[0]!.reason).toContain(
      'recoverable from the Recycle Bin until 2026-12-08',
    );
  });

  it('a tag-level rule on someone else’s tag value, or an excluded AMI, does not count as covered', async () => {
    const region = fx.sandbox.state.region('ca-central-1');
    seedRecycleBinRule(region, {
      resourceType: 'EC2_IMAGE',
      retentionDays: 14,
      resourceTags: [{ key: 'Team', value: 'payments' }],
    });
    seedRecycleBinRule(region, {
      resourceType: 'EC2_IMAGE',
      retentionDays: 14,
      excludeTags: [{ key: 'Scratch', value: 'yes' }],
    });
    seedRecycleBinRule(region, { resourceType: 'EBS_SNAPSHOT', retentionDays: 14 });
    const excluded = eligible(region, 'excluded', { Team: 'Payments', Scratch: 'yes' });
    const covered = eligible(region, 'other-value', { Team: 'web' });

    const { logs } = await run('ca-central-1', { REQUIRE_RECYCLE_BIN: 'true' });

    expect(region.getImage(excluded.id)).toBeDefined();
    expect(decisionsFor(logs, excluded.id)[0]).toMatchObject({ rule: 'recycle-bin-required' });
    // Covered by the Region-level rule: not excluded, whatever its Team.
    expect(region.getImage(covered.id)).toBeUndefined();
  });
});
