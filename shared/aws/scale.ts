/**
 * Scale-to-zero's AWS I/O: the inventory of groups and instances tagged ScaleToZero, and carrying
 * out a plan's actions. SDK shapes stop here. A failure on one resource is recorded and the others
 * go on; because the transition tag is written only after an action worked, whatever failed (an
 * InsufficientInstanceCapacity start, a throttled update) is simply acted on again by the next run.
 * The transition tag is also the only proof that a group or instance was turned off by us, so its
 * refused batches are retried in halves rather than given up for the whole batch.
 */
import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  paginateDescribeAutoScalingGroups,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';

import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../domain';
import type { RunFailure } from '../events';
import { formatCapacity, transitionValue, type ScaleAction } from '../plan/scale';
import { formatTimestamp, TAG, tagsFromList } from '../tags';
import type { AwsClients } from './clients';
import { mapWithConcurrency } from './concurrency';
import { errorText } from '../errors';
import { groupRecordFrom } from './inventory';
import { chunk, CREATE_TAGS_MAX_RESOURCES } from './tagging';

export interface ScaleInventory {
  groups: AutoScalingGroupRecord[];
  instances: ScalableInstanceRecord[];
}

/** Only resources carrying the ScaleToZero key are read; the rest of the account is never looked at. */
export async function readScaleInventory(clients: AwsClients): Promise<ScaleInventory> {
  const [groups, instances] = await Promise.all([readGroups(clients), readInstances(clients)]);
  return { groups, instances };
}

async function readGroups(clients: AwsClients): Promise<AutoScalingGroupRecord[]> {
  const out: AutoScalingGroupRecord[] = [];
  const pages = paginateDescribeAutoScalingGroups(
    { client: clients.autoScaling },
    { MaxRecords: 100, Filters: [{ Name: 'tag-key', Values: [TAG.scaleToZero] }] },
  );
  for await (const page of pages) {
    for (const g of page.AutoScalingGroups ?? []) {
      const record = groupRecordFrom(g);
      // Belt and braces: an endpoint that ignored the filter must still not widen what we touch.
      if (record.tags[TAG.scaleToZero] !== undefined) out.push(record);
    }
  }
  return out;
}

async function readInstances(clients: AwsClients): Promise<ScalableInstanceRecord[]> {
  const out: ScalableInstanceRecord[] = [];
  const pages = paginateDescribeInstances(
    { client: clients.ec2 },
    {
      MaxResults: 1000,
      Filters: [
        { Name: 'tag-key', Values: [TAG.scaleToZero] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    },
  );
  for await (const page of pages) {
    for (const r of page.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        const record = toInstance(i);
        if (record.tags[TAG.scaleToZero] !== undefined) out.push(record);
      }
    }
  }
  return out;
}

function toInstance(i: Instance): ScalableInstanceRecord {
  const tags = tagsFromList(i.Tags);
  const record: ScalableInstanceRecord = { id: i.InstanceId ?? '', state: i.State?.Name ?? 'unknown', tags };
  if (i.InstanceType) record.instanceType = i.InstanceType;
  if (i.InstanceLifecycle) record.lifecycle = i.InstanceLifecycle;
  if (i.RootDeviceType) record.rootDeviceType = i.RootDeviceType;
  const group = tags['aws:autoscaling:groupName'];
  if (group !== undefined) record.autoScalingGroupName = group;
  if (i.LaunchTime) record.launchedAt = i.LaunchTime;
  return record;
}

export interface ScaleApplyResult {
  /** Actions that took effect, in plan order. */
  done: ScaleAction[];
  failures: RunFailure[];
  /** Actions not tried because the run ran out of time; the next run picks them up. */
  notTried: ScaleAction[];
  incomplete: boolean;
  calls: number;
}

export interface ScaleApplyOptions {
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
}

type GroupAction = Extract<ScaleAction, { kind: 'scale-group-to-zero' | 'restore-group' }>;
type ScaleDown = Extract<ScaleAction, { kind: 'scale-group-to-zero' }>;
type InstanceAction = Extract<ScaleAction, { kind: 'stop-instance' | 'start-instance' }>;
type RecordAction = Extract<ScaleAction, { kind: 'record-transition' }>;

export const INSTANCE_BATCH = 100;

/**
 * Tags per Auto Scaling CreateOrUpdateTags / DeleteTags call. Each tag names its own group, so
 * groups with different values share a call. The API reference documents no maximum for
 * Tags.member.N; 50 is the largest batch Auto Scaling documents for its batch APIs (Quotas page:
 * BatchPutScheduledUpdateGroupAction, SetInstanceProtection) and bounds what one refused call holds up.
 */
export const GROUP_TAG_BATCH = 50;

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
  const result: ScaleApplyResult = { done: [], failures: [], notTried: [], incomplete: false, calls: 0 };
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
  const hasTime = () =>
    (options.hasTime?.() ?? true) && (remainingMs === undefined || remainingMs() >= Math.max(1, slowestMs));
  const ctx: Ctx = { clients, now: options.now, hasTime, result, send };

  await applyGroupActions(ctx, actions, options.groupConcurrency ?? 4);
  await applyInstanceActions(ctx, actions, options.batchSize ?? INSTANCE_BATCH);

  const order = new Map(actions.map((a, i) => [a, i]));
  result.done.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return result;
}

interface Ctx {
  clients: AwsClients;
  now: Date;
  hasTime: () => boolean;
  result: ScaleApplyResult;
  send: <T>(call: () => Promise<T>) => Promise<T>;
}

function outOfTime(ctx: Ctx, actions: readonly ScaleAction[]): boolean {
  if (actions.length === 0 || ctx.hasTime()) return false;
  ctx.result.incomplete = true;
  ctx.result.notTried.push(...actions);
  return true;
}

function groupTag(group: string, key: string, value: string) {
  return {
    ResourceType: 'auto-scaling-group',
    ResourceId: group,
    Key: key,
    Value: value,
    PropagateAtLaunch: false,
  };
}

function groupOf(a: GroupAction | RecordAction): string {
  return a.kind === 'record-transition' ? a.resourceId : a.group;
}

async function applyGroupActions(ctx: Ctx, actions: readonly ScaleAction[], concurrency: number) {
  const downs = actions.filter((a): a is ScaleDown => a.kind === 'scale-group-to-zero');
  const restores = actions.filter(
    (a): a is Extract<ScaleAction, { kind: 'restore-group' }> => a.kind === 'restore-group',
  );
  const records = actions.filter(
    (a): a is RecordAction => a.kind === 'record-transition' && a.resourceType === 'auto-scaling-group',
  );

  // Remember first: a group is scaled to 0 only once its sizes are on it, for the restore.
  const saved: ScaleDown[] = [];
  for (const part of chunk(downs, GROUP_TAG_BATCH)) {
    if (outOfTime(ctx, part)) continue;
    const tags = part.map((a) => groupTag(a.group, TAG.scaleToZeroSavedCapacity, formatCapacity(a.saved)));
    const err = await writeGroupTags(ctx, tags);
    if (err === undefined) saved.push(...part);
    else {
      for (const a of part) {
        ctx.result.failures.push({
          resourceId: a.group,
          action: 'CreateOrUpdateTags',
          message: `could not save ${TAG.scaleToZeroSavedCapacity}=${formatCapacity(a.saved)} (${err}), so it was not scaled to 0; the next run tries again`,
        });
      }
    }
  }

  const updated = (
    await mapWithConcurrency<GroupAction, GroupAction | undefined>(
      [...saved, ...restores],
      concurrency,
      (a) => updateGroup(ctx, a),
    )
  ).filter((a): a is GroupAction => a !== undefined);
  ctx.result.done.push(...updated);

  // Bookkeeping for what already changed is written even when time is short: the run's safety
  // margin covers a call or two, and it saves the next run from re-planning those groups.
  const bookkeeping = outOfTime(ctx, records) ? [] : records;
  for (const part of chunk([...updated, ...bookkeeping], GROUP_TAG_BATCH)) {
    await recordGroupTransitions(ctx, part);
  }

  // A restored group no longer needs its saved sizes. Dropped even if its transition tag failed:
  // without them the next run only records the transition rather than restoring a second time.
  const restored = updated.filter((a) => a.kind === 'restore-group');
  for (const part of chunk(restored, GROUP_TAG_BATCH)) {
    const tags = part.map((a) => ({
      ...groupTag(a.group, TAG.scaleToZeroSavedCapacity, ''),
      Value: undefined,
    }));
    try {
      await ctx.send(() => ctx.clients.autoScaling.send(new DeleteGroupTagsCommand({ Tags: tags })));
    } catch (err) {
      // The group is back at its sizes; a leftover tag is only overwritten by the next scale-down.
      for (const a of part) {
        ctx.result.failures.push({
          resourceId: a.group,
          action: 'DeleteTags',
          message: `restored, but could not remove ${TAG.scaleToZeroSavedCapacity} (${errorText(err)})`,
        });
      }
    }
  }
}

/**
 * Writes the transition records of a batch of groups; a refused batch is split in halves down to
 * single groups, so one bad group does not leave the others unrecorded: a group scaled to 0 without
 * its record is not restored automatically (see the plan's trust model).
 */
async function recordGroupTransitions(ctx: Ctx, part: (GroupAction | RecordAction)[]): Promise<void> {
  const tags = part.map((a) =>
    groupTag(groupOf(a), TAG.scaleToZeroLastTransition, transitionValue(a, ctx.now)),
  );
  const err = await writeGroupTags(ctx, tags);
  if (err === undefined) {
    ctx.result.done.push(...part.filter((a) => a.kind === 'record-transition'));
    return;
  }
  if (part.length > 1) {
    const mid = Math.ceil(part.length / 2);
    for (const half of [part.slice(0, mid), part.slice(mid)]) await recordGroupTransitions(ctx, half);
    return;
  }
  const a = part[0]!;
  ctx.result.failures.push({
    resourceId: groupOf(a),
    action: 'CreateOrUpdateTags',
    message:
      a.kind === 'record-transition'
        ? `${describe(a)} failed (${err}); the next run tries again`
        : a.kind === 'scale-group-to-zero'
          ? `${describe(a)} worked, but ${TAG.scaleToZeroLastTransition} could not be written (${err}); without that record it is not restored automatically: set its sizes back by hand (${formatCapacity(a.saved)})`
          : `${describe(a)} worked, but ${TAG.scaleToZeroLastTransition} could not be written (${err}); the next run finds it on and records it`,
  });
}

/** One CreateOrUpdateTags call; the error text when it failed. */
async function writeGroupTags(ctx: Ctx, tags: ReturnType<typeof groupTag>[]): Promise<string | undefined> {
  try {
    await ctx.send(() => ctx.clients.autoScaling.send(new CreateOrUpdateTagsCommand({ Tags: tags })));
    return undefined;
  } catch (err) {
    return errorText(err);
  }
}

/** UpdateAutoScalingGroup names one group, so each group is its own call; undefined when not done. */
async function updateGroup(ctx: Ctx, a: GroupAction): Promise<GroupAction | undefined> {
  if (outOfTime(ctx, [a])) return undefined;
  const sizes = a.kind === 'scale-group-to-zero' ? { min: 0, desired: 0, max: 0 } : a.restore;
  try {
    await ctx.send(() =>
      ctx.clients.autoScaling.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: a.group,
          MinSize: sizes.min,
          DesiredCapacity: sizes.desired,
          MaxSize: sizes.max,
        }),
      ),
    );
    return a;
  } catch (err) {
    ctx.result.failures.push({
      resourceId: a.group,
      action: 'UpdateAutoScalingGroup',
      message: `${describe(a)} failed (${errorText(err)}); the next run tries again`,
    });
    return undefined;
  }
}

function describe(a: ScaleAction): string {
  switch (a.kind) {
    case 'scale-group-to-zero':
      return 'scaling to 0';
    case 'restore-group':
      return `restoring ${formatCapacity(a.restore)}`;
    case 'stop-instance':
      return 'stopping';
    case 'start-instance':
      return 'starting';
    case 'record-transition':
      return `recording the transition at ${formatTimestamp(a.transition)}`;
  }
}

function instanceId(a: InstanceAction | RecordAction): string {
  return a.kind === 'record-transition' ? a.resourceId : a.instanceId;
}

async function applyInstanceActions(ctx: Ctx, actions: readonly ScaleAction[], batchSize: number) {
  const stops = actions.filter((a): a is InstanceAction => a.kind === 'stop-instance');
  const starts = actions.filter((a): a is InstanceAction => a.kind === 'start-instance');
  const records = actions.filter(
    (a): a is RecordAction => a.kind === 'record-transition' && a.resourceType === 'instance',
  );
  const stopInstances = (ids: string[]) =>
    ctx.clients.ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
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
    for (const part of chunk(round, batchSize)) {
      if (outOfTime(ctx, part)) continue;
      stopped.push(...(await inHalvesOnRefusal(ctx, part, 'StopInstances', stopInstances)));
    }
  }
  const started: InstanceAction[] = [];
  for (const part of chunk(starts, batchSize)) {
    if (outOfTime(ctx, part)) continue;
    started.push(...(await inHalvesOnRefusal(ctx, part, 'StartInstances', startInstances)));
  }
  ctx.result.done.push(...stopped, ...started);

  // As for groups: the transition of what changed is written even when time is short.
  const bookkeeping = outOfTime(ctx, records) ? [] : records;
  const recorded = await recordTransitions(ctx, [...stopped, ...started, ...bookkeeping]);
  ctx.result.done.push(...bookkeeping.filter((a) => recorded.has(a)));
  // A started instance's marker has done its job; so has a stale one on an instance that is on.
  const unmark = [...started.map(instanceId), ...bookkeeping.filter((a) => a.dropMarker).map(instanceId)];
  for (const part of chunk(unmark, CREATE_TAGS_MAX_RESOURCES)) {
    await untagInstances(ctx, part, TAG.scaleToZeroStoppedAt);
  }
}

/**
 * Runs a Stop/Start call for a batch; if EC2 refuses the batch (one bad instance fails the whole
 * call), it is split in halves and each half tried on its own, down to single instances, so one
 * failure never holds the others back. Halves rather than one call per instance: one bad instance
 * among 100 costs 15 calls instead of 101, and a batch refused for throttling after the SDK's
 * retries (StartInstances' resource bucket starts 1000 instances at once, then 2 a second, so a
 * batch of 100 needs 50 s of refill) goes through as halves that fit the refilled tokens instead
 * of as 100 single calls. Measured on the sandbox at AWS's rate (one 280 s run, 3000 instances to
 * start): one call per instance started 1400 with 377 StartInstances calls, halves 1500 with 68.
 */
async function inHalvesOnRefusal(
  ctx: Ctx,
  batch: InstanceAction[],
  action: 'StopInstances' | 'StartInstances',
  call: (ids: string[]) => Promise<unknown>,
): Promise<InstanceAction[]> {
  try {
    await ctx.send(() => call(batch.map(instanceId)));
    return batch;
  } catch (err) {
    if (batch.length === 1) {
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
    ok.push(...(await inHalvesOnRefusal(ctx, half, action, call)));
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
