/**
 * Property tests of the owner's overrides over random inventories. Each AMI's tags are generated
 * with what they MEAN (days unused, a per-AMI retention or garbage, a KeepUntil offset or garbage),
 * and the checks re-derive the safety rules from that meaning, not from the planner's helpers.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { Image } from '../../../../shared/domain';
import type { LaunchPermissionsRead } from '../../../../shared/launch-permissions';
import { DEFAULT_CLEANUP_SETTINGS, planCleanup, type CleanupPlan } from '../../../../shared/plan/cleanup';
import { TAG } from '../../../../shared/tags';
import { NOW, image, snapshotsOf, usageOf } from '../../../helpers/plan-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
const isoDate = (offsetMs: number) => iso(offsetMs).slice(0, 10);

type Retention = { kind: 'none' } | { kind: 'days'; days: number } | { kind: 'garbage'; text: string };
/** A KeepUntil: an offset from now (a time, or a date meaning through that day), or garbage. */
type KeepUntil =
  | { kind: 'none' }
  | { kind: 'time'; offset: number }
  | { kind: 'date'; offset: number }
  | { kind: 'garbage'; text: string };

interface Spec {
  unusedHours: number;
  runtimeMinutesAgo: number;
  inUse: boolean;
  protectedFlag: boolean;
  retention: Retention;
  keepUntil: KeepUntil;
}

const retention: fc.Arbitrary<Retention> = fc.oneof(
  fc.constant<Retention>({ kind: 'none' }),
  fc.integer({ min: 1, max: 40 }).map<Retention>((days) => ({ kind: 'days', days })),
  fc
    .constantFrom('0', '-1', '1e3', '7.5', ' 7', '999999', '', '3651', '07', 'x')
    .map<Retention>((text) => ({ kind: 'garbage', text })),
);

const keepUntilOf = (min: number, max: number): fc.Arbitrary<KeepUntil> =>
  fc.oneof(
    fc.integer({ min, max }).map<KeepUntil>((h) => ({ kind: 'time', offset: h * HOUR })),
    fc.integer({ min: Math.ceil(min / 24), max: Math.floor(max / 24) }).map<KeepUntil>((d) => ({
      kind: 'date',
      offset: d * DAY,
    })),
  );

const anyKeepUntil: fc.Arbitrary<KeepUntil> = fc.oneof(
  fc.constant<KeepUntil>({ kind: 'none' }),
  keepUntilOf(-60 * 24, 60 * 24),
  fc
    .constantFrom('2026-13-01', '2026-11-30T10:00:00+01:00', '', 'tomorrow', '2026-02-30')
    .map<KeepUntil>((text) => ({ kind: 'garbage', text })),
);

const spec = (keepUntil: fc.Arbitrary<KeepUntil>): fc.Arbitrary<Spec> =>
  fc.record({
    unusedHours: fc.integer({ min: 0, max: 50 * 24 }),
    runtimeMinutesAgo: fc.constantFrom(1, 5, 59, 61, 600),
    inUse: fc.boolean(),
    protectedFlag: fc.boolean(),
    retention,
    keepUntil,
  });

function keepUntilText(k: KeepUntil): string | undefined {
  if (k.kind === 'none') return undefined;
  if (k.kind === 'garbage') return k.text;
  return k.kind === 'time' ? iso(k.offset) : isoDate(k.offset);
}

/** When the KeepUntil stops keeping: a date keeps through the end of its UTC day. */
function keepUntilEnd(k: KeepUntil): number | undefined {
  if (k.kind === 'time') return NOW.getTime() + k.offset;
  if (k.kind === 'date') return Date.parse(`${isoDate(k.offset)}T00:00:00Z`) + DAY;
  return undefined;
}

function imagesOf(specs: Spec[], withKeepUntil: boolean): Image[] {
  return specs.map((s, i) =>
    image(
      `ami-${i}`,
      { deregistrationProtected: s.protectedFlag, createdAt: new Date(NOW.getTime() - 60 * DAY) },
      {
        LastUsed: iso(-s.unusedHours * HOUR),
        LastUsedRuntime: iso(-s.runtimeMinutesAgo * 60_000),
        [TAG.autoCleanupRetentionDays]:
          s.retention.kind === 'none'
            ? undefined
            : s.retention.kind === 'days'
              ? String(s.retention.days)
              : s.retention.text,
        [TAG.autoCleanupKeepUntil]: withKeepUntil ? keepUntilText(s.keepUntil) : undefined,
      },
    ),
  );
}

function planOf(specs: Spec[], withKeepUntil: boolean, maxDeletionsPerRun: number): CleanupPlan {
  const images = imagesOf(specs, withKeepUntil);
  return planCleanup({
    images,
    usage: usageOf({
      instances: specs.flatMap((s, i) =>
        s.inUse ? [{ id: `i-${i}`, imageId: `ami-${i}`, state: 'running' }] : [],
      ),
    }),
    snapshots: snapshotsOf(images),
    settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun },
    now: NOW,
    launchPermissions: new Map(
      images.map((i): [string, LaunchPermissionsRead] => [i.id, { kind: 'read', permissions: [] }]),
    ),
  });
}

const actions = (p: CleanupPlan) => new Map(p.decisions.map((d) => [d.imageId, d.action]));

describe('the owner overrides, over random inventories', () => {
  it('every deletion is one the safety rules allow: fresh tagger, unused, unprotected, older than its own readable retention', () => {
    fc.assert(
      fc.property(fc.array(spec(anyKeepUntil), { minLength: 1, maxLength: 8 }), (specs) => {
        const p = planOf(specs, true, 100);
        for (const d of p.decisions.filter((x) => x.action === 'delete')) {
          const s = specs[Number(d.imageId.slice(4))]!;
          expect(s.runtimeMinutesAgo).toBeLessThanOrEqual(60);
          expect(s.inUse).toBe(false);
          expect(s.protectedFlag).toBe(false);
          // A bad value is never replaced by the default (or anything else).
          expect(s.retention.kind).not.toBe('garbage');
          expect(s.keepUntil.kind).not.toBe('garbage');
          const days =
            s.retention.kind === 'days' ? s.retention.days : DEFAULT_CLEANUP_SETTINGS.retentionDays;
          expect(s.unusedHours * HOUR).toBeGreaterThan(days * DAY);
          const end = keepUntilEnd(s.keepUntil);
          if (end !== undefined) expect(end).toBeLessThanOrEqual(NOW.getTime());
        }
        for (const s of specs) {
          if (s.retention.kind === 'garbage' || s.keepUntil.kind === 'garbage') {
            expect(p.problems.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a future KeepUntil on every AMI deletes none of them, whatever their age, retention or the cap', () => {
    fc.assert(
      fc.property(
        fc.array(spec(keepUntilOf(1, 400 * 24)), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 4 }),
        (specs, cap) => {
          const after = planOf(specs, true, cap);
          // Every AMI carries a KeepUntil after now: none is deleted, or even deferred by the cap.
          for (const d of after.decisions) expect(['keep', 'skip']).toContain(d.action);
          expect(after.deletions).toEqual([]);
          // Whatever the retention alone decided, the tag only ever keeps.
          const without = planOf(specs, false, cap);
          const kept = (p: CleanupPlan) => p.decisions.filter((d) => d.action !== 'delete').length;
          expect(kept(after)).toBeGreaterThanOrEqual(kept(without));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('adding a future KeepUntil to some AMIs deletes none of them, and no other AMI that was kept or skipped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(spec(keepUntilOf(1, 400 * 24)), fc.boolean()), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 4 }),
        (pairs, cap) => {
          const specs = pairs.map(([s, tagged]) =>
            tagged ? s : { ...s, keepUntil: { kind: 'none' as const } },
          );
          const before = actions(planOf(specs, false, cap));
          const after = planOf(specs, true, cap);
          for (const d of after.decisions) {
            const s = specs[Number(d.imageId.slice(4))]!;
            if (s.keepUntil.kind !== 'none') expect(d.action).not.toBe('delete');
            // The only new deletions are AMIs the cap had deferred: a place freed under the cap.
            if (d.action === 'delete') expect(['delete', 'defer']).toContain(before.get(d.imageId));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
