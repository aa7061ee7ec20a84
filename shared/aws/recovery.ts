/**
 * The recovery function's AWS I/O: read opted-in instances, their types' recoverability and the
 * fleet-prefixed alarms (with their tags, the ownership mark); write and delete alarms in the
 * fewest calls CloudWatch allows. A failed call is recorded against its alarm and the run goes on.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeInstanceTypesCommand,
  paginateDescribeInstances,
  type _InstanceType,
  type EC2Client,
} from '@aws-sdk/client-ec2';

import type { Problem } from '../domain';
import type { RunFailure } from '../events';
import {
  AUTO_RECOVER_TAG,
  FLEET_TAG,
  type AlarmSpec,
  type ExistingAlarm,
  type RecoveryInstance,
} from '../plan/recovery';
import { errorText } from '../errors';

export interface RecoveryInventory {
  accountId: string;
  instances: RecoveryInstance[];
  autoRecoverySupported: Map<string, boolean>;
  alarms: ExistingAlarm[];
  problems: Problem[];
  calls: { describeAlarms: number; listTags: number; describeInstanceTypes: number };
}

/** DescribeAlarms' largest page, DeleteAlarms' largest batch, DescribeInstanceTypes' largest list. */
export const ALARM_PAGE = 100;
export const DELETE_BATCH = 100;
const TYPES_BATCH = 100;
/** ListTagsForResource on an alarm deleted since DescribeAlarms listed it: it is simply gone. */
const ALARM_GONE = new Set(['ResourceNotFoundException', 'ResourceNotFound']);

export async function readRecoveryInventory(
  ec2: EC2Client,
  cloudWatch: CloudWatchClient,
  alarmPrefix: string,
): Promise<RecoveryInventory> {
  const inv: RecoveryInventory = {
    accountId: '',
    instances: [],
    autoRecoverySupported: new Map(),
    alarms: [],
    problems: [],
    calls: { describeAlarms: 0, listTags: 0, describeInstanceTypes: 0 },
  };
  // Only instances carrying the tag: an alarm whose instance is not among them is gone or opted out.
  for await (const page of paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    { Filters: [{ Name: 'tag-key', Values: [AUTO_RECOVER_TAG] }] },
  )) {
    for (const r of page.Reservations ?? []) {
      if (!inv.accountId && r.OwnerId) inv.accountId = r.OwnerId;
      for (const i of r.Instances ?? []) {
        if (!i.InstanceId) continue;
        inv.instances.push({
          id: i.InstanceId,
          state: i.State?.Name ?? 'unknown',
          instanceType: i.InstanceType ?? 'unknown',
          rootDeviceType: i.RootDeviceType ?? 'unknown',
          ...(i.MaintenanceOptions?.AutoRecovery ? { autoRecovery: i.MaintenanceOptions.AutoRecovery } : {}),
          tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        });
      }
    }
  }

  const types = [...new Set(inv.instances.map((i) => i.instanceType))].sort();
  for (let at = 0; at < types.length; at += TYPES_BATCH) {
    await readTypes(ec2, types.slice(at, at + TYPES_BATCH), inv);
  }

  let token: string | undefined;
  do {
    inv.calls.describeAlarms++;
    const page = await cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: alarmPrefix, MaxRecords: ALARM_PAGE, NextToken: token }),
    );
    for (const a of page.MetricAlarms ?? []) {
      if (!a.AlarmName || !a.AlarmArn) continue;
      inv.calls.listTags++;
      // DescribeAlarms carries no tags, and the tag is what makes an alarm the fleet's. Any other
      // failure fails the read: an alarm of unknown owner must be neither deleted nor overwritten.
      let tags;
      try {
        tags = await cloudWatch.send(new ListTagsForResourceCommand({ ResourceARN: a.AlarmArn }));
      } catch (err) {
        if (ALARM_GONE.has((err as { name?: string }).name ?? '')) continue;
        throw err;
      }
      inv.alarms.push(
        toExisting(a, Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))),
      );
    }
    token = page.NextToken;
  } while (token);
  return inv;
}

/**
 * EC2 fails the whole call on one type it does not know (InvalidInstanceType), so such a batch is
 * asked again one type at a time: one odd type must not leave every other instance unjudged.
 */
async function readTypes(ec2: EC2Client, batch: string[], inv: RecoveryInventory): Promise<void> {
  inv.calls.describeInstanceTypes++;
  try {
    const out = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: batch as _InstanceType[] }));
    for (const t of out.InstanceTypes ?? []) {
      if (t.InstanceType && t.AutoRecoverySupported !== undefined) {
        inv.autoRecoverySupported.set(t.InstanceType, t.AutoRecoverySupported);
      }
    }
  } catch (err) {
    if ((err as { name?: string }).name === 'InvalidInstanceType' && batch.length > 1) {
      for (const type of batch) await readTypes(ec2, [type], inv);
      return;
    }
    // Types left out of the map are "unknown": the plan skips their instances and deletes nothing.
    inv.problems.push({
      resourceId: batch.join(','),
      message: `could not read whether instance type(s) ${batch.join(', ')} support recovery: ${errorText(err)}`,
    });
  }
}

function toExisting(a: MetricAlarm, tags: Record<string, string>): ExistingAlarm {
  return {
    name: a.AlarmName!,
    description: a.AlarmDescription ?? '',
    namespace: a.Namespace ?? '',
    metricName: a.MetricName ?? '',
    instanceId:
      (a.Dimensions ?? []).length === 1 && a.Dimensions![0]!.Name === 'InstanceId'
        ? (a.Dimensions![0]!.Value ?? '')
        : JSON.stringify(a.Dimensions ?? []),
    statistic: a.Statistic ?? '',
    period: a.Period ?? 0,
    evaluationPeriods: a.EvaluationPeriods ?? 0,
    threshold: a.Threshold ?? Number.NaN,
    comparisonOperator: a.ComparisonOperator ?? '',
    treatMissingData: a.TreatMissingData ?? 'missing',
    actionsEnabled: a.ActionsEnabled ?? true,
    alarmActions: a.AlarmActions ?? [],
    okActions: a.OKActions ?? [],
    tags,
  };
}

export interface RecoveryApplyResult {
  written: string[];
  deleted: string[];
  failures: RunFailure[];
  calls: { putMetricAlarm: number; deleteAlarms: number };
  /** Stopped before the end to stay inside the time budget. */
  incomplete: boolean;
}

export async function applyRecovery(
  cloudWatch: CloudWatchClient,
  puts: readonly AlarmSpec[],
  deletes: readonly string[],
  hasTime: () => boolean,
): Promise<RecoveryApplyResult> {
  const out: RecoveryApplyResult = {
    written: [],
    deleted: [],
    failures: [],
    calls: { putMetricAlarm: 0, deleteAlarms: 0 },
    incomplete: false,
  };
  for (const spec of puts) {
    if (!hasTime()) {
      out.incomplete = true;
      return out;
    }
    out.calls.putMetricAlarm++;
    try {
      // No batch form exists; Tags only take effect when the call creates the alarm.
      await cloudWatch.send(
        new PutMetricAlarmCommand({
          AlarmName: spec.name,
          AlarmDescription: spec.description,
          Namespace: spec.namespace,
          MetricName: spec.metricName,
          Dimensions: [{ Name: 'InstanceId', Value: spec.instanceId }],
          Statistic: spec.statistic as 'Maximum',
          Period: spec.period,
          EvaluationPeriods: spec.evaluationPeriods,
          Threshold: spec.threshold,
          ComparisonOperator: spec.comparisonOperator as 'GreaterThanOrEqualToThreshold',
          TreatMissingData: spec.treatMissingData,
          ActionsEnabled: spec.actionsEnabled,
          AlarmActions: spec.alarmActions,
          OKActions: spec.okActions,
          Tags: [{ Key: FLEET_TAG.key, Value: FLEET_TAG.value }],
        }),
      );
      out.written.push(spec.name);
    } catch (err) {
      out.failures.push({ resourceId: spec.name, action: 'PutMetricAlarm', message: errorText(err) });
    }
  }
  for (let at = 0; at < deletes.length; at += DELETE_BATCH) {
    if (!hasTime()) {
      out.incomplete = true;
      return out;
    }
    const batch = deletes.slice(at, at + DELETE_BATCH);
    out.calls.deleteAlarms++;
    try {
      await cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: batch }));
      out.deleted.push(...batch);
    } catch (err) {
      for (const name of batch) {
        out.failures.push({ resourceId: name, action: 'DeleteAlarms', message: errorText(err) });
      }
    }
  }
  return out;
}
