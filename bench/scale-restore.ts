/**
 * Scale-to-zero's start of day: thousands of standalone instances that the evening run stopped are
 * started again, under StartInstances' resource bucket (1000 instances at once, then 2 a second).
 * At AWS's default rate the last 2000 of 3000 take ~17 minutes, far past one 300 s run, so this
 * measures what the job does about it: whether a run ends cleanly as incomplete, whether throttling
 * is absorbed or reported as failures, whether later runs finish the job, and whether any instance
 * is lost track of (stopped without the marker that tells the job to start it).
 *
 * The evening scale-down runs in a child (bench/child.ts 'scale' task, unthrottled: it only sets the
 * scene). The morning runs run here in the parent, because the child's 'scale' task has no time
 * budget and the question is what a budgeted Lambda run does. Memory is not measured for them.
 */

import { startSandbox, type Sandbox } from '../sandbox/server';
import { DEFAULT_MAX_ATTEMPTS, destroyClients, type AwsClients } from '../shared/aws/clients';
import { INSTANCE_BATCH } from '../shared/aws/scale';
import { DEFAULT_SAFETY_MARGIN_MS, deadlineBudget } from '../shared/budget';
import { runScale } from '../shared/jobs/scale';
import { loadScaleSettings } from '../shared/schedule';
import { TAG } from '../shared/tags';
import { clientSetWith } from './clients';
import { REGION, seedScaleAccount } from './account';
import { batches, pages, type Bound } from './bounds';
import { runInChild } from './child';
import { mb } from './measure';
import { BENCH_NOW, requestColumns, type JobRow, type ModelOptions } from './scenarios';
import {
  applyThrottleModel,
  EC2_RESOURCE_BUCKETS,
  instanceBucketsAt,
  THROTTLE_CODES,
} from './throttle-model';

/** The next morning's first run after BENCH_NOW (Tuesday 22:00 UTC): Wednesday 07:00, the default schedule's start. */
export const RESTORE_NOW = '2026-11-25T07:00:00Z';
/** The function's schedule (functions/scale-to-zero/function.yml): rate(15 minutes). */
export const RUN_INTERVAL_MS = 15 * 60_000;
/** The function's timeout (scaleTimeoutSeconds default) and the run's safety margin before it. */
export const LAMBDA_TIMEOUT_MS = 300_000;

export interface RestoreSize {
  instances: number;
  /**
   * EC2's refill rates are multiplied by this, and the run's time budget divided by it, so a run
   * sees as many refilled tokens in its budget as a 300 s run does at AWS's rate. The SDK's own
   * backoff is not scaled (see the report note): retries look this much longer to the buckets.
   */
  speedup: number;
  /** Give up after this many morning runs (15 minutes apart in the job's clock). */
  maxRuns: number;
}

export interface RestoreRun {
  /** Real milliseconds the run took, against its scaled budget. */
  durationMs: number;
  started: number;
  incomplete: boolean;
  /** Failures whose cause was throttling (RequestLimitExceeded), and all failures. */
  throttleFailures: number;
  failures: number;
  /** StartInstances calls this run, answered and refused. */
  startCalls: number;
  startThrottled: number;
}

export interface RestoreOutcome {
  row: JobRow;
  instances: number;
  speedup: number;
  /** The scaled work budget of one run (real ms), and the limit a run is judged against. */
  budgetMs: number;
  timeoutMs: number;
  runs: RestoreRun[];
  /** Runs that ended past timeoutMs, and the most any run went past its budget (real ms). */
  overTimeout: number;
  maxPastBudgetMs: number;
  /** Instances still stopped after the last run. */
  leftStopped: number;
  /** Stopped instances without the ScaleToZeroStoppedAt marker: no run would start them. */
  lostTrack: number;
  /** Running instances that still carry the marker (harmless, but untidy). */
  staleMarkers: number;
  /** Instances started per run at AWS's default rate if every call waited for its tokens. */
  idealPerRun: number;
  idealRuns: number;
}

function clientsAt(sandbox: Sandbox): AwsClients {
  // The same clients createClients builds (adaptive retry, the product's attempts), pointed at the
  // sandbox explicitly: this parent process's environment is not the job's.
  return clientSetWith({
    region: REGION,
    endpoint: sandbox.url,
    credentials: sandbox.credentials('scale-to-zero'),
    retryMode: 'adaptive',
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
  });
}

const isThrottle = (message: string) => [...THROTTLE_CODES].some((code) => message.includes(code));

/**
 * The fewest calls: each run reads what is left, every instance is started once, in batches of
 * INSTANCE_BATCH; each run records what it started, one transition tag and one marker removal per
 * 1000 of them (a run cannot tag what it has not started: `startedPerRun`, absent: all in one run).
 */
export function restoreLowerBound(
  instances: number,
  runs: number,
  startedPerRun: number[] = [instances],
): Bound {
  const perRunTags = startedPerRun.reduce((n, started) => n + batches(started, 1000), 0);
  return {
    'sts:GetCallerIdentity': runs,
    'autoscaling:DescribeAutoScalingGroups': runs,
    'ec2:DescribeInstances': runs * pages(instances, 1000),
    'ec2:StartInstances': batches(instances, INSTANCE_BATCH),
    'ec2:CreateTags': perRunTags,
    'ec2:DeleteTags': perRunTags,
    // The idle-cost report: one read of the region's Elastic IPs per run.
    'ec2:DescribeAddresses': runs,
    'events:PutEvents': runs,
    // Patch windows (on by default): each run with something asleep lists the enabled windows once.
    'ssm:DescribeMaintenanceWindows': runs,
    // Databases: each run lists the region's DB instances once (one page: this account has none).
    'rds:DescribeDBInstances': runs,
  };
}

/**
 * For the test suite: a clock for the buckets, the budget and the runs' durations instead of real
 * time, and the clients to run with (e.g. retries that move that clock instead of sleeping), so the
 * outcome does not depend on how busy the machine is. The bench runs in real time.
 */
export interface RestoreClock {
  now(): number;
  advance(ms: number): void;
}

export interface RestoreOptions {
  clock?: RestoreClock;
  clientsFor?: (sandbox: Sandbox) => AwsClients;
}

export async function scaleRestoreScenario(
  size: RestoreSize,
  model: ModelOptions,
  options: RestoreOptions = {},
): Promise<RestoreOutcome> {
  const { clock } = options;
  const now = clock ? () => clock.now() : () => performance.now();
  const sandbox = await startSandbox();
  if (clock) sandbox.faults.useClock(now);
  try {
    seedScaleAccount(sandbox, 0, size.instances);
    // The evening: the real job stops them all and marks each with ScaleToZeroStoppedAt.
    await runInChild({ kind: 'scale', now: BENCH_NOW }, sandbox.env(REGION, 'scale-to-zero'));
    const region = sandbox.state.region(REGION);
    const stoppedByJob = region.instances().filter((i) => i.state === 'stopped').length;
    if (stoppedByJob !== size.instances) {
      throw new Error(
        `scale-restore: the evening run stopped ${stoppedByJob} of ${size.instances} instances; the morning has nothing fair to measure`,
      );
    }
    sandbox.requests.reset();

    // The work budget is scaled like the buckets; the 20 s margin is not: what runs in it (the
    // bookkeeping tags and the summary event, paced by the SDK's client-side adaptive limiter after
    // throttling, and a call that outlasts the slowest one seen before it) takes real time here as
    // on AWS. Measured at x50: ~0.6 s of call overrun plus ~1.1 s of bookkeeping past a 5.6 s budget.
    const budgetMs = (LAMBDA_TIMEOUT_MS - DEFAULT_SAFETY_MARGIN_MS) / size.speedup;
    const timeoutMs = budgetMs + DEFAULT_SAFETY_MARGIN_MS;
    const settings = loadScaleSettings({
      REGIONS: REGION,
      SCALE_DEFAULT_SCHEDULE: 'Mon-Fri 07:00-19:00 UTC',
    });
    const runs: RestoreRun[] = [];
    for (let i = 0; i < size.maxRuns; i++) {
      // 15 minutes between runs refill every bucket the job uses (StartInstances': 1800 tokens at 2 a
      // second, more than its 1000): fresh buckets are what the next run meets.
      applyThrottleModel(sandbox, { speedup: size.speedup, latencyMs: model.latencyMs / size.speedup });
      const before = sandbox.requests.all().length;
      // A fresh Lambda per run: a run 15 minutes later need not share the warm container.
      const clients = options.clientsFor ? options.clientsFor(sandbox) : clientsAt(sandbox);
      const t0 = now();
      const result = await runScale({
        clientsFor: () => clients,
        settings,
        now: new Date(new Date(RESTORE_NOW).getTime() + i * RUN_INTERVAL_MS),
        log: () => undefined,
        budget: clock ? deadlineBudget(now() + budgetMs, now) : deadlineBudget(Date.now() + budgetMs),
        // Batches paced to StartInstances' bucket as the model refills it; on a virtual clock the
        // run's waits move that clock.
        pacing: {
          instanceBuckets: instanceBucketsAt(size.speedup),
          ...(clock ? { sleep: async (ms: number) => clock.advance(ms) } : {}),
        },
      });
      const durationMs = now() - t0;
      destroyClients(clients);
      const summary = result.summaries[0]!;
      const mine = sandbox.requests.all().slice(before);
      const starts = mine.filter((e) => e.action === 'StartInstances');
      runs.push({
        durationMs: Math.round(durationMs),
        started: summary.counts.instancesStarted ?? 0,
        incomplete: summary.incomplete,
        throttleFailures: summary.failures.filter((f) => isThrottle(f.message)).length,
        failures: summary.failures.length,
        startCalls: starts.length,
        startThrottled: starts.filter((e) => e.errorCode !== undefined && THROTTLE_CODES.has(e.errorCode))
          .length,
      });
      if (region.instances().every((x) => x.state === 'running')) break;
      clock?.advance(RUN_INTERVAL_MS);
    }

    const instances = region.instances();
    const stopped = instances.filter((x) => x.state === 'stopped');
    const lostTrack = stopped.filter((x) => x.tags[TAG.scaleToZeroStoppedAt] === undefined).length;
    const staleMarkers = instances.filter(
      (x) => x.state === 'running' && x.tags[TAG.scaleToZeroStoppedAt] !== undefined,
    ).length;

    const bucket = EC2_RESOURCE_BUCKETS.StartInstances;
    const idealPerRun =
      bucket.burst +
      Math.floor(((LAMBDA_TIMEOUT_MS - DEFAULT_SAFETY_MARGIN_MS) / 1000) * bucket.refillPerSecond);
    const bound = restoreLowerBound(
      size.instances,
      runs.length,
      runs.map((r) => r.started),
    );
    const { columns, errorNotes } = requestColumns(sandbox, bound, model);
    const failures = runs.reduce((n, r) => n + r.failures, 0);
    const notes = [
      clock
        ? `virtual clock (buckets, budget, the SDK's backoff and the run's waits for StartInstances' tokens): EC2 bucket refill x${size.speedup} and a ${Math.round(budgetMs)} ms budget per run ((300 s timeout - 20 s margin) / ${size.speedup}); "real" is that clock's`
        : `EC2 bucket refill x${size.speedup} and a ${Math.round(budgetMs)} ms work budget per run ((300 s timeout - 20 s margin) / ${size.speedup}), judged against budget + the real 20 s margin; the SDK's backoff is real time, so its retries span ${size.speedup}x more bucket time than on AWS`,
      `runs in the bench process (the child's scale task has no time budget): no memory figures`,
      `simulated: every run's requests replayed back to back at AWS's rate (the 15 minutes between runs left out)`,
    ];
    notes.push(...errorNotes);
    const row: JobRow = {
      job: 'scale-restore',
      size: `${size.instances}i x${size.speedup}`,
      ...columns,
      failures,
      realMs: runs.reduce((n, r) => n + r.durationMs, 0),
      peakRssMb: mb(0),
      peakHeapMb: mb(0),
      notes,
    };
    return {
      row,
      instances: size.instances,
      speedup: size.speedup,
      budgetMs: Math.round(budgetMs),
      timeoutMs: Math.round(timeoutMs),
      runs,
      overTimeout: runs.filter((r) => r.durationMs > timeoutMs).length,
      maxPastBudgetMs: Math.max(0, ...runs.map((r) => r.durationMs - Math.round(budgetMs))),
      leftStopped: stopped.length,
      lostTrack,
      staleMarkers,
      idealPerRun,
      idealRuns: Math.ceil(size.instances / idealPerRun),
    };
  } finally {
    await sandbox.close();
  }
}
