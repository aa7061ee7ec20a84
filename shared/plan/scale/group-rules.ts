/**
 * The rules for an Auto Scaling group, in order. Sizes are never lost: a group's sizes go into
 * ScaleToZeroSavedCapacity before it is scaled to 0, and it is restored only when its
 * ScaleToZeroLastTransition says scale-to-zero scaled it down for the off period that just ended.
 */
import { formatTimestamp, TAG } from '../../tags';
import { alreadyActed, recordTransition, SCHEDULE_RULES, skipUntil, tagRules } from './common-rules';
import type { GroupFacts, GroupTagFacts } from './facts';
import { GROUP_PATCH_RULES } from './patch-rules';
import { CAPACITY_EXPECTED, formatCapacity } from './records';
import { rule, type RuleStages } from './rule';
import type { Capacity, Verdict } from './types';

const savedSizesUnreadable = rule<GroupFacts>(
  'saved-sizes-unreadable',
  'ScaleToZeroSavedCapacity cannot be read: skipped and reported, sizes not touched',
  (f) =>
    !f.acted && f.savedText !== undefined && f.saved === undefined
      ? {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZeroSavedCapacity}=${JSON.stringify(f.savedText)} is not readable; sizes not touched`,
          tagProblem: {
            resourceId: f.resourceId,
            tag: TAG.scaleToZeroSavedCapacity,
            value: f.savedText,
            expected: CAPACITY_EXPECTED,
          },
        }
      : undefined,
);

// Our own record says it is asleep because of us, but the sizes to restore are gone: reported
// from the first run that sees it, the same night included, until a person sets sizes.
const savedSizesLost = rule<GroupFacts>(
  'saved-sizes-lost',
  'at 0 after scale-to-zero scaled it down, but ScaleToZeroSavedCapacity is gone: reported on every run',
  (f) =>
    f.scaled && f.atZero && f.savedText === undefined
      ? {
          outcome: 'skip',
          reason: `at 0 since scale-to-zero scaled it down (${TAG.scaleToZeroLastTransition}=${JSON.stringify(f.lastText)}), but its ${TAG.scaleToZeroSavedCapacity} tag is gone, so it cannot be restored: a person must set its sizes (it had max=${f.scaled.max}); reported on every run until then`,
          tagProblem: {
            resourceId: f.resourceId,
            tag: TAG.scaleToZeroLastTransition,
            value: f.lastText ?? '',
            expected: `${TAG.scaleToZeroSavedCapacity}=min=<n> desired=<n> max=<n> beside it (the sizes scale-to-zero saved)`,
          },
        }
      : undefined,
);

// What it would refuse to restore, it does not scale down.
const overCap = rule<GroupFacts>(
  'over-cap',
  'off, and its max is above SCALE_MAX_RESTORE_CAPACITY: skipped, not scaled to 0',
  (f) =>
    !f.state.on && !f.atZero && f.current.max > f.cap
      ? {
          outcome: 'skip',
          reason: `max=${f.current.max} is above SCALE_MAX_RESTORE_CAPACITY=${f.cap}: it would not be restored, so it is not scaled to 0 (raise the setting or opt the group out)`,
        }
      : undefined,
);

const scaleDown = rule<GroupFacts>(
  'scale-down',
  'off and not at 0: its sizes are saved and it is scaled to 0',
  (f) =>
    !f.state.on && !f.atZero
      ? {
          outcome: 'scale-to-zero',
          reason: `off since ${f.at} (schedule ${f.label}): remember ${formatCapacity(f.current)}, scale to 0${f.state.until ? ` until ${formatTimestamp(f.state.until)}` : ''}`,
          action: {
            kind: 'scale-group-to-zero',
            group: f.resourceId,
            saved: f.current,
            transition: f.transition,
          },
          instanceHoursSaved: f.current.desired * f.hoursOff,
        }
      : undefined,
);

/** Why the saved sizes must not be restored: above what was recorded or the configured cap. */
function tooLarge(f: GroupFacts, s: Capacity, recordedMax: number): string | undefined {
  return s.max > recordedMax
    ? `max=${s.max} is above the max=${recordedMax} the group had when scale-to-zero saved its sizes (${TAG.scaleToZeroLastTransition}=${JSON.stringify(f.lastText)})`
    : s.max > f.cap
      ? `max=${s.max} is above SCALE_MAX_RESTORE_CAPACITY=${f.cap}`
      : undefined;
}

const savedSizesTooLarge = rule<GroupFacts>(
  'saved-sizes-too-large',
  'the saved sizes it would keep or restore exceed the recorded max or the cap: skipped and reported',
  (f): Verdict | undefined => {
    if (!f.scaled || !f.saved || !(!f.state.on || f.recordOfEndedOffPeriod)) return undefined;
    const why = tooLarge(f, f.saved, f.scaled.max);
    if (!why) return undefined;
    return {
      outcome: 'skip',
      reason: `${TAG.scaleToZeroSavedCapacity}=${JSON.stringify(f.savedText)}: ${why}; not restored, sizes not touched`,
      tagProblem: {
        resourceId: f.resourceId,
        tag: TAG.scaleToZeroSavedCapacity,
        value: f.savedText ?? '',
        expected: `${CAPACITY_EXPECTED}, max <= ${Math.min(f.scaled.max, f.cap)}`,
      },
    };
  },
);

// Still at 0 from an earlier off period whose restore never happened.
const stillAtZero = rule<GroupFacts>(
  'still-at-zero',
  'off, and still at 0 from an earlier off period: the record and saved sizes carry over',
  (f) =>
    !f.state.on && f.scaled && f.saved
      ? recordTransition(
          f,
          'auto-scaling-group',
          `off since ${f.at} (schedule ${f.label}); still at 0 since scale-to-zero scaled it down at ${formatTimestamp(f.last!.at)}: ${formatCapacity(f.saved)} stays remembered for the next on transition`,
          { carried: f.scaled },
        )
      : undefined,
);

const restore = rule<GroupFacts>(
  'restore',
  'on, and scale-to-zero scaled it down for the off period that just ended: the saved sizes are restored',
  (f) =>
    f.state.on && f.scaled && f.recordOfEndedOffPeriod && f.saved
      ? {
          outcome: 'restore',
          reason: `on since ${f.at} (schedule ${f.label}): restore the remembered ${formatCapacity(f.saved)} (scaled to 0 by scale-to-zero at ${formatTimestamp(f.last!.at)})`,
          action: { kind: 'restore-group', group: f.resourceId, restore: f.saved, transition: f.transition },
        }
      : undefined,
);

// A tag set that does not prove this function scaled the group down (a lone, stale or forged
// ScaleToZeroSavedCapacity): never applied, reported on every run until a person acts.
const savedSizesUnvouched = rule<GroupFacts>(
  'saved-sizes-unvouched',
  'ScaleToZeroSavedCapacity not backed by a record of scale-to-zero scaling it down: skipped and reported',
  (f) =>
    f.savedText !== undefined
      ? {
          outcome: 'skip',
          reason: `${TAG.scaleToZeroSavedCapacity}=${JSON.stringify(f.savedText)} is not backed by ${TAG.scaleToZeroLastTransition}=${JSON.stringify(f.lastText ?? null)} (scale-to-zero records "<off transition> scaled-to-zero max=<n>" when it scales a group down${f.offSince ? `; this off period began ${formatTimestamp(f.offSince)}` : ''}): sizes not touched. It is left over from a failed run (see its earlier failures), or was written by someone else: set the sizes by hand if the group should run; an administrator removes the tag`,
          tagProblem: {
            resourceId: f.resourceId,
            tag: TAG.scaleToZeroSavedCapacity,
            value: f.savedText,
            expected: `only beside ${TAG.scaleToZeroLastTransition}="<start of the off period> scaled-to-zero max=<n>" written by scale-to-zero`,
          },
        }
      : undefined,
);

const alreadyAtZero = rule<GroupFacts>(
  'already-at-zero',
  'off and already at 0 (not by scale-to-zero): the transition is recorded, nothing saved',
  (f) =>
    !f.state.on
      ? recordTransition(
          f,
          'auto-scaling-group',
          `off since ${f.at} (schedule ${f.label}); already at 0, nothing to remember`,
        )
      : undefined,
);

const resizedWhileOff = rule<GroupFacts>(
  'resized-while-off',
  'on, scaled down by scale-to-zero but resized by hand since: the transition is recorded, sizes left',
  (f) =>
    f.state.on && f.scaled
      ? recordTransition(
          f,
          'auto-scaling-group',
          `on since ${f.at} (schedule ${f.label}); its sizes were set by hand while it was off, left as they are`,
        )
      : undefined,
);

const notScaledByUs = rule<GroupFacts>(
  'not-scaled-by-us',
  'on, and scale-to-zero did not scale it down: the transition is recorded, sizes left',
  (f) =>
    f.state.on
      ? recordTransition(
          f,
          'auto-scaling-group',
          `on since ${f.at} (schedule ${f.label}); not scaled down by scale-to-zero, sizes left as they are`,
        )
      : undefined,
);

/** A group's rules in three stages: its tags, then its schedule, then the transition. */
export const GROUP_STAGES: RuleStages<GroupTagFacts, GroupFacts> = {
  tags: tagRules([]),
  schedule: SCHEDULE_RULES,
  transition: [
    savedSizesUnreadable,
    skipUntil,
    savedSizesLost,
    // Patch windows: turned on for a maintenance window while asleep by its own record.
    ...GROUP_PATCH_RULES,
    alreadyActed,
    overCap,
    scaleDown,
    savedSizesTooLarge,
    stillAtZero,
    restore,
    savedSizesUnvouched,
    alreadyAtZero,
    resizedWhileOff,
    notScaledByUs,
  ],
};
