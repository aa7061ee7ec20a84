/**
 * A job's dependencies for one invocation: its settings, clients per region, the budget from the
 * Lambda context, the clock and the log. Clients outlive the invocation in the handler's cache, so a
 * warm Lambda reuses their connections (and their request counters keep counting).
 */
import { createClients } from '../aws/clients';
import { budgetFromContext, type LambdaTimeContext } from '../budget';
import type { JobDepsOf } from '../jobs/common';
import type { ResolvedLambdaOptions } from './options';

import type { PerRegion } from './per-region';

export { perRegionCache, type PerRegion } from './per-region';

export function jobDeps<S extends { maxAttempts: number }>(
  options: ResolvedLambdaOptions,
  context: LambdaTimeContext,
  settings: S,
  perRegion: PerRegion,
  /** The invocation's start (default: now), read before anything loads lazily. */
  startedAt: number = options.clock(),
): JobDepsOf<S> {
  const { clock } = options;
  return {
    clientsFor: (region) =>
      perRegion('aws', region, (r) =>
        createClients(r, {
          maxAttempts: settings.maxAttempts,
          ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
        }),
      ),
    settings,
    now: new Date(startedAt),
    log: options.log,
    budget: budgetFromContext(context, { clock }),
    clock,
  };
}
