/** Wording shared by the plans' reasons, so every report says ages and times the same way. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "19 days 3 h", "2 h 5 min", "45 min", "12 s": the two largest units, truncated (never rounded up).
 * When the second unit is zero but something smaller is not, that smaller unit is shown instead, so
 * an age just over a limit never reads as the limit itself ("7 days 1 s > 7 days", "1 h 30 s > 60 min").
 */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const values = [
    Math.floor(abs / DAY),
    Math.floor((abs % DAY) / HOUR),
    Math.floor((abs % HOUR) / MINUTE),
    Math.floor((abs % MINUTE) / 1000),
  ];
  const names = (n: number, i: number) => [n === 1 ? 'day' : 'days', 'h', 'min', 's'][i]!;
  const first = values.findIndex((v) => v > 0);
  if (first === -1) return '0 s';
  const shown = [first];
  const next = values.findIndex((v, i) => i > first && v > 0);
  if (next !== -1) shown.push(next);
  return shown.map((i) => `${values[i]} ${names(values[i]!, i)}`).join(' ');
}

export function formatDays(days: number): string {
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

export function formatMinutes(minutes: number): string {
  return `${minutes} min`;
}

export const DAY_MS = DAY;
export const MINUTE_MS = MINUTE;
