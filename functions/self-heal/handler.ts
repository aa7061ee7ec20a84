/**
 * Self-heal Lambda: keeps a group of one's Elastic IP and data volume on whatever instance the
 * group launches (see docs/self-heal.md). Thin by design: the work is in shared/jobs/self-heal.ts.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

import type { AwsClients } from '../../shared/aws/clients';
import type { Env } from '../../shared/config';
import type { RunSummaryDetail } from '../../shared/events';
import { runSelfHeal, selfHealLambdaDeps } from '../../shared/jobs/self-heal';

export type SelfHealHandlerResult = { summaries: RunSummaryDetail[] };

export function makeSelfHealHandler(
  options: { clock?: () => number; env?: Env; sleep?: (ms: number) => Promise<void> } = {},
) {
  const clientCache = new Map<string, AwsClients>();
  const heal = async (event: unknown, context: Context): Promise<SelfHealHandlerResult> => {
    const deps = selfHealLambdaDeps({
      env: options.env ?? process.env,
      context,
      clock: options.clock ?? Date.now,
      clientCache,
      event,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
    const result = await runSelfHeal(deps);
    if (!result.ok) {
      // Not one region could be read: an error, so Lambda's Errors metric and alarms see it (and
      // EventBridge's async invocation retries a launch event).
      const why = result.summaries
        .flatMap((s) => s.failures.map((f) => `${f.resourceId}: ${f.message}`))
        .join('; ');
      throw new Error(`self-heal: no region could be read (${why})`);
    }
    return { summaries: result.summaries };
  };
  return middy<unknown, SelfHealHandlerResult, Error, Context>().handler(heal);
}

export const handler = makeSelfHealHandler();
