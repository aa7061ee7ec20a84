/**
 * AutoCleanup Lambda: deregisters opted-in AMIs unused past the retention, and their snapshots
 * (see README "cleanup"). Thin by design: the work is in shared/jobs/cleanup.ts.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

import type { AwsClients } from '../../shared/aws/clients';
import type { RunSummaryDetail } from '../../shared/events';
import { runCleanup } from '../../shared/jobs/cleanup';
import { lambdaDeps } from '../../shared/jobs/lambda';

const clientCache = new Map<string, AwsClients>();

export async function clean(_event: unknown, context: Context): Promise<{ summaries: RunSummaryDetail[] }> {
  const deps = lambdaDeps({ env: process.env, context, clock: Date.now, clientCache });
  const result = await runCleanup(deps);
  if (!result.ok) {
    const why = result.summaries
      .flatMap((s) => s.failures.map((f) => `${f.resourceId}: ${f.message}`))
      .join('; ');
    throw new Error(`cleanup: no region could be read (${why})`);
  }
  return { summaries: result.summaries };
}

export const handler = middy<unknown, { summaries: RunSummaryDetail[] }, Error, Context>().handler(clean);
