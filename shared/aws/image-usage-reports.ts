/**
 * EC2 AMI usage reports for cleanup's deleteSharedImages=when-unused (shared/plan/cleanup/usage-reports.ts):
 * reading an AMI's reports (DescribeImageUsageReports, up to 200 AMIs a call) and the entries of its
 * available ones (DescribeImageUsageReportEntries, up to 200 reports a call), and
 * requesting a new report (CreateImageUsageReport). A failed read is an answer of its own ('failed'),
 * never an empty list: unknown must not read as "used by nobody".
 */
import {
  CreateImageUsageReportCommand,
  DescribeImageUsageReportEntriesCommand,
  DescribeImageUsageReportsCommand,
  type ImageUsageReport as SdkReport,
} from '@aws-sdk/client-ec2';

import {
  USAGE_REPORT_RESOURCE_TYPES,
  type ImageUsageEntry,
  type ImageUsageReport,
  type UsageReportRequest,
  type UsageReportsRead,
} from '../image-usage-reports';
import type { AwsClients } from './clients';
import { errorText } from '../errors';
import { chunk } from './tagging';

/** ImageId.N and ReportId.N take at most 200 ids a call. */
const IDS_PER_CALL = 200;

export interface UsageReportReadOptions {
  /** Asked before every call; AMIs not reached are left out of the result (still unknown). */
  hasTime: () => boolean;
  /** MaxResults of each call; absent, EC2's default page. */
  pageSize?: number;
}

function toReport(r: SdkReport): ImageUsageReport | undefined {
  if (!r.ReportId || !r.ImageId) return undefined;
  const out: ImageUsageReport = {
    reportId: r.ReportId,
    imageId: r.ImageId,
    state: r.State ?? 'unknown',
    accountIds: r.AccountIds ?? [],
    resourceTypes: (r.ResourceTypes ?? []).flatMap((t) => (t.ResourceType ? [t.ResourceType] : [])),
  };
  if (r.StateReason) out.stateReason = r.StateReason;
  if (r.CreationTime) out.createdAt = r.CreationTime;
  return out;
}

/**
 * AMI id -> its usage reports, with the entries of each available one; or why they could not be read. Reports EC2 returns for an AMI not asked about are dropped.
 */
export async function readUsageReports(
  clients: AwsClients,
  imageIds: readonly string[],
  options: UsageReportReadOptions,
): Promise<Map<string, UsageReportsRead>> {
  const out = new Map<string, UsageReportsRead>();
  for (const batch of chunk([...new Set(imageIds)], IDS_PER_CALL)) {
    if (!options.hasTime()) break;
    const wanted = new Set(batch);
    const byImage = new Map<string, ImageUsageReport[]>(batch.map((id) => [id, []]));
    try {
      let token: string | undefined;
      do {
        const res = await clients.ec2.send(
          new DescribeImageUsageReportsCommand({
            ImageIds: batch,
            ...(token ? { NextToken: token } : {}),
            ...(options.pageSize ? { MaxResults: options.pageSize } : {}),
          }),
        );
        for (const r of res.ImageUsageReports ?? []) {
          const report = toReport(r);
          if (report && wanted.has(report.imageId)) byImage.get(report.imageId)!.push(report);
        }
        token = res.NextToken;
      } while (token);
    } catch (err) {
      for (const id of batch) out.set(id, { kind: 'failed', message: errorText(err) });
      continue;
    }
    await readEntries([...byImage.values()].flatMap(available), clients, options);
    for (const [id, reports] of byImage) out.set(id, { kind: 'read', reports });
  }
  return out;
}

/**
 * Every available report, not only the newest: which one the plan may go by (fresh, and covering the
 * AMI's sharing) is the plan's to say, and EC2 keeps a report 30 days, so an AMI has few.
 */
function available(reports: ImageUsageReport[]): ImageUsageReport[] {
  return reports.filter((r) => r.state === 'available');
}

/** Fills in `entries` of these reports, matching each entry by report id and AMI id. */
async function readEntries(
  reports: readonly ImageUsageReport[],
  clients: AwsClients,
  options: UsageReportReadOptions,
): Promise<void> {
  for (const batch of chunk(reports, IDS_PER_CALL)) {
    if (!options.hasTime()) return;
    const byId = new Map(batch.map((r) => [r.reportId, { report: r, entries: [] as ImageUsageEntry[] }]));
    try {
      let token: string | undefined;
      do {
        const res = await clients.ec2.send(
          new DescribeImageUsageReportEntriesCommand({
            ReportIds: batch.map((r) => r.reportId),
            ...(token ? { NextToken: token } : {}),
            ...(options.pageSize ? { MaxResults: options.pageSize } : {}),
          }),
        );
        for (const e of res.ImageUsageReportEntries ?? []) {
          const slot = e.ReportId ? byId.get(e.ReportId) : undefined;
          if (!slot || e.ImageId !== slot.report.imageId || !e.AccountId) continue;
          slot.entries.push({
            accountId: e.AccountId,
            resourceType: e.ResourceType ?? 'unknown',
            ...(e.UsageCount !== undefined ? { usageCount: e.UsageCount } : {}),
          });
        }
        token = res.NextToken;
      } while (token);
      for (const { report, entries } of byId.values()) report.entries = { kind: 'read', entries };
    } catch (err) {
      for (const r of batch) r.entries = { kind: 'failed', message: errorText(err) };
    }
  }
}

export type UsageReportRequested =
  { kind: 'requested'; reportId: string } | { kind: 'failed'; message: string };

/** Requests a report for each AMI, one call each, in order, while there is time. */
export async function requestUsageReports(
  clients: AwsClients,
  requests: readonly UsageReportRequest[],
  options: { hasTime: () => boolean },
): Promise<Map<string, UsageReportRequested>> {
  const out = new Map<string, UsageReportRequested>();
  for (const req of requests) {
    if (!options.hasTime()) break;
    try {
      const res = await clients.ec2.send(
        new CreateImageUsageReportCommand({
          ImageId: req.imageId,
          ResourceTypes: USAGE_REPORT_RESOURCE_TYPES.map((t) => ({ ResourceType: t })),
          ...(req.accountIds ? { AccountIds: req.accountIds } : {}),
        }),
      );
      out.set(
        req.imageId,
        res.ReportId
          ? { kind: 'requested', reportId: res.ReportId }
          : { kind: 'failed', message: 'CreateImageUsageReport answered without a ReportId' },
      );
    } catch (err) {
      out.set(req.imageId, { kind: 'failed', message: errorText(err) });
    }
  }
  return out;
}
