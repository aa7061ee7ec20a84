import { describe, expect, it } from '@jest/globals';

import { drainLimits, drainRunOf, drainState, type DrainRun } from '../../../bench/drain';

const ran = (deleted: number, over: Partial<DrainRun> = {}): DrainRun => ({
  deleted,
  snapshotsDeleted: 2 * deleted,
  planned: deleted,
  incomplete: true,
  ...over,
});
const done: DrainRun = { deleted: 0, snapshotsDeleted: 0, planned: 0, incomplete: false };
const limits = { stallRuns: 3, maxRuns: 10 };

describe('when the benchmark cleanup drain stops', () => {
  it('goes on while runs make progress, however little, instead of stopping at a fixed count', () => {
    expect(drainState([ran(500), ran(3), ran(1)], limits)).toBe('running');
    // A run deleting only snapshots (marked by a run cut short) is progress too.
    expect(drainState([ran(0), ran(0), ran(0, { snapshotsDeleted: 4 })], limits)).toBe('running');
  });

  it('is drained once a run with time to plan everything finds nothing to delete', () => {
    expect(drainState([ran(500), ran(200, { incomplete: false }), done], limits)).toBe('drained');
  });

  it('does not take a run that ran out of time before planning anything for a drained account', () => {
    expect(drainState([ran(200), { ...done, incomplete: true }], limits)).toBe('running');
  });

  it('fails a drain that stops making progress, and one that crawls past the cap', () => {
    expect(drainState([ran(100), ran(0), ran(0), ran(0)], limits)).toBe('stalled');
    expect(drainState([ran(0), ran(0)], limits)).toBe('running');
    expect(
      drainState(
        Array.from({ length: 10 }, () => ran(1)),
        limits,
      ),
    ).toBe('out-of-runs');
  });

  it('gives a drain ten times the fewest runs its cap allows', () => {
    expect(drainLimits(10_000, 500)).toEqual({ fewestRuns: 20, stallRuns: 3, maxRuns: 210 });
    expect(drainLimits(200, 100)).toEqual({ fewestRuns: 2, stallRuns: 3, maxRuns: 30 });
    expect(() => drainLimits(10, 0)).toThrow('maxDeletionsPerRun must be above 0');
  });
});

describe('drainRunOf: what a cleanup run summary says about the drain', () => {
  it('reads the deletions, the plan and whether the budget cut it short; a count the run did not report is 0', () => {
    const summary = {
      counts: { deleted: 100, snapshotsDeleted: 198, planned: 120, imagesSeen: 900 },
      incomplete: true,
    };
    expect(drainRunOf(summary)).toEqual({
      deleted: 100,
      snapshotsDeleted: 198,
      planned: 120,
      incomplete: true,
    });
    const nothing = drainRunOf({ counts: { imagesSeen: 900 }, incomplete: false });
    expect(nothing).toEqual(done);
    expect(drainState([nothing], { maxRuns: 10, stallRuns: 3 })).toBe('drained');
  });
});
