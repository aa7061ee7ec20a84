/** The deletion rate a cleanup run measures in itself, and the read-ahead it allows (issue 17). */
import { describe, expect, it } from '@jest/globals';

import { deadlineBudget } from '../../../../shared/budget';
import { DeletionRate, readAheadLimit } from '../../../../shared/jobs/cleanup/reads';
import { VirtualClock } from '../../../../sandbox/clock/virtual-clock';

describe('DeletionRate', () => {
  it('has no rate before its first apply step is done, and none to limit by when nothing can be measured', () => {
    const clock = new VirtualClock();
    const budget = deadlineBudget(60_000, clock.now);
    const rate = new DeletionRate(() => budget.remainingMs());
    expect(rate.affordable()).toBeUndefined();
    rate.applyStarting();
    expect(rate.affordable()).toBeUndefined();
    clock.advance(1_000);
    // Every AMI of the step kept or failed: no rate, and no reason to read nothing.
    rate.record(0);
    expect(rate.affordable()).toBe(Infinity);
    // A budget whose clock does not move (a test's), none at all, or an unlimited one.
    const still = new DeletionRate(() => 60_000);
    still.applyStarting();
    still.record(10);
    expect(still.affordable()).toBe(Infinity);
    expect(new DeletionRate().affordable()).toBe(Infinity);
    expect(new DeletionRate(() => Infinity).affordable()).toBe(Infinity);
  });

  it('takes the lower of the rate since the first apply step and the last one: the burst does not last', () => {
    const clock = new VirtualClock();
    const budget = deadlineBudget(60_000, clock.now);
    const rate = new DeletionRate(() => budget.remainingMs());
    // First step: 100 AMIs in 2 s on EC2's burst (50 a second).
    rate.applyStarting();
    clock.advance(2_000);
    rate.record(100);
    expect(rate.affordable()).toBe(50 * 58);
    // Then the refill: 25 in 10 s (2.5 a second); since the start 125 in 12 s would say ~10.4.
    rate.applyStarting();
    clock.advance(10_000);
    rate.record(25);
    expect(rate.affordable()).toBe(Math.floor(2.5 * 48));
  });
});

describe('readAheadLimit', () => {
  it('reads one batch before a rate, nothing beside the first deletions, then what the budget can delete beyond them, at most a batch', () => {
    expect(readAheadLimit(100, undefined, 0)).toBe(100);
    expect(readAheadLimit(100, undefined, 40)).toBe(0);
    expect(readAheadLimit(100, 130, 100)).toBe(30);
    expect(readAheadLimit(100, 90, 100)).toBe(0);
    expect(readAheadLimit(100, 1_000, 100)).toBe(100);
    expect(readAheadLimit(100, Infinity, 100)).toBe(100);
  });
});
