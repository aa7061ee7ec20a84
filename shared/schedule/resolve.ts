/**
 * What a ScaleToZero tag value means: `true` -> the default schedule, `false` -> opted out, a name
 * from the settings -> that schedule, anything else -> a schedule written in the tag itself.
 * A value that is none of these is a TagProblem: the resource is skipped and reported, never acted on.
 */
import { TAG, type TagProblem } from '../tags';
import { parseSchedule, ScheduleError, SCHEDULE_EXPECTED, type Schedule } from './format';

export interface ScheduleSource {
  defaultSchedule: Schedule;
  namedSchedules: ReadonlyMap<string, Schedule>;
  /** Names that must not be used this run, and why (defined differently in two places). */
  refusedNames?: ReadonlyMap<string, string>;
  /** Set when the SSM parameter of named schedules could not be read: why. */
  namedUnavailable?: string;
}

export type ScheduleReading =
  | { kind: 'schedule'; schedule: Schedule; label: string }
  | { kind: 'opted-out' }
  | { kind: 'invalid'; problem: TagProblem; detail: string };

export function expectedScaleToZeroValue(source: ScheduleSource): string {
  const names = [...source.namedSchedules.keys()];
  const named = names.length > 0 ? `, a named schedule (${names.join(', ')})` : '';
  return `true, false${named}, or ${SCHEDULE_EXPECTED}`;
}

/** A named schedule's own holidays change its transitions, so its label says it has them. */
function holidayNote(s: Schedule): string {
  if (!s.holidays) return '';
  return s.holidays.withGlobal ? '; with its own holidays' : '; its own holidays instead of SCALE_HOLIDAYS';
}

export function resolveSchedule(raw: string, resourceId: string, source: ScheduleSource): ScheduleReading {
  const text = raw.trim();
  const lower = text.toLowerCase();
  if (lower === 'true') {
    return {
      kind: 'schedule',
      schedule: source.defaultSchedule,
      label: `default (${source.defaultSchedule.text})`,
    };
  }
  if (lower === 'false') return { kind: 'opted-out' };
  const refused = source.refusedNames?.get(text);
  if (refused !== undefined) {
    return {
      kind: 'invalid',
      problem: { resourceId, tag: TAG.scaleToZero, value: raw, expected: expectedScaleToZeroValue(source) },
      detail: refused,
    };
  }
  const named = source.namedSchedules.get(text);
  if (named)
    return { kind: 'schedule', schedule: named, label: `${text} (${named.text}${holidayNote(named)})` };
  try {
    const schedule = parseSchedule(text);
    return { kind: 'schedule', schedule, label: schedule.text };
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
    // Maybe the name of a schedule in the parameter that could not be read: never guessed at.
    const unread = source.namedUnavailable
      ? `; if it names a schedule of the SSM parameter, that schedule is unknown this run: ${source.namedUnavailable}`
      : '';
    return {
      kind: 'invalid',
      problem: { resourceId, tag: TAG.scaleToZero, value: raw, expected: expectedScaleToZeroValue(source) },
      detail: `${e.detail}${unread}`,
    };
  }
}
