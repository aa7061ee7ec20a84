/**
 * The owner's per-AMI overrides end to end: the real cleanup handler, signed as its own role, against
 * the sandbox. AutoCleanupRetentionDays and AutoCleanupKeepUntil come with DescribeImages' tags, so
 * no new call (and no new permission) is needed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { handler as cleanup } from '../../../functions/cleanup/handler';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { DAY, MINUTE, decisionsFor, invoke, stamp, useSandboxEnv } from '../../helpers/harness';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('cleanup with per-AMI overrides', () => {
  it('keeps an AMI with a longer retention and one kept until next week, deletes the default one, and reports a malformed value', async () => {
    const region = sandbox.state.region('eu-west-1');
    // All unused for 10 days, the tagger fresh: the default 7-day retention would delete each one.
    const add = (name: string, extra: Record<string, string> = {}) =>
      region.addImage({
        name,
        creationDate: stamp(90 * DAY),
        tags: {
          AutoCleanup: 'true',
          LastUsed: stamp(10 * DAY),
          LastUsedRuntime: stamp(10 * MINUTE),
          ...extra,
        },
      });
    const plain = add('plain');
    const longer = add('longer', { AutoCleanupRetentionDays: '30' });
    const nextWeek = new Date(Date.now() + 7 * DAY).toISOString().slice(0, 10);
    const postponed = add('postponed', { AutoCleanupKeepUntil: nextWeek });
    const malformed = add('malformed', { AutoCleanupRetentionDays: '1e3' });
    const badDate = add('bad-date', { AutoCleanupKeepUntil: '2026-13-01' });

    useSandboxEnv(sandbox, { REGIONS: 'eu-west-1', DRY_RUN: 'false' }, 'cleanup');
    const { summaries, logs } = await invoke(cleanup);
    const summary = summaries[0]!;

    expect(region.getImage(plain.id)).toBeUndefined();
    for (const kept of [longer, postponed, malformed, badDate])
      expect(region.getImage(kept.id)).toBeDefined();
    expect(sandbox.requests.count('ec2', 'DeregisterImage')).toBe(1);

    expect(decisionsFor(logs, longer.id)[0]).toMatchObject({
      action: 'plan-keep',
      rule: 'retention',
      // The run reads the real clock after the seeding: a second boundary crossed in between adds
      // "1 s" (LastUsed has whole seconds), or more on a busy machine; that says nothing about the rule.
      reason: expect.stringMatching(
        /^unused since \S+, 10 days(?: \d+ (?:s|min))? ago: within the 30 days retention \(AutoCleanupRetentionDays=30 on the AMI\)$/,
      ),
    });
    expect(decisionsFor(logs, postponed.id)[0]).toMatchObject({
      action: 'plan-keep',
      rule: 'keep-until',
      reason: expect.stringContaining(
        `AutoCleanupKeepUntil=${nextWeek} on the AMI: kept through ${nextWeek}`,
      ),
    });

    expect(summary.skipped).toContainEqual({
      resourceId: malformed.id,
      tag: 'AutoCleanupRetentionDays',
      value: '1e3',
      expected: 'a whole number of days from 1 to 3650, digits only with no spaces, e.g. 30',
      reason:
        'AutoCleanupRetentionDays="1e3" is not readable (expected a whole number of days from 1 to 3650, digits only with no spaces, e.g. 30): skipped, never deleted',
      rule: 'unreadable-tags',
    });
    expect(summary.skipped).toContainEqual(
      expect.objectContaining({
        resourceId: badDate.id,
        tag: 'AutoCleanupKeepUntil',
        value: '2026-13-01',
        expected: 'an ISO 8601 UTC date such as 2026-12-31 or timestamp such as 2026-12-31T18:00:00Z',
        rule: 'unreadable-tags',
      }),
    );
    expect(summary.counts).toMatchObject({ deleted: 1 });
  });
});
