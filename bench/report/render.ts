/** Printing the benchmark's results, and comparing them with an earlier run. */
import type { JobRow } from '../scenarios';
import { checkLine, filesLine, fmtMs, kb, startRatio, table } from './format';
import type { BenchResults } from './results';

/** The table of every job row: requests against the lower bound, throttling, time and memory. */
function jobsTable(jobs: JobRow[]): string {
  return table(
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
    jobs.map((j) => [
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
  );
}

/** Each row's requests per action against its bound, its notes, and the naive tagger against the real one. */
function requestLines(jobs: JobRow[]): string[] {
  const out = ['Requests per action (made / lower bound):'];
  for (const j of jobs) {
    const actions = [...new Set([...Object.keys(j.requests), ...Object.keys(j.bound)])].sort();
    const parts = actions.map((a) => `${a} ${j.requests[a] ?? 0}/${j.bound[a] ?? 0}`);
    out.push(`  ${j.job} ${j.size}: ${parts.join(', ')}`);
    for (const n of j.notes) out.push(`    note: ${n}`);
  }
  for (const n of jobs.filter((j) => j.job === 'naive-tagger')) {
    const real = jobs.find((j) => j.job === 'tagger' && j.size === n.size);
    if (!real) continue;
    out.push(
      `  naive/real tagger at ${n.size}: ${(n.total / real.total).toFixed(1)}x requests, ${(n.simulatedMs / Math.max(1, real.simulatedMs)).toFixed(1)}x simulated time`,
    );
  }
  return out;
}

/** The cleanup drains, the scale-to-zero nights and the restores: what each run got done. */
function cleanupAndScaleParagraphs(r: BenchResults): string[][] {
  const cleanup = r.cleanup.map((c) => [
    `Cleanup backlog ${c.row.size}: ${c.runs.length} runs (${c.drain}), deadline ${fmtMs(c.budgetMs)} each (real), at most ${fmtMs(c.longestOverrunMs)} past it; ` +
      `${c.deletableLeft} deletable AMIs left, ${c.lostSnapshots} snapshots lost track of, ${c.wronglyDeleted} kept AMIs harmed; ` +
      `${c.throttled} throttling errors absorbed, ${c.row.failures} failures`,
    `  per run (ms / deleted AMIs / snapshots): ${c.runs.map((x) => `${x.durationMs}/${x.deleted}/${x.snapshotsDeleted}${x.incomplete ? '*' : ''}`).join('  ')}  (* = stopped by its budget)`,
  ]);
  const scale = r.scale.map((s) => [
    `Scale-to-zero ${s.row.size}: ${s.groupsScaled} groups at 0, ${s.instancesStopped} instances stopped with ${s.stopCalls} StopInstances calls (batches of ${s.stopBatch})`,
  ]);
  const restore = (r.restore ?? []).map((x) => [
    `Scale-to-zero restore ${x.row.size} (start of day, StartInstances 1000 at once then 2/s): ${x.runs.length} runs, budget ${fmtMs(x.budgetMs)} each (real; limit budget + 20 s margin), ${x.overTimeout} past the limit, at most ${fmtMs(x.maxPastBudgetMs)} past the budget; ` +
      `${x.leftStopped} still stopped, ${x.lostTrack} lost track of, ${x.staleMarkers} stale markers; ${x.row.throttled} throttling errors absorbed, ${x.row.failures} failures ` +
      `(at AWS's rate a 300 s run can start ~${x.idealPerRun}: ${x.idealRuns} runs)`,
    `  per run (ms / started / StartInstances calls, throttled / throttle failures): ${x.runs.map((run) => `${run.durationMs}/${run.started}/${run.startCalls},${run.startThrottled}/${run.throttleFailures}${run.incomplete ? '*' : ''}`).join('  ')}  (* = stopped by its budget)`,
  ]);
  return [...cleanup, ...scale, ...restore];
}

/** Recovery's and self-heal's runs: what each wrote, and the fleet after it. */
function fleetParagraphs(r: BenchResults): string[][] {
  const recovery = (r.recovery ?? []).map((x) => [
    `Recovery ${x.instances} opted-in instances (runs: first, steady, after ${x.terminated} terminated): ` +
      `alarms written ${x.written.join('/')}, deleted ${x.deleted.join('/')}, fleet alarms after each ${x.alarmsAfter.join('/')}`,
  ]);
  const selfHeal = (r.selfHeal ?? []).map((x) => [
    `Self-heal ${x.groups} groups of one (runs: first, steady): hooks written ${x.hooksWritten.join('/')}, ` +
      `Elastic IPs associated ${x.associated.join('/')}, volumes attached ${x.attached.join('/')}, ` +
      `groups healed after each ${x.healedAfter.join('/')}`,
  ]);
  return [...recovery, ...selfHeal];
}

/** Adaptive against standard retry, and each bundle's size, load time and largest parts. */
function retryAndBundleParagraphs(r: BenchResults): string[][] {
  const out: string[][] = [];
  if (r.retry.length > 0) {
    out.push([
      'Retry mode under tight buckets (cleanup apply, 4 in flight):',
      ...r.retry.map(
        (x) =>
          `  ${x.mode.padEnd(8)} ${fmtMs(x.realMs).padStart(8)}  ${String(x.throttled).padStart(4)} throttled  ${x.failures} failures  ${x.deleted} AMIs deleted`,
      ),
    ]);
  }
  if (r.bundles) {
    const lines = [
      `Bundles (serverless package; load = a fresh node importing the handler, median; a bare esbuild handler ${r.bundles.minimalMs} ms; ` +
        'start ratio = median of handler/bare over back-to-back pairs, middle half in brackets):',
    ];
    for (const b of r.bundles.bundles) {
      lines.push(
        `  ${b.name.padEnd(14)} zip ${kb(b.zipBytes).padStart(8)}  load ${b.loadMs} ms, start ratio ${startRatio(b)}  [${filesLine(b)}]`,
      );
      const top = b.packages.slice(0, 5).map(([name, bytes]) => `${name} ${kb(bytes)}`);
      lines.push(`  ${''.padEnd(14)} largest parts (minified): ${top.join(', ')}`);
    }
    out.push(lines);
  }
  return out;
}

export function renderResults(r: BenchResults): string {
  const out: string[] = [
    `ec2-hygiene bench (${r.mode}), ${r.startedAt}; throttle model: ${r.model.buckets}; ${r.model.latencyMs} ms per request`,
    '',
    jobsTable(r.jobs),
    '',
    ...requestLines(r.jobs),
  ];
  for (const paragraph of [
    ...cleanupAndScaleParagraphs(r),
    ...fleetParagraphs(r),
    ...retryAndBundleParagraphs(r),
  ]) {
    out.push('', ...paragraph);
  }
  out.push('');
  for (const c of r.checks) out.push(checkLine(c));
  return out.join('\n');
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
