/** Wording shared by the plans' reasons, so every report says ages and times the same way. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "19 days 3 h", "7 days 5 min", "45 min", "12 s". Units are whole and truncated, never rounded up,
 * so an age just over a limit never reads as the limit itself rounded ("7 days 1 min > 7 days").
 */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return `${Math.floor(abs / 1000)} s`;
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  const parts: string[] = [];
  if (days > 0) parts.push(`${days} ${days === 1 ? 'day' : 'days'}`);
  if (hours > 0) parts.push(`${hours} h`);
  if (minutes > 0) parts.push(`${minutes} min`);
  // A sub-minute excess over whole days would otherwise read "7 days > 7 days".
  if (parts.length === 1 && days > 0 && abs % DAY !== 0 && hours === 0 && minutes === 0) {
    parts.push(`${Math.floor((abs % MINUTE) / 1000)} s`);
  }
  return parts.join(' ');
}

export function formatDays(days: number): string {
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

export function formatMinutes(minutes: number): string {
  return `${minutes} min`;
}

export const DAY_MS = DAY;
export const MINUTE_MS = MINUTE;
