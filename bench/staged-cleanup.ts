/**
 * Retirement in stages at scale (issue 14): a backlog of opted-in unused AMIs under deprecateGraceDays
 * and disableGraceDays, on the virtual clock at EC2's own rates (bench/virtual-clock.ts). Phase one's
 * runs deprecate (up to the cap a run, like deletions), then the clock moves past the first grace and
 * phase two's runs disable, then past the second and phase three's runs deregister. Each phase runs
 * until a run has nothing left to move, or stalls. Between phases the tagger's LastUsedRuntime is
 * brought up to date (as its hourly runs would), or cleanup would rightly refuse stale usage facts.
 */
import type { Sandbox } from '../sandbox/server';
import { destroyClients } from '../shared/aws/clients';
import { deadlineBudget } from '../shared/budget';
import { runCleanup } from '../shared/jobs/cleanup';
import { TAG } from '../shared/tags';
import { VirtualClock } from '../sandbox/clock/virtual-clock';
import { REGION, seedCleanupBacklog } from './account';
import { addBounds, stagedCleanupLowerBound } from './bounds';
import type { ChildResult, RunReport } from './child';
import { BENCH_NOW, row, withSandbox, type JobRow, type ModelOptions } from './scenarios';
import { benchSettings } from './settings';
import { applyThrottleModel } from './throttle-model';
import { pointRecycleBinAt, virtualClientsAt } from './virtual-clock';

const DAY = 24 * 3600_000;

export interface StagedSize {
  label: string;
  amis: number;
  snapshotsPerImage: number;
  /** Virtual milliseconds a run may take before its deadline (EC2's own rates). */
  budgetMs: number;
  maxDeletionsPerRun: number;
  deprecateGraceDays: number;
  disableGraceDays: number;
}

export type Phase = 'deprecate' | 'disable' | 'delete';
const PHASES: Phase[] = ['deprecate', 'disable', 'delete'];

export interface StagedOutcome {
  row: JobRow;
  /** Per run: its phase and what it moved. */
  runs: { phase: Phase; durationMs: number; moved: number; incomplete: boolean; failures: number }[];
  /** Opted-in unused AMIs still present at the end, and kept AMIs gone, disabled or deprecated. */
  left: number;
  wronglyTouched: number;
}

/** What a run of `phase` moved, by its summary's counts. */
function movedIn(phase: Phase, counts: Record<string, number | undefined>): number {
  if (phase === 'deprecate') return counts.deprecated ?? 0;
  if (phase === 'disable') return counts.disabled ?? 0;
  return counts.deleted ?? 0;
}

/** Every AMI retired through all three stages, no kept AMI touched, no failure. */
export function stagedCheck(o: StagedOutcome): { target: string; pass: boolean; detail: string } {
  const by = (p: Phase) => o.runs.filter((r) => r.phase === p);
  const moved = (p: Phase) => by(p).reduce((n, r) => n + r.moved, 0);
  return {
    target: `cleanup-staged ${o.row.size} every AMI deprecated, disabled, then deregistered; nothing else touched`,
    pass: o.left === 0 && o.wronglyTouched === 0 && o.row.failures === 0,
    detail:
      PHASES.map((p) => `${p}: ${moved(p)} in ${by(p).length} runs`).join(', ') +
      `; ${o.left} left, ${o.wronglyTouched} kept AMIs touched, ${o.row.failures} failures`,
  };
}

export async function stagedCleanupScenario(size: StagedSize, model: ModelOptions): Promise<StagedOutcome> {
  return withSandbox(async (sandbox) => {
    const clock = new VirtualClock(Date.parse(BENCH_NOW));
    const account = seedCleanupBacklog(sandbox, size.amis, size.snapshotsPerImage, new Date(clock.now()));
    sandbox.faults.useClock(clock.now);
    applyThrottleModel(sandbox, { speedup: 1 });
    sandbox.faults.setLatency(() => {
      clock.advance(model.latencyMs);
      return 0;
    });
    const restoreEndpoint = pointRecycleBinAt(sandbox);
    const reports: RunReport[] = [];
    const runs: StagedOutcome['runs'] = [];
    const fewest = Math.ceil(size.amis / size.maxDeletionsPerRun);
    for (const phase of PHASES) {
      if (phase !== 'deprecate') {
        clock.advance((phase === 'disable' ? size.deprecateGraceDays : size.disableGraceDays) * DAY);
        refreshRuntimeTags(sandbox, new Date(clock.now() - 5 * 60_000));
      }
      let stalled = 0;
      for (let i = 0; i < 2 * fewest + 5 && stalled < 2; i++) {
        const report = await oneRun(sandbox, clock, size);
        reports.push(report);
        const moved = movedIn(phase, report.summary.counts);
        runs.push({
          phase,
          durationMs: report.durationMs,
          moved,
          incomplete: report.summary.incomplete,
          failures: report.summary.failures.length,
        });
        // A phase is over when a complete run has nothing left to move in it.
        if (moved === 0) stalled++;
        if (moved === 0 && !report.summary.incomplete) break;
        clock.advance(60_000);
      }
    }
    restoreEndpoint();
    const region = sandbox.state.region(REGION);
    const left = [...account.deletable.keys()].filter((id) => region.getImage(id)).length;
    const wronglyTouched = [...account.kept].filter(([id, snaps]) => {
      const image = region.getImage(id);
      return (
        !image ||
        image.state === 'disabled' ||
        image.deprecationTime !== undefined ||
        snaps.some((s) => !region.snapshotExists(s))
      );
    }).length;
    const bound = addBounds(
      ...boundsPerRun(
        reports,
        sandbox.requests.count('ec2', 'DescribeImageAttribute') > 0,
        account.kept.size,
        size,
      ),
    );
    const child: ChildResult = {
      runs: reports,
      wallMs: reports.reduce((n, r) => n + r.durationMs, 0),
      peakRss: 0,
      peakHeapUsed: 0,
      baselineRss: 0,
    };
    const r = row('cleanup-staged', size.label, sandbox, child, bound, model, [
      `virtual clock at EC2's own rates, ${size.budgetMs / 1000} s budget a run, graces ${size.deprecateGraceDays}+${size.disableGraceDays} days; no memory figures`,
    ]);
    return { row: r, runs, left, wronglyTouched };
  });
}

/** The tagger's hourly runs keep LastUsedRuntime fresh on every AMI; the bench does it between phases. */
function refreshRuntimeTags(sandbox: Sandbox, at: Date): void {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const image of sandbox.state.region(REGION).images()) {
    if (image.tags[TAG.lastUsedRuntime] !== undefined) image.tags[TAG.lastUsedRuntime] = stamp;
  }
}

async function oneRun(sandbox: Sandbox, clock: VirtualClock, size: StagedSize): Promise<RunReport> {
  const clients = virtualClientsAt(sandbox, clock, 'cleanup');
  const started = clock.now();
  try {
    const r = await runCleanup({
      clientsFor: () => clients,
      settings: benchSettings({
        maxDeletionsPerRun: size.maxDeletionsPerRun,
        deprecateGraceDays: size.deprecateGraceDays,
        disableGraceDays: size.disableGraceDays,
      }),
      now: new Date(started),
      log: () => undefined,
      budget: deadlineBudget(started + size.budgetMs, clock.now),
      clock: clock.now,
    });
    return { durationMs: clock.now() - started, summary: r.summaries[0]! };
  } finally {
    destroyClients(clients);
  }
}

/** Each run's lower bound over what it saw and moved (bench/bounds.ts stagedCleanupLowerBound). */
function boundsPerRun(
  reports: RunReport[],
  readsLaunchPermissions: boolean,
  kept: number,
  size: StagedSize,
): ReturnType<typeof stagedCleanupLowerBound>[] {
  let marked = 0;
  return reports.map((rep) => {
    const c = rep.summary.counts;
    const deleted = c.deleted ?? 0;
    const moved = (c.deprecated ?? 0) + (c.disabled ?? 0);
    const snapshotsMarked = marked;
    marked = c.snapshotsDeferred ?? 0;
    return stagedCleanupLowerBound({
      ownedImages: c.imagesSeen ?? 0,
      liveInstances: Math.ceil(kept / 2),
      templateVersions: 0,
      launchConfigurations: 0,
      groups: 0,
      foreignInUse: 0,
      snapshotsMarked,
      snapshotsLookedUp: Math.max(0, (deleted + moved) * size.snapshotsPerImage - snapshotsMarked),
      deregistered: deleted,
      snapshotsDeleted: c.snapshotsDeleted ?? 0,
      readsLaunchPermissions,
      deprecated: c.deprecated ?? 0,
      disabled: c.disabled ?? 0,
    });
  });
}
