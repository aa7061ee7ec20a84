/**
 * deleteSharedImages=when-unused: a shared AMI goes only on a fresh, available usage report that
 * covers its sharing and shows no use; everything else keeps it, and a report is requested when none
 * is pending, within the run's bound.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Image } from '../../../../shared/domain';
import type {
  ImageUsageEntry,
  ImageUsageReport,
  UsageReportsRead,
} from '../../../../shared/image-usage-reports';
import type { LaunchPermission, LaunchPermissionsRead } from '../../../../shared/launch-permissions';
import {
  CleanupSettingsError,
  DEFAULT_CLEANUP_SETTINGS,
  planCleanup,
  type CleanupSettings,
} from '../../../../shared/plan/cleanup';
import { MAX_USAGE_REPORT_REQUESTS_PER_RUN } from '../../../../shared/plan/cleanup/usage-reports';
import { NOW, hoursAgo, image, snapshotsOf, usageOf } from '../../../helpers/plan-fixtures';

const A = '111122223333';
const B = '444455556666';
const ORG = 'arn:aws:organizations::111111111111:organization/o-abc123';

function plan(
  images: Image[],
  opts: {
    permissions?: Record<string, LaunchPermission[]>;
    reports?: Record<string, UsageReportsRead>;
    settings?: Partial<CleanupSettings>;
    requested?: number;
  } = {},
) {
  const permissions = opts.permissions ?? {};
  return planCleanup({
    images,
    usage: usageOf(),
    snapshots: snapshotsOf(images),
    settings: { ...DEFAULT_CLEANUP_SETTINGS, deleteSharedImages: 'when-unused', ...opts.settings },
    now: NOW,
    launchPermissions: new Map<string, LaunchPermissionsRead>(
      images.map((i) => [i.id, { kind: 'read', permissions: permissions[i.id] ?? [{ userId: A }] }]),
    ),
    ...(opts.reports ? { usageReports: new Map(Object.entries(opts.reports)) } : {}),
    ...(opts.requested !== undefined ? { usageReportsRequested: opts.requested } : {}),
  });
}

function report(
  over: Omit<Partial<ImageUsageReport>, 'entries'> & { entries?: ImageUsageEntry[] } = {},
): ImageUsageReport {
  const { entries, ...rest } = over;
  return {
    reportId: 'amiur-1',
    imageId: 'ami-s',
    state: 'available',
    createdAt: new Date(hoursAgo(3)),
    accountIds: [],
    resourceTypes: ['ec2:Instance', 'ec2:LaunchTemplate'],
    ...(entries !== undefined || (over.state ?? 'available') === 'available'
      ? { entries: { kind: 'read' as const, entries: entries ?? [] } }
      : {}),
    ...rest,
  };
}

const reads = (...reports: ImageUsageReport[]): UsageReportsRead => ({ kind: 'read', reports });

function decisionOf(p: ReturnType<typeof plan>, id: string) {
  const d = p.decisions.find((x) => x.imageId === id);
  if (!d) throw new Error(`no decision for ${id}`);
  return d;
}

describe('deleteSharedImages=when-unused', () => {
  it('no report read yet: kept, holding its place, and the reports are asked for', () => {
    const p = plan([image('ami-s')]);
    expect(p.deletions).toEqual([]);
    expect(p.usageReportsToRead).toEqual(['ami-s']);
    expect(p.usageReportsToRequest).toEqual([]);
    expect(decisionOf(p, 'ami-s')).toMatchObject({ action: 'keep', rule: 'usage-report-unread' });
    expect(p.counts.keptShared).toBe(1);
  });

  it('no report exists: kept, and one is requested over the accounts it is shared with', () => {
    const p = plan([image('ami-s')], {
      permissions: { 'ami-s': [{ userId: B }, { userId: A }] },
      reports: { 'ami-s': reads() },
    });
    expect(p.deletions).toEqual([]);
    expect(p.usageReportsToRequest).toEqual([{ imageId: 'ami-s', accountIds: [A, B] }]);
    expect(decisionOf(p, 'ami-s')).toMatchObject({ action: 'keep', rule: 'shared-usage-report' });
    expect(decisionOf(p, 'ami-s').reason).toMatch(
      /^shared with 2 other accounts; no usage report of it covers its sharing yet: kept; a new usage report is requested/,
    );
  });

  it('shared with an organization: the report requested covers every account', () => {
    const p = plan([image('ami-s')], {
      permissions: { 'ami-s': [{ organizationArn: ORG }, { userId: A }] },
      reports: { 'ami-s': reads() },
    });
    expect(p.usageReportsToRequest).toEqual([{ imageId: 'ami-s' }]);
  });

  it('a pending report: kept, and no second one is requested', () => {
    const p = plan([image('ami-s')], { reports: { 'ami-s': reads(report({ state: 'pending' })) } });
    expect(p.usageReportsToRequest).toEqual([]);
    expect(decisionOf(p, 'ami-s').reason).toMatch(
      /; its usage report amiur-1 of 2026-11-23T07:00:00Z \(3 h old\) is still pending: kept until a later run reads it/,
    );
  });

  it('a report older than a day: kept, and a fresh one is requested', () => {
    const p = plan([image('ami-s')], {
      reports: { 'ami-s': reads(report({ createdAt: new Date(hoursAgo(25)) })) },
    });
    expect(p.deletions).toEqual([]);
    expect(p.usageReportsToRequest).toEqual([{ imageId: 'ami-s', accountIds: [A] }]);
    expect(decisionOf(p, 'ami-s').reason).toContain('(1 day 1 h old) is older than a day');
  });

  it('a failed report: kept, naming why, and a new one is requested', () => {
    const p = plan([image('ami-s')], {
      reports: { 'ami-s': reads(report({ state: 'error', stateReason: 'internal error' })) },
    });
    expect(decisionOf(p, 'ami-s').reason).toContain('is in state error: internal error: kept');
    expect(p.usageReportsToRequest).toHaveLength(1);
  });

  it('available, fresh and unused: deleted, and the reason names the report and its age', () => {
    const p = plan([image('ami-s')], { reports: { 'ami-s': reads(report()) } });
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-s']);
    expect(decisionOf(p, 'ami-s')).toMatchObject({ action: 'delete', rule: 'eligible' });
    expect(decisionOf(p, 'ami-s').reason).toMatch(
      /; shared with 1 other account, and its usage report amiur-1 of 2026-11-23T07:00:00Z \(3 h old\) shows no account using it in instances or launch templates$/,
    );
    expect(p.counts.keptShared).toBe(0);
  });

  it('entries with a zero count are no use', () => {
    const p = plan([image('ami-s')], {
      reports: {
        'ami-s': reads(report({ entries: [{ accountId: A, resourceType: 'ec2:Instance', usageCount: 0 }] })),
      },
    });
    expect(p.deletions).toHaveLength(1);
  });

  it('used by two accounts: kept, naming each account and its counts', () => {
    const entries: ImageUsageEntry[] = [
      { accountId: B, resourceType: 'ec2:LaunchTemplate', usageCount: 1 },
      { accountId: A, resourceType: 'ec2:Instance', usageCount: 2 },
    ];
    const p = plan([image('ami-s')], {
      permissions: { 'ami-s': [{ userId: A }, { userId: B }] },
      reports: { 'ami-s': reads(report({ entries })) },
    });
    expect(p.deletions).toEqual([]);
    expect(p.usageReportsToRequest).toEqual([]);
    expect(decisionOf(p, 'ami-s').reason).toMatch(
      /^shared with 2 other accounts: in use in accounts 111122223333 \(2 instances\), 444455556666 \(1 launch template\), per its usage report amiur-1 /,
    );
  });

  it('an entry without a count is use, never none', () => {
    const p = plan([image('ami-s')], {
      reports: { 'ami-s': reads(report({ entries: [{ accountId: A, resourceType: 'ec2:Instance' }] })) },
    });
    expect(p.deletions).toEqual([]);
    expect(decisionOf(p, 'ami-s').reason).toContain('111122223333 (instances, count not given)');
  });

  it('reports that could not be read, or whose entries could not: kept this run', () => {
    const failed = plan([image('ami-s')], {
      reports: { 'ami-s': { kind: 'failed', message: 'UnauthorizedOperation: not allowed' } },
    });
    expect(failed.deletions).toEqual([]);
    expect(decisionOf(failed, 'ami-s').reason).toContain(
      'its usage reports could not be read (UnauthorizedOperation: not allowed)',
    );
    const entriesFailed = plan([image('ami-s')], {
      reports: {
        'ami-s': reads({ ...report(), entries: { kind: 'failed', message: 'RequestLimitExceeded' } }),
      },
    });
    expect(entriesFailed.deletions).toEqual([]);
    expect(entriesFailed.usageReportsToRequest).toEqual([]);
  });

  it('a fresh report whose entries were not read keeps it this run, and asks nothing again (no endless re-reading)', () => {
    const { entries: _none, ...unread } = report();
    const p = plan([image('ami-s')], { reports: { 'ami-s': reads(unread) } });
    expect(p.deletions).toEqual([]);
    expect(p.usageReportsToRead).toEqual([]);
    expect(p.usageReportsToRequest).toEqual([]);
    expect(decisionOf(p, 'ami-s').reason).toContain('were not read in this run: kept');
  });

  it("a report of another AMI, or one that misses an account or a resource type, is never this AMI's", () => {
    const other = report({ imageId: 'ami-other' });
    const narrow = report({ reportId: 'amiur-2', accountIds: [B] });
    const instancesOnly = report({ reportId: 'amiur-3', resourceTypes: ['ec2:Instance'] });
    const p = plan([image('ami-s')], { reports: { 'ami-s': reads(other, narrow, instancesOnly) } });
    expect(p.deletions).toEqual([]);
    expect(p.usageReportsToRequest).toEqual([{ imageId: 'ami-s', accountIds: [A] }]);
  });

  it('a report dated in the future is not fresh', () => {
    const p = plan([image('ami-s')], {
      reports: { 'ami-s': reads(report({ createdAt: new Date(NOW.getTime() + 3_600_000) })) },
    });
    expect(p.deletions).toEqual([]);
  });

  it('public AMIs are kept whatever a report says', () => {
    const p = plan([image('ami-s', { public: true })], { reports: { 'ami-s': reads(report()) } });
    expect(p.deletions).toEqual([]);
    expect(decisionOf(p, 'ami-s')).toMatchObject({ action: 'keep', rule: 'shared' });
    expect(decisionOf(p, 'ami-s').reason).toContain(
      'a usage report cannot see every use of a public AMI, so deleteSharedImages=when-unused keeps it',
    );
  });

  it('an AMI shared with nobody needs no report', () => {
    const p = plan([image('ami-s')], { permissions: { 'ami-s': [] } });
    expect(p.deletions).toHaveLength(1);
    expect(p.usageReportsToRead).toEqual([]);
  });

  it(`requests at most ${MAX_USAGE_REPORT_REQUESTS_PER_RUN} reports a run, counting earlier rounds`, () => {
    const images = Array.from({ length: 5 }, (_, i) => image(`ami-s${i}`));
    const reports = Object.fromEntries(images.map((i) => [i.id, reads()]));
    const p = plan(images, { reports, requested: MAX_USAGE_REPORT_REQUESTS_PER_RUN - 2 });
    expect(p.usageReportsToRequest.map((r) => r.imageId)).toEqual(['ami-s0', 'ami-s1']);
    expect(decisionOf(p, 'ami-s2').reason).toContain(
      `this run's ${MAX_USAGE_REPORT_REQUESTS_PER_RUN} usage report requests are spent, so a later run requests one`,
    );
  });

  it('the default (false) and true behave as before: kept, or deleted unread', () => {
    const kept = plan([image('ami-s')], { settings: { deleteSharedImages: false } });
    expect(kept.usageReportsToRead).toEqual([]);
    expect(decisionOf(kept, 'ami-s').reason).toMatch(/so it is kept while deleteSharedImages is off/);
    const gone = plan([image('ami-s')], { settings: { deleteSharedImages: true } });
    expect(gone.deletions).toHaveLength(1);
    expect(gone.usageReportsToRead).toEqual([]);
  });

  it('a bad value names the setting and the three values', () => {
    expect(() =>
      plan([image('ami-s')], {
        settings: { deleteSharedImages: 'sometimes' as unknown as CleanupSettings['deleteSharedImages'] },
      }),
    ).toThrow(
      new CleanupSettingsError([`deleteSharedImages is "sometimes"; expected true, false or 'when-unused'`]),
    );
  });
});

describe('deleteSharedImages=when-unused, whatever the reports say (property)', () => {
  const account = fc.constantFrom(A, B, '777788889999');
  const entry = fc.record(
    {
      accountId: account,
      resourceType: fc.constantFrom('ec2:Instance', 'ec2:LaunchTemplate', 'imagebuilder:ImageRecipe'),
      usageCount: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    },
    { requiredKeys: ['accountId', 'resourceType'] },
  );
  const anyReport = fc.record({
    reportId: fc.constantFrom('amiur-1', 'amiur-2', 'amiur-3'),
    imageId: fc.constantFrom('ami-s', 'ami-other'),
    state: fc.constantFrom('available', 'pending', 'error', 'weird'),
    createdAt: fc.option(
      fc.integer({ min: -2 * 3_600_000, max: 30 * 3_600_000 }).map((ms) => new Date(NOW.getTime() - ms)),
      { nil: undefined },
    ),
    accountIds: fc.subarray([A, B]),
    resourceTypes: fc.subarray(['ec2:Instance', 'ec2:LaunchTemplate']),
    entries: fc.option(
      fc.oneof(
        fc.array(entry, { maxLength: 3 }).map((entries) => ({ kind: 'read' as const, entries })),
        fc.constant({ kind: 'failed' as const, message: 'boom' }),
      ),
      { nil: undefined },
    ),
  });

  // A report that would let the AMI go (of it, available, an hour old, every account, both types, no
  // use): drawn among the others, so that worlds that delete are common, not a chance in thousands.
  const clearingReport = anyReport.map((r) => ({
    ...r,
    imageId: 'ami-s' as const,
    state: 'available' as const,
    createdAt: new Date(NOW.getTime() - 3_600_000),
    accountIds: [] as string[],
    resourceTypes: ['ec2:Instance', 'ec2:LaunchTemplate'],
    entries: { kind: 'read' as const, entries: [] },
  }));

  it('a shared AMI is deleted only on an available report of it, under a day old, covering its accounts and both types, with no use', () => {
    let deleted = 0;
    fc.assert(
      fc.property(
        fc.subarray([A, B], { minLength: 1 }),
        fc.boolean(),
        fc.array(fc.oneof(anyReport, clearingReport), { maxLength: 4 }),
        (accounts, withOrg, drawn) => {
          const reports = drawn.map((r) => {
            const { createdAt, entries, ...rest } = r;
            return {
              ...rest,
              ...(createdAt ? { createdAt } : {}),
              ...(entries ? { entries } : {}),
            } as ImageUsageReport;
          });
          const permissions: LaunchPermission[] = [
            ...accounts.map((userId) => ({ userId })),
            ...(withOrg ? [{ organizationArn: ORG }] : []),
          ];
          const p = plan([image('ami-s')], {
            permissions: { 'ami-s': permissions },
            reports: { 'ami-s': reads(...reports) },
          });
          if (p.deletions.length === 0) return;
          deleted += 1;
          const ok = reports.some((r) => {
            const age = NOW.getTime() - (r.createdAt?.getTime() ?? NaN);
            const covers =
              r.accountIds.length === 0 || (!withOrg && accounts.every((a) => r.accountIds.includes(a)));
            return (
              r.imageId === 'ami-s' &&
              r.state === 'available' &&
              age >= 0 &&
              age < 24 * 3_600_000 &&
              covers &&
              r.resourceTypes.includes('ec2:Instance') &&
              r.resourceTypes.includes('ec2:LaunchTemplate') &&
              r.entries?.kind === 'read' &&
              r.entries.entries.every((e) => e.usageCount === 0)
            );
          });
          expect(ok).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
    // Not vacuous: some drawn worlds do delete.
    expect(deleted).toBeGreaterThan(0);
  });
});
