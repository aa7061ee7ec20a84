/**
 * What the rules look at, read once per resource in three stages: its tags (is it ours to judge?),
 * then its schedule (read only once the tags are trusted), then the transition to act on.
 */
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../domain';
import {
  DEFAULT_MAX_RESTORE_CAPACITY,
  DEFAULT_PATCH_WINDOWS,
  resolveSchedule,
  scheduleKey,
  scheduleStateAt,
  type Schedule,
  type ScheduleReading,
  type ScheduleState,
} from '../../schedule';
import { formatTimestamp, readTimestampTag, TAG, type TagReading, type Tags } from '../../tags';
import { patchFactsFor, type PatchFacts } from './patch-windows';
import { parseCapacity, parseTransitionRecord } from './records';
import type { Capacity, IgnoredTag, PlanScaleInput, TransitionDeed, TransitionRecord } from './types';

const HOUR_MS = 3_600_000;

/** One run's settings and memos: thousands of resources share a handful of schedules. */
export interface PlanContext {
  now: Date;
  /** Largest max a group is scaled down from or restored to. */
  cap: number;
  /** Groups carrying ScaleToZero: their instances are scaled through the group. */
  managedGroups: ReadonlySet<string>;
  readingOf: (raw: string, resourceId: string) => ScheduleReading;
  stateOf: (s: Schedule) => ScheduleState;
  /** The start of the off period that ended at `onSince`; undefined if none is known. */
  offSinceOf: (s: Schedule, onSince: Date) => Date | undefined;
  /** The maintenance windows that target an instance (by id or tags) or a group (by propagated tags). */
  patchOf: (target: { instanceId?: string; group?: string; tags: Tags }) => PatchFacts;
}

export function planContext(input: PlanScaleInput): PlanContext {
  const { now, settings } = input;
  const states = new Map<string, ScheduleState>();
  const offSinces = new Map<string, Date | undefined>();
  const readings = new Map<string, ScheduleReading>();
  return {
    now,
    cap: settings.maxRestoreCapacity ?? DEFAULT_MAX_RESTORE_CAPACITY,
    managedGroups: new Set(
      input.groups.filter((g) => g.tags[TAG.scaleToZero] !== undefined).map((g) => g.name),
    ),
    readingOf: (raw, resourceId) => {
      let r = readings.get(raw);
      if (!r) {
        r = resolveSchedule(raw, resourceId, settings);
        readings.set(raw, r);
      }
      return r.kind === 'invalid' ? { ...r, problem: { ...r.problem, resourceId } } : r;
    },
    stateOf: (s) => {
      const key = scheduleKey(s);
      let st = states.get(key);
      if (!st) {
        st = scheduleStateAt(s, settings.holidays, now);
        states.set(key, st);
      }
      return st;
    },
    offSinceOf: (s, onSince) => {
      const key = `${scheduleKey(s)}\n${onSince.getTime()}`;
      if (!offSinces.has(key)) {
        const before = scheduleStateAt(s, settings.holidays, new Date(onSince.getTime() - 1));
        offSinces.set(key, before.on ? undefined : before.since);
      }
      return offSinces.get(key);
    },
    patchOf: ({ instanceId, group, tags }) =>
      patchFactsFor(input.maintenanceWindows ?? [], settings.patchWindows ?? DEFAULT_PATCH_WINDOWS, now, {
        ...(instanceId !== undefined ? { instanceId } : {}),
        tags: group !== undefined ? (input.propagatedTags?.get(group) ?? {}) : tags,
      }),
  };
}

/** Stage 1: the tags as they are, before anything says the resource is ours to judge. */
export interface TagFacts {
  resourceId: string;
  tags: Tags;
  now: Date;
  /** How ScaleToZero reads; undefined when the resource is not tagged. */
  reading?: ScheduleReading;
  /** ScaleToZeroLastTransition as written, and as read (undefined when absent or unreadable). */
  lastText?: string;
  last?: TransitionRecord;
}

export interface GroupTagFacts extends TagFacts {
  group: AutoScalingGroupRecord;
}

export interface InstanceTagFacts extends TagFacts {
  instance: ScalableInstanceRecord;
  managedGroups: ReadonlySet<string>;
}

export function tagFacts(resourceId: string, tags: Tags, ctx: PlanContext): TagFacts {
  const f: TagFacts = { resourceId, tags, now: ctx.now };
  const raw = tags[TAG.scaleToZero];
  if (raw !== undefined) f.reading = ctx.readingOf(raw, resourceId);
  const lastText = tags[TAG.scaleToZeroLastTransition];
  if (lastText !== undefined) {
    f.lastText = lastText;
    const last = parseTransitionRecord(lastText);
    if (last) f.last = last;
  }
  return f;
}

/** Stage 2: a resource opted in with a readable schedule and a trustworthy record. */
export interface ScheduleFacts extends TagFacts {
  label: string;
  state: ScheduleState;
  /** An expired or unreadable ScaleToZeroSkipUntil, reported with the decision. */
  ignoredTags: IgnoredTag[];
  /** An active ScaleToZeroSkipUntil: the resource must not be turned off before this time. */
  keepOnUntil?: Date;
}

/** Undefined when the tags do not name a schedule (the tag rules decide those resources). */
export function scheduleFacts(f: TagFacts, ctx: PlanContext): ScheduleFacts | undefined {
  if (f.reading?.kind !== 'schedule') return undefined;
  const out: ScheduleFacts = {
    ...f,
    label: f.reading.label,
    state: ctx.stateOf(f.reading.schedule),
    ignoredTags: [],
  };
  const override = readTimestampTag(f.tags, TAG.scaleToZeroSkipUntil, f.resourceId);
  if (override.kind === 'invalid') {
    out.ignoredTags.push({
      tag: TAG.scaleToZeroSkipUntil,
      value: override.problem.value,
      reason: 'override is not readable and was ignored; the schedule applies',
      expected: override.problem.expected,
    });
  } else if (override.kind === 'ok') {
    if (override.value > ctx.now) out.keepOnUntil = override.value;
    else {
      out.ignoredTags.push({
        tag: TAG.scaleToZeroSkipUntil,
        value: f.tags[TAG.scaleToZeroSkipUntil] ?? '',
        reason: `override expired at ${formatTimestamp(override.value)} and was ignored; the schedule applies`,
      });
    }
  }
  return out;
}

/** Stage 3: the schedule's latest transition, and what was recorded about it. */
export interface TransitionFacts extends ScheduleFacts {
  /** The latest transition of the schedule, and the same as text. */
  transition: Date;
  at: string;
  /** ScaleToZeroLastTransition is this transition (or a later one): it was already acted on. */
  acted: boolean;
  /** When on: the start of the off period that just ended (undefined if none is known). */
  offSince?: Date;
  /** The record is of the off period that just ended. */
  recordOfEndedOffPeriod: boolean;
  /** Hours until the schedule turns the resource on again (0 when no such transition is known). */
  hoursOff: number;
}

/** Undefined when the schedule has no transition to act on (a schedule rule decides those). */
export function transitionFacts(f: ScheduleFacts, ctx: PlanContext): TransitionFacts | undefined {
  const { state } = f;
  const transition = state.since;
  if (!transition || f.reading?.kind !== 'schedule') return undefined;
  const offSince = state.on ? ctx.offSinceOf(f.reading.schedule, transition) : undefined;
  const out: TransitionFacts = {
    ...f,
    transition,
    at: formatTimestamp(transition),
    acted: f.last !== undefined && f.last.at.getTime() >= transition.getTime(),
    recordOfEndedOffPeriod: f.last !== undefined && offSince?.getTime() === f.last.at.getTime(),
    hoursOff: state.until ? Math.max(0, (state.until.getTime() - ctx.now.getTime()) / HOUR_MS) : 0,
  };
  if (offSince) out.offSince = offSince;
  return out;
}

export interface GroupFacts extends TransitionFacts {
  group: AutoScalingGroupRecord;
  cap: number;
  current: Capacity;
  atZero: boolean;
  /** ScaleToZeroSavedCapacity as written, and as read (undefined when absent or unreadable). */
  savedText?: string;
  saved?: Capacity;
  /** The record says scale-to-zero scaled the group down at that transition. */
  scaled?: Extract<TransitionDeed, { kind: 'scaled-to-zero' }>;
  /** The maintenance windows that target the instances it launches (by the tags it propagates). */
  patch: PatchFacts;
}

export function groupFacts(f: TransitionFacts, group: AutoScalingGroupRecord, ctx: PlanContext): GroupFacts {
  const out: GroupFacts = {
    ...f,
    group,
    cap: ctx.cap,
    current: { min: group.minSize, desired: group.desiredCapacity, max: group.maxSize },
    atZero: group.minSize === 0 && group.desiredCapacity === 0 && group.maxSize === 0,
    patch: ctx.patchOf({ group: group.name, tags: f.tags }),
  };
  const savedText = f.tags[TAG.scaleToZeroSavedCapacity];
  if (savedText !== undefined) {
    out.savedText = savedText;
    const saved = parseCapacity(savedText);
    if (saved) out.saved = saved;
  }
  if (f.last?.deed.kind === 'scaled-to-zero') out.scaled = f.last.deed;
  return out;
}

/** What a resource stopped behind a ScaleToZeroStoppedAt marker carries: an instance, a database. */
export interface StopFacts extends TransitionFacts {
  /** ScaleToZeroStoppedAt as written, and as read. */
  markerText?: string;
  stoppedAt: TagReading<Date>;
  /** The record says scale-to-zero stopped the resource at that transition. */
  stoppedByUs?: Extract<TransitionDeed, { kind: 'stopped' }>;
  /** The stopped-at marker and the record of the stop name the same time. */
  markerMatches: boolean;
}

/** The marker and the record of a stop, read from the tags. */
export function stopFacts(f: TransitionFacts): StopFacts {
  const stoppedAt = readTimestampTag(f.tags, TAG.scaleToZeroStoppedAt, f.resourceId);
  const stoppedByUs = f.last?.deed.kind === 'stopped' ? f.last.deed : undefined;
  const out: StopFacts = {
    ...f,
    stoppedAt,
    markerMatches:
      stoppedByUs !== undefined &&
      stoppedAt.kind === 'ok' &&
      stoppedAt.value.getTime() === stoppedByUs.stoppedAt.getTime(),
  };
  const markerText = f.tags[TAG.scaleToZeroStoppedAt];
  if (markerText !== undefined) out.markerText = markerText;
  if (stoppedByUs) out.stoppedByUs = stoppedByUs;
  return out;
}

export interface InstanceFacts extends StopFacts {
  instance: ScalableInstanceRecord;
  /** The maintenance windows that target the instance (by id or tags). */
  patch: PatchFacts;
}

export function instanceFacts(
  f: TransitionFacts,
  instance: ScalableInstanceRecord,
  ctx: PlanContext,
): InstanceFacts {
  return { ...stopFacts(f), instance, patch: ctx.patchOf({ instanceId: instance.id, tags: f.tags }) };
}
