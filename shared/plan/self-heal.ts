/**
 * The self-heal function's decision: for each Auto Scaling group tagged SelfHeal=true, whether its
 * launch lifecycle hook must be written, and for its instance what to do with the group's Elastic
 * IP and data volume; on a launch event, whether to heal and CONTINUE or to ABANDON. Every group
 * and instance looked at gets a reason. Pure: the adapter reads the account, the apply step writes
 * (and waits for a volume the old instance still holds, which needs the clock).
 */
import {
  LAUNCHING,
  readGroup,
  type DataVolume,
  type GroupInstance,
  type GroupWants,
  type LaunchEvent,
  type LifecycleHook,
  type SelfHealGroup,
  type SelfHealInventory,
} from './self-heal-groups';
import type { TagProblem } from '../tags';

export * from './self-heal-groups';

/**
 * If the function cannot answer (down, throttled, out of time), the instance still comes up and the
 * scheduled run attaches what it can; ABANDON would turn an outage of ours into a launch loop.
 */
export const HOOK_DEFAULT_RESULT = 'CONTINUE';

export interface SelfHealConfig {
  hookName: string;
  heartbeatTimeoutSeconds: number;
}

export interface HookWrite {
  groupName: string;
  hookName: string;
  heartbeatTimeout: number;
  defaultResult: typeof HOOK_DEFAULT_RESULT;
}

export interface Heal {
  groupName: string;
  instanceId: string;
  availabilityZone: string;
  address?: { allocationId: string; publicIp: string; associate: boolean };
  /** attach: available now; wait: the old instance still holds it; attached: already on this instance. */
  volume?: { volumeId: string; device: string; step: 'attach' | 'wait' | 'attached' };
  /** On a launch event: the lifecycle action to complete with CONTINUE once the steps are done. */
  complete?: { hookName: string; token: string };
}

export interface Abandon {
  groupName: string;
  instanceId: string;
  hookName: string;
  token: string;
  reason: string;
}

export type SelfHealAction = 'heal' | 'keep' | 'hook' | 'abandon' | 'skip' | 'ignore';

export interface SelfHealDecision {
  resourceId: string;
  action: SelfHealAction;
  reason: string;
  tagProblem?: TagProblem;
}

export interface SelfHealPlan {
  hooks: HookWrite[];
  /** Only heals with something to do, or a lifecycle action to complete. */
  heals: Heal[];
  abandons: Abandon[];
  decisions: SelfHealDecision[];
  skipped: { resourceId: string; reason: string; tagProblem?: TagProblem }[];
  /** Worth knowing, no action: a volume held by another instance, a group not pinned to its zone. */
  reported: { resourceId: string; reason: string }[];
  groupsOptedIn: number;
}
/** The hook the group should have, and why it is (re)written, or undefined when it is right. */
function hookChange(
  group: string,
  existing: LifecycleHook | undefined,
  config: SelfHealConfig,
): { write: HookWrite; why: string } | undefined {
  const write: HookWrite = {
    groupName: group,
    hookName: config.hookName,
    heartbeatTimeout: config.heartbeatTimeoutSeconds,
    defaultResult: HOOK_DEFAULT_RESULT,
  };
  if (!existing) return { write, why: `launch hook ${config.hookName} missing: created` };
  const differs = [
    existing.transition !== LAUNCHING ? 'transition' : '',
    existing.heartbeatTimeout !== config.heartbeatTimeoutSeconds ? 'heartbeat timeout' : '',
    existing.defaultResult !== HOOK_DEFAULT_RESULT ? 'default result' : '',
  ].filter((d) => d !== '');
  return differs.length > 0
    ? { write, why: `launch hook ${config.hookName} differs (${differs.join(', ')}): rewritten` }
    : undefined;
}

/** Why a volume cannot be attached to an instance in `zone` ever, or undefined. */
function volumeBlocked(volume: DataVolume, zone: string): string | undefined {
  if (volume.availabilityZone !== zone) {
    return `volume ${volume.id} is in ${volume.availabilityZone} and the instance in ${zone}: EBS cannot attach across zones; pin the group to ${volume.availabilityZone}`;
  }
  if (['error', 'deleting', 'deleted'].includes(volume.state))
    return `volume ${volume.id} is ${volume.state}`;
  return undefined;
}

/** The steps that put the group's address and volume on `instance`; notes say what each found. */
export function healFor(
  group: SelfHealGroup,
  wants: GroupWants,
  instance: GroupInstance,
): { heal: Heal; notes: string[] } {
  const heal: Heal = {
    groupName: group.name,
    instanceId: instance.id,
    availabilityZone: instance.availabilityZone,
  };
  const notes: string[] = [];
  const a = wants.address;
  if (a) {
    const associate = a.instanceId !== instance.id;
    heal.address = { allocationId: a.allocationId, publicIp: a.publicIp, associate };
    notes.push(
      associate
        ? `Elastic IP ${a.allocationId} (${a.publicIp}) ${a.instanceId ? `on ${a.instanceId}` : 'unassociated'}: associate`
        : `Elastic IP ${a.allocationId} already on it`,
    );
  }
  const v = wants.volume;
  if (v) {
    const step: 'attach' | 'wait' | 'attached' =
      v.attachedTo?.instanceId === instance.id
        ? 'attached'
        : v.state === 'available' && !v.attachedTo
          ? 'attach'
          : 'wait';
    heal.volume = { volumeId: v.id, device: v.attachedTo?.device ?? wants.device, step };
    notes.push(
      step === 'attached'
        ? `volume ${v.id} already attached at ${v.attachedTo!.device}`
        : step === 'attach'
          ? `volume ${v.id} available: attach at ${wants.device}`
          : `volume ${v.id} ${v.attachedTo ? `still attached to ${v.attachedTo.instanceId}` : v.state}: wait until available, then attach at ${wants.device}`,
    );
  }
  return { heal, notes };
}

const hasWork = (h: Heal) =>
  h.address?.associate === true || (h.volume !== undefined && h.volume.step !== 'attached');

function planEvent(
  plan: SelfHealPlan,
  group: SelfHealGroup,
  wants: GroupWants,
  event: LaunchEvent,
  config: SelfHealConfig,
): void {
  if (event.hookName !== config.hookName) {
    plan.decisions.push({
      resourceId: event.instanceId,
      action: 'ignore',
      reason: `launch event of hook ${event.hookName}, not the fleet's ${config.hookName}: left alone`,
    });
    return;
  }
  const instance = group.instances.find((i) => i.id === event.instanceId);
  if (!instance) {
    plan.decisions.push({
      resourceId: event.instanceId,
      action: 'ignore',
      reason: `no longer an instance of group ${group.name} (terminated or abandoned): nothing to complete`,
    });
    return;
  }
  const blocked = wants.volume && volumeBlocked(wants.volume, instance.availabilityZone);
  if (blocked) {
    const reason = `${blocked}: launch abandoned`;
    plan.abandons.push({
      groupName: group.name,
      instanceId: instance.id,
      hookName: event.hookName,
      token: event.token,
      reason,
    });
    plan.decisions.push({ resourceId: instance.id, action: 'abandon', reason });
    return;
  }
  const { heal, notes } = healFor(group, wants, instance);
  heal.complete = { hookName: event.hookName, token: event.token };
  plan.heals.push(heal);
  plan.decisions.push({
    resourceId: instance.id,
    action: 'heal',
    reason: `launch of group ${group.name}: ${notes.join('; ')}; then CONTINUE`,
  });
}

function planReconcile(
  plan: SelfHealPlan,
  group: SelfHealGroup,
  wants: GroupWants,
  inventory: SelfHealInventory,
  config: SelfHealConfig,
): void {
  const change = inventory.hooks && hookChange(group.name, inventory.hooks.get(group.name), config);
  if (change) plan.hooks.push(change.write);
  plan.decisions.push({
    resourceId: group.name,
    action: change ? 'hook' : 'keep',
    reason: change ? change.why : `launch hook ${config.hookName} present`,
  });
  const v = wants.volume;
  if (v && !group.availabilityZones.every((z) => z === v.availabilityZone)) {
    plan.reported.push({
      resourceId: group.name,
      reason: `spans ${group.availabilityZones.join(', ')} but volume ${v.id} is in ${v.availabilityZone}: a launch in another zone is abandoned; pin the group to ${v.availabilityZone}`,
    });
  }
  for (const instance of [...group.instances].sort((a, b) => a.id.localeCompare(b.id))) {
    if (instance.lifecycleState !== 'InService') {
      const reason =
        instance.lifecycleState === 'Pending:Wait'
          ? 'waits on its launch hook: left to the launch event'
          : `${instance.lifecycleState}: left alone`;
      plan.decisions.push({ resourceId: instance.id, action: 'ignore', reason });
      continue;
    }
    const { heal, notes } = healFor(group, wants, instance);
    const blocked =
      v && heal.volume?.step !== 'attached' ? volumeBlocked(v, instance.availabilityZone) : undefined;
    if (blocked) {
      delete heal.volume;
      plan.reported.push({ resourceId: instance.id, reason: `${blocked}: not attached` });
    } else if (heal.volume?.step === 'wait') {
      // On schedule nothing waits: an instance in service whose volume another holds is reported.
      plan.reported.push({
        resourceId: instance.id,
        reason: `volume ${v!.id} is ${v!.attachedTo ? `attached to ${v!.attachedTo.instanceId}` : v!.state}: not attached; the fleet never detaches a volume`,
      });
      delete heal.volume;
    }
    if (hasWork(heal)) {
      plan.heals.push(heal);
      plan.decisions.push({
        resourceId: instance.id,
        action: 'heal',
        reason: `in service without the hook's work (reconciled): ${notes.join('; ')}`,
      });
    } else {
      plan.decisions.push({ resourceId: instance.id, action: 'keep', reason: notes.join('; ') });
    }
  }
}

/**
 * `event` set: only that launch is judged (its group must be in the inventory); absent: the
 * scheduled run ensures hooks and reconciles every opted-in group's instance in service.
 */
export function planSelfHeal(input: {
  inventory: SelfHealInventory;
  config: SelfHealConfig;
  event?: LaunchEvent;
}): SelfHealPlan {
  const { inventory, config, event } = input;
  const plan: SelfHealPlan = {
    hooks: [],
    heals: [],
    abandons: [],
    decisions: [],
    skipped: [],
    reported: [],
    groupsOptedIn: 0,
  };
  const groups = [...inventory.groups]
    .filter((g) => !event || g.name === event.groupName)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (event && groups.length === 0) {
    plan.decisions.push({
      resourceId: event.groupName,
      action: 'ignore',
      reason: 'the launch event names a group that does not exist (deleted?): nothing to do',
    });
  }
  for (const group of groups) {
    const reading = readGroup(group, inventory);
    if (reading.kind === 'ignore') {
      if (!reading.quiet || event)
        plan.decisions.push({ resourceId: group.name, action: 'ignore', reason: reading.reason });
      continue;
    }
    if (reading.kind === 'skip') {
      const reason = event
        ? `${reading.reason}; its lifecycle action is left to the hook's timeout`
        : reading.reason;
      const tag = reading.tagProblem ? { tagProblem: reading.tagProblem } : {};
      plan.skipped.push({ resourceId: group.name, reason, ...tag });
      plan.decisions.push({ resourceId: group.name, action: 'skip', reason, ...tag });
      continue;
    }
    plan.groupsOptedIn++;
    if (event) planEvent(plan, group, reading.wants, event, config);
    else planReconcile(plan, group, reading.wants, inventory, config);
  }
  return plan;
}
