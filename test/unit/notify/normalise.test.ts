import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { normaliseEvent, SUPPORTED_EVENTS, type Notification } from '../../../shared/notify';
import { fixture, fixtureNames } from '../../helpers/notifier-fixtures';

const OPTIONS = {
  selfFunctionName: 'ec2-hygiene-prod-notifier',
  ignoreAlarmNames: ['ec2-hygiene-prod-notifier-errors'],
};

function notified(name: string): Notification {
  const result = normaliseEvent(fixture(name), OPTIONS);
  if (result.kind !== 'notify') throw new Error(`${name} was ignored: ${result.reason}`);
  return result.notification;
}

function ignoredReason(name: string): string {
  const result = normaliseEvent(fixture(name), OPTIONS);
  if (result.kind !== 'ignore')
    throw new Error(`${name} produced a notification: ${result.notification.title}`);
  return result.reason;
}

describe('normaliseEvent: one record per failure event type', () => {
  it('SSM maintenance window execution FAILED', () => {
    const n = notified('ssm-maintenance-window-failed');
    expect(n).toMatchObject({
      severity: 'critical',
      title: 'Maintenance window mw-0ed7251d3fcf6e0c2 failed',
      account: '123456789012',
      region: 'eu-west-1',
      resource: 'mw-0ed7251d3fcf6e0c2',
      incidentKey: '123456789012/eu-west-1/ssm-maintenance-window/mw-0ed7251d3fcf6e0c2/FAILED',
    });
    expect(n.consoleUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/systems-manager/maintenance-windows/mw-0ed7251d3fcf6e0c2/history?region=eu-west-1',
    );
    expect(n.facts).toContainEqual({ name: 'Execution', value: 'b60fb56e-776c-4e5c-84ee-123456789012' });
  });

  it('Run Command AWS-RunPatchBaseline Failed names the document and the instances', () => {
    const n = notified('ssm-run-command-failed');
    expect(n.title).toBe('Run Command AWS-RunPatchBaseline failed');
    expect(n.severity).toBe('critical');
    expect(n.facts).toContainEqual({ name: 'Instances', value: 'i-0a1b2c3d4e5f67890, i-0f9e8d7c6b5a43210' });
    expect(n.consoleUrl).toContain('/systems-manager/run-command/e8d3c0e4-71f7-4491-898f-c9b35bee5f3b');
  });

  it('Backup job FAILED carries the status message and a link to the job', () => {
    const n = notified('backup-job-failed');
    expect(n.title).toBe('Backup job failed for i-0a1b2c3d4e5f67890');
    expect(n.resource).toBe('arn:aws:ec2:eu-west-1:123456789012:instance/i-0a1b2c3d4e5f67890');
    expect(n.reason).toBe('"Insufficient privileges to perform this action."');
    expect(n.consoleUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/backup/home?region=eu-west-1#/jobs/backup/details/8a3c8d6e-3b28-4a0c-9d2b-4f1c3b0f1a2b',
    );
  });

  it('Backup copy job ABORTED and restore job FAILED (restore says `status`, not `state`)', () => {
    const copy = notified('backup-copy-job-failed');
    expect(copy.title).toBe('Backup copy job was aborted for vol-0123456789abcdef0');
    expect(copy.reason).toContain('CopyIntoBackupVault');
    const restore = notified('backup-restore-job-failed');
    expect(restore.title).toBe('Restore job failed for ami-0c1d2e3f4a5b6c7d8');
    expect(restore.reason).toBe("The subnet ID 'subnet-0bb1c79de3EXAMPLE' does not exist");
  });

  it('Auto Scaling launch and terminate unsuccessful', () => {
    const launch = notified('autoscaling-launch-unsuccessful');
    expect(launch).toMatchObject({
      severity: 'critical',
      title: 'Auto Scaling group web-asg could not launch an instance',
      resource: 'web-asg',
    });
    expect(launch.reason).toContain('does not exist');
    const terminate = notified('autoscaling-terminate-unsuccessful');
    expect(terminate.title).toBe('Auto Scaling group batch-asg could not terminate an instance');
    expect(terminate.facts).toContainEqual({ name: 'Instance', value: 'i-0abc1234def567890' });
  });

  it('CloudWatch alarm in ALARM names the instance it watches', () => {
    const n = notified('cloudwatch-alarm-status-check');
    expect(n.title).toBe('Alarm i-0a1b2c3d4e5f67890-system-status-check is in ALARM');
    expect(n.resource).toBe('i-0a1b2c3d4e5f67890');
    expect(n.reason).toContain('Threshold Crossed');
    expect(n.consoleUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/i-0a1b2c3d4e5f67890-system-status-check',
    );
  });

  it("the fleet's own function error alarm is a notification; the notifier's own is not (it would loop)", () => {
    expect(notified('cloudwatch-alarm-fleet-function-errors').resource).toBe('ec2-hygiene-prod-cleanup');
    expect(ignoredReason('cloudwatch-alarm-notifier-errors')).toMatch(/notifier itself.*fallback topic/);
    // Also by the FunctionName dimension alone, when the alarm has another name.
    const renamed = fixture('cloudwatch-alarm-notifier-errors');
    (renamed.detail as { alarmName: string }).alarmName = 'someone-else-named-it';
    expect(normaliseEvent(renamed, OPTIONS).kind).toBe('ignore');
  });

  it('AWS Health EC2: scheduled retirement is a warning, failed auto-recovery critical, other services ignored', () => {
    const retirement = notified('health-ec2-retirement-scheduled');
    expect(retirement.severity).toBe('warning');
    expect(retirement.title).toBe(
      'AWS Health: persistent instance retirement scheduled (i-0a1b2c3d4e5f67890)',
    );
    expect(retirement.reason).toContain('degradation of the underlying hardware');
    expect(retirement.consoleUrl).toMatch(
      /^https:\/\/health\.aws\.amazon\.com\/health\/home#\/account\/event-log\?eventID=arn%3Aaws%3Ahealth/,
    );
    expect(notified('health-ec2-auto-recovery-failure').severity).toBe('critical');
    expect(ignoredReason('health-s3-operational-issue')).toBe('AWS Health event for service S3, not EC2');
  });

  it('Image Builder FAILED: every build of one recipe version is one incident', () => {
    const n = notified('imagebuilder-image-failed');
    expect(n.title).toBe('Image build golden-al2023/1.4.0/3 failed');
    expect(n.reason).toContain('amazon-cloudwatch-agent-linux');
    expect(n.incidentKey).toBe(
      '123456789012/eu-west-1/imagebuilder/arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-al2023/1.4.0',
    );
  });

  it("a fleet function's on-failure destination record names the function and its error", () => {
    const n = notified('lambda-destination-failure');
    expect(n).toMatchObject({
      severity: 'critical',
      title: 'Lambda ec2-hygiene-prod-tagger failed (RetriesExhausted)',
      resource: 'ec2-hygiene-prod-tagger',
      reason:
        'Error: tagger settings are invalid: REGIONS: expected a comma-separated list of regions such as eu-west-1',
      incidentKey: '123456789012/eu-west-1/lambda/ec2-hygiene-prod-tagger/Error',
    });
    expect(n.facts).toContainEqual({ name: 'Attempts', value: '3' });
    const own = fixture('lambda-destination-failure');
    (own.detail as { requestContext: { functionArn: string } }).requestContext.functionArn =
      'arn:aws:lambda:eu-west-1:123456789012:function:ec2-hygiene-prod-notifier:$LATEST';
    expect(normaliseEvent(own, OPTIONS).kind).toBe('ignore');
  });

  it('an event that aged out before it ran says so (there is no error payload then)', () => {
    const n = notified('lambda-destination-event-age-exceeded');
    expect(n.title).toBe('Lambda ec2-hygiene-prod-scale-to-zero failed (EventAgeExceeded)');
    expect(n.reason).toMatch(/^The event waited longer than the maximum event age/);
  });

  it('a refused cleanup says why, with the newest LastUsedRuntime', () => {
    const n = notified('fleet-cleanup-refused');
    expect(n.severity).toBe('critical');
    expect(n.title).toBe('ec2-hygiene cleanup refused to delete anything in eu-west-1');
    expect(n.reason).toMatch(/^tagger stale/);
    expect(n.facts).toContainEqual({ name: 'Newest LastUsedRuntime', value: '2026-11-19T04:00:00Z' });
  });

  it('a run summary with failures and skips lists each, with the tag, value and what was expected', () => {
    const n = notified('fleet-run-summary-failures');
    expect(n.title).toBe('ec2-hygiene cleanup run: 1 failure, 1 resource skipped');
    expect(n.reason).toContain('ami-0aa11bb22cc33dd44: DeregisterImage failed: InvalidAMIID.Unavailable');
    expect(n.reason).toContain(
      'ami-0ee55ff66aa77bb88: skipped, tag LastUsed="last tuesday" (expected an ISO 8601 UTC timestamp such as 2026-11-22T20:40:00Z)',
    );
    expect(n.facts).toContainEqual({
      name: 'Counts',
      value: 'imagesSeen=120, deleted=2, snapshotsDeleted=3',
    });
  });

  it("a scale-to-zero summary's idle Elastic IPs are one fact, with their hourly cost; a malformed list is no fact", () => {
    const event = fixture('fleet-run-summary-failures');
    Object.assign(event.detail as object, {
      function: 'scale-to-zero',
      idleAddresses: {
        estimate: true,
        currency: 'USD',
        basis: 'estimate',
        addresses: [
          {
            publicIp: '203.0.113.3',
            instanceId: 'i-1',
            reason: 'associated with i-1, stopped by scale-to-zero in this run',
            usdPerHour: 0.005,
          },
          { publicIp: '203.0.113.1', reason: 'unassociated', usdPerHour: 0.005 },
        ],
        usdPerHour: 0.01,
      },
    });
    const r = normaliseEvent(event, OPTIONS);
    expect(r.kind === 'notify' && r.notification.facts).toContainEqual({
      name: 'Idle Elastic IPs',
      value:
        '2, $0.01/h (estimate, never released): 203.0.113.3 (associated with i-1, stopped by scale-to-zero in this run), 203.0.113.1 (unassociated)',
    });
    (event.detail as { idleAddresses: unknown }).idleAddresses = { addresses: 'lots' };
    const bad = normaliseEvent(event, OPTIONS);
    expect(bad.kind === 'notify' && bad.notification.facts.map((f) => f.name)).not.toContain(
      'Idle Elastic IPs',
    );
  });

  it('a run summary whose only findings are informational (reported) sends nothing', () => {
    const event = fixture('fleet-run-summary-clean');
    (event.detail as { reported: unknown[] }).reported = [
      {
        resourceId: 'ami-0123456789abcdef0',
        reason: 'in use, owned by account 137112412989: reported, not tagged',
      },
    ];
    expect(normaliseEvent(event, OPTIONS).kind).toBe('ignore');
  });

  it('the same problems on the next run are the same incident; different problems a new one', () => {
    const a = notified('fleet-run-summary-failures');
    const next = fixture('fleet-run-summary-failures');
    (next.detail as { finishedAt: string }).finishedAt = '2026-11-24T04:00:41Z';
    const b = normaliseEvent(next, OPTIONS);
    expect(b.kind === 'notify' && b.notification.incidentKey).toBe(a.incidentKey);
    const other = fixture('fleet-run-summary-failures');
    (other.detail as { failures: { resourceId: string }[] }).failures[0]!.resourceId =
      'ami-0000000000000000f';
    const c = normaliseEvent(other, OPTIONS);
    expect(c.kind === 'notify' && c.notification.incidentKey).not.toBe(a.incidentKey);
  });

  it('a long run summary spells out ten of each and counts the rest', () => {
    const event = fixture('fleet-run-summary-failures');
    const detail = event.detail as { failures: unknown[] };
    detail.failures = Array.from({ length: 25 }, (_, i) => ({
      resourceId: `ami-${i}`,
      action: 'DeleteSnapshot',
      message: 'x',
    }));
    const r = normaliseEvent(event, OPTIONS);
    expect(r.kind === 'notify' && r.notification.reason).toContain('... and 15 more');
  });
});

describe('normaliseEvent: states that are not failures are ignored, with the reason', () => {
  it.each([
    ['ssm-maintenance-window-success', 'maintenance window execution status SUCCESS is not a failure'],
    ['ssm-run-command-success', 'Run Command status Success is not a failure'],
    ['backup-job-completed', 'backup job state COMPLETED is not a failure'],
    ['imagebuilder-image-available', 'Image Builder image status AVAILABLE is not FAILED'],
    [
      'fleet-run-summary-clean',
      'tagger run summary is clean (no failures, nothing skipped, nothing deleted)',
    ],
  ])('%s', (name, reason) => {
    expect(ignoredReason(name)).toBe(reason);
  });
});

describe('normaliseEvent: an event type it does not know', () => {
  it('still gives a useful message: the type, source, resource and the detail itself', () => {
    const n = notified('unknown-ec2-instance-state-change');
    expect(n.title).toBe('EC2 Instance State-change Notification (aws.ec2)');
    expect(n.resource).toBe('arn:aws:ec2:eu-west-1:123456789012:instance/i-1234567890abcdef0');
    expect(n.reason).toContain('"state":"stopping"');
    expect(n.severity).toBe('warning');
  });

  it('cuts a huge detail to a readable preview', () => {
    const event = fixture('unknown-ec2-instance-state-change');
    event.detail = { blob: 'x'.repeat(50_000) };
    const r = normaliseEvent(event);
    expect(r.kind === 'notify' && r.notification.reason.length).toBeLessThan(2000);
  });
});

describe('normaliseEvent: capacity, EBS, CodeDeploy and patch compliance sources', () => {
  it('a Spot interruption warning names the instance, the action and links to it', () => {
    const n = notified('unknown-ec2-spot-interruption');
    expect(n).toMatchObject({
      severity: 'warning',
      title: 'Spot instance i-1234567890abcdef0 will be interrupted (terminate) in two minutes',
      resource: 'i-1234567890abcdef0',
      incidentKey: '123456789012/eu-west-1/spot-interruption/i-1234567890abcdef0',
      consoleUrl:
        'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-1234567890abcdef0',
    });
  });

  it('a rebalance recommendation is information about the instance', () => {
    expect(notified('ec2-rebalance-recommendation')).toMatchObject({
      severity: 'info',
      title: 'Spot instance i-1234567890abcdef0 is at elevated risk of interruption',
    });
  });

  it('a failed EBS snapshot names the volume and the cause; a successful one is ignored', () => {
    const n = notified('ebs-snapshot-failed');
    expect(n).toMatchObject({
      severity: 'critical',
      title: 'Snapshot failed for vol-0123456789abcdef0',
      reason: "Source volume doesn't exist.",
      incidentKey: '123456789012/eu-west-1/ebs-snapshot/createSnapshot/vol-0123456789abcdef0',
      consoleUrl:
        'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#VolumeDetails:volumeId=vol-0123456789abcdef0',
    });
    expect(n.facts).toContainEqual({ name: 'Snapshot', value: 'snap-0123456789abcdef0' });
    expect(ignoredReason('ebs-snapshot-succeeded')).toBe('EBS createSnapshot result succeeded is not failed');
  });

  it('a failed multi-volume snapshot lists each snapshot and which did not complete', () => {
    const n = notified('ebs-multi-volume-snapshots-failed');
    expect(n.title).toBe('Multi-volume snapshot failed (1 of 2 snapshots not completed)');
    expect(n.resource).toBe('vol-0a1b2c3d4e5f60001');
    expect(n.reason).toBe('Snapshot snap-0a1b2c3d4e5f60001 is in status error');
    expect(n.facts).toEqual([
      { name: 'vol-0a1b2c3d4e5f60001', value: 'snap-0a1b2c3d4e5f60001: error' },
      { name: 'vol-0a1b2c3d4e5f60002', value: 'snap-0a1b2c3d4e5f60002: completed' },
    ]);
  });

  it('a failed CodeDeploy deployment names the application, group and deployment; success is ignored', () => {
    const n = notified('codedeploy-deployment-failed');
    expect(n).toMatchObject({
      severity: 'critical',
      title: 'CodeDeploy deployment to web-app/web-fleet failed',
      incidentKey: '123456789012/eu-west-1/codedeploy/web-app/web-fleet',
      consoleUrl:
        'https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-A1B2C3D4E?region=eu-west-1',
    });
    expect(n.facts).toContainEqual({ name: 'Deployment', value: 'd-A1B2C3D4E' });
    expect(ignoredReason('codedeploy-deployment-succeeded')).toBe(
      'CodeDeploy deployment state SUCCESS is not FAILURE',
    );
  });

  it('patch compliance turning non_compliant (AWS writes it in lower case, and "serverity")', () => {
    expect(notified('ssm-compliance-non-compliant')).toMatchObject({
      severity: 'critical',
      title: 'i-0a1b2c3d4e5f67890 is not patch compliant',
      incidentKey: '123456789012/eu-west-1/patch-compliance/i-0a1b2c3d4e5f67890',
    });
    expect(ignoredReason('ssm-compliance-compliant')).toBe(
      'compliance status compliant is not NON_COMPLIANT',
    );
    const association = fixture('ssm-compliance-non-compliant');
    (association.detail as Record<string, string>)['compliance-type'] = 'Association';
    expect(normaliseEvent(association, OPTIONS)).toEqual({
      kind: 'ignore',
      reason: 'compliance type Association is not Patch',
    });
  });
});

describe('normaliseEvent: the alarm lifecycle', () => {
  it('an alarm back to OK resolves the incident its ALARM opened (same key), as information', () => {
    const alarm = notified('cloudwatch-alarm-status-check');
    const ok = notified('cloudwatch-alarm-ok');
    expect(ok).toMatchObject({
      lifecycle: 'resolved',
      severity: 'info',
      title: 'Resolved: alarm i-0a1b2c3d4e5f67890-system-status-check is OK again',
      incidentKey: alarm.incidentKey,
    });
    expect(alarm.lifecycle).toBeUndefined();
  });

  it('INSUFFICIENT_DATA is ignored by default and a warning when alarmOnInsufficientData is on', () => {
    const event = fixture('cloudwatch-alarm-status-check');
    (event.detail as { state: { value: string } }).state.value = 'INSUFFICIENT_DATA';
    expect(normaliseEvent(event, OPTIONS)).toEqual({
      kind: 'ignore',
      reason: 'alarm state INSUFFICIENT_DATA is not sent (alarmOnInsufficientData is off)',
    });
    const on = normaliseEvent(event, { ...OPTIONS, alarmOnInsufficientData: true });
    expect(on).toMatchObject({
      kind: 'notify',
      notification: {
        severity: 'warning',
        title: 'Alarm i-0a1b2c3d4e5f67890-system-status-check has insufficient data',
      },
    });
  });
});

describe('normaliseEvent: a known event whose status cannot be read is reported, never dropped', () => {
  it.each([
    ['detail null', null, 'detail', 'null'],
    ['detail a string', 'FAILED', 'detail', 'the text "FAILED"'],
    ['no state', { backupJobId: 'job-1' }, 'detail.state', 'missing'],
    ['state a number', { state: 3 }, 'detail.state', 'a number 3'],
    ['state empty', { state: ' ' }, 'detail.state', 'an empty string'],
  ])('backup job with %s', (_what, detail, field, found) => {
    const event = fixture('backup-job-failed');
    event.detail = detail;
    const r = normaliseEvent(event, OPTIONS);
    if (r.kind !== 'notify') throw new Error(`ignored: ${r.reason}`);
    expect(r.notification.title).toBe('Unreadable Backup Job State Change event');
    expect(r.notification.severity).toBe('warning');
    expect(r.notification.reason).toContain(
      `The notifier could not tell whether this is a failure: ${field} is ${found}, expected `,
    );
    expect(r.notification.reason).toContain(`The event's detail: ${JSON.stringify(detail)}`);
    expect(r.notification.facts).toContainEqual({ name: 'Field', value: field });
  });

  it('an alarm whose state has no value names detail.state.value; a huge detail is cut', () => {
    const event = fixture('cloudwatch-alarm-status-check');
    event.detail = { alarmName: 'x', state: { reason: 'y'.repeat(10_000) } };
    const r = normaliseEvent(event, OPTIONS);
    if (r.kind !== 'notify') throw new Error(`ignored: ${r.reason}`);
    expect(r.notification.title).toBe('Unreadable CloudWatch Alarm State Change event');
    expect(r.notification.reason).toContain(
      'detail.state.value is missing, expected ALARM, OK or INSUFFICIENT_DATA',
    );
    expect(r.notification.reason.length).toBeLessThan(2000);
  });

  it('every supported type: a detail that is not an object is a notification, not an ignore', () => {
    for (const [source, type] of SUPPORTED_EVENTS) {
      for (const detail of [null, undefined, 'text', 42, []]) {
        const r = normaliseEvent({ source, 'detail-type': type, detail, region: 'eu-west-1' }, OPTIONS);
        expect({ type, detail, kind: r.kind }).toEqual({ type, detail, kind: 'notify' });
      }
    }
  });
});

describe('normaliseEvent: never crashes on malformed events', () => {
  it('every fixture is handled (sample events exist for every supported type)', () => {
    const names = fixtureNames();
    for (const [source, type] of SUPPORTED_EVENTS) {
      const covered = names.some((n) => {
        const e = fixture(n);
        return e.source === source && e['detail-type'] === type;
      });
      expect({ source, type, covered }).toEqual({ source, type, covered: true });
    }
  });

  it('any detail for any supported type gives a result with a title or a reason', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SUPPORTED_EVENTS.map(([s, t]) => [s, t] as const)),
        fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())),
        fc.option(fc.string(), { nil: undefined }),
        ([source, type], detail, region) => {
          const r = normaliseEvent({ source, 'detail-type': type, detail, region }, OPTIONS);
          if (r.kind === 'notify') {
            expect(r.notification.title.length).toBeGreaterThan(0);
            expect(r.notification.incidentKey.length).toBeGreaterThan(0);
          } else {
            expect(r.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a run summary with malformed entries still lists what it can', () => {
    const event = fixture('fleet-run-summary-failures');
    event.detail = {
      function: 'cleanup',
      failures: [null, 'x', { resourceId: 5 }],
      skipped: [{}],
      counts: [1],
    };
    const r = normaliseEvent(event);
    expect(r.kind === 'notify' && r.notification.reason).toBe(
      '5: unknown action failed: no message\nunknown resource: skipped: no reason given',
    );
  });

  it('makes no console link from a region that is not one (no URL injection)', () => {
    const event = fixture('autoscaling-launch-unsuccessful');
    event.region = 'evil.example/x#';
    const r = normaliseEvent(event);
    expect(r.kind === 'notify' && r.notification.consoleUrl).toBeUndefined();
  });
});
