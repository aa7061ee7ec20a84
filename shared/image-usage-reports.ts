/**
 * EC2 AMI usage reports as the plan reads them: which other accounts reference a shared AMI in
 * instances or launch templates, counted per account and resource type, as of the report's creation.
 * Pure: the adapter (shared/aws/image-usage-reports.ts) reads EC2's reports into these records.
 *
 * A report is a point-in-time count, not a history: an entry has no last-used time, and AWS says a
 * report may miss the last 24 hours of instance activity and the last few days of launch template
 * activity. What it cannot see at all is in docs/cleanup.md ("AMIs shared with other accounts").
 */
import type { LaunchPermission } from './launch-permissions';

/** The resource types cleanup asks a report about: all that EC2's reports cover besides recipes. */
export const USAGE_REPORT_RESOURCE_TYPES = ['ec2:Instance', 'ec2:LaunchTemplate'] as const;

/** EC2 takes at most 200 account ids in a report's account filter. */
export const USAGE_REPORT_MAX_ACCOUNTS = 200;

export interface ImageUsageEntry {
  accountId: string;
  /** ec2:Instance | ec2:LaunchTemplate (any other kind is still use). */
  resourceType: string;
  /** Absent when EC2 did not say: counted as use, never as none. */
  usageCount?: number;
}

export type UsageEntriesRead =
  { kind: 'read'; entries: ImageUsageEntry[] } | { kind: 'failed'; message: string };

export interface ImageUsageReport {
  reportId: string;
  imageId: string;
  /** available | pending | error (EC2's words; anything else is taken as not available). */
  state: string;
  stateReason?: string;
  /** Absent or unreadable: the report's age is unknown, so it is never taken as fresh. */
  createdAt?: Date;
  /** The account filter the report was created with; empty: every account. */
  accountIds: string[];
  resourceTypes: string[];
  /** Read for available reports only; absent: not read (the AMI is kept). */
  entries?: UsageEntriesRead;
}

/** What one run learned about an AMI's usage reports: the list, or why it could not be read. */
export type UsageReportsRead =
  { kind: 'read'; reports: ImageUsageReport[] } | { kind: 'failed'; message: string };

/** A report to create: for this AMI, over these accounts (absent: every account). */
export interface UsageReportRequest {
  imageId: string;
  accountIds?: string[];
}

/**
 * The account filter a report needs to cover who may launch the AMI: exactly the accounts it is
 * shared with, or none (every account) when it is shared with an organization, an OU, an entry of a
 * kind this code does not know, or more accounts than a filter takes.
 */
export function reportAccountsFor(permissions: readonly LaunchPermission[]): string[] | undefined {
  const accounts = [...new Set(permissions.flatMap((p) => (p.userId ? [p.userId] : [])))].sort();
  const onlyAccounts = permissions.every((p) => p.userId !== undefined);
  return onlyAccounts && accounts.length > 0 && accounts.length <= USAGE_REPORT_MAX_ACCOUNTS
    ? accounts
    : undefined;
}

/** Whether a report looked at every account and resource type the AMI's sharing needs. */
export function reportCovers(report: ImageUsageReport, accounts: readonly string[] | undefined): boolean {
  if (!USAGE_REPORT_RESOURCE_TYPES.every((t) => report.resourceTypes.includes(t))) return false;
  if (report.accountIds.length === 0) return true;
  return accounts !== undefined && accounts.every((a) => report.accountIds.includes(a));
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function describeCount(e: ImageUsageEntry): string {
  const kind =
    e.resourceType === 'ec2:Instance'
      ? ['instance', 'instances']
      : e.resourceType === 'ec2:LaunchTemplate'
        ? ['launch template', 'launch templates']
        : [e.resourceType, e.resourceType];
  return e.usageCount === undefined
    ? `${kind[1]}, count not given`
    : plural(e.usageCount, kind[0]!, kind[1]!);
}

/**
 * "in use in account 111122223333 (2 instances), 444455556666 (1 launch template)": every account
 * named, in id order, with its counts by resource type.
 */
export function describeUse(entries: readonly ImageUsageEntry[]): string {
  const byAccount = new Map<string, ImageUsageEntry[]>();
  for (const e of entries) byAccount.set(e.accountId, [...(byAccount.get(e.accountId) ?? []), e]);
  const accounts = [...byAccount.keys()].sort();
  const parts = accounts.map((a) => {
    const counts = byAccount
      .get(a)!
      .sort((x, y) => (x.resourceType < y.resourceType ? -1 : x.resourceType > y.resourceType ? 1 : 0))
      .map(describeCount);
    return `${a} (${counts.join(', ')})`;
  });
  return `in use in ${accounts.length === 1 ? 'account' : 'accounts'} ${parts.join(', ')}`;
}
