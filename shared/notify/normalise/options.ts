/** What the normalisers need to know about the notifier's own deployment (to avoid loops). */
export interface NormaliseOptions {
  /** The notifier's own Lambda function name: alarms on it are not routed through it. */
  selfFunctionName?: string;
  /** Alarm names to ignore, e.g. the notifier's own error alarm. */
  ignoreAlarmNames: string[];
}

export const DEFAULT_NORMALISE_OPTIONS: NormaliseOptions = { ignoreAlarmNames: [] };
