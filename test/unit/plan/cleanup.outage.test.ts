/**
 * The outage rule: an AMI is never deleted sooner than the retention after the end of a period in
 * which the tagger did not observe its use. Example histories, run through the real tagger plan,
 * the real CreateTags batching and the real cleanup plan (see outage-sim.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { planTagging } from '../../../shared/plan/tagging';
import { formatTimestamp } from '../../../shared/tags';
import {
  DAY,
  MINUTE,
  TAGGER_PERIOD,
  cleanupPlan,
  deletedIds,
  simImage,
  taggerRun,
  type SimImage,
} from '../../helpers/outage-sim';
import { image, usageOf } from '../../helpers/plan-fixtures';

const T0 = new Date('2026-11-20T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const NONE: ReadonlySet<string> = new Set();

/** Tagger runs every 20 minutes over [from, to), with `inUse(now)` telling what uses what. */
function runTagger(
  images: SimImage[],
  from: number,
  to: number,
  freshnessMinutes: number,
  inUse: (now: Date) => ReadonlySet<string> = () => NONE,
): void {
  for (let t = from; t < to; t += TAGGER_PERIOD) taggerRun(images, inUse(at(t)), at(t), freshnessMinutes);
}

describe('outage rule: the retention runs from the end of a tagger outage', () => {
  it('1-day retention, 2-day tagger outage: an AMI used until 5 minutes before the tagger came back is not deleted when it returns', () => {
    const settings = { retentionDays: 1, freshnessMinutes: 60 };
    const ami = simImage('ami-web', at(-30 * DAY));
    const images = [ami];
    // Watched for three days, unused; then the tagger is down for two days, during which an
    // instance runs the AMI from day 1 until 5 minutes before the tagger is back: no run sees it.
    runTagger(images, -3 * DAY, 0, 60);
    const back = 2 * DAY;
    expect(ami.tags.LastUsedRuntime).toBe(formatTimestamp(at(-TAGGER_PERIOD)));

    taggerRun(images, NONE, at(back), 60);
    const plan = cleanupPlan(images, NONE, at(back + 10 * MINUTE), settings);
    expect(deletedIds(plan)).toEqual([]);
    expect(ami.tags.LastUsedObservedSince).toBe(formatTimestamp(at(back)));
    expect(plan.decisions[0]).toMatchObject({ imageId: 'ami-web', action: 'keep' });
    expect(plan.decisions[0]!.reason).toContain('LastUsedObservedSince');
  });

  it('deletes it once the retention has passed since the tagger came back, not before', () => {
    const settings = { retentionDays: 1, freshnessMinutes: 60 };
    const ami = simImage('ami-web', at(-30 * DAY));
    const images = [ami];
    runTagger(images, -3 * DAY, 0, 60);
    runTagger(images, 2 * DAY, 3 * DAY + 20 * MINUTE, 60);
    expect(deletedIds(cleanupPlan(images, NONE, at(3 * DAY - 10 * MINUTE), settings))).toEqual([]);
    const plan = cleanupPlan(images, NONE, at(3 * DAY + 10 * MINUTE), settings);
    expect(deletedIds(plan)).toEqual(['ami-web']);
    expect(plan.decisions[0]!.reason).toContain('1 day 10 min > 1 day retention');
  });

  it('a single missed tagger run (40 minutes, inside the 60-minute window) is not an outage', () => {
    const ami = simImage('ami-web', at(-30 * DAY));
    taggerRun([ami], NONE, at(0), 60);
    taggerRun([ami], NONE, at(40 * MINUTE), 60);
    taggerRun([ami], NONE, at(60 * MINUTE), 60);
    // Only the first run (no LastUsedRuntime yet) opened a watch; the missed one did not.
    expect(ami.tags.LastUsedObservedSince).toBe(formatTimestamp(at(0)));
  });

  it('a gap just over the freshness window is one: the run after it records its end', () => {
    const ami = simImage('ami-web', at(-30 * DAY), { LastUsedRuntime: formatTimestamp(at(0)) });
    taggerRun([ami], NONE, at(61 * MINUTE), 60);
    expect(ami.tags.LastUsedObservedSince).toBe(formatTimestamp(at(61 * MINUTE)));
    const exact = simImage('ami-exact', at(-30 * DAY), { LastUsedRuntime: formatTimestamp(at(0)) });
    taggerRun([exact], NONE, at(60 * MINUTE), 60);
    expect(exact.tags.LastUsedObservedSince).toBeUndefined();
  });

  it('first deploy: an AMI without LastUsedRuntime counts as unobserved until the first run', () => {
    const ami = simImage('ami-old', at(-300 * DAY), { LastUsed: formatTimestamp(at(-200 * DAY)) });
    runTagger([ami], 0, 7 * DAY + 20 * MINUTE, 60);
    expect(ami.tags.LastUsedObservedSince).toBe(formatTimestamp(at(0)));
    const settings = { retentionDays: 7, freshnessMinutes: 60 };
    expect(deletedIds(cleanupPlan([ami], NONE, at(7 * DAY - MINUTE), settings))).toEqual([]);
    expect(deletedIds(cleanupPlan([ami], NONE, at(7 * DAY + 10 * MINUTE), settings))).toEqual(['ami-old']);
  });

  it.each([
    ['unreadable', 'yesterday'],
    ['in the future', '2026-12-25T00:00:00Z'],
  ])('a previous LastUsedRuntime that is %s cannot vouch for anything: the run records a gap', (_, value) => {
    const ami = simImage('ami-web', at(-30 * DAY), { LastUsedRuntime: value });
    taggerRun([ami], NONE, at(0), 60);
    expect(ami.tags).toMatchObject({
      LastUsedRuntime: formatTimestamp(at(0)),
      LastUsedObservedSince: formatTimestamp(at(0)),
    });
  });

  it('an AMI in use when the tagger comes back needs no extra tag: LastUsed is now', () => {
    const ami = simImage('ami-web', at(-30 * DAY));
    taggerRun([ami], new Set(['ami-web']), at(0), 60);
    expect(ami.tags).toEqual({
      AutoCleanup: 'true',
      LastUsed: formatTimestamp(at(0)),
      LastUsedRuntime: formatTimestamp(at(0)),
    });
  });

  it('a failed CreateTags batch leaves both tags as they were, so the next run still sees the gap', () => {
    const ami = simImage('ami-web', at(-30 * DAY), { LastUsedRuntime: formatTimestamp(at(-2 * DAY)) });
    taggerRun([ami], NONE, at(0), 60, new Set(['ami-web']));
    expect(ami.tags.LastUsedObservedSince).toBeUndefined();
    taggerRun([ami], NONE, at(20 * MINUTE), 60);
    expect(ami.tags.LastUsedObservedSince).toBe(formatTimestamp(at(20 * MINUTE)));
  });

  it('runs that could not resolve a usage reference did not watch the idle AMIs: the next full run records the gap', () => {
    const idle = image('ami-idle', {}, { LastUsedRuntime: formatTimestamp(at(-20 * MINUTE)) });
    const unresolved = usageOf({
      launchTemplateVersions: [
        {
          templateId: 'lt-1',
          templateName: 'web',
          versionNumber: 1,
          isDefault: true,
          isLatest: true,
          imageId: 'resolve:ssm:/web/ami',
        },
      ],
    });
    expect(unresolved.unresolved.length).toBeGreaterThan(0);
    const blind = planTagging({ images: [idle], usage: unresolved, now: at(0), freshnessMinutes: 60 });
    expect(blind.runtime).toEqual([]);
    expect(blind.observedSince).toEqual([]);
    // Three hours later the reference resolves again; LastUsedRuntime is still the old one.
    const next = planTagging({
      images: [idle],
      usage: usageOf(),
      now: at(3 * 60 * MINUTE),
      freshnessMinutes: 60,
    });
    expect(next.observedSince).toEqual(['ami-idle']);
    expect(next.decisions[0]!.reason).toContain('LastUsedObservedSince set to 2026-11-20T03:00:00Z');
  });
});

describe('cleanup reads LastUsedObservedSince as use, and never trusts a value it cannot read', () => {
  const settings = { retentionDays: 7, freshnessMinutes: 60 };
  const fresh = {
    LastUsedRuntime: formatTimestamp(at(-5 * MINUTE)),
    LastUsed: formatTimestamp(at(-20 * DAY)),
  };

  it('an unreadable value skips the AMI and reports the tag, the value and what was expected', () => {
    const ami = simImage('ami-web', at(-30 * DAY), { ...fresh, LastUsedObservedSince: 'after the outage' });
    const plan = cleanupPlan([ami], NONE, at(0), settings);
    expect(deletedIds(plan)).toEqual([]);
    expect(plan.decisions[0]!.action).toBe('skip');
    expect(plan.problems).toEqual([
      {
        resourceId: 'ami-web',
        tag: 'LastUsedObservedSince',
        value: 'after the outage',
        expected: 'an ISO 8601 UTC timestamp such as 2026-11-22T20:40:00Z',
      },
    ]);
  });

  it('a value in the future keeps the AMI and is reported', () => {
    const ami = simImage('ami-web', at(-30 * DAY), {
      ...fresh,
      LastUsedObservedSince: '2027-01-01T00:00:00Z',
    });
    const plan = cleanupPlan([ami], NONE, at(0), settings);
    expect(deletedIds(plan)).toEqual([]);
    expect(plan.decisions[0]!.action).toBe('keep');
    expect(plan.problems).toEqual([
      {
        resourceId: 'ami-web',
        tag: 'LastUsedObservedSince',
        value: '2027-01-01T00:00:00Z',
        expected: 'a time not after now (2026-11-20T00:00:00Z)',
      },
    ]);
  });

  it('a forged value older than LastUsed changes nothing; a newer one only delays', () => {
    const plain = simImage('ami-web', at(-30 * DAY), fresh);
    expect(deletedIds(cleanupPlan([plain], NONE, at(0), settings))).toEqual(['ami-web']);
    const older = simImage('ami-web', at(-30 * DAY), {
      ...fresh,
      LastUsedObservedSince: '2000-01-01T00:00:00Z',
    });
    expect(deletedIds(cleanupPlan([older], NONE, at(0), settings))).toEqual(['ami-web']);
    const newer = simImage('ami-web', at(-30 * DAY), {
      ...fresh,
      LastUsedObservedSince: formatTimestamp(at(-6 * DAY)),
    });
    const plan = cleanupPlan([newer], NONE, at(0), settings);
    expect(deletedIds(plan)).toEqual([]);
    expect(plan.decisions[0]!.reason).toContain('LastUsedObservedSince 2026-11-14T00:00:00Z');
  });
});
