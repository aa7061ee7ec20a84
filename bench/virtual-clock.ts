/**
 * The bench on a virtual clock (its default; `--real-clock` for real time). The cleanup drain: the same runs as the child's 'cleanup-drain' task, in this
 * process, with the buckets at AWS's own rates, each request's latency and the SDK's backoff moving
 * one clock, and each run's budget read from it. What a run gets done in its budget is then the
 * model's, not the machine's: on a loaded machine the real-time drain's runs spent their whole
 * deadline on the inventory and deleted nothing, and its figures said more about the load than the
 * job. The price: no memory figures (bench `--real-clock` runs the child), and requests in flight at
 * once each add their latency (a slower clock than AWS's, so a run does less, never more).
 */
import type { Sandbox } from '../sandbox/server';
import { DEFAULT_MAX_ATTEMPTS, destroyClients, type AwsClients } from '../shared/aws/clients';
import { deadlineBudget } from '../shared/budget';
import { runCleanup } from '../shared/jobs/cleanup';
import { VirtualClock } from '../sandbox/clock/virtual-clock';
import { virtualBackoffRetry } from '../sandbox/clock/virtual-retry';
import { clientSetWith } from './clients';
import { REGION } from './account';
import type { ChildResult, RunReport } from './child';
import { drainRunOf, drainState, type DrainRun, type DrainState } from './drain';
import { benchSettings } from './settings';
import { applyThrottleModel } from './throttle-model';

export interface VirtualDrain {
  now: string;
  /** Virtual milliseconds each run may take before its deadline. */
  budgetMs: number;
  maxDeletionsPerRun: number;
  maxRuns: number;
  stallRuns: number;
  /** Virtual milliseconds each request takes. */
  latencyMs: number;
  /** Virtual time between runs (the buckets refill in it). */
  gapMs: number;
}

/**
 * The product's clients (its attempts), signed as `role`, whose retries wait on the virtual clock.
 * The start-of-day restore (bench/scale-restore.ts) runs with these too.
 */
export function virtualClientsAt(sandbox: Sandbox, clock: VirtualClock, role: string): AwsClients {
  return clientSetWith({
    region: REGION,
    endpoint: sandbox.url,
    credentials: sandbox.credentials(role),
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    retryStrategy: virtualBackoffRetry(clock, DEFAULT_MAX_ATTEMPTS),
  });
}

/**
 * Recycle Bin's reads find their endpoint as the SDK does (shared/aws/recycle-bin/wire.ts:
 * AWS_ENDPOINT_URL_RBIN), not from the clients above: point it at the sandbox for the in-process
 * runs, or they go to AWS's own endpoint and every run reports a failed ListRules. Returns the undo.
 */
export function pointRecycleBinAt(sandbox: Sandbox): () => void {
  const before = process.env.AWS_ENDPOINT_URL_RBIN;
  process.env.AWS_ENDPOINT_URL_RBIN = sandbox.url;
  return () => {
    if (before === undefined) delete process.env.AWS_ENDPOINT_URL_RBIN;
    else process.env.AWS_ENDPOINT_URL_RBIN = before;
  };
}

/** Runs the drain; the result has the child's shape (without memory figures: 0). */
export async function drainOnVirtualClock(sandbox: Sandbox, task: VirtualDrain): Promise<ChildResult> {
  const clock = new VirtualClock(Date.parse(task.now));
  sandbox.faults.useClock(clock.now);
  applyThrottleModel(sandbox, { speedup: 1 });
  sandbox.faults.setLatency(() => {
    clock.advance(task.latencyMs);
    return 0;
  });
  const restoreEndpoint = pointRecycleBinAt(sandbox);
  const runs: RunReport[] = [];
  const drained: DrainRun[] = [];
  const t0 = clock.now();
  let state: DrainState = 'running';
  for (let i = 0; state === 'running'; i++) {
    // A fresh Lambda per run, as the child does.
    const clients = virtualClientsAt(sandbox, clock, 'cleanup');
    const started = clock.now();
    const r = await runCleanup({
      clientsFor: () => clients,
      settings: benchSettings({ maxDeletionsPerRun: task.maxDeletionsPerRun }),
      now: new Date(Date.parse(task.now) + i * 60_000),
      log: () => undefined,
      budget: deadlineBudget(started + task.budgetMs, clock.now),
      clock: clock.now,
    });
    destroyClients(clients);
    const summary = r.summaries[0]!;
    runs.push({ durationMs: clock.now() - started, summary });
    drained.push(drainRunOf(summary));
    state = drainState(drained, { maxRuns: task.maxRuns, stallRuns: task.stallRuns });
    clock.advance(task.gapMs);
  }
  restoreEndpoint();
  return {
    runs,
    wallMs: clock.now() - t0,
    peakRss: 0,
    peakHeapUsed: 0,
    baselineRss: 0,
    extra: { drain: state },
  };
}
