/**
 * The self-heal function's AWS I/O: read the opted-in groups (with their instances and the fleet's
 * launch hook), the Elastic IPs and volumes their tags name; write hooks, associate addresses,
 * attach volumes and complete lifecycle actions. A failed call is recorded against its resource
 * and the run goes on; a launch that could not be healed is abandoned with the reason.
 */
import {
  CompleteLifecycleActionCommand,
  DescribeLifecycleHooksCommand,
  PutLifecycleHookCommand,
  paginateDescribeAutoScalingGroups,
  type AutoScalingClient,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  AssociateAddressCommand,
  AttachVolumeCommand,
  DescribeAddressesCommand,
  paginateDescribeVolumes,
  type EC2Client,
  type Volume,
} from '@aws-sdk/client-ec2';

import type { RunFailure } from '../events';
import {
  ELASTIC_IP_TAG,
  LAUNCHING,
  SELF_HEAL_TAG,
  VOLUME_TAG,
  type DataVolume,
  type ElasticIp,
  type Heal,
  type LifecycleHook,
  type SelfHealGroup,
  type SelfHealInventory,
  type SelfHealPlan,
} from '../plan/self-heal';
import { tagsFromList } from '../tags';
import { chunk } from './tagging';
import { errorText } from '../errors';

export interface SelfHealReadResult extends SelfHealInventory {
  calls: {
    describeGroups: number;
    describeHooks: number;
    describeAddresses: number;
    describeVolumes: number;
  };
}

/** EC2 takes up to 200 values in one filter. */
const FILTER_VALUES = 200;

function toGroup(g: AutoScalingGroup): SelfHealGroup {
  return {
    name: g.AutoScalingGroupName ?? '',
    tags: tagsFromList(g.Tags),
    propagatedTags: (g.Tags ?? []).filter((t) => t.PropagateAtLaunch && t.Key).map((t) => t.Key!),
    maxSize: g.MaxSize ?? 0,
    availabilityZones: g.AvailabilityZones ?? [],
    instances: (g.Instances ?? []).map((i) => ({
      id: i.InstanceId ?? '',
      availabilityZone: i.AvailabilityZone ?? '',
      lifecycleState: i.LifecycleState ?? 'unknown',
    })),
  };
}

function toVolume(v: Volume): DataVolume {
  const attachment = (v.Attachments ?? []).find((a) => a.State !== 'detached');
  return {
    id: v.VolumeId ?? '',
    availabilityZone: v.AvailabilityZone ?? '',
    state: v.State ?? 'unknown',
    ...(attachment?.InstanceId
      ? { attachedTo: { instanceId: attachment.InstanceId, device: attachment.Device ?? '' } }
      : {}),
    tags: tagsFromList(v.Tags),
  };
}

/** Filters instead of id lists: one id that does not exist must not fail the read of the others. */
async function readVolumes(
  ec2: EC2Client,
  ids: string[],
  calls: SelfHealReadResult['calls'],
): Promise<Map<string, DataVolume>> {
  const out = new Map<string, DataVolume>();
  for (const batch of chunk(ids, FILTER_VALUES)) {
    for await (const page of paginateDescribeVolumes(
      { client: ec2, pageSize: 500 },
      { Filters: [{ Name: 'volume-id', Values: batch }] },
    )) {
      calls.describeVolumes++;
      for (const v of page.Volumes ?? []) if (v.VolumeId) out.set(v.VolumeId, toVolume(v));
    }
  }
  return out;
}

async function readAddresses(
  ec2: EC2Client,
  ids: string[],
  calls: SelfHealReadResult['calls'],
): Promise<Map<string, ElasticIp>> {
  const out = new Map<string, ElasticIp>();
  for (const batch of chunk(ids, FILTER_VALUES)) {
    calls.describeAddresses++;
    const page = await ec2.send(
      new DescribeAddressesCommand({ Filters: [{ Name: 'allocation-id', Values: batch }] }),
    );
    for (const a of page.Addresses ?? []) {
      if (!a.AllocationId) continue;
      out.set(a.AllocationId, {
        allocationId: a.AllocationId,
        publicIp: a.PublicIp ?? '',
        ...(a.InstanceId ? { instanceId: a.InstanceId } : {}),
        tags: tagsFromList(a.Tags),
      });
    }
  }
  return out;
}

/** The volume's state now (the wait loop's poll). */
export async function readVolume(ec2: EC2Client, id: string): Promise<DataVolume | undefined> {
  const calls = { describeGroups: 0, describeHooks: 0, describeAddresses: 0, describeVolumes: 0 };
  return (await readVolumes(ec2, [id], calls)).get(id);
}

/**
 * `groupName` set (a launch event): only that group, and no hooks; otherwise every group carrying
 * a SelfHeal tag, each with the fleet's hook.
 */
export async function readSelfHealInventory(
  clients: { ec2: EC2Client; autoScaling: AutoScalingClient },
  options: { hookName: string; groupName?: string },
): Promise<SelfHealReadResult> {
  const calls = { describeGroups: 0, describeHooks: 0, describeAddresses: 0, describeVolumes: 0 };
  const groups: SelfHealGroup[] = [];
  const input = options.groupName
    ? { AutoScalingGroupNames: [options.groupName] }
    : { Filters: [{ Name: 'tag-key', Values: [SELF_HEAL_TAG] }] };
  for await (const page of paginateDescribeAutoScalingGroups(
    { client: clients.autoScaling, pageSize: 100 },
    input,
  )) {
    calls.describeGroups++;
    for (const g of page.AutoScalingGroups ?? []) if (g.AutoScalingGroupName) groups.push(toGroup(g));
  }
  const named = (tag: string, prefix: string) => [
    ...new Set(groups.map((g) => g.tags[tag]?.trim() ?? '').filter((id) => id.startsWith(prefix))),
  ];
  const allocationIds = named(ELASTIC_IP_TAG, 'eipalloc-');
  const volumeIds = named(VOLUME_TAG, 'vol-');
  const addresses =
    allocationIds.length > 0 ? await readAddresses(clients.ec2, allocationIds, calls) : new Map();
  const volumes = volumeIds.length > 0 ? await readVolumes(clients.ec2, volumeIds, calls) : new Map();
  const result: SelfHealReadResult = { groups, addresses, volumes, calls };
  if (!options.groupName) {
    const hooks = new Map<string, LifecycleHook | undefined>();
    for (const g of groups) {
      if (g.tags[SELF_HEAL_TAG]?.toLowerCase() !== 'true') continue;
      calls.describeHooks++;
      const out = await clients.autoScaling.send(
        new DescribeLifecycleHooksCommand({
          AutoScalingGroupName: g.name,
          LifecycleHookNames: [options.hookName],
        }),
      );
      const h = (out.LifecycleHooks ?? []).find((x) => x.LifecycleHookName === options.hookName);
      hooks.set(
        g.name,
        h && {
          name: options.hookName,
          transition: h.LifecycleTransition ?? '',
          heartbeatTimeout: h.HeartbeatTimeout ?? 0,
          defaultResult: h.DefaultResult ?? '',
        },
      );
    }
    result.hooks = hooks;
  }
  return result;
}

export interface ApplyOptions {
  hasTimeFor(ms: number): boolean;
  /** Milliseconds since the epoch: the volume wait's deadline is measured with it. */
  now(): number;
  sleep(ms: number): Promise<void>;
  volumeWaitMs: number;
  pollMs: number;
}

export interface SelfHealApplyResult {
  hooksWritten: string[];
  associated: string[];
  attached: string[];
  continued: string[];
  abandoned: { instanceId: string; reason: string }[];
  /** Lifecycle actions already completed (a duplicate event or a retry): nothing left to do. */
  alreadyCompleted: string[];
  failures: RunFailure[];
  incomplete: boolean;
  calls: Record<
    'putLifecycleHook' | 'associateAddress' | 'attachVolume' | 'describeVolumes' | 'completeLifecycleAction',
    number
  >;
}

const errorName = (err: unknown) => (err as { name?: string }).name ?? '';
/** Auto Scaling's answer to completing an action that is no longer active (done, or timed out). */
const NO_ACTIVE_ACTION = /No active Lifecycle Action found/i;

async function complete(
  autoScaling: AutoScalingClient,
  out: SelfHealApplyResult,
  target: { groupName: string; instanceId: string; hookName: string; token: string },
  result: 'CONTINUE' | 'ABANDON',
): Promise<'done' | 'already' | 'failed'> {
  out.calls.completeLifecycleAction++;
  try {
    await autoScaling.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: target.groupName,
        LifecycleHookName: target.hookName,
        LifecycleActionToken: target.token,
        InstanceId: target.instanceId,
        LifecycleActionResult: result,
      }),
    );
    if (result === 'CONTINUE') out.continued.push(target.instanceId);
    return 'done';
  } catch (err) {
    if (errorName(err) === 'ValidationError' && NO_ACTIVE_ACTION.test(errorText(err))) {
      out.alreadyCompleted.push(target.instanceId);
      return 'already';
    }
    out.failures.push({
      resourceId: target.instanceId,
      action: 'CompleteLifecycleAction',
      message: `${result}: ${errorText(err)}`,
    });
    return 'failed';
  }
}

/** Polls until the old instance lets go; the reason it gave up, or undefined once available. */
async function waitForVolume(
  ec2: EC2Client,
  heal: Heal,
  options: ApplyOptions,
  out: SelfHealApplyResult,
): Promise<string | undefined> {
  const volumeId = heal.volume!.volumeId;
  const deadline = options.now() + options.volumeWaitMs;
  let last = 'held by another instance';
  while (options.now() + options.pollMs <= deadline) {
    if (!options.hasTimeFor(options.pollMs))
      return `volume ${volumeId} still ${last} when the run's time ran out`;
    await options.sleep(options.pollMs);
    out.calls.describeVolumes++;
    const v = await readVolume(ec2, volumeId);
    if (!v) return `volume ${volumeId} no longer exists`;
    if (v.attachedTo?.instanceId === heal.instanceId) {
      heal.volume!.step = 'attached';
      return undefined;
    }
    if (v.state === 'available' && !v.attachedTo) return undefined;
    last = v.attachedTo ? `attached to ${v.attachedTo.instanceId}` : v.state;
  }
  return `volume ${volumeId} still ${last} after ${Math.round(options.volumeWaitMs / 1000)} s`;
}

/** Address then volume; the reason the instance could not be healed, or undefined. */
async function healOne(
  ec2: EC2Client,
  heal: Heal,
  options: ApplyOptions,
  out: SelfHealApplyResult,
): Promise<string | undefined> {
  if (heal.address?.associate) {
    out.calls.associateAddress++;
    try {
      await ec2.send(
        new AssociateAddressCommand({
          AllocationId: heal.address.allocationId,
          InstanceId: heal.instanceId,
          AllowReassociation: true,
        }),
      );
      out.associated.push(heal.instanceId);
    } catch (err) {
      const message = `could not associate Elastic IP ${heal.address.allocationId}: ${errorText(err)}`;
      out.failures.push({ resourceId: heal.instanceId, action: 'AssociateAddress', message });
      return message;
    }
  }
  if (!heal.volume || heal.volume.step === 'attached') return undefined;
  if (heal.volume.step === 'wait') {
    const gaveUp = await waitForVolume(ec2, heal, options, out);
    if (gaveUp) return gaveUp;
    // The poll may have found it on this instance already (another run attached it).
    if ((heal.volume.step as string) === 'attached') return undefined;
  }
  out.calls.attachVolume++;
  try {
    await ec2.send(
      new AttachVolumeCommand({
        VolumeId: heal.volume.volumeId,
        InstanceId: heal.instanceId,
        Device: heal.volume.device,
      }),
    );
    out.attached.push(heal.instanceId);
  } catch (err) {
    // Another run (a duplicate event) may have attached it a moment ago: that is success.
    const now = await readVolume(ec2, heal.volume.volumeId).catch(() => undefined);
    if (now?.attachedTo?.instanceId === heal.instanceId) return undefined;
    const message = `could not attach volume ${heal.volume.volumeId} at ${heal.volume.device}: ${errorText(err)}`;
    out.failures.push({ resourceId: heal.instanceId, action: 'AttachVolume', message });
    return message;
  }
  return undefined;
}

export async function applySelfHeal(
  clients: { ec2: EC2Client; autoScaling: AutoScalingClient },
  plan: SelfHealPlan,
  options: ApplyOptions,
): Promise<SelfHealApplyResult> {
  const out: SelfHealApplyResult = {
    hooksWritten: [],
    associated: [],
    attached: [],
    continued: [],
    abandoned: [],
    alreadyCompleted: [],
    failures: [],
    incomplete: false,
    calls: {
      putLifecycleHook: 0,
      associateAddress: 0,
      attachVolume: 0,
      describeVolumes: 0,
      completeLifecycleAction: 0,
    },
  };
  for (const hook of plan.hooks) {
    if (!options.hasTimeFor(1)) return { ...out, incomplete: true };
    out.calls.putLifecycleHook++;
    try {
      await clients.autoScaling.send(
        new PutLifecycleHookCommand({
          AutoScalingGroupName: hook.groupName,
          LifecycleHookName: hook.hookName,
          LifecycleTransition: LAUNCHING,
          HeartbeatTimeout: hook.heartbeatTimeout,
          DefaultResult: hook.defaultResult,
        }),
      );
      out.hooksWritten.push(hook.groupName);
    } catch (err) {
      out.failures.push({ resourceId: hook.groupName, action: 'PutLifecycleHook', message: errorText(err) });
    }
  }
  for (const a of plan.abandons) {
    if ((await complete(clients.autoScaling, out, a, 'ABANDON')) === 'done') {
      out.abandoned.push({ instanceId: a.instanceId, reason: a.reason });
    }
  }
  for (const heal of plan.heals) {
    if (!options.hasTimeFor(1)) return { ...out, incomplete: true };
    const failed = await healOne(clients.ec2, heal, options, out);
    if (!heal.complete) continue;
    const target = { groupName: heal.groupName, instanceId: heal.instanceId, ...heal.complete };
    if (failed) {
      if ((await complete(clients.autoScaling, out, target, 'ABANDON')) === 'done') {
        out.abandoned.push({ instanceId: heal.instanceId, reason: `${failed}: launch abandoned` });
      }
    } else {
      await complete(clients.autoScaling, out, target, 'CONTINUE');
    }
  }
  return out;
}
