import { describe, expect, it } from '@jest/globals';

import { budgetFromContext } from '../../shared/budget';

describe('budgetFromContext', () => {
  it('keeps the safety margin back and runs out as the passed-in clock moves', () => {
    let now = 1_000_000;
    const budget = budgetFromContext(
      { getRemainingTimeInMillis: () => 60_000 },
      { safetyMarginMs: 20_000, clock: () => now },
    );
    expect(budget.remainingMs()).toBe(40_000);
    expect(budget.hasTimeFor()).toBe(true);
    now += 39_000;
    expect(budget.hasTimeFor(2_000)).toBe(false);
    expect(budget.hasTimeFor()).toBe(true);
    now += 5_000;
    expect(budget.remainingMs()).toBe(0);
    expect(budget.hasTimeFor()).toBe(false);
  });

  it('has no time at all when the Lambda limit is inside the margin', () => {
    const budget = budgetFromContext(
      { getRemainingTimeInMillis: () => 5_000 },
      { safetyMarginMs: 20_000, clock: () => 0 },
    );
    expect(budget.hasTimeFor()).toBe(false);
  });
});
