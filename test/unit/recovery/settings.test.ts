import { describe, expect, it } from '@jest/globals';

import { loadRecoverySettings } from '../../../shared/recovery/settings';

const base = { AWS_REGION: 'eu-west-1', RECOVERY_ALARM_PREFIX: 'ec2-hygiene-prod-recover-' };

describe('loadRecoverySettings', () => {
  it('reads the stack defaults: deployment region, prefix, topic, not a dry run', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:ec2-hygiene-prod-notifications';
    expect(loadRecoverySettings({ ...base, NOTIFICATION_TOPIC_ARN: topic })).toMatchObject({
      regions: ['eu-west-1'],
      alarmPrefix: 'ec2-hygiene-prod-recover-',
      topicArn: topic,
      dryRun: false,
      eventBusName: 'default',
    });
    expect(loadRecoverySettings({ ...base, RECOVERY_DRY_RUN: 'TRUE' }).dryRun).toBe(true);
  });

  it.each([
    [{ RECOVERY_ALARM_PREFIX: '' }, /RECOVERY_ALARM_PREFIX="?.*is not valid: expected letters/],
    [
      { RECOVERY_ALARM_PREFIX: 'ec2-hygiene-prod-recover' },
      /RECOVERY_ALARM_PREFIX="ec2-hygiene-prod-recover" is not valid/,
    ],
    [{ RECOVERY_ALARM_PREFIX: 'prod recover*-' }, /RECOVERY_ALARM_PREFIX="prod recover\*-"/],
    [
      { NOTIFICATION_TOPIC_ARN: 'my-topic' },
      /NOTIFICATION_TOPIC_ARN="my-topic" is not valid: expected an SNS topic ARN/,
    ],
    [{ RECOVERY_DRY_RUN: 'maybe' }, /RECOVERY_DRY_RUN="maybe" is not valid: expected true or false/],
    [{ REGIONS: 'eu-west-1,mars' }, /REGIONS="eu-west-1,mars" is not valid/],
  ])('refuses %j, naming the variable, the value and what was expected', (over, message) => {
    expect(() => loadRecoverySettings({ ...base, ...over })).toThrow(message);
  });
});
