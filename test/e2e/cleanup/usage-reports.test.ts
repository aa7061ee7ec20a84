/**
 * The real cleanup handler, signed as its own role, with DELETE_SHARED_IMAGES=when-unused: a shared
 * AMI is requested a usage report in one run and decided on in a later one, by the report's entries.
 * The sandbox builds a report in USAGE_REPORT_READY_MINUTES on its usage-report clock, which the
 * tests move; other accounts' use is seeded (recordImageUse).
 */
import {
  CreateImageUsageReportCommand,
  DescribeImageUsageReportEntriesCommand,
  DescribeImageUsageReportsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from '@jest/globals';

import {
  USAGE_REPORT_READY_MINUTES,
  failUsageReport,
  recordImageUse,
  setUsageReportClock,
  usageReportsOf,
} from '../../../sandbox/services/ec2/image-usage-reports';
import { readUsageReports } from '../../../shared/aws/image-usage-reports';
import type { RegionState } from '../../../sandbox/state/region';
import { decisionsFor, MINUTE } from '../../helpers/harness';
import { addEligibleImage, useCleanupFixture } from '../../helpers/cleanup-fixture';

const A = '111122223333';
const B = '444455556666';

const fx = useCleanupFixture({ settings: { DELETE_SHARED_IMAGES: 'when-unused' } });

/** Opted in, unused for 30 days, tagger seen 5 minutes ago: every other rule allows deleting it. */
const eligible = addEligibleImage;

const run = fx.run;

/** The report EC2 would have finished by now: the sandbox's clock moves past its build time. */
function reportsBuilt(region: RegionState) {
  setUsageReportClock(region, new Date(Date.now() + (USAGE_REPORT_READY_MINUTES + 1) * MINUTE));
}

describe('cleanup with DELETE_SHARED_IMAGES=when-unused', () => {
  it('retires an unused shared AMI over runs: request a report, wait while pending, delete once it shows no use', async () => {
    const region = fx.sandbox.state.region('eu-west-2');
    setUsageReportClock(region, new Date());
    const shared = eligible(region, 'shared-unused', { launchPermissions: [{ userId: A }] });
    fx.sandbox.requests.reset();

    const first = await run('eu-west-2');

    expect(region.getImage(shared.id)).toBeDefined();
    expect(fx.sandbox.requests.count('ec2', 'CreateImageUsageReport')).toBe(1);
    expect(usageReportsOf(region)).toEqual([
      expect.objectContaining({ imageId: shared.id, accountIds: [A] }),
    ]);
    // The run requested the report in one round and planned again: its report says it is pending.
    const requested = usageReportsOf(region)[0]!.reportId;
    expect(decisionsFor(first.logs, shared.id).at(-1)).toMatchObject({
      action: 'plan-keep',
      rule: 'shared-usage-report',
      reason: expect.stringMatching(
        new RegExp(
          `^shared with 1 other account; its usage report ${requested} of .* \\(0 s old\\) is still pending`,
        ),
      ),
    });
    expect(first.summaries[0]!.counts).toMatchObject({ usageReportsRequested: 1, keptShared: 1, failed: 0 });

    // One read of its reports, one request; no entries to read yet.
    expect(fx.sandbox.requests.count('ec2', 'DescribeImageUsageReports')).toBe(1);
    expect(fx.sandbox.requests.count('ec2', 'DescribeImageUsageReportEntries')).toBe(0);

    // The report is still being built: kept, and no second report is requested.
    fx.sandbox.requests.reset();
    const second = await run('eu-west-2');
    expect(fx.sandbox.requests.count('ec2', 'DescribeImageUsageReports')).toBe(1);
    expect(region.getImage(shared.id)).toBeDefined();
    expect(fx.sandbox.requests.count('ec2', 'CreateImageUsageReport')).toBe(0);
    expect(decisionsFor(second.logs, shared.id).at(-1)!.reason).toMatch(
      /is still pending: kept until a later run reads it/,
    );

    reportsBuilt(region);
    fx.sandbox.requests.reset();
    const third = await run('eu-west-2');
    expect(fx.sandbox.requests.count('ec2', 'DescribeImageUsageReports')).toBe(1);
    expect(fx.sandbox.requests.count('ec2', 'DescribeImageUsageReportEntries')).toBe(1);

    expect(region.getImage(shared.id)).toBeUndefined();
    const reportId = usageReportsOf(region)[0]!.reportId;
    expect(decisionsFor(third.logs, shared.id)).toContainEqual(
      expect.objectContaining({
        action: 'plan-delete',
        reason: expect.stringMatching(
          new RegExp(
            `; shared with 1 other account, and its usage report ${reportId} of .* old\\) shows no account using it in instances or launch templates`,
          ),
        ),
      }),
    );
    expect(fx.sandbox.requests.count('ec2', 'CreateImageUsageReport')).toBe(0);
  });

  it('a failed report is replaced by one new request, never two pending', async () => {
    const region = fx.sandbox.state.region('ap-northeast-1');
    setUsageReportClock(region, new Date());
    const shared = eligible(region, 'failed-report', { launchPermissions: [{ userId: A }] });
    await run('ap-northeast-1');
    failUsageReport(region, usageReportsOf(region)[0]!.reportId, 'internal error');

    const { logs } = await run('ap-northeast-1');
    await run('ap-northeast-1');

    expect(region.getImage(shared.id)).toBeDefined();
    expect(usageReportsOf(region).map((r) => r.failed ?? 'building')).toEqual(['internal error', 'building']);
    expect(decisionsFor(logs, shared.id).at(-1)!.reason).toContain('is still pending');
  });

  it('keeps a shared AMI used in other accounts, naming them and their counts', async () => {
    const region = fx.sandbox.state.region('eu-north-1');
    setUsageReportClock(region, new Date());
    const used = eligible(region, 'shared-used', { launchPermissions: [{ userId: A }, { userId: B }] });
    recordImageUse(region, { imageId: used.id, accountId: A, resourceType: 'ec2:Instance', count: 2 });
    recordImageUse(region, { imageId: used.id, accountId: B, resourceType: 'ec2:LaunchTemplate', count: 1 });

    await run('eu-north-1');
    reportsBuilt(region);
    const later = await run('eu-north-1');

    expect(region.getImage(used.id)).toBeDefined();
    expect(decisionsFor(later.logs, used.id).at(-1)).toMatchObject({
      action: 'plan-keep',
      rule: 'shared-usage-report',
      reason: expect.stringContaining(
        'shared with 2 other accounts: in use in accounts 111122223333 (2 instances), 444455556666 (1 launch template), per its usage report',
      ),
    });
    expect(later.summaries[0]!.counts).toMatchObject({ deleted: 0, usageReportsRequested: 0 });
  });

  it('a public AMI is kept and no report is requested for it', async () => {
    const region = fx.sandbox.state.region('eu-west-3');
    setUsageReportClock(region, new Date());
    const pub = eligible(region, 'public', { public: true });
    fx.sandbox.requests.reset();

    const { logs } = await run('eu-west-3');

    expect(region.getImage(pub.id)).toBeDefined();
    expect(fx.sandbox.requests.count('ec2', 'CreateImageUsageReport')).toBe(0);
    expect(decisionsFor(logs, pub.id)[0]!.reason).toContain(
      'a usage report cannot see every use of a public AMI',
    );
  });

  it('a report that cannot be read (UnauthorizedOperation) keeps the AMI and records the failure', async () => {
    const region = fx.sandbox.state.region('ca-central-1');
    setUsageReportClock(region, new Date());
    const shared = eligible(region, 'denied', { launchPermissions: [{ userId: A }] });
    fx.sandbox.faults.add({
      action: 'DescribeImageUsageReports',
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
    });

    const { summaries, logs } = await run('ca-central-1');

    expect(region.getImage(shared.id)).toBeDefined();
    expect(fx.sandbox.requests.count('ec2', 'CreateImageUsageReport')).toBe(0);
    expect(decisionsFor(logs, shared.id).at(-1)!.reason).toContain(
      'its usage reports could not be read (UnauthorizedOperation: You are not authorized to perform this operation.)',
    );
    expect(summaries[0]!.failures).toContainEqual(
      expect.objectContaining({ resourceId: shared.id, action: 'DescribeImageUsageReports' }),
    );
  });

  it('a failed request keeps the AMI, records the failure and is not retried in the run', async () => {
    const region = fx.sandbox.state.region('ap-south-1');
    setUsageReportClock(region, new Date());
    const shared = eligible(region, 'refused-request', { launchPermissions: [{ userId: A }] });
    fx.sandbox.faults.add({ action: 'CreateImageUsageReport', code: 'UnauthorizedOperation', message: 'no' });
    fx.sandbox.requests.reset();

    const { summaries } = await run('ap-south-1');

    expect(region.getImage(shared.id)).toBeDefined();
    expect(fx.sandbox.requests.count('ec2', 'CreateImageUsageReport')).toBe(1);
    expect(summaries[0]!.failures).toEqual([
      expect.objectContaining({ resourceId: shared.id, action: 'CreateImageUsageReport' }),
    ]);
  });

  it('an unused report of another AMI never lets this one go', async () => {
    const region = fx.sandbox.state.region('us-east-2');
    setUsageReportClock(region, new Date());
    const other = eligible(region, 'other', {
      launchPermissions: [{ userId: A }],
      tags: { AutoCleanup: 'false' },
    });
    const shared = eligible(region, 'shared', { launchPermissions: [{ userId: A }] });
    const admin = new EC2Client({
      endpoint: fx.sandbox.url,
      region: 'us-east-2',
      credentials: fx.sandbox.credentials('admin'),
    });
    await admin.send(
      new CreateImageUsageReportCommand({
        ImageId: other.id,
        ResourceTypes: [{ ResourceType: 'ec2:Instance' }, { ResourceType: 'ec2:LaunchTemplate' }],
      }),
    );
    reportsBuilt(region);

    const { logs } = await run('us-east-2');

    expect(region.getImage(shared.id)).toBeDefined();
    // Its own report was requested (the other AMI's available one was not taken for it).
    const own = usageReportsOf(region).find((r) => r.imageId === shared.id);
    expect(own).toBeDefined();
    expect(decisionsFor(logs, shared.id).at(-1)!.reason).toContain(`its usage report ${own!.reportId} of `);
    admin.destroy();
  });

  it('the dry run reads reports but requests none', async () => {
    const region = fx.sandbox.state.region('sa-east-1');
    setUsageReportClock(region, new Date());
    const shared = eligible(region, 'dry', { launchPermissions: [{ userId: A }] });
    fx.sandbox.requests.reset();

    await run('sa-east-1', { DRY_RUN: 'true' });

    expect(region.getImage(shared.id)).toBeDefined();
    expect(fx.sandbox.requests.count('ec2', 'DescribeImageUsageReports')).toBe(1);
    expect(fx.sandbox.requests.count('ec2', 'CreateImageUsageReport')).toBe(0);
  });
});

describe('the local account serves AMI usage reports', () => {
  it('pages report entries, and the reader gathers every page', async () => {
    const region = fx.sandbox.state.region('us-west-2');
    setUsageReportClock(region, new Date());
    const image = region.addImage({ name: 'paged', launchPermissions: [{ userId: A }] });
    for (const [i, account] of ['111111111111', '222222222222', '333333333333'].entries()) {
      recordImageUse(region, {
        imageId: image.id,
        accountId: account,
        resourceType: 'ec2:Instance',
        count: i + 1,
      });
    }
    const ec2 = new EC2Client({
      endpoint: fx.sandbox.url,
      region: 'us-west-2',
      credentials: fx.sandbox.credentials('admin'),
    });
    const { ReportId } = await ec2.send(
      new CreateImageUsageReportCommand({
        ImageId: image.id,
        ResourceTypes: [{ ResourceType: 'ec2:Instance' }],
      }),
    );
    const pending = await ec2.send(new DescribeImageUsageReportsCommand({ ReportIds: [ReportId!] }));
    expect(pending.ImageUsageReports).toEqual([
      expect.objectContaining({
        ImageId: image.id,
        ReportId,
        State: 'pending',
        ResourceTypes: [{ ResourceType: 'ec2:Instance' }],
      }),
    ]);
    reportsBuilt(region);
    const page = await ec2.send(
      new DescribeImageUsageReportEntriesCommand({ ReportIds: [ReportId!], MaxResults: 2 }),
    );
    expect(page.ImageUsageReportEntries).toHaveLength(2);
    expect(page.NextToken).toBeDefined();

    const read = await readUsageReports({ ec2 } as never, [image.id], { hasTime: () => true, pageSize: 1 });
    const got = read.get(image.id);
    expect(got?.kind).toBe('read');
    const entries = got?.kind === 'read' ? got.reports[0]!.entries : undefined;
    expect(entries).toEqual({
      kind: 'read',
      entries: [
        { accountId: '111111111111', resourceType: 'ec2:Instance', usageCount: 1 },
        { accountId: '222222222222', resourceType: 'ec2:Instance', usageCount: 2 },
        { accountId: '333333333333', resourceType: 'ec2:Instance', usageCount: 3 },
      ],
    });
    ec2.destroy();
  });

  it("answers AWS's errors: an unknown AMI, a resource type EC2 does not report on", async () => {
    const region = fx.sandbox.state.region('us-west-1');
    setUsageReportClock(region, new Date());
    const image = region.addImage({ name: 'errors' });
    const ec2 = new EC2Client({
      endpoint: fx.sandbox.url,
      region: 'us-west-1',
      credentials: fx.sandbox.credentials('admin'),
    });
    await expect(
      ec2.send(
        new CreateImageUsageReportCommand({
          ImageId: 'ami-0123456789abcdef0',
          ResourceTypes: [{ ResourceType: 'ec2:Instance' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAMIID.NotFound' });
    await expect(
      ec2.send(
        new CreateImageUsageReportCommand({
          ImageId: image.id,
          ResourceTypes: [{ ResourceType: 'ssm:Parameter' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    ec2.destroy();
  });

  it('the cleanup role may request and read reports; the tagger role may not', async () => {
    const region = fx.sandbox.state.region('eu-central-1');
    setUsageReportClock(region, new Date());
    const image = region.addImage({ name: 'iam' });
    const as = (caller: 'cleanup' | 'tagger') =>
      new EC2Client({
        endpoint: fx.sandbox.url,
        region: 'eu-central-1',
        credentials: fx.sandbox.credentials(caller),
        maxAttempts: 1,
      });
    const cleanup = as('cleanup');
    const tagger = as('tagger');
    const create = new CreateImageUsageReportCommand({
      ImageId: image.id,
      ResourceTypes: [{ ResourceType: 'ec2:Instance' }],
    });
    await expect(cleanup.send(create)).resolves.toMatchObject({ ReportId: expect.stringMatching(/^amiur-/) });
    await expect(
      cleanup.send(new DescribeImageUsageReportsCommand({ ImageIds: [image.id] })),
    ).resolves.toBeDefined();
    await expect(
      cleanup.send(new DescribeImageUsageReportEntriesCommand({ ImageIds: [image.id] })),
    ).resolves.toBeDefined();
    await expect(tagger.send(create)).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    await expect(
      tagger.send(new DescribeImageUsageReportsCommand({ ImageIds: [image.id] })),
    ).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    cleanup.destroy();
    tagger.destroy();
  });
});
