/**
 * The owner's per-AMI overrides: AutoCleanupRetentionDays (its own retention, in bounds) and
 * AutoCleanupKeepUntil (not before then), with the adversary's values. The fixture AMI is unused for
 * 19 days with a fresh tagger, so the default 7-day retention would delete it.
 */
import { describe, expect, it } from '@jest/globals';

import type { Image } from '../../../../shared/domain';
import type { LaunchPermissionsRead } from '../../../../shared/launch-permissions';
import {
  DEFAULT_CLEANUP_SETTINGS,
  planCleanup,
  type CleanupDecision,
  type CleanupPlan,
  type CleanupSettings,
} from '../../../../shared/plan/cleanup';
import { TAG } from '../../../../shared/tags';
import type { UsageIndex } from '../../../../shared/usage';
import { NOW, hoursAgo, image, snapshotsOf, usageOf } from '../../../helpers/plan-fixtures';

function plan(images: Image[], settings: Partial<CleanupSettings> = {}, usage?: UsageIndex): CleanupPlan {
  return planCleanup({
    images,
    usage: usage ?? usageOf(),
    snapshots: snapshotsOf(images),
    settings: { ...DEFAULT_CLEANUP_SETTINGS, ...settings },
    now: NOW,
    launchPermissions: new Map(
      images.map((i): [string, LaunchPermissionsRead] => [i.id, { kind: 'read', permissions: [] }]),
    ),
  });
}

function decide(tags: Record<string, string | undefined>, settings: Partial<CleanupSettings> = {}) {
  const p = plan([image('ami-a', {}, tags)], settings);
  return { p, d: p.decisions[0]! };
}

const RETENTION = TAG.autoCleanupRetentionDays;
const KEEP_UNTIL = TAG.autoCleanupKeepUntil;

describe('AutoCleanupRetentionDays', () => {
  it('a longer retention keeps an AMI the default would delete, and the reason names the tag', () => {
    const { d } = decide({ LastUsed: hoursAgo(10 * 24), [RETENTION]: '30' });
    expect(d).toMatchObject({ action: 'keep', keptFor: 'retention', rule: 'retention' });
    expect(d.reason).toBe(
      `unused since ${hoursAgo(240)}, 10 days ago: within the 30 days retention (AutoCleanupRetentionDays=30 on the AMI)`,
    );
    // The same AMI without the tag goes.
    expect(decide({ LastUsed: hoursAgo(10 * 24) }).d.action).toBe('delete');
  });

  it('a shorter retention deletes earlier (the feature), and the reason names the tag', () => {
    const { p, d } = decide({ LastUsed: hoursAgo(2 * 24), [RETENTION]: '1' });
    expect(d).toMatchObject({ action: 'delete', rule: 'eligible' });
    expect(d.reason).toBe(
      `unused since ${hoursAgo(48)}, 2 days > 1 day retention (AutoCleanupRetentionDays=1 on the AMI)`,
    );
    expect(p.deletions.map((x) => x.image.id)).toEqual(['ami-a']);
    // Within its own day it stays.
    expect(decide({ LastUsed: hoursAgo(20), [RETENTION]: '1' }).d).toMatchObject({
      action: 'keep',
      rule: 'retention',
    });
  });

  it('a shorter retention still passes every other rule: in use, protected, a stale tagger, refusal', () => {
    const tags = { LastUsed: hoursAgo(2 * 24), [RETENTION]: '1' };
    const inUse = plan(
      [image('ami-a', {}, tags)],
      {},
      usageOf({ instances: [{ id: 'i-0abc', imageId: 'ami-a', state: 'stopped' }] }),
    );
    expect(inUse.decisions[0]).toMatchObject({ action: 'keep', rule: 'in-use' });
    expect(plan([image('ami-a', { deregistrationProtected: true }, tags)]).decisions[0]).toMatchObject({
      action: 'keep',
      rule: 'protected',
    });
    expect(decide({ ...tags, LastUsedRuntime: hoursAgo(3) }).d).toMatchObject({
      action: 'keep',
      rule: 'tagger-stale',
    });
    // An outage (LastUsedObservedSince) counts as use for the per-AMI retention too.
    expect(decide({ ...tags, LastUsedObservedSince: hoursAgo(5) }).d).toMatchObject({
      action: 'keep',
      rule: 'retention',
    });
  });

  it('the largest value, 3650, is read', () => {
    const { d } = decide({ [RETENTION]: '3650' });
    expect(d).toMatchObject({ action: 'keep', rule: 'retention' });
    expect(d.reason).toContain('within the 3650 days retention (AutoCleanupRetentionDays=3650 on the AMI)');
  });

  it.each(['0', '-1', '1e3', '7.5', ' 7', '7 ', '999999', '', '3651', '007', '+7', '0x10', 'seven', '７'])(
    '%j: skipped, never deleted, and reported with tag, value and expected',
    (value) => {
      // Unused for 19 days: the default retention would delete it; a bad value must not.
      const { p, d } = decide({ [RETENTION]: value });
      const problem = {
        resourceId: 'ami-a',
        tag: RETENTION,
        value,
        expected: 'a whole number of days from 1 to 3650, digits only with no spaces, e.g. 30',
      };
      expect(d).toMatchObject({ action: 'skip', rule: 'unreadable-tags', problem });
      expect(d.reason).toBe(
        `AutoCleanupRetentionDays=${JSON.stringify(value)} is not readable (expected ${problem.expected}): skipped, never deleted`,
      );
      expect(p.problems).toEqual([problem]);
      expect(p.deletions).toEqual([]);
    },
  );

  it('the shortest value follows the freshness window: at least four windows, in whole days', () => {
    // freshnessMinutes 2520 (42 h) is allowed beside a 7-day retention; a 1-day AMI retention is not.
    const settings = { freshnessMinutes: 2520 };
    const { d } = decide({ LastUsed: hoursAgo(10 * 24), [RETENTION]: '6' }, settings);
    expect(d).toMatchObject({ action: 'skip', rule: 'unreadable-tags' });
    expect(d.problem?.expected).toBe(
      'a whole number of days from 7 to 3650 (at least 4 x freshnessMinutes=2520, rounded up to whole days), digits only with no spaces, e.g. 30',
    );
    expect(decide({ LastUsed: hoursAgo(10 * 24), [RETENTION]: '7' }, settings).d.action).toBe('delete');
  });

  it('on an AMI that is not opted in, a bad value harms nothing but is reported', () => {
    const { p, d } = decide({ AutoCleanup: 'false', [RETENTION]: '0', [KEEP_UNTIL]: 'soon' });
    expect(d).toMatchObject({ action: 'keep', rule: 'not-opted-in' });
    expect(p.problems.map((x) => x.tag)).toEqual([KEEP_UNTIL, RETENTION]);
  });
});

describe('AutoCleanupKeepUntil', () => {
  const keptUntil = (d: CleanupDecision) => {
    expect(d).toMatchObject({ action: 'keep', keptFor: 'keepUntil', rule: 'keep-until' });
    return d.reason;
  };

  it('a time next week keeps an AMI the retention would delete, with the date in the reason', () => {
    const { p, d } = decide({ [KEEP_UNTIL]: '2026-11-30T09:00:00Z' });
    expect(keptUntil(d)).toBe(
      'AutoCleanupKeepUntil=2026-11-30T09:00:00Z on the AMI: kept until 2026-11-30T09:00:00Z, 6 days 23 h from now',
    );
    expect(p.problems).toEqual([]);
  });

  it('a date alone keeps it through the end of that day, UTC', () => {
    // NOW is 2026-11-23T10:00:00Z: today's date still keeps it.
    expect(keptUntil(decide({ [KEEP_UNTIL]: '2026-11-23' }).d)).toBe(
      'AutoCleanupKeepUntil=2026-11-23 on the AMI: kept through 2026-11-23 (to the end of that day, UTC), 14 h from now',
    );
  });

  it('the far future keeps it', () => {
    expect(keptUntil(decide({ [KEEP_UNTIL]: '9999-12-31' }).d)).toContain(
      'kept through 9999-12-31 (to the end of that day, UTC)',
    );
  });

  it.each(['2026-11-22', '2026-11-23T09:59:59Z', '2026-11-23T10:00:00Z', '2020-01-01'])(
    'a past value %j has no effect: the AMI is decided as without it',
    (value) => {
      const { p, d } = decide({ [KEEP_UNTIL]: value });
      expect(d).toMatchObject({ action: 'delete', rule: 'eligible' });
      expect(d.reason).not.toContain(KEEP_UNTIL);
      expect(p.problems).toEqual([]);
    },
  );

  it.each(['2026-13-01', '2026-02-30', '2026-11-30T10:00:00+01:00', '2026-11-30T10:00:00', '', 'next week'])(
    'malformed %j: skipped, never deleted, and reported with tag, value and expected',
    (value) => {
      const { p, d } = decide({ [KEEP_UNTIL]: value });
      const problem = {
        resourceId: 'ami-a',
        tag: KEEP_UNTIL,
        value,
        expected: 'an ISO 8601 UTC date such as 2026-12-31 or timestamp such as 2026-12-31T18:00:00Z',
      };
      expect(d).toMatchObject({ action: 'skip', rule: 'unreadable-tags', problem });
      expect(p.problems).toEqual([problem]);
      expect(p.deletions).toEqual([]);
    },
  );

  it('hides no rule that reports a problem or a fact of the account', () => {
    const until = { [KEEP_UNTIL]: '2026-12-31' };
    expect(
      plan(
        [image('ami-a', {}, until)],
        {},
        usageOf({ instances: [{ id: 'i-0abc', imageId: 'ami-a', state: 'running' }] }),
      ).decisions[0],
    ).toMatchObject({ rule: 'in-use' });
    expect(decide({ ...until, LastUsedRuntime: hoursAgo(3) }).d).toMatchObject({ rule: 'tagger-stale' });
    const future = decide({ ...until, LastUsed: hoursAgo(-2) });
    expect(future.d).toMatchObject({ rule: 'future-time' });
    expect(future.p.problems.map((x) => x.tag)).toEqual([TAG.lastUsed]);
  });

  it('with a per-AMI retention, a later KeepUntil still keeps it', () => {
    const { d } = decide({ LastUsed: hoursAgo(2 * 24), [RETENTION]: '1', [KEEP_UNTIL]: '2026-12-01' });
    expect(keptUntil(d)).toContain('kept through 2026-12-01');
  });
});
