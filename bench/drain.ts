/**
 * When the benchmark's cleanup drain stops. A fixed number of runs made the target depend on how
 * busy the shared machine was: a run that is only slow deletes less, and the drain "failed" for lack
 * of runs although every run made progress. Instead the drain goes on while runs make progress and
 * stops when the backlog is drained, when several runs in a row delete nothing (it is stuck: that
 * must still fail), or at a generous cap that only a drain crawling a few AMIs a run reaches.
 */

export interface DrainRun {
  /** AMIs deregistered and snapshots deleted in the run. */
  deleted: number;
  snapshotsDeleted: number;
  /** AMIs the run's plan chose to delete (0 once nothing deletable is left). */
  planned: number;
  /** The run stopped because its time budget was spent. */
  incomplete: boolean;
}

export interface DrainLimits {
  /** Stop, not drained, after this many runs in a row that deleted nothing. */
  stallRuns: number;
  /** Stop, not drained, after this many runs in all. */
  maxRuns: number;
}

export type DrainState = 'running' | 'drained' | 'stalled' | 'out-of-runs';

/** The fewest runs the cap allows, and the limits the benchmark gives a drain of this size. */
export function drainLimits(
  deletable: number,
  maxDeletionsPerRun: number,
): DrainLimits & { fewestRuns: number } {
  if (!(maxDeletionsPerRun > 0)) {
    throw new RangeError(`maxDeletionsPerRun must be above 0 for a drain, got ${maxDeletionsPerRun}`);
  }
  const fewestRuns = Math.ceil(deletable / maxDeletionsPerRun);
  // Ten times the fewest runs: a run on a busy machine may delete a tenth of its cap and still count.
  return { fewestRuns, stallRuns: 3, maxRuns: 10 * fewestRuns + 10 };
}

/** What a cleanup run's summary says about the drain (its counts, absent as 0). */
export function drainRunOf(summary: { counts: Record<string, number>; incomplete: boolean }): DrainRun {
  const c = summary.counts;
  return {
    deleted: c.deleted ?? 0,
    snapshotsDeleted: c.snapshotsDeleted ?? 0,
    planned: c.planned ?? 0,
    incomplete: summary.incomplete,
  };
}

const progressed = (r: DrainRun) => r.deleted > 0 || r.snapshotsDeleted > 0;

/** Where a drain stands after these runs. */
export function drainState(runs: readonly DrainRun[], limits: DrainLimits): DrainState {
  const last = runs[runs.length - 1];
  // Drained: a run that had the time to plan everything found nothing to delete and no marked
  // snapshot waiting. A run cut short by its budget proves nothing about what is left.
  if (last && !last.incomplete && last.planned === 0 && !progressed(last)) return 'drained';
  const tail = runs.slice(-limits.stallRuns);
  if (tail.length === limits.stallRuns && !tail.some(progressed)) return 'stalled';
  if (runs.length >= limits.maxRuns) return 'out-of-runs';
  return 'running';
}
