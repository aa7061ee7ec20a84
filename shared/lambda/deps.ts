/**
 * A job's dependencies for one invocation: its settings, clients per region, the budget from the
 * Lambda context, the clock and the log. Clients outlive the invocation in the handler's cache, so a
 * warm Lambda reuses their connections (and their request counters keep counting).
 */
import { createClients } from '../aws/clients';
import { budgetFromContext, type LambdaTimeContext } from '../budget';
import type { JobDepsOf } from '../jobs/common';
import type { ResolvedLambdaOptions } from './options';

/**
 * The client called `name` for `region`, made by `create` on first use and kept as long as the
 * handler lives. `name` tells apart a function's own clients (e.g. recovery's CloudWatch) from the
 * common ones.
 */
export type PerRegion = <T>(name: string, region: string, create: (region: string) => T) => T;

export function perRegionCache(): PerRegion {
  const cache = new Map<string, unknown>();
  return <T>(name: string, region: string, create: (region: string) => T): T => {
    const key = `${name}\u0000${region}`;
    if (!cache.has(key)) cache.set(key, create(region));
    return cache.get(key) as T;
  };
}

export function jobDeps<S extends { maxAttempts: number }>(
  options: ResolvedLambdaOptions,
  context: LambdaTimeContext,
  settings: S,
  perRegion: PerRegion,
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
    now: new Date(clock()),
    log: options.log,
    budget: budgetFromContext(context, { clock }),
    clock,
  };
}
