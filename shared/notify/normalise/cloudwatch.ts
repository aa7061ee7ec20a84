/**
 * CloudWatch alarms (status checks, auto-recovery, the fleet's own error alarms). ALARM opens an
 * incident; OK is a "resolved" notification for the same incident key (the notifier sends it only if
 * that incident was opened and told to someone); INSUFFICIENT_DATA opens one only when the
 * alarmOnInsufficientData setting says so.
 */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { arr, consoleLink, detailOf, envelope, ignore, incidentKey, notify, obj, str } from './common';
import { decideAlarm } from './alarm-filter';
import type { NormaliseOptions } from './options';

/** Dimensions of every metric the alarm watches, e.g. InstanceId=i-0abc, FunctionName=fn. */
function dimensionsOf(configuration: Record<string, unknown>): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const m of arr(configuration, 'metrics')) {
    if (m === null || typeof m !== 'object') continue;
    const metric = obj(obj(m as Record<string, unknown>, 'metricStat'), 'metric');
    const dims = obj(metric, 'dimensions');
    for (const [name, value] of Object.entries(dims)) {
      if (typeof value === 'string') out.push({ name, value });
    }
  }
  return out;
}

export function normaliseAlarm(event: EventBridgeEvent, options: NormaliseOptions): NormaliseResult {
  const d = detailOf(event);
  const state = obj(d, 'state');
  const value = str(state, 'value') ?? '';
  const insufficient = value === 'INSUFFICIENT_DATA' && options.alarmOnInsufficientData === true;
  if (value !== 'ALARM' && value !== 'OK' && !insufficient) {
    return ignore(
      value === 'INSUFFICIENT_DATA'
        ? 'alarm state INSUFFICIENT_DATA is not sent (alarmOnInsufficientData is off)'
        : `alarm state ${value || '(none)'} is not ALARM`,
    );
  }
  const alarmName = str(d, 'alarmName') ?? 'unknown alarm';
  const configuration = obj(d, 'configuration');
  const dims = dimensionsOf(configuration);
  // The notifier's own error alarm goes straight to the fallback topic; handling it here as well would
  // make a broken notifier report its own breakage through itself, in a loop.
  if (
    options.ignoreAlarmNames.includes(alarmName) ||
    (options.selfFunctionName !== undefined &&
      dims.some((x) => x.name === 'FunctionName' && x.value === options.selfFunctionName))
  ) {
    return ignore(`alarm ${alarmName} is about the notifier itself; it goes to the fallback topic instead`);
  }
  const decision = decideAlarm(alarmName, {
    prefixes: options.alarmNamePrefixes ?? [],
    fleetPrefix: options.fleetAlarmNamePrefix,
  });
  if (!decision.forward) return ignore(decision.reason);
  const env = envelope(event);
  const resource =
    dims.find((x) => ['InstanceId', 'AutoScalingGroupName', 'FunctionName'].includes(x.name))?.value ??
    alarmName;
  const previous = str(obj(d, 'previousState'), 'value') ?? '';
  const resolved = value === 'OK';
  return notify({
    severity: resolved ? 'info' : insufficient ? 'warning' : 'critical',
    title: resolved
      ? `Resolved: alarm ${alarmName} is OK again`
      : insufficient
        ? `Alarm ${alarmName} has insufficient data`
        : `Alarm ${alarmName} is in ALARM`,
    ...(resolved ? { lifecycle: 'resolved' as const } : {}),
    whatFailed: 'CloudWatch alarm',
    ...env,
    resource,
    reason: str(state, 'reason') ?? 'CloudWatch gave no reason.',
    consoleUrl: consoleLink(
      env.region,
      `/cloudwatch/home?region=${env.region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`,
    ),
    incidentKey: incidentKey(env.account, env.region, 'cloudwatch-alarm', alarmName),
    facts: [
      { name: 'Description', value: str(configuration, 'description') ?? '' },
      { name: 'Previous state', value: previous },
      ...dims.map((x) => ({ name: x.name, value: x.value })),
    ],
  });
}
