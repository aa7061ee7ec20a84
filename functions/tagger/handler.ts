/**
 * Tagger Lambda: stamps LastUsed / LastUsedRuntime on this account's AMIs (see README "tagger").
 * Thin by design: the work is in shared/jobs/tagger.ts, the wiring in shared/lambda.
 */
import { loadSettings } from '../../shared/config';
import { runTagger } from '../../shared/jobs/tagger';
import { createJobHandler } from '../../shared/lambda';

export const handler = createJobHandler({ name: 'tagger', loadSettings, run: runTagger });
