/** Shorthands for the rules' verdicts. */
import type { TagProblem } from '../../tags';
import type { KeepReason, Verdict } from './types';

export function keep(keptFor: KeepReason, reason: string, problem?: TagProblem): Verdict {
  return problem ? { action: 'keep', reason, problem, keptFor } : { action: 'keep', reason, keptFor };
}

/** A 'keep' over a value that cannot be an age: the value is reported as a problem too. */
export function keepAndReport(reason: string, problem: TagProblem): Verdict {
  return { ...keep('tagProblem', reason, problem), reported: [problem] };
}
