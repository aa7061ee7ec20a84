/**
 * Settings of the recovery function, from environment variables (the serverless params end up
 * there). A bad value throws one ConfigError naming the variable, the value and what was expected.
 */
import { envValue, invalidSetting, readRunSettings, regionsFromEnv, type Env } from '../config';

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

export function loadRecoverySettings(env: Env): RecoverySettings {
  const regions = regionsFromEnv(env);
  const prefix = envValue(env, 'RECOVERY_ALARM_PREFIX');
  if (prefix === undefined || !PREFIX.test(prefix)) {
    invalidSetting(
      'RECOVERY_ALARM_PREFIX',
      prefix,
      'letters, digits, _ . - ending in "-", e.g. ec2-hygiene-prod-recover- (set by the stack)',
    );
  }
  const topicArn = envValue(env, 'NOTIFICATION_TOPIC_ARN');
  if (topicArn !== undefined && !TOPIC.test(topicArn)) {
    invalidSetting(
      'NOTIFICATION_TOPIC_ARN',
      topicArn,
      'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)',
    );
  }
  const run = readRunSettings(env, regions, 'RECOVERY_DRY_RUN');
  return {
    ...run,
    alarmPrefix: prefix,
    ...(topicArn ? { topicArn } : {}),
  };
}
