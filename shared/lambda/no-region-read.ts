/**
 * A job records each region's failure in its summary and goes on, so a run that could read no region
 * at all would still "succeed". This middleware turns that into a failed invocation, so Lambda's
 * Errors metric and the alarms on it see it.
 */
import type { MiddlewareObj } from '@middy/core';

import type { FunctionName, RunSummaryDetail } from '../events';

/** What a job handler gives back to Lambda. */
export interface JobResponse {
  summaries: RunSummaryDetail[];
}

/** What the job's run says before this middleware: `ok` is false when no region could be read. */
export interface JobOutcome extends JobResponse {
  ok: boolean;
}

export function failWhenNoRegionRead(fn: FunctionName): MiddlewareObj<unknown, JobResponse> {
  return {
    name: 'failWhenNoRegionRead',
    after: (request) => {
      const outcome = request.response as Partial<JobOutcome> | null;
      if (!outcome?.summaries) return;
      if (outcome.ok === false) {
        const why = outcome.summaries
          .flatMap((s) => s.failures.map((f) => `${f.resourceId}: ${f.message}`))
          .join('; ');
        throw new Error(`${fn}: no region could be read (${why})`);
      }
      // Lambda returns the summaries only; `ok` was for this check.
      request.response = { summaries: outcome.summaries };
    },
  };
}
