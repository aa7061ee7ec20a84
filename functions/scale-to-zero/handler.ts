/**
 * Scale-to-zero Lambda: turns opted-in groups and instances off outside their schedule and back on
 * when it begins (see README "scale-to-zero"). Thin by design: the work is in shared/jobs/scale.ts.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

import type { AwsClients } from '../../shared/aws/clients';
import type { Env } from '../../shared/config';
import type { RunSummaryDetail } from '../../shared/events';
import type { LogFn } from '../../shared/report';
import { runScale, scaleLambdaDeps } from '../../shared/jobs/scale';

export interface ScaleHandlerOptions {
  /** Milliseconds since the epoch; the demo and the end-to-end tests pass a simulated clock. */
  clock?: () => number;
  env?: Env;
  log?: LogFn;
}

export type ScaleHandlerResult = { summaries: RunSummaryDetail[] };

export function makeScaleHandler(options: ScaleHandlerOptions = {}) {
  const clientCache = new Map<string, AwsClients>();
  const scale = async (_event: unknown, context: Context): Promise<ScaleHandlerResult> => {
    const deps = scaleLambdaDeps({
      env: options.env ?? process.env,
      context,
      clock: options.clock ?? Date.now,
      clientCache,
      ...(options.log ? { log: options.log } : {}),
    });
    const result = await runScale(deps);
    if (!result.ok) {
      // Not one region could be read: an error, so Lambda's Errors metric and alarms see it.
      const why = result.summaries
        .flatMap((s) => s.failures.map((f) => `${f.resourceId}: ${f.message}`))
        .join('; ');
      throw new Error(`scale-to-zero: no region could be read (${why})`);
    }
    return { summaries: result.summaries };
  };
  return middy<unknown, ScaleHandlerResult, Error, Context>().handler(scale);
}

export const handler = makeScaleHandler();
