/**
 * The real cleanup handler on the local account, for AMIs whose users this account cannot see:
 * shared with other accounts, organizations or OUs, or public. They are kept unless
 * DELETE_SHARED_IMAGES=true.
 */
import { describe, expect, it } from '@jest/globals';

import { decisionsFor, invoke, useSandboxEnv } from '../../helpers/harness';
import { handler } from '../../../functions/cleanup/handler';
import { addEligibleImage, useCleanupFixture } from '../../helpers/cleanup-fixture';

const fx = useCleanupFixture();

/** Opted in, unused for 30 days, tagger seen 5 minutes ago: every other rule allows deleting it. */
const eligible = addEligibleImage;

const run = fx.run;

describe('cleanup and AMIs shared outside the account', () => {
  it('keeps an AMI shared with another account, says why, and deletes it once DELETE_SHARED_IMAGES=true', async () => {
    const region = fx.sandbox.state.region('eu-west-2');
    const shared = eligible(region, 'shared-with-prod', { launchPermissions: [{ userId: '210987654321' }] });
    const publicImage = eligible(region, 'public', { public: true });
    const mine = eligible(region, 'private');
    fx.sandbox.requests.reset();

    const first = await run('eu-west-2');

    expect(region.getImage(shared.id)).toBeDefined();
    expect(region.getImage(publicImage.id)).toBeDefined();
    expect(region.getImage(mine.id)).toBeUndefined();
    expect(decisionsFor(first.logs, shared.id)).toContainEqual(
      expect.objectContaining({
        action: 'plan-keep',
        reason: expect.stringMatching(
          /^shared with 1 other account: use there is invisible to this account, so it is kept while deleteSharedImages is off \(otherwise: unused since /,
        ),
      }),
    );
    expect(decisionsFor(first.logs, publicImage.id)[0]).toMatchObject({
      action: 'plan-keep',
      reason: expect.stringContaining('public (every AWS account may launch it)'),
    });
    expect(first.summaries[0]!.counts).toMatchObject({ deleted: 1, keptShared: 2, failed: 0 });
    // Launch permissions are asked only for the AMIs the plan would delete; the public one needs no call.
    expect(fx.sandbox.requests.count('ec2', 'DescribeImageAttribute')).toBe(2);

    const second = await run('eu-west-2', { DELETE_SHARED_IMAGES: 'true' });

    expect(region.getImage(shared.id)).toBeUndefined();
    expect(region.getImage(publicImage.id)).toBeUndefined();
    expect(second.summaries[0]!.counts).toMatchObject({ deleted: 2, keptShared: 0, failed: 0 });
    expect(decisionsFor(second.logs, publicImage.id)[0]).toMatchObject({
      action: 'plan-delete',
      reason: expect.stringContaining('public, deleted because deleteSharedImages is on'),
    });
  });

  it('keeps AMIs shared with an organization or an OU', async () => {
    const region = fx.sandbox.state.region('eu-north-1');
    const org = 'arn:aws:organizations::123456789012:organization/o-abc123defg';
    const byOrg = eligible(region, 'org', { launchPermissions: [{ organizationArn: org }] });
    const byOu = eligible(region, 'ou', {
      launchPermissions: [{ organizationalUnitArn: `${org}/ou-ab12-cd34` }],
    });

    const { summaries, logs } = await run('eu-north-1');

    expect(
      region
        .images()
        .map((i) => i.id)
        .sort(),
    ).toEqual([byOrg.id, byOu.id].sort());
    expect(decisionsFor(logs, byOrg.id)[0]!.reason).toContain(`shared with organization ${org}:`);
    expect(decisionsFor(logs, byOu.id)[0]!.reason).toContain(
      `shared with organizational unit ${org}/ou-ab12-cd34:`,
    );
    expect(summaries[0]!.counts).toMatchObject({ deleted: 0, keptShared: 2 });
  });

  it('a failed DescribeImageAttribute keeps that AMI this run, records the failure, and the next run deletes it', async () => {
    const region = fx.sandbox.state.region('ca-central-1');
    const unlucky = eligible(region, 'unlucky');
    const other = eligible(region, 'other');
    fx.sandbox.faults.add({
      action: 'DescribeImageAttribute',
      resourceId: unlucky.id,
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
    });

    const first = await run('ca-central-1');

    expect(region.getImage(unlucky.id)).toBeDefined();
    expect(region.getImage(other.id)).toBeUndefined();
    expect(first.summaries[0]!.failures).toEqual([
      {
        resourceId: unlucky.id,
        action: 'DescribeImageAttribute',
        message: expect.stringContaining('UnauthorizedOperation'),
      },
    ]);
    expect(first.summaries[0]!.counts).toMatchObject({ deleted: 1, failed: 1, keptShared: 1 });
    expect(decisionsFor(first.logs, unlucky.id)[0]).toMatchObject({
      action: 'plan-keep',
      reason: expect.stringContaining('its launch permissions could not be read'),
    });

    fx.sandbox.faults.clear();
    const second = await run('ca-central-1');
    expect(region.getImage(unlucky.id)).toBeUndefined();
    expect(second.summaries[0]!.failures).toEqual([]);
  });

  it('a dry run reads launch permissions too, so its report names the AMIs a real run would keep', async () => {
    const region = fx.sandbox.state.region('ap-northeast-1');
    const shared = eligible(region, 'shared', { launchPermissions: [{ userId: '210987654321' }] });
    const mine = eligible(region, 'private');

    useSandboxEnv(fx.sandbox, { REGIONS: 'ap-northeast-1' }, 'cleanup'); // DRY_RUN defaults to true
    const { summaries, logs } = await invoke(handler);

    expect(region.getImage(mine.id)).toBeDefined();
    expect(decisionsFor(logs, mine.id)[0]).toMatchObject({ action: 'plan-delete' });
    expect(decisionsFor(logs, shared.id)[0]).toMatchObject({
      action: 'plan-keep',
      reason: expect.stringContaining('shared with 1 other account'),
    });
    expect(summaries[0]!.counts).toMatchObject({ planned: 1, keptShared: 1, deleted: 0 });
  });
});
