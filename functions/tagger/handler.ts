/**
 * Tagger Lambda: stamps LastUsed / LastUsedRuntime on this account's AMIs (see docs/tagger.md).
 * Thin by design: the work is in shared/jobs/tagger.ts, the wiring in shared/lambda.
 */
import { loadSettings } from '../../shared/config';
import { createJobHandler } from '../../shared/lambda/job-handler';
import type { LambdaOptions } from '../../shared/lambda/options';

// The job (and the AWS SDK it calls) loads with the first invocation: a cold start loads only the
// settings and the handler factory (docs/performance.md#start).
export function makeTaggerHandler(options: LambdaOptions = {}) {
  return createJobHandler(
    {
      name: 'tagger',
      loadSettings,
      run: async (deps) => (await import('../../shared/jobs/tagger')).runTagger(deps),
    },
    options,
  );
}

export const handler = makeTaggerHandler();
