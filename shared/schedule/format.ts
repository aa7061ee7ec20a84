/**
 * The schedule format: when an opted-in environment is ON. One or more windows, then one zone:
 *
 *   DAYS HH:MM-HH:MM ZONE                          e.g.  Mon-Fri 08:00-18:30 Europe/Berlin
 *   DAYS HH:MM-HH:MM, DAYS HH:MM-HH:MM, ... ZONE   e.g.  Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin
 *
 * - DAYS: day names (Mon Tue Wed Thu Fri Sat Sun, any case), ranges (Mon-Fri, Fri-Mon wraps over the
 *   week end), comma lists of both (Mon,Wed,Fri-Sat, no spaces), or `daily`.
 * - HH:MM-HH:MM: the on-window in local time, 24-hour clock; `24:00` means end of day. An end at or
 *   before the start is an overnight window: `Mon-Fri 22:00-06:00` starts on each listed day and
 *   ends the next morning.
 * - Windows are separated by a comma after a time range (a comma inside a day list follows a day
 *   name, so the two never mix). The environment is on inside any window; windows that overlap or
 *   touch are one on-period.
 * - ZONE: an IANA time zone (Europe/Berlin, America/New_York, UTC), once, for every window.
 *   Daylight-saving time is the zone's own, computed by luxon.
 *
 * Outside its windows the environment is OFF. The parser is strict: a value it cannot read is an
 * error naming the value (and, with several windows, which one) and this format, never a guess.
 */
import { Info } from 'luxon';

/** ISO weekday numbers as luxon uses them: 1 = Monday ... 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One `DAYS HH:MM-HH:MM` part of a schedule. */
export interface ScheduleWindow {
  /** Days on which this on-window STARTS. */
  days: ReadonlySet<Weekday>;
  /** Minutes after local midnight. */
  startMinute: number;
  /** Minutes after local midnight (1440 = 24:00); at or before startMinute means the next day. */
  endMinute: number;
}

/** A named schedule's own holidays (see ScaleSettings.namedSchedules). */
export interface ScheduleHolidays {
  dates: ReadonlySet<string>;
  /** True: on top of the global SCALE_HOLIDAYS; false: instead of them. */
  withGlobal: boolean;
}

export interface Schedule {
  /** The text it was parsed from, trimmed (used in reasons). */
  text: string;
  /** In the order written; at least one. */
  windows: readonly ScheduleWindow[];
  zone: string;
  /** Set only on a named schedule that carries its own holidays. */
  holidays?: ScheduleHolidays;
}

export const SCHEDULE_EXPECTED =
  'a schedule "DAYS HH:MM-HH:MM ZONE" such as "Mon-Fri 08:00-18:30 Europe/Berlin", or several ' +
  'windows and one zone such as "Mon-Thu 08:00-18:30, Fri 08:00-15:00 Europe/Berlin" ' +
  '(days: Mon..Sun, ranges like Mon-Fri, comma lists, or daily; an IANA time zone)';

export class ScheduleError extends Error {
  constructor(
    readonly value: string,
    readonly detail: string,
  ) {
    super(`schedule ${JSON.stringify(value)} is not valid: ${detail}; expected ${SCHEDULE_EXPECTED}`);
    this.name = 'ScheduleError';
  }
}

const DAY_NAMES: Record<string, Weekday> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
const DAY_LABELS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const TIME = /^([01]\d|2[0-4]):([0-5]\d)$/;

function parseDay(text: string, whole: string): Weekday {
  const day = DAY_NAMES[text.toLowerCase()];
  if (day === undefined) throw new ScheduleError(whole, `"${text}" is not a day name`);
  return day;
}

function parseDays(text: string, whole: string): Set<Weekday> {
  if (text.toLowerCase() === 'daily') return new Set([1, 2, 3, 4, 5, 6, 7]);
  const days = new Set<Weekday>();
  for (const part of text.split(',')) {
    if (part === '') throw new ScheduleError(whole, `empty entry in the day list "${text}"`);
    const [from, to, extra] = part.split('-');
    if (extra !== undefined) throw new ScheduleError(whole, `"${part}" is not a day or a day range`);
    const first = parseDay(from ?? '', whole);
    if (to === undefined) {
      days.add(first);
      continue;
    }
    const last = parseDay(to, whole);
    // A range walks forward through the week, so Fri-Mon is Fri, Sat, Sun, Mon.
    for (let d = first; ; d = ((d % 7) + 1) as Weekday) {
      days.add(d);
      if (d === last) break;
    }
  }
  return days;
}

function parseTime(text: string, whole: string): number {
  const m = TIME.exec(text);
  if (!m) throw new ScheduleError(whole, `"${text}" is not a time HH:MM`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 1440) throw new ScheduleError(whole, `"${text}" is after 24:00`);
  return minutes;
}

/** Splits at a comma that follows a time (HH:MM); day-list commas follow a day name. */
const WINDOW_SEPARATOR = /(?<=\d\d:\d\d)\s*,\s*/;

function parseWindow(daysText: string, hoursText: string, whole: string, label: string): ScheduleWindow {
  // With several windows every problem names the window it is in.
  const within = <T>(read: () => T): T => {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof ScheduleError) || label === '') throw e;
      throw new ScheduleError(whole, `${label}: ${e.detail}`);
    }
  };
  return within(() => {
    const days = parseDays(daysText, whole);
    const [startText, endText, extra] = hoursText.split('-');
    if (endText === undefined || extra !== undefined) {
      throw new ScheduleError(whole, `"${hoursText}" is not a time range HH:MM-HH:MM`);
    }
    const startMinute = parseTime(startText ?? '', whole);
    const endMinute = parseTime(endText, whole);
    if (startMinute === 1440) throw new ScheduleError(whole, 'a window cannot start at 24:00');
    if (startMinute === endMinute) {
      throw new ScheduleError(whole, `the window "${hoursText}" is empty (start equals end)`);
    }
    return { days, startMinute, endMinute };
  });
}

export function parseSchedule(value: string): Schedule {
  const text = value.trim();
  const pieces = text.split(WINDOW_SEPARATOR);
  const several = pieces.length > 1;
  const windows: ScheduleWindow[] = [];
  let zone = '';
  pieces.forEach((piece, i) => {
    const last = i === pieces.length - 1;
    const parts = piece.split(/\s+/);
    const want = last ? 3 : 2;
    const label = several ? `window ${i + 1} of ${pieces.length} ("${piece}")` : '';
    if (parts.length !== want) {
      const shape = last ? '"DAYS HH:MM-HH:MM ZONE"' : '"DAYS HH:MM-HH:MM" (the zone comes once, at the end)';
      throw new ScheduleError(
        value,
        several
          ? `${label} has ${parts.length} part(s) separated by spaces instead of ${want}: ${shape}`
          : `found ${parts.length} part(s) separated by spaces instead of 3${
              text.includes(',') && parts.length > 3
                ? ' (several windows: a comma after each time range, one zone at the end)'
                : ''
            }`,
      );
    }
    windows.push(parseWindow(parts[0]!, parts[1]!, value, label));
    if (last) zone = parts[2]!;
  });
  if (!Info.isValidIANAZone(zone)) throw new ScheduleError(value, `"${zone}" is not an IANA time zone`);
  return { text, windows, zone };
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The canonical text of a schedule (days listed one by one, windows as written), e.g. for reports. */
export function formatSchedule(s: Schedule): string {
  const windows = s.windows.map((w) => {
    const days = [...w.days].sort().map((d) => DAY_LABELS[d]);
    return `${days.join(',')} ${hhmm(w.startMinute)}-${hhmm(w.endMinute)}`;
  });
  return `${windows.join(', ')} ${s.zone}`;
}

/** True when a window ends on the day after it starts. */
export function isOvernight(w: ScheduleWindow): boolean {
  return w.endMinute <= w.startMinute;
}
