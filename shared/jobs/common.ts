/** What the tagger and cleanup jobs are given: everything from outside (time, clients, settings). */
import type { AwsClients } from '../aws/clients';
import type { Budget } from '../budget';
import type { Settings } from '../config';
import type { RunFailure, SkippedResource } from '../events';
import type { LogFn } from '../report';
import type { Problem } from '../domain';
import { formatTimestamp } from '../tags';

/** What every job is given: everything from outside (time, clients, settings of its own kind). */
export interface JobDepsOf<S> {
  clientsFor(region: string): AwsClients;
  settings: S;
  /** The run's "now": the tags' value and the clock the plans judge ages and schedules by. */
  now: Date;
  log: LogFn;
  budget: Budget;
  /** Milliseconds since the epoch, for finishedAt; defaults to a clock frozen at `now`. */
  clock?: () => number;
  /** Put the summary on EventBridge (default true; the read-only plan CLI turns it off). */
  publish?: boolean;
}

/** The tagger's and cleanup's deps. */
export type JobDeps = JobDepsOf<Settings>;

export function finishedAt(deps: JobDeps, startedMs: number): string {
  if (!deps.clock) return formatTimestamp(deps.now);
  return formatTimestamp(new Date(deps.now.getTime() + Math.max(0, deps.clock() - startedMs)));
}

export function problemToSkip(p: Problem): SkippedResource {
  if (p.tagProblem) {
    return {
      resourceId: p.resourceId,
      tag: p.tagProblem.tag,
      value: p.tagProblem.value,
      expected: p.tagProblem.expected,
      reason: p.message,
    };
  }
  return { resourceId: p.resourceId, reason: p.message };
}

export function regionFailure(region: string, step: string, message: string): RunFailure {
  return { resourceId: region, action: step, message };
}
