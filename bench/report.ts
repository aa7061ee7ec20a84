/** Printing the benchmark's results, checking its targets, and comparing with an earlier run. */
import { DEFAULT_SAFETY_MARGIN_MS } from '../shared/budget';
import type { BundleFigures } from './bundles';
import type { RecoveryOutcome } from './recovery';
import type { RestoreOutcome } from './scale-restore';
import type { SelfHealOutcome } from './self-heal';
import type { StagedOutcome } from './staged-cleanup';
import {
  TAGGER_TARGET_MB,
  type CleanupOutcome,
  type JobRow,
  type RetryComparison,
  type ScaleOutcome,
} from './scenarios';

export interface Check {
  target: string;
  pass: boolean;
  detail: string;
}

export interface BenchResults {
  mode: string;
  startedAt: string;
  model: { latencyMs: number; buckets: string };
  jobs: JobRow[];
  cleanup: CleanupOutcome[];
  scale: ScaleOutcome[];
  /** Absent in results written before the restore scenario existed. */
  restore?: RestoreOutcome[];
  /** Absent in results written before the recovery scenario existed. */
  recovery?: RecoveryOutcome[];
  /** Absent in results written before the self-heal scenario existed. */
  selfHeal?: SelfHealOutcome[];
  /** Retirement in stages (bench/staged-cleanup.ts); absent in older results. */
  staged?: StagedOutcome[];
  retry: RetryComparison[];
  bundles?: { bundles: BundleFigures[]; minimalMs: number };
  checks: Check[];
}

const fmtMs = (ms: number) =>
  ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
const kb = (b: number) => `${Math.round(b / 1024)} KB`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The start ratio as printed: `1.31x (1.25-1.38, 15 pairs, node v22.23.5)`; results older than the
 * pairs show the ratio only, those older than the node field leave it out.
 */
function startRatio(b: BundleFigures): string {
  const node = b.node ? `, node ${b.node}` : '';
  const range = b.loadRatioRange
    ? ` (${b.loadRatioRange[0]}-${b.loadRatioRange[1]}, ${b.loadPairs} pairs${node})`
    : '';
  return `${b.loadRatio}x${range}`;
}

/**
 * The zip's files: each by name when there are a few; for a bundle split into chunks, their count and
 * total, and what the runtime compiles at init.
 */
function filesLine(b: BundleFigures): string {
  const entries = Object.entries(b.files);
  if (entries.length <= 3) {
    return entries
      .map(([f, x]) => `${f.split('/').pop()} ${kb(x.bytes)} (${kb(x.zipped)} zipped)`)
      .join(', ');
  }
  const bytes = entries.reduce((n, [, x]) => n + x.bytes, 0);
  const init = b.initBytes === undefined ? '' : `; compiled at init ${kb(b.initBytes)}`;
  return `${entries.length} files ${kb(bytes)}${init}`;
}

/** A handler may take at most this many times a bare handler's load (issue 17). */
export const START_RATIO_TARGET = 1.5;

export function renderResults(r: BenchResults): string {
  const out: string[] = [];
  out.push(
    `ec2-hygiene bench (${r.mode}), ${r.startedAt}; throttle model: ${r.model.buckets}; ${r.model.latencyMs} ms per request`,
  );
  out.push('');
  out.push(
    table(
      [
        'job',
        'size',
        'requests',
        'lower bound',
        'ratio',
        'throttled',
        'failures',
        'simulated',
        'real',
        'peak RSS',
        'peak heap',
      ],
      r.jobs.map((j) => [
        j.job,
        j.size,
        String(j.total),
        String(j.boundTotal),
        j.ratio.toFixed(2),
        String(j.throttled),
        String(j.failures),
        fmtMs(j.simulatedMs),
        fmtMs(j.realMs),
        // 0: not measured (a scenario that runs in the bench process, e.g. scale-restore).
        j.peakRssMb > 0 ? `${j.peakRssMb} MB` : '-',
        j.peakHeapMb > 0 ? `${j.peakHeapMb} MB` : '-',
      ]),
    ),
  );
  out.push('');
  out.push('Requests per action (made / lower bound):');
  for (const j of r.jobs) {
    const actions = [...new Set([...Object.keys(j.requests), ...Object.keys(j.bound)])].sort();
    const parts = actions.map((a) => `${a} ${j.requests[a] ?? 0}/${j.bound[a] ?? 0}`);
    out.push(`  ${j.job} ${j.size}: ${parts.join(', ')}`);
    for (const n of j.notes) out.push(`    note: ${n}`);
  }
  const naive = r.jobs.filter((j) => j.job === 'naive-tagger');
  for (const n of naive) {
    const real = r.jobs.find((j) => j.job === 'tagger' && j.size === n.size);
    if (!real) continue;
    out.push(
      `  naive/real tagger at ${n.size}: ${(n.total / real.total).toFixed(1)}x requests, ${(n.simulatedMs / Math.max(1, real.simulatedMs)).toFixed(1)}x simulated time`,
    );
  }
  for (const c of r.cleanup) {
    out.push('');
    out.push(
      `Cleanup backlog ${c.row.size}: ${c.runs.length} runs (${c.drain}), deadline ${fmtMs(c.budgetMs)} each (real), at most ${fmtMs(c.longestOverrunMs)} past it; ` +
        `${c.deletableLeft} deletable AMIs left, ${c.lostSnapshots} snapshots lost track of, ${c.wronglyDeleted} kept AMIs harmed; ` +
        `${c.throttled} throttling errors absorbed, ${c.row.failures} failures`,
    );
    out.push(
      `  per run (ms / deleted AMIs / snapshots): ${c.runs.map((x) => `${x.durationMs}/${x.deleted}/${x.snapshotsDeleted}${x.incomplete ? '*' : ''}`).join('  ')}  (* = stopped by its budget)`,
    );
  }
  for (const s of r.scale) {
    out.push('');
    out.push(
      `Scale-to-zero ${s.row.size}: ${s.groupsScaled} groups at 0, ${s.instancesStopped} instances stopped with ${s.stopCalls} StopInstances calls (batches of ${s.stopBatch})`,
    );
  }
  for (const x of r.restore ?? []) {
    out.push('');
    out.push(
      `Scale-to-zero restore ${x.row.size} (start of day, StartInstances 1000 at once then 2/s): ${x.runs.length} runs, budget ${fmtMs(x.budgetMs)} each (real; limit budget + 20 s margin), ${x.overTimeout} past the limit, at most ${fmtMs(x.maxPastBudgetMs)} past the budget; ` +
        `${x.leftStopped} still stopped, ${x.lostTrack} lost track of, ${x.staleMarkers} stale markers; ${x.row.throttled} throttling errors absorbed, ${x.row.failures} failures ` +
        `(at AWS's rate a 300 s run can start ~${x.idealPerRun}: ${x.idealRuns} runs)`,
    );
    out.push(
      `  per run (ms / started / StartInstances calls, throttled / throttle failures): ${x.runs.map((run) => `${run.durationMs}/${run.started}/${run.startCalls},${run.startThrottled}/${run.throttleFailures}${run.incomplete ? '*' : ''}`).join('  ')}  (* = stopped by its budget)`,
    );
  }
  for (const x of r.recovery ?? []) {
    out.push('');
    out.push(
      `Recovery ${x.instances} opted-in instances (runs: first, steady, after ${x.terminated} terminated): ` +
        `alarms written ${x.written.join('/')}, deleted ${x.deleted.join('/')}, fleet alarms after each ${x.alarmsAfter.join('/')}`,
    );
  }
  for (const x of r.selfHeal ?? []) {
    out.push('');
    out.push(
      `Self-heal ${x.groups} groups of one (runs: first, steady): hooks written ${x.hooksWritten.join('/')}, ` +
        `Elastic IPs associated ${x.associated.join('/')}, volumes attached ${x.attached.join('/')}, ` +
        `groups healed after each ${x.healedAfter.join('/')}`,
    );
  }
  if (r.retry.length > 0) {
    out.push('');
    out.push('Retry mode under tight buckets (cleanup apply, 4 in flight):');
    for (const x of r.retry) {
      out.push(
        `  ${x.mode.padEnd(8)} ${fmtMs(x.realMs).padStart(8)}  ${String(x.throttled).padStart(4)} throttled  ${x.failures} failures  ${x.deleted} AMIs deleted`,
      );
    }
  }
  if (r.bundles) {
    out.push('');
    out.push(
      `Bundles (serverless package; load = a fresh node importing the handler, median; a bare esbuild handler ${r.bundles.minimalMs} ms; ` +
        'start ratio = median of handler/bare over back-to-back pairs, middle half in brackets):',
    );
    for (const b of r.bundles.bundles) {
      out.push(
        `  ${b.name.padEnd(14)} zip ${kb(b.zipBytes).padStart(8)}  load ${b.loadMs} ms, start ratio ${startRatio(b)}  [${filesLine(b)}]`,
      );
      const top = b.packages.slice(0, 5).map(([name, bytes]) => `${name} ${kb(bytes)}`);
      out.push(`  ${''.padEnd(14)} largest parts (minified): ${top.join(', ')}`);
    }
  }
  out.push('');
  for (const c of r.checks) out.push(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target}: ${c.detail}`);
  return out.join('\n');
}

/** Every job's requests against its lower bound (issue 17): at most this many times it. */
export const FLOOR_RATIO_TARGET = 1.1;

/** Rows that are not a job of the fleet: the naive tagger is the comparison, not a target. */
const NOT_A_JOB = new Set(['naive-tagger']);

/**
 * Actions a row's job made (answered, throttled answers apart) that its bound does not name. A call
 * the bound leaves out would be counted against nothing, so it fails the row rather than hiding.
 */
export function unboundedActions(j: Pick<JobRow, 'requests' | 'bound'>): string[] {
  return Object.keys(j.requests)
    .filter((a) => (j.requests[a] ?? 0) > 0 && !(a in j.bound))
    .sort();
}

/** One check per job row: requests <= 1.1x its bound, every action it made in the bound, no failures. */
export function floorCheck(j: JobRow): Check {
  const missing = unboundedActions(j);
  return {
    target: `${j.job} ${j.size} requests <= ${FLOOR_RATIO_TARGET} x lower bound`,
    pass: j.ratio <= FLOOR_RATIO_TARGET && missing.length === 0 && j.failures === 0,
    detail:
      `${j.total} / ${j.boundTotal} = ${j.ratio.toFixed(2)}, ${j.failures} failures` +
      (missing.length > 0
        ? `; made but not in the bound: ${missing.map((a) => `${a} x${j.requests[a]}`).join(', ')}`
        : ''),
  };
}

export function checkTargets(r: Omit<BenchResults, 'checks'>): Check[] {
  const checks: Check[] = r.jobs.filter((j) => !NOT_A_JOB.has(j.job)).map(floorCheck);
  for (const j of r.jobs.filter((x) => x.job === 'tagger')) {
    checks.push({
      target: `tagger ${j.size} within ${TAGGER_TARGET_MB} MB`,
      pass: j.peakRssMb <= TAGGER_TARGET_MB,
      detail: `peak RSS ${j.peakRssMb} MB (heap ${j.peakHeapMb} MB), started with Lambda's heap limits for ${TAGGER_TARGET_MB} MB`,
    });
    checks.push({
      target: `tagger ${j.size} well inside its 20-minute schedule`,
      pass: j.simulatedMs <= 10 * 60_000,
      detail: `${fmtMs(j.simulatedMs)} simulated (<= 10 min)`,
    });
  }
  for (const c of r.cleanup) {
    checks.push({
      target: `cleanup backlog ${c.row.size} drained safely, runs making progress until drained`,
      pass:
        c.drain === 'drained' &&
        c.deletableLeft === 0 &&
        c.lostSnapshots === 0 &&
        c.wronglyDeleted === 0 &&
        c.row.failures === 0,
      detail:
        `${c.drain} after ${c.runs.length} runs (no fixed count: undrained if ${c.stallRuns} runs in a row delete nothing or after ${c.maxRuns}; the cap allows ${c.fewestRuns} at best), ` +
        `${c.deletableLeft} left, ${c.lostSnapshots} snapshots lost, ${c.wronglyDeleted} kept AMIs harmed, ${c.row.failures} failures (${c.throttled} throttles absorbed)`,
    });
    const longest = Math.max(...c.runs.map((x) => x.durationMs));
    checks.push({
      target: `cleanup backlog ${c.row.size} no run past its time limit`,
      pass: c.overBudget === 0,
      detail:
        `longest run ${fmtMs(longest)} against a ${fmtMs(c.budgetMs)} deadline: at most ${fmtMs(c.longestOverrunMs)} past it ` +
        `(calls in flight and the SDK's backoff, in real time; a Lambda keeps ${fmtMs(DEFAULT_SAFETY_MARGIN_MS)} for them)`,
    });
  }
  for (const s of r.scale) {
    const expectedStops = Math.ceil(s.instancesStopped / s.stopBatch);
    checks.push({
      target: `scale-to-zero ${s.row.size} in one run, batched`,
      pass: s.row.failures === 0 && s.stopCalls <= expectedStops && s.instancesStopped > 0,
      detail: `${s.groupsScaled} groups, ${s.instancesStopped} instances, ${s.stopCalls} StopInstances calls (<= ${expectedStops}), ${s.row.failures} failures`,
    });
    if (s.databases) {
      checks.push({
        target: `scale-to-zero ${s.row.size} requests <= 1.1 x lower bound, every database stopped`,
        pass: s.row.ratio <= 1.1 && s.row.failures === 0 && s.databasesStopped === s.databases,
        detail: `${s.row.total} / ${s.row.boundTotal} = ${s.row.ratio.toFixed(2)} (every database call counted), ${s.databasesStopped} of ${s.databases} databases stopped, ${s.row.failures} failures`,
      });
    }
  }
  for (const x of r.restore ?? []) {
    checks.push({
      target: `scale-to-zero restore ${x.row.size} finished over runs, throttling absorbed`,
      // The first run gets at least as far as StartInstances' 1000-instance burst allows.
      pass:
        x.leftStopped === 0 &&
        x.lostTrack === 0 &&
        x.staleMarkers === 0 &&
        x.row.failures === 0 &&
        x.overTimeout === 0 &&
        (x.runs[0]?.started ?? 0) >=
          Math.min(
            1000,
            x.runs.reduce((n, run) => n + run.started, 0),
          ),
      detail: `first run started ${x.runs[0]?.started ?? 0}, ${x.runs.length} runs (${x.idealRuns} at AWS's rate), ${x.leftStopped} left stopped, ${x.lostTrack} lost track of, ${x.row.failures} failures, ${x.overTimeout} runs past budget + margin (at most ${fmtMs(x.maxPastBudgetMs)} past the budget), ${x.row.throttled} throttles absorbed`,
    });
  }
  for (const x of r.recovery ?? []) checks.push(recoveryCheck(x));
  for (const x of r.selfHeal ?? []) checks.push(selfHealCheck(x));
  const adaptive = r.retry.find((x) => x.mode === 'adaptive');
  if (adaptive) {
    checks.push({
      target: 'adaptive retry absorbs throttling',
      pass: adaptive.failures === 0,
      detail: r.retry
        .map((x) => `${x.mode}: ${x.failures} failures, ${x.throttled} throttled, ${fmtMs(x.realMs)}`)
        .join('; '),
    });
  }
  if (r.bundles) {
    // The local account's policy engine is AGPL: it must never reach a function's bundle.
    const localOnly = r.bundles.bundles.filter((b) =>
      b.packages.some(([name]) => name.startsWith('@cloud-copilot/')),
    );
    checks.push({
      target: 'no bundle contains the local account (iam-simulate, AGPL)',
      pass: localOnly.length === 0,
      detail:
        localOnly.length === 0
          ? `${r.bundles.bundles.length} bundles, none with @cloud-copilot/*`
          : `in ${localOnly.map((b) => b.name).join(', ')}`,
    });
    const slow = r.bundles.bundles.filter((b) => !(b.loadRatio <= START_RATIO_TARGET));
    checks.push({
      target: `every bundle loads in <= ${START_RATIO_TARGET} x a bare handler's time`,
      pass: slow.length === 0,
      detail: r.bundles.bundles.map((b) => `${b.name} ${startRatio(b)}`).join(', '),
    });
    const largest = r.bundles.bundles.reduce((a, b) => (b.zipBytes > a.zipBytes ? b : a));
    checks.push({
      target: 'largest bundle under 1 MB zipped',
      pass: largest.zipBytes <= 1024 * 1024,
      detail: `${largest.name} ${kb(largest.zipBytes)}, of which source maps ${kb(
        Object.entries(largest.files)
          .filter(([f]) => f.endsWith('.map'))
          .reduce((n, [, x]) => n + x.zipped, 0),
      )}`,
    });
  }
  return checks;
}

/**
 * Recovery's target (issue 15): every run within 1.1x of its lower bound, no failures, and the runs
 * did what they must: two alarms per instance, a steady run writing nothing, the terminated
 * instances' alarms gone and no other.
 */
export function recoveryCheck(x: RecoveryOutcome): Check {
  const made = x.rows.reduce((n, j) => n + j.total, 0);
  const floor = x.rows.reduce((n, j) => n + j.boundTotal, 0);
  const worst = Math.max(...x.rows.map((j) => j.ratio));
  const failures = x.rows.reduce((n, j) => n + j.failures, 0);
  const expected = { written: [2 * x.instances, 0, 0], deleted: [0, 0, 2 * x.terminated] };
  const after = [2 * x.instances, 2 * x.instances, 2 * (x.instances - x.terminated)];
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  const didRight =
    same(x.written, expected.written) && same(x.deleted, expected.deleted) && same(x.alarmsAfter, after);
  return {
    target: `recovery ${x.instances} requests <= 1.1 x lower bound`,
    pass: worst <= 1.1 && failures === 0 && didRight,
    detail:
      `${made} / ${floor} over 3 runs (worst run ${worst.toFixed(2)}), ${failures} failures; ` +
      `written ${x.written.join('/')} (expected ${expected.written.join('/')}), deleted ${x.deleted.join('/')} ` +
      `(expected ${expected.deleted.join('/')}), alarms after ${x.alarmsAfter.join('/')} (expected ${after.join('/')})`,
  };
}

/**
 * Self-heal's target (issue 15): both scheduled runs within 1.1x of their lower bound, no failures,
 * the first run wrote every group's hook, Elastic IP and volume, and the steady run wrote nothing.
 */
export function selfHealCheck(x: SelfHealOutcome): Check {
  const made = x.rows.reduce((n, j) => n + j.total, 0);
  const floor = x.rows.reduce((n, j) => n + j.boundTotal, 0);
  const worst = Math.max(...x.rows.map((j) => j.ratio));
  const failures = x.rows.reduce((n, j) => n + j.failures, 0);
  const expected = [x.groups, 0];
  const healed = [x.groups, x.groups];
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  const didRight =
    same(x.hooksWritten, expected) &&
    same(x.associated, expected) &&
    same(x.attached, expected) &&
    same(x.healedAfter, healed);
  return {
    target: `self-heal ${x.groups} requests <= 1.1 x lower bound`,
    pass: x.rows.length === 2 && worst <= 1.1 && failures === 0 && didRight,
    detail:
      `${made} / ${floor} over ${x.rows.length} runs (worst run ${worst.toFixed(2)}), ${failures} failures; ` +
      `hooks written ${x.hooksWritten.join('/')}, associated ${x.associated.join('/')}, attached ${x.attached.join('/')} ` +
      `(each expected ${expected.join('/')}), groups healed after ${x.healedAfter.join('/')} (expected ${healed.join('/')})`,
  };
}

/** Deltas against an earlier results file, per job and size. */
export function renderComparison(current: BenchResults, previous: BenchResults): string {
  const out = [`Compared with ${previous.mode} run of ${previous.startedAt}:`];
  const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
  for (const j of current.jobs) {
    const p = previous.jobs.find((x) => x.job === j.job && x.size === j.size);
    if (!p) {
      out.push(`  ${j.job} ${j.size}: new`);
      continue;
    }
    out.push(
      `  ${j.job} ${j.size}: requests ${sign(j.total - p.total)}, throttled ${sign(j.throttled - p.throttled)}, ` +
        `simulated ${sign(Math.round((j.simulatedMs - p.simulatedMs) / 100) / 10)} s, peak RSS ${sign(Math.round((j.peakRssMb - p.peakRssMb) * 10) / 10)} MB`,
    );
  }
  for (const c of current.checks) {
    const p = previous.checks.find((x) => x.target === c.target);
    if (p && p.pass !== c.pass)
      out.push(`  ${c.target}: was ${p.pass ? 'PASS' : 'FAIL'}, now ${c.pass ? 'PASS' : 'FAIL'}`);
  }
  return out.join('\n');
}
