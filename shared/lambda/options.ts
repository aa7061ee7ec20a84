/**
 * What a handler takes from outside, with the defaults Lambda uses. Tests and the demo inject a
 * simulated clock, their own environment or a log collector; a deployed function passes nothing.
 */
import type { Env } from '../config';
import { jsonLog, type LogFn } from '../report';

export interface LambdaOptions {
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  /** Read at every invocation, so a test may change process.env between runs (default process.env). */
  env?: Env;
  /** Default: one JSON object per line on stdout. */
  log?: LogFn;
}

export interface ResolvedLambdaOptions {
  clock: () => number;
  env: () => Env;
  log: LogFn;
}

export function withLambdaDefaults(options: LambdaOptions = {}): ResolvedLambdaOptions {
  return {
    clock: options.clock ?? Date.now,
    env: () => options.env ?? process.env,
    log: options.log ?? jsonLog,
  };
}
