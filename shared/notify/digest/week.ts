/** The weeks the digest sums over: Monday 00:00 UTC to the next Monday 00:00 UTC. */

const DAY_MS = 24 * 3600_000;

/** Monday 00:00 UTC of the week `t` falls in. */
export function weekStart(t: Date): Date {
  const midnight = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return new Date(midnight - sinceMonday * DAY_MS);
}

/** The last whole week before `now`: the one a digest sent on Monday morning reports. */
export function previousWeek(now: Date): { start: Date; end: Date } {
  const end = weekStart(now);
  return { start: new Date(end.getTime() - 7 * DAY_MS), end };
}

export const day = (t: Date): string => t.toISOString().slice(0, 10);
