/** The self-heal plan: each rule and its reason, on hand-made inventories (no network). */
import { describe, expect, it } from '@jest/globals';

import {
  planSelfHeal,
  type DataVolume,
  type ElasticIp,
  type LaunchEvent,
  type LifecycleHook,
  type SelfHealGroup,
  type SelfHealInventory,
} from '../../../shared/plan/self-heal';

const HOOK = 'ec2-hygiene-prod-self-heal';
const CONFIG = { hookName: HOOK, heartbeatTimeoutSeconds: 600 };
const EIP = 'eipalloc-0123456789abcdef0';
const VOL = 'vol-0123456789abcdef0';
const OLD = 'i-00000000000000001';
const NEW = 'i-00000000000000002';

function group(overrides: Partial<SelfHealGroup> = {}, tags: Record<string, string> = {}): SelfHealGroup {
  return {
    name: 'single',
    tags: { SelfHeal: 'true', SelfHealElasticIp: EIP, SelfHealVolume: VOL, ...tags },
    propagatedTags: ['SelfHeal'],
    maxSize: 1,
    availabilityZones: ['eu-west-1a'],
    instances: [{ id: NEW, availabilityZone: 'eu-west-1a', lifecycleState: 'InService' }],
    ...overrides,
  };
}

const address = (a: Partial<ElasticIp> = {}): ElasticIp => ({
  allocationId: EIP,
  publicIp: '203.0.113.7',
  tags: { SelfHeal: 'true' },
  ...a,
});
const volume = (v: Partial<DataVolume> = {}): DataVolume => ({
  id: VOL,
  availabilityZone: 'eu-west-1a',
  state: 'available',
  tags: { SelfHeal: 'true' },
  ...v,
});
const rightHook: LifecycleHook = {
  name: HOOK,
  transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
  heartbeatTimeout: 600,
  defaultResult: 'CONTINUE',
};

function inventory(
  g: SelfHealGroup = group(),
  parts: { a?: ElasticIp; v?: DataVolume; hook?: LifecycleHook } = {},
): SelfHealInventory {
  const a = parts.a ?? address();
  const v = parts.v ?? volume();
  return {
    groups: [g],
    hooks: new Map([[g.name, parts.hook]]),
    addresses: new Map([[a.allocationId, a]]),
    volumes: new Map([[v.id, v]]),
  };
}

const launch: LaunchEvent = { groupName: 'single', instanceId: NEW, hookName: HOOK, token: 'tok-1' };
const pendingGroup = (zone = 'eu-west-1a') =>
  group({ instances: [{ id: NEW, availabilityZone: zone, lifecycleState: 'Pending:Wait' }] });

describe('planSelfHeal on the schedule', () => {
  it('creates a missing hook, keeps a right one and rewrites one that differs, each with its reason', () => {
    const missing = planSelfHeal({ inventory: inventory(), config: CONFIG });
    expect(missing.hooks).toEqual([
      { groupName: 'single', hookName: HOOK, heartbeatTimeout: 600, defaultResult: 'CONTINUE' },
    ]);
    expect(missing.decisions[0]).toMatchObject({
      action: 'hook',
      reason: `launch hook ${HOOK} missing: created`,
    });

    const right = planSelfHeal({ inventory: inventory(group(), { hook: rightHook }), config: CONFIG });
    expect(right.hooks).toEqual([]);
    expect(right.decisions[0]).toMatchObject({ action: 'keep' });

    const changed = planSelfHeal({
      inventory: inventory(group(), {
        hook: { ...rightHook, heartbeatTimeout: 60, defaultResult: 'ABANDON' },
      }),
      config: CONFIG,
    });
    expect(changed.decisions[0]!.reason).toBe(
      `launch hook ${HOOK} differs (heartbeat timeout, default result): rewritten`,
    );
  });

  it('reconciles an instance in service without its address and free volume', () => {
    const plan = planSelfHeal({ inventory: inventory(group(), { hook: rightHook }), config: CONFIG });
    expect(plan.heals).toEqual([
      {
        groupName: 'single',
        instanceId: NEW,
        availabilityZone: 'eu-west-1a',
        address: { allocationId: EIP, publicIp: '203.0.113.7', associate: true },
        volume: { volumeId: VOL, device: '/dev/xvdf', step: 'attach' },
      },
    ]);
    expect(plan.decisions.find((d) => d.resourceId === NEW)).toMatchObject({ action: 'heal' });
  });

  it('keeps an instance that has both, and does not wait for a volume someone else holds', () => {
    const healed = planSelfHeal({
      inventory: inventory(group(), {
        hook: rightHook,
        a: address({ instanceId: NEW }),
        v: volume({ state: 'in-use', attachedTo: { instanceId: NEW, device: '/dev/xvdf' } }),
      }),
      config: CONFIG,
    });
    expect(healed.heals).toEqual([]);
    expect(healed.decisions.find((d) => d.resourceId === NEW)).toMatchObject({ action: 'keep' });

    const held = planSelfHeal({
      inventory: inventory(group(), {
        hook: rightHook,
        a: address({ instanceId: NEW }),
        v: volume({ state: 'in-use', attachedTo: { instanceId: OLD, device: '/dev/xvdf' } }),
      }),
      config: CONFIG,
    });
    expect(held.heals).toEqual([]);
    expect(held.reported).toEqual([
      { resourceId: NEW, reason: expect.stringContaining(`attached to ${OLD}: not attached`) },
    ]);
  });

  it('leaves an instance waiting on its hook to the launch event', () => {
    const plan = planSelfHeal({ inventory: inventory(pendingGroup(), { hook: rightHook }), config: CONFIG });
    expect(plan.heals).toEqual([]);
    expect(plan.decisions.find((d) => d.resourceId === NEW)!.reason).toContain('left to the launch event');
  });

  it('reports a group spanning zones other than its volume', () => {
    const plan = planSelfHeal({
      inventory: inventory(group({ availabilityZones: ['eu-west-1a', 'eu-west-1b'] }), { hook: rightHook }),
      config: CONFIG,
    });
    expect(plan.reported).toContainEqual({
      resourceId: 'single',
      reason: expect.stringContaining('pin the group to eu-west-1a'),
    });
  });

  it.each([
    ['SelfHeal', ' true', 'true or false with no spaces'],
    ['SelfHeal', 'yes', 'true or false'],
    ['SelfHealElasticIp', 'eipalloc-xyz', 'an Elastic IP id'],
    ['SelfHealVolume', 'vol-0123', 'an EBS volume id'],
    ['SelfHealVolume', 'vol-0123456789abcdef9', 'that exists in this region'],
    ['SelfHealDevice', '/dev/xvda', '/dev/xvd[b-z]'],
  ])(
    'skips a group whose %s=%j is malformed and reports the tag, the value and what was expected',
    (tag, value, expected) => {
      const plan = planSelfHeal({ inventory: inventory(group({}, { [tag]: value })), config: CONFIG });
      expect(plan.hooks).toEqual([]);
      expect(plan.heals).toEqual([]);
      expect(plan.skipped).toEqual([
        {
          resourceId: 'single',
          reason: expect.stringContaining('group skipped, nothing touched'),
          tagProblem: { resourceId: 'single', tag, value, expected: expect.stringContaining(expected) },
        },
      ]);
    },
  );

  it('skips a group asking for neither, a group larger than one, a SelfHeal tag not propagated, and an untagged volume', () => {
    const neither = group();
    neither.tags = { SelfHeal: 'true' };
    const cases: [SelfHealInventory, string][] = [
      [inventory(neither), 'SelfHealElasticIp=eipalloc-… and/or SelfHealVolume=vol-…'],
      [inventory(group({ maxSize: 2 })), 'self-heal is for a group of one'],
      [inventory(group({ propagatedTags: [] })), 'PropagateAtLaunch'],
      [inventory(group(), { v: volume({ tags: {} }) }), `an EBS volume ${VOL} is not tagged SelfHeal=true`],
    ];
    for (const [inv, why] of cases) {
      const plan = planSelfHeal({ inventory: inv, config: CONFIG });
      expect(plan.hooks).toEqual([]);
      expect(plan.skipped[0]!.reason + JSON.stringify(plan.skipped[0]!.tagProblem ?? {})).toContain(why);
    }
  });

  it('never touches a group without the tag, and says so only when asked about it by an event', () => {
    const untagged = group({}, {});
    untagged.tags = { Name: 'x' };
    const scheduled = planSelfHeal({ inventory: inventory(untagged), config: CONFIG });
    expect(scheduled).toMatchObject({ hooks: [], heals: [], abandons: [], decisions: [], skipped: [] });
    const onEvent = planSelfHeal({ inventory: inventory(untagged), config: CONFIG, event: launch });
    expect(onEvent.decisions).toEqual([
      { resourceId: 'single', action: 'ignore', reason: 'no SelfHeal tag: never touched' },
    ]);
    expect(onEvent.heals).toEqual([]);
  });
});

describe('planSelfHeal on a launch event', () => {
  it('heals then completes: associate, wait for the volume the old instance holds, attach', () => {
    const plan = planSelfHeal({
      inventory: inventory(pendingGroup(), {
        a: address({ instanceId: OLD }),
        v: volume({ state: 'in-use', attachedTo: { instanceId: OLD, device: '/dev/xvdf' } }),
      }),
      config: CONFIG,
      event: launch,
    });
    expect(plan.heals).toEqual([
      expect.objectContaining({
        instanceId: NEW,
        address: expect.objectContaining({ associate: true }),
        volume: { volumeId: VOL, device: '/dev/xvdf', step: 'wait' },
        complete: { hookName: HOOK, token: 'tok-1' },
      }),
    ]);
    expect(plan.decisions[0]!.reason).toContain(`still attached to ${OLD}: wait until available`);
    expect(plan.hooks).toEqual([]);
  });

  it('only completes when both are already on the instance (a duplicate event)', () => {
    const plan = planSelfHeal({
      inventory: inventory(pendingGroup(), {
        a: address({ instanceId: NEW }),
        v: volume({ state: 'in-use', attachedTo: { instanceId: NEW, device: '/dev/sdg' } }),
      }),
      config: CONFIG,
      event: launch,
    });
    expect(plan.heals[0]).toMatchObject({
      address: { associate: false },
      volume: { step: 'attached', device: '/dev/sdg' },
      complete: { token: 'tok-1' },
    });
  });

  it('abandons a launch in another zone than the volume, with the zone to pin the group to', () => {
    const plan = planSelfHeal({
      inventory: inventory(pendingGroup('eu-west-1b')),
      config: CONFIG,
      event: launch,
    });
    expect(plan.heals).toEqual([]);
    expect(plan.abandons).toEqual([
      {
        groupName: 'single',
        instanceId: NEW,
        hookName: HOOK,
        token: 'tok-1',
        reason: expect.stringContaining('is in eu-west-1a and the instance in eu-west-1b'),
      },
    ]);
    expect(plan.abandons[0]!.reason).toContain('pin the group to eu-west-1a');
  });

  it("ignores another hook's event and an instance no longer in the group", () => {
    const other = planSelfHeal({
      inventory: inventory(pendingGroup()),
      config: CONFIG,
      event: { ...launch, hookName: 'someone-elses-hook' },
    });
    expect(other).toMatchObject({ heals: [], abandons: [] });
    expect(other.decisions[0]!.reason).toContain("not the fleet's");
    const gone = planSelfHeal({
      inventory: inventory(group({ instances: [] })),
      config: CONFIG,
      event: launch,
    });
    expect(gone).toMatchObject({ heals: [], abandons: [] });
    expect(gone.decisions[0]!.reason).toContain('nothing to complete');
  });

  it('leaves the action of a skipped group to the hook timeout', () => {
    const plan = planSelfHeal({
      inventory: inventory(group({}, { SelfHealVolume: 'nope' })),
      config: CONFIG,
      event: launch,
    });
    expect(plan).toMatchObject({ heals: [], abandons: [] });
    expect(plan.skipped[0]!.reason).toContain("left to the hook's timeout");
  });
});
