/**
 * deleteSharedImages=when-unused: whether a shared (not public) AMI that every other rule would let
 * go may go, by EC2's AMI usage reports. Two runs at least: one requests a report
 * (CreateImageUsageReport; EC2 builds it in the background), a later one reads it
 * (DescribeImageUsageReports, DescribeImageUsageReportEntries). Only a report that is available,
 * younger than USAGE_REPORT_MAX_AGE_MS, covers every account the AMI is shared with and both
 * resource types, and shows no use lets it go; anything else keeps it. Pure: the reports read so far
 * come in, a verdict goes out.
 */
import type { Image } from '../../domain';
import {
  describeUse,
  reportAccountsFor,
  reportCovers,
  type ImageUsageReport,
  type UsageReportRequest,
  type UsageReportsRead,
} from '../../image-usage-reports';
import type { LaunchPermission } from '../../launch-permissions';
import { formatTimestamp } from '../../tags';
import { DAY_MS, formatDuration } from '../format';

/**
 * A report older than a day is not used: AWS says a report may already miss the last 24 hours of
 * instance activity, so an older one misses more than that; and a daily cleanup then asks for a
 * fresh one each day an AMI is waiting. A constant, not a setting: a longer age only trades safety
 * for fewer requests.
 */
export const USAGE_REPORT_MAX_AGE_MS = DAY_MS;

/**
 * At most this many CreateImageUsageReport calls per run (over all its rounds and regions' plans,
 * per region): a backlog of shared AMIs is asked about over several days, not in one burst of
 * mutating calls. A constant like the read-ahead (shared/jobs/cleanup/rounds.ts).
 */
export const MAX_USAGE_REPORT_REQUESTS_PER_RUN = 20;

export type UsageReportVerdict =
  /** The reports are not read yet: read them, then plan again. */
  | { kind: 'unread' }
  /** A fresh covering report shows no use: the AMI may go on, with this note in its reason. */
  | { kind: 'unused'; note: string }
  /** Kept; `request` when a new report should be requested (none pending, none fresh). */
  | { kind: 'keep'; reason: string; request?: UsageReportRequest; failure?: string };

function age(from: Date, now: Date): string {
  const ms = now.getTime() - from.getTime();
  return ms < 0 ? `dated ${formatDuration(ms)} in the future` : `${formatDuration(ms)} old`;
}

function named(r: ImageUsageReport, now: Date): string {
  return r.createdAt
    ? `usage report ${r.reportId} of ${formatTimestamp(r.createdAt)} (${age(r.createdAt, now)})`
    : `usage report ${r.reportId} (creation time unknown)`;
}

const newestFirst = (a: ImageUsageReport, b: ImageUsageReport) =>
  (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0);

function isFresh(r: ImageUsageReport, now: Date): boolean {
  if (r.createdAt === undefined || Number.isNaN(r.createdAt.getTime())) return false;
  const ms = now.getTime() - r.createdAt.getTime();
  return ms >= 0 && ms < USAGE_REPORT_MAX_AGE_MS;
}

/**
 * The verdict for one shared AMI (`shared`: describeSharing's words, "shared with 2 other accounts").
 * Reports of other AMIs in `read` are never looked at, whatever the adapter returned.
 */
export function judgeUsageReports(
  image: Image,
  shared: string,
  permissions: readonly LaunchPermission[],
  read: UsageReportsRead | undefined,
  now: Date,
): UsageReportVerdict {
  if (read === undefined) return { kind: 'unread' };
  if (read.kind === 'failed') {
    return {
      kind: 'keep',
      reason: `${shared}, and its usage reports could not be read (${read.message}), so its use there is unknown: kept this run`,
      failure: read.message,
    };
  }
  const accounts = reportAccountsFor(permissions);
  const mine = read.reports
    .filter((r) => r.imageId === image.id && reportCovers(r, accounts))
    .sort(newestFirst);
  const fresh = mine.find((r) => r.state === 'available' && isFresh(r, now));
  if (fresh) return judgeEntries(fresh, shared, now);
  const pending = mine.find((r) => r.state === 'pending');
  if (pending) {
    return {
      kind: 'keep',
      reason: `${shared}; its ${named(pending, now)} is still pending: kept until a later run reads it`,
    };
  }
  const request: UsageReportRequest = { imageId: image.id, ...(accounts ? { accountIds: accounts } : {}) };
  return { kind: 'keep', reason: `${shared}; ${whyNoReport(mine, now)}`, request };
}

function judgeEntries(report: ImageUsageReport, shared: string, now: Date): UsageReportVerdict {
  const entries = report.entries;
  // Read with the reports, or not at all (out of time): asking again would read the same again.
  if (entries === undefined) {
    return {
      kind: 'keep',
      reason: `${shared}, and the entries of its ${named(report, now)} were not read in this run: kept`,
    };
  }
  if (entries.kind === 'failed') {
    return {
      kind: 'keep',
      reason: `${shared}, and the entries of its ${named(report, now)} could not be read (${entries.message}): kept this run`,
      failure: entries.message,
    };
  }
  const used = entries.entries.filter((e) => e.usageCount === undefined || e.usageCount > 0);
  if (used.length > 0) {
    return { kind: 'keep', reason: `${shared}: ${describeUse(used)}, per its ${named(report, now)}` };
  }
  return {
    kind: 'unused',
    note: `${shared}, and its ${named(report, now)} shows no account using it in instances or launch templates`,
  };
}

function whyNoReport(mine: readonly ImageUsageReport[], now: Date): string {
  const newest = mine[0];
  if (newest === undefined) return 'no usage report of it covers its sharing yet: kept';
  if (newest.state === 'available') {
    return `its newest ${named(newest, now)} is older than a day (or dated in the future): kept`;
  }
  const why = newest.stateReason ? `: ${newest.stateReason}` : '';
  return `its newest ${named(newest, now)} is in state ${newest.state}${why}: kept`;
}
