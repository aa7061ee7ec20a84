/** Cleanup's settings, their defaults, and the check that they are what an operator could mean. */

export interface CleanupSettings {
  /** An AMI unused (or, never used, created) for longer than this many days may be deleted. */
  retentionDays: number;
  /** LastUsedRuntime must be at most this many minutes old: proof the tagger is alive. */
  freshnessMinutes: number;
  /** Keep this many newest AMIs (by creation date) of each family, whatever their age. */
  keepNewestPerFamily?: number;
  /** The tag whose value names an AMI's family; required with keepNewestPerFamily. */
  familyTag?: string;
  /** Blast-radius cap: at most this many AMIs per run; the rest are deferred to the next run. */
  maxDeletionsPerRun: number;
  /**
   * AMIs shared outside the account (public, or launch permissions for other accounts, organizations
   * or OUs). Default false: kept, their use in those accounts being invisible to this one. true:
   * deleted whatever their use elsewhere. 'when-unused': a shared, not public, AMI is deleted only
   * when a fresh AMI usage report shows no account using it (usage-reports.ts).
   */
  deleteSharedImages?: boolean | 'when-unused';
  /**
   * Deregister an AMI only when a Recycle Bin retention rule covers it and each of its snapshots
   * (the `recycle-bin-required` rule). Default false: the plan still says what is recoverable.
   */
  requireRecycleBin?: boolean;
  /**
   * Retirement in stages (stages.ts): an AMI that would be deleted is first deprecated, and disabled
   * this many days later. 0 or absent: no deprecated stage.
   */
  deprecateGraceDays?: number;
  /** Days an AMI cleanup disabled stays disabled before it is deregistered. 0 or absent: no disabled stage. */
  disableGraceDays?: number;
}

/** A grace period longer than a year is more likely a typo than a plan; AMIs cost storage meanwhile. */
export const MAX_GRACE_DAYS = 365;

export const DEFAULT_CLEANUP_SETTINGS: Readonly<CleanupSettings> = Object.freeze({
  retentionDays: 7,
  freshnessMinutes: 60,
  maxDeletionsPerRun: 100,
});

/** Settings that cannot be what the operator meant; each message names the setting and what is expected. */
export class CleanupSettingsError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid cleanup settings: ${issues.join('; ')}`);
    this.name = 'CleanupSettingsError';
  }
}

export function validateCleanupSettings(s: CleanupSettings): void {
  const issues: string[] = [];
  const positive = (name: string, v: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      issues.push(`${name} is ${String(v)}; expected a number greater than 0`);
    }
  };
  const count = (name: string, v: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      issues.push(`${name} is ${String(v)}; expected a whole number 0 or greater`);
    }
  };
  positive('retentionDays', s.retentionDays);
  positive('freshnessMinutes', s.freshnessMinutes);
  count('maxDeletionsPerRun', s.maxDeletionsPerRun);
  if (s.keepNewestPerFamily !== undefined) {
    count('keepNewestPerFamily', s.keepNewestPerFamily);
    if (s.familyTag === undefined || s.familyTag.trim() === '') {
      issues.push(
        'keepNewestPerFamily is set but familyTag is not; expected the tag key that names the family',
      );
    }
  }
  const shared: unknown = s.deleteSharedImages;
  if (shared !== undefined && shared !== true && shared !== false && shared !== 'when-unused') {
    issues.push(`deleteSharedImages is ${JSON.stringify(shared)}; expected true, false or 'when-unused'`);
  }
  for (const name of ['deprecateGraceDays', 'disableGraceDays'] as const) {
    const v = s[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_GRACE_DAYS) {
      issues.push(`${name} is ${String(v)}; expected a whole number of days from 0 to ${MAX_GRACE_DAYS}`);
    }
  }
  if (issues.length > 0) throw new CleanupSettingsError(issues);
}
