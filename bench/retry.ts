/**
 * Adaptive against standard retry: cleanup's apply step, in a child, against EC2's mutating buckets
 * at a tenth of their size (split from bench/scenarios.ts, which holds the job scenarios).
 */
import { REGION, seedCleanupBacklog } from './account';
import { runInChild } from './child';
import { requestFigures } from './measure';
import { BENCH_NOW, withSandbox } from './scenarios';

export interface RetryComparison {
  mode: 'adaptive' | 'standard';
  realMs: number;
  throttled: number;
  failures: number;
  deleted: number;
}

/**
 * Adaptive against standard retry under tight buckets: cleanup's apply step (4 deletions in flight)
 * against EC2's mutating buckets at a tenth of their size, where a client that keeps retrying at
 * full speed exhausts its attempts.
 */
export async function retryScenario(deletable: number): Promise<RetryComparison[]> {
  const out: RetryComparison[] = [];
  for (const mode of ['adaptive', 'standard'] as const) {
    out.push(
      await withSandbox(async (sandbox) => {
        seedCleanupBacklog(sandbox, deletable, 2, new Date(BENCH_NOW));
        sandbox.faults.clear();
        for (const action of ['DeregisterImage', 'DeleteSnapshot', 'CreateTags']) {
          sandbox.faults.throttle({ service: 'ec2', action, burst: 5, refillPerSecond: 5 });
        }
        const child = await runInChild(
          { kind: 'apply-cleanup', now: BENCH_NOW, retryMode: mode },
          sandbox.env(REGION, 'cleanup'),
        );
        const figures = requestFigures(sandbox.requests.all());
        const s = child.runs[0]!.summary;
        return {
          mode,
          realMs: Math.round(child.wallMs),
          throttled: figures.throttled,
          failures: s.failures.length,
          deleted: s.counts.deleted ?? 0,
        };
      }),
    );
  }
  return out;
}
