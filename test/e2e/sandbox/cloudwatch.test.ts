/**
 * CloudWatch alarms and the EC2 facts recovery needs, through the real SDK clients: the JSON 1.0
 * query-compatible wire (errors named by the x-amzn-query-error code), DescribeAlarms' paging,
 * DeleteAlarms' all-or-nothing, tags only on creation, DescribeInstanceTypes and MaintenanceOptions.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from '@jest/globals';

import { cloudWatchAlarms, setAlarmState } from '../../../sandbox/services/cloudwatch';
import type { Sandbox } from '../../../sandbox/server';
import { clientConfig, sandboxWithEc2 } from '../../helpers/sandbox-clients';

const REGION = 'eu-west-1';
let sandbox: Sandbox;
let ec2: EC2Client;
let cw: CloudWatchClient;
sandboxWithEc2((s, c) => {
  sandbox = s;
  ec2 = c;
  cw = new CloudWatchClient(clientConfig(s));
});

const alarm = (
  name: string,
  extra: Partial<PutMetricAlarmCommandInput> = {},
): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: 'AWS/EC2',
  MetricName: 'StatusCheckFailed_System',
  Dimensions: [{ Name: 'InstanceId', Value: 'i-0123456789abcdef0' }],
  Statistic: 'Maximum',
  Period: 60,
  EvaluationPeriods: 2,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  AlarmActions: [`arn:aws:automate:${REGION}:ec2:recover`],
  ...extra,
});

describe('CloudWatch alarms over the real SDK', () => {
  it('round-trips PutMetricAlarm and DescribeAlarms with every field the fleet sets', async () => {
    await cw.send(
      new PutMetricAlarmCommand(
        alarm('rt-a', {
          AlarmDescription: 'why',
          OKActions: [`arn:aws:sns:${REGION}:123456789012:topic`],
          TreatMissingData: 'missing',
          Tags: [{ Key: 'ManagedBy', Value: 'ec2-hygiene' }],
        }),
      ),
    );
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['rt-a'] }));
    expect(MetricAlarms).toHaveLength(1);
    expect(MetricAlarms![0]).toMatchObject({
      AlarmName: 'rt-a',
      AlarmArn: `arn:aws:cloudwatch:${REGION}:123456789012:alarm:rt-a`,
      AlarmDescription: 'why',
      ActionsEnabled: true,
      Namespace: 'AWS/EC2',
      MetricName: 'StatusCheckFailed_System',
      Dimensions: [{ Name: 'InstanceId', Value: 'i-0123456789abcdef0' }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [`arn:aws:automate:${REGION}:ec2:recover`],
      OKActions: [`arn:aws:sns:${REGION}:123456789012:topic`],
      StateValue: 'INSUFFICIENT_DATA',
    });
    expect(MetricAlarms![0]!.StateUpdatedTimestamp).toBeInstanceOf(Date);
    const tags = await cw.send(new ListTagsForResourceCommand({ ResourceARN: MetricAlarms![0]!.AlarmArn }));
    expect(tags.Tags).toEqual([{ Key: 'ManagedBy', Value: 'ec2-hygiene' }]);
  });

  it('keeps state and tags on an update, as CloudWatch ignores Tags when the alarm exists', async () => {
    await cw.send(new PutMetricAlarmCommand(alarm('upd', { Tags: [{ Key: 'Owner', Value: 'a' }] })));
    setAlarmState(sandbox.state, REGION, 'upd', 'ALARM');
    await cw.send(
      new PutMetricAlarmCommand(alarm('upd', { EvaluationPeriods: 5, Tags: [{ Key: 'Owner', Value: 'b' }] })),
    );
    const stored = cloudWatchAlarms(sandbox.state, REGION).get('upd')!;
    expect(stored).toMatchObject({ evaluationPeriods: 5, state: 'ALARM', tags: { Owner: 'a' } });
    await cw.send(new TagResourceCommand({ ResourceARN: stored.arn, Tags: [{ Key: 'Owner', Value: 'c' }] }));
    expect(cloudWatchAlarms(sandbox.state, REGION).get('upd')!.tags).toEqual({ Owner: 'c' });
  });

  it('pages DescribeAlarms by prefix in name order, MaxRecords at a time', async () => {
    for (let i = 0; i < 7; i++) await cw.send(new PutMetricAlarmCommand(alarm(`pg-${i}`)));
    await cw.send(new PutMetricAlarmCommand(alarm('other-pg-0')));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await cw.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: 'pg-', MaxRecords: 3, NextToken: token }),
      );
      expect(page.MetricAlarms!.length).toBeLessThanOrEqual(3);
      seen.push(...page.MetricAlarms!.map((a) => a.AlarmName!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(['pg-0', 'pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5', 'pg-6']);
    await expect(cw.send(new DescribeAlarmsCommand({ MaxRecords: 101 }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'InvalidParameterValue',
    });
  });

  it('deletes all named alarms or, with one unknown name, none, naming it (ResourceNotFound)', async () => {
    await cw.send(new PutMetricAlarmCommand(alarm('del-1')));
    await cw.send(new PutMetricAlarmCommand(alarm('del-2')));
    const error = await cw
      .send(new DeleteAlarmsCommand({ AlarmNames: ['del-1', 'del-nope'] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResourceNotFound', message: expect.stringContaining('del-nope') });
    expect(cloudWatchAlarms(sandbox.state, REGION).has('del-1')).toBe(true);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['del-1', 'del-2'] }));
    expect(cloudWatchAlarms(sandbox.state, REGION).has('del-1')).toBe(false);
    expect(cloudWatchAlarms(sandbox.state, REGION).has('del-2')).toBe(false);
  });

  it('refuses an EC2 action of another region and a malformed one, naming the action', async () => {
    await expect(
      cw.send(
        new PutMetricAlarmCommand(alarm('bad', { AlarmActions: ['arn:aws:automate:us-east-1:ec2:recover'] })),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'InvalidParameterValue',
      message: expect.stringContaining('us-east-1'),
    });
    await expect(
      cw.send(
        new PutMetricAlarmCommand(alarm('bad', { AlarmActions: [`arn:aws:automate:${REGION}:ec2:explode`] })),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'InvalidParameterValue',
      message: expect.stringContaining('explode'),
    });
    expect(cloudWatchAlarms(sandbox.state, REGION).has('bad')).toBe(false);
  });

  it('setAlarmState returns the actions a transition fires, and none when it is no transition', async () => {
    await cw.send(new PutMetricAlarmCommand(alarm('fire')));
    expect(setAlarmState(sandbox.state, REGION, 'fire', 'ALARM')).toEqual([
      `arn:aws:automate:${REGION}:ec2:recover`,
    ]);
    expect(setAlarmState(sandbox.state, REGION, 'fire', 'ALARM')).toEqual([]);
  });
});

describe('EC2 facts recovery reads', () => {
  it('answers DescribeInstanceTypes with AutoRecoverySupported, and InvalidInstanceType for an unknown type', async () => {
    const { InstanceTypes } = await ec2.send(
      new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.micro', 'i3.large'] }),
    );
    expect(InstanceTypes!.map((t) => [t.InstanceType, t.AutoRecoverySupported])).toEqual([
      ['i3.large', false],
      ['t3.micro', true],
    ]);
    await expect(
      ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['zz9.huge' as _InstanceType] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceType',
    });
  });

  it('reports MaintenanceOptions.AutoRecovery and the root device type on instances', async () => {
    const region = sandbox.state.region(REGION);
    const image = region.addImage({});
    const off = region.addInstance({
      imageId: image.id,
      autoRecovery: 'disabled',
      rootDeviceType: 'instance-store',
    });
    const on = region.addInstance({ imageId: image.id });
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [off.id, on.id] }));
    const byId = new Map(Reservations!.flatMap((r) => r.Instances!).map((i) => [i.InstanceId, i]));
    expect(byId.get(off.id)).toMatchObject({
      MaintenanceOptions: { AutoRecovery: 'disabled' },
      RootDeviceType: 'instance-store',
    });
    expect(byId.get(on.id)).toMatchObject({
      MaintenanceOptions: { AutoRecovery: 'default' },
      RootDeviceType: 'ebs',
    });
  });
});
