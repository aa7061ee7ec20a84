/** The notifier's numeric settings are read strictly: decimal only, empty = default, out of range named. */
import { describe, expect, it } from '@jest/globals';
import { parseNotifierSettings } from '../../../shared/notify';

const BASE = { DEDUPE_TABLE: 't', SLACK_WEBHOOK_PARAMETER: '/ec2-hygiene/slack-webhook' };

describe('notifier settings', () => {
  it('empty or unset means the default, never 0 (an empty SLACK_MIN_INTERVAL_MS turned the rate limit off)', () => {
    for (const value of [undefined, '', '  ']) {
      const s = parseNotifierSettings({
        ...BASE,
        DEDUPE_WINDOW_MINUTES: value,
        SLACK_MIN_INTERVAL_MS: value,
      });
      expect({ value, window: s.dedupeWindowMinutes, interval: s.slackMinIntervalMs }).toEqual({
        value,
        window: 60,
        interval: 1000,
      });
    }
  });

  it('reads plain decimal numbers, trimmed', () => {
    const s = parseNotifierSettings({ ...BASE, DEDUPE_WINDOW_MINUTES: ' 16 ', SLACK_MIN_INTERVAL_MS: '0' });
    expect([s.dedupeWindowMinutes, s.slackMinIntervalMs]).toEqual([16, 0]);
  });

  it.each(['0x10', '1e3', '16.0', '+16', '-5', 'soon', '0b11', '1_000', 'Infinity'])(
    'refuses DEDUPE_WINDOW_MINUTES=%s, naming the setting and what it expects',
    (value) => {
      expect(() => parseNotifierSettings({ ...BASE, DEDUPE_WINDOW_MINUTES: value })).toThrow(
        `notifier settings are invalid: DEDUPE_WINDOW_MINUTES=${JSON.stringify(value)}: expected a whole decimal number of minutes from 1 to 10080 (7 days), or empty for 60`,
      );
    },
  );

  it('refuses values out of range', () => {
    expect(() => parseNotifierSettings({ ...BASE, DEDUPE_WINDOW_MINUTES: '0' })).toThrow(
      'DEDUPE_WINDOW_MINUTES="0"',
    );
    expect(() => parseNotifierSettings({ ...BASE, DEDUPE_WINDOW_MINUTES: '10081' })).toThrow(
      'DEDUPE_WINDOW_MINUTES="10081"',
    );
    expect(() => parseNotifierSettings({ ...BASE, SLACK_MIN_INTERVAL_MS: '60001' })).toThrow(
      'SLACK_MIN_INTERVAL_MS="60001": expected a whole decimal number of milliseconds from 0 to 60000 (one minute), or empty for 1000',
    );
  });

  it('ALARM_ON_INSUFFICIENT_DATA: true/false in any case, empty = off, anything else named', () => {
    expect(parseNotifierSettings(BASE).alarmOnInsufficientData).toBe(false);
    expect(
      parseNotifierSettings({ ...BASE, ALARM_ON_INSUFFICIENT_DATA: 'TRUE' }).alarmOnInsufficientData,
    ).toBe(true);
    expect(
      parseNotifierSettings({ ...BASE, ALARM_ON_INSUFFICIENT_DATA: 'false' }).alarmOnInsufficientData,
    ).toBe(false);
    expect(() => parseNotifierSettings({ ...BASE, ALARM_ON_INSUFFICIENT_DATA: 'yes' })).toThrow(
      'ALARM_ON_INSUFFICIENT_DATA="yes": expected true or false (any case), or empty for false',
    );
  });

  it('names every bad setting in one error, in order, and a missing table by what it is for', () => {
    expect(() =>
      parseNotifierSettings({ SLACK_WEBHOOK_PARAMETER: 'bad name!', DEDUPE_WINDOW_MINUTES: '0x10' }),
    ).toThrow(
      'notifier settings are invalid: SLACK_WEBHOOK_PARAMETER="bad name!": expected an SSM parameter name such as /ec2-hygiene/slack-webhook; ' +
        'DEDUPE_TABLE="": expected the name of the DynamoDB table for de-duplication; ' +
        'DEDUPE_WINDOW_MINUTES="0x10": expected a whole decimal number of minutes from 1 to 10080 (7 days), or empty for 60',
    );
    expect(() => parseNotifierSettings({ DEDUPE_TABLE: ' ' })).toThrow(
      'DEDUPE_TABLE=" ": expected the name of the DynamoDB table for de-duplication; no destination configured',
    );
    expect(parseNotifierSettings({ ...BASE, DEDUPE_TABLE: ' hygiene ' }).dedupeTable).toBe('hygiene');
  });
});
