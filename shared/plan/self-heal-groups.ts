/**
 * What the self-heal plan reads: the records of groups, their instances, hooks, Elastic IPs and
 * volumes, and what an opted-in group's tags ask for, every value checked. A value that cannot be
 * read skips the whole group with the tag, the value and what was expected. Pure.
 */
import { readOptInTag, type TagProblem, type Tags } from '../tags';

export const SELF_HEAL_TAG = 'SelfHeal';
export const ELASTIC_IP_TAG = 'SelfHealElasticIp';
export const VOLUME_TAG = 'SelfHealVolume';
export const DEVICE_TAG = 'SelfHealDevice';
export const DEFAULT_DEVICE = '/dev/xvdf';
export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';

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
