/** The recovery plan alone: pure inputs, every rule, the reason each resource gets. */
import { describe, expect, it } from '@jest/globals';

import { regionsForEvent } from '../../../functions/recovery/handler';
import {
  alarmName,
  desiredAlarm,
  parseAlarmName,
  planRecovery,
  type ExistingAlarm,
  type RecoveryConfig,
  type RecoveryInstance,
} from '../../../shared/plan/recovery';

const PREFIX = 'ec2-hygiene-prod-recover-';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ec2-hygiene-prod-notifications';
const config: RecoveryConfig = {
  region: 'eu-west-1',
  alarmPrefix: PREFIX,
  topicArn: TOPIC,
  autoRecoverySupported: new Map([
    ['t3.micro', true],
    ['i3.large', false],
  ]),
};
const A = 'i-0aaaaaaaaaaaaaaaa';
const B = 'i-0bbbbbbbbbbbbbbbb';

const inst = (over: Partial<RecoveryInstance> = {}): RecoveryInstance => ({
  id: A,
  state: 'running',
  instanceType: 't3.micro',
  rootDeviceType: 'ebs',
  autoRecovery: 'default',
  tags: { AutoRecover: 'true' },
  ...over,
});
const owned = (id: string, kind: 'system' | 'instance', cfg = config): ExistingAlarm => ({
  ...desiredAlarm(cfg, id, kind),
  tags: { ManagedBy: 'ec2-hygiene' },
});

describe('planRecovery', () => {
  it('puts both alarms for an opted-in instance: recover on system, reboot on instance, topic on both', () => {
    const plan = planRecovery({ instances: [inst()], alarms: [], config });
    expect(plan.puts.map((p) => [p.name, p.metricName, p.alarmActions])).toEqual([
      [
        `${PREFIX}${A}-instance`,
        'StatusCheckFailed_Instance',
        ['arn:aws:automate:eu-west-1:ec2:reboot', TOPIC],
      ],
      [`${PREFIX}${A}-system`, 'StatusCheckFailed_System', ['arn:aws:automate:eu-west-1:ec2:recover', TOPIC]],
    ]);
    expect(plan.decisions).toEqual([
      expect.objectContaining({
        resourceId: A,
        action: 'protect',
        reason: expect.stringContaining('missing'),
      }),
    ]);
  });

  it('puts nothing when both alarms are as they should be (action order does not matter)', () => {
    const sys = owned(A, 'system');
    sys.alarmActions = [...sys.alarmActions].reverse();
    const plan = planRecovery({ instances: [inst()], alarms: [sys, owned(A, 'instance')], config });
    expect(plan.puts).toEqual([]);
    expect(plan.deletes).toEqual([]);
  });

  it('rewrites an owned alarm that drifted, naming the fields', () => {
    const drifted = { ...owned(A, 'system'), evaluationPeriods: 10, threshold: 5 };
    const plan = planRecovery({ instances: [inst()], alarms: [drifted, owned(A, 'instance')], config });
    expect(plan.puts.map((p) => p.name)).toEqual([`${PREFIX}${A}-system`]);
    expect(plan.decisions[0]!.reason).toMatch(/evaluationPeriods, threshold/);
  });

  it('leaves the topic out of alarms in another region than the topic (CloudWatch refuses it)', () => {
    const spec = desiredAlarm({ ...config, region: 'us-east-1' }, A, 'system');
    expect(spec.alarmActions).toEqual(['arn:aws:automate:us-east-1:ec2:recover']);
    expect(spec.okActions).toEqual([]);
  });

  it.each([
    [{ rootDeviceType: 'instance-store' }, /instance store/],
    [{ instanceType: 'i3.large' }, /i3\.large does not support recovery/],
    [{ tags: { AutoRecover: 'true', 'aws:autoscaling:groupName': 'web' } }, /Auto Scaling group web/],
  ])('skips %j with its reason and deletes the fleet alarms it had', (over, reason) => {
    const plan = planRecovery({ instances: [inst(over)], alarms: [owned(A, 'system')], config });
    expect(plan.puts).toEqual([]);
    expect(plan.skipped).toEqual([{ resourceId: A, reason: expect.stringMatching(reason) }]);
    expect(plan.deletes).toEqual([`${PREFIX}${A}-system`]);
  });

  it('skips an unknown instance type and keeps its alarms: unknown is not unsupported', () => {
    const plan = planRecovery({
      instances: [inst({ instanceType: 'x9.huge' })],
      alarms: [owned(A, 'system')],
      config,
    });
    expect(plan.skipped[0]!.reason).toMatch(/x9\.huge not found/);
    expect(plan.deletes).toEqual([]);
  });

  it('skips a malformed AutoRecover with tag, value and expected, and deletes nothing', () => {
    const plan = planRecovery({
      instances: [inst({ tags: { AutoRecover: 'yes' } })],
      alarms: [owned(A, 'system'), owned(A, 'instance')],
      config,
    });
    expect(plan.skipped).toEqual([
      {
        resourceId: A,
        reason: expect.stringContaining('not readable'),
        tagProblem: { resourceId: A, tag: 'AutoRecover', value: 'yes', expected: 'true or false' },
      },
    ]);
    expect(plan.deletes).toEqual([]);
    expect(plan.puts).toEqual([]);
  });

  it('accepts AutoRecover in any case and with spaces, as the tag contract says', () => {
    expect(
      planRecovery({ instances: [inst({ tags: { AutoRecover: ' True ' } })], alarms: [], config }).puts,
    ).toHaveLength(2);
  });

  it('deletes the fleet alarms of terminated, opted-out and vanished instances, with the reason', () => {
    const plan = planRecovery({
      instances: [inst({ state: 'terminated' }), inst({ id: B, tags: { AutoRecover: 'false' } })],
      alarms: [owned(A, 'system'), owned(B, 'instance'), owned('i-0ccccccccccccccc0', 'system')],
      config,
    });
    expect(plan.deletes).toEqual([
      `${PREFIX}${A}-system`,
      `${PREFIX}${B}-instance`,
      `${PREFIX}i-0ccccccccccccccc0-system`,
    ]);
    const why = new Map(plan.decisions.map((d) => [d.resourceId, d.reason]));
    expect(why.get(`${PREFIX}${A}-system`)).toMatch(/terminated/);
    expect(why.get(`${PREFIX}${B}-instance`)).toMatch(/AutoRecover=false/);
    expect(why.get(`${PREFIX}i-0ccccccccccccccc0-system`)).toMatch(/no longer exists/);
  });

  it('never deletes or overwrites a prefixed alarm without the fleet tag, and says so', () => {
    const foreignGone = { ...owned(B, 'system'), tags: { ManagedBy: 'someone-else' } };
    const foreignTaken = { ...owned(A, 'system'), metricName: 'CPUUtilization', tags: {} };
    const plan = planRecovery({ instances: [inst()], alarms: [foreignGone, foreignTaken], config });
    expect(plan.deletes).toEqual([]);
    expect(plan.puts.map((p) => p.name)).toEqual([`${PREFIX}${A}-instance`]);
    expect(plan.skipped).toEqual([{ resourceId: A, reason: expect.stringContaining('not the fleet') }]);
    expect(plan.decisions.filter((d) => d.action === 'leave').map((d) => d.resourceId)).toEqual([
      foreignTaken.name,
      foreignGone.name,
    ]);
  });

  it('leaves a tagged alarm whose name is not of the fleet form', () => {
    const odd = { ...owned(A, 'system'), name: `${PREFIX}something-else` };
    const plan = planRecovery({ instances: [], alarms: [odd], config });
    expect(plan.deletes).toEqual([]);
    expect(plan.decisions[0]).toMatchObject({ action: 'leave' });
  });

  it('reports simplified automatic recovery turned off, and still protects the instance', () => {
    const plan = planRecovery({ instances: [inst({ autoRecovery: 'disabled' })], alarms: [], config });
    expect(plan.reported).toEqual([
      { resourceId: A, reason: expect.stringContaining('AutoRecovery=disabled') },
    ]);
    expect(plan.puts).toHaveLength(2);
  });

  it('keeps a stopped instance protected (its alarms wait in INSUFFICIENT_DATA)', () => {
    const plan = planRecovery({
      instances: [inst({ state: 'stopped' })],
      alarms: [owned(A, 'system'), owned(A, 'instance')],
      config,
    });
    expect(plan.deletes).toEqual([]);
    expect(plan.protectedInstances).toBe(1);
  });
});

describe('alarm names', () => {
  it('round-trips an instance id and kind, and rejects other names', () => {
    expect(parseAlarmName(PREFIX, alarmName(PREFIX, A, 'instance'))).toEqual({
      instanceId: A,
      kind: 'instance',
    });
    expect(parseAlarmName(PREFIX, `${PREFIX}${A}-system-copy`)).toBeUndefined();
    expect(parseAlarmName(PREFIX, `other-${A}-system`)).toBeUndefined();
  });
});

describe('regionsForEvent', () => {
  it("sweeps only an EC2 event's region when it is configured, every region otherwise", () => {
    expect(regionsForEvent({ source: 'aws.ec2', region: 'us-east-1' }, ['eu-west-1', 'us-east-1'])).toEqual([
      'us-east-1',
    ]);
    expect(regionsForEvent({ source: 'aws.ec2', region: 'ap-south-1' }, ['eu-west-1'])).toEqual([
      'eu-west-1',
    ]);
    expect(regionsForEvent({ source: 'aws.events' }, ['eu-west-1', 'us-east-1'])).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
  });
});
