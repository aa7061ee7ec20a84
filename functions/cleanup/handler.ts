/**
 * AutoCleanup Lambda: deregisters opted-in AMIs unused past the retention, and their snapshots
 * (see README "cleanup"). Thin by design: the work is in shared/jobs/cleanup.ts, the wiring in
 * shared/lambda.
 */
import { loadSettings } from '../../shared/config';
import { runCleanup } from '../../shared/jobs/cleanup';
import { createJobHandler } from '../../shared/lambda';

export const handler = createJobHandler({ name: 'cleanup', loadSettings, run: runCleanup });
