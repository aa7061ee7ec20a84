/**
 * What a handler takes from outside, with the defaults Lambda uses. Tests and the demo inject a
 * simulated clock, their own environment or a log collector; a deployed function passes nothing.
 */
import type { ClientOptions } from '../aws/clients';
import type { Env } from '../config';
import { jsonLog, type LogFn } from '../report';

export interface LambdaOptions {
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  /** Read at every invocation, so a test may change process.env between runs (default process.env). */
  env?: Env;
  /** Default: one JSON object per line on stdout. */
  log?: LogFn;
  /** How the job's AWS clients retry (default: adaptive retry with backoff; tests skip the backoff). */
  retryStrategy?: ClientOptions['retryStrategy'];
}

export interface ResolvedLambdaOptions {
  clock: () => number;
  env: () => Env;
  log: LogFn;
  retryStrategy?: ClientOptions['retryStrategy'];
}

export function withLambdaDefaults(options: LambdaOptions = {}): ResolvedLambdaOptions {
  return {
    clock: options.clock ?? Date.now,
    env: () => options.env ?? process.env,
    log: options.log ?? jsonLog,
    ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
  };
}
