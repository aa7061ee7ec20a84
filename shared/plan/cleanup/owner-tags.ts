/**
 * The owner's per-AMI overrides: AutoCleanupRetentionDays (its own retention) and AutoCleanupKeepUntil
 * (not before then). Read here once per AMI; an unreadable value is decided on by `unreadable-tags`
 * (skipped, never deleted on a guess) and a valid one by `retention` and `keep-until`.
 */
import { FRESHNESS_MAX_SHARE_OF_RETENTION } from '../../config';
import { TAG, readUntilTag, readWholeNumberTag, type TagReading, type Tags } from '../../tags';
import { formatDays } from '../format';
import type { CleanupSettings } from './settings';

/**
 * Ten years. A larger value is far more likely a typo (999999) or a way of saying "forever" than a
 * retention anyone means, and "forever" is said plainly by AutoCleanup=false or a KeepUntil date.
 */
export const MAX_RETENTION_DAYS_TAG = 3650;

export interface Retention {
  days: number;
  /** "7 days retention", "30 days retention (AutoCleanupRetentionDays=30 on the AMI)". */
  text: string;
}

export interface OwnerTags {
  retentionDays: TagReading<number>;
  keepUntil: TagReading<Date>;
  /** The retention that applies to this AMI: its readable override, else the setting. */
  retention: Retention;
}

/**
 * The shortest retention a tag may ask for: a whole day, and at least as long as the freshness window
 * is allowed to be beside the retentionDays setting (a quarter, see shared/config.ts): the window is
 * how stale a LastUsed cleanup trusts, so it must stay small beside the time an AMI has to be unused.
 */
export function minRetentionDaysTag(settings: CleanupSettings): number {
  const windowDays = settings.freshnessMinutes / (24 * 60 * FRESHNESS_MAX_SHARE_OF_RETENTION);
  return Math.max(1, Math.ceil(windowDays));
}

export function readOwnerTags(tags: Tags, imageId: string, settings: CleanupSettings): OwnerTags {
  const min = minRetentionDaysTag(settings);
  const why =
    min > 1 ? ` (at least 4 x freshnessMinutes=${settings.freshnessMinutes}, rounded up to whole days)` : '';
  const retentionDays = readWholeNumberTag(tags, TAG.autoCleanupRetentionDays, imageId, {
    min,
    max: MAX_RETENTION_DAYS_TAG,
    expected: `a whole number of days from ${min} to ${MAX_RETENTION_DAYS_TAG}${why}, digits only with no spaces, e.g. 30`,
  });
  const retention: Retention =
    retentionDays.kind === 'ok'
      ? {
          days: retentionDays.value,
          text: `${formatDays(retentionDays.value)} retention (${TAG.autoCleanupRetentionDays}=${retentionDays.value} on the AMI)`,
        }
      : { days: settings.retentionDays, text: `${formatDays(settings.retentionDays)} retention` };
  return {
    retentionDays,
    keepUntil: readUntilTag(tags, TAG.autoCleanupKeepUntil, imageId),
    retention,
  };
}
