/**
 * Settings of the recovery function, from environment variables (the serverless params end up
 * there). A bad value throws one ConfigError naming the variable, the value and what was expected.
 */
import { ConfigError, eventRegionFor, regionsFromEnv, type Env } from '../config';

export interface RecoverySettings {
  regions: string[];
  /** `<service>-<stage>-recover-`: the alarms the fleet writes, and the only ones it may delete. */
  alarmPrefix: string;
  /** The notifier's topic; every alarm also notifies it (absent: EC2 actions only). */
  topicArn?: string;
  /** Plan and report only. */
  dryRun: boolean;
  eventBusName: string;
  eventRegion?: string;
  maxAttempts: number;
}

/** CloudWatch alarm names allow more, but the IAM resource pattern and our parser want this. */
const PREFIX = /^[A-Za-z0-9_.-]{1,200}-$/;
const TOPIC = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function fail(name: string, raw: string | undefined, expected: string): never {
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${expected}`);
}

export function loadRecoverySettings(env: Env): RecoverySettings {
  const regions = regionsFromEnv(env);
  const prefix = value(env, 'RECOVERY_ALARM_PREFIX');
  if (prefix === undefined || !PREFIX.test(prefix)) {
    fail(
      'RECOVERY_ALARM_PREFIX',
      prefix,
      'letters, digits, _ . - ending in "-", e.g. ec2-hygiene-prod-recover- (set by the stack)',
    );
  }
  const topicArn = value(env, 'NOTIFICATION_TOPIC_ARN');
  if (topicArn !== undefined && !TOPIC.test(topicArn)) {
    fail('NOTIFICATION_TOPIC_ARN', topicArn, 'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)');
  }
  const dryRunText = value(env, 'RECOVERY_DRY_RUN');
  if (dryRunText !== undefined && !/^(true|false)$/i.test(dryRunText))
    fail('RECOVERY_DRY_RUN', dryRunText, 'true or false');
  const attemptsText = value(env, 'AWS_MAX_ATTEMPTS');
  if (attemptsText !== undefined && !/^[1-9]\d{0,2}$/.test(attemptsText)) {
    fail('AWS_MAX_ATTEMPTS', attemptsText, 'a whole number >= 1');
  }
  const eventBusName = value(env, 'EVENT_BUS_NAME') ?? 'default';
  return {
    regions: [...new Set(regions)],
    alarmPrefix: prefix,
    ...(topicArn ? { topicArn } : {}),
    dryRun: dryRunText?.toLowerCase() === 'true',
    eventBusName,
    eventRegion: eventRegionFor(eventBusName, env.AWS_REGION, regions[0]!),
    maxAttempts: attemptsText ? Number(attemptsText) : 8,
  };
}
