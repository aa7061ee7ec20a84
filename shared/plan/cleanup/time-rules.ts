/** The per-AMI rules about time: is the tagger watching, can the AMI's age be told, is it old enough. */
import type { Image } from '../../domain';
import { TAG, formatTimestamp, type TagProblem, type Tags } from '../../tags';
import { DAY_MS, formatDuration, formatMinutes } from '../format';
import type { ImageContext } from './context';
import type { Candidate, Verdict } from './types';
import { keep, keepAndReport } from './verdicts';

/** Without a fresh LastUsedRuntime nobody has lately checked whether the AMI is used. */
export function taggerStale(_image: Image, ctx: ImageContext): Verdict | undefined {
  const { runtime, now, settings } = ctx;
  const freshness = formatMinutes(settings.freshnessMinutes);
  if (runtime.kind === 'absent') {
    return keep(
      'taggerStale',
      `no LastUsedRuntime tag: the tagger has not covered this AMI within ${freshness}`,
    );
  }
  // A LastUsedRuntime in the future is not stale but wrong: future-time reports it.
  if (runtime.kind !== 'ok' || runtime.value.getTime() > now.getTime() || ctx.isFresh(runtime.value)) {
    return undefined;
  }
  const age = formatDuration(now.getTime() - runtime.value.getTime());
  return keep(
    'taggerStale',
    `LastUsedRuntime ${formatTimestamp(runtime.value)} is ${age} old > ${freshness}: the tagger has not covered this AMI within ${freshness}`,
  );
}

/** A time in the future cannot be an age (a wrong clock, another tool writing the tag). */
export function futureTime(image: Image, ctx: ImageContext): Verdict | undefined {
  const { runtime, lastUsed, observedSince, now, nowText } = ctx;
  const future = (
    [
      [TAG.lastUsedRuntime, runtime],
      [TAG.lastUsed, lastUsed],
      [TAG.lastUsedObservedSince, observedSince],
    ] as const
  ).flatMap(([tag, r]) =>
    r.kind === 'ok' && r.value.getTime() > now.getTime() ? [{ tag, at: r.value }] : [],
  )[0];
  if (future) {
    return keepAndReport(
      `${future.tag} ${formatTimestamp(future.at)} is in the future: kept and reported`,
      futureProblem(image.id, future.tag, image.tags, nowText),
    );
  }
  const launched = image.lastLaunchedAt;
  if (launched === undefined || !(launched.getTime() > now.getTime())) return undefined;
  return keepAndReport(
    `EC2 LastLaunchedTime ${formatTimestamp(launched)} is in the future: kept and reported`,
    launchedProblem(image.id, formatTimestamp(launched), nowText),
  );
}

/** EC2's LastLaunchedTime backs up LastUsed: unreadable, the AMI's last launch is unknown. */
export function launchTimeUnreadable(image: Image, ctx: ImageContext): Verdict | undefined {
  const launched = image.lastLaunchedAt;
  if (launched === undefined || !Number.isNaN(launched.getTime())) return undefined;
  return keepAndReport(
    'EC2 LastLaunchedTime could not be read: its last launch is unknown, so it is kept and reported',
    launchedProblem(image.id, 'unreadable', ctx.nowText),
  );
}

/**
 * The owner's "not before": kept while now is before it, whatever its age. Tried after every rule
 * that reports a problem or keeps for a fact of the account (in use, protected, the tagger, a time
 * that cannot be an age), so none of those is hidden behind the owner's wish, and before the age
 * rules, which it overrides. A past value has no effect.
 */
export function keepUntil(image: Image, ctx: ImageContext): Verdict | undefined {
  const { keepUntil: k, now } = ctx;
  if (k.kind !== 'ok' || k.value.getTime() <= now.getTime()) return undefined;
  const raw = (image.tags[TAG.autoCleanupKeepUntil] ?? '').trim();
  // A date alone is said back as written: the end of 9999-12-31 is a year no timestamp should show.
  const until = raw.includes('T')
    ? `until ${formatTimestamp(k.value)}`
    : `through ${raw} (to the end of that day, UTC)`;
  return keep(
    'keepUntil',
    `${TAG.autoCleanupKeepUntil}=${raw} on the AMI: kept ${until}, ${formatDuration(k.value.getTime() - now.getTime())} from now`,
  );
}

/** Never used and of unknown creation date: nothing says how old it is. */
export function ageUnknown(_image: Image, ctx: ImageContext): Verdict | undefined {
  if (ctx.activity() !== undefined) return undefined;
  return keep(
    'other',
    'never used (no LastUsed tag) and its creation date is unknown: its age cannot be told',
  );
}

/** The retention period runs from the AMI's last activity (see context.ts). */
export function retention(_image: Image, ctx: ImageContext): Verdict | undefined {
  const activity = ctx.activity();
  if (activity === undefined) return undefined;
  const age = ctx.now.getTime() - activity.at.getTime();
  if (age > ctx.retention.days * DAY_MS) return undefined;
  return keep(
    'retention',
    age < 0
      ? `${activity.describe} is in the future: its age cannot be told`
      : `${activity.describe}, ${formatDuration(age)} ago: within the ${retentionText(ctx)}`,
  );
}

/** An AMI every per-AMI rule let through, with the reason its age gives for deleting it. */
export function candidateOf(image: Image, ctx: ImageContext): Candidate {
  const activity = ctx.activity();
  if (activity === undefined)
    throw new Error(`candidateOf: ${image.id} passed age-unknown without an activity`);
  const age = ctx.now.getTime() - activity.at.getTime();
  return {
    image,
    stage: ctx.stage,
    lastActivity: activity.at,
    reason: `${activity.describe}, ${formatDuration(age)} > ${retentionText(ctx)}`,
  };
}

function retentionText(ctx: ImageContext): string {
  return ctx.retention.text;
}

function futureProblem(resourceId: string, tag: string, tags: Tags, nowText: string): TagProblem {
  return { resourceId, tag, value: tags[tag] ?? '', expected: `a time not after now (${nowText})` };
}

function launchedProblem(resourceId: string, value: string, nowText: string): TagProblem {
  return {
    resourceId,
    tag: 'LastLaunchedTime (EC2 image attribute)',
    value,
    expected: `a time not after now (${nowText})`,
  };
}
