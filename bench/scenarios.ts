/**
 * One function per thing the benchmark measures. Each starts its own sandbox, seeds it, runs the
 * real job in a child process (bench/child.ts) and closes the sandbox again.
 */
import { startSandbox, type Sandbox } from '../sandbox/server';
import { DEFAULT_SAFETY_MARGIN_MS } from '../shared/budget';
import { TAG } from '../shared/tags';
import { REGION, seedCleanupBacklog, seedScaleAccount, seedTaggerAccount } from './account';
import { addBounds, cleanupLowerBound, scaleLowerBound, taggerLowerBound, total, type Bound } from './bounds';
import { runInChild, type ChildResult, type ChildTask } from './child';
import { drainOnVirtualClock } from './virtual-clock';
import { drainLimits, type DrainState } from './drain';
import { mb, requestFigures, simulatedMs } from './measure';
import { applyThrottleModel, throttleSpecs } from './throttle-model';
import { INSTANCE_BATCH } from '../shared/aws/scale';
import { rdsStore } from '../sandbox/services/rds';

const SCALE_SPEEDUP = 20;

/** A Tuesday evening (UTC): outside the default office hours, so scale-to-zero scales down. */
export const BENCH_NOW = '2026-11-24T22:00:00Z';

export interface ModelOptions {
  /** Simulated milliseconds per request (a real endpoint's round trip). */
  latencyMs: number;
}

export interface JobRow {
  job: string;
  size: string;
  requests: Record<string, number>;
  total: number;
  bound: Bound;
  boundTotal: number;
  ratio: number;
  throttled: number;
  failures: number;
  /** Simulated wall time under EC2's buckets (see measure.ts simulatedMs), and the real one here. */
  simulatedMs: number;
  realMs: number;
  peakRssMb: number;
  peakHeapMb: number;
  notes: string[];
}

export async function withSandbox<T>(work: (s: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox();
  try {
    return await work(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** A row's columns read from the sandbox's request log against its bound. */
export type RequestColumns = Pick<
  JobRow,
  'requests' | 'total' | 'bound' | 'boundTotal' | 'ratio' | 'throttled' | 'simulatedMs'
>;

/**
 * What the job made (answered requests) against its bound, the throttled answers, and the log
 * replayed at AWS's rates; with a note per error code answered. Every row's request figures.
 */
export function requestColumns(
  sandbox: Sandbox,
  bound: Bound,
  model: ModelOptions,
): { columns: RequestColumns; errorNotes: string[] } {
  const entries = sandbox.requests.all();
  const figures = requestFigures(entries);
  const boundTotal = total(bound);
  return {
    columns: {
      requests: figures.accepted,
      total: figures.acceptedTotal,
      bound,
      boundTotal,
      ratio: Math.round((figures.acceptedTotal / boundTotal) * 100) / 100,
      throttled: figures.throttled,
      simulatedMs: Math.round(simulatedMs(entries, throttleSpecs(1), model.latencyMs)),
    },
    errorNotes: Object.entries(figures.errors).map(([code, n]) => `${n} x ${code} answered`),
  };
}

export function row(
  job: string,
  size: string,
  sandbox: Sandbox,
  child: ChildResult,
  bound: Bound,
  model: ModelOptions,
  notes: string[] = [],
): JobRow {
  const { columns, errorNotes } = requestColumns(sandbox, bound, model);
  const failures = child.runs.reduce((n, r) => n + r.summary.failures.length, 0);
  notes.push(...errorNotes);
  notes.push(`RSS before the job started: ${mb(child.baselineRss)} MB (node and the bundled job)`);
  return {
    job,
    size,
    ...columns,
    failures,
    realMs: Math.round(child.wallMs),
    peakRssMb: mb(child.peakRss),
    peakHeapMb: mb(child.peakHeapUsed),
    notes,
  };
}

export interface TaggerSize {
  label: string;
  images: number;
  instances: number;
  /** Run the naive variant too (its serial per-AMI writes are slow beyond ~10k). */
  naive: boolean;
}

/**
 * The tagger's memory target (issue 5): its children start with the heap limits Lambda's Node.js
 * runtime gives a function of this size (bench/child.ts lambdaHeapFlags), so "peak RSS" is what a
 * 256 MB tagger would use. Without those limits V8 lets garbage pile up far past what is live.
 */
export const TAGGER_TARGET_MB = 256;

/** The cleanup and scale-to-zero children run with the heap limits of their default memory sizes. */
export const CLEANUP_MEMORY_MB = 512;
export const SCALE_MEMORY_MB = 256;

/** The real tagger (and the naive one) on one account size, under EC2's buckets at their real rate. */
export async function taggerScenario(size: TaggerSize, model: ModelOptions): Promise<JobRow[]> {
  const rows: JobRow[] = [];
  const now = new Date(BENCH_NOW);
  const kinds: ChildTask['kind'][] = size.naive ? ['tagger', 'naive-tagger'] : ['tagger'];
  for (const kind of kinds) {
    rows.push(
      await withSandbox(async (sandbox) => {
        const account = seedTaggerAccount(sandbox, size.images, size.instances, now);
        // The naive variant's serial CreateTags would take N/10 seconds at EC2's rate: it runs
        // unthrottled here, and its simulated time (the replay) still applies EC2's buckets.
        if (kind === 'tagger') applyThrottleModel(sandbox, { latencyMs: model.latencyMs });
        const child = await runInChild({ kind, now: BENCH_NOW } as ChildTask, sandbox.env(REGION, 'tagger'), {
          memoryMb: TAGGER_TARGET_MB,
        });
        const bound = taggerLowerBound(account.shape);
        const notes: string[] = [];
        const inUse = child.runs[0]?.summary.counts.inUse;
        if (kind === 'tagger' && inUse !== undefined && inUse !== account.shape.ownedInUse) {
          notes.push(`tagger counted ${inUse} AMIs in use, the seed ${account.shape.ownedInUse}`);
        }
        if (kind === 'naive-tagger') notes.push('run without the throttle model (simulated time applies it)');
        return row(kind, size.label, sandbox, child, bound, model, notes);
      }),
    );
  }
  return rows;
}

export interface CleanupSize {
  label: string;
  deletable: number;
  snapshotsPerImage: number;
  /**
   * Real milliseconds a run may take (the Lambda timeout, scaled), and what it keeps back: like
   * budgetFromContext, the run's deadline is timeout - margin, and a run must end within timeout.
   */
  timeoutMs: number;
  marginMs: number;
  /** The cap of deletions per run (MAX_DELETIONS_PER_RUN). */
  maxDeletionsPerRun: number;
  /** EC2's bucket rates are multiplied by this, so a backlog drains in real minutes. */
  speedup: number;
}

export interface CleanupOutcome {
  row: JobRow;
  runs: {
    durationMs: number;
    deleted: number;
    snapshotsDeleted: number;
    incomplete: boolean;
    failures: number;
  }[];
  /**
   * How the drain ended (bench/drain.ts): 'drained', or stopped undrained because `stallRuns` runs in
   * a row deleted nothing ('stalled') or after `maxRuns` runs ('out-of-runs').
   */
  drain: DrainState;
  /** The fewest runs the cap allows (deletable / maxDeletionsPerRun). */
  fewestRuns: number;
  maxRuns: number;
  stallRuns: number;
  timeoutMs: number;
  budgetMs: number;
  /**
   * Runs that went on past their deadline by more than the margin a Lambda keeps (20 s). What runs on
   * past the deadline is the calls in flight and the SDK's backoff between their attempts, which take
   * real time whatever the bucket speedup, so they are judged against the real margin, not a scaled one.
   */
  overBudget: number;
  /** The most any run went on past its deadline (ms). */
  longestOverrunMs: number;
  deletableLeft: number;
  /** Snapshots of deleted AMIs that are neither deleted nor marked pending: lost track of. */
  lostSnapshots: number;
  /** AMIs that had to be kept but are gone, or whose snapshots are gone. */
  wronglyDeleted: number;
  throttled: number;
}

export interface CleanupScenarioHooks {
  /** Called once the backlog is seeded, before the drain starts (e.g. to time the request log). */
  onSeeded?: (sandbox: Sandbox) => void;
  /** Stop after this many runs, drained or not (a short look at the first runs). */
  maxRuns?: number;
  /** Start the child with the heap limits Lambda gives a function of this many MB. */
  memoryMb?: number;
  /**
   * 'virtual' (the bench's default): the runs on a virtual clock at AWS's own rates, each run's
   * budget the size's scaled one times its speedup (bench/virtual-clock.ts), so the figures do not
   * depend on how loaded the machine is; 'real': the child in real time, with memory figures.
   */
  clock?: 'real' | 'virtual';
}

/** Drains a backlog of deletable AMIs over successive budgeted runs, then audits the account. */
export async function cleanupScenario(
  size: CleanupSize,
  model: ModelOptions,
  hooks: CleanupScenarioHooks = {},
): Promise<CleanupOutcome> {
  return withSandbox(async (sandbox) => {
    const now = new Date(BENCH_NOW);
    const account = seedCleanupBacklog(sandbox, size.deletable, size.snapshotsPerImage, now);
    hooks.onSeeded?.(sandbox);
    // No fixed number of runs: the drain goes on while runs make progress (bench/drain.ts).
    const limits = drainLimits(size.deletable, size.maxDeletionsPerRun);
    const maxRuns = hooks.maxRuns ?? limits.maxRuns;
    const virtual = hooks.clock !== 'real';
    // On the virtual clock the buckets run at AWS's rate, so the budget is the scaled one unscaled.
    const budgetMs = (size.timeoutMs - size.marginMs) * (virtual ? size.speedup : 1);
    const drain = {
      now: BENCH_NOW,
      budgetMs,
      maxDeletionsPerRun: size.maxDeletionsPerRun,
      maxRuns,
      stallRuns: limits.stallRuns,
    };
    let child: ChildResult;
    if (virtual) {
      child = await drainOnVirtualClock(sandbox, { ...drain, latencyMs: model.latencyMs, gapMs: 60_000 });
    } else {
      applyThrottleModel(sandbox, { speedup: size.speedup, latencyMs: model.latencyMs / size.speedup });
      child = await runInChild({ kind: 'cleanup-drain', ...drain }, sandbox.env(REGION, 'cleanup'), {
        memoryMb: hooks.memoryMb ?? CLEANUP_MEMORY_MB,
      });
    }
    const drainEnd = (child.extra?.drain ?? 'running') as DrainState;
    const region = sandbox.state.region(REGION);
    let deletableLeft = 0;
    let lostSnapshots = 0;
    for (const [id, snaps] of account.deletable) {
      if (region.getImage(id)) {
        deletableLeft++;
        continue;
      }
      for (const s of snaps) {
        const snap = region.getSnapshot(s);
        if (snap && snap.tags[TAG.pendingDeletion] !== id) lostSnapshots++;
      }
    }
    let wronglyDeleted = 0;
    for (const [id, snaps] of account.kept) {
      if (!region.getImage(id) || snaps.some((s) => !region.snapshotExists(s))) wronglyDeleted++;
    }
    // Lower bound for the whole drain: each run's reads over what was left, plus every deletion once.
    const keptCount = account.kept.size;
    const readsLaunchPermissions = sandbox.requests.count('ec2', 'DescribeImageAttribute') > 0;
    // Snapshots still marked when a run starts: those the run before left marked (deferred). Fewer
    // than there may be (a run cut short between mark and deregistration leaves more), so the bound
    // on the marked read stays a bound; the snapshots it gives are not looked up again.
    let marked = 0;
    const perRun = child.runs.map((r) => {
      const seen = r.summary.counts.imagesSeen ?? 0;
      const deleted = r.summary.counts.deleted ?? 0;
      const snapshotsMarked = marked;
      marked = r.summary.counts.snapshotsDeferred ?? 0;
      return cleanupLowerBound({
        ownedImages: seen,
        liveInstances: Math.ceil(keptCount / 2),
        templateVersions: 0,
        launchConfigurations: 0,
        groups: 0,
        foreignInUse: 0,
        snapshotsMarked,
        snapshotsLookedUp: Math.max(0, deleted * size.snapshotsPerImage - snapshotsMarked),
        deregistered: deleted,
        snapshotsDeleted: r.summary.counts.snapshotsDeleted ?? 0,
        readsLaunchPermissions,
      });
    });
    const bound = addBounds(...perRun);
    const r = row('cleanup', size.label, sandbox, child, bound, model, [
      virtual
        ? `virtual clock at EC2's own rates, ${budgetMs / 1000} s budget a run, ${model.latencyMs} ms a request (each request in flight adds its own), a minute between runs; no memory figures`
        : `EC2 bucket refill x${size.speedup} (bursts as EC2's) so the backlog drains in real seconds`,
    ]);
    const runs = child.runs.map((run) => ({
      durationMs: Math.round(run.durationMs),
      deleted: run.summary.counts.deleted ?? 0,
      snapshotsDeleted: run.summary.counts.snapshotsDeleted ?? 0,
      incomplete: run.summary.incomplete,
      failures: run.summary.failures.length,
    }));
    return {
      row: r,
      runs,
      drain: drainEnd,
      fewestRuns: limits.fewestRuns,
      maxRuns,
      stallRuns: limits.stallRuns,
      timeoutMs: size.timeoutMs,
      budgetMs,
      overBudget: runs.filter((x) => x.durationMs - budgetMs > DEFAULT_SAFETY_MARGIN_MS).length,
      longestOverrunMs: Math.max(0, ...runs.map((x) => x.durationMs - budgetMs)),
      deletableLeft,
      lostSnapshots,
      wronglyDeleted,
      throttled: r.throttled,
    };
  });
}

export interface ScaleOutcome {
  row: JobRow;
  groupsScaled: number;
  instancesStopped: number;
  /** Databases (RDS instances and Aurora clusters) stopped, of those seeded (absent in older results). */
  databasesStopped?: number;
  databases?: number;
  stopCalls: number;
  stopBatch: number;
}

/** Hundreds of groups and thousands of instances scaled down in one run. */
export async function scaleScenario(
  groups: number,
  instances: number,
  model: ModelOptions,
  databases = 0,
): Promise<ScaleOutcome> {
  return withSandbox(async (sandbox) => {
    const account = seedScaleAccount(sandbox, groups, instances, databases);
    // Auto Scaling writes are one per group: at EC2's mutating rate hundreds of groups take minutes,
    // so the buckets refill twenty times faster here; the simulated time replays them at their real rate.
    applyThrottleModel(sandbox, { speedup: SCALE_SPEEDUP, latencyMs: model.latencyMs / SCALE_SPEEDUP });
    const child = await runInChild(
      { kind: 'scale', now: BENCH_NOW, speedup: SCALE_SPEEDUP },
      sandbox.env(REGION, 'scale-to-zero'),
      {
        memoryMb: SCALE_MEMORY_MB,
      },
    );
    const region = sandbox.state.region(REGION);
    const groupsScaled = region.autoScalingGroups().filter((g) => g.desiredCapacity === 0).length;
    const instancesStopped = region.instances().filter((i) => i.state === 'stopped').length;
    const rds = rdsStore(region);
    const databasesStopped =
      [...rds.instances.values()].filter((d) => !d.clusterId && (d.settlesTo ?? d.status) === 'stopped')
        .length + [...rds.clusters.values()].filter((c) => (c.settlesTo ?? c.status) === 'stopped').length;
    const bound = scaleLowerBound({ ...account.shape, stopBatch: INSTANCE_BATCH });
    const size = `${groups}g/${instances}i${databases > 0 ? `/${databases}db` : ''}`;
    const r = row('scale-to-zero', size, sandbox, child, bound, model);
    return {
      row: r,
      groupsScaled,
      instancesStopped,
      databasesStopped,
      databases,
      stopCalls: r.requests['ec2:StopInstances'] ?? 0,
      stopBatch: INSTANCE_BATCH,
    };
  });
}
