/**
 * A job records each region's failure in its summary and goes on, so a run that could read no region
 * at all would still "succeed". This turns that into a failed invocation, so Lambda's Errors metric
 * and the alarms on it see it.
 */
import type { FunctionName, RunSummaryDetail } from '../events';

/** What a job handler gives back to Lambda. */
export interface JobResponse {
  summaries: RunSummaryDetail[];
}

/** What the job's run says: `ok` is false when no region could be read. */
export interface JobOutcome extends JobResponse {
  ok: boolean;
}

/**
 * The response Lambda gets for a run's outcome: its summaries only (`ok` was for this check), or an
 * error naming the function and each region's failure when no region could be read.
 */
export function failWhenNoRegionRead(fn: FunctionName, outcome: JobOutcome): JobResponse {
  if (!outcome.ok) {
    const why = outcome.summaries
      .flatMap((s) => s.failures.map((f) => `${f.resourceId}: ${f.message}`))
      .join('; ');
    throw new Error(`${fn}: no region could be read (${why})`);
  }
  return { summaries: outcome.summaries };
}
