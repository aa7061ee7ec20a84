import { describe, expect, it } from '@jest/globals';
import { renderForDemo } from '../../../demo/notifications';
import { fixture } from '../../helpers/notifier-fixtures';

describe('renderForDemo', () => {
  it('shows each event as the destinations receive it, and says why an event sends nothing', () => {
    const text = renderForDemo([fixture('backup-job-failed'), fixture('backup-job-completed')], {
      destinations: ['sns', 'slack', 'teams'],
    });
    expect(text).toContain('── aws.backup · Backup Job State Change');
    expect(text).toContain('[email via SNS] Subject: [CRITICAL] Backup job failed for i-0a1b2c3d4e5f67890');
    expect(text).toContain('[Slack] {"text":"[CRITICAL] Backup job failed');
    expect(text).toContain('[Teams] {"type":"message"');
    expect(text).toContain('(no notification: backup job state COMPLETED is not a failure)');
  });

  it("takes the sandbox's PutEvents records (detailType, no account) as they are", () => {
    const text = renderForDemo([
      {
        source: 'ec2-hygiene',
        detailType: 'EC2 Hygiene Cleanup Refused',
        region: 'eu-west-1',
        detail: {
          region: 'eu-west-1',
          accountId: '123456789012',
          at: '2026-11-23T04:00:05Z',
          reason: 'tagger stale',
        },
      },
    ]);
    expect(text).toContain('Subject: [CRITICAL] ec2-hygiene cleanup refused to delete anything in eu-west-1');
    expect(text).toContain('Account:     123456789012');
  });
});
