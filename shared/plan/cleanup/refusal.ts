/**
 * The whole-run refusal: the run deletes nothing when it cannot trust its inputs, that is when
 *   - no owned AMI carries a fresh LastUsedRuntime (the tagger is not demonstrably alive), or
 *   - a usage reference could not be resolved (a template version that was not read, a
 *     resolve:ssm: image id): its target could be any AMI, and we cannot tell which, so refusing
 *     the run is the only rule that is safe without guessing. The refusal names the references.
 */
import type { Image } from '../../domain';
import { TAG, formatTimestamp, readTimestampTag } from '../../tags';
import type { UsageIndex } from '../../usage';
import { formatDuration, formatMinutes } from '../format';
import type { CleanupSettings } from './settings';
import type { CleanupRefusal } from './types';

export function refusal(
  owned: Image[],
  usage: UsageIndex,
  now: Date,
  settings: CleanupSettings,
  isFresh: (t: Date) => boolean,
): CleanupRefusal | undefined {
  const reasons: string[] = [];
  const result: CleanupRefusal = { reason: '' };

  const runtimes = owned.flatMap((i) => {
    const r = readTimestampTag(i.tags, TAG.lastUsedRuntime, i.id);
    return r.kind === 'ok' ? [r.value] : [];
  });
  // With no owned AMI there is nothing the tagger protects, so a region without AMIs is not an alarm.
  if (owned.length > 0 && !runtimes.some(isFresh)) {
    const window = formatMinutes(settings.freshnessMinutes);
    if (runtimes.length === 0) {
      reasons.push(
        `refusing to delete: none of the ${owned.length} AMIs owned by this account carries a readable LastUsedRuntime; is the tagger running?`,
      );
    } else {
      const newest = new Date(Math.max(...runtimes.map((t) => t.getTime())));
      result.newestLastUsedRuntime = formatTimestamp(newest);
      const past = runtimes.filter((t) => t.getTime() <= now.getTime());
      if (past.length === 0) {
        reasons.push(
          `refusing to delete: every LastUsedRuntime is in the future (newest ${formatTimestamp(newest)}, now ${formatTimestamp(now)}); is a clock wrong or another tool writing the tag?`,
        );
      } else {
        const newestPast = new Date(Math.max(...past.map((t) => t.getTime())));
        reasons.push(
          `refusing to delete: newest LastUsedRuntime is ${formatTimestamp(newestPast)}, ${formatDuration(now.getTime() - newestPast.getTime())} old > ${window}; is the tagger running?`,
        );
      }
    }
  }
  if (usage.unresolved.length > 0) {
    const shown = usage.unresolved.slice(0, 3).map((u) => u.message);
    const more = usage.unresolved.length > 3 ? ` and ${usage.unresolved.length - 3} more` : '';
    reasons.push(
      `refusing to delete: ${usage.unresolved.length} usage reference(s) could not be resolved, so any AMI could be in use (${shown.join('; ')}${more})`,
    );
    result.unresolved = [...usage.unresolved];
  }
  if (reasons.length === 0) return undefined;
  result.reason = reasons.join('; also ');
  return result;
}
