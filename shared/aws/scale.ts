/**
 * Scale-to-zero's AWS I/O: the inventory of groups and instances tagged ScaleToZero, and carrying
 * out a plan's actions. SDK shapes stop here. A failure on one resource is recorded and the others
 * go on; because the transition tag is written only after an action worked, whatever failed (an
 * InsufficientInstanceCapacity start, a throttled update) is simply acted on again by the next run.
 */
import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  paginateDescribeAutoScalingGroups,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';

import type { AutoScalingGroupRecord, LaunchTemplateRef, ScalableInstanceRecord } from '../domain';
import type { RunFailure } from '../events';
import { formatCapacity, type ScaleAction } from '../plan/scale';
import { formatTimestamp, TAG, tagsFromList } from '../tags';
import type { AwsClients } from './clients';
import { mapWithConcurrency } from './concurrency';
import { errorText } from './inventory';
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
      const record = toGroup(g);
      // Belt and braces: an endpoint that ignored the filter must still not widen what we touch.
      if (record.tags[TAG.scaleToZero] !== undefined) out.push(record);
    }
  }
  return out;
}

function toGroup(g: AutoScalingGroup): AutoScalingGroupRecord {
  const launchTemplates: LaunchTemplateRef[] = [];
  const spec = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (spec) {
    const ref: LaunchTemplateRef = { version: spec.Version ?? '$Default' };
    if (spec.LaunchTemplateId) ref.templateId = spec.LaunchTemplateId;
    if (spec.LaunchTemplateName) ref.templateName = spec.LaunchTemplateName;
    launchTemplates.push(ref);
  }
  const record: AutoScalingGroupRecord = {
    name: g.AutoScalingGroupName ?? '',
    launchTemplates,
    minSize: g.MinSize ?? 0,
    maxSize: g.MaxSize ?? 0,
    desiredCapacity: g.DesiredCapacity ?? 0,
    tags: tagsFromList(g.Tags),
    instanceIds: (g.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
  };
  if (g.LaunchConfigurationName) record.launchConfigurationName = g.LaunchConfigurationName;
  return record;
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
  /** Instances per StopInstances/StartInstances call. */
  batchSize?: number;
  /** Groups worked on at once. */
  groupConcurrency?: number;
}

type GroupAction = Extract<ScaleAction, { kind: 'scale-group-to-zero' | 'restore-group' }>;
type InstanceAction = Extract<ScaleAction, { kind: 'stop-instance' | 'start-instance' }>;
type RecordAction = Extract<ScaleAction, { kind: 'record-transition' }>;

export const INSTANCE_BATCH = 100;

export async function applyScaleActions(
  clients: AwsClients,
  actions: readonly ScaleAction[],
  options: ScaleApplyOptions,
): Promise<ScaleApplyResult> {
  const hasTime = options.hasTime ?? (() => true);
  const result: ScaleApplyResult = { done: [], failures: [], notTried: [], incomplete: false, calls: 0 };
  const send = async <T>(call: () => Promise<T>): Promise<T> => {
    result.calls += 1;
    return call();
  };
  const ctx: Ctx = { clients, now: options.now, hasTime, result, send };

  const groupActions = actions.filter(
    (a): a is GroupAction | RecordAction =>
      a.kind === 'scale-group-to-zero' ||
      a.kind === 'restore-group' ||
      (a.kind === 'record-transition' && a.resourceType === 'auto-scaling-group'),
  );
  await mapWithConcurrency(groupActions, options.groupConcurrency ?? 4, (a) => applyGroupAction(ctx, a));

  const batch = options.batchSize ?? INSTANCE_BATCH;
  const stops = actions.filter((a): a is InstanceAction => a.kind === 'stop-instance');
  const starts = actions.filter((a): a is InstanceAction => a.kind === 'start-instance');
  for (const part of chunk(stops, batch)) await stopBatch(ctx, part);
  for (const part of chunk(starts, batch)) await startBatch(ctx, part);
  const records = actions.filter(
    (a): a is RecordAction => a.kind === 'record-transition' && a.resourceType === 'instance',
  );
  for (const part of chunk(records, CREATE_TAGS_MAX_RESOURCES)) await recordInstances(ctx, part);
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
  if (ctx.hasTime()) return false;
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

async function applyGroupAction(ctx: Ctx, a: GroupAction | RecordAction): Promise<void> {
  if (outOfTime(ctx, [a])) return;
  const { clients, send } = ctx;
  const group = a.kind === 'record-transition' ? a.resourceId : a.group;
  const transitionTag = groupTag(group, TAG.scaleToZeroLastTransition, formatTimestamp(a.transition));
  let step = 'CreateOrUpdateTags';
  try {
    if (a.kind === 'scale-group-to-zero') {
      // Remember first: if the update then fails, the sizes are still on the group for the retry.
      await send(() =>
        clients.autoScaling.send(
          new CreateOrUpdateTagsCommand({
            Tags: [groupTag(group, TAG.scaleToZeroSavedCapacity, formatCapacity(a.saved))],
          }),
        ),
      );
      step = 'UpdateAutoScalingGroup';
      await send(() =>
        clients.autoScaling.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: group,
            MinSize: 0,
            DesiredCapacity: 0,
            MaxSize: 0,
          }),
        ),
      );
    } else if (a.kind === 'restore-group') {
      step = 'UpdateAutoScalingGroup';
      await send(() =>
        clients.autoScaling.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: group,
            MinSize: a.restore.min,
            DesiredCapacity: a.restore.desired,
            MaxSize: a.restore.max,
          }),
        ),
      );
    }
    step = 'CreateOrUpdateTags';
    await send(() => clients.autoScaling.send(new CreateOrUpdateTagsCommand({ Tags: [transitionTag] })));
    ctx.result.done.push(a);
  } catch (err) {
    ctx.result.failures.push({
      resourceId: group,
      action: step,
      message: `${describe(a)} failed (${errorText(err)}); the next run tries again`,
    });
    return;
  }
  if (a.kind === 'restore-group') {
    try {
      await send(() =>
        clients.autoScaling.send(
          new DeleteGroupTagsCommand({
            Tags: [{ ...groupTag(group, TAG.scaleToZeroSavedCapacity, ''), Value: undefined }],
          }),
        ),
      );
    } catch (err) {
      // The group is back at its sizes; a leftover tag is only overwritten by the next scale-down.
      ctx.result.failures.push({
        resourceId: group,
        action: 'DeleteTags',
        message: `restored, but could not remove ${TAG.scaleToZeroSavedCapacity} (${errorText(err)})`,
      });
    }
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

function instanceId(a: InstanceAction): string {
  return a.instanceId;
}

/**
 * Runs a Stop/Start call for a batch; if EC2 refuses the batch (one bad instance fails the whole
 * call), each instance is tried alone so one failure never holds the others back.
 */
async function eachOrOne(
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
  const ok: InstanceAction[] = [];
  for (const a of batch) {
    if (outOfTime(ctx, [a])) continue;
    ok.push(...(await eachOrOne(ctx, [a], action, call)));
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

/** The transition tag, written per distinct transition (instances on different schedules differ). */
async function recordTransitions(ctx: Ctx, actions: readonly ScaleAction[]): Promise<ScaleAction[]> {
  const byTransition = new Map<string, ScaleAction[]>();
  for (const a of actions) {
    const key = formatTimestamp(a.transition);
    byTransition.set(key, [...(byTransition.get(key) ?? []), a]);
  }
  const recorded: ScaleAction[] = [];
  for (const [stamp, group] of byTransition) {
    const ids = group.map((a) =>
      a.kind === 'record-transition' ? a.resourceId : (a as InstanceAction).instanceId,
    );
    if (
      await tagInstances(ctx, ids, { [TAG.scaleToZeroLastTransition]: stamp }, TAG.scaleToZeroLastTransition)
    ) {
      recorded.push(...group);
    }
  }
  return recorded;
}

async function stopBatch(ctx: Ctx, batch: InstanceAction[]): Promise<void> {
  if (outOfTime(ctx, batch)) return;
  // The marker goes on before the stop, so an instance we stopped can always be told apart from
  // one a person stopped (only ours are started again).
  const ids = batch.map(instanceId);
  if (
    !(await tagInstances(
      ctx,
      ids,
      { [TAG.scaleToZeroStoppedAt]: formatTimestamp(ctx.now) },
      TAG.scaleToZeroStoppedAt,
    ))
  ) {
    return;
  }
  const stopped = await eachOrOne(ctx, batch, 'StopInstances', (part) =>
    ctx.clients.ec2.send(new StopInstancesCommand({ InstanceIds: part })),
  );
  ctx.result.done.push(...(await recordTransitions(ctx, stopped)));
}

async function startBatch(ctx: Ctx, batch: InstanceAction[]): Promise<void> {
  if (outOfTime(ctx, batch)) return;
  const started = await eachOrOne(ctx, batch, 'StartInstances', (part) =>
    ctx.clients.ec2.send(new StartInstancesCommand({ InstanceIds: part })),
  );
  const recorded = await recordTransitions(ctx, started);
  ctx.result.done.push(...recorded);
  await untagInstances(ctx, started.map(instanceId), TAG.scaleToZeroStoppedAt);
}

async function recordInstances(ctx: Ctx, batch: RecordAction[]): Promise<void> {
  if (outOfTime(ctx, batch)) return;
  const recorded = await recordTransitions(ctx, batch);
  ctx.result.done.push(...recorded);
  const drop = batch.filter((a) => a.dropMarker).map((a) => a.resourceId);
  await untagInstances(ctx, drop, TAG.scaleToZeroStoppedAt);
}
