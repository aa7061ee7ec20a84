/**
 * Tagger Lambda: stamps LastUsed / LastUsedRuntime on this account's AMIs (see README "tagger").
 * Thin by design: the work is in shared/jobs/tagger.ts, the wiring in shared/lambda.
 */
import { loadSettings } from '../../shared/config';
import { createJobHandler } from '../../shared/lambda/job-handler';

// The job (and the AWS SDK it calls) loads with the first invocation: a cold start loads only the
// settings and the handler factory (docs/performance.md#start).
export const handler = createJobHandler({
  name: 'tagger',
  loadSettings,
  run: async (deps) => (await import('../../shared/jobs/tagger')).runTagger(deps),
});
