/**
 * The notifier's domain records. Every event type is normalised into one Notification; formatters and
 * destinations only ever see Notifications, never raw EventBridge shapes.
 */

/** The envelope EventBridge hands to a Lambda target. detail is whatever the source put there. */
export interface EventBridgeEvent {
  version?: string;
  id?: string;
  'detail-type': string;
  source: string;
  account?: string;
  time?: string;
  region?: string;
  resources?: string[];
  detail?: unknown;
}

export type Severity = 'critical' | 'warning' | 'info';

export interface Notification {
  severity: Severity;
  /** One line a person reads first, e.g. "Patch window mw-0abc failed". */
  title: string;
  /** What kind of thing failed, e.g. "SSM maintenance window execution". */
  whatFailed: string;
  account: string;
  region: string;
  /** The id or ARN of the resource that failed. */
  resource: string;
  /** Why, in AWS's own words where it gave any. */
  reason: string;
  /** Console page where a person can look further; undefined when none fits. */
  consoleUrl?: string;
  /** Identifies the incident: the same failure repeating has the same key (used for de-duplication). */
  incidentKey: string;
  /** When the event happened (the event's time), ISO 8601. */
  occurredAt: string;
  /** Extra name/value facts shown under the message, e.g. document name, instance id. */
  facts: { name: string; value: string }[];
  /** How many times this incident was seen since it was last sent (1 = first time). */
  occurrences?: number;
  /**
   * 'resolved': this closes the incident with the same key (an alarm back to OK); sent only if that
   * incident was opened and sent.
   */
  lifecycle?: 'resolved';
}

/** A normaliser either produces a notification or says why the event needs none. */
export type NormaliseResult =
  { kind: 'notify'; notification: Notification } | { kind: 'ignore'; reason: string };
