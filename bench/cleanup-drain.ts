/**
 * `npx tsx bench/cleanup-drain.ts [--deletable N] [--timeout MS] [--margin MS] [--cap N] [--speedup X]
 *   [--latency MS] [--max-runs N] [--lambda-memory MB] [--timeline] [--real-clock]`
 *
 * The cleanup backlog drain on its own (the same seed, throttle model and child as `npm run bench`'s
 * cleanup rows), without the rest of `--full`: the loop for working on issue 5's 10k drain target.
 * --timeline prints, per run, where its requests went: per action the count, throttled answers and
 * the span from first to last request.
 *
 * Prints the requests against the lower bound the bench's cleanup row uses (bench/bounds.ts), and
 * the bench's targets for the row and the drain as PASS/FAIL lines; exits 1 when one fails (above
 * 1.1x the bound, a call the bound does not name, a failure, anything left, lost or harmed).
 */
import { parseArgs } from 'node:util';

import type { Sandbox } from '../sandbox/server';
import { checkLine, cleanupChecks, floorCheck, notInBoundNote } from './report';
import { cleanupScenario, type CleanupSize } from './scenarios';

interface Stamped {
  at: number;
  action: string;
  throttled: boolean;
}

function timeline(stamps: Stamped[], t0: number): string[] {
  // Runs end with their summary event: split the log there.
  const runs: Stamped[][] = [[]];
  for (const s of stamps) {
    runs[runs.length - 1]!.push(s);
    if (s.action === 'PutEvents') runs.push([]);
  }
  const out: string[] = [];
  runs.forEach((run, i) => {
    if (run.length === 0) return;
    out.push(`run ${i + 1}: ${Math.round(run[0]!.at - t0)}..${Math.round(run[run.length - 1]!.at - t0)} ms`);
    const by = new Map<string, Stamped[]>();
    for (const s of run) by.set(s.action, [...(by.get(s.action) ?? []), s]);
    for (const [action, list] of by) {
      const throttled = list.filter((s) => s.throttled).length;
      out.push(
        `  ${action.padEnd(34)} ${String(list.length - throttled).padStart(6)} ok ${String(throttled).padStart(4)} throttled  ` +
          `${Math.round(list[0]!.at - t0)}..${Math.round(list[list.length - 1]!.at - t0)} ms`,
      );
    }
  });
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      deletable: { type: 'string', default: '10000' },
      timeout: { type: 'string', default: '8000' },
      margin: { type: 'string', default: '1000' },
      cap: { type: 'string', default: '500' },
      speedup: { type: 'string', default: '20' },
      latency: { type: 'string', default: '20' },
      timeline: { type: 'boolean', default: false },
      'max-runs': { type: 'string' },
      'lambda-memory': { type: 'string' },
      'real-clock': { type: 'boolean', default: false },
    },
  });
  const num = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got '${v}'`);
    return n;
  };
  const size: CleanupSize = {
    label: `${values.deletable} AMIs`,
    deletable: num('deletable', values.deletable),
    snapshotsPerImage: 2,
    timeoutMs: num('timeout', values.timeout),
    marginMs: num('margin', values.margin),
    maxDeletionsPerRun: num('cap', values.cap),
    speedup: num('speedup', values.speedup),
  };
  const stamps: Stamped[] = [];
  let t0 = 0;
  const onSeeded = (sandbox: Sandbox) => {
    const record = sandbox.requests.record.bind(sandbox.requests);
    t0 = performance.now();
    sandbox.requests.record = (entry) => {
      stamps.push({
        at: performance.now(),
        action: entry.action,
        throttled: entry.errorCode === 'RequestLimitExceeded' || entry.errorCode === 'Throttling',
      });
      record(entry);
    };
  };
  const started = performance.now();
  const c = await cleanupScenario(
    size,
    { latencyMs: num('latency', values.latency) },
    {
      onSeeded,
      clock: values['real-clock'] ? 'real' : 'virtual',
      ...(values['max-runs'] ? { maxRuns: num('max-runs', values['max-runs']) } : {}),
      ...(values['lambda-memory'] ? { memoryMb: num('lambda-memory', values['lambda-memory']) } : {}),
    },
  );
  if (values.timeline) console.log(timeline(stamps, t0).join('\n'));
  console.log(
    c.runs
      .map(
        (r, i) =>
          `run ${i + 1}: ${r.durationMs} ms, ${r.deleted} AMIs + ${r.snapshotsDeleted} snapshots deleted` +
          `${r.incomplete ? ', incomplete' : ''}${r.failures ? `, ${r.failures} failures` : ''}`,
      )
      .join('\n'),
  );
  const deleted = c.runs.map((r) => r.deleted);
  console.log(
    `cleanup drain ${size.deletable} AMIs (timeout ${size.timeoutMs} ms, deadline ${c.budgetMs} ms, cap ${size.maxDeletionsPerRun}, ` +
      `refill x${size.speedup}): ${c.drain} after ${c.runs.length} runs (fewest the cap allows ${c.fewestRuns}, ` +
      `stop after ${c.maxRuns} or ${c.stallRuns} in a row deleting nothing), AMIs per run min ${Math.min(...deleted)} / max ${Math.max(...deleted)}, ` +
      `${c.deletableLeft} deletable left, ${c.lostSnapshots} snapshots lost track of, ${c.wronglyDeleted} wrongly deleted, ` +
      `longest overrun past the deadline ${c.longestOverrunMs} ms (${c.overBudget} runs past Lambda's 20 s margin), ${c.throttled} throttled answers, peak RSS ${c.row.peakRssMb} MB ` +
      `(heap ${c.row.peakHeapMb} MB), requests ${JSON.stringify(c.row.requests)}, ` +
      `${Math.round(performance.now() - started)} ms in all`,
  );
  const j = c.row;
  console.log(
    `requests ${j.total} / lower bound ${j.boundTotal} = ${j.ratio.toFixed(2)} x${notInBoundNote(j)}`,
  );
  const checks = [floorCheck(j), ...cleanupChecks(c)];
  for (const check of checks) console.log(checkLine(check));
  return checks.every((check) => check.pass) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
