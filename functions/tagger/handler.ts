/**
 * Tagger Lambda: stamps LastUsed / LastUsedRuntime on this account's AMIs (see README "tagger").
 * Thin by design: the work is in shared/jobs/tagger.ts.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

import type { AwsClients } from '../../shared/aws/clients';
import type { RunSummaryDetail } from '../../shared/events';
import { lambdaDeps } from '../../shared/jobs/lambda';
import { runTagger } from '../../shared/jobs/tagger';

const clientCache = new Map<string, AwsClients>();

export async function tag(_event: unknown, context: Context): Promise<{ summaries: RunSummaryDetail[] }> {
  const deps = lambdaDeps({ env: process.env, context, clock: Date.now, clientCache });
  const result = await runTagger(deps);
  if (!result.ok) {
    // Not one region could be read: an error, so Lambda's Errors metric and alarms see it.
    const why = result.summaries
      .flatMap((s) => s.failures.map((f) => `${f.resourceId}: ${f.message}`))
      .join('; ');
    throw new Error(`tagger: no region could be read (${why})`);
  }
  return { summaries: result.summaries };
}

export const handler = middy<unknown, { summaries: RunSummaryDetail[] }, Error, Context>().handler(tag);
