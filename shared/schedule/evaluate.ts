/**
 * Where a moment falls in a schedule: on or off, since which transition, until which one. All local
 * time arithmetic is luxon's, so daylight-saving switches move the windows with the wall clock:
 * 08:00 in Berlin is 07:00Z in winter and 06:00Z in summer. A wall-clock time that does not exist
 * on the spring-forward night is moved forward by the gap (luxon's rule); an ambiguous one on the
 * fall-back night is its first occurrence.
 */
import { DateTime } from 'luxon';
import { formatSchedule, isOvernight, type Schedule } from './format';
import type { Holidays } from './holidays';

export interface Interval {
  start: Date;
  end: Date;
}

export interface ScheduleState {
  on: boolean;
  /** The transition that brought the current state; undefined if none within the look-back. */
  since?: Date;
  /** The next transition; undefined if none within the look-ahead. */
  until?: Date;
}

/** How far to look for a transition before giving up (a year of holidays is not a schedule). */
const MAX_SEARCH_DAYS = 400;

/**
 * The on-periods from the windows starting on local dates [fromDay, toDay], merged where they touch
 * or overlap (a daily 00:00-24:00 schedule is one long period, not a transition every midnight; the
 * windows of `Mon-Fri 08:00-12:00, Mon-Fri 12:00-18:00` are one 08:00-18:00 period). On a holiday no
 * window starts; an overnight window that began the evening before still ends as planned.
 */
export function onWindows(schedule: Schedule, holidays: Holidays, from: Date, to: Date): Interval[] {
  const zone = schedule.zone;
  const offDays = holidaysOf(schedule, holidays);
  // One extra day before: an overnight window from yesterday may still be open at `from`.
  let day = DateTime.fromJSDate(from, { zone }).startOf('day').minus({ days: 1 });
  const last = DateTime.fromJSDate(to, { zone }).startOf('day');
  const raw: Interval[] = [];
  while (day <= last) {
    if (!offDays.has(day.toISODate() ?? '')) {
      for (const w of schedule.windows) {
        if (!w.days.has(day.weekday as 1)) continue;
        // Wall-clock times are set on the calendar day, not by adding minutes to midnight, so a
        // DST switch between midnight and 08:00 does not shift the window by an hour.
        const start = setWallClock(day, w.startMinute);
        const end = setWallClock(isOvernight(w) ? day.plus({ days: 1 }) : day, w.endMinute);
        raw.push({ start: start.toJSDate(), end: end.toJSDate() });
      }
    }
    day = day.plus({ days: 1 });
  }
  raw.sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: Interval[] = [];
  for (const w of raw) {
    const prev = merged[merged.length - 1];
    if (prev && w.start.getTime() <= prev.end.getTime()) {
      if (w.end > prev.end) prev.end = w.end;
    } else {
      merged.push({ ...w });
    }
  }
  return merged;
}

/** The holidays a schedule keeps: the global ones, its own on top of them, or its own instead. */
export function holidaysOf(schedule: Schedule, global: Holidays): Holidays {
  const own = schedule.holidays;
  if (!own) return global;
  if (!own.withGlobal) return own.dates;
  return new Set([...global, ...own.dates]);
}

/** A key telling schedules apart for memos: two named schedules may share a text but not holidays. */
export function scheduleKey(s: Schedule): string {
  const own = s.holidays;
  const holidays = own ? `${own.withGlobal ? '+' : '='}${[...own.dates].sort().join(',')}` : '';
  return `${s.text}\n${formatSchedule(s)}\n${holidays}`;
}

function setWallClock(day: DateTime, minute: number): DateTime {
  if (minute === 1440) return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
}

/** The state of the schedule at `at`, with the transitions around it. */
export function scheduleStateAt(schedule: Schedule, holidays: Holidays, at: Date): ScheduleState {
  const t = at.getTime();
  for (let span = 8; ; span *= 4) {
    const days = Math.min(span, MAX_SEARCH_DAYS);
    const from = new Date(t - days * 86_400_000);
    const to = new Date(t + days * 86_400_000);
    const windows = onWindows(schedule, holidays, from, to);
    const state = stateFrom(windows, t);
    const exhausted = days >= MAX_SEARCH_DAYS;
    if ((state.since && state.until) || exhausted) return state;
  }
}

function stateFrom(windows: Interval[], t: number): ScheduleState {
  const index = windows.findIndex((w) => w.start.getTime() <= t && t < w.end.getTime());
  const open = windows[index];
  if (open) {
    // The first and last windows may continue beyond the searched range (they were cut there, not
    // by the schedule), so their outer edges are not transitions.
    const state: ScheduleState = { on: true };
    if (index > 0) state.since = open.start;
    if (index < windows.length - 1) state.until = open.end;
    return state;
  }
  let since: Date | undefined;
  let until: Date | undefined;
  for (const w of windows) {
    if (w.end.getTime() <= t) since = w.end;
    else if (w.start.getTime() > t && until === undefined) until = w.start;
  }
  const state: ScheduleState = { on: false };
  if (since) state.since = since;
  if (until) state.until = until;
  return state;
}
