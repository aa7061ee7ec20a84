/**
 * Which CloudWatch alarms the notifier forwards. The EventBridge rule matches every alarm in the account
 * going to ALARM; an operator narrows that to their own alarms with name prefixes. The fleet's own
 * error alarms are always forwarded whatever the prefixes say: they are how the fleet reports its
 * own failures, and a prefix list that forgot them would silence exactly those.
 */

export interface AlarmNameFilter {
  /** Forward only alarms whose name starts with one of these (case-sensitive); empty = every alarm. */
  prefixes: readonly string[];
  /** Names starting with this (the stack's `<service>-<stage>-`) are the fleet's own: always forwarded. */
  fleetPrefix?: string;
}

export type AlarmFilterDecision = { forward: true } | { forward: false; reason: string };

export function decideAlarm(alarmName: string, filter: AlarmNameFilter): AlarmFilterDecision {
  if (filter.prefixes.length === 0) return { forward: true };
  if (filter.fleetPrefix && alarmName.startsWith(filter.fleetPrefix)) return { forward: true };
  if (filter.prefixes.some((p) => alarmName.startsWith(p))) return { forward: true };
  return {
    forward: false,
    reason: `alarm ${alarmName} matches none of ALARM_NAME_PREFIXES (${filter.prefixes.join(', ')}); not forwarded`,
  };
}
