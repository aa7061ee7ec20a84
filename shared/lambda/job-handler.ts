/**
 * The one shape of every scheduled job's handler: read the settings, wire the deps, run the job over
 * its regions, fail the invocation when no region could be read. A function's handler.ts names its
 * job and passes what is its own (settings loader, run, extra clients, the regions an event concerns).
 */
import type { Context } from 'aws-lambda';

import type { Env } from '../config';
import type { FunctionName } from '../events';
import type { JobDepsOf } from '../jobs/common';
import type { PerRegion } from './per-region';
import { perRegionCache } from './per-region';
import { invocationLog } from './invocation-log';
import { failWhenNoRegionRead, type JobOutcome, type JobResponse } from './no-region-read';
import { withLambdaDefaults, type LambdaOptions } from './options';

/** What every job's settings carry. */
export interface JobSettings {
  regions: readonly string[];
  maxAttempts: number;
}

export interface JobSpec<S extends JobSettings, X extends object> {
  name: FunctionName;
  /**
   * Throws (or rejects with) ConfigError on a bad setting: the whole run cannot work, so the
   * invocation fails. A promise lets a function load a heavy parser with the invocation, not at init.
   */
  loadSettings: (env: Env) => S | Promise<S>;
  run: (deps: JobDepsOf<S> & X) => Promise<JobOutcome>;
  /**
   * Deps only this function has, e.g. a client other bundles should not carry, or what its event says
   * (a promise when making them needs the job's lazily loaded module).
   */
  extraDeps?: (settings: S, perRegion: PerRegion, event: unknown) => X | Promise<X>;
  /** The regions an event concerns (default: every region of the settings). */
  regionsFor?: (event: unknown, regions: readonly string[]) => string[];
}

export function createJobHandler<S extends JobSettings, X extends object = object>(
  spec: JobSpec<S, X>,
  options: LambdaOptions = {},
) {
  const resolved = withLambdaDefaults(options);
  const perRegion = perRegionCache();
  const invoke = async (event: unknown, context: Context): Promise<JobOutcome> => {
    // The run's `now` is when the invocation began, not when its code had loaded.
    const startedAt = resolved.clock();
    const env = resolved.env();
    // Every line of this invocation names its request id; LOG_LEVEL leaves out the lines below it.
    const log = invocationLog(resolved.log, env, context.awsRequestId);
    const settings = await spec.loadSettings(env);
    // The AWS clients (and the SDK under them) load with the first invocation, not at cold start.
    const { jobDeps } = await import('./deps');
    const deps = {
      ...jobDeps({ ...resolved, log }, context, settings, perRegion, startedAt),
      ...(await spec.extraDeps?.(settings, perRegion, event)),
    } as JobDepsOf<S> & X;
    if (spec.regionsFor) {
      deps.settings = { ...settings, regions: spec.regionsFor(event, settings.regions) };
    }
    const { ok, summaries } = await spec.run(deps);
    return { ok, summaries };
  };
  // A plain async function: a middleware framework would load node:stream and its web streams at
  // every cold start (about 20 ms on Node 22) for one check on the way out.
  return async (event: unknown, context: Context): Promise<JobResponse> =>
    failWhenNoRegionRead(spec.name, await invoke(event, context));
}
