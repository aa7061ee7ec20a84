/**
 * Scale-to-zero Lambda: turns opted-in groups and instances off outside their schedule and back on
 * when it begins (see README "scale-to-zero"). Thin by design: the work is in shared/jobs/scale.ts,
 * the wiring in shared/lambda.
 */
import { createJobHandler } from '../../shared/lambda/job-handler';
import type { LambdaOptions } from '../../shared/lambda/options';
import { loadScaleSettings } from '../../shared/schedule';

/** The demo and the end-to-end tests pass a simulated clock (and the demo its env and log). */
export function makeScaleHandler(options: LambdaOptions = {}) {
  // The job (and the AWS SDK it calls) loads with the first invocation: a cold start loads only the
  // settings and the handler factory (docs/performance.md#start).
  return createJobHandler(
    {
      name: 'scale-to-zero',
      loadSettings: loadScaleSettings,
      run: async (deps) => (await import('../../shared/jobs/scale')).runScale(deps),
    },
    options,
  );
}

export const handler = makeScaleHandler();
