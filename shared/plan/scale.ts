/**
 * The scale-to-zero plan: a pure function of (groups, instances, settings, now). It acts only on
 * TRANSITIONS of a resource's schedule. Each resource carries ScaleToZeroLastTransition, the
 * transition last acted on; while the latest transition of the schedule is that one, the resource is
 * left as people set it, so a late worker who starts a box at 21:00 is not fought every 15 minutes,
 * and a run that was missed or failed leaves the transition unrecorded for the next run to catch up.
 *
 * Sizes are never lost: a group's min/desired/max go into ScaleToZeroSavedCapacity on the group
 * before it is scaled to 0, and only a group carrying that tag is ever restored, to exactly those
 * sizes. An instance is started only if it carries ScaleToZeroStoppedAt (it was stopped by us).
 */
import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../domain';
import {
  formatSchedule,
  resolveSchedule,
  scheduleStateAt,
  type Holidays,
  type Schedule,
  type ScheduleReading,
  type ScheduleSource,
  type ScheduleState,
} from '../schedule';
import { formatTimestamp, readTimestampTag, TAG, type TagProblem, type Tags } from '../tags';

export interface Capacity {
  min: number;
  desired: number;
  max: number;
}

export interface ScalePlanSettings extends ScheduleSource {
  holidays: Holidays;
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
    };

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

/** The parts of a decision every resource kind shares: schedule, override, last transition. */
type Common =
  | { kind: 'done'; decision: Omit<ScaleDecision, 'resourceType' | 'resourceId' | 'ignoredTags'> }
  | {
      kind: 'act';
      state: ScheduleState & { since: Date };
      label: string;
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
    const last = readTimestampTag(tags, TAG.scaleToZeroLastTransition, resourceId);
    if (last.kind === 'invalid') {
      return {
        kind: 'done',
        decision: {
          outcome: 'skip',
          reason: `tag ${TAG.scaleToZeroLastTransition}=${JSON.stringify(last.problem.value)} is not readable`,
          tagProblem: last.problem,
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
    if (last.kind === 'ok' && last.value.getTime() >= state.since.getTime()) {
      return {
        kind: 'done',
        decision: {
          outcome: 'keep',
          reason: `already acted on the ${word} transition at ${formatTimestamp(state.since)} (schedule ${reading.label}); left as it is now`,
        },
      };
    }
    const act: Common = { kind: 'act', state: { ...state, since: state.since }, label: reading.label };
    if (keepOnUntil) act.keepOnUntil = keepOnUntil;
    return act;
  };

  const hoursOff = (state: ScheduleState) =>
    state.until ? Math.max(0, (state.until.getTime() - now.getTime()) / HOUR_MS) : 0;

  const decisions: ScaleDecision[] = [];

  for (const g of input.groups) {
    const ignoredTags: IgnoredTag[] = [];
    const base = { resourceType: 'auto-scaling-group' as const, resourceId: g.name, ignoredTags };
    const c = common(g.name, g.tags, ignoredTags);
    if (c.kind === 'done') {
      decisions.push({ ...base, ...c.decision });
      continue;
    }
    const savedText = g.tags[TAG.scaleToZeroSavedCapacity];
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
    if (!state.on) {
      if (c.keepOnUntil) {
        decisions.push({
          ...base,
          outcome: 'keep',
          reason: `${TAG.scaleToZeroSkipUntil} keeps it on until ${formatTimestamp(c.keepOnUntil)} (schedule ${label} is off since ${at})`,
        });
      } else if (current.min === 0 && current.desired === 0 && current.max === 0) {
        decisions.push({
          ...base,
          outcome: 'record',
          reason: `off since ${at} (schedule ${label}); already at 0, nothing to remember`,
          action: {
            kind: 'record-transition',
            resourceType: 'auto-scaling-group',
            resourceId: g.name,
            transition,
            dropMarker: false,
          },
        });
      } else {
        const hours = current.desired * hoursOff(state);
        decisions.push({
          ...base,
          outcome: 'scale-to-zero',
          reason: `off since ${at} (schedule ${label}): remember ${formatCapacity(current)}, scale to 0${state.until ? ` until ${formatTimestamp(state.until)}` : ''}`,
          action: { kind: 'scale-group-to-zero', group: g.name, saved: current, transition },
          instanceHoursSaved: hours,
        });
      }
      continue;
    }
    if (saved) {
      decisions.push({
        ...base,
        outcome: 'restore',
        reason: `on since ${at} (schedule ${label}): restore the remembered ${formatCapacity(saved)}`,
        action: { kind: 'restore-group', group: g.name, restore: saved, transition },
      });
    } else {
      decisions.push({
        ...base,
        outcome: 'record',
        reason: `on since ${at} (schedule ${label}); not scaled down by scale-to-zero, sizes left as they are`,
        action: {
          kind: 'record-transition',
          resourceType: 'auto-scaling-group',
          resourceId: g.name,
          transition,
          dropMarker: false,
        },
      });
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
    const record = (reason: string, dropMarker = false): void => {
      decisions.push({
        ...base,
        outcome: 'record',
        reason,
        action: {
          kind: 'record-transition',
          resourceType: 'instance',
          resourceId: i.id,
          transition,
          dropMarker,
        },
      });
    };
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
    if (stoppedAt.kind === 'absent') {
      record(`on since ${at} (schedule ${label}); not stopped by scale-to-zero, left ${i.state}`);
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
