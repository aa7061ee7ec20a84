/**
 * Wiring shared by the Lambda handlers: settings from the environment they hand in, a budget from
 * the Lambda context, clients per region (kept between warm invocations by the caller's cache).
 */
import { createClients, type AwsClients } from '../aws/clients';
import { budgetFromContext, type LambdaTimeContext } from '../budget';
import { loadSettings, type Env, type Settings } from '../config';
import { jsonLog, type LogFn } from '../report';
import type { JobDepsOf } from './common';

export interface LambdaWiring {
  env: Env;
  context: LambdaTimeContext;
  clock: () => number;
  clientCache: Map<string, AwsClients>;
  log?: LogFn;
  safetyMarginMs?: number;
}

/** Throws ConfigError on a bad setting: the whole run cannot work, so Lambda should record an error. */
export function lambdaDeps(w: LambdaWiring): JobDepsOf<Settings> {
  return lambdaDepsWith(w, loadSettings);
}

/** The same wiring for a function with settings of its own (e.g. scale-to-zero). */
export function lambdaDepsWith<S extends { maxAttempts: number }>(
  w: LambdaWiring,
  load: (env: Env) => S,
): JobDepsOf<S> {
  const settings = load(w.env);
  const clientsFor = (region: string): AwsClients => {
    let clients = w.clientCache.get(region);
    if (!clients) {
      clients = createClients(region, { maxAttempts: settings.maxAttempts });
      w.clientCache.set(region, clients);
    }
    return clients;
  };
  const budgetOptions =
    w.safetyMarginMs === undefined
      ? { clock: w.clock }
      : { clock: w.clock, safetyMarginMs: w.safetyMarginMs };
  return {
    clientsFor,
    settings,
    now: new Date(w.clock()),
    log: w.log ?? jsonLog,
    budget: budgetFromContext(w.context, budgetOptions),
    clock: w.clock,
  };
}
