/**
 * Scale-to-zero Lambda: turns opted-in groups and instances off outside their schedule and back on
 * when it begins (see docs/scale-to-zero.md). Thin by design: the work is in shared/jobs/scale.ts,
 * the wiring in shared/lambda.
 */
import { runScale } from '../../shared/jobs/scale';
import { createJobHandler, type LambdaOptions } from '../../shared/lambda';
import { loadScaleSettings } from '../../shared/schedule';

/** The demo and the end-to-end tests pass a simulated clock (and the demo its env and log). */
export function makeScaleHandler(options: LambdaOptions = {}) {
  return createJobHandler({ name: 'scale-to-zero', loadSettings: loadScaleSettings, run: runScale }, options);
}

export const handler = makeScaleHandler();
