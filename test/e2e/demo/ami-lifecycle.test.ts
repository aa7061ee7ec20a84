import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runAmiLifecycleStory, type AmiStoryResult } from '../../../demo/ami-lifecycle';
import { renderNotifierStory } from '../../../demo/notifier';
import { startSandbox, type Sandbox } from '../../../sandbox/server';

// The `npm start` story, checked: two simulated weeks of the real jobs on the sandbox.
describe('npm start: the AMI lifecycle story', () => {
  let sandbox: Sandbox;
  let story: AmiStoryResult;
  const saved = { ...process.env };

  beforeAll(async () => {
    sandbox = await startSandbox();
    Object.assign(process.env, sandbox.env('eu-west-1', 'admin'));
    story = await runAmiLifecycleStory(sandbox);
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    await sandbox.close();
  });

  const names = (ids: string[]) =>
    ids.map((id) => sandbox.state.region('eu-west-1').getImage(id)?.name ?? id).sort();

  it('deletes exactly the opted-in AMIs that went unused for a week', () => {
    expect(story.lines.flatMap((l) => /cleanup: deleted (\S+)/.exec(l)?.[1] ?? [])).toEqual([
      'web-2026-09-28',
      'tools-2026-09-01',
      'batch-2026-08-01',
      'web-2026-10-19',
    ]);
  });

  it('counts the tagger outage as use: an AMI used only while the tagger was down waits a week from its end', () => {
    const text = story.lines.join('\n');
    // Unused since day 0 12:00, run from day 1 10:00 to 18:00 unseen; the tagger is back at day 2 06:00.
    expect(text).toMatch(
      /day {2}3 03:00 {2}cleanup: kept tools-2026-09-01 — use not observed until LastUsedObservedSince 2026-11-04T06:00:00Z/,
    );
    // Trusting its last seen use would have deleted it on day 8, a week after day 0 12:00.
    expect(text).not.toMatch(/day {2}[89] 03:00 {2}cleanup: deleted tools/);
    expect(text).toMatch(
      /day 10 03:00 {2}cleanup: deleted tools-2026-09-01 .* 7 days 21 h > 7 days retention/,
    );
  });

  it('keeps everything that is in use, not opted in, protected, foreign or badly tagged', () => {
    expect(names(story.keptImages)).toEqual(
      [
        'audit-2026-06-01',
        'batch-2026-10-30',
        'etl-2026-07-15',
        'golden-base-2025',
        'reports-2026-07-01',
        'vendor-nat-appliance',
        'web-2026-10-26',
        'web-2026-11-07',
      ].sort(),
    );
  });

  it('refuses to delete while the tagger is down, and says why', () => {
    expect(story.refusedRuns).toBe(1);
    expect(story.lines.join('\n')).toMatch(/day {2}2 03:00 {2}cleanup: REFUSED.*is the tagger running\?/);
  });

  it('writes one metrics line per run whose totals match what the story saw', () => {
    const of = (fn: string) => story.metrics.filter((l) => l.Function === fn);
    const sum = (fn: string, name: string) => of(fn).reduce((n, l) => n + ((l[name] as number) ?? 0), 0);
    expect(of('tagger')).toHaveLength(story.taggerRuns);
    expect(of('cleanup')).toHaveLength(story.cleanupRuns);
    expect(sum('cleanup', 'AMIsDeleted')).toBe(story.deletedImages.length);
    expect(sum('cleanup', 'CleanupRefused')).toBe(story.refusedRuns);
    // The outage: the newest LastUsedRuntime the tagger found was older than the 150-minute window.
    const ages = of('tagger').map((l) => l.NewestLastUsedRuntimeAgeSeconds as number);
    expect(Math.max(...ages)).toBeGreaterThan(150 * 60);
  });

  it('prices the snapshot storage it freed from the price list, as an estimate and an upper bound', () => {
    // Every deleted AMI had one 8 GiB snapshot; eu-west-1's standard snapshot tier is $0.05 a GiB-month.
    expect(story.snapshotSavings.gib).toBe(8 * story.deletedImages.length);
    expect(story.snapshotSavings.usdPerMonth).toBe(Math.round(story.snapshotSavings.gib * 0.05 * 100) / 100);
    expect(story.lines.filter((l) => l.includes('snapshot storage freed'))).toEqual(
      story.deletedImages.map(() =>
        expect.stringMatching(
          /8 GiB at most .*incremental.*\$0\.40 a month at \$0\.05\/GiB-month \(price-list\)/,
        ),
      ),
    );
  });

  it('reports the unreadable tags it skipped', () => {
    const text = story.lines.join('\n');
    expect(text).toContain('AutoCleanup="maybe" is not true or false');
    expect(text).toContain('LastUsed="yesterday" is not readable');
  });

  it('never tags the AMI another account owns', () => {
    const vendor = sandbox.state
      .region('eu-west-1')
      .images()
      .find((i) => i.name === 'vendor-nat-appliance');
    expect(vendor?.tags.LastUsed).toBeUndefined();
    expect(vendor?.tags.LastUsedRuntime).toBeUndefined();
  });

  it('renders the refusal and the bad tags as the notifier would send them, and nothing for clean runs', () => {
    const text = renderNotifierStory(sandbox);
    expect(text).toContain('Subject: [CRITICAL] ec2-hygiene cleanup refused to delete anything in eu-west-1');
    expect(text).toMatch(/Subject: \[WARNING\] ec2-hygiene cleanup run: 2 resources skipped/);
    expect(text).toContain('no notification: tagger run summary is clean');
    // An alarm's lifecycle: the ALARM, then "resolved" when it is OK again.
    expect(text).toContain('Subject: [CRITICAL] Alarm i-0a1b2c3d4e5f67890-system-status-check is in ALARM');
    expect(text).toContain(
      'Subject: [INFO] Resolved: alarm i-0a1b2c3d4e5f67890-system-status-check is OK again',
    );
    // The vendor's AMI in use is informational: it must not make every tagger run warn.
    expect(text).not.toMatch(/tagger run: \d+ resources? skipped/);
  });
});
