/**
 * The notifier's settings, validated once at cold start. Webhook URLs are never settings themselves:
 * only the names of the SSM SecureString parameters that hold them.
 */
import { z } from 'zod';

const ssmName = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_.\-/]{1,2048}$/, 'an SSM parameter name such as /ec2-hygiene/slack-webhook');

const optionalSsmName = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .pipe(ssmName.optional());

/**
 * Alarm-name prefixes, comma-separated: `team-a-,prod-web-`. Items are trimmed; an empty item ("a,,b",
 * "a,") is a typo, not "every alarm", so it is refused rather than silently widening the filter.
 * CloudWatch alarm names are 1-255 characters without control characters.
 */
const PREFIXES_EXPECTED =
  'a comma-separated list of alarm-name prefixes such as team-a-,prod-web- (no empty items, each at most 255 characters, no control characters), or empty for every alarm';

const alarmNamePrefixes = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? [] : v.split(',').map((p) => p.trim())))
  .refine(
    // eslint-disable-next-line no-control-regex
    (items) => items.every((p) => p.length >= 1 && p.length <= 255 && !/[\u0000-\u001f\u007f]/.test(p)),
    PREFIXES_EXPECTED,
  );

/**
 * A whole decimal number of `unit` in [min, max]; empty or unset means `fallback`. Strict on purpose:
 * JavaScript's Number() reads "0x10" as 16, "1e3" as 1000 and "" as 0 (which turned a rate limit off).
 */
function decimalSetting(unit: string, min: number, max: number, fallback: number, maxNote = '') {
  const expected = `a whole decimal number of ${unit} from ${min} to ${max}${maxNote}, or empty for ${fallback}`;
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      const text = v?.trim() ?? '';
      if (text === '') return fallback;
      const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message: expected });
        return z.NEVER;
      }
      return n;
    });
}

const schema = z
  .object({
    SLACK_WEBHOOK_PARAMETER: optionalSsmName,
    TEAMS_WEBHOOK_PARAMETER: optionalSsmName,
    NOTIFICATION_TOPIC_ARN: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
      .pipe(
        z
          .string()
          .regex(/^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, 'an SNS topic ARN')
          .optional(),
      ),
    DEDUPE_TABLE: z.string().trim().min(1, 'the name of the DynamoDB table for de-duplication'),
    DEDUPE_WINDOW_MINUTES: decimalSetting('minutes', 1, 10_080, 60, ' (7 days)'),
    SLACK_MIN_INTERVAL_MS: decimalSetting('milliseconds', 0, 60_000, 1_000, ' (one minute)'),
    NOTIFIER_ERROR_ALARM_NAME: z.string().optional(),
    ALARM_NAME_PREFIXES: alarmNamePrefixes,
    FLEET_ALARM_NAME_PREFIX: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
    ALARM_ON_INSUFFICIENT_DATA: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const text = v?.trim().toLowerCase() ?? '';
        if (text === '' || text === 'false') return false;
        if (text === 'true') return true;
        ctx.addIssue({ code: 'custom', message: 'true or false (any case), or empty for false' });
        return z.NEVER;
      }),
    AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
  })
  .refine((s) => s.SLACK_WEBHOOK_PARAMETER || s.TEAMS_WEBHOOK_PARAMETER || s.NOTIFICATION_TOPIC_ARN, {
    message:
      'no destination configured: set at least one of SLACK_WEBHOOK_PARAMETER, TEAMS_WEBHOOK_PARAMETER or NOTIFICATION_TOPIC_ARN',
  });

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
}

/** Reads settings from an environment-like record; the error names each bad setting and what it expects. */
export function parseNotifierSettings(env: Record<string, string | undefined>): NotifierSettings {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const key = i.path.join('.');
      return key ? `${key}=${JSON.stringify(env[key] ?? '')}: expected ${i.message}` : i.message;
    });
    throw new Error(`notifier settings are invalid: ${problems.join('; ')}`);
  }
  const s = result.data;
  return {
    slackWebhookParameter: s.SLACK_WEBHOOK_PARAMETER,
    teamsWebhookParameter: s.TEAMS_WEBHOOK_PARAMETER,
    topicArn: s.NOTIFICATION_TOPIC_ARN,
    dedupeTable: s.DEDUPE_TABLE,
    dedupeWindowMinutes: s.DEDUPE_WINDOW_MINUTES,
    slackMinIntervalMs: s.SLACK_MIN_INTERVAL_MS,
    ignoreAlarmNames: s.NOTIFIER_ERROR_ALARM_NAME ? [s.NOTIFIER_ERROR_ALARM_NAME] : [],
    alarmNamePrefixes: s.ALARM_NAME_PREFIXES,
    fleetAlarmNamePrefix: s.FLEET_ALARM_NAME_PREFIX,
    alarmOnInsufficientData: s.ALARM_ON_INSUFFICIENT_DATA,
    selfFunctionName: s.AWS_LAMBDA_FUNCTION_NAME || undefined,
  };
}
