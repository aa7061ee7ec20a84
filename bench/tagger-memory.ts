/**
 * `npx tsx bench/tagger-memory.ts [--images N] [--instances N] [--heap-cap MB] [--lambda-memory MB]`
 *
 * The tagger's peak memory on its own, in the same child process and seed as `npm run bench`'s
 * tagger rows, without the rest of `--full` (minutes instead of ten) and without the throttle model
 * (memory does not depend on request pacing): the loop for working on issue 5's 256 MB target.
 * `--heap-cap` runs the child with --max-old-space-size: without a cap V8 lets garbage pile up far
 * past what is live, so the uncapped peak says more about its heuristics than about the job.
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
      'heap-cap': { type: 'string' },
      'lambda-memory': { type: 'string' },
    },
  });
  const images = Number(values.images);
  const instances = Number(values.instances);
  if (!Number.isInteger(images) || images < 1 || !Number.isInteger(instances) || instances < 0) {
    throw new Error(
      `--images and --instances must be whole numbers (images >= 1), got ${images} and ${instances}`,
    );
  }
  const cap = values['heap-cap'];
  if (cap !== undefined && !/^[1-9]\d*$/.test(cap)) {
    throw new Error(`--heap-cap must be a whole number of megabytes (--max-old-space-size), got '${cap}'`);
  }
  const lambdaMemory = values['lambda-memory'];
  if (lambdaMemory !== undefined && !/^[1-9]\d*$/.test(lambdaMemory)) {
    throw new Error(`--lambda-memory must be a whole number of megabytes, got '${lambdaMemory}'`);
  }
  const sandbox = await startSandbox();
  try {
    seedTaggerAccount(sandbox, images, instances, new Date(BENCH_NOW));
    const env = {
      ...sandbox.env(REGION, 'tagger'),
      ...(cap ? { NODE_OPTIONS: `--max-old-space-size=${cap}` } : {}),
    };
    const child = await runInChild(
      { kind: 'tagger', now: BENCH_NOW },
      env,
      lambdaMemory ? { memoryMb: Number(lambdaMemory) } : {},
    );
    const s = child.runs[0]!.summary;
    console.log(
      `tagger ${images} AMIs + ${instances} instances${cap ? ` (heap cap ${cap} MB)` : ''}` +
        `${lambdaMemory ? ` (Lambda heap limits for ${lambdaMemory} MB)` : ''}: peak RSS ${mb(child.peakRss)} MB, peak heap ` +
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
