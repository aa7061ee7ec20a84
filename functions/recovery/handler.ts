/**
 * Recovery Lambda: keeps EC2 recover/reboot status-check alarms on instances tagged AutoRecover=true
 * (see README "recovery"). Thin by design: the work is in shared/jobs/recovery.ts.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

import type { AwsClients } from '../../shared/aws/clients';
import type { Env } from '../../shared/config';
import type { RunSummaryDetail } from '../../shared/events';
import { recoveryLambdaDeps, runRecovery } from '../../shared/jobs/recovery';

export type RecoveryHandlerResult = { summaries: RunSummaryDetail[] };

/**
 * An EC2 state-change event names its region: only that region is swept (an instance that just
 * started gets its alarms, a terminated one loses them); a scheduled run sweeps every region.
 */
export function regionsForEvent(event: unknown, regions: readonly string[]): string[] {
  const e = (event ?? {}) as { source?: unknown; region?: unknown };
  if (e.source === 'aws.ec2' && typeof e.region === 'string' && regions.includes(e.region)) return [e.region];
  return [...regions];
}

export function makeRecoveryHandler(options: { clock?: () => number; env?: Env } = {}) {
  const clientCache = new Map<string, AwsClients>();
  const cloudWatchCache = new Map<string, CloudWatchClient>();
  const recover = async (event: unknown, context: Context): Promise<RecoveryHandlerResult> => {
    const deps = recoveryLambdaDeps({
      env: options.env ?? process.env,
      context,
      clock: options.clock ?? Date.now,
      clientCache,
      cloudWatchCache,
    });
    const scoped = {
      ...deps,
      settings: { ...deps.settings, regions: regionsForEvent(event, deps.settings.regions) },
    };
    const result = await runRecovery(scoped);
    if (!result.ok) {
      // Not one region could be read: an error, so Lambda's Errors metric and alarms see it.
      const why = result.summaries
        .flatMap((s) => s.failures.map((f) => `${f.resourceId}: ${f.message}`))
        .join('; ');
      throw new Error(`recovery: no region could be read (${why})`);
    }
    return { summaries: result.summaries };
  };
  return middy<unknown, RecoveryHandlerResult, Error, Context>().handler(recover);
}

export const handler = makeRecoveryHandler();
