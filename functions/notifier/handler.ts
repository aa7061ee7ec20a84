/**
 * The notifier Lambda: EventBridge rules deliver failure events here; shared/notify does the work.
 * Settings and clients are made once per Lambda instance, so the webhook-URL cache and the per-webhook
 * rate limit live as long as the instance does. It takes the same options (clock, log) as the jobs'
 * handlers (shared/lambda), but not their factory: it has no regions to sweep and no run budget.
 */
import type { Context } from 'aws-lambda';

import type { EventBridgeEvent, NotifierDeps, NotifyOutcome } from '../../shared/notify';
import {
  metricsFromSummary,
  notifierResultOf,
  notifierSummary,
  type NotifierResult,
} from '../../shared/metrics';
import { invocationLog } from '../../shared/lambda/invocation-log';
import { withLambdaDefaults, type LambdaOptions } from '../../shared/lambda/options';

export function buildNotifierHandler(
  env: Record<string, string | undefined>,
  wrapDeps: (deps: NotifierDeps) => NotifierDeps = (deps) => deps,
  options: Omit<LambdaOptions, 'env'> = {},
) {
  const resolved = withLambdaDefaults(options);
  let deps: NotifierDeps | undefined;
  return async (event: EventBridgeEvent, context: Context): Promise<NotifyOutcome> => {
    // The clients, the SDK and the delivery code load with the first invocation, not at cold start.
    const notifier = await import('./deps');
    deps ??= wrapDeps(notifier.createNotifierDeps(env, resolved));
    // This invocation's lines name its request id; LOG_LEVEL leaves out the lines below it.
    const log = invocationLog(deps.log, env, context.awsRequestId);
    const invocationDeps: NotifierDeps = { ...deps, log };
    // The clients' region (the SDK reads AWS_REGION from the process); a dimension may not be empty.
    const region = env.AWS_REGION || process.env.AWS_REGION || 'unknown';
    const emit = (result: NotifierResult) => {
      // An ignored event (not ours, or a resolution with nothing open) is not a notification.
      if (result === 'ignored') return;
      const now = deps?.now() ?? new Date();
      log(metricsFromSummary(notifierSummary(region, result, now.toISOString()), now.getTime()));
    };
    try {
      const outcome = await notifier.notifyEvent(event, invocationDeps, {
        remainingMs: context.getRemainingTimeInMillis?.(),
      });
      emit(notifierResultOf(outcome.outcome));
      return outcome;
    } catch (err) {
      emit('failed');
      throw err;
    }
  };
}

export const handler = buildNotifierHandler(process.env);
