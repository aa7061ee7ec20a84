/**
 * Holidays: local calendar dates (YYYY-MM-DD) on which no on-window starts, so the environment stays
 * off all day. A date is read in each schedule's own time zone: 2026-12-25 is Christmas Day in Berlin
 * for a Berlin schedule and in New York for a New York one.
 */
import { DateTime } from 'luxon';

export type Holidays = ReadonlySet<string>;

export const HOLIDAY_EXPECTED = 'dates YYYY-MM-DD separated by commas, e.g. 2026-12-24,2026-12-25';

export class HolidayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HolidayError';
  }
}

/** Parses a list of dates; an impossible or malformed date is an error naming it. */
export function parseHolidays(dates: readonly string[]): Holidays {
  const out = new Set<string>();
  for (const raw of dates) {
    const text = raw.trim();
    if (text === '') continue;
    const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? DateTime.fromISO(text, { zone: 'UTC' }) : undefined;
    if (!d?.isValid) {
      throw new HolidayError(`holiday ${JSON.stringify(raw)} is not a date: expected ${HOLIDAY_EXPECTED}`);
    }
    out.add(text);
  }
  return out;
}
