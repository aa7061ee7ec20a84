/**
 * Tagger Lambda: stamps LastUsed / LastUsedRuntime on this account's AMIs (see docs/tagger.md).
 * Thin by design: the work is in shared/jobs/tagger.ts, the wiring in shared/lambda.
 */
import { loadSettings } from '../../shared/config';
import { runTagger } from '../../shared/jobs/tagger';
import { createJobHandler, type LambdaOptions } from '../../shared/lambda';

export function makeTaggerHandler(options: LambdaOptions = {}) {
  return createJobHandler({ name: 'tagger', loadSettings, run: runTagger }, options);
}

export const handler = makeTaggerHandler();
