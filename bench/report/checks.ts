/** The benchmark's targets, checked on a run's results: each a PASS/FAIL line with its figures. */
import { DEFAULT_SAFETY_MARGIN_MS } from '../../shared/budget';
import type { RestoreOutcome } from '../scale-restore';
import { TAGGER_TARGET_MB, type CleanupOutcome, type JobRow, type ScaleOutcome } from '../scenarios';
import { bundleChecks } from './bundle-checks';
import { recoveryCheck, selfHealCheck } from './fleet-checks';
import { fmtMs } from './format';
import type { BenchResults, Check } from './results';

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

/** `; made but not in the bound: ec2:X x3, ...` naming each unbounded action and its count, or ''. */
export function notInBoundNote(j: Pick<JobRow, 'requests' | 'bound'>): string {
  const missing = unboundedActions(j);
  return missing.length > 0
    ? `; made but not in the bound: ${missing.map((a) => `${a} x${j.requests[a]}`).join(', ')}`
    : '';
}

/** One check per job row: requests <= 1.1x its bound, every action it made in the bound, no failures. */
export function floorCheck(j: JobRow): Check {
  return {
    target: `${j.job} ${j.size} requests <= ${FLOOR_RATIO_TARGET} x lower bound`,
    pass: j.ratio <= FLOOR_RATIO_TARGET && unboundedActions(j).length === 0 && j.failures === 0,
    detail: `${j.total} / ${j.boundTotal} = ${j.ratio.toFixed(2)}, ${j.failures} failures${notInBoundNote(j)}`,
  };
}

function taggerChecks(j: JobRow): Check[] {
  return [
    {
      target: `tagger ${j.size} within ${TAGGER_TARGET_MB} MB`,
      pass: j.peakRssMb <= TAGGER_TARGET_MB,
      detail: `peak RSS ${j.peakRssMb} MB (heap ${j.peakHeapMb} MB), started with Lambda's heap limits for ${TAGGER_TARGET_MB} MB`,
    },
    {
      target: `tagger ${j.size} well inside its 20-minute schedule`,
      pass: j.simulatedMs <= 10 * 60_000,
      detail: `${fmtMs(j.simulatedMs)} simulated (<= 10 min)`,
    },
  ];
}

/** A cleanup drain's targets: drained with nothing lost or harmed, and no run past its time limit. */
export function cleanupChecks(c: CleanupOutcome): Check[] {
  const longest = Math.max(...c.runs.map((x) => x.durationMs));
  return [
    {
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
    },
    {
      target: `cleanup backlog ${c.row.size} no run past its time limit`,
      pass: c.overBudget === 0,
      detail:
        `longest run ${fmtMs(longest)} against a ${fmtMs(c.budgetMs)} deadline: at most ${fmtMs(c.longestOverrunMs)} past it ` +
        `(calls in flight and the SDK's backoff, in real time; a Lambda keeps ${fmtMs(DEFAULT_SAFETY_MARGIN_MS)} for them)`,
    },
  ];
}

function scaleChecks(s: ScaleOutcome): Check[] {
  const expectedStops = Math.ceil(s.instancesStopped / s.stopBatch);
  const checks: Check[] = [
    {
      target: `scale-to-zero ${s.row.size} in one run, batched`,
      pass: s.row.failures === 0 && s.stopCalls <= expectedStops && s.instancesStopped > 0,
      detail: `${s.groupsScaled} groups, ${s.instancesStopped} instances, ${s.stopCalls} StopInstances calls (<= ${expectedStops}), ${s.row.failures} failures`,
    },
  ];
  if (s.databases) {
    checks.push({
      target: `scale-to-zero ${s.row.size} requests <= 1.1 x lower bound, every database stopped`,
      pass: s.row.ratio <= 1.1 && s.row.failures === 0 && s.databasesStopped === s.databases,
      detail: `${s.row.total} / ${s.row.boundTotal} = ${s.row.ratio.toFixed(2)} (every database call counted), ${s.databasesStopped} of ${s.databases} databases stopped, ${s.row.failures} failures`,
    });
  }
  return checks;
}

function restoreCheck(x: RestoreOutcome): Check {
  return {
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
  };
}

function retryChecks(retry: BenchResults['retry']): Check[] {
  const adaptive = retry.find((x) => x.mode === 'adaptive');
  if (!adaptive) return [];
  return [
    {
      target: 'adaptive retry absorbs throttling',
      pass: adaptive.failures === 0,
      detail: retry
        .map((x) => `${x.mode}: ${x.failures} failures, ${x.throttled} throttled, ${fmtMs(x.realMs)}`)
        .join('; '),
    },
  ];
}

export function checkTargets(r: Omit<BenchResults, 'checks'>): Check[] {
  return [
    ...r.jobs.filter((j) => !NOT_A_JOB.has(j.job)).map(floorCheck),
    ...r.jobs.filter((x) => x.job === 'tagger').flatMap(taggerChecks),
    ...r.cleanup.flatMap(cleanupChecks),
    ...r.scale.flatMap(scaleChecks),
    ...(r.restore ?? []).map(restoreCheck),
    ...(r.recovery ?? []).map(recoveryCheck),
    ...(r.selfHeal ?? []).map(selfHealCheck),
    ...retryChecks(r.retry),
    ...(r.bundles ? bundleChecks(r.bundles) : []),
  ];
}
