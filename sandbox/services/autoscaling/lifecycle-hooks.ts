/**
 * Auto Scaling lifecycle hooks: PutLifecycleHook (create or update, AWS's bounds), DescribeLifecycleHooks,
 * CompleteLifecycleAction (by token or instance id; an action already completed is AWS's
 * ValidationError "No active Lifecycle Action found"). `replaceGroupInstance` plays what a group
 * does when its instance is replaced: the old one goes, a new one launches, and with a launch hook
 * it waits in Pending:Wait with the EventBridge event Auto Scaling would send.
 */
import { SandboxError } from '../../protocol/errors';
import { indexedList, optionalInt, requiredParam } from '../../protocol/form';
import { members, type XmlObject } from '../../protocol/xml';
import type { SandboxState } from '../../state/account';
import type { RegionState } from '../../state/region';
import type { QueryAction } from '../types';
import { groupNotFound } from './common';

export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const MAX_HOOKS_PER_GROUP = 50;

export interface LifecycleHookRecord {
  name: string;
  groupName: string;
  transition: string;
  heartbeatTimeout: number;
  defaultResult: 'CONTINUE' | 'ABANDON';
  notificationMetadata?: string;
}

export interface LifecycleActionRecord {
  groupName: string;
  hookName: string;
  instanceId: string;
  token: string;
}

export interface CompletedLifecycleAction extends LifecycleActionRecord {
  result: 'CONTINUE' | 'ABANDON';
}

interface LifecycleState {
  /** group name -> hook name -> hook */
  hooks: Map<string, Map<string, LifecycleHookRecord>>;
  /** instance id -> the action it waits on (Pending:Wait) */
  active: Map<string, LifecycleActionRecord>;
  completed: CompletedLifecycleAction[];
}

function lifecycleOf(region: RegionState): LifecycleState {
  return region.store('autoscaling-lifecycle', () => ({
    hooks: new Map(),
    active: new Map(),
    completed: [],
  }));
}

/** A group's hooks (tests look inside). */
export function lifecycleHooks(region: RegionState, groupName: string): LifecycleHookRecord[] {
  return [...(lifecycleOf(region).hooks.get(groupName)?.values() ?? [])];
}

/** Every CompleteLifecycleAction the region accepted, in order (tests look inside). */
export function completedLifecycleActions(region: RegionState): CompletedLifecycleAction[] {
  return lifecycleOf(region).completed;
}

/** `Pending:Wait` while an instance waits on a launch hook, else undefined (the group decides). */
export function pendingLifecycleState(region: RegionState, instanceId: string): string | undefined {
  return lifecycleOf(region).active.has(instanceId) ? 'Pending:Wait' : undefined;
}

function renderHook(hook: LifecycleHookRecord): XmlObject {
  return {
    LifecycleHookName: hook.name,
    AutoScalingGroupName: hook.groupName,
    LifecycleTransition: hook.transition,
    NotificationMetadata: hook.notificationMetadata,
    HeartbeatTimeout: hook.heartbeatTimeout,
    GlobalTimeout: Math.min(hook.heartbeatTimeout * 100, 172800),
    DefaultResult: hook.defaultResult,
  };
}

const putLifecycleHook: QueryAction = (params, { region }) => {
  const groupName = requiredParam(params, 'AutoScalingGroupName');
  if (!region.getAutoScalingGroup(groupName)) throw groupNotFound(groupName);
  const name = requiredParam(params, 'LifecycleHookName');
  const state = lifecycleOf(region);
  const hooks = state.hooks.get(groupName) ?? new Map<string, LifecycleHookRecord>();
  const existing = hooks.get(name);
  const transition = params.get('LifecycleTransition') ?? existing?.transition;
  if (transition !== LAUNCHING && transition !== TERMINATING) {
    throw new SandboxError(
      'ValidationError',
      `Invalid Lifecycle Transition: ${transition ?? '(none)'}; expected ${LAUNCHING} or ${TERMINATING}`,
    );
  }
  const heartbeat = optionalInt(params, 'HeartbeatTimeout') ?? existing?.heartbeatTimeout ?? 3600;
  if (heartbeat < 30 || heartbeat > 7200) {
    throw new SandboxError(
      'ValidationError',
      `Heartbeat timeout ${heartbeat} must be between 30 and 7200 seconds`,
    );
  }
  const result = params.get('DefaultResult') ?? existing?.defaultResult ?? 'ABANDON';
  if (result !== 'CONTINUE' && result !== 'ABANDON') {
    throw new SandboxError(
      'ValidationError',
      `Invalid default result ${result}; expected CONTINUE or ABANDON`,
    );
  }
  if (!existing && hooks.size >= MAX_HOOKS_PER_GROUP) {
    throw new SandboxError(
      'LimitExceeded',
      `Group ${groupName} already has ${MAX_HOOKS_PER_GROUP} lifecycle hooks`,
    );
  }
  const metadata = params.get('NotificationMetadata') ?? existing?.notificationMetadata;
  hooks.set(name, {
    name,
    groupName,
    transition,
    heartbeatTimeout: heartbeat,
    defaultResult: result,
    ...(metadata !== undefined ? { notificationMetadata: metadata } : {}),
  });
  state.hooks.set(groupName, hooks);
  return {};
};

const describeLifecycleHooks: QueryAction = (params, { region }) => {
  const groupName = requiredParam(params, 'AutoScalingGroupName');
  if (!region.getAutoScalingGroup(groupName)) throw groupNotFound(groupName);
  const names = new Set(indexedList(params, 'LifecycleHookNames.member'));
  const hooks = lifecycleHooks(region, groupName).filter((h) => names.size === 0 || names.has(h.name));
  return { LifecycleHooks: members(hooks.map(renderHook)) };
};

const completeLifecycleAction: QueryAction = (params, { region }) => {
  const groupName = requiredParam(params, 'AutoScalingGroupName');
  const hookName = requiredParam(params, 'LifecycleHookName');
  const result = requiredParam(params, 'LifecycleActionResult');
  if (result !== 'CONTINUE' && result !== 'ABANDON') {
    throw new SandboxError(
      'ValidationError',
      `Invalid lifecycle action result ${result}; expected CONTINUE or ABANDON`,
    );
  }
  const token = params.get('LifecycleActionToken');
  const instanceId = params.get('InstanceId');
  if (!token && !instanceId) {
    throw new SandboxError('ValidationError', 'Either LifecycleActionToken or InstanceId must be given');
  }
  if (!lifecycleHooks(region, groupName).some((h) => h.name === hookName)) {
    throw new SandboxError(
      'ValidationError',
      `No Lifecycle Hook found with name ${hookName} for group ${groupName}`,
    );
  }
  const state = lifecycleOf(region);
  const action = [...state.active.values()].find(
    (a) =>
      a.groupName === groupName &&
      a.hookName === hookName &&
      (token ? a.token === token : true) &&
      (instanceId ? a.instanceId === instanceId : true),
  );
  if (!action) {
    throw new SandboxError(
      'ValidationError',
      token
        ? `No active Lifecycle Action found with token ${token}`
        : `No active Lifecycle Action found with instance ID ${instanceId}`,
    );
  }
  state.active.delete(action.instanceId);
  state.completed.push({ ...action, result });
  if (result === 'ABANDON') {
    const instance = region.getInstance(action.instanceId);
    if (instance) instance.state = 'terminated';
  }
  return {};
};

export const lifecycleHookActions = {
  PutLifecycleHook: putLifecycleHook,
  DescribeLifecycleHooks: describeLifecycleHooks,
  CompleteLifecycleAction: completeLifecycleAction,
};

/** The event Auto Scaling puts on EventBridge when an instance waits on a launch hook. */
export interface LaunchLifecycleEvent {
  version: '0';
  id: string;
  'detail-type': 'EC2 Instance-launch Lifecycle Action';
  source: 'aws.autoscaling';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    LifecycleActionToken: string;
    AutoScalingGroupName: string;
    LifecycleHookName: string;
    EC2InstanceId: string;
    LifecycleTransition: typeof LAUNCHING;
    NotificationMetadata?: string;
    Origin: 'EC2';
    Destination: 'AutoScalingGroup';
  };
}

export interface Replacement {
  oldInstanceIds: string[];
  newInstanceIds: string[];
  /** One per new instance that waits on a launch hook. */
  events: LaunchLifecycleEvent[];
}

/**
 * The group's live instances go (to `oldState`: `shutting-down` keeps holding volumes until the
 * test terminates it) and the group launches their replacements. `time` stamps the events.
 */
export function replaceGroupInstance(
  state: SandboxState,
  regionName: string,
  groupName: string,
  options: { oldState?: 'terminated' | 'shutting-down'; time?: string } = {},
): Replacement {
  const region = state.region(regionName);
  const group = region.getAutoScalingGroup(groupName);
  if (!group) throw new Error(`sandbox: no group ${groupName} in ${regionName}`);
  const oldInstanceIds = [...group.instanceIds];
  for (const id of oldInstanceIds) {
    const instance = region.getInstance(id);
    if (instance && instance.state !== 'terminated') instance.state = options.oldState ?? 'terminated';
  }
  region.reconcileGroupInstances(group);
  const newInstanceIds = group.instanceIds.filter((id) => !oldInstanceIds.includes(id));
  const lifecycle = lifecycleOf(region);
  const events: LaunchLifecycleEvent[] = [];
  for (const instanceId of newInstanceIds) {
    for (const hook of lifecycleHooks(region, groupName).filter((h) => h.transition === LAUNCHING)) {
      const token = state.ids.next('token').slice(6);
      lifecycle.active.set(instanceId, { groupName, hookName: hook.name, instanceId, token });
      events.push({
        version: '0',
        id: state.ids.next('event').slice(6),
        'detail-type': 'EC2 Instance-launch Lifecycle Action',
        source: 'aws.autoscaling',
        account: state.accountId,
        time: options.time ?? '2026-12-01T12:00:00Z',
        region: regionName,
        resources: [group.arn],
        detail: {
          LifecycleActionToken: token,
          AutoScalingGroupName: groupName,
          LifecycleHookName: hook.name,
          EC2InstanceId: instanceId,
          LifecycleTransition: LAUNCHING,
          ...(hook.notificationMetadata !== undefined
            ? { NotificationMetadata: hook.notificationMetadata }
            : {}),
          Origin: 'EC2',
          Destination: 'AutoScalingGroup',
        },
      });
    }
  }
  return { oldInstanceIds, newInstanceIds, events };
}
