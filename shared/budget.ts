/**
 * A run's time budget: the Lambda's remaining time minus a safety margin, so a run stops between
 * steps and reports `incomplete` instead of being killed mid-call. The clock is passed in so tests
 * can run out of time on purpose.
 */

export interface Budget {
  /** Milliseconds left before the run must stop (never negative). */
  remainingMs(): number;
  /** True while at least `neededMs` (default: any time at all) is left. */
  hasTimeFor(neededMs?: number): boolean;
}

export interface LambdaTimeContext {
  getRemainingTimeInMillis(): number;
}

export interface BudgetOptions {
  /** Kept back for reporting (logs, the summary event) after the last step. */
  safetyMarginMs?: number;
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
}

export const DEFAULT_SAFETY_MARGIN_MS = 20_000;

/** The deadline is fixed when the budget is made; afterwards only the passed-in clock moves. */
export function budgetFromContext(context: LambdaTimeContext, options: BudgetOptions = {}): Budget {
  const clock = options.clock ?? Date.now;
  const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const deadline = clock() + context.getRemainingTimeInMillis() - margin;
  return deadlineBudget(deadline, clock);
}

export function deadlineBudget(deadlineMs: number, clock: () => number = Date.now): Budget {
  const remainingMs = () => Math.max(0, deadlineMs - clock());
  return {
    remainingMs,
    hasTimeFor: (neededMs = 1) => remainingMs() >= neededMs,
  };
}

/** For the CLI and the local demo, which have no Lambda time limit. */
export function unlimitedBudget(): Budget {
  return { remainingMs: () => Number.POSITIVE_INFINITY, hasTimeFor: () => true };
}
