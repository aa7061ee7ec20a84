/**
 * EC2 AMI usage reports: CreateImageUsageReport, DescribeImageUsageReports and
 * DescribeImageUsageReportEntries, with AWS's shapes (imageUsageReportSet, imageUsageReportEntrySet,
 * ResourceType.N.ResourceType, AccountId.N) and errors (InvalidAMIID.NotFound / .Malformed for the
 * AMI, InvalidParameterValue for a resource type or account id EC2 does not take, MissingParameter).
 *
 * The sandbox is one account, so other accounts' use of its AMIs is seeded (recordImageUse). A report
 * is built the way AWS describes it, asynchronously: `pending` when created, `available` once the
 * region's usage-report clock (setUsageReportClock; the sandbox never reads the wall clock) is at
 * least USAGE_REPORT_READY_MINUTES past its creation, unless failUsageReport turned it to `error`.
 * Its entries are the use recorded when it was created (a report is one point in time), limited to
 * its accounts and resource types, one per account and type with a count above zero. Reports expire
 * 30 days after creation, as in AWS. Without a clock set, creating a report is refused with a message
 * saying so: a creation time made up here would make every age the plan reads meaningless.
 */
import { SandboxError } from '../../protocol/errors';
import {
  indexedList,
  indexedStructs,
  optionalInt,
  requiredParam,
  type FormParams,
} from '../../protocol/form';
import { checkRange, pageOfArray } from '../../protocol/pagination';
import { items, type XmlObject } from '../../protocol/xml';
import type { RegionState } from '../../state/region';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, idList, requireAll } from './common';

export const USAGE_REPORT_TYPES = ['ec2:Instance', 'ec2:LaunchTemplate'] as const;
export type UsageReportType = (typeof USAGE_REPORT_TYPES)[number];

/** How long the sandbox takes to build a report, on its usage-report clock. */
export const USAGE_REPORT_READY_MINUTES = 10;
const EXPIRY_DAYS = 30;
const ACCOUNT_ID = /^\d{12}$/;

export interface ImageUseRecord {
  imageId: string;
  accountId: string;
  resourceType: UsageReportType;
  count: number;
}

export interface UsageReportRecord {
  reportId: string;
  imageId: string;
  resourceTypes: UsageReportType[];
  accountIds: string[];
  creationTime: Date;
  failed?: string;
  entries: ImageUseRecord[];
}

interface UsageReportStore {
  clock?: Date;
  reports: UsageReportRecord[];
  uses: ImageUseRecord[];
  counter: number;
}

function storeOf(region: RegionState): UsageReportStore {
  return region.store<UsageReportStore>('ec2-image-usage-reports', () => ({
    reports: [],
    uses: [],
    counter: 0,
  }));
}

/** Sets the region's usage-report clock: what report creation and readiness are measured against. */
export function setUsageReportClock(region: RegionState, at: Date): void {
  storeOf(region).clock = new Date(at.getTime());
}

/**
 * Records that another account uses an AMI of this one: `count` instances or launch templates
 * (0 removes the record). Reports created afterwards see it.
 */
export function recordImageUse(region: RegionState, use: ImageUseRecord): void {
  if (!ACCOUNT_ID.test(use.accountId)) throw new Error(`recordImageUse: ${use.accountId} is no account id`);
  const store = storeOf(region);
  store.uses = store.uses.filter(
    (u) =>
      !(u.imageId === use.imageId && u.accountId === use.accountId && u.resourceType === use.resourceType),
  );
  if (use.count > 0) store.uses.push({ ...use });
}

/** Turns a report to `error` with this reason, as EC2 does when it cannot build one. */
export function failUsageReport(region: RegionState, reportId: string, reason: string): void {
  const report = storeOf(region).reports.find((r) => r.reportId === reportId);
  if (!report) throw new Error(`failUsageReport: no report ${reportId}`);
  report.failed = reason;
}

/** The region's reports (expired ones dropped), for tests that look inside. */
export function usageReportsOf(region: RegionState): UsageReportRecord[] {
  const store = storeOf(region);
  const now = store.clock?.getTime();
  if (now !== undefined) {
    store.reports = store.reports.filter((r) => now < r.creationTime.getTime() + EXPIRY_DAYS * 86_400_000);
  }
  return store.reports;
}

function stateOf(report: UsageReportRecord, clock: Date | undefined): string {
  if (report.failed !== undefined) return 'error';
  const ready = report.creationTime.getTime() + USAGE_REPORT_READY_MINUTES * 60_000;
  return clock !== undefined && clock.getTime() >= ready ? 'available' : 'pending';
}

function reportId(store: UsageReportStore): string {
  store.counter += 1;
  return `amiur-${(store.counter * 0x9e3779b1).toString(16).padStart(17, '0').slice(-17)}`;
}

function requestedTypes(params: FormParams): UsageReportType[] {
  const types = indexedStructs(params, 'ResourceType').map((s) => s.get('ResourceType') ?? '');
  if (types.length === 0) {
    throw new SandboxError('MissingParameter', 'The request must contain the parameter ResourceType');
  }
  for (const t of types) {
    if (!(USAGE_REPORT_TYPES as readonly string[]).includes(t)) {
      throw new SandboxError(
        'InvalidParameterValue',
        `Value (${t}) for parameter ResourceType is invalid: expected one of ${USAGE_REPORT_TYPES.join(', ')}`,
      );
    }
  }
  return [...new Set(types)] as UsageReportType[];
}

const createImageUsageReport: QueryAction = (params, { region }) => {
  const [image] = requireAll([requiredParam(params, 'ImageId')], (id) => region.getImage(id));
  if (image!.ownerId !== region.accountId) {
    throw new SandboxError('AuthFailure', `Not authorized for image:${image!.id}`, 403);
  }
  const resourceTypes = requestedTypes(params);
  const accountIds = [...new Set(indexedList(params, 'AccountId'))];
  if (accountIds.length > 200) {
    throw new SandboxError(
      'InvalidParameterValue',
      `AccountId takes at most 200 ids, got ${accountIds.length}`,
    );
  }
  for (const a of accountIds) {
    if (!ACCOUNT_ID.test(a)) {
      throw new SandboxError(
        'InvalidParameterValue',
        `Value (${a}) for parameter AccountId is invalid: expected 12 digits`,
      );
    }
  }
  const store = storeOf(region);
  if (store.clock === undefined) {
    throw new SandboxError(
      'InternalError',
      "the sandbox's usage-report clock is not set: call setUsageReportClock(region, now) first",
    );
  }
  const entries = store.uses.filter(
    (u) =>
      u.imageId === image!.id &&
      resourceTypes.includes(u.resourceType) &&
      (accountIds.length === 0 || accountIds.includes(u.accountId)),
  );
  const report: UsageReportRecord = {
    reportId: reportId(store),
    imageId: image!.id,
    resourceTypes,
    accountIds,
    creationTime: new Date(store.clock.getTime()),
    entries: entries.map((e) => ({ ...e })),
  };
  store.reports.push(report);
  return { reportId: report.reportId };
};

function renderReport(r: UsageReportRecord, clock: Date | undefined): XmlObject {
  const state = stateOf(r, clock);
  return {
    imageId: r.imageId,
    reportId: r.reportId,
    resourceTypeSet: items(r.resourceTypes.map((t): XmlObject => ({ resourceType: t }))),
    accountIdSet: r.accountIds.length > 0 ? items(r.accountIds) : undefined,
    state,
    stateReason: state === 'error' ? r.failed : undefined,
    creationTime: r.creationTime,
    expirationTime: new Date(r.creationTime.getTime() + EXPIRY_DAYS * 86_400_000),
  };
}

const REPORT_FIELDS = (clock: Date | undefined): FieldReaders<UsageReportRecord> => ({
  state: (r) => stateOf(r, clock),
  'creation-time': (r) => r.creationTime.toISOString(),
});

const describeImageUsageReports: QueryAction = (params, { region }) => {
  const imageIds = idList(params, 'ImageId');
  const reportIds = idList(params, 'ReportId');
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('maxResults', maxResults, 1, 1000);
  const clock = storeOf(region).clock;
  const filter = compileFilters(ec2Filters(params), REPORT_FIELDS(clock), undefined);
  const found = usageReportsOf(region).filter(
    (r) =>
      (imageIds.length === 0 || imageIds.includes(r.imageId)) &&
      (reportIds.length === 0 || reportIds.includes(r.reportId)) &&
      filter(r),
  );
  const page = pageOfArray(found, params.get('NextToken'), maxResults);
  return {
    imageUsageReportSet: items(page.items.map((r) => renderReport(r, clock))),
    nextToken: page.nextToken,
  };
};

interface EntryRow extends ImageUseRecord {
  reportId: string;
  reportCreationTime: Date;
}

const ENTRY_FIELDS: FieldReaders<EntryRow> = {
  'account-id': (e) => e.accountId,
  'resource-type': (e) => e.resourceType,
  'creation-time': (e) => e.reportCreationTime.toISOString(),
};

/** Entries of available reports only: a pending or failed report has none to show yet. */
const describeImageUsageReportEntries: QueryAction = (params, { region }) => {
  const imageIds = idList(params, 'ImageId');
  const reportIds = idList(params, 'ReportId');
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('maxResults', maxResults, 1, 1000);
  const clock = storeOf(region).clock;
  const filter = compileFilters(ec2Filters(params), ENTRY_FIELDS, undefined);
  const rows = usageReportsOf(region)
    .filter(
      (r) =>
        stateOf(r, clock) === 'available' &&
        (imageIds.length === 0 || imageIds.includes(r.imageId)) &&
        (reportIds.length === 0 || reportIds.includes(r.reportId)),
    )
    .flatMap((r) =>
      r.entries.map((e): EntryRow => ({ ...e, reportId: r.reportId, reportCreationTime: r.creationTime })),
    )
    .filter(filter);
  const page = pageOfArray(rows, params.get('NextToken'), maxResults);
  return {
    imageUsageReportEntrySet: items(
      page.items.map((e): XmlObject => ({
        resourceType: e.resourceType,
        reportId: e.reportId,
        usageCount: e.count,
        accountId: e.accountId,
        imageId: e.imageId,
        reportCreationTime: e.reportCreationTime,
      })),
    ),
    nextToken: page.nextToken,
  };
};

export const imageUsageReportActions = {
  CreateImageUsageReport: createImageUsageReport,
  DescribeImageUsageReports: describeImageUsageReports,
  DescribeImageUsageReportEntries: describeImageUsageReportEntries,
};
