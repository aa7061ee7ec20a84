/**
 * `npm run bench [-- --quick | --full] [--latency MS] [--no-bundles | --only SCENARIO[,SCENARIO]] [--pairs N] [--compare FILE]`
 *
 * `--real-clock` runs the cleanup drain in a child in real time (with memory figures) instead of on a
 * virtual clock at AWS's rates (bench/virtual-clock.ts), and the restore's runs in real time. `--only` runs just the named scenarios (SCENARIOS below: tagger, cleanup, scale, restore, recovery,
 * self-heal, retry, bundles, cleanup-staged), one at a time on a shared machine; `--only bundles` packages the
 * functions and measures their bundles alone (sizes, what is in them, load time against a bare
 * handler); `--pairs` sets how many bare/handler load pairs each bundle's start ratio is the median of.
 *
 * Runs the real jobs against the sandbox seeded with synthetic accounts, prints a table and the
 * targets as PASS/FAIL lines, writes bench/results/<mode>-<time>.json, and exits non-zero when a
 * target fails. Not part of `npm test`: it measures, it is not a timed unit test.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_LOAD_PAIRS, measureBundles } from './bundles';
import { recoveryScenario } from './recovery';
import { retryScenario } from './retry';
import { RESTORE_NOW, scaleRestoreScenario, type RestoreSize } from './scale-restore';
import { virtualClientsAt } from './virtual-clock';
import { VirtualClock } from '../sandbox/clock/virtual-clock';
import { selfHealScenario } from './self-heal';
import { stagedCheck, stagedCleanupScenario, type StagedSize } from './staged-cleanup';
import { checkTargets, renderComparison, renderResults, type BenchResults } from './report';
import {
  cleanupScenario,
  scaleScenario,
  taggerScenario,
  type CleanupSize,
  type TaggerSize,
} from './scenarios';
import { describeThrottleModel } from './throttle-model';

interface Plan {
  tagger: TaggerSize[];
  cleanup: CleanupSize[];
  scale: { groups: number; instances: number; databases?: number }[];
  /** Start-of-day restores past StartInstances' 1000-instance burst (bench/scale-restore.ts). */
  restore: RestoreSize[];
  retryAmis: number;
  /** Opted-in instances (AutoRecover=true, outside groups) for the recovery scenario (bench/recovery.ts). */
  recovery: number[];
  /** Groups of one tagged SelfHeal=true with an Elastic IP and a volume (bench/self-heal.ts). */
  selfHeal: number[];
  /** Opted-in unused AMIs retired in stages: deprecated, disabled, deregistered (bench/staged-cleanup.ts). */
  staged: StagedSize[];
}

/** The staged cleanup at a size: the cleanup drain's budget a run and cap, graces of 7 and 7 days. */
const staged = (label: string, amis: number, budgetMs: number, cap: number): StagedSize => ({
  label,
  amis,
  snapshotsPerImage: 2,
  budgetMs,
  maxDeletionsPerRun: cap,
  deprecateGraceDays: 7,
  disableGraceDays: 7,
});

const QUICK: Plan = {
  tagger: [{ label: '1k', images: 1_000, instances: 1_000, naive: true }],
  cleanup: [
    {
      label: '200 AMIs/400 snaps',
      deletable: 200,
      snapshotsPerImage: 2,
      timeoutMs: 2_500,
      marginMs: 500,
      maxDeletionsPerRun: 100,
      speedup: 20,
    },
  ],
  scale: [{ groups: 40, instances: 1_000, databases: 300 }],
  restore: [{ instances: 2_000, speedup: 50, maxRuns: 4 }],
  retryAmis: 6,
  recovery: [500],
  selfHeal: [100],
  staged: [staged('200 AMIs', 200, 40_000, 100)],
};

const DEFAULT: Plan = {
  tagger: [...QUICK.tagger, { label: '10k', images: 10_000, instances: 10_000, naive: true }],
  cleanup: [
    {
      label: '2k AMIs/4k snaps',
      deletable: 2_000,
      snapshotsPerImage: 2,
      timeoutMs: 4_000,
      marginMs: 1_000,
      maxDeletionsPerRun: 250,
      speedup: 20,
    },
  ],
  scale: [{ groups: 300, instances: 3_000, databases: 300 }],
  restore: [{ instances: 3_000, speedup: 20, maxRuns: 4 }],
  retryAmis: 20,
  recovery: [5_000],
  selfHeal: [1_000],
  staged: [staged('2k AMIs', 2_000, 60_000, 250)],
};

const FULL: Plan = {
  tagger: [...DEFAULT.tagger, { label: '100k', images: 100_000, instances: 100_000, naive: false }],
  cleanup: [
    ...DEFAULT.cleanup,
    {
      label: '10k AMIs/20k snaps',
      deletable: 10_000,
      snapshotsPerImage: 2,
      timeoutMs: 8_000,
      marginMs: 1_000,
      maxDeletionsPerRun: 500,
      speedup: 20,
    },
  ],
  scale: DEFAULT.scale,
  // At AWS's own rate too (about 4 real minutes a run): a speedup makes the SDK's real-time backoff
  // look long to the buckets, which hides how a throttled batch of 100 is retried (docs/performance.md).
  restore: [...DEFAULT.restore, { instances: 3_000, speedup: 1, maxRuns: 3 }],
  retryAmis: 20,
  recovery: DEFAULT.recovery,
  selfHeal: DEFAULT.selfHeal,
  staged: [...DEFAULT.staged, staged('10k AMIs', 10_000, 140_000, 500)],
};

/** What `--only` can name: each one part of the run. */
const SCENARIOS = [
  'tagger',
  'cleanup',
  'scale',
  'restore',
  'recovery',
  'self-heal',
  'retry',
  'bundles',
  'cleanup-staged',
] as const;
type Scenario = (typeof SCENARIOS)[number];

function parseOnly(value: string | undefined): Set<Scenario> | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`--only takes scenario names (${SCENARIOS.join(', ')}), comma-separated; got '${value}'`);
  }
  return new Set(names as Scenario[]);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      latency: { type: 'string', default: '20' },
      'no-bundles': { type: 'boolean', default: false },
      only: { type: 'string' },
      pairs: { type: 'string' },
      compare: { type: 'string' },
      'real-clock': { type: 'boolean', default: false },
    },
  });
  if (values.quick && values.full) throw new Error('--quick and --full exclude each other: pick one');
  const latencyMs = Number(values.latency);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new Error(`--latency must be milliseconds per request (a number >= 0), got '${values.latency}'`);
  }
  const only = parseOnly(values.only);
  const runs = (s: Scenario) => only === undefined || only.has(s);
  const onlyBundles = only !== undefined && only.size === 1 && only.has('bundles');
  if (only?.has('bundles') && values['no-bundles'])
    throw new Error('--only bundles and --no-bundles exclude each other');
  const pairs = values.pairs === undefined ? (values.quick ? 6 : DEFAULT_LOAD_PAIRS) : Number(values.pairs);
  if (!Number.isInteger(pairs) || pairs < 1) {
    throw new Error(`--pairs must be a whole number of bare/handler load pairs >= 1, got '${values.pairs}'`);
  }
  const size = values.quick ? 'quick' : values.full ? 'full' : 'default';
  const mode = onlyBundles ? 'bundles' : only ? `${size}-only-${[...only].join('+')}` : size;
  const plan = values.quick ? QUICK : values.full ? FULL : DEFAULT;
  const model = { latencyMs };
  const progress = (s: string) => process.stderr.write(`bench: ${s}\n`);

  const jobs = [];
  for (const size of runs('tagger') ? plan.tagger : []) {
    progress(`tagger ${size.label}${size.naive ? ' (and the naive variant)' : ''}`);
    jobs.push(...(await taggerScenario(size, model)));
  }
  const cleanup = [];
  for (const size of runs('cleanup') ? plan.cleanup : []) {
    progress(`cleanup backlog ${size.label}`);
    const outcome = await cleanupScenario(size, model, { clock: values['real-clock'] ? 'real' : 'virtual' });
    cleanup.push(outcome);
    jobs.push(outcome.row);
  }
  const scale = [];
  for (const s of runs('scale') ? plan.scale : []) {
    progress(`scale-to-zero ${s.groups} groups / ${s.instances} instances / ${s.databases ?? 0} databases`);
    const outcome = await scaleScenario(s.groups, s.instances, model, s.databases ?? 0);
    scale.push(outcome);
    jobs.push(outcome.row);
  }
  const restore = [];
  for (const r of runs('restore') ? plan.restore : []) {
    progress(`scale-to-zero restore of ${r.instances} instances (StartInstances resource bucket)`);
    // On a virtual clock (the buckets, the budget, the SDK's backoff and the run's waits) unless
    // --real-clock: a loaded machine's real-time first run could spend its budget on the inventory.
    const clock = values['real-clock'] ? undefined : new VirtualClock(Date.parse(RESTORE_NOW));
    const outcome = await scaleRestoreScenario(
      r,
      model,
      clock ? { clock, clientsFor: (s) => virtualClientsAt(s, clock, 'scale-to-zero') } : {},
    );
    restore.push(outcome);
    jobs.push(outcome.row);
  }
  const recovery = [];
  for (const n of runs('recovery') ? plan.recovery : []) {
    progress(`recovery ${n} opted-in instances (first run, steady run, 10% terminated)`);
    const outcome = await recoveryScenario(n, model);
    recovery.push(outcome);
    jobs.push(...outcome.rows);
  }
  const selfHeal = [];
  for (const n of runs('self-heal') ? plan.selfHeal : []) {
    progress(`self-heal ${n} groups of one (first run, steady run)`);
    const outcome = await selfHealScenario(n, model);
    selfHeal.push(outcome);
    jobs.push(...outcome.rows);
  }
  const stagedOutcomes = [];
  for (const s of runs('cleanup-staged') ? plan.staged : []) {
    progress(`staged cleanup ${s.label} (deprecate, disable, deregister; virtual clock)`);
    const outcome = await stagedCleanupScenario(s, model);
    stagedOutcomes.push(outcome);
    jobs.push(outcome.row);
  }
  if (runs('retry')) progress('adaptive vs standard retry');
  const retry = runs('retry') ? await retryScenario(plan.retryAmis) : [];
  let bundles;
  if (!values['no-bundles'] && runs('bundles')) {
    progress(`bundles (serverless package; ${pairs} bare/handler load pairs each)`);
    bundles = measureBundles(process.cwd(), pairs);
  }

  const partial: Omit<BenchResults, 'checks'> = {
    mode,
    startedAt: new Date().toISOString(),
    model: {
      latencyMs,
      buckets: describeThrottleModel(),
    },
    jobs,
    cleanup,
    scale,
    restore,
    recovery,
    selfHeal,
    staged: stagedOutcomes,
    retry,
    ...(bundles ? { bundles } : {}),
  };
  const results: BenchResults = {
    ...partial,
    checks: [...checkTargets(partial), ...stagedOutcomes.map(stagedCheck)],
  };
  console.log(renderResults(results));

  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${mode}-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\nResults written to ${file}`);
  if (values.compare) {
    const previous = JSON.parse(readFileSync(values.compare, 'utf8')) as BenchResults;
    console.log(`\n${renderComparison(results, previous)}`);
  }
  return results.checks.every((c) => c.pass) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
