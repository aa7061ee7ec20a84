/** What the normalisers need to know about the notifier's own deployment (to avoid loops). */
export interface NormaliseOptions {
  /** The notifier's own Lambda function name: alarms on it are not routed through it. */
  selfFunctionName?: string;
  /** Alarm names to ignore, e.g. the notifier's own error alarm. */
  ignoreAlarmNames: string[];
  /** Forward only alarms whose name starts with one of these; absent or empty = every alarm. */
  alarmNamePrefixes?: string[];
  /** The fleet's own alarm-name prefix (`<service>-<stage>-`): forwarded whatever alarmNamePrefixes says. */
  fleetAlarmNamePrefix?: string;
  /** Send alarms going to INSUFFICIENT_DATA as warnings (default off: missing data is often expected). */
  alarmOnInsufficientData?: boolean;
}

export const DEFAULT_NORMALISE_OPTIONS: NormaliseOptions = { ignoreAlarmNames: [] };
