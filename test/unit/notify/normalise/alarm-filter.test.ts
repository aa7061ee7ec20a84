/** The notifier's alarm-name filter: the ALARM_NAME_PREFIXES setting and the forward/ignore decision. */
import { describe, expect, it } from '@jest/globals';
import { normaliseEvent, parseNotifierSettings } from '../../../../shared/notify';
import { decideAlarm } from '../../../../shared/notify/normalise/alarm-filter';
import { fixture } from '../../../helpers/notifier-fixtures';

const BASE = { DEDUPE_TABLE: 't', SLACK_WEBHOOK_PARAMETER: '/ec2-hygiene/slack-webhook' };

describe('ALARM_NAME_PREFIXES setting', () => {
  it('a comma-separated list becomes trimmed prefixes, case kept', () => {
    const s = parseNotifierSettings({ ...BASE, ALARM_NAME_PREFIXES: ' team-a-, Prod-Web- ,i-' });
    expect(s.alarmNamePrefixes).toEqual(['team-a-', 'Prod-Web-', 'i-']);
  });

  it('absent, empty or blank means every alarm (no prefixes)', () => {
    expect(parseNotifierSettings(BASE).alarmNamePrefixes).toEqual([]);
    expect(parseNotifierSettings({ ...BASE, ALARM_NAME_PREFIXES: '' }).alarmNamePrefixes).toEqual([]);
    expect(parseNotifierSettings({ ...BASE, ALARM_NAME_PREFIXES: '   ' }).alarmNamePrefixes).toEqual([]);
  });

  it.each(
    ['team-a-,,prod-', 'team-a-,', ',team-a-', 'team-a-, ,prod-', 'a\tb', 'x'.repeat(256)].map((v) => [
      v.length > 40 ? `a ${v.length}-character prefix` : JSON.stringify(v),
      v,
    ]),
  )('refuses %s, naming the setting, the value and what it expects', (_label, value) => {
    expect(() => parseNotifierSettings({ ...BASE, ALARM_NAME_PREFIXES: value })).toThrow(
      `notifier settings are invalid: ALARM_NAME_PREFIXES=${JSON.stringify(value)}: expected a comma-separated list of alarm-name prefixes such as team-a-,prod-web- (no empty items, each at most 255 characters, no control characters), or empty for every alarm`,
    );
  });

  it('the fleet prefix is read from FLEET_ALARM_NAME_PREFIX; blank means none', () => {
    expect(
      parseNotifierSettings({ ...BASE, FLEET_ALARM_NAME_PREFIX: 'ec2-hygiene-prod-' }).fleetAlarmNamePrefix,
    ).toBe('ec2-hygiene-prod-');
    expect(
      parseNotifierSettings({ ...BASE, FLEET_ALARM_NAME_PREFIX: '' }).fleetAlarmNamePrefix,
    ).toBeUndefined();
  });
});

describe('decideAlarm', () => {
  const filter = { prefixes: ['team-a-', 'i-'], fleetPrefix: 'ec2-hygiene-prod-' };

  it('no prefixes: every alarm is forwarded', () => {
    expect(decideAlarm('anything at all', { prefixes: [] })).toEqual({ forward: true });
  });

  it('forwards a name starting with any prefix', () => {
    expect(decideAlarm('team-a-cpu-high', filter)).toEqual({ forward: true });
    expect(decideAlarm('i-0abc-system-status-check', filter)).toEqual({ forward: true });
  });

  it('ignores a name matching no prefix, saying which prefixes it was checked against', () => {
    expect(decideAlarm('team-b-cpu-high', filter)).toEqual({
      forward: false,
      reason: 'alarm team-b-cpu-high matches none of ALARM_NAME_PREFIXES (team-a-, i-); not forwarded',
    });
  });

  it('is case-sensitive, like alarm names, and matches prefixes only (not substrings)', () => {
    expect(decideAlarm('Team-A-cpu-high', filter).forward).toBe(false);
    expect(decideAlarm('x-team-a-cpu', filter).forward).toBe(false);
  });

  it("always forwards the fleet's own alarms, whatever the prefixes say", () => {
    expect(decideAlarm('ec2-hygiene-prod-cleanup-errors', filter)).toEqual({ forward: true });
    expect(decideAlarm('ec2-hygiene-staging-cleanup-errors', filter).forward).toBe(false);
  });
});

describe('normaliseEvent with alarm-name prefixes', () => {
  const options = {
    selfFunctionName: 'ec2-hygiene-prod-notifier',
    ignoreAlarmNames: ['ec2-hygiene-prod-notifier-errors'],
    alarmNamePrefixes: ['team-a-'],
    fleetAlarmNamePrefix: 'ec2-hygiene-prod-',
  };

  it('a status-check alarm outside the prefixes is ignored with the reason', () => {
    expect(normaliseEvent(fixture('cloudwatch-alarm-status-check'), options)).toEqual({
      kind: 'ignore',
      reason:
        'alarm i-0a1b2c3d4e5f67890-system-status-check matches none of ALARM_NAME_PREFIXES (team-a-); not forwarded',
    });
  });

  it("the fleet's own error alarm is still forwarded; the notifier's own is still not", () => {
    expect(normaliseEvent(fixture('cloudwatch-alarm-fleet-function-errors'), options).kind).toBe('notify');
    const own = normaliseEvent(fixture('cloudwatch-alarm-notifier-errors'), options);
    expect(own).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('the notifier itself') });
  });

  it('non-alarm events are not affected by the prefixes', () => {
    expect(normaliseEvent(fixture('backup-job-failed'), options).kind).toBe('notify');
  });
});
