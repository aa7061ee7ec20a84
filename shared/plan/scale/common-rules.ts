/** The rules groups and instances share: whether the resource is opted in and its tags can be trusted. */
import { formatTimestamp, TAG } from '../../tags';
import type { ScheduleFacts, TagFacts, TransitionFacts } from './facts';
import { TRANSITION_EXPECTED } from './records';
import { rule, type ScaleRule } from './rule';
import type { ResourceType, ScaleAction, TransitionDeed, Verdict } from './types';

export const notOptedIn = rule<TagFacts>(
  'not-opted-in',
  'no ScaleToZero tag: kept, never looked at further',
  (f) => (f.reading === undefined ? { outcome: 'keep', reason: `not tagged ${TAG.scaleToZero}` } : undefined),
);

export const optedOut = rule<TagFacts>('opted-out', 'ScaleToZero=false: kept', (f) =>
  f.reading?.kind === 'opted-out'
    ? { outcome: 'keep', reason: `${TAG.scaleToZero}=false: opted out` }
    : undefined,
);

export const scheduleUnreadable = rule<TagFacts>(
  'schedule-unreadable',
  'ScaleToZero names no schedule it can read: skipped and reported',
  (f) =>
    f.reading?.kind === 'invalid'
      ? {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZero}=${JSON.stringify(f.tags[TAG.scaleToZero])} is not readable (${f.reading.detail})`,
          tagProblem: f.reading.problem,
        }
      : undefined,
);

export const transitionUnreadable = rule<TagFacts>(
  'transition-unreadable',
  'ScaleToZeroLastTransition cannot be read: skipped and reported',
  (f) =>
    f.lastText !== undefined && f.last === undefined
      ? {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZeroLastTransition}=${JSON.stringify(f.lastText)} is not readable`,
          tagProblem: {
            resourceId: f.resourceId,
            tag: TAG.scaleToZeroLastTransition,
            value: f.lastText,
            expected: TRANSITION_EXPECTED,
          },
        }
      : undefined,
);

// It only records transitions that have happened; a later one would silence it until then.
export const transitionInFuture = rule<TagFacts>(
  'transition-in-future',
  'ScaleToZeroLastTransition is later than now, so not written by scale-to-zero: skipped and reported',
  (f) =>
    f.last && f.last.at > f.now
      ? {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZeroLastTransition}=${JSON.stringify(f.lastText)} is in the future; not written by scale-to-zero, nothing done`,
          tagProblem: {
            resourceId: f.resourceId,
            tag: TAG.scaleToZeroLastTransition,
            value: f.lastText ?? '',
            expected: `${TRANSITION_EXPECTED}, no later than now`,
          },
        }
      : undefined,
);

export const noTransition = rule<ScheduleFacts>(
  'no-transition',
  'the schedule has no transition within the last 400 days: kept',
  (f) =>
    f.state.since
      ? undefined
      : {
          outcome: 'keep',
          reason: `schedule ${f.label} has no transition within the last 400 days; nothing to act on`,
        },
);

export const alreadyActed = rule<TransitionFacts>(
  'already-acted',
  'ScaleToZeroLastTransition records the latest transition: left as people set it since',
  (f) =>
    f.acted
      ? {
          outcome: 'keep',
          reason: `already acted on the ${f.state.on ? 'on' : 'off'} transition at ${f.at} (schedule ${f.label}); left as it is now`,
        }
      : undefined,
);

export const skipUntil = rule<TransitionFacts>(
  'skip-until',
  'off, and an active ScaleToZeroSkipUntil keeps it on: kept',
  (f) =>
    !f.acted && !f.state.on && f.keepOnUntil
      ? {
          outcome: 'keep',
          reason: `${TAG.scaleToZeroSkipUntil} keeps it on until ${formatTimestamp(f.keepOnUntil)} (schedule ${f.label} is off since ${f.at})`,
        }
      : undefined,
);

/** Nothing to change but the bookkeeping: record the transition, with what is carried over. */
export function recordTransition(
  f: TransitionFacts,
  resourceType: ResourceType,
  reason: string,
  options: { dropMarker?: boolean; carried?: TransitionDeed } = {},
): Verdict {
  const action: ScaleAction = {
    kind: 'record-transition',
    resourceType,
    resourceId: f.resourceId,
    transition: f.transition,
    dropMarker: options.dropMarker ?? false,
  };
  if (options.carried) action.carried = options.carried;
  return { outcome: 'record', reason, action };
}

/**
 * A kind's tag stage: whether it is opted in, then its own reasons to leave it alone (`own`), then
 * whether its ScaleToZero and (after `readable`, its other tags) its record read.
 */
export function tagRules<G extends TagFacts>(
  own: readonly ScaleRule<G>[],
  readable: readonly ScaleRule<G>[] = [],
): readonly ScaleRule<G>[] {
  return [
    notOptedIn,
    ...own,
    optedOut,
    scheduleUnreadable,
    ...readable,
    transitionUnreadable,
    transitionInFuture,
  ];
}

/** Every kind's schedule stage. */
export const SCHEDULE_RULES: readonly ScaleRule<ScheduleFacts>[] = [noTransition];
