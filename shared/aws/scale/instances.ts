/**
 * The instance phase of an apply: the stopped-at marker, the stops and starts, then the transition
 * tags. An instance is marked before it stops, and a transition is recorded only for what worked.
 */
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';

import { transitionValue, type ScaleAction } from '../../plan/scale';
import { formatTimestamp, TAG } from '../../tags';
import { errorCode, errorText } from '../../errors';
import { chunk, CREATE_TAGS_MAX_RESOURCES } from '../tagging';
import { fitBatch } from './batches';
import { describe, outOfTime, type Ctx, type InstanceAction, type RecordAction } from './context';

function instanceId(a: InstanceAction | RecordAction): string {
  return a.kind === 'record-transition' ? a.resourceId : a.instanceId;
}

export async function applyInstanceActions(ctx: Ctx, actions: readonly ScaleAction[], batchSize: number) {
  const stops = actions.filter((a): a is InstanceAction => a.kind === 'stop-instance');
  const starts = actions.filter((a): a is InstanceAction => a.kind === 'start-instance');
  const records = actions.filter(
    (a): a is RecordAction => a.kind === 'record-transition' && a.resourceType === 'instance',
  );
  const stopInstances = (ids: string[]) =>
    ctx.clients.ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
  const hibernateInstances = (ids: string[]) =>
    ctx.clients.ec2.send(new StopInstancesCommand({ InstanceIds: ids, Hibernate: true }));
  const startInstances = (ids: string[]) =>
    ctx.clients.ec2.send(new StartInstancesCommand({ InstanceIds: ids }));

  const stopped: InstanceAction[] = [];
  for (const round of chunk(stops, CREATE_TAGS_MAX_RESOURCES)) {
    if (outOfTime(ctx, round)) continue;
    // The marker goes on before the stop, so an instance we stopped can always be told apart from
    // one a person stopped (only ours are started again). A marked instance the run then has no
    // time to stop is harmless: the next run stops it, or drops the marker once the schedule is on.
    const marked = await tagInstances(
      ctx,
      round.map(instanceId),
      { [TAG.scaleToZeroStoppedAt]: formatTimestamp(ctx.now) },
      TAG.scaleToZeroStoppedAt,
    );
    if (!marked) continue;
    // One call stops or hibernates, never both: instances asking for hibernation go in their own calls.
    for (const hibernating of [false, true]) {
      const same = round.filter((a) => (a.kind === 'stop-instance' && a.hibernate === true) === hibernating);
      for (const part of chunk(same, batchSize)) {
        if (outOfTime(ctx, part) || !(await fitBatch(ctx, 'StopInstances', part))) continue;
        stopped.push(
          ...(hibernating
            ? await hibernateOrStop(ctx, part, hibernateInstances, stopInstances)
            : await inHalvesOnRefusal(ctx, part, 'StopInstances', stopInstances)),
        );
      }
    }
  }
  const started: InstanceAction[] = [];
  for (const part of chunk(starts, batchSize)) {
    if (outOfTime(ctx, part) || !(await fitBatch(ctx, 'StartInstances', part))) continue;
    started.push(...(await inHalvesOnRefusal(ctx, part, 'StartInstances', startInstances)));
  }
  ctx.result.done.push(...stopped, ...started);

  // As for groups: the transition of what changed is written even when time is short.
  const bookkeeping = outOfTime(ctx, records) ? [] : records;
  const recorded = await recordTransitions(ctx, [...stopped, ...started, ...bookkeeping]);
  ctx.result.done.push(...bookkeeping.filter((a) => recorded.has(a)));
  // A started instance's marker has done its job; so has a stale one on an instance that is on.
  // One started for a maintenance window keeps it: its record still names that stop.
  const unmark = [
    ...started.filter((a) => a.kind === 'start-instance' && !a.patch).map(instanceId),
    ...bookkeeping.filter((a) => a.dropMarker).map(instanceId),
  ];
  for (const part of chunk(unmark, CREATE_TAGS_MAX_RESOURCES)) {
    await untagInstances(ctx, part, TAG.scaleToZeroStoppedAt);
  }
}

/** EC2's answer when it will not hibernate an instance (not configured, not ready yet, unsupported). */
export const HIBERNATION_REFUSED = 'UnsupportedHibernationConfiguration';

/**
 * Hibernates a batch; an instance EC2 refuses to hibernate (UnsupportedHibernationConfiguration) is
 * stopped normally instead and reported: the owner asked for it to be off at night, and a plain stop
 * is what every instance without hibernation gets. Any other refusal is a failure, as for a stop.
 */
async function hibernateOrStop(
  ctx: Ctx,
  batch: InstanceAction[],
  hibernateCall: (ids: string[]) => Promise<unknown>,
  stopCall: (ids: string[]) => Promise<unknown>,
): Promise<InstanceAction[]> {
  const refused = new Map<InstanceAction, string>();
  const hibernated = await inHalvesOnRefusal(ctx, batch, 'StopInstances', hibernateCall, (a, err) => {
    if (errorCode(err) !== HIBERNATION_REFUSED) return false;
    refused.set(a, errorText(err));
    return true;
  });
  if (refused.size === 0 || outOfTime(ctx, [...refused.keys()])) return hibernated;
  const stopped = await inHalvesOnRefusal(ctx, [...refused.keys()], 'StopInstances', stopCall);
  for (const a of stopped) {
    ctx.result.reported.push({
      resourceId: instanceId(a),
      reason: `${TAG.scaleToZeroAction}=hibernate, but EC2 refused to hibernate it (${refused.get(a)}): stopped instead`,
    });
  }
  return [...hibernated, ...stopped];
}

/**
 * Runs a Stop/Start call for a batch; if EC2 refuses the batch (one bad instance fails the whole
 * call), it is split in halves down to single instances, so one failure never holds the others back.
 * Halves rather than one call per instance: fewer calls, and a batch throttled after the SDK's
 * retries goes through as halves that fit StartInstances' refilled tokens.
 */
async function inHalvesOnRefusal(
  ctx: Ctx,
  batch: InstanceAction[],
  action: 'StopInstances' | 'StartInstances',
  call: (ids: string[]) => Promise<unknown>,
  /** A single instance's refusal the caller deals with itself (true: not a failure). */
  handled: (a: InstanceAction, err: unknown) => boolean = () => false,
): Promise<InstanceAction[]> {
  try {
    await ctx.send(() => call(batch.map(instanceId)));
    return batch;
  } catch (err) {
    if (batch.length === 1) {
      if (handled(batch[0]!, err)) return [];
      ctx.result.failures.push({
        resourceId: batch[0]!.instanceId,
        action,
        message: `${describe(batch[0]!)} failed (${errorText(err)}); the next run tries again`,
      });
      return [];
    }
  }
  const mid = Math.ceil(batch.length / 2);
  const ok: InstanceAction[] = [];
  for (const half of [batch.slice(0, mid), batch.slice(mid)]) {
    if (outOfTime(ctx, half)) continue;
    ok.push(...(await inHalvesOnRefusal(ctx, half, action, call, handled)));
  }
  return ok;
}

async function tagInstances(
  ctx: Ctx,
  ids: string[],
  tags: Record<string, string>,
  what: string,
): Promise<boolean> {
  if (ids.length === 0) return true;
  try {
    await ctx.send(() =>
      ctx.clients.ec2.send(
        new CreateTagsCommand({
          Resources: ids,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
    return true;
  } catch (err) {
    ctx.result.failures.push({
      resourceId: ids.length === 1 ? ids[0]! : `${ids[0]} and ${ids.length - 1} more instances`,
      action: 'CreateTags',
      message: `could not write ${what} (${errorText(err)}); the next run tries again`,
    });
    return false;
  }
}

async function untagInstances(ctx: Ctx, ids: string[], key: string): Promise<void> {
  if (ids.length === 0) return;
  try {
    await ctx.send(() =>
      ctx.clients.ec2.send(new DeleteTagsCommand({ Resources: ids, Tags: [{ Key: key }] })),
    );
  } catch (err) {
    ctx.result.failures.push({
      resourceId: ids.length === 1 ? ids[0]! : `${ids[0]} and ${ids.length - 1} more instances`,
      action: 'DeleteTags',
      message: `could not remove ${key} (${errorText(err)})`,
    });
  }
}

/**
 * The transition tag: CreateTags writes one tag set per call, so instances are grouped by the value
 * (instances on different schedules, or stopped and started ones, differ), up to 1000 ids a call.
 * Returns what was recorded.
 */
async function recordTransitions(
  ctx: Ctx,
  actions: readonly (InstanceAction | RecordAction)[],
): Promise<Set<ScaleAction>> {
  const byTransition = new Map<string, (InstanceAction | RecordAction)[]>();
  for (const a of actions) {
    const key = transitionValue(a, ctx.now);
    const same = byTransition.get(key);
    if (same) same.push(a);
    else byTransition.set(key, [a]);
  }
  const recorded = new Set<ScaleAction>();
  for (const [value, same] of byTransition) {
    for (const part of chunk(same, CREATE_TAGS_MAX_RESOURCES)) {
      await recordInHalves(ctx, part, value, recorded);
    }
  }
  return recorded;
}

/**
 * One CreateTags call for a batch of records with the same value; a refused batch is split in
 * halves down to single instances, so one bad instance does not leave the others unrecorded: an
 * instance stopped without its record is not started automatically.
 */
async function recordInHalves(
  ctx: Ctx,
  part: (InstanceAction | RecordAction)[],
  value: string,
  recorded: Set<ScaleAction>,
): Promise<void> {
  try {
    await ctx.send(() =>
      ctx.clients.ec2.send(
        new CreateTagsCommand({
          Resources: part.map(instanceId),
          Tags: [{ Key: TAG.scaleToZeroLastTransition, Value: value }],
        }),
      ),
    );
    for (const a of part) recorded.add(a);
    return;
  } catch (err) {
    if (part.length === 1) {
      const a = part[0]!;
      const why = `${TAG.scaleToZeroLastTransition} could not be written (${errorText(err)})`;
      ctx.result.failures.push({
        resourceId: instanceId(a),
        action: 'CreateTags',
        message:
          a.kind === 'stop-instance'
            ? `stopping worked, but ${why}; without that record it is not started automatically: start it by hand when it should run`
            : a.kind === 'start-instance'
              ? `starting worked, but ${why}; the next run finds it running and records it`
              : `${describe(a)} failed (${errorText(err)}); the next run tries again`,
      });
      return;
    }
  }
  const mid = Math.ceil(part.length / 2);
  for (const half of [part.slice(0, mid), part.slice(mid)]) await recordInHalves(ctx, half, value, recorded);
}
