/**
 * Runs one job in a child process, so that its memory is measured like a Lambda's: the sandbox (which
 * holds the whole synthetic account) stays in the parent. The child samples process.memoryUsage()
 * during the run and sends back the peak, the wall time and the run summaries.
 */
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { RunSummaryDetail } from '../shared/events';

export type ChildTask =
  | { kind: 'tagger'; now: string }
  | { kind: 'naive-tagger'; now: string }
  | {
      kind: 'cleanup-drain';
      /** Simulated time of the first run; later runs are a minute apart. */
      now: string;
      /** Real milliseconds each run may take (deadlineBudget with the real clock). */
      budgetMs: number;
      maxDeletionsPerRun: number;
      /** The drain stops, not drained, after this many runs, or this many in a row deleting nothing (bench/drain.ts). */
      maxRuns: number;
      stallRuns: number;
      retryMode?: 'adaptive' | 'standard';
    }
  | {
      kind: 'scale';
      now: string;
      /**
       * The throttle model's refill multiplier: Start/StopInstances batches are paced to AWS's
       * per-instance buckets refilled this much faster. Absent: the sandbox does not throttle, and
       * the run does not pace.
       */
      speedup?: number;
    }
  /** One scheduled recovery run (every region in REGIONS, alarm prefix from RECOVERY_ALARM_PREFIX). */
  | { kind: 'recovery'; now: string }
  /** One scheduled self-heal run (every region in REGIONS, hook name from SELF_HEAL_HOOK_NAME). */
  | { kind: 'self-heal'; now: string }
  | {
      kind: 'apply-cleanup';
      now: string;
      retryMode: 'adaptive' | 'standard';
    };

export interface RunReport {
  durationMs: number;
  summary: RunSummaryDetail;
}

export interface ChildResult {
  runs: RunReport[];
  wallMs: number;
  /** High-water marks sampled every few milliseconds during the job (bytes). */
  peakRss: number;
  peakHeapUsed: number;
  /** After the modules were loaded, before the job started. */
  baselineRss: number;
  /** Anything job-specific the parent prints (e.g. the naive tagger's call count). */
  extra?: Record<string, number | string>;
}

const CHILD_MAIN = join(__dirname, 'child-main.ts');
let bundled: string | undefined;

/**
 * The child runs from an esbuild bundle built the way serverless.yml builds the functions (minified,
 * the SDK's ES module build): under tsx the TypeScript loader alone would add ~100 MB of RSS that no
 * deployed function carries, and the SDK's CommonJS build another ~60 MB at load.
 */
function childBundle(): string {
  if (!bundled) {
    const outfile = join(mkdtempSync(join(tmpdir(), 'ec2-hygiene-bench-child-')), 'child.js');
    buildSync({
      entryPoints: [CHILD_MAIN],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      keepNames: true,
      mainFields: ['module', 'main'],
    });
    bundled = outfile;
  }
  return bundled;
}

/**
 * The V8 limits Lambda's Node.js runtime starts a function with, from its configured memory size (the
 * runtime's bootstrap script: a tenth of the memory for the young generation, of which half is one
 * semi-space, and the rest for the old generation). A 256 MB function gets a 12 MB semi-space and a
 * 231 MB old space: its heap is capped near its memory, so garbage cannot pile up past it as it does
 * in an uncapped node.
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

export interface ChildOptions {
  /** Start the child with the heap limits Lambda gives a function of this many MB (lambdaHeapFlags). */
  memoryMb?: number;
}

export function runInChild(
  task: ChildTask,
  env: Record<string, string>,
  options: ChildOptions = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(childBundle(), [], {
      // --no-warnings: the SDK's Node 20 notice would repeat in every child's output.
      execArgv: ['--no-warnings', ...(options.memoryMb ? lambdaHeapFlags(options.memoryMb) : [])],
      env: { ...process.env, ...env, AWS_MAX_ATTEMPTS: '', AWS_RETRY_MODE: '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: ChildResult | undefined;
    let failure: string | undefined;
    child.on('message', (m: { ok: true; result: ChildResult } | { ok: false; error: string }) => {
      if (m.ok) result = m.result;
      else failure = m.error;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`bench child (${task.kind}) failed: ${failure ?? `exit code ${code}`}`));
    });
    child.send(task);
  });
}
