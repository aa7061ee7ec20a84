/**
 * AutoCleanup Lambda: deregisters opted-in AMIs unused past the retention, and their snapshots
 * (see docs/cleanup.md). Thin by design: the work is in shared/jobs/cleanup/, the wiring in
 * shared/lambda.
 */
import { loadSettings } from '../../shared/config';
import { createJobHandler } from '../../shared/lambda/job-handler';
import type { LambdaOptions } from '../../shared/lambda/options';

// The job (and the AWS SDK it calls) loads with the first invocation: a cold start loads only the
// settings and the handler factory (docs/performance.md#start).
export function makeCleanupHandler(options: LambdaOptions = {}) {
  return createJobHandler(
    {
      name: 'cleanup',
      loadSettings,
      run: async (deps) => (await import('../../shared/jobs/cleanup')).runCleanup(deps),
    },
    options,
  );
}

export const handler = makeCleanupHandler();
