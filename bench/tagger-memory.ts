/**
 * `npx tsx bench/tagger-memory.ts [--images N] [--instances N]` (default 100k + 100k)
 *
 * The tagger's peak memory on its own, in the same child process and seed as `npm run bench`'s
 * tagger rows, without the rest of `--full` (minutes instead of ten) and without the throttle model
 * (memory does not depend on request pacing): the loop for working on issue 5's 256 MB target.
 */
import { parseArgs } from 'node:util';

import { startSandbox } from '../sandbox/server';
import { REGION, seedTaggerAccount } from './account';
import { runInChild } from './child';
import { mb } from './measure';
import { BENCH_NOW } from './scenarios';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '100000' },
      instances: { type: 'string', default: '100000' },
    },
  });
  const images = Number(values.images);
  const instances = Number(values.instances);
  if (!Number.isInteger(images) || images < 1 || !Number.isInteger(instances) || instances < 0) {
    throw new Error(
      `--images and --instances must be whole numbers (images >= 1), got ${images} and ${instances}`,
    );
  }
  const sandbox = await startSandbox();
  try {
    seedTaggerAccount(sandbox, images, instances, new Date(BENCH_NOW));
    const child = await runInChild({ kind: 'tagger', now: BENCH_NOW }, sandbox.env(REGION));
    const s = child.runs[0]!.summary;
    console.log(
      `tagger ${images} AMIs + ${instances} instances: peak RSS ${mb(child.peakRss)} MB, peak heap ` +
        `${mb(child.peakHeapUsed)} MB, RSS before the job ${mb(child.baselineRss)} MB, ` +
        `${Math.round(child.wallMs)} ms, inUse ${s.counts.inUse}, taggedRuntime ${s.counts.taggedRuntime}, ` +
        `${s.failures.length} failures`,
    );
  } finally {
    await sandbox.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
