/**
 * The fleet's own events on EventBridge: every function puts one summary per run (and the cleanup
 * function a separate event when it refuses to delete). The notifier reads exactly these shapes.
 */

export const EVENT_SOURCE = 'ec2-hygiene';

export const DETAIL_TYPE = {
  runSummary: 'EC2 Hygiene Run Summary',
  cleanupRefused: 'EC2 Hygiene Cleanup Refused',
  deletionNotice: 'EC2 Hygiene Deletion Notice',
} as const;

export type FunctionName = 'tagger' | 'cleanup' | 'scale-to-zero' | 'notifier' | 'recovery' | 'self-heal';

export interface RunFailure {
  resourceId: string;
  /** The API action or step that failed, e.g. "DeregisterImage". */
  action: string;
  message: string;
}

export interface SkippedResource {
  resourceId: string;
  tag?: string;
  value?: string;
  expected?: string;
  reason: string;
  /** The plan rule that skipped it (cleanup, scale-to-zero). */
  rule?: string;
}

/** Something worth knowing that needs no action (e.g. an in-use AMI another account owns). */
export interface ReportedResource {
  resourceId: string;
  reason: string;
}

/** detail of a "EC2 Hygiene Run Summary" event. */
export interface RunSummaryDetail {
  function: FunctionName;
  region: string;
  accountId: string;
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  /** True when the run stopped early to stay inside its time budget; the next run continues. */
  incomplete: boolean;
  /** Named counts, e.g. { imagesSeen: 120, taggedLastUsed: 31, deleted: 2 }. */
  counts: Record<string, number>;
  failures: RunFailure[];
  skipped: SkippedResource[];
  /**
   * Informational findings, not failures: the notifier does not alert on these. Kept apart from
   * `skipped` because an account running Amazon's own AMIs would otherwise warn on every run.
   */
  reported?: ReportedResource[];
  /**
   * Cleanup: the AMIs this run deregistered, with the snapshots it deleted for each, so the message
   * about the run names what is gone (counts.deleted says how many).
   */
  deleted?: DeletedImage[];
  /** Scale-to-zero: what the instance-hours saved are worth (counts.estimatedSavingsUsd). */
  savings?: SavingsSummary;
  /** Scale-to-zero: what the databases it stopped save (counts.estimatedDatabaseSavingsUsd), compute only. */
  databaseSavings?: DatabaseSavingsSummary;
  /** Scale-to-zero: Elastic IPs still billed while what they serve sleeps, and unassociated ones. */
  idleAddresses?: IdleAddressesSummary;
  /** Cleanup: what the snapshot storage freed is worth a month (counts.estimatedSnapshotSavingsUsdPerMonth). */
  snapshotSavings?: SnapshotSavingsSummary;
}

/**
 * The money behind cleanup's counts.estimatedSnapshotSavingsUsdPerMonth, always an estimate and an
 * upper bound: counts.snapshotGiBDeleted sums DescribeSnapshots' VolumeSize (the source volume's size),
 * while snapshots are incremental and store only changed blocks.
 */
export interface SnapshotSavingsSummary {
  estimate: true;
  upperBound: true;
  currency: 'USD';
  basis: string;
  /** USD per GiB-month of standard snapshot storage in the region, and where it came from; absent: unknown. */
  price?: { usdPerGiBMonth: number; source: 'price-list' | 'bundled-table' };
  /** Snapshots deleted whose size was not read: not in the GiB. */
  unsizedSnapshots: string[];
  /** Why the price list could not be read, when it could not. */
  problems?: string[];
}

/** One Elastic IP that costs money while nothing uses it. Only reported: never released. */
export interface IdleAddress {
  publicIp: string;
  allocationId?: string;
  /** The sleeping instance it is associated with; absent when unassociated. */
  instanceId?: string;
  /** Why it is idle: "associated with i-… stopped by scale-to-zero", "unassociated". */
  reason: string;
  usdPerHour: number;
}

/** The idle Elastic IPs of a region and what they cost per hour: an estimate at the list price. */
export interface IdleAddressesSummary {
  estimate: true;
  currency: 'USD';
  basis: string;
  addresses: IdleAddress[];
  /** Sum over the addresses. */
  usdPerHour: number;
}

/**
 * The money behind counts.estimatedSavingsUsd, always an estimate: on-demand Linux list prices,
 * nothing for the types no price is known for (named here, never guessed).
 */
export interface SavingsSummary {
  estimate: true;
  currency: 'USD';
  /** What the figure is: how it was computed and what it leaves out. */
  basis: string;
  /** USD per instance-hour used for each type, and where the figure came from. */
  prices: Record<string, { usdPerHour: number; source: 'price-list' | 'bundled-table' }>;
  /** Types neither the price list nor the bundled table knows: their hours are not in the figure. */
  unpricedTypes: string[];
  /** Resources whose instance type the inventory does not name (e.g. a group listing no instances). */
  unknownTypeResources: string[];
  unpricedInstanceHours: number;
  /** Why the price list could not be read, when it could not. */
  problems?: string[];
}

/**
 * The money behind counts.estimatedDatabaseSavingsUsd, always an estimate and compute only (a stopped
 * database's storage is still billed): DB instance-hours stopped at on-demand list prices, nothing
 * for the DB instances no price is known for (named here with why, never guessed).
 */
export interface DatabaseSavingsSummary {
  estimate: true;
  currency: 'USD';
  basis: string;
  usd: number;
  /** DB instance-hours stopped (counts.estimatedDbInstanceHoursSaved), priced or not. */
  dbInstanceHours: number;
  unpricedDbInstanceHours: number;
  /** USD per DB instance-hour for each "class engine deployment", and where the figure came from. */
  prices: Record<string, { usdPerHour: number; source: 'price-list' | 'bundled-table' }>;
  /** DB instances whose hours are not in the figure, and why. */
  notEstimated: { resourceId: string; reason: string }[];
  /** Why the price list could not be read, when it could not. */
  problems?: string[];
}

/** An AMI a cleanup run deregistered, and the snapshots of it the run deleted. */
export interface DeletedImage {
  imageId: string;
  name?: string;
  snapshotIds: string[];
}

/** The next step cleanup will take on an AMI: its stage (deprecate, disable) or deregistration. */
export type RetirementStep = 'deprecate' | 'disable' | 'deregister';

/** One AMI in a deletion notice: what will happen to it, and from when. */
export interface UpcomingRetirement {
  imageId: string;
  name?: string;
  step: RetirementStep;
  /** The earliest time (ISO 8601) the step can happen, if nothing uses or keeps the AMI before. */
  on: string;
  /** The AMI's last activity (LastUsed, or its creation when never used), ISO 8601. */
  lastActivity?: string;
}

/**
 * detail of a "EC2 Hygiene Deletion Notice" event: the AMIs whose next retirement step falls within
 * the notice period, so their owners can keep one (AutoCleanupKeepUntil) before it happens.
 */
export interface DeletionNoticeDetail {
  region: string;
  accountId: string;
  at: string;
  /** How many days ahead the notice looks (the cleanup setting). */
  noticeDays: number;
  dryRun: boolean;
  images: UpcomingRetirement[];
  /** AMIs left out to keep the event under EventBridge's size limit. */
  omitted?: number;
}

/** detail of a "EC2 Hygiene Cleanup Refused" event: the whole run deleted nothing, and why. */
export interface CleanupRefusedDetail {
  region: string;
  accountId: string;
  at: string;
  reason: string;
  /** Newest LastUsedRuntime seen on any owned AMI, if any. */
  newestLastUsedRuntime?: string;
}
