/**
 * The recovery function's decision: which opted-in instances (AutoRecover=true, outside any Auto
 * Scaling group, recoverable) need their two status-check alarms written, which of the fleet's own
 * alarms are obsolete, and for every instance and alarm looked at, why. Pure: the adapter reads the
 * account, the apply step writes.
 */
import { readBooleanTag, type TagProblem, type Tags } from '../tags';

export const AUTO_RECOVER_TAG = 'AutoRecover';
/** What marks an alarm as the fleet's: without it an alarm is never touched, whatever its name. */
export const FLEET_TAG = { key: 'ManagedBy', value: 'ec2-hygiene' } as const;
/** Set by Auto Scaling on its instances; a group replaces an unhealthy instance itself. */
const GROUP_TAG = 'aws:autoscaling:groupName';

export interface RecoveryInstance {
  id: string;
  state: string;
  instanceType: string;
  rootDeviceType: string;
  /** MaintenanceOptions.AutoRecovery: `default` or `disabled` (absent when EC2 does not say). */
  autoRecovery?: string;
  tags: Tags;
}

/** One alarm as the plan compares it: only the fields the fleet sets. */
export interface AlarmSpec {
  name: string;
  description: string;
  namespace: string;
  metricName: string;
  instanceId: string;
  statistic: string;
  period: number;
  evaluationPeriods: number;
  threshold: number;
  comparisonOperator: string;
  treatMissingData: string;
  actionsEnabled: boolean;
  alarmActions: string[];
  okActions: string[];
}

export interface ExistingAlarm extends AlarmSpec {
  /** The alarm's tags (ListTagsForResource). */
  tags: Tags;
}

export interface RecoveryConfig {
  region: string;
  /** `<service>-<stage>-recover-`: every alarm the fleet writes is named with it. */
  alarmPrefix: string;
  /** The fleet's notification topic; omitted from alarms in other regions (CloudWatch refuses those). */
  topicArn?: string;
  /** Instance type -> AutoRecoverySupported (DescribeInstanceTypes). */
  autoRecoverySupported: ReadonlyMap<string, boolean>;
}

export type InstanceDecisionAction = 'protect' | 'skip' | 'ignore';
export type AlarmDecisionAction = 'keep' | 'put' | 'delete' | 'leave';

export interface RecoveryDecision {
  resourceId: string;
  action: InstanceDecisionAction | AlarmDecisionAction;
  reason: string;
  tagProblem?: TagProblem;
}

export interface RecoverySkip {
  resourceId: string;
  reason: string;
  tagProblem?: TagProblem;
}

export interface RecoveryPlan {
  /** Alarms to write (missing, or different from what they should be). Sorted by name. */
  puts: AlarmSpec[];
  /** The fleet's alarms to delete. Sorted. */
  deletes: string[];
  decisions: RecoveryDecision[];
  skipped: RecoverySkip[];
  /** Worth knowing, no action: e.g. simplified automatic recovery turned off. */
  reported: { resourceId: string; reason: string }[];
  protectedInstances: number;
}

type Kind = 'system' | 'instance';

/**
 * System check failures are AWS's hardware/network: recover moves the instance to healthy hardware.
 * Instance check failures are the guest's own: a reboot is the remedy. Two one-minute periods, as
 * AWS's own recover-alarm examples use, so one missed data point does not act.
 */
const ALARM_SHAPE: Record<Kind, { metric: string; action: string; periods: number }> = {
  system: { metric: 'StatusCheckFailed_System', action: 'recover', periods: 2 },
  instance: { metric: 'StatusCheckFailed_Instance', action: 'reboot', periods: 3 },
};

export function alarmName(prefix: string, instanceId: string, kind: Kind): string {
  return `${prefix}${instanceId}-${kind}`;
}

/** The instance id and kind an alarm name of the fleet's form names, or undefined. */
export function parseAlarmName(prefix: string, name: string): { instanceId: string; kind: Kind } | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const m = /^(i-[0-9a-f]{8,17})-(system|instance)$/.exec(name.slice(prefix.length));
  return m ? { instanceId: m[1]!, kind: m[2] as Kind } : undefined;
}

function topicRegion(arn: string): string | undefined {
  return /^arn:[^:]+:sns:([a-z0-9-]+):/.exec(arn)?.[1];
}

export function desiredAlarm(config: RecoveryConfig, instanceId: string, kind: Kind): AlarmSpec {
  const shape = ALARM_SHAPE[kind];
  const topic = config.topicArn && topicRegion(config.topicArn) === config.region ? [config.topicArn] : [];
  return {
    name: alarmName(config.alarmPrefix, instanceId, kind),
    description: `ec2-hygiene recovery: ${shape.action} ${instanceId} when ${shape.metric} fails (AutoRecover=true)`,
    namespace: 'AWS/EC2',
    metricName: shape.metric,
    instanceId,
    statistic: 'Maximum',
    period: 60,
    evaluationPeriods: shape.periods,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'missing',
    actionsEnabled: true,
    alarmActions: [`arn:aws:automate:${config.region}:ec2:${shape.action}`, ...topic],
    okActions: topic,
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** The fields that differ from what the alarm should be (empty: nothing to write). */
export function alarmDifferences(actual: AlarmSpec, wanted: AlarmSpec): string[] {
  const out: string[] = [];
  for (const key of Object.keys(wanted) as (keyof AlarmSpec)[]) {
    const a = actual[key];
    const w = wanted[key];
    const same = Array.isArray(w) ? sameSet(a as string[], w) : a === w;
    if (!same) out.push(key);
  }
  return out;
}

export function isFleetAlarm(alarm: ExistingAlarm, prefix: string): boolean {
  return alarm.name.startsWith(prefix) && alarm.tags[FLEET_TAG.key] === FLEET_TAG.value;
}

/** Why an instance is (not) protected; `keepAlarms` when the run cannot tell and must not delete. */
type Eligibility =
  | { kind: 'protect'; reason: string }
  | { kind: 'not-opted-in'; reason: string; quiet: boolean }
  | { kind: 'skip'; reason: string; keepAlarms: boolean; tagProblem?: TagProblem };

function eligibility(instance: RecoveryInstance, config: RecoveryConfig): Eligibility {
  if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    return { kind: 'not-opted-in', reason: `instance is ${instance.state}`, quiet: false };
  }
  const tag = readBooleanTag(instance.tags, AUTO_RECOVER_TAG, instance.id);
  if (tag.kind === 'absent') return { kind: 'not-opted-in', reason: 'no AutoRecover tag', quiet: true };
  if (tag.kind === 'invalid') {
    return {
      kind: 'skip',
      reason: `tag AutoRecover=${JSON.stringify(tag.problem.value)} is not readable; expected true or false: skipped, its alarms left as they are`,
      keepAlarms: true,
      tagProblem: tag.problem,
    };
  }
  if (!tag.value) return { kind: 'not-opted-in', reason: 'AutoRecover=false', quiet: false };
  const group = instance.tags[GROUP_TAG];
  if (group !== undefined) {
    return {
      kind: 'skip',
      reason: `in Auto Scaling group ${group}: the group replaces unhealthy instances, so no recovery alarms`,
      keepAlarms: false,
    };
  }
  if (instance.rootDeviceType === 'instance-store') {
    return {
      kind: 'skip',
      reason: 'root volume is instance store: EC2 cannot recover it (needs an EBS root volume)',
      keepAlarms: false,
    };
  }
  const supported = config.autoRecoverySupported.get(instance.instanceType);
  if (supported === undefined) {
    // Not knowing is not "unsupported": leave any alarms it has and say so.
    return {
      kind: 'skip',
      reason: `instance type ${instance.instanceType} not found in DescribeInstanceTypes: cannot tell whether it is recoverable, alarms left as they are`,
      keepAlarms: true,
    };
  }
  if (!supported) {
    return {
      kind: 'skip',
      reason: `instance type ${instance.instanceType} does not support recovery (AutoRecoverySupported=false)`,
      keepAlarms: false,
    };
  }
  return { kind: 'protect', reason: 'AutoRecover=true' };
}

export function planRecovery(input: {
  instances: readonly RecoveryInstance[];
  alarms: readonly ExistingAlarm[];
  config: RecoveryConfig;
}): RecoveryPlan {
  const { config } = input;
  const plan: RecoveryPlan = {
    puts: [],
    deletes: [],
    decisions: [],
    skipped: [],
    reported: [],
    protectedInstances: 0,
  };
  const alarmsByName = new Map(input.alarms.map((a) => [a.name, a]));
  const instances = [...input.instances].sort((a, b) => a.id.localeCompare(b.id));
  /** Instances whose fleet alarms must stay (protected, or the run cannot tell). */
  const keep = new Set<string>();
  /** Why an instance's fleet alarms go, for the alarm's decision line. */
  const dropReason = new Map<string, string>();

  for (const instance of instances) {
    const e = eligibility(instance, config);
    if (e.kind === 'not-opted-in') {
      dropReason.set(instance.id, e.reason);
      if (!e.quiet) plan.decisions.push({ resourceId: instance.id, action: 'ignore', reason: e.reason });
      continue;
    }
    if (e.kind === 'skip') {
      if (e.keepAlarms) keep.add(instance.id);
      else dropReason.set(instance.id, e.reason);
      plan.skipped.push({
        resourceId: instance.id,
        reason: e.reason,
        ...(e.tagProblem ? { tagProblem: e.tagProblem } : {}),
      });
      plan.decisions.push({
        resourceId: instance.id,
        action: 'skip',
        reason: e.reason,
        ...(e.tagProblem ? { tagProblem: e.tagProblem } : {}),
      });
      continue;
    }
    keep.add(instance.id);
    plan.protectedInstances++;
    const notes: string[] = [];
    for (const kind of ['system', 'instance'] as const) {
      const wanted = desiredAlarm(config, instance.id, kind);
      const existing = alarmsByName.get(wanted.name);
      if (!existing) {
        plan.puts.push(wanted);
        notes.push(`${kind} alarm missing: created`);
      } else if (!isFleetAlarm(existing, config.alarmPrefix)) {
        // Writing would overwrite someone else's alarm (PutMetricAlarm updates by name).
        const reason = `alarm ${wanted.name} exists but is not tagged ${FLEET_TAG.key}=${FLEET_TAG.value}: not the fleet's, left alone; this instance has no ${kind} recovery alarm from the fleet`;
        plan.skipped.push({ resourceId: instance.id, reason });
        notes.push(`${kind} alarm name taken by an alarm the fleet does not own`);
      } else {
        const diff = alarmDifferences(existing, wanted);
        if (diff.length > 0) {
          plan.puts.push(wanted);
          notes.push(`${kind} alarm differs (${diff.join(', ')}): rewritten`);
        } else {
          notes.push(`${kind} alarm up to date`);
        }
      }
    }
    plan.decisions.push({
      resourceId: instance.id,
      action: 'protect',
      reason: `${e.reason}: ${notes.join('; ')}`,
    });
    if (instance.autoRecovery === 'disabled') {
      plan.reported.push({
        resourceId: instance.id,
        reason:
          'simplified automatic recovery is disabled (MaintenanceOptions.AutoRecovery=disabled): only the fleet alarm recovers it',
      });
    }
  }

  for (const alarm of [...input.alarms].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!alarm.name.startsWith(config.alarmPrefix)) continue;
    if (!isFleetAlarm(alarm, config.alarmPrefix)) {
      plan.decisions.push({
        resourceId: alarm.name,
        action: 'leave',
        reason: `not tagged ${FLEET_TAG.key}=${FLEET_TAG.value}: not the fleet's alarm, never touched`,
      });
      continue;
    }
    const parsed = parseAlarmName(config.alarmPrefix, alarm.name);
    if (!parsed) {
      plan.decisions.push({
        resourceId: alarm.name,
        action: 'leave',
        reason:
          'the fleet tag is on it but the name does not end in <instance-id>-system|instance: left alone',
      });
      continue;
    }
    if (keep.has(parsed.instanceId)) continue;
    const why = dropReason.get(parsed.instanceId) ?? 'instance no longer exists';
    plan.deletes.push(alarm.name);
    plan.decisions.push({
      resourceId: alarm.name,
      action: 'delete',
      reason: `the fleet's alarm for ${parsed.instanceId}: ${why}`,
    });
  }
  plan.puts.sort((a, b) => a.name.localeCompare(b.name));
  plan.deletes.sort();
  return plan;
}
