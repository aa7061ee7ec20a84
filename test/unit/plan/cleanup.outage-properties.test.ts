/**
 * Property tests of the outage rule over random histories: a tagger running every 20 minutes with
 * random outages (short ones around the freshness window, long ones past the retention), lost
 * CreateTags batches, AMIs created along the way, random use (some of it only during outages), the
 * real tagger plan and write batching applied to the tags run after run (outage-sim.ts), and the real
 * cleanup plan judged at random moments. The checks re-derive the rule from the HISTORY (when the
 * tagger wrote what, when the AMI was used), never from the tags the code wrote.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatTimestamp } from '../../../shared/tags';
import {
  DAY,
  MINUTE,
  cleanupPlan,
  deletedIds,
  simImage,
  taggerRun,
  type SimImage,
} from '../../helpers/outage-sim';

const START = new Date('2026-11-01T00:00:00Z').getTime();
const IDS = ['ami-a', 'ami-b', 'ami-c'];

interface Settings {
  retentionDays: number;
  freshnessMinutes: number;
}

interface AmiSpec {
  id: string;
  /** Minutes from START; negative: existed before the story. */
  createdAt: number;
  /** Covered by a tagger before START (its last run 20 min before, LastUsed as given), or a first deploy. */
  before: { kind: 'first-deploy' } | { kind: 'tagged'; lastUsed?: number };
  /** Use intervals [from, to] in minutes from START. */
  uses: [number, number][];
}

interface History {
  settings: Settings;
  /** Tagger runs: every 20 minutes from START, `runs` of them. */
  runs: number;
  /** [first run index, number of runs] in which the tagger does not run. */
  outages: [number, number][];
  /** `${run}:${id}`: that AMI's write in that run is lost (its CreateTags batch failed). */
  dropped: Set<string>;
  amis: AmiSpec[];
  /** Minutes from START at which cleanup plans, ascending. */
  checks: number[];
}

const settingsArb: fc.Arbitrary<Settings> = fc
  .record({
    retentionDays: fc.constantFrom(1, 1, 2, 3),
    freshnessMinutes: fc.constantFrom(40, 59, 60, 61, 90, 120, 360),
  })
  // The bounds loadSettings enforces: at most a quarter of the retention.
  .filter((s) => s.freshnessMinutes * 4 <= s.retentionDays * 24 * 60);

const historyArb: fc.Arbitrary<History> = settingsArb.chain((settings) => {
  const retentionMin = settings.retentionDays * 24 * 60;
  const horizon = 3 * retentionMin + 2 * 24 * 60; // minutes
  const runs = Math.floor(horizon / 20);
  const runsPerRetention = retentionMin / 20;
  const outage = fc.tuple(
    fc.integer({ min: 0, max: runs - 1 }),
    fc.oneof(
      // Around the freshness window (a missed run or three), and up to past the retention.
      fc.integer({ min: 1, max: Math.ceil(settings.freshnessMinutes / 20) + 2 }),
      fc.integer({ min: 1, max: Math.ceil(1.5 * runsPerRetention) }),
    ),
  );
  return fc.array(outage, { maxLength: 3 }).chain((outages) => {
    const anywhere = fc
      .tuple(
        fc.integer({ min: 0, max: horizon }),
        fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 2 * retentionMin })),
      )
      .map(([from, len]): [number, number] => [from, from + len]);
    // Use that starts and ends while the tagger is down: between the last run before an outage and
    // the first one after it, so no run sees it.
    const unseen = (blind: [number, number][]) =>
      fc.tuple(fc.constantFrom(...blind), fc.nat(), fc.nat()).map(([[first, n], a, b]): [number, number] => {
        const before = (first - 1) * 20;
        const after = (first + n) * 20;
        const from = before + 1 + (a % (after - before - 1));
        return [from, from + (b % (after - from))];
      });
    const use = outages.length === 0 ? anywhere : fc.oneof(anywhere, unseen(outages));
    return amisAndChecks(settings, runs, horizon, outages, use);
  });
});

function amisAndChecks(
  settings: Settings,
  runs: number,
  horizon: number,
  outages: [number, number][],
  use: fc.Arbitrary<[number, number]>,
): fc.Arbitrary<History> {
  const retentionMin = settings.retentionDays * 24 * 60;
  // Cleanup also looks right around the moment the retention ends after each outage.
  const edges = outages.flatMap(([first, n]) =>
    [-10, 10, 30].map((d) => (first + n) * 20 + retentionMin + d).filter((m) => m >= 0 && m <= horizon),
  );
  const ami = (id: string): fc.Arbitrary<AmiSpec> =>
    fc.record({
      id: fc.constant(id),
      createdAt: fc.oneof(fc.integer({ min: -40 * 24 * 60, max: -1 }), fc.integer({ min: 0, max: horizon })),
      before: fc.oneof(
        fc.constant<AmiSpec['before']>({ kind: 'first-deploy' }),
        fc
          .option(fc.integer({ min: -20 * 24 * 60, max: -20 }), { nil: undefined })
          .map<AmiSpec['before']>((lastUsed) =>
            lastUsed === undefined ? { kind: 'tagged' } : { kind: 'tagged', lastUsed },
          ),
      ),
      uses: fc.array(use, { maxLength: 3 }),
    });
  return fc.record({
    settings: fc.constant(settings),
    runs: fc.constant(runs),
    outages: fc.constant(outages),
    dropped: fc
      .array(fc.tuple(fc.integer({ min: 0, max: runs - 1 }), fc.constantFrom(...IDS)), { maxLength: 4 })
      .map((pairs) => new Set(pairs.map(([r, id]) => `${r}:${id}`))),
    amis: fc.tuple(ami('ami-a'), ami('ami-b'), ami('ami-c')).map((a) => [...a]),
    checks: fc
      .array(fc.integer({ min: 0, max: horizon }), { minLength: 1, maxLength: 12 })
      .map((c) => [...c, ...edges].sort((x, y) => x - y)),
  });
}

const atMin = (m: number) => new Date(START + m * MINUTE);
const usedAt = (a: AmiSpec, m: number) => a.uses.some(([from, to]) => from <= m && m <= to);
const exists = (a: AmiSpec, m: number) => a.createdAt <= m;

/** A successful tagger write on one AMI: when (minutes from START), and whether it saw the AMI in use. */
interface Write {
  at: number;
  inUse: boolean;
}

interface Check {
  at: number;
  settings: Settings;
  amis: AmiSpec[];
  /**
   * Per AMI id, the tagger's successful writes up to `at`, oldest first; for an AMI tagged before
   * START, the first is that earlier run's (at -20, seeing it idle).
   */
  writes: Map<string, Write[]>;
  images: SimImage[];
  deleted: string[];
}

/** Covered by a tagger run 20 minutes before START (and watched before that). */
const watchedBefore = (a: AmiSpec) => a.before.kind === 'tagged' && a.createdAt < -20;
/** The LastUsed that earlier tagger wrote (a use it saw before START). */
function initialLastUsed(a: AmiSpec): number | undefined {
  if (!watchedBefore(a) || a.before.kind !== 'tagged') return undefined;
  const lastUsed = a.before.lastUsed;
  return lastUsed !== undefined && lastUsed >= a.createdAt ? lastUsed : undefined;
}

/** The latest use a tagger saw: a write that found it in use, or the LastUsed from before START. */
function lastSeenUse(a: AmiSpec, ws: Write[]): number {
  return Math.max(-Infinity, initialLastUsed(a) ?? -Infinity, ...ws.filter((w) => w.inUse).map((w) => w.at));
}

/** Runs the history: the tagger plan at each run, the cleanup plan at each check. */
function simulate(h: History, onCheck: (c: Check) => void): void {
  const { settings } = h;
  const images = new Map<string, SimImage>();
  const writes = new Map<string, Write[]>(IDS.map((id) => [id, []]));
  const ensure = (a: AmiSpec) => {
    let img = images.get(a.id);
    if (img) return img;
    img = simImage(a.id, atMin(a.createdAt));
    if (watchedBefore(a)) {
      img.tags.LastUsedRuntime = formatTimestamp(atMin(-20));
      writes.get(a.id)!.push({ at: -20, inUse: false });
      const lastUsed = initialLastUsed(a);
      if (lastUsed !== undefined) img.tags.LastUsed = formatTimestamp(atMin(lastUsed));
    }
    images.set(a.id, img);
    return img;
  };
  const down = (run: number) => h.outages.some(([from, n]) => run >= from && run < from + n);
  let run = 0;
  for (const check of h.checks) {
    for (; run < h.runs && run * 20 <= check; run++) {
      if (down(run)) continue;
      const m = run * 20;
      const present = h.amis.filter((a) => exists(a, m));
      const inUse = new Set(present.filter((a) => usedAt(a, m)).map((a) => a.id));
      const dropped = new Set(present.filter((a) => h.dropped.has(`${run}:${a.id}`)).map((a) => a.id));
      taggerRun(present.map(ensure), inUse, atMin(m), settings.freshnessMinutes, dropped);
      for (const a of present) {
        if (!dropped.has(a.id)) writes.get(a.id)!.push({ at: m, inUse: inUse.has(a.id) });
      }
    }
    const present = h.amis.filter((a) => exists(a, check));
    const imgs = present.map(ensure);
    const inUseNow = new Set(present.filter((a) => usedAt(a, check)).map((a) => a.id));
    const plan = cleanupPlan(imgs, inUseNow, atMin(check), settings);
    onCheck({
      at: check,
      settings,
      amis: present,
      writes: new Map([...writes].map(([id, w]) => [id, w.filter((x) => x.at <= check)])),
      images: imgs.map((i) => ({ ...i, tags: { ...i.tags } })),
      deleted: deletedIds(plan),
    });
  }
}

/**
 * The periods nobody watched the AMI up to `t`: before its first write (unless a tagger watched it
 * before START), between two writes more than the freshness window apart, and after the last write
 * if that is older than the window. Each as [after, until]: use at a moment m with after < m <= until
 * was not observed.
 */
function blindPeriods(a: AmiSpec, ws: Write[], t: number, freshnessMinutes: number): [number, number][] {
  const out: [number, number][] = [];
  const stamps = ws.map((w) => w.at);
  if (stamps.length === 0) return [[-Infinity, t]];
  if (!watchedBefore(a)) out.push([-Infinity, stamps[0]!]);
  for (let i = 1; i < stamps.length; i++) {
    if (stamps[i]! - stamps[i - 1]! > freshnessMinutes) out.push([stamps[i - 1]!, stamps[i]!]);
  }
  const last = stamps[stamps.length - 1]!;
  if (t - last > freshnessMinutes) out.push([last, t]);
  return out;
}

describe('outage rule, over random outage histories', () => {
  it('never plans an AMI for deletion before the retention has passed since the end of a blind period its use overlapped, or since its last observed use', () => {
    let deletions = 0;
    let overlapsChecked = 0;
    fc.assert(
      fc.property(historyArb, (h) => {
        simulate(h, (c) => {
          const retention = c.settings.retentionDays * 24 * 60;
          for (const id of c.deleted) {
            deletions++;
            const a = c.amis.find((x) => x.id === id)!;
            const ws = c.writes.get(id)!;
            const why = `${id} deleted at +${c.at} min`;
            expect({ why, inUseNow: usedAt(a, c.at) }).toEqual({ why, inUseNow: false });
            expect({ why, old: c.at - a.createdAt > retention }).toEqual({ why, old: true });
            const seen = lastSeenUse(a, ws);
            if (seen > -Infinity) {
              expect({ why, lastSeenAge: c.at - seen > retention }).toEqual({ why, lastSeenAge: true });
            }
            for (const [from, to] of a.uses) {
              if (from > c.at) continue;
              for (const [after, until] of blindPeriods(a, ws, c.at, c.settings.freshnessMinutes)) {
                if (from > until || Math.min(to, c.at) <= after) continue; // no overlap
                overlapsChecked++;
                expect({
                  why,
                  use: [from, to],
                  blind: [after, until],
                  sinceEnd: c.at - until > retention,
                }).toEqual({
                  why,
                  use: [from, to],
                  blind: [after, until],
                  sinceEnd: true,
                });
              }
            }
          }
        });
      }),
      { numRuns: 120 },
    );
    // Not vacuous: the histories do lead to deletions, some of AMIs used in a blind period.
    expect(deletions).toBeGreaterThan(50);
    expect(overlapsChecked).toBeGreaterThan(0);
  });

  it('deletes exactly when the history says it may: fresh, unused now, and the retention past creation, the last observed use and the end of the last blind period', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        simulate(h, (c) => {
          const F = c.settings.freshnessMinutes;
          const retention = c.settings.retentionDays * 24 * 60;
          const expected = c.amis
            .filter((a) => {
              const ws = c.writes.get(a.id)!;
              const lastRun = ws.length > 0 ? ws[ws.length - 1]!.at : undefined;
              if (lastRun === undefined || c.at - lastRun > F) return false;
              if (usedAt(a, c.at)) return false;
              const blindEnds = blindPeriods(a, ws, c.at, F).map(([, until]) => until);
              const activity = Math.max(a.createdAt, lastSeenUse(a, ws), ...blindEnds);
              return c.at - activity > retention;
            })
            .map((a) => a.id)
            .sort();
          expect({ at: c.at, deleted: [...c.deleted].sort() }).toEqual({ at: c.at, deleted: expected });
        });
      }),
      { numRuns: 120 },
    );
  });

  it('a forged LastUsedObservedSince only ever delays: never a deletion the AMI would not get without it, or with the value the tagger wrote', () => {
    const forgedArb = fc.array(
      fc.oneof(
        fc.constant({ kind: 'none' as const }),
        fc.integer({ min: -40 * DAY, max: 0 }).map((offset) => ({ kind: 'past' as const, offset })),
        fc.integer({ min: 1000, max: 30 * DAY }).map((offset) => ({ kind: 'future' as const, offset })),
        fc
          .constantFrom('yesterday', '', '2026-02-30T00:00:00Z', 'now')
          .map((text) => ({ kind: 'garbage' as const, text })),
      ),
      { minLength: 3, maxLength: 3 },
    );
    fc.assert(
      fc.property(historyArb, forgedArb, (h, forged) => {
        simulate(h, (c) => {
          const now = atMin(c.at);
          const without = deletedIds(
            cleanupPlan(
              c.images.map((i) => {
                const { LastUsedObservedSince: _gone, ...tags } = i.tags;
                return { ...i, tags };
              }),
              new Set(c.amis.filter((a) => usedAt(a, c.at)).map((a) => a.id)),
              now,
              c.settings,
            ),
          );
          const tampered = c.images.map((img, n) => {
            const f = forged[n]!;
            const tags = { ...img.tags };
            if (f.kind === 'past')
              tags.LastUsedObservedSince = formatTimestamp(new Date(now.getTime() + f.offset));
            if (f.kind === 'future')
              tags.LastUsedObservedSince = formatTimestamp(new Date(now.getTime() + f.offset));
            if (f.kind === 'garbage') tags.LastUsedObservedSince = f.text;
            return { ...img, tags };
          });
          const inUse = new Set(c.amis.filter((a) => usedAt(a, c.at)).map((a) => a.id));
          const plan = cleanupPlan(tampered, inUse, now, c.settings);
          const after = deletedIds(plan);
          for (const id of after)
            expect({ id, allowedWithoutTag: without.includes(id) }).toEqual({ id, allowedWithoutTag: true });
          tampered.forEach((img, n) => {
            const f = forged[n]!;
            const original = c.images[n]!.tags.LastUsedObservedSince;
            // A forged value later than the tagger's (or where it wrote none) cannot add a deletion.
            if (
              f.kind === 'past' &&
              (original === undefined || img.tags.LastUsedObservedSince! >= original)
            ) {
              if (after.includes(img.id)) expect(c.deleted).toContain(img.id);
            }
            if (f.kind === 'future' || f.kind === 'garbage') {
              expect(after).not.toContain(img.id);
              const problem = plan.problems.find(
                (p) => p.resourceId === img.id && p.tag === 'LastUsedObservedSince',
              );
              // Unreadable: always reported (with the tag, the value, what was expected). In the
              // future: reported when no earlier rule (in use, tagger not fresh) kept it first.
              const decision = plan.decisions.find((d) => d.imageId === img.id)!;
              if (f.kind === 'garbage' || decision.problem?.tag === 'LastUsedObservedSince') {
                expect(problem).toEqual({
                  resourceId: img.id,
                  tag: 'LastUsedObservedSince',
                  value: img.tags.LastUsedObservedSince,
                  expected: expect.any(String),
                });
              }
            }
          });
        });
      }),
      { numRuns: 80 },
    );
  });
});
