/**
 * deleteSharedImages=when-unused in a cleanup run: the usage reports it requests, and the failures of
 * those requests and of its report reads, as RunFailures. What the plan makes of the reports is
 * shared/plan/cleanup/usage-reports.ts.
 */
import { requestUsageReports } from '../../aws/image-usage-reports';
import type { AwsClients } from '../../aws/clients';
import type { RunFailure } from '../../events';
import {
  USAGE_REPORT_RESOURCE_TYPES,
  type UsageReportRequest,
  type UsageReportsRead,
} from '../../image-usage-reports';

/** The run's report requests: at most one per AMI, counted against MAX_USAGE_REPORT_REQUESTS_PER_RUN by the plan. */
export class UsageReportRequests {
  /** AMI id -> the report requested for it. */
  readonly requested = new Map<string, string>();
  /** AMI id -> why the request failed. */
  readonly failed = new Map<string, string>();

  constructor(
    private readonly clients: AwsClients,
    /** The run's clock: a report it requested is taken as created now, and pending. */
    private readonly now: Date,
  ) {}

  /** Calls made, successful or not: what the plan counts against the run's bound. */
  get attempted(): number {
    return this.requested.size + this.failed.size;
  }

  /**
   * Requests these reports and writes what happened into `reports`, so the next plan neither asks
   * again nor takes the AMI for unread: a pending report it just requested, or the failure.
   */
  async request(
    requests: readonly UsageReportRequest[],
    reports: Map<string, UsageReportsRead>,
    hasTime: () => boolean,
  ): Promise<void> {
    const fresh = requests.filter((r) => !this.requested.has(r.imageId) && !this.failed.has(r.imageId));
    if (fresh.length === 0) return;
    const done = await requestUsageReports(this.clients, fresh, { hasTime });
    for (const req of fresh) {
      const outcome = done.get(req.imageId);
      if (outcome === undefined) continue;
      if (outcome.kind === 'failed') {
        this.failed.set(req.imageId, outcome.message);
        reports.set(req.imageId, {
          kind: 'failed',
          message: `no usage report could be requested: ${outcome.message}`,
        });
        continue;
      }
      this.requested.set(req.imageId, outcome.reportId);
      const earlier = reports.get(req.imageId);
      reports.set(req.imageId, {
        kind: 'read',
        reports: [
          ...(earlier?.kind === 'read' ? earlier.reports : []),
          {
            reportId: outcome.reportId,
            imageId: req.imageId,
            state: 'pending',
            createdAt: this.now,
            accountIds: req.accountIds ?? [],
            resourceTypes: [...USAGE_REPORT_RESOURCE_TYPES],
          },
        ],
      });
    }
  }
}

/** One failure per AMI whose usage reports could not be read, or for which none could be requested. */
export function usageReportFailures(
  reports: ReadonlyMap<string, UsageReportsRead>,
  requestsFailed: ReadonlyMap<string, string>,
): RunFailure[] {
  const failures: RunFailure[] = [];
  for (const [id, message] of requestsFailed) {
    failures.push({
      resourceId: id,
      action: 'CreateImageUsageReport',
      message: `could not request a usage report: ${message}; the AMI was kept and the next run asks again`,
    });
  }
  for (const [id, r] of reports) {
    if (requestsFailed.has(id)) continue;
    const entriesFailed =
      r.kind === 'read' ? r.reports.find((x) => x.entries?.kind === 'failed')?.entries : undefined;
    if (r.kind === 'failed') {
      failures.push({
        resourceId: id,
        action: 'DescribeImageUsageReports',
        message: `could not read its usage reports: ${r.message}; the AMI was kept and the next run asks again`,
      });
    } else if (entriesFailed?.kind === 'failed') {
      failures.push({
        resourceId: id,
        action: 'DescribeImageUsageReportEntries',
        message: `could not read its usage report's entries: ${entriesFailed.message}; the AMI was kept and the next run asks again`,
      });
    }
  }
  return failures;
}
