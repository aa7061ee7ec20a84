/**
 * AutoCleanup Lambda: deregisters opted-in AMIs unused past the retention, and their snapshots
 * (see docs/cleanup.md). Thin by design: the work is in shared/jobs/cleanup/, the wiring in
 * shared/lambda.
 */
import { loadSettings } from '../../shared/config';
import { runCleanup } from '../../shared/jobs/cleanup';
import { createJobHandler, type LambdaOptions } from '../../shared/lambda';

export function makeCleanupHandler(options: LambdaOptions = {}) {
  return createJobHandler({ name: 'cleanup', loadSettings, run: runCleanup }, options);
}

export const handler = makeCleanupHandler();
