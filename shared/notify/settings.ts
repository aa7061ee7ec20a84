/**
 * The notifier's settings, validated once at cold start. Webhook URLs are never settings themselves:
 * only the names of the SSM SecureString parameters that hold them.
 */
/**
 * One setting's reading: its value, or what was expected when the text is not valid. Hand-written
 * rather than zod: zod cannot be tree-shaken and was a third of the bundle, parsed at each cold
 * start (docs/performance.md); these checks are as strict and the messages the same.
 */
/**
 * `alsoCheckDestination`: the problem does not keep the no-destination check from being reported
 * too (as the zod schema this replaces did for a blank table name or a bad prefix list).
 */
type Reading<T> = { value: T } | { expected: string; alsoCheckDestination?: true };
type Text = string | undefined;

/** Unset or blank: undefined; otherwise the trimmed text. */
const optionalText = (v: Text): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v.trim();

function optionalMatching(pattern: RegExp, expected: string) {
  return (v: Text): Reading<string | undefined> => {
    const text = optionalText(v);
    return text === undefined || pattern.test(text) ? { value: text } : { expected };
  };
}

const optionalSsmName = optionalMatching(
  /^[a-zA-Z0-9_.\-/]{1,2048}$/,
  'an SSM parameter name such as /ec2-hygiene/slack-webhook',
);

const topicArn = optionalMatching(/^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, 'an SNS topic ARN');

function dedupeTable(v: Text): Reading<string> {
  const expected = 'the name of the DynamoDB table for de-duplication';
  if (v === undefined) return { expected };
  const text = v.trim();
  return text.length >= 1 ? { value: text } : { expected, alsoCheckDestination: true };
}

/**
 * Alarm-name prefixes, comma-separated: `team-a-,prod-web-`. Items are trimmed; an empty item ("a,,b",
 * "a,") is a typo, not "every alarm", so it is refused rather than silently widening the filter.
 * CloudWatch alarm names are 1-255 characters without control characters.
 */
const PREFIXES_EXPECTED =
  'a comma-separated list of alarm-name prefixes such as team-a-,prod-web- (no empty items, each at most 255 characters, no control characters), or empty for every alarm';

function alarmNamePrefixes(v: Text): Reading<string[]> {
  const items = v === undefined || v.trim() === '' ? [] : v.split(',').map((p) => p.trim());
  // eslint-disable-next-line no-control-regex
  const ok = items.every((p) => p.length >= 1 && p.length <= 255 && !/[\u0000-\u001f\u007f]/.test(p));
  return ok ? { value: items } : { expected: PREFIXES_EXPECTED, alsoCheckDestination: true };
}

/**
 * A whole decimal number of `unit` in [min, max]; empty or unset means `fallback`. Strict on purpose:
 * JavaScript's Number() reads "0x10" as 16, "1e3" as 1000 and "" as 0 (which turned a rate limit off).
 */
function decimalSetting(unit: string, min: number, max: number, fallback: number, maxNote = '') {
  const expected = `a whole decimal number of ${unit} from ${min} to ${max}${maxNote}, or empty for ${fallback}`;
  return (v: Text): Reading<number> => {
    const text = v?.trim() ?? '';
    if (text === '') return { value: fallback };
    const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
    return n >= min && n <= max ? { value: n } : { expected };
  };
}

const dedupeWindowMinutes = decimalSetting('minutes', 1, 10_080, 60, ' (7 days)');
const slackMinIntervalMs = decimalSetting('milliseconds', 0, 60_000, 1_000, ' (one minute)');

function optionalSwitch(v: Text): Reading<boolean> {
  const text = v?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'false') return { value: false };
  if (text === 'true') return { value: true };
  return { expected: 'true or false (any case), or empty for false' };
}

const NO_DESTINATION =
  'no destination configured: set at least one of SLACK_WEBHOOK_PARAMETER, TEAMS_WEBHOOK_PARAMETER or NOTIFICATION_TOPIC_ARN';

export interface NotifierSettings {
  slackWebhookParameter?: string;
  teamsWebhookParameter?: string;
  topicArn?: string;
  dedupeTable: string;
  dedupeWindowMinutes: number;
  /** Slack allows about one message per second per webhook. */
  slackMinIntervalMs: number;
  /** Alarms that must not be routed through the notifier (its own error alarm). */
  ignoreAlarmNames: string[];
  /** Forward only alarms whose name starts with one of these (case-sensitive); empty = every alarm. */
  alarmNamePrefixes: string[];
  /** The stack's own alarm-name prefix (`<service>-<stage>-`): its error alarms are always forwarded. */
  fleetAlarmNamePrefix?: string;
  /** Alarms going to INSUFFICIENT_DATA are sent as warnings (default off). */
  alarmOnInsufficientData: boolean;
  selfFunctionName?: string;
  /** Sum every run summary into the week's totals and send them on Monday (default off). */
  weeklyDigest: boolean;
}

/** Reads settings from an environment-like record; the error names each bad setting and what it expects. */
export function parseNotifierSettings(env: Record<string, string | undefined>): NotifierSettings {
  const problems: string[] = [];
  let checkDestination = true;
  // Every setting is read, so one error names every bad one, in this order.
  const get = <T>(key: string, read: (v: Text) => Reading<T>): T => {
    const r = read(env[key]);
    if ('value' in r) return r.value;
    if (!r.alsoCheckDestination) checkDestination = false;
    problems.push(`${key}=${JSON.stringify(env[key] ?? '')}: expected ${r.expected}`);
    return undefined as T;
  };
  const settings: NotifierSettings = {
    slackWebhookParameter: get('SLACK_WEBHOOK_PARAMETER', optionalSsmName),
    teamsWebhookParameter: get('TEAMS_WEBHOOK_PARAMETER', optionalSsmName),
    topicArn: get('NOTIFICATION_TOPIC_ARN', topicArn),
    dedupeTable: get('DEDUPE_TABLE', dedupeTable),
    dedupeWindowMinutes: get('DEDUPE_WINDOW_MINUTES', dedupeWindowMinutes),
    slackMinIntervalMs: get('SLACK_MIN_INTERVAL_MS', slackMinIntervalMs),
    ignoreAlarmNames: env.NOTIFIER_ERROR_ALARM_NAME ? [env.NOTIFIER_ERROR_ALARM_NAME] : [],
    alarmNamePrefixes: get('ALARM_NAME_PREFIXES', alarmNamePrefixes),
    fleetAlarmNamePrefix: optionalText(env.FLEET_ALARM_NAME_PREFIX),
    alarmOnInsufficientData: get('ALARM_ON_INSUFFICIENT_DATA', optionalSwitch),
    selfFunctionName: env.AWS_LAMBDA_FUNCTION_NAME || undefined,
    weeklyDigest: get('WEEKLY_DIGEST', optionalSwitch),
  };
  if (
    checkDestination &&
    !settings.slackWebhookParameter &&
    !settings.teamsWebhookParameter &&
    !settings.topicArn
  ) {
    problems.push(NO_DESTINATION);
  }
  if (problems.length > 0) throw new Error(`notifier settings are invalid: ${problems.join('; ')}`);
  return settings;
}
