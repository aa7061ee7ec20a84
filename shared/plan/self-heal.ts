/**
 * The self-heal function's decision: for each Auto Scaling group tagged SelfHeal=true, whether its
 * launch lifecycle hook must be written, and for its instance what to do with the group's Elastic
 * IP and data volume; on a launch event, whether to heal and CONTINUE or to ABANDON. Every group
 * and instance looked at gets a reason. Pure: the adapter reads the account, the apply step writes
 * (and waits for a volume the old instance still holds, which needs the clock).
 */
import { readOptInTag, type TagProblem, type Tags } from '../tags';

export const SELF_HEAL_TAG = 'SelfHeal';
export const ELASTIC_IP_TAG = 'SelfHealElasticIp';
export const VOLUME_TAG = 'SelfHealVolume';
export const DEVICE_TAG = 'SelfHealDevice';
export const DEFAULT_DEVICE = '/dev/xvdf';
export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
/**
 * If the function cannot answer (down, throttled, out of time), the instance still comes up and the
 * scheduled run attaches what it can; ABANDON would turn an outage of ours into a launch loop.
 */
export const HOOK_DEFAULT_RESULT = 'CONTINUE';

const ALLOCATION_ID = /^eipalloc-[0-9a-f]{8}([0-9a-f]{9})?$/;
const VOLUME_ID = /^vol-[0-9a-f]{8}([0-9a-f]{9})?$/;
/** AttachVolume's Linux names for data volumes; the root device (sda/xvda) is never a data volume. */
const DEVICE = /^\/dev\/(sd|xvd)[b-z]$/;

export interface GroupInstance {
  id: string;
  availabilityZone: string;
  /** Auto Scaling's LifecycleState: Pending:Wait, InService, Terminating, … */
  lifecycleState: string;
}

export interface SelfHealGroup {
  name: string;
  tags: Tags;
  /** Tag keys the group copies onto the instances it launches. */
  propagatedTags: readonly string[];
  maxSize: number;
  availabilityZones: readonly string[];
  instances: readonly GroupInstance[];
}

export interface LifecycleHook {
  name: string;
  transition: string;
  heartbeatTimeout: number;
  defaultResult: string;
}

export interface ElasticIp {
  allocationId: string;
  publicIp: string;
  instanceId?: string;
  tags: Tags;
}

export interface DataVolume {
  id: string;
  availabilityZone: string;
  /** creating | available | in-use | deleting | deleted | error */
  state: string;
  attachedTo?: { instanceId: string; device: string };
  tags: Tags;
}

export interface SelfHealInventory {
  groups: readonly SelfHealGroup[];
  /** Group name -> the fleet's hook on it, or undefined when it has none. Not read for an event. */
  hooks?: ReadonlyMap<string, LifecycleHook | undefined>;
  addresses: ReadonlyMap<string, ElasticIp>;
  volumes: ReadonlyMap<string, DataVolume>;
}

/** The part of an "EC2 Instance-launch Lifecycle Action" event the plan needs. */
export interface LaunchEvent {
  groupName: string;
  instanceId: string;
  hookName: string;
  token: string;
}

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

/** What an opted-in group asks for, read from its tags. */
export interface GroupWants {
  address?: ElasticIp;
  volume?: DataVolume;
  device: string;
}

type Reading =
  | { kind: 'ignore'; reason: string; quiet: boolean }
  | { kind: 'skip'; reason: string; tagProblem?: TagProblem }
  | { kind: 'ok'; wants: GroupWants };

type Skip = Extract<Reading, { kind: 'skip' }>;

function tagSkip(group: string, tag: string, value: string, expected: string): Skip {
  const tagProblem: TagProblem = { resourceId: group, tag, value, expected };
  return {
    kind: 'skip',
    reason: `tag ${tag}=${JSON.stringify(value)} is not readable; expected ${expected}: group skipped, nothing touched`,
    tagProblem,
  };
}

/** The resource an id tag names, when the tag is well formed and the resource can be acted on. */
function readResourceTag<T extends { tags: Tags }>(
  group: SelfHealGroup,
  tag: string,
  pattern: RegExp,
  what: string,
  lookup: ReadonlyMap<string, T>,
): { kind: 'absent' } | { kind: 'found'; value: T } | Skip {
  const raw = group.tags[tag];
  if (raw === undefined) return { kind: 'absent' };
  const id = raw.trim();
  if (!pattern.test(id))
    return tagSkip(
      group.name,
      tag,
      raw,
      `${what} id such as ${pattern === VOLUME_ID ? 'vol-0123456789abcdef0' : 'eipalloc-0123456789abcdef0'}`,
    );
  const found = lookup.get(id);
  if (!found) return tagSkip(group.name, tag, raw, `the id of ${what} that exists in this region`);
  const optIn = readOptInTag(found.tags, SELF_HEAL_TAG, id);
  if (optIn.kind !== 'ok' || !optIn.value) {
    return {
      kind: 'skip',
      reason: `${what} ${id} is not tagged ${SELF_HEAL_TAG}=true: the function's role may act only on resources tagged so; group skipped`,
    };
  }
  return { kind: 'found', value: found };
}

/** The group's opt-in and its tags, validated; any unreadable value skips the whole group. */
export function readGroup(group: SelfHealGroup, inventory: SelfHealInventory): Reading {
  const optIn = readOptInTag(group.tags, SELF_HEAL_TAG, group.name);
  if (optIn.kind === 'absent')
    return { kind: 'ignore', reason: 'no SelfHeal tag: never touched', quiet: true };
  if (optIn.kind === 'invalid') {
    const p = optIn.problem;
    return tagSkip(group.name, p.tag, p.value, p.expected);
  }
  if (!optIn.value) return { kind: 'ignore', reason: 'SelfHeal=false: never touched', quiet: false };
  if (!group.propagatedTags.includes(SELF_HEAL_TAG)) {
    return tagSkip(
      group.name,
      SELF_HEAL_TAG,
      group.tags[SELF_HEAL_TAG]!,
      'true with PropagateAtLaunch on (the role attaches and associates only to instances tagged SelfHeal=true)',
    );
  }
  const address = readResourceTag(group, ELASTIC_IP_TAG, ALLOCATION_ID, 'an Elastic IP', inventory.addresses);
  if (address.kind === 'skip') return address;
  const volume = readResourceTag(group, VOLUME_TAG, VOLUME_ID, 'an EBS volume', inventory.volumes);
  if (volume.kind === 'skip') return volume;
  const rawDevice = group.tags[DEVICE_TAG];
  if (rawDevice !== undefined && !DEVICE.test(rawDevice.trim())) {
    return tagSkip(
      group.name,
      DEVICE_TAG,
      rawDevice,
      'a data device name /dev/sd[b-z] or /dev/xvd[b-z], e.g. /dev/xvdf',
    );
  }
  if (address.kind === 'absent' && volume.kind === 'absent') {
    return tagSkip(
      group.name,
      ELASTIC_IP_TAG,
      '',
      `${ELASTIC_IP_TAG}=eipalloc-… and/or ${VOLUME_TAG}=vol-… beside SelfHeal=true`,
    );
  }
  if (group.maxSize > 1) {
    return {
      kind: 'skip',
      reason: `MaxSize is ${group.maxSize}: self-heal is for a group of one (an Elastic IP and a volume can be on one instance only); group skipped`,
    };
  }
  return {
    kind: 'ok',
    wants: {
      ...(address.kind === 'found' ? { address: address.value } : {}),
      ...(volume.kind === 'found' ? { volume: volume.value } : {}),
      device: rawDevice?.trim() ?? DEFAULT_DEVICE,
    },
  };
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
