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

describe('DeletionRate, measured as each AMI is deregistered', () => {
  it('past a burst, the recent deregistrations set the rate, not the step as a whole', () => {
    const clock = new VirtualClock();
    const budget = deadlineBudget(60_000, clock.now);
    const rate = new DeletionRate(() => budget.remainingMs());
    rate.applyStarting(100);
    // 60 AMIs on EC2's burst, 10 ms apart, then 40 at the refill, 400 ms apart (2.5 a second).
    for (let i = 0; i < 60; i++) {
      clock.advance(10);
      rate.deregistered();
    }
    for (let i = 0; i < 40; i++) {
      clock.advance(400);
      rate.deregistered();
    }
    rate.record(100);
    // 43.4 s left: 108 at 2.5 a second; the step's own rate (100 in 16.6 s) would say 261.
    expect(budget.remainingMs()).toBe(43_400);
    expect(rate.affordable()).toBe(108);
  });

  it('a step with nothing to deregister (marks, stages, earlier marked snapshots) measures nothing', () => {
    const clock = new VirtualClock();
    const budget = deadlineBudget(60_000, clock.now);
    const rate = new DeletionRate(() => budget.remainingMs());
    rate.applyStarting(0);
    clock.advance(2_000);
    rate.record(0);
    // Not "Infinity, nothing deregistered": the next round still reads nothing beside its deletions.
    expect(rate.affordable()).toBeUndefined();
    rate.applyStarting(10);
    clock.advance(1_000);
    rate.record(10);
    // 10 a second since this step began, not since the step that deleted nothing.
    expect(rate.affordable()).toBe(57 * 10);
  });

  it('counts at the end of the step the AMIs it was not told of one by one', () => {
    const clock = new VirtualClock();
    const budget = deadlineBudget(60_000, clock.now);
    const rate = new DeletionRate(() => budget.remainingMs());
    rate.applyStarting(30);
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      rate.deregistered();
    }
    clock.advance(2_000);
    rate.record(30);
    // 30 in 3 s: 10 a second, with 57 s left.
    expect(rate.affordable()).toBe(570);
  });
});

describe('readAheadLimit', () => {
  it('reads one batch before a rate, nothing beside the first deletions, then what the budget can delete beyond them, at most a batch with them', () => {
    expect(readAheadLimit(100, undefined, 0)).toBe(100);
    expect(readAheadLimit(100, undefined, 40)).toBe(0);
    expect(readAheadLimit(100, 70, 40)).toBe(30);
    expect(readAheadLimit(100, 90, 100)).toBe(0);
    // Under a deadline, one batch at most with the AMIs being deleted: 40 deleting, 60 read.
    expect(readAheadLimit(100, 1_000, 40)).toBe(60);
    expect(readAheadLimit(100, 1_000, 100)).toBe(0);
    // Without one, nothing is left unreached for lack of time: a batch beside the deletions.
    expect(readAheadLimit(100, Infinity, 100)).toBe(100);
  });
});
