/**
 * ApplyRun: the state one apply step shares between its steps (clients, budget, the result as it
 * grows, which AMIs are gone), and the small records every step writes into it.
 */
import type { AwsClients } from '../clients';
import { errorText } from '../../errors';
import {
  emptyApplyResult,
  type ApplyOptions,
  type ApplyOutcome,
  type CleanupApplyResult,
  type CleanupWork,
} from './types';

const DEFAULT_CONCURRENCY = 4;

export interface ApplyRun {
  readonly clients: AwsClients;
  /** Asked before every call that changes something. */
  readonly hasTime: () => boolean;
  readonly log: (line: Record<string, unknown>) => void;
  /** ApplyOptions.onDeregistered, or nothing. */
  readonly onDeregistered: (imageId: string) => void;
  readonly concurrency: number;
  readonly result: CleanupApplyResult;
  /** Whether to ask DescribeImageReferences; off for the rest of the run once the endpoint lacks it. */
  checkReferences: boolean;
  /** AMIs this run deregistered (or found already gone). */
  readonly deregistered: Set<string>;
  /** Snapshot id -> every planned AMI behind it (not only the one the plan gave it to). */
  readonly sharers: ReadonlyMap<string, readonly string[]>;
  /** Snapshots of a deregistered AMI that other planned AMIs still used at the time. */
  readonly sharedWaiting: { snapshotId: string; imageId: string }[];
}

export function startApplyRun(clients: AwsClients, work: CleanupWork, options: ApplyOptions): ApplyRun {
  const sharers = new Map<string, string[]>();
  for (const d of work.deletions) {
    for (const s of new Set(d.image.snapshotIds)) sharers.set(s, [...(sharers.get(s) ?? []), d.image.id]);
  }
  return {
    clients,
    hasTime: options.hasTime,
    log: options.log ?? (() => undefined),
    onDeregistered: options.onDeregistered ?? (() => undefined),
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    result: emptyApplyResult(options.checkImageReferences),
    checkReferences: options.checkImageReferences,
    deregistered: new Set(),
    sharers,
    sharedWaiting: [],
  };
}

/** Asks the budget; when it is spent, marks the run incomplete and records the step not reached. */
export function outOfTime(run: ApplyRun, resourceId: string, kind: ApplyOutcome['kind'], step: string) {
  if (run.hasTime()) return false;
  run.result.incomplete = true;
  run.result.outcomes.push({
    resourceId,
    kind,
    action: 'not-reached',
    reason: `time budget spent before ${step}; the next run continues`,
  });
  return true;
}

/** A failed call: one failure for the summary and one outcome for the log, saying what happens next. */
export function recordFailure(
  run: ApplyRun,
  resourceId: string,
  kind: ApplyOutcome['kind'],
  action: string,
  err: unknown,
  then: string,
): void {
  const message = `${action} failed: ${errorText(err)}; ${then}`;
  run.result.failures.push({ resourceId, action, message });
  run.result.outcomes.push({ resourceId, kind, action: 'failed', reason: message });
}

export function recordImageNotReached(run: ApplyRun, imageId: string): void {
  run.result.outcomes.push({
    resourceId: imageId,
    kind: 'image',
    action: 'not-reached',
    reason: 'time budget spent; the next run continues',
  });
}

/** The other planned AMIs behind this snapshot that are still registered. */
export function stillRegistered(run: ApplyRun, snapshotId: string, imageId: string): string[] {
  return (run.sharers.get(snapshotId) ?? []).filter(
    (other) => other !== imageId && !run.deregistered.has(other),
  );
}

/** The error code of an SDK service exception (its name). */
export function errorName(err: unknown): string {
  return (err as { name?: string; Code?: string })?.name ?? '';
}
