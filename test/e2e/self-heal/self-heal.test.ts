/**
 * The real self-heal handler against the local account, signed as its own role (the account
 * refuses anything functions/self-heal/resources.yml does not allow), seeded as admin. Time is a
 * virtual clock the handler's sleep moves, so waiting for a volume costs no real time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachVolumeCommand,
  CreateVolumeCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';

import { makeSelfHealHandler } from '../../../functions/self-heal/handler';
import {
  completedLifecycleActions,
  lifecycleHooks,
  replaceGroupInstance,
  type LaunchLifecycleEvent,
} from '../../../sandbox/services/autoscaling/lifecycle-hooks';
import { getAddress } from '../../../sandbox/services/ec2/addresses';
import { getVolume } from '../../../sandbox/services/ec2/volumes';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import type { RunSummaryDetail } from '../../../shared/events';
import { decisionsFor, fakeContext, MINUTE } from '../../helpers/harness';

const REGION = 'eu-west-1';
const HOOK = 'ec2-hygiene-local-self-heal';
const KEYS = [
  'REGIONS',
  'SELF_HEAL_HOOK_NAME',
  'SELF_HEAL_VOLUME_WAIT_SECONDS',
  'SELF_HEAL_POLL_SECONDS',
  'SELF_HEAL_DRY_RUN',
  'EVENT_BUS_NAME',
];

let sandbox: Sandbox;
let admin: EC2Client;
let now: number;
/** Runs on every sleep of the handler, after the virtual clock moved: the world changes meanwhile. */
let onSleep: (slept: number) => void;
let slept: number;

beforeAll(async () => {
  sandbox = await startSandbox();
  admin = new EC2Client({ endpoint: sandbox.url, region: REGION, credentials: sandbox.credentials('admin') });
});
afterAll(async () => {
  admin.destroy();
  await sandbox.close();
});
let groupCount = 0;
beforeEach(() => {
  // A fresh account per test: no group from an earlier test is swept again.
  for (const g of region().autoScalingGroups()) region().groupTable.delete(g.name);
  for (const i of region().instances()) i.state = 'terminated';
  for (const key of KEYS) delete process.env[key];
  Object.assign(process.env, sandbox.env(REGION, 'self-heal'), {
    REGIONS: REGION,
    SELF_HEAL_HOOK_NAME: HOOK,
  });
  now = Date.parse('2026-12-01T12:00:00Z');
  slept = 0;
  onSleep = () => undefined;
  sandbox.faults.clear();
  sandbox.requests.reset();
});

const region = () => sandbox.state.region(REGION);

interface Run {
  summary: RunSummaryDetail;
  logs: Record<string, unknown>[];
}

/** Invokes the handler as Lambda would with `event` (default: the schedule) and collects its log lines. */
async function run(
  event: unknown = { source: 'aws.events', 'detail-type': 'Scheduled Event' },
  context?: Context,
): Promise<Run> {
  const handler = makeSelfHealHandler({
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
      slept += ms;
      onSleep(slept);
    },
  });
  const logs: Record<string, unknown>[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) =>
    logs.push(JSON.parse(args.map(String).join(' ')) as Record<string, unknown>);
  try {
    const result = await handler(event, context ?? fakeContext(5 * MINUTE));
    return { summary: result.summaries[0]!, logs };
  } finally {
    console.log = original;
  }
}

async function allocate(tags: Record<string, string>): Promise<string> {
  const out = await admin.send(
    new AllocateAddressCommand({
      Domain: 'vpc',
      TagSpecifications: [
        { ResourceType: 'elastic-ip', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  return out.AllocationId!;
}

async function createVolume(tags: Record<string, string>, zone = `${REGION}a`): Promise<string> {
  const out = await admin.send(
    new CreateVolumeCommand({
      AvailabilityZone: zone,
      Size: 20,
      TagSpecifications: [
        { ResourceType: 'volume', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  return out.VolumeId!;
}

interface Seeded {
  group: string;
  instanceId: string;
  allocationId: string;
  volumeId: string;
}

/**
 * A group of one tagged SelfHeal=true (propagated to its instances) whose Elastic IP and volume,
 * both tagged SelfHeal=true, are on its first instance, as an earlier heal left them.
 */
async function seedGroup(
  options: {
    tags?: Record<string, string>;
    volumeZone?: string;
    propagate?: string[];
    attach?: boolean;
  } = {},
): Promise<Seeded> {
  const allocationId = await allocate({ SelfHeal: 'true' });
  const volumeId = await createVolume({ SelfHeal: 'true' }, options.volumeZone);
  const image = region().addImage({});
  const name = `single-${++groupCount}`;
  const template = region().addLaunchTemplate({ name: `${name}-lt`, versions: [{ imageId: image.id }] });
  const group = region().addAutoScalingGroup({
    name,
    launchTemplate: { launchTemplateId: template.id },
    minSize: 1,
    maxSize: 1,
    desiredCapacity: 1,
    tags: { SelfHeal: 'true', SelfHealElasticIp: allocationId, SelfHealVolume: volumeId, ...options.tags },
    propagateAtLaunch: options.propagate ?? ['SelfHeal'],
  });
  const instanceId = group.instanceIds[0]!;
  if (options.attach !== false) {
    await admin.send(new AssociateAddressCommand({ AllocationId: allocationId, InstanceId: instanceId }));
    if (!options.volumeZone) {
      await admin.send(
        new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: '/dev/xvdf' }),
      );
    }
  }
  return { group: name, instanceId, allocationId, volumeId };
}

/** The group replaces its instance (the old one `oldState`), which waits on the hook; its event. */
function replace(
  group: string,
  oldState: 'terminated' | 'shutting-down' = 'terminated',
): LaunchLifecycleEvent {
  const replacement = replaceGroupInstance(sandbox.state, REGION, group, { oldState });
  expect(replacement.events).toHaveLength(1);
  return replacement.events[0]!;
}

const writes = () =>
  ['PutLifecycleHook', 'CompleteLifecycleAction'].reduce(
    (n, a) => n + sandbox.requests.count('autoscaling', a),
    0,
  ) + ['AssociateAddress', 'AttachVolume'].reduce((n, a) => n + sandbox.requests.count('ec2', a), 0);
const completions = (instanceId: string) =>
  completedLifecycleActions(region()).filter((c) => c.instanceId === instanceId);

describe('self-heal on the schedule', () => {
  it("puts the fleet's launch hook on an opted-in group once, and writes nothing on the next run", async () => {
    const s = await seedGroup();
    const first = await run();
    expect(lifecycleHooks(region(), s.group)).toEqual([
      expect.objectContaining({
        name: HOOK,
        transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        heartbeatTimeout: 600,
        defaultResult: 'CONTINUE',
      }),
    ]);
    expect(first.summary.failures).toEqual([]);
    expect(decisionsFor(first.logs, s.group)[0]).toMatchObject({
      action: 'hook',
      reason: expect.stringContaining('missing: created'),
    });
    // Address and volume already on the instance: kept.
    expect(decisionsFor(first.logs, s.instanceId)[0]).toMatchObject({ action: 'keep' });

    sandbox.requests.reset();
    const second = await run();
    expect(writes()).toBe(0);
    expect(decisionsFor(second.logs, s.group)[0]).toMatchObject({
      action: 'keep',
      reason: `launch hook ${HOOK} present`,
    });
  });

  it('rewrites a hook someone changed', async () => {
    const s = await seedGroup();
    await run();
    lifecycleHooks(region(), s.group)[0]!.defaultResult = 'ABANDON';
    sandbox.requests.reset();
    const { logs } = await run();
    expect(sandbox.requests.count('autoscaling', 'PutLifecycleHook')).toBe(1);
    expect(lifecycleHooks(region(), s.group)[0]!.defaultResult).toBe('CONTINUE');
    expect(decisionsFor(logs, s.group)[0]!.reason).toContain('differs (default result)');
  });

  it('reconciles an instance that came up without the hook: associates the address and attaches the free volume', async () => {
    const s = await seedGroup();
    // No hook yet: the replacement goes straight into service, without address or volume.
    const replacement = replaceGroupInstance(sandbox.state, REGION, s.group);
    const fresh = replacement.newInstanceIds[0]!;
    expect(replacement.events).toEqual([]);
    const { summary, logs } = await run();
    expect(getAddress(region(), s.allocationId)!.instanceId).toBe(fresh);
    expect(getVolume(region(), s.volumeId)!.attachment).toMatchObject({
      instanceId: fresh,
      device: '/dev/xvdf',
    });
    expect(summary.counts).toMatchObject({ addressesAssociated: 1, volumesAttached: 1, hooksWritten: 1 });
    expect(decisionsFor(logs, fresh)[0]).toMatchObject({
      action: 'heal',
      reason: expect.stringContaining('reconciled'),
    });
  });

  it('never detaches a volume another instance holds: reports it instead', async () => {
    const s = await seedGroup({ attach: false });
    const other = region().addInstance({ imageId: region().addImage({}).id });
    getVolume(region(), s.volumeId)!.attachment = { instanceId: other.id, device: '/dev/xvdf' };
    getVolume(region(), s.volumeId)!.state = 'in-use';
    const { summary } = await run();
    expect(getVolume(region(), s.volumeId)!.attachment!.instanceId).toBe(other.id);
    expect(summary.reported).toContainEqual({
      resourceId: s.instanceId,
      reason: expect.stringContaining(`attached to ${other.id}`),
    });
    expect(sandbox.requests.count('ec2', 'AttachVolume')).toBe(0);
    // The address is still healed.
    expect(getAddress(region(), s.allocationId)!.instanceId).toBe(s.instanceId);
  });

  it('skips and reports malformed tags with the tag, the value and what was expected, and touches nothing', async () => {
    const badVolume = await seedGroup({ tags: { SelfHealVolume: 'vol-xyz' } });
    const badFlag = await seedGroup({ tags: { SelfHeal: ' yes' } });
    const badDevice = await seedGroup({ tags: { SelfHealDevice: '/dev/xvda' } });
    const notPropagated = await seedGroup({ propagate: [] });
    const { summary } = await run();
    const skipped = new Map(summary.skipped.map((k) => [k.resourceId, k]));
    expect(skipped.get(badVolume.group)).toMatchObject({
      tag: 'SelfHealVolume',
      value: 'vol-xyz',
      expected: expect.stringContaining('vol-'),
    });
    expect(skipped.get(badFlag.group)).toMatchObject({
      tag: 'SelfHeal',
      value: ' yes',
      expected: expect.stringContaining('true or false'),
    });
    expect(skipped.get(badDevice.group)).toMatchObject({
      tag: 'SelfHealDevice',
      value: '/dev/xvda',
      expected: expect.stringContaining('/dev/xvdf'),
    });
    expect(skipped.get(notPropagated.group)).toMatchObject({
      tag: 'SelfHeal',
      expected: expect.stringContaining('PropagateAtLaunch'),
    });
    for (const s of [badVolume, badFlag, badDevice, notPropagated])
      expect(lifecycleHooks(region(), s.group)).toEqual([]);
    expect(sandbox.requests.count('autoscaling', 'PutLifecycleHook')).toBe(0);
  });

  it('skips a group whose Elastic IP is not tagged SelfHeal=true (the role could not associate it)', async () => {
    const s = await seedGroup();
    getAddress(region(), s.allocationId)!.tags = {};
    const { summary } = await run();
    expect(summary.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: s.group,
        reason: expect.stringContaining('is not tagged SelfHeal=true'),
      }),
    );
    expect(lifecycleHooks(region(), s.group)).toEqual([]);
  });

  it('never touches a group without the SelfHeal tag, on the schedule or on its launch event', async () => {
    const s = await seedGroup({ tags: { SelfHeal: 'true' } });
    delete region().getAutoScalingGroup(s.group)!.tags.SelfHeal;
    sandbox.requests.reset();
    await run();
    expect(lifecycleHooks(region(), s.group)).toEqual([]);
    expect(writes()).toBe(0);
    const event = {
      source: 'aws.autoscaling',
      'detail-type': 'EC2 Instance-launch Lifecycle Action',
      region: REGION,
      detail: {
        AutoScalingGroupName: s.group,
        EC2InstanceId: s.instanceId,
        LifecycleHookName: HOOK,
        LifecycleActionToken: 'tok',
      },
    };
    const { logs } = await run(event);
    expect(writes()).toBe(0);
    expect(decisionsFor(logs, s.group)[0]).toMatchObject({
      action: 'ignore',
      reason: 'no SelfHeal tag: never touched',
    });
  });
});

describe('self-heal on the launch lifecycle event', () => {
  it('moves the Elastic IP to the new instance, attaches the volume at the device, then CONTINUE', async () => {
    const s = await seedGroup({ tags: { SelfHealDevice: '/dev/sdg' } });
    await run();
    const event = replace(s.group);
    const fresh = event.detail.EC2InstanceId;
    // The old attachment was at /dev/xvdf; the tag now asks for /dev/sdg.
    sandbox.requests.reset();
    const { summary, logs } = await run(event);
    expect(getAddress(region(), s.allocationId)!.instanceId).toBe(fresh);
    expect(getVolume(region(), s.volumeId)!.attachment).toMatchObject({
      instanceId: fresh,
      device: '/dev/sdg',
    });
    expect(completions(fresh)).toEqual([
      expect.objectContaining({ result: 'CONTINUE', token: event.detail.LifecycleActionToken }),
    ]);
    expect(summary.counts).toMatchObject({
      addressesAssociated: 1,
      volumesAttached: 1,
      lifecycleContinued: 1,
      lifecycleAbandoned: 0,
    });
    expect(summary.failures).toEqual([]);
    expect(decisionsFor(logs, fresh)[0]).toMatchObject({
      action: 'heal',
      reason: expect.stringContaining('then CONTINUE'),
    });
    // Only the event's group is read; no hook is written from an event.
    expect(sandbox.requests.count('autoscaling', 'DescribeLifecycleHooks')).toBe(0);
  });

  it('waits until the old instance lets go of the volume, polling on the virtual clock', async () => {
    const s = await seedGroup();
    await run();
    const event = replace(s.group, 'shutting-down');
    const fresh = event.detail.EC2InstanceId;
    // The old instance finishes terminating 15 s into the wait.
    onSleep = (total) => {
      if (total >= 15_000) region().getInstance(s.instanceId)!.state = 'terminated';
    };
    sandbox.requests.reset();
    const { summary } = await run(event);
    expect(getVolume(region(), s.volumeId)!.attachment!.instanceId).toBe(fresh);
    expect(completions(fresh).map((c) => c.result)).toEqual(['CONTINUE']);
    expect(slept).toBe(15_000);
    // Three polls of 5 s; the inventory's own read is the fourth.
    expect(sandbox.requests.count('ec2', 'DescribeVolumes')).toBe(4);
    expect(summary.counts.lifecycleContinued).toBe(1);
  });

  it('abandons the launch when the volume is not free within the wait, and says why', async () => {
    process.env.SELF_HEAL_VOLUME_WAIT_SECONDS = '30';
    const s = await seedGroup();
    await run();
    const event = replace(s.group, 'shutting-down');
    const fresh = event.detail.EC2InstanceId;
    sandbox.requests.reset();
    const { summary, logs } = await run(event);
    expect(completions(fresh).map((c) => c.result)).toEqual(['ABANDON']);
    expect(region().getInstance(fresh)!.state).toBe('terminated');
    expect(slept).toBe(30_000);
    expect(summary.reported).toContainEqual({
      resourceId: fresh,
      reason: expect.stringContaining(`volume ${s.volumeId} still attached to ${s.instanceId} after 30 s`),
    });
    expect(decisionsFor(logs, fresh)[0]).toMatchObject({ action: 'abandon' });
    expect(sandbox.requests.count('ec2', 'AttachVolume')).toBe(0);
  });

  it("never waits past the Lambda's deadline", async () => {
    process.env.SELF_HEAL_VOLUME_WAIT_SECONDS = '600';
    const s = await seedGroup();
    await run();
    const event = replace(s.group, 'shutting-down');
    // 60 s left, 20 s of it kept back for reporting: about 40 s of waiting at most.
    const { summary } = await run(event, fakeContext(60_000));
    expect(slept).toBeLessThanOrEqual(40_000);
    expect(completions(event.detail.EC2InstanceId).map((c) => c.result)).toEqual(['ABANDON']);
    expect(summary.reported![0]!.reason).toContain("when the run's time ran out");
  });

  it('abandons at once a launch in another Availability Zone than the volume, touching nothing else', async () => {
    const s = await seedGroup({ volumeZone: `${REGION}b` });
    await run();
    const event = replace(s.group);
    const fresh = event.detail.EC2InstanceId;
    sandbox.requests.reset();
    const { summary } = await run(event);
    expect(completions(fresh).map((c) => c.result)).toEqual(['ABANDON']);
    expect(sandbox.requests.count('ec2', 'AssociateAddress')).toBe(0);
    expect(sandbox.requests.count('ec2', 'AttachVolume')).toBe(0);
    expect(slept).toBe(0);
    expect(summary.reported).toContainEqual({
      resourceId: fresh,
      reason: expect.stringContaining(`pin the group to ${REGION}b`),
    });
  });

  it('answers a duplicate event (or a retry) without writing again', async () => {
    const s = await seedGroup();
    await run();
    const event = replace(s.group);
    const fresh = event.detail.EC2InstanceId;
    await run(event);
    sandbox.requests.reset();
    const again = await run(event);
    expect(sandbox.requests.count('ec2', 'AssociateAddress')).toBe(0);
    expect(sandbox.requests.count('ec2', 'AttachVolume')).toBe(0);
    expect(completions(fresh)).toHaveLength(1);
    expect(again.summary.failures).toEqual([]);
    expect(again.summary.counts).toMatchObject({
      lifecycleAlreadyCompleted: 1,
      addressesAssociated: 0,
      volumesAttached: 0,
    });
  });

  it('leaves the lifecycle action of a group with a malformed tag to the hook timeout', async () => {
    const s = await seedGroup();
    await run();
    const event = replace(s.group);
    region().getAutoScalingGroup(s.group)!.tags.SelfHealElasticIp = {
      value: 'eip-123',
      propagateAtLaunch: false,
    };
    sandbox.requests.reset();
    const { summary } = await run(event);
    expect(writes()).toBe(0);
    expect(summary.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: s.group,
        tag: 'SelfHealElasticIp',
        value: 'eip-123',
        reason: expect.stringContaining("hook's timeout"),
      }),
    );
  });
});

describe("the self-heal role's least privilege", () => {
  it('is refused AttachVolume on a volume not tagged SelfHeal=true, even to a SelfHeal instance', async () => {
    const s = await seedGroup({ attach: false });
    const untagged = await createVolume({});
    const asFunction = new EC2Client({
      endpoint: sandbox.url,
      region: REGION,
      credentials: sandbox.credentials('self-heal'),
    });
    try {
      await expect(
        asFunction.send(
          new AttachVolumeCommand({ VolumeId: untagged, InstanceId: s.instanceId, Device: '/dev/xvdg' }),
        ),
      ).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
      await asFunction.send(
        new AttachVolumeCommand({ VolumeId: s.volumeId, InstanceId: s.instanceId, Device: '/dev/xvdf' }),
      );
      expect(getVolume(region(), s.volumeId)!.attachment!.instanceId).toBe(s.instanceId);
    } finally {
      asFunction.destroy();
    }
  });
});
