/** Recovery's and self-heal's targets: each scheduled run near its lower bound, and the runs did what they must. */
import type { RecoveryOutcome } from '../recovery';
import type { JobRow } from '../scenarios';
import type { SelfHealOutcome } from '../self-heal';
import type { Check } from './results';

/** The runs' requests and bounds in all, the worst run's ratio, and their failures. */
function overRuns(rows: JobRow[]): { made: number; floor: number; worst: number; failures: number } {
  return {
    made: rows.reduce((n, j) => n + j.total, 0),
    floor: rows.reduce((n, j) => n + j.boundTotal, 0),
    worst: Math.max(...rows.map((j) => j.ratio)),
    failures: rows.reduce((n, j) => n + j.failures, 0),
  };
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Recovery's target (issue 15): every run within 1.1x of its lower bound, no failures, and the runs
 * did what they must: two alarms per instance, a steady run writing nothing, the terminated
 * instances' alarms gone and no other.
 */
export function recoveryCheck(x: RecoveryOutcome): Check {
  const { made, floor, worst, failures } = overRuns(x.rows);
  const expected = { written: [2 * x.instances, 0, 0], deleted: [0, 0, 2 * x.terminated] };
  const after = [2 * x.instances, 2 * x.instances, 2 * (x.instances - x.terminated)];
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
  const { made, floor, worst, failures } = overRuns(x.rows);
  const expected = [x.groups, 0];
  const healed = [x.groups, x.groups];
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
