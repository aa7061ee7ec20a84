/**
 * CloudWatch alarms (scope `monitoring`, JSON 1.0, query-compatible: errors also carry the query
 * code in `x-amzn-query-error`). PutMetricAlarm (creates or replaces by name; Tags apply only when
 * it creates, as in AWS), DescribeAlarms (AlarmNames or AlarmNamePrefix, MaxRecords 1-100,
 * NextToken, alarms sorted by name), DeleteAlarms (up to 100 names; unknown names are an error
 * naming them), TagResource/UntagResource/ListTagsForResource on alarm ARNs, and
 * setAlarmState for tests (what SetAlarmState or a metric breach would do).
 */
import { SandboxError } from '../protocol/errors';
import { pageOfArray } from '../protocol/pagination';
import type { SandboxState } from '../state/account';
import type { RegionState } from '../state/region';
import type { JsonServiceHandler } from './types';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmRecord {
  name: string;
  arn: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  metricName: string;
  namespace: string;
  statistic?: string;
  dimensions: { Name: string; Value: string }[];
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparisonOperator: string;
  treatMissingData?: string;
  state: AlarmStateValue;
  stateReason: string;
  /** Epoch seconds, as the JSON protocol carries timestamps. */
  stateUpdated: number;
  configurationUpdated: number;
  tags: Record<string, string>;
}

const MAX_RECORDS = 100;
const MAX_DELETE = 100;
const COMPARISONS = new Set([
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
]);
const STATISTICS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);

function alarmsOf(region: RegionState): Map<string, AlarmRecord> {
  return region.store('cloudwatch-alarms', () => new Map<string, AlarmRecord>());
}

/** One region's alarms by name (for tests that look inside). */
export function cloudWatchAlarms(state: SandboxState, region: string): Map<string, AlarmRecord> {
  return alarmsOf(state.region(region));
}

/**
 * Moves an alarm to a state as CloudWatch would on a breach, and returns the actions that state
 * fires (if actions are enabled); the caller plays them (e.g. EC2 recover).
 */
export function setAlarmState(
  state: SandboxState,
  region: string,
  name: string,
  value: AlarmStateValue,
  reason = `set by the sandbox to ${value}`,
): string[] {
  const alarm = alarmsOf(state.region(region)).get(name);
  if (!alarm) throw new Error(`sandbox: no alarm ${name} in ${region}`);
  const changed = alarm.state !== value;
  alarm.state = value;
  alarm.stateReason = reason;
  alarm.stateUpdated = Math.floor(Date.now() / 1000);
  if (!changed || !alarm.actionsEnabled) return [];
  return value === 'ALARM'
    ? [...alarm.alarmActions]
    : value === 'OK'
      ? [...alarm.okActions]
      : [...alarm.insufficientDataActions];
}

/** What the sandbox did for one fired alarm action. */
export interface PlayedAction {
  action: string;
  instanceId?: string;
  outcome: string;
}

/**
 * A breach as CloudWatch plays it: the alarm goes to ALARM and its actions run. EC2 recover keeps
 * the instance's id, addresses and volumes and brings it back to `running` on healthy hardware (the
 * region's `recoveries` store counts it); reboot leaves it running; a topic is only named (the
 * notifier's own tests cover delivery).
 */
export function breachAlarm(state: SandboxState, region: string, name: string): PlayedAction[] {
  const alarm = alarmsOf(state.region(region)).get(name);
  if (!alarm) throw new Error(`sandbox: no alarm ${name} in ${region}`);
  const instanceId = alarm.dimensions.find((d) => d.Name === 'InstanceId')?.Value;
  const fired = setAlarmState(
    state,
    region,
    name,
    'ALARM',
    `Threshold Crossed: ${alarm.metricName} >= ${alarm.threshold}`,
  );
  const regionState = state.region(region);
  return fired.map((action): PlayedAction => {
    const ec2 = /^arn:aws:automate:[a-z0-9-]+:ec2:(recover|reboot|stop|terminate)$/.exec(action)?.[1];
    const instance = instanceId ? regionState.getInstance(instanceId) : undefined;
    if (!ec2) return { action, outcome: 'topic named (delivery is not modelled here)' };
    if (!instance || instance.state === 'terminated') {
      return {
        action,
        ...(instanceId ? { instanceId } : {}),
        outcome: 'no such running instance: nothing done',
      };
    }
    if (ec2 === 'recover') {
      const recoveries = regionState.store('ec2-recoveries', () => new Map<string, number>());
      recoveries.set(instance.id, (recoveries.get(instance.id) ?? 0) + 1);
      instance.state = 'running';
      return {
        action,
        instanceId: instance.id,
        outcome: `recovered on new hardware: still ${instance.id}, running`,
      };
    }
    if (ec2 === 'reboot') return { action, instanceId: instance.id, outcome: 'rebooted: running' };
    instance.state = ec2 === 'stop' ? 'stopped' : 'terminated';
    return { action, instanceId: instance.id, outcome: instance.state };
  });
}

/** How many times EC2 recover ran on each instance (breachAlarm). */
export function recoveriesOf(state: SandboxState, region: string): ReadonlyMap<string, number> {
  return state.region(region).store('ec2-recoveries', () => new Map<string, number>());
}

const invalid = (message: string) =>
  new SandboxError('InvalidParameterValueException', message, 400, 'InvalidParameterValue');
const missing = (name: string) =>
  new SandboxError(
    'MissingRequiredParameterException',
    `The parameter ${name} is required.`,
    400,
    'MissingParameter',
  );

function requiredText(input: Record<string, unknown>, name: string): string {
  const v = input[name];
  if (typeof v !== 'string' || v === '') throw missing(name);
  return v;
}

function requiredNumber(input: Record<string, unknown>, name: string, min: number): number {
  const v = input[name];
  if (v === undefined || v === null) throw missing(name);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw invalid(`The parameter ${name} must be a number >= ${min} (got ${JSON.stringify(v)}).`);
  }
  return v;
}

function stringList(input: Record<string, unknown>, name: string, max = 5): string[] {
  const v = input[name];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw invalid(`The parameter ${name} must be a list of strings.`);
  }
  if (v.length > max)
    throw invalid(`The parameter ${name} has ${v.length} items; at most ${max} are allowed.`);
  return v as string[];
}

/** AWS accepts only its own action ARNs and ARNs of the same region (SNS topics, automate actions). */
function checkActions(actions: string[], region: string, name: string): void {
  for (const a of actions) {
    const m = /^arn:aws:(sns|automate|ssm|ssm-incidents|lambda|autoscaling):([a-z0-9-]+):/.exec(a);
    if (!m) throw invalid(`Invalid arn syntax: ${a} (${name})`);
    if (m[2] !== region) {
      throw invalid(`The action ${a} in ${name} is in another region than the alarm (${region}).`);
    }
    if (m[1] === 'automate' && !/^arn:aws:automate:[a-z0-9-]+:ec2:(stop|terminate|reboot|recover)$/.test(a)) {
      throw invalid(`Invalid EC2 action ${a} (${name}): expected ec2:stop, terminate, reboot or recover.`);
    }
  }
}

function tagList(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (!Array.isArray(raw)) throw invalid('Tags must be a list of {Key, Value}.');
  const out: Record<string, string> = {};
  for (const t of raw as unknown[]) {
    const { Key: key, Value: value } = (t ?? {}) as Record<string, unknown>;
    if (typeof key !== 'string' || key === '' || typeof value !== 'string') {
      throw invalid(`Every tag needs a Key and a Value (got ${JSON.stringify(t)}).`);
    }
    out[key] = value;
  }
  return out;
}

export function alarmArn(region: string, accountId: string, name: string): string {
  return `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;
}

function alarmByArn(region: RegionState, arn: unknown): AlarmRecord {
  if (typeof arn !== 'string' || arn === '') throw missing('ResourceARN');
  const m = /^arn:aws:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/.exec(arn);
  const alarm = m && m[1] === region.name ? alarmsOf(region).get(m[3]!) : undefined;
  if (!alarm) {
    throw new SandboxError('ResourceNotFoundException', `${arn} not found`, 404, 'ResourceNotFoundException');
  }
  return alarm;
}

function render(a: AlarmRecord): Record<string, unknown> {
  return {
    AlarmName: a.name,
    AlarmArn: a.arn,
    AlarmDescription: a.description,
    AlarmConfigurationUpdatedTimestamp: a.configurationUpdated,
    ActionsEnabled: a.actionsEnabled,
    OKActions: a.okActions,
    AlarmActions: a.alarmActions,
    InsufficientDataActions: a.insufficientDataActions,
    StateValue: a.state,
    StateReason: a.stateReason,
    StateUpdatedTimestamp: a.stateUpdated,
    StateTransitionedTimestamp: a.stateUpdated,
    MetricName: a.metricName,
    Namespace: a.namespace,
    Statistic: a.statistic,
    Dimensions: a.dimensions,
    Period: a.period,
    EvaluationPeriods: a.evaluationPeriods,
    DatapointsToAlarm: a.datapointsToAlarm,
    Threshold: a.threshold,
    ComparisonOperator: a.comparisonOperator,
    TreatMissingData: a.treatMissingData,
  };
}

export const cloudwatch: JsonServiceHandler = {
  service: 'monitoring',
  protocol: 'json1.0',
  targetPrefix: 'GraniteServiceVersion20100801',
  actions: {
    PutMetricAlarm: (input, { region, state }) => {
      const name = requiredText(input, 'AlarmName');
      if (name.length > 255) throw invalid(`AlarmName ${name} is longer than 255 characters.`);
      const metricName = requiredText(input, 'MetricName');
      const namespace = requiredText(input, 'Namespace');
      const comparison = requiredText(input, 'ComparisonOperator');
      if (!COMPARISONS.has(comparison)) throw invalid(`ComparisonOperator ${comparison} is not valid.`);
      const statistic = input.Statistic;
      if (statistic !== undefined && (typeof statistic !== 'string' || !STATISTICS.has(statistic))) {
        throw invalid(
          `Statistic ${String(statistic)} is not valid: expected one of ${[...STATISTICS].join(', ')}.`,
        );
      }
      if (statistic === undefined && input.ExtendedStatistic === undefined) {
        throw missing('Statistic');
      }
      const period = requiredNumber(input, 'Period', 10);
      if (period >= 60 ? period % 60 !== 0 : ![10, 20, 30].includes(period)) {
        throw invalid(`Period ${period} is not valid: expected 10, 20, 30 or a multiple of 60.`);
      }
      const evaluationPeriods = requiredNumber(input, 'EvaluationPeriods', 1);
      const threshold = requiredNumber(input, 'Threshold', -Infinity);
      const okActions = stringList(input, 'OKActions');
      const alarmActions = stringList(input, 'AlarmActions');
      const insufficientDataActions = stringList(input, 'InsufficientDataActions');
      for (const [list, n] of [
        [okActions, 'OKActions'],
        [alarmActions, 'AlarmActions'],
        [insufficientDataActions, 'InsufficientDataActions'],
      ] as const) {
        checkActions(list, region.name, n);
      }
      const dimsRaw = input.Dimensions ?? [];
      if (!Array.isArray(dimsRaw)) throw invalid('Dimensions must be a list of {Name, Value}.');
      const dimensions = (dimsRaw as unknown[]).map((d) => {
        const { Name: n, Value: v } = (d ?? {}) as Record<string, unknown>;
        if (typeof n !== 'string' || typeof v !== 'string') {
          throw invalid(`Every dimension needs a Name and a Value (got ${JSON.stringify(d)}).`);
        }
        return { Name: n, Value: v };
      });
      const alarms = alarmsOf(region);
      const existing = alarms.get(name);
      const now = Math.floor(Date.now() / 1000);
      const record: AlarmRecord = {
        name,
        arn: alarmArn(region.name, state.accountId, name),
        ...(typeof input.AlarmDescription === 'string' ? { description: input.AlarmDescription } : {}),
        actionsEnabled: input.ActionsEnabled !== false,
        okActions,
        alarmActions,
        insufficientDataActions,
        metricName,
        namespace,
        ...(typeof statistic === 'string' ? { statistic } : {}),
        dimensions,
        period,
        evaluationPeriods,
        ...(typeof input.DatapointsToAlarm === 'number'
          ? { datapointsToAlarm: input.DatapointsToAlarm }
          : {}),
        threshold,
        comparisonOperator: comparison,
        ...(typeof input.TreatMissingData === 'string' ? { treatMissingData: input.TreatMissingData } : {}),
        // An update keeps the alarm's state and its tags (AWS ignores Tags on an update).
        state: existing?.state ?? 'INSUFFICIENT_DATA',
        stateReason: existing?.stateReason ?? 'Unchecked: Initial alarm creation',
        stateUpdated: existing?.stateUpdated ?? now,
        configurationUpdated: now,
        tags: existing ? existing.tags : tagList(input.Tags),
      };
      alarms.set(name, record);
      return {};
    },

    DescribeAlarms: (input, { region }) => {
      const names = stringList(input, 'AlarmNames', 100);
      const prefix = input.AlarmNamePrefix;
      if (prefix !== undefined && typeof prefix !== 'string')
        throw invalid('AlarmNamePrefix must be a string.');
      if (names.length > 0 && prefix !== undefined) {
        throw new SandboxError(
          'InvalidParameterCombinationException',
          'AlarmNames and AlarmNamePrefix cannot be used together.',
          400,
          'InvalidParameterCombination',
        );
      }
      const max = input.MaxRecords;
      if (max !== undefined && (typeof max !== 'number' || max < 1 || max > MAX_RECORDS)) {
        throw invalid(`MaxRecords ${String(max)} is not valid: expected 1 to ${MAX_RECORDS}.`);
      }
      const wanted = new Set(names);
      const all = [...alarmsOf(region).values()]
        .filter((a) => (names.length > 0 ? wanted.has(a.name) : a.name.startsWith(prefix ?? '')))
        .filter((a) => typeof input.StateValue !== 'string' || a.state === input.StateValue)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      let page;
      try {
        page = pageOfArray(all, input.NextToken as string | undefined, (max as number | undefined) ?? 50);
      } catch {
        throw new SandboxError('InvalidNextToken', 'The NextToken is not valid.', 400, 'InvalidNextToken');
      }
      return {
        MetricAlarms: page.items.map(render),
        CompositeAlarms: [],
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    DeleteAlarms: (input, { region }) => {
      const names = stringList(input, 'AlarmNames', MAX_DELETE);
      if (names.length === 0) throw missing('AlarmNames');
      const alarms = alarmsOf(region);
      const unknown = names.filter((n) => !alarms.has(n));
      // All-or-nothing, as CloudWatch: one unknown name fails the call and deletes none.
      if (unknown.length > 0) {
        throw new SandboxError(
          'ResourceNotFound',
          `Alarms not found: ${unknown.join(', ')}`,
          404,
          'ResourceNotFound',
        );
      }
      for (const n of names) alarms.delete(n);
      return {};
    },

    TagResource: (input, { region }) => {
      const alarm = alarmByArn(region, input.ResourceARN);
      Object.assign(alarm.tags, tagList(input.Tags));
      return {};
    },

    UntagResource: (input, { region }) => {
      const alarm = alarmByArn(region, input.ResourceARN);
      for (const key of stringList(input, 'TagKeys', 50)) delete alarm.tags[key];
      return {};
    },

    ListTagsForResource: (input, { region }) => {
      const alarm = alarmByArn(region, input.ResourceARN);
      return { Tags: Object.entries(alarm.tags).map(([Key, Value]) => ({ Key, Value })) };
    },
  },
};
