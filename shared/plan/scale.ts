/**
 * The scale-to-zero plan: a pure function of (groups, instances, settings, now). It acts only on
 * TRANSITIONS of a resource's schedule. Each resource carries ScaleToZeroLastTransition, the
 * transition last acted on; while the latest transition of the schedule is that one, the resource is
 * left as people set it, so a late worker who starts a box at 21:00 is not fought every 15 minutes,
 * and a run that was missed or failed leaves the transition unrecorded for the next run to catch up.
 *
 * Sizes are never lost: a group's min/desired/max go into ScaleToZeroSavedCapacity on the group
 * before it is scaled to 0. Tags can be written by anyone who may tag the resource, so a tag alone
 * never makes the plan act: ScaleToZeroLastTransition records what this function did at the
 * transition ("… scaled-to-zero max=4", "… stopped=<time>"), and a group is restored (to at most the
 * recorded max and the configured cap) or an instance started only when that record is for the off
 * period that just ended and the saved sizes or the stopped-at marker agree with it. Anything else
 * is skipped and reported, and a group left at 0 without its sizes is reported on every run.
 */
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../domain';
import {
  DEFAULT_MAX_RESTORE_CAPACITY,
  formatSchedule,
  resolveSchedule,
  scheduleStateAt,
  type Holidays,
  type Schedule,
  type ScheduleReading,
  type ScheduleSource,
  type ScheduleState,
} from '../schedule';
import { formatTimestamp, parseTimestamp, readTimestampTag, TAG, type TagProblem, type Tags } from '../tags';

export interface Capacity {
  min: number;
  desired: number;
  max: number;
}

export interface ScalePlanSettings extends ScheduleSource {
  holidays: Holidays;
  /** Largest max a group is scaled down from or restored to (SCALE_MAX_RESTORE_CAPACITY). */
  maxRestoreCapacity?: number;
}

export interface PlanScaleInput {
  groups: readonly AutoScalingGroupRecord[];
  instances: readonly ScalableInstanceRecord[];
  settings: ScalePlanSettings;
  now: Date;
}

export type ResourceType = 'auto-scaling-group' | 'instance';

export type ScaleAction =
  | { kind: 'scale-group-to-zero'; group: string; saved: Capacity; transition: Date }
  | { kind: 'restore-group'; group: string; restore: Capacity; transition: Date }
  | { kind: 'stop-instance'; instanceId: string; transition: Date }
  | { kind: 'start-instance'; instanceId: string; transition: Date }
  /** Nothing to change but the bookkeeping: record the transition (and drop a stale marker tag). */
  | {
      kind: 'record-transition';
      resourceType: ResourceType;
      resourceId: string;
      transition: Date;
      dropMarker: boolean;
      /**
       * Still off from an earlier off period (its restore or start never happened): the record
       * moves to this transition with what was done then, so the next on transition restores it.
       */
      carried?: TransitionDeed;
    };

/** What the function did at a transition, as ScaleToZeroLastTransition records it. */
export type TransitionDeed =
  { kind: 'nothing' } | { kind: 'scaled-to-zero'; max: number } | { kind: 'stopped'; stoppedAt: Date };

export interface TransitionRecord {
  at: Date;
  deed: TransitionDeed;
}

export type Outcome = 'scale-to-zero' | 'restore' | 'stop' | 'start' | 'record' | 'keep' | 'wait' | 'skip';

export interface ScaleDecision {
  resourceType: ResourceType;
  resourceId: string;
  outcome: Outcome;
  reason: string;
  action?: ScaleAction;
  /** Instance-hours this action saves until the schedule turns the resource on again. */
  instanceHoursSaved?: number;
  /** The unreadable tag that made the plan skip this resource. */
  tagProblem?: TagProblem;
  /** Tags read and deliberately ignored (an expired or malformed override), for the report. */
  ignoredTags: IgnoredTag[];
}

export interface IgnoredTag {
  tag: string;
  value: string;
  reason: string;
  expected?: string;
}

export interface ScalePlan {
  decisions: ScaleDecision[];
  actions: ScaleAction[];
  instanceHoursSaved: number;
}

export const CAPACITY_EXPECTED =
  'min=<n> desired=<n> max=<n> with min <= desired <= max, e.g. min=1 desired=2 max=4';

export function formatCapacity(c: Capacity): string {
  return `min=${c.min} desired=${c.desired} max=${c.max}`;
}

export function parseCapacity(text: string): Capacity | undefined {
  const m = /^min=(\d{1,6}) desired=(\d{1,6}) max=(\d{1,6})$/.exec(text.trim());
  if (!m) return undefined;
  const [min, desired, max] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!(min <= desired && desired <= max)) return undefined;
  return { min, desired, max };
}

export const TRANSITION_EXPECTED =
  'an ISO 8601 UTC time written by scale-to-zero, alone or followed by " scaled-to-zero max=<n>" or " stopped=<ISO UTC time>", e.g. 2026-11-23T17:30:00Z scaled-to-zero max=4';

const RECORD =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)(?: scaled-to-zero max=(\d{1,6})| stopped=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z))?$/;

/** The ScaleToZeroLastTransition value: the transition, then what was done at it. */
export function formatTransitionRecord(r: TransitionRecord): string {
  const at = formatTimestamp(r.at);
  switch (r.deed.kind) {
    case 'nothing':
      return at;
    case 'scaled-to-zero':
      return `${at} scaled-to-zero max=${r.deed.max}`;
    case 'stopped':
      return `${at} stopped=${formatTimestamp(r.deed.stoppedAt)}`;
  }
}

export function parseTransitionRecord(text: string): TransitionRecord | undefined {
  const m = RECORD.exec(text.trim());
  if (!m) return undefined;
  const at = parseTimestamp(m[1]!);
  if (!at) return undefined;
  if (m[2] !== undefined) return { at, deed: { kind: 'scaled-to-zero', max: Number(m[2]) } };
  if (m[3] !== undefined) {
    const stoppedAt = parseTimestamp(m[3]);
    return stoppedAt ? { at, deed: { kind: 'stopped', stoppedAt } } : undefined;
  }
  return { at, deed: { kind: 'nothing' } };
}

/**
 * What ScaleToZeroLastTransition says after an action: the transition and what was done at it. A
 * restore or start is recorded bare, so the sizes or marker left behind no longer count as ours.
 * `now` is the stop's time, the same value the apply step writes to ScaleToZeroStoppedAt.
 */
export function transitionValue(a: ScaleAction, now: Date): string {
  let deed: TransitionDeed = { kind: 'nothing' };
  if (a.kind === 'scale-group-to-zero') deed = { kind: 'scaled-to-zero', max: a.saved.max };
  else if (a.kind === 'stop-instance') deed = { kind: 'stopped', stoppedAt: now };
  else if (a.kind === 'record-transition' && a.carried) deed = a.carried;
  return formatTransitionRecord({ at: a.transition, deed });
}

/** The parts of a decision every resource kind shares: schedule, override, last transition. */
type Common =
  | {
      kind: 'done';
      decision: Omit<ScaleDecision, 'resourceType' | 'resourceId' | 'ignoredTags'>;
      /** Set when the transition was already acted on: what the record says was done. */
      record?: TransitionRecord;
    }
  | {
      kind: 'act';
      state: ScheduleState & { since: Date };
      label: string;
      /** What ScaleToZeroLastTransition says was done last, if anything was recorded. */
      record?: TransitionRecord;
      /** When on: the start of the off period that just ended (undefined if none is known). */
      offSince?: Date;
      /** An active ScaleToZeroSkipUntil: the resource must not be turned off before this time. */
      keepOnUntil?: Date;
    };

const HOUR_MS = 3_600_000;

export function planScale(input: PlanScaleInput): ScalePlan {
  const { now, settings } = input;
  // Thousands of resources share a handful of schedules: each is evaluated once per run.
  const stateCache = new Map<string, ScheduleState>();
  const stateOf = (s: Schedule) => {
    const key = `${s.text}\n${formatSchedule(s)}`;
    let st = stateCache.get(key);
    if (!st) {
      st = scheduleStateAt(s, settings.holidays, now);
      stateCache.set(key, st);
    }
    return st;
  };

  // The off period a restore belongs to: the state just before the on transition.
  const offSinceCache = new Map<string, Date | undefined>();
  const offSinceOf = (s: Schedule, onSince: Date) => {
    const key = `${s.text}\n${formatSchedule(s)}\n${onSince.getTime()}`;
    if (!offSinceCache.has(key)) {
      const before = scheduleStateAt(s, settings.holidays, new Date(onSince.getTime() - 1));
      offSinceCache.set(key, before.on ? undefined : before.since);
    }
    return offSinceCache.get(key);
  };
  const cap = settings.maxRestoreCapacity ?? DEFAULT_MAX_RESTORE_CAPACITY;

  const readings = new Map<string, ScheduleReading>();
  const readingOf = (raw: string, resourceId: string): ScheduleReading => {
    let r = readings.get(raw);
    if (!r) {
      r = resolveSchedule(raw, resourceId, settings);
      readings.set(raw, r);
    }
    return r.kind === 'invalid' ? { ...r, problem: { ...r.problem, resourceId } } : r;
  };

  const common = (resourceId: string, tags: Tags, ignored: IgnoredTag[]): Common => {
    const raw = tags[TAG.scaleToZero];
    if (raw === undefined) {
      return { kind: 'done', decision: { outcome: 'keep', reason: `not tagged ${TAG.scaleToZero}` } };
    }
    const reading = readingOf(raw, resourceId);
    if (reading.kind === 'opted-out') {
      return { kind: 'done', decision: { outcome: 'keep', reason: `${TAG.scaleToZero}=false: opted out` } };
    }
    if (reading.kind === 'invalid') {
      return {
        kind: 'done',
        decision: {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZero}=${JSON.stringify(raw)} is not readable (${reading.detail})`,
          tagProblem: reading.problem,
        },
      };
    }
    const lastText = tags[TAG.scaleToZeroLastTransition];
    const last = lastText === undefined ? undefined : parseTransitionRecord(lastText);
    if (lastText !== undefined && last === undefined) {
      return {
        kind: 'done',
        decision: {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZeroLastTransition}=${JSON.stringify(lastText)} is not readable`,
          tagProblem: {
            resourceId,
            tag: TAG.scaleToZeroLastTransition,
            value: lastText,
            expected: TRANSITION_EXPECTED,
          },
        },
      };
    }
    if (last && last.at > now) {
      // It only records transitions that have happened; a later one would silence it until then.
      return {
        kind: 'done',
        decision: {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZeroLastTransition}=${JSON.stringify(lastText)} is in the future; not written by scale-to-zero, nothing done`,
          tagProblem: {
            resourceId,
            tag: TAG.scaleToZeroLastTransition,
            value: lastText ?? '',
            expected: `${TRANSITION_EXPECTED}, no later than now`,
          },
        },
      };
    }
    const override = readTimestampTag(tags, TAG.scaleToZeroSkipUntil, resourceId);
    let keepOnUntil: Date | undefined;
    if (override.kind === 'invalid') {
      ignored.push({
        tag: TAG.scaleToZeroSkipUntil,
        value: override.problem.value,
        reason: 'override is not readable and was ignored; the schedule applies',
        expected: override.problem.expected,
      });
    } else if (override.kind === 'ok') {
      if (override.value > now) keepOnUntil = override.value;
      else {
        ignored.push({
          tag: TAG.scaleToZeroSkipUntil,
          value: tags[TAG.scaleToZeroSkipUntil] ?? '',
          reason: `override expired at ${formatTimestamp(override.value)} and was ignored; the schedule applies`,
        });
      }
    }
    const state = stateOf(reading.schedule);
    if (!state.since) {
      return {
        kind: 'done',
        decision: {
          outcome: 'keep',
          reason: `schedule ${reading.label} has no transition within the last 400 days; nothing to act on`,
        },
      };
    }
    const word = state.on ? 'on' : 'off';
    if (last && last.at.getTime() >= state.since.getTime()) {
      return {
        kind: 'done',
        decision: {
          outcome: 'keep',
          reason: `already acted on the ${word} transition at ${formatTimestamp(state.since)} (schedule ${reading.label}); left as it is now`,
        },
        record: last,
      };
    }
    const act: Common = { kind: 'act', state: { ...state, since: state.since }, label: reading.label };
    if (keepOnUntil) act.keepOnUntil = keepOnUntil;
    if (last) act.record = last;
    if (state.on) {
      const offSince = offSinceOf(reading.schedule, state.since);
      if (offSince) act.offSince = offSince;
    }
    return act;
  };

  const hoursOff = (state: ScheduleState) =>
    state.until ? Math.max(0, (state.until.getTime() - now.getTime()) / HOUR_MS) : 0;

  const decisions: ScaleDecision[] = [];

  for (const g of input.groups) {
    const ignoredTags: IgnoredTag[] = [];
    const base = { resourceType: 'auto-scaling-group' as const, resourceId: g.name, ignoredTags };
    const c = common(g.name, g.tags, ignoredTags);
    const atZero = g.minSize === 0 && g.desiredCapacity === 0 && g.maxSize === 0;
    const lastText = g.tags[TAG.scaleToZeroLastTransition];
    const savedText = g.tags[TAG.scaleToZeroSavedCapacity];
    // Our own record says it is asleep because of us, but the sizes to restore are gone: reported
    // from the first run that sees it, the same night included, until a person sets sizes.
    const sizesLost = (max: number) =>
      decisions.push({
        ...base,
        outcome: 'skip',
        reason: `at 0 since scale-to-zero scaled it down (${TAG.scaleToZeroLastTransition}=${JSON.stringify(lastText)}), but its ${TAG.scaleToZeroSavedCapacity} tag is gone, so it cannot be restored: a person must set its sizes (it had max=${max}); reported on every run until then`,
        tagProblem: {
          resourceId: g.name,
          tag: TAG.scaleToZeroLastTransition,
          value: lastText ?? '',
          expected: `${TAG.scaleToZeroSavedCapacity}=min=<n> desired=<n> max=<n> beside it (the sizes scale-to-zero saved)`,
        },
      });
    if (c.kind === 'done') {
      if (c.record?.deed.kind === 'scaled-to-zero' && atZero && savedText === undefined) {
        sizesLost(c.record.deed.max);
      } else decisions.push({ ...base, ...c.decision });
      continue;
    }
    const saved = savedText === undefined ? undefined : parseCapacity(savedText);
    if (savedText !== undefined && saved === undefined) {
      decisions.push({
        ...base,
        outcome: 'skip',
        reason: `tag ${TAG.scaleToZeroSavedCapacity}=${JSON.stringify(savedText)} is not readable; sizes not touched`,
        tagProblem: {
          resourceId: g.name,
          tag: TAG.scaleToZeroSavedCapacity,
          value: savedText,
          expected: CAPACITY_EXPECTED,
        },
      });
      continue;
    }
    const { state, label } = c;
    const transition = state.since;
    const at = formatTimestamp(transition);
    const current: Capacity = { min: g.minSize, desired: g.desiredCapacity, max: g.maxSize };
    const scaled = c.record?.deed.kind === 'scaled-to-zero' ? c.record.deed : undefined;
    const record = (reason: string, carried?: TransitionDeed): void => {
      const action: ScaleAction = {
        kind: 'record-transition',
        resourceType: 'auto-scaling-group',
        resourceId: g.name,
        transition,
        dropMarker: false,
      };
      if (carried) action.carried = carried;
      decisions.push({ ...base, outcome: 'record', reason, action });
    };
    const skip = (reason: string, tagProblem: Omit<TagProblem, 'resourceId'>): void => {
      decisions.push({ ...base, outcome: 'skip', reason, tagProblem: { resourceId: g.name, ...tagProblem } });
    };
    // A tag set that does not prove this function scaled the group down (a lone, stale or forged
    // ScaleToZeroSavedCapacity): never applied, reported on every run until a person acts.
    const unvouched = () =>
      skip(
        `${TAG.scaleToZeroSavedCapacity}=${JSON.stringify(savedText)} is not backed by ${TAG.scaleToZeroLastTransition}=${JSON.stringify(lastText ?? null)} (scale-to-zero records "<off transition> scaled-to-zero max=<n>" when it scales a group down${c.offSince ? `; this off period began ${formatTimestamp(c.offSince)}` : ''}): sizes not touched. It is left over from a failed run (see its earlier failures), or was written by someone else: set the sizes by hand if the group should run; an administrator removes the tag`,
        {
          tag: TAG.scaleToZeroSavedCapacity,
          value: savedText ?? '',
          expected: `only beside ${TAG.scaleToZeroLastTransition}="<start of the off period> scaled-to-zero max=<n>" written by scale-to-zero`,
        },
      );
    // The saved sizes must fit under what was recorded and the configured cap.
    const tooLarge = (s: Capacity, recordedMax: number): string | undefined =>
      s.max > recordedMax
        ? `max=${s.max} is above the max=${recordedMax} the group had when scale-to-zero saved its sizes (${TAG.scaleToZeroLastTransition}=${JSON.stringify(lastText)})`
        : s.max > cap
          ? `max=${s.max} is above SCALE_MAX_RESTORE_CAPACITY=${cap}`
          : undefined;
    const refuseSizes = (why: string, recordedMax: number) =>
      skip(
        `${TAG.scaleToZeroSavedCapacity}=${JSON.stringify(savedText)}: ${why}; not restored, sizes not touched`,
        {
          tag: TAG.scaleToZeroSavedCapacity,
          value: savedText ?? '',
          expected: `${CAPACITY_EXPECTED}, max <= ${Math.min(recordedMax, cap)}`,
        },
      );

    if (!state.on) {
      if (c.keepOnUntil) {
        decisions.push({
          ...base,
          outcome: 'keep',
          reason: `${TAG.scaleToZeroSkipUntil} keeps it on until ${formatTimestamp(c.keepOnUntil)} (schedule ${label} is off since ${at})`,
        });
      } else if (!atZero && current.max > cap) {
        // What it would refuse to restore, it does not scale down.
        decisions.push({
          ...base,
          outcome: 'skip',
          reason: `max=${current.max} is above SCALE_MAX_RESTORE_CAPACITY=${cap}: it would not be restored, so it is not scaled to 0 (raise the setting or opt the group out)`,
        });
      } else if (!atZero) {
        const hours = current.desired * hoursOff(state);
        decisions.push({
          ...base,
          outcome: 'scale-to-zero',
          reason: `off since ${at} (schedule ${label}): remember ${formatCapacity(current)}, scale to 0${state.until ? ` until ${formatTimestamp(state.until)}` : ''}`,
          action: { kind: 'scale-group-to-zero', group: g.name, saved: current, transition },
          instanceHoursSaved: hours,
        });
      } else if (scaled) {
        // Still at 0 from an earlier off period whose restore never happened.
        if (!saved) sizesLost(scaled.max);
        else {
          const why = tooLarge(saved, scaled.max);
          if (why) refuseSizes(why, scaled.max);
          else {
            record(
              `off since ${at} (schedule ${label}); still at 0 since scale-to-zero scaled it down at ${formatTimestamp(c.record!.at)}: ${formatCapacity(saved)} stays remembered for the next on transition`,
              scaled,
            );
          }
        }
      } else if (savedText !== undefined) {
        unvouched();
      } else {
        record(`off since ${at} (schedule ${label}); already at 0, nothing to remember`);
      }
      continue;
    }
    const thisPeriod = scaled !== undefined && c.offSince?.getTime() === c.record!.at.getTime();
    if (scaled && thisPeriod && saved) {
      const why = tooLarge(saved, scaled.max);
      if (why) refuseSizes(why, scaled.max);
      else {
        decisions.push({
          ...base,
          outcome: 'restore',
          reason: `on since ${at} (schedule ${label}): restore the remembered ${formatCapacity(saved)} (scaled to 0 by scale-to-zero at ${formatTimestamp(c.record!.at)})`,
          action: { kind: 'restore-group', group: g.name, restore: saved, transition },
        });
      }
    } else if (savedText !== undefined) {
      unvouched();
    } else if (scaled && atZero) {
      sizesLost(scaled.max);
    } else if (scaled) {
      record(
        `on since ${at} (schedule ${label}); its sizes were set by hand while it was off, left as they are`,
      );
    } else {
      record(`on since ${at} (schedule ${label}); not scaled down by scale-to-zero, sizes left as they are`);
    }
  }

  const managedGroups = new Set(
    input.groups.filter((g) => g.tags[TAG.scaleToZero] !== undefined).map((g) => g.name),
  );
  for (const i of input.instances) {
    const ignoredTags: IgnoredTag[] = [];
    const base = { resourceType: 'instance' as const, resourceId: i.id, ignoredTags };
    if (i.tags[TAG.scaleToZero] === undefined) {
      decisions.push({ ...base, outcome: 'keep', reason: `not tagged ${TAG.scaleToZero}` });
      continue;
    }
    if (i.autoScalingGroupName !== undefined && managedGroups.has(i.autoScalingGroupName)) {
      // ScaleToZero propagated at launch from a group we manage: the group is what gets scaled.
      decisions.push({
        ...base,
        outcome: 'keep',
        reason: `managed through its Auto Scaling group ${i.autoScalingGroupName}`,
      });
      continue;
    }
    const unsafe = unsafeToStop(i);
    if (unsafe) {
      decisions.push({ ...base, outcome: 'skip', reason: unsafe });
      continue;
    }
    const c = common(i.id, i.tags, ignoredTags);
    if (c.kind === 'done') {
      decisions.push({ ...base, ...c.decision });
      continue;
    }
    const stoppedAt = readTimestampTag(i.tags, TAG.scaleToZeroStoppedAt, i.id);
    if (stoppedAt.kind === 'invalid') {
      decisions.push({
        ...base,
        outcome: 'skip',
        reason: `tag ${TAG.scaleToZeroStoppedAt}=${JSON.stringify(stoppedAt.problem.value)} is not readable`,
        tagProblem: stoppedAt.problem,
      });
      continue;
    }
    const { state, label } = c;
    const transition = state.since;
    const at = formatTimestamp(transition);
    const record = (reason: string, dropMarker = false, carried?: TransitionDeed): void => {
      const action: ScaleAction = {
        kind: 'record-transition',
        resourceType: 'instance',
        resourceId: i.id,
        transition,
        dropMarker,
      };
      if (carried) action.carried = carried;
      decisions.push({ ...base, outcome: 'record', reason, action });
    };
    const lastText = i.tags[TAG.scaleToZeroLastTransition];
    const stoppedByUs = c.record?.deed.kind === 'stopped' ? c.record.deed : undefined;
    const markerText = i.tags[TAG.scaleToZeroStoppedAt];
    const markerMatches =
      stoppedByUs !== undefined &&
      stoppedAt.kind === 'ok' &&
      stoppedAt.value.getTime() === stoppedByUs.stoppedAt.getTime();
    // The marker and the record are written by the same stop; one without the other, or two that
    // disagree, is a lost tag or someone else's: never a reason to start, always reported.
    const inconsistent = (why: string) =>
      decisions.push({
        ...base,
        outcome: 'skip',
        reason: `${TAG.scaleToZeroStoppedAt}=${JSON.stringify(markerText ?? null)} and ${TAG.scaleToZeroLastTransition}=${JSON.stringify(lastText ?? null)}: ${why}; left ${i.state}, not started. Start it by hand if it should run; an administrator removes a marker that is not scale-to-zero's`,
        tagProblem: {
          resourceId: i.id,
          tag: TAG.scaleToZeroStoppedAt,
          value: markerText ?? '',
          expected: `the same time as in ${TAG.scaleToZeroLastTransition}="<start of the off period> stopped=<time>", both written by scale-to-zero when it stopped the instance`,
        },
      });
    if (['pending', 'stopping', 'shutting-down'].includes(i.state)) {
      decisions.push({
        ...base,
        outcome: 'wait',
        reason: `${i.state}; acting on the next run once it settles`,
      });
      continue;
    }
    if (i.state === 'terminated') {
      decisions.push({ ...base, outcome: 'keep', reason: 'terminated' });
      continue;
    }
    if (!state.on) {
      if (c.keepOnUntil) {
        decisions.push({
          ...base,
          outcome: 'keep',
          reason: `${TAG.scaleToZeroSkipUntil} keeps it on until ${formatTimestamp(c.keepOnUntil)} (schedule ${label} is off since ${at})`,
        });
      } else if (i.state === 'stopped' && stoppedByUs) {
        // Still stopped from an earlier off period whose start never happened (no capacity, say).
        if (markerMatches) {
          record(
            `off since ${at} (schedule ${label}); still stopped since scale-to-zero stopped it at ${formatTimestamp(stoppedByUs.stoppedAt)}`,
            false,
            stoppedByUs,
          );
        } else inconsistent('the stopped-at marker does not match the record of the stop');
      } else if (i.state !== 'running') {
        record(`off since ${at} (schedule ${label}); already ${i.state}`);
      } else if (i.launchedAt && i.launchedAt > transition) {
        // Started after the schedule went off: somebody wants it now, and we never stopped it.
        record(
          `off since ${at} (schedule ${label}), but started at ${formatTimestamp(i.launchedAt)}, after that; left running`,
        );
      } else {
        decisions.push({
          ...base,
          outcome: 'stop',
          reason: `off since ${at} (schedule ${label}): stop${state.until ? ` until ${formatTimestamp(state.until)}` : ''}`,
          action: { kind: 'stop-instance', instanceId: i.id, transition },
          instanceHoursSaved: hoursOff(state),
        });
      }
      continue;
    }
    const thisPeriod = c.record !== undefined && c.offSince?.getTime() === c.record.at.getTime();
    if (stoppedAt.kind === 'absent') {
      if (i.state === 'stopped' && stoppedByUs) inconsistent('the stopped-at marker is gone');
      else record(`on since ${at} (schedule ${label}); not stopped by scale-to-zero, left ${i.state}`);
    } else if (i.state === 'stopped' && !(markerMatches && thisPeriod)) {
      inconsistent(
        stoppedByUs
          ? thisPeriod
            ? 'the stopped-at marker does not match the record of the stop'
            : `the record is not of the off period that just ended${c.offSince ? ` (began ${formatTimestamp(c.offSince)})` : ''}`
          : 'scale-to-zero recorded no stop of this instance',
      );
    } else if (i.state === 'stopped') {
      decisions.push({
        ...base,
        outcome: 'start',
        reason: `on since ${at} (schedule ${label}): start (stopped by scale-to-zero at ${formatTimestamp(stoppedAt.value)})`,
        action: { kind: 'start-instance', instanceId: i.id, transition },
      });
    } else {
      record(`on since ${at} (schedule ${label}); already ${i.state}`, true);
    }
  }

  const actions = decisions.flatMap((d) => (d.action ? [d.action] : []));
  const instanceHoursSaved = decisions.reduce((sum, d) => sum + (d.instanceHoursSaved ?? 0), 0);
  return { decisions, actions, instanceHoursSaved };
}

/** Why an instance cannot be stopped and started safely, or undefined when it can. */
export function unsafeToStop(i: ScalableInstanceRecord): string | undefined {
  if (i.autoScalingGroupName !== undefined) {
    return `member of Auto Scaling group ${i.autoScalingGroupName}: the group would replace it; tag the group instead`;
  }
  if (i.lifecycle === 'spot') return 'Spot instance: stopping may lose it to interruption; not managed';
  if (i.lifecycle !== undefined && i.lifecycle !== 'on-demand' && i.lifecycle !== 'scheduled') {
    return `${i.lifecycle} instance: cannot be stopped and started safely; not managed`;
  }
  if (i.rootDeviceType === 'instance-store') {
    return 'instance-store root volume: stopping would lose its data; not managed';
  }
  return undefined;
}
