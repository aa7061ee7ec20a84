/**
 * The child side of bench/child.ts: builds the job's dependencies the way the Lambda handlers do
 * (real SDK clients from AWS_ENDPOINT_URL, settings objects, a budget), runs the job, and reports
 * wall time and peak memory over IPC.
 */
import { DEFAULT_MAX_ATTEMPTS, destroyClients, type AwsClients } from '../shared/aws/clients';
import { deadlineBudget, unlimitedBudget } from '../shared/budget';
import { runCleanup } from '../shared/jobs/cleanup';
import { createCloudWatch, runRecovery } from '../shared/jobs/recovery';
import { runScale } from '../shared/jobs/scale';
import { instanceBucketsAt } from './throttle-model';
import { runSelfHeal } from '../shared/jobs/self-heal';
import { runTagger } from '../shared/jobs/tagger';
import { loadRecoverySettings } from '../shared/recovery/settings';
import { loadScaleSettings } from '../shared/schedule';
import { loadSelfHealSettings } from '../shared/self-heal/settings';
import type { ChildResult, ChildTask, RunReport } from './child';
import { REGION } from './account';
import { clientSetWith } from './clients';
import { drainRunOf, drainState, type DrainRun, type DrainState } from './drain';
import { runNaiveTagger } from './naive-tagger';
import { benchSettings } from './settings';

function clientsWith(retryMode: 'adaptive' | 'standard') {
  const cache = new Map<string, AwsClients>();
  return (region: string): AwsClients => {
    let c = cache.get(region);
    if (!c) {
      c = clientSetWith({ region, retryMode, maxAttempts: DEFAULT_MAX_ATTEMPTS });
      cache.set(region, c);
    }
    return c;
  };
}

const quiet = () => undefined;

async function run(task: ChildTask): Promise<Omit<ChildResult, 'peakRss' | 'peakHeapUsed' | 'baselineRss'>> {
  const now = new Date(task.now);
  const retryMode = 'retryMode' in task && task.retryMode ? task.retryMode : 'adaptive';
  const clientsFor = clientsWith(retryMode);
  const started = performance.now();
  const runs: RunReport[] = [];
  let extra: Record<string, number | string> | undefined;
  switch (task.kind) {
    case 'tagger': {
      const t0 = performance.now();
      const r = await runTagger({
        clientsFor,
        settings: benchSettings(),
        now,
        log: quiet,
        budget: unlimitedBudget(),
      });
      runs.push({ durationMs: performance.now() - t0, summary: r.summaries[0]! });
      break;
    }
    case 'naive-tagger': {
      const t0 = performance.now();
      const r = await runNaiveTagger(clientsFor(REGION), now);
      runs.push({ durationMs: performance.now() - t0, summary: r.summary });
      extra = { createTagsCalls: r.createTagsCalls };
      break;
    }
    case 'cleanup-drain':
    case 'apply-cleanup': {
      const drain = task.kind === 'cleanup-drain' ? task : undefined;
      const budgetMs = drain?.budgetMs ?? Number.POSITIVE_INFINITY;
      const limits = { maxRuns: drain?.maxRuns ?? 1, stallRuns: drain?.stallRuns ?? 1 };
      const drained: DrainRun[] = [];
      let state: DrainState = 'running';
      for (let i = 0; state === 'running'; i++) {
        const t0 = performance.now();
        const deadline = Date.now() + budgetMs;
        // A fresh Lambda per run: daily runs do not share a warm container, so neither the SDK's
        // adaptive rate (lowered by the last run's throttling) nor its sockets carry over.
        const runClients = i === 0 ? clientsFor : clientsWith(retryMode);
        const r = await runCleanup({
          clientsFor: runClients,
          settings: benchSettings(
            drain ? { maxDeletionsPerRun: drain.maxDeletionsPerRun } : { maxDeletionsPerRun: 1_000_000 },
          ),
          now: new Date(now.getTime() + i * 60_000),
          log: quiet,
          budget: Number.isFinite(budgetMs) ? deadlineBudget(deadline) : unlimitedBudget(),
        });
        const summary = r.summaries[0]!;
        runs.push({ durationMs: performance.now() - t0, summary });
        if (runClients !== clientsFor) destroyClients(runClients(REGION));
        drained.push(drainRunOf(summary));
        state = drainState(drained, limits);
      }
      extra = { drain: state };
      break;
    }
    case 'scale': {
      const t0 = performance.now();
      const env = { REGIONS: REGION, SCALE_DEFAULT_SCHEDULE: 'Mon-Fri 07:00-19:00 UTC' };
      const r = await runScale({
        clientsFor,
        settings: loadScaleSettings(env),
        now,
        log: quiet,
        budget: unlimitedBudget(),
        pacing: { instanceBuckets: instanceBucketsAt(task.speedup) },
      });
      runs.push({ durationMs: performance.now() - t0, summary: r.summaries[0]! });
      break;
    }
    case 'recovery': {
      const t0 = performance.now();
      const recoverySettings = loadRecoverySettings(process.env);
      const cloudWatch = createCloudWatch(REGION, { maxAttempts: recoverySettings.maxAttempts });
      const r = await runRecovery({
        clientsFor,
        cloudWatchFor: () => cloudWatch,
        settings: recoverySettings,
        now,
        log: quiet,
        budget: unlimitedBudget(),
      });
      cloudWatch.destroy();
      runs.push({ durationMs: performance.now() - t0, summary: r.summaries[0]! });
      break;
    }
    case 'self-heal': {
      const t0 = performance.now();
      const r = await runSelfHeal({
        clientsFor,
        settings: loadSelfHealSettings(process.env),
        now,
        log: quiet,
        budget: unlimitedBudget(),
        // A scheduled run never waits for a volume: one held elsewhere is reported, not awaited.
        sleep: async () => undefined,
      });
      runs.push({ durationMs: performance.now() - t0, summary: r.summaries[0]! });
      break;
    }
  }
  destroyClients(clientsFor(REGION));
  return { runs, wallMs: performance.now() - started, ...(extra ? { extra } : {}) };
}

process.once('message', (task: ChildTask) => {
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeapUsed = process.memoryUsage().heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  run(task)
    .then((r) => {
      sample();
      clearInterval(timer);
      process.send?.({ ok: true, result: { ...r, peakRss, peakHeapUsed, baselineRss } }, () =>
        process.exit(0),
      );
    })
    .catch((err: unknown) => {
      clearInterval(timer);
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.send?.({ ok: false, error }, () => process.exit(1));
    });
});
