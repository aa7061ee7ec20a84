/**
 * The real recovery handler against the local account, signed as its own role (the account
 * refuses anything functions/recovery/resources.yml does not allow), seeded and inspected as admin.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchClient, DeleteAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';

import { recoveryLowerBound } from '../../../bench/bounds';
import { makeRecoveryHandler } from '../../../functions/recovery/handler';
import { cloudWatchAlarms } from '../../../sandbox/services/cloudwatch';
import { instanceTypesOf } from '../../../sandbox/services/ec2/instance-types';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { decisionsFor, fakeContext, invoke, type HandlerRun } from '../../helpers/harness';

const REGION = 'eu-west-1';
const PREFIX = 'ec2-hygiene-local-recover-';
const TOPIC = `arn:aws:sns:${REGION}:123456789012:ec2-hygiene-local-notifications`;
const KEYS = [
  'REGIONS',
  'RECOVERY_ALARM_PREFIX',
  'NOTIFICATION_TOPIC_ARN',
  'RECOVERY_DRY_RUN',
  'EVENT_BUS_NAME',
];

let sandbox: Sandbox;
let handler: ReturnType<typeof makeRecoveryHandler>;
let admin: CloudWatchClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  admin = new CloudWatchClient({
    endpoint: sandbox.url,
    region: REGION,
    credentials: sandbox.credentials('admin'),
  });
});
afterAll(async () => {
  admin.destroy();
  await sandbox.close();
});
beforeEach(() => {
  // A fresh account per test: clear the region's instances and alarms.
  const region = sandbox.state.region(REGION);
  for (const i of region.instances()) i.state = 'terminated';
  for (const i of region.instances()) region.instanceTable.delete(i.id);
  cloudWatchAlarms(sandbox.state, REGION).clear();
  for (const key of KEYS) delete process.env[key];
  Object.assign(process.env, sandbox.env(REGION, 'recovery'), {
    REGIONS: REGION,
    RECOVERY_ALARM_PREFIX: PREFIX,
    NOTIFICATION_TOPIC_ARN: TOPIC,
  });
  handler = makeRecoveryHandler();
  sandbox.faults.clear();
  sandbox.requests.reset();
});

const region = () => sandbox.state.region(REGION);
const alarms = () => cloudWatchAlarms(sandbox.state, REGION);
const run = (): Promise<HandlerRun> => invoke(handler, fakeContext());

function instance(
  tags: Record<string, string>,
  extra: Parameters<ReturnType<typeof region>['addInstance']>[0] | object = {},
) {
  const image = region().addImage({});
  return region().addInstance({ imageId: image.id, tags, ...extra });
}

describe('recovery through the real handler, as its own role', () => {
  it('gives an opted-in instance a recover alarm and a reboot alarm, both notifying the topic and tagged as the fleet', async () => {
    const i = instance({ AutoRecover: 'true' });
    const { summaries, logs } = await run();
    const system = alarms().get(`${PREFIX}${i.id}-system`);
    const inst = alarms().get(`${PREFIX}${i.id}-instance`);
    expect(system).toMatchObject({
      metricName: 'StatusCheckFailed_System',
      namespace: 'AWS/EC2',
      dimensions: [{ Name: 'InstanceId', Value: i.id }],
      alarmActions: [`arn:aws:automate:${REGION}:ec2:recover`, TOPIC],
      tags: { ManagedBy: 'ec2-hygiene' },
    });
    expect(inst).toMatchObject({
      metricName: 'StatusCheckFailed_Instance',
      alarmActions: [`arn:aws:automate:${REGION}:ec2:reboot`, TOPIC],
      tags: { ManagedBy: 'ec2-hygiene' },
    });
    expect(summaries[0]!.failures).toEqual([]);
    expect(summaries[0]!.counts).toMatchObject({ instancesProtected: 1, alarmsWritten: 2 });
    expect(decisionsFor(logs, i.id)[0]).toMatchObject({ action: 'protect' });
  });

  it('writes nothing on a second run, and rewrites only an alarm someone changed', async () => {
    const i = instance({ AutoRecover: 'TRUE' });
    await run();
    sandbox.requests.reset();
    const second = await run();
    expect(sandbox.requests.count('monitoring', 'PutMetricAlarm')).toBe(0);
    expect(sandbox.requests.count('monitoring', 'DeleteAlarms')).toBe(0);
    expect(second.summaries[0]!.counts).toMatchObject({ alarmsWritten: 0, alarmsDeleted: 0 });

    alarms().get(`${PREFIX}${i.id}-instance`)!.alarmActions = [`arn:aws:automate:${REGION}:ec2:stop`];
    sandbox.requests.reset();
    await run();
    expect(sandbox.requests.count('monitoring', 'PutMetricAlarm')).toBe(1);
    expect(alarms().get(`${PREFIX}${i.id}-instance`)!.alarmActions).toEqual([
      `arn:aws:automate:${REGION}:ec2:reboot`,
      TOPIC,
    ]);
  });

  it('reports instance-store, unsupported-type and group instances as skipped with the reason, and writes no alarm for them', async () => {
    const store = instance({ AutoRecover: 'true' }, { rootDeviceType: 'instance-store' });
    const unsupported = instance({ AutoRecover: 'true' }, { instanceType: 'm5d.large' });
    const grouped = instance({ AutoRecover: 'true', 'aws:autoscaling:groupName': 'web' });
    const { summaries } = await run();
    const skipped = new Map(summaries[0]!.skipped.map((s) => [s.resourceId, s.reason]));
    expect(skipped.get(store.id)).toMatch(/instance store/);
    expect(skipped.get(unsupported.id)).toMatch(/m5d\.large does not support recovery/);
    expect(skipped.get(grouped.id)).toMatch(/Auto Scaling group web/);
    expect([...alarms().keys()]).toEqual([]);
  });

  it('reports an instance whose simplified automatic recovery is disabled, and still protects it', async () => {
    const i = instance({ AutoRecover: 'true' }, { autoRecovery: 'disabled' });
    const { summaries } = await run();
    expect(summaries[0]!.reported).toEqual([
      { resourceId: i.id, reason: expect.stringContaining('MaintenanceOptions.AutoRecovery=disabled') },
    ]);
    expect(alarms().has(`${PREFIX}${i.id}-system`)).toBe(true);
  });

  it("deletes the fleet's alarms of a terminated instance, an opted-out one and one that is gone", async () => {
    const terminated = instance({ AutoRecover: 'true' });
    const optedOut = instance({ AutoRecover: 'true' });
    const gone = instance({ AutoRecover: 'true' });
    const stays = instance({ AutoRecover: 'true' });
    await run();
    expect(alarms().size).toBe(8);
    terminated.state = 'terminated';
    optedOut.tags.AutoRecover = 'false';
    region().instanceTable.delete(gone.id);
    const { logs } = await run();
    expect([...alarms().keys()].sort()).toEqual([
      `${PREFIX}${stays.id}-instance`,
      `${PREFIX}${stays.id}-system`,
    ]);
    expect(sandbox.requests.count('monitoring', 'DeleteAlarms')).toBe(1);
    expect(decisionsFor(logs, `${PREFIX}${terminated.id}-system`)[0]).toMatchObject({
      action: 'delete',
      reason: expect.stringContaining('terminated'),
    });
  });

  it('never touches a same-prefixed alarm without the fleet tag, even for an opted-in or terminated instance', async () => {
    const opted = instance({ AutoRecover: 'true' });
    const dead = instance({ AutoRecover: 'true' }, { state: 'terminated' });
    const foreign = (name: string) =>
      admin.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: 'AWS/EC2',
          MetricName: 'CPUUtilization',
          Statistic: 'Average',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 90,
          ComparisonOperator: 'GreaterThanThreshold',
          Tags: [{ Key: 'Owner', Value: 'someone-else' }],
        }),
      );
    await foreign(`${PREFIX}${opted.id}-system`);
    await foreign(`${PREFIX}${dead.id}-system`);
    const before = JSON.stringify([...alarms().values()]);
    const { summaries } = await run();
    expect(alarms().get(`${PREFIX}${opted.id}-system`)!.metricName).toBe('CPUUtilization');
    expect(alarms().get(`${PREFIX}${dead.id}-system`)!.metricName).toBe('CPUUtilization');
    expect(JSON.stringify([...alarms().values()].filter((a) => a.tags.Owner))).toBe(
      JSON.stringify(JSON.parse(before)),
    );
    // The opted-in instance still gets the alarm that is free, and the clash is reported.
    expect(alarms().get(`${PREFIX}${opted.id}-instance`)!.tags).toEqual({ ManagedBy: 'ec2-hygiene' });
    expect(summaries[0]!.skipped).toContainEqual({
      resourceId: opted.id,
      reason: expect.stringContaining('not the fleet'),
    });
  });

  it('skips an instance with a malformed AutoRecover, reporting tag, value and expected, and keeps its alarms', async () => {
    const i = instance({ AutoRecover: 'true' });
    await run();
    i.tags.AutoRecover = 'yes please';
    const { summaries, logs } = await run();
    expect(summaries[0]!.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: i.id,
        tag: 'AutoRecover',
        value: 'yes please',
        expected: 'true or false',
      }),
    );
    expect(decisionsFor(logs, i.id)[0]).toMatchObject({ level: 'warn', action: 'skip' });
    expect(alarms().has(`${PREFIX}${i.id}-system`)).toBe(true);
    expect(sandbox.requests.count('monitoring', 'DeleteAlarms')).toBe(0);
  });

  it('keeps the alarms of an instance whose type EC2 does not list (unknown is not unsupported)', async () => {
    const i = instance({ AutoRecover: 'true' }, { instanceType: 'm5.large' });
    await run();
    instanceTypesOf(region()).delete('m5.large');
    const other = instance({ AutoRecover: 'true' }, { instanceType: 't3.small' });
    const { summaries } = await run();
    expect(summaries[0]!.skipped.map((s) => s.resourceId)).toContain(i.id);
    expect(alarms().has(`${PREFIX}${i.id}-system`)).toBe(true);
    // EC2 refused the batch for the unknown type; asked alone, t3.small is known and protected.
    expect(alarms().has(`${PREFIX}${other.id}-system`)).toBe(true);
    expect(summaries[0]!.skipped).toContainEqual({
      resourceId: 'm5.large',
      reason: expect.stringContaining('InvalidInstanceType'),
    });
  });

  it('pages DescribeAlarms 100 at a time and deletes 100 names a call', async () => {
    const ids = Array.from({ length: 120 }, () => instance({ AutoRecover: 'true' }));
    await run();
    expect(alarms().size).toBe(240);
    for (const i of ids) i.tags.AutoRecover = 'false';
    sandbox.requests.reset();
    await run();
    // Exactly the fewest calls CloudWatch and EC2 allow for this run (bench/bounds.ts).
    const bound = recoveryLowerBound({
      taggedInstances: 120,
      instanceTypes: 1,
      prefixedAlarms: 240,
      alarmsToWrite: 0,
      alarmsToDelete: 240,
    });
    expect(bound['monitoring:DescribeAlarms']).toBe(3);
    expect(bound['monitoring:DeleteAlarms']).toBe(3);
    for (const [key, calls] of Object.entries(bound)) {
      const [service, action] = key.split(':') as [string, string];
      expect([key, sandbox.requests.count(service, action)]).toEqual([key, calls]);
    }
    expect(alarms().size).toBe(0);
  });

  it('changes nothing in a dry run, and still says what it would do', async () => {
    const i = instance({ AutoRecover: 'true' });
    const old = instance({ AutoRecover: 'false' });
    await admin.send(
      new PutMetricAlarmCommand({
        AlarmName: `${PREFIX}${old.id}-system`,
        Namespace: 'AWS/EC2',
        MetricName: 'StatusCheckFailed_System',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 2,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Tags: [{ Key: 'ManagedBy', Value: 'ec2-hygiene' }],
      }),
    );
    process.env.RECOVERY_DRY_RUN = 'true';
    handler = makeRecoveryHandler();
    const { summaries, logs } = await run();
    expect([...alarms().keys()]).toEqual([`${PREFIX}${old.id}-system`]);
    expect(sandbox.requests.count('monitoring', 'PutMetricAlarm')).toBe(1); // the admin's seed only
    expect(summaries[0]).toMatchObject({
      dryRun: true,
      counts: { alarmsToWrite: 2, alarmsToDelete: 1, alarmsWritten: 0 },
    });
    expect(decisionsFor(logs, `${PREFIX}${old.id}-system`)[0]).toMatchObject({ action: 'delete (dry run)' });
    expect(decisionsFor(logs, i.id)[0]!.reason).toMatch(/dry run: nothing written/);
  });

  it('records a refused alarm write against the alarm, writes the others, and the next run catches up', async () => {
    const a = instance({ AutoRecover: 'true' });
    const b = instance({ AutoRecover: 'true' });
    const refused = `${PREFIX}${a.id}-system`;
    sandbox.faults.add({
      service: 'monitoring',
      action: 'PutMetricAlarm',
      resourceId: refused,
      code: 'LimitExceeded',
      times: 1,
    });
    // Throttling is retried by the SDK itself: the run does not even see it.
    sandbox.faults.add({ service: 'monitoring', action: 'DescribeAlarms', code: 'Throttling', times: 1 });
    const first = await run();
    expect(first.summaries[0]!.failures).toEqual([
      { resourceId: refused, action: 'PutMetricAlarm', message: expect.stringContaining('LimitExceeded') },
    ]);
    expect(alarms().has(refused)).toBe(false);
    expect(alarms().has(`${PREFIX}${a.id}-instance`)).toBe(true);
    expect(alarms().has(`${PREFIX}${b.id}-system`)).toBe(true);
    await run();
    expect(alarms().has(refused)).toBe(true);
  });

  it('treats an alarm deleted mid-run as gone, and an alarm whose tags cannot be read as untouchable', async () => {
    const a = instance({ AutoRecover: 'true' });
    const b = instance({ AutoRecover: 'true' });
    await run();
    const arnOf = (name: string) => `arn:aws:cloudwatch:${REGION}:123456789012:alarm:${name}`;
    // Deleted between DescribeAlarms and ListTagsForResource: the run goes on and writes it again.
    const vanished = `${PREFIX}${a.id}-system`;
    sandbox.faults.add({
      service: 'monitoring',
      action: 'ListTagsForResource',
      resourceId: arnOf(vanished),
      code: 'ResourceNotFoundException',
      times: 1,
    });
    const second = await run();
    expect(second.summaries[0]!.failures).toEqual([]);
    expect(sandbox.requests.errors().map((e) => e.action)).toEqual(['ListTagsForResource']);
    expect(alarms().get(vanished)!.tags).toEqual({ ManagedBy: 'ec2-hygiene' });

    // Opted out, but whose alarm it is cannot be read: nothing is deleted or written.
    b.tags.AutoRecover = 'false';
    const unreadable = `${PREFIX}${b.id}-system`;
    sandbox.faults.add({
      service: 'monitoring',
      action: 'ListTagsForResource',
      resourceId: arnOf(unreadable),
      code: 'AccessDeniedException',
      times: 1,
    });
    sandbox.requests.reset();
    // The only region could not be read: a Lambda error naming why, so the Errors metric sees it.
    await expect(run()).rejects.toThrow(/could not read the instances tagged AutoRecover.*AccessDenied/);
    expect(sandbox.requests.count('monitoring', 'PutMetricAlarm')).toBe(0);
    expect(sandbox.requests.count('monitoring', 'DeleteAlarms')).toBe(0);
    expect(alarms().has(unreadable)).toBe(true);
  });

  it("on an EC2 state-change event sweeps only the event's region, and can write alarms in any configured region", async () => {
    process.env.REGIONS = `${REGION},us-east-1`;
    handler = makeRecoveryHandler();
    const east = sandbox.state.region('us-east-1');
    const image = east.addImage({});
    const i = east.addInstance({ imageId: image.id, tags: { AutoRecover: 'true' } });
    const here = instance({ AutoRecover: 'true' });
    const event = {
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      region: 'us-east-1',
      detail: { 'instance-id': i.id, state: 'running' },
    };
    const out = (await handler(event, fakeContext())) as {
      summaries: { region: string; failures: unknown[] }[];
    };
    expect(out.summaries.map((s) => [s.region, s.failures])).toEqual([['us-east-1', []]]);
    // Another region than the topic's: the EC2 action only (CloudWatch takes no topic of another region).
    expect(cloudWatchAlarms(sandbox.state, 'us-east-1').get(`${PREFIX}${i.id}-system`)!.alarmActions).toEqual(
      ['arn:aws:automate:us-east-1:ec2:recover'],
    );
    expect(alarms().has(`${PREFIX}${here.id}-system`)).toBe(false);
  });

  it('may write, tag and delete only alarms with the fleet prefix (the account enforces its role)', async () => {
    const asRecovery = new CloudWatchClient({
      endpoint: sandbox.url,
      region: REGION,
      credentials: sandbox.credentials('recovery'),
      maxAttempts: 1,
    });
    const put = (name: string) =>
      asRecovery.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: 'AWS/EC2',
          MetricName: 'StatusCheckFailed_System',
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 2,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Tags: [{ Key: 'ManagedBy', Value: 'ec2-hygiene' }],
        }),
      );
    try {
      await expect(put('prod-database-cpu')).rejects.toMatchObject({
        $metadata: expect.objectContaining({ httpStatusCode: 403 }),
        message: expect.stringContaining('cloudwatch:PutMetricAlarm'),
      });
      await expect(
        asRecovery.send(new DeleteAlarmsCommand({ AlarmNames: ['prod-database-cpu'] })),
      ).rejects.toMatchObject({
        message: expect.stringContaining('cloudwatch:DeleteAlarms'),
      });
      await put(`${PREFIX}i-0123456789abcdef0-system`);
      expect(alarms().has(`${PREFIX}i-0123456789abcdef0-system`)).toBe(true);
    } finally {
      asRecovery.destroy();
    }
  });
});
