/**
 * Idle Elastic IPs: the addresses of what scale-to-zero put to sleep and the unassociated ones, each
 * at the public IPv4 hourly price; addresses of running instances or of anything else are not listed.
 */
import { describe, expect, it } from '@jest/globals';

import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../../../shared/domain';
import {
  idleAddresses,
  sleepingInstances,
  type ElasticIp,
  type ScaleAction,
  type ScaleDecision,
} from '../../../../shared/plan/scale';
import { PUBLIC_IPV4_USD_PER_HOUR } from '../../../../shared/pricing';

const T = new Date('2026-11-23T18:30:00Z');
const instance = (id: string, state: string, tags: Record<string, string> = {}): ScalableInstanceRecord => ({
  id,
  state,
  tags: { ScaleToZero: 'true', ...tags },
});
const group = (
  name: string,
  desired: number,
  ids: string[],
  tags: Record<string, string> = {},
): AutoScalingGroupRecord => ({
  name,
  launchTemplates: [],
  minSize: desired,
  desiredCapacity: desired,
  maxSize: desired,
  tags: { ScaleToZero: 'true', ...tags },
  instanceIds: ids,
});
const decision = (resourceId: string, action?: ScaleAction): ScaleDecision => ({
  resourceType: action?.kind.includes('group') ? 'auto-scaling-group' : 'instance',
  resourceId,
  outcome: 'keep',
  reason: '',
  rule: 'test',
  ignoredTags: [],
  ...(action ? { action } : {}),
});
const eip = (publicIp: string, instanceId?: string, associated = instanceId !== undefined): ElasticIp => ({
  publicIp,
  allocationId: `eipalloc-${publicIp.split('.').at(-1)}`,
  associated,
  ...(instanceId ? { instanceId } : {}),
});

describe('sleepingInstances', () => {
  const stop: ScaleAction = { kind: 'stop-instance', instanceId: 'i-new', transition: T, hibernate: true };
  const scaleDown: ScaleAction = {
    kind: 'scale-group-to-zero',
    group: 'web',
    saved: { min: 1, desired: 2, max: 4 },
    transition: T,
  };
  const input = (counted: (a: ScaleAction) => boolean) => ({
    instances: [
      instance('i-new', 'running'),
      instance('i-old', 'stopped', {
        ScaleToZeroLastTransition: '2026-11-22T18:30:00Z stopped=2026-11-22T18:31:00Z',
      }),
      // Stopped by a person, not by scale-to-zero: its address is not "ours" to report as asleep.
      instance('i-person', 'stopped', { ScaleToZeroLastTransition: '2026-11-22T18:30:00Z' }),
      instance('i-running', 'running'),
    ],
    groups: [
      group('web', 2, ['i-web1', 'i-web2']),
      group('api', 0, ['i-api1'], { ScaleToZeroLastTransition: '2026-11-22T18:30:00Z scaled-to-zero max=2' }),
      group('set-by-hand', 0, ['i-hand']),
    ],
    decisions: [decision('i-new', stop), decision('web', scaleDown)],
    counted,
  });

  it('names what this run stopped or scaled down, and what scale-to-zero stopped or scaled down before', () => {
    const sleeping = sleepingInstances(input(() => true));
    expect([...sleeping.keys()].sort()).toEqual(['i-api1', 'i-new', 'i-old', 'i-web1', 'i-web2']);
    expect(sleeping.get('i-new')).toBe('hibernated by scale-to-zero in this run');
    expect(sleeping.get('i-old')).toBe('stopped by scale-to-zero at 2026-11-22T18:31:00Z');
    expect(sleeping.get('i-web1')).toContain('Auto Scaling group web');
  });

  it('leaves out an action that did not take effect', () => {
    const sleeping = sleepingInstances(input(() => false));
    expect([...sleeping.keys()].sort()).toEqual(['i-api1', 'i-old']);
  });
});

describe('idleAddresses', () => {
  const sleeping = new Map([['i-asleep', 'stopped by scale-to-zero in this run']]);

  it('lists the addresses of sleeping instances first, then unassociated ones, each with its hourly price', () => {
    const report = idleAddresses(
      [
        eip('203.0.113.1'),
        eip('203.0.113.2', 'i-running'),
        eip('203.0.113.3', 'i-asleep'),
        // On a NAT gateway's interface: associated, no instance. In use, not idle.
        eip('203.0.113.4', undefined, true),
      ],
      sleeping,
      PUBLIC_IPV4_USD_PER_HOUR,
    );
    expect(report.addresses).toEqual([
      {
        publicIp: '203.0.113.3',
        allocationId: 'eipalloc-3',
        instanceId: 'i-asleep',
        reason: 'associated with i-asleep, stopped by scale-to-zero in this run',
        usdPerHour: 0.005,
      },
      { publicIp: '203.0.113.1', allocationId: 'eipalloc-1', reason: 'unassociated', usdPerHour: 0.005 },
    ]);
    expect(report).toMatchObject({ estimate: true, currency: 'USD', usdPerHour: 0.01 });
    expect(report.basis).toMatch(/never released/);
  });

  it('sums without floating-point dust, and reports nothing when nothing is idle', () => {
    const many = Array.from({ length: 7 }, (_, n) => eip(`203.0.113.${n + 10}`));
    expect(idleAddresses(many, sleeping, 0.005).usdPerHour).toBe(0.035);
    const none = idleAddresses([eip('203.0.113.2', 'i-running')], sleeping, 0.005);
    expect(none).toMatchObject({ addresses: [], usdPerHour: 0 });
  });
});
