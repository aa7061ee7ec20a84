/** What every apply step shares: the clients, the run's clock and budget, and the result so far. */
import type { ReportedResource, RunFailure } from '../../events';
import { formatCapacity, type ScaleAction } from '../../plan/scale';
import { formatTimestamp } from '../../tags';
import type { AwsClients } from '../clients';
import type { InstancePacer } from './batches';

export interface ScaleApplyResult {
  /** Actions that took effect, in plan order. */
  done: ScaleAction[];
  failures: RunFailure[];
  /** Worth knowing, not failures: an instance stopped because EC2 refused to hibernate it. */
  reported: ReportedResource[];
  /** Actions not tried because the run ran out of time; the next run picks them up. */
  notTried: ScaleAction[];
  incomplete: boolean;
  calls: number;
}

export type GroupAction = Extract<ScaleAction, { kind: 'scale-group-to-zero' | 'restore-group' }>;
export type ScaleDown = Extract<ScaleAction, { kind: 'scale-group-to-zero' }>;
export type InstanceAction = Extract<ScaleAction, { kind: 'stop-instance' | 'start-instance' }>;
export type RecordAction = Extract<ScaleAction, { kind: 'record-transition' }>;

export interface Ctx {
  clients: AwsClients;
  now: Date;
  hasTime: () => boolean;
  result: ScaleApplyResult;
  send: <T>(call: () => Promise<T>) => Promise<T>;
  /** Whether a step that first waits `ms` still fits the budget (batches.ts fitBatch). */
  hasTimeAfter: (ms: number) => boolean;
  /** The run's picture of the per-instance buckets: instance batches wait for their tokens. */
  pacer?: InstancePacer;
}

/** When the run has no time left: the actions are recorded as not tried, for the next run. */
export function outOfTime(ctx: Ctx, actions: readonly ScaleAction[]): boolean {
  if (actions.length === 0 || ctx.hasTime()) return false;
  ctx.result.incomplete = true;
  ctx.result.notTried.push(...actions);
  return true;
}

/** An action as a failure message names it ("restoring min=1 desired=2 max=4 failed ..."). */
export function describe(a: ScaleAction): string {
  switch (a.kind) {
    case 'scale-group-to-zero':
      return 'scaling to 0';
    case 'restore-group':
      return `restoring ${formatCapacity(a.restore)}`;
    case 'stop-instance':
      return a.hibernate ? 'hibernating' : 'stopping';
    case 'start-instance':
      return 'starting';
    case 'stop-database':
      return 'stopping the database';
    case 'start-database':
      return 'starting the database';
    case 'record-database':
    case 'record-transition':
      return `recording the transition at ${formatTimestamp(a.transition)}`;
  }
}
