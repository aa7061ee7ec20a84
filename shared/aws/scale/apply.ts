/**
 * Carrying out a scale-to-zero plan. A failure on one resource is recorded and the others
 * go on; because the transition tag is written only after an action worked, whatever failed (an
 * InsufficientInstanceCapacity start, a throttled update) is simply acted on again by the next run.
 * The transition tag is also the only proof that a group or instance was turned off by us, so its
 * refused batches are retried in halves rather than given up for the whole batch.
 */
import type { ScaleAction } from '../../plan/scale';
import type { AwsClients } from '../clients';
import type { Ctx, ScaleApplyResult } from './context';
import { applyDatabaseActions } from './databases';
import { applyGroupActions } from './groups';
import { InstancePacer, type PacingOptions } from './batches';
import { applyInstanceActions } from './instances';

export interface ScaleApplyOptions extends PacingOptions {
  now: Date;
  hasTime?: () => boolean;
  /**
   * Milliseconds left in the run's budget. When given, a step starts only if what is left covers
   * the slowest call seen so far: a run should not begin a call it cannot expect to finish.
   */
  remainingMs?: () => number;
  /** Instances per StopInstances/StartInstances call. */
  batchSize?: number;
  /** Groups worked on at once. */
  groupConcurrency?: number;
  /** Databases worked on at once (RDS acts on one database a call). */
  databaseConcurrency?: number;
}

export const INSTANCE_BATCH = 100;

/**
 * Carries out a plan in phases, each batched: groups (saved sizes, then one update per group, then
 * the transition tags, then the saved sizes of restored groups dropped), then instances (the
 * stopped-at marker, the stops and starts, then the transition tags). What must come first still
 * does: a group's sizes are saved before it goes to 0, an instance is marked before it stops, and a
 * transition is recorded only for what worked.
 */
export async function applyScaleActions(
  clients: AwsClients,
  actions: readonly ScaleAction[],
  options: ScaleApplyOptions,
): Promise<ScaleApplyResult> {
  const result: ScaleApplyResult = {
    done: [],
    failures: [],
    reported: [],
    notTried: [],
    incomplete: false,
    calls: 0,
  };
  const { remainingMs } = options;
  let slowestMs = 0;
  const send = async <T>(call: () => Promise<T>): Promise<T> => {
    result.calls += 1;
    const before = remainingMs?.();
    try {
      return await call();
    } finally {
      // An unlimited budget (the CLI) has Infinity left: Infinity - Infinity is no duration.
      const took = before === undefined || !remainingMs ? 0 : before - remainingMs();
      if (Number.isFinite(took)) slowestMs = Math.max(slowestMs, took);
    }
  };
  const hasTimeAfter = (ms: number) =>
    (options.hasTime?.() ?? true) &&
    (remainingMs === undefined || remainingMs() >= ms + Math.max(1, slowestMs));
  const hasTime = () => hasTimeAfter(0);
  // The pacer's clock is the budget's, so a test's virtual clock moves it (and its sleep).
  const budgetClock = remainingMs && Number.isFinite(remainingMs()) ? () => -remainingMs() : undefined;
  const pacer = new InstancePacer(budgetClock ?? (() => performance.now()), options);
  const ctx: Ctx = { clients, now: options.now, hasTime, hasTimeAfter, result, send, pacer };

  // Databases start first in the morning and stop last at night: an application's servers come up
  // after its database and go down before it. A database whose start fails does not hold the groups
  // and instances back (the failure is reported and the next run starts it again).
  const databaseConcurrency = options.databaseConcurrency ?? 4;
  await applyDatabaseActions(ctx, actions, 'start', databaseConcurrency);
  await applyGroupActions(ctx, actions, options.groupConcurrency ?? 4);
  await applyInstanceActions(ctx, actions, options.batchSize ?? INSTANCE_BATCH);
  await applyDatabaseActions(ctx, actions, 'stop', databaseConcurrency);

  const order = new Map(actions.map((a, i) => [a, i]));
  result.done.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return result;
}
