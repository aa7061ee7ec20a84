/**
 * No AMI advances a stage it should not, over random AMIs, stage tags (true, forged, garbage), EC2
 * facts and clocks. The checks re-derive each promise from what the generator MEANT, never from the
 * planner's helpers: in use -> never disabled or deregistered; a valid future keep-until -> never
 * advanced; a stage never advances before its grace has passed by EC2's own DeprecationTime.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { Image } from '../../../../shared/domain';
import type { LaunchPermissionsRead } from '../../../../shared/launch-permissions';
import { DEFAULT_CLEANUP_SETTINGS, planCleanup } from '../../../../shared/plan/cleanup';
import { TAG } from '../../../../shared/tags';
import { NOW, image, snapshotsOf, usageOf } from '../../../helpers/plan-fixtures';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const tagValue = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -40 * DAY, max: 2 * DAY }).map((off) => iso(NOW.getTime() + off)),
  fc.constantFrom('2020-01-01T00:00:00Z', 'soon', '', '2099-01-01T00:00:00Z'),
);

const spec = fc.record({
  state: fc.constantFrom('available', 'disabled'),
  /** EC2's DeprecationTime, as an offset from now (whole minutes), or none. */
  deprecatedAt: fc.option(
    fc.integer({ min: -25 * 24 * 60, max: 24 * 60 }).map((m) => m * MINUTE),
    { nil: undefined },
  ),
  deprecatedTag: tagValue,
  disabledTag: tagValue,
  inUse: fc.boolean(),
  keepUntilFuture: fc.boolean(),
  lastUsedDaysAgo: fc.integer({ min: 0, max: 60 }),
  /** Tags as cleanup itself would have written them beside EC2's DeprecationTime (then disabled k days later). */
  followsEc2: fc.boolean(),
  disabledAfterDays: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
});

describe('the stages, over random AMIs and clocks', () => {
  it('never advance an AMI that is in use, kept until later, or whose grace has not passed by EC2', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        (specs, dep, dis) => {
          for (const s of specs) {
            if (!s.followsEc2 || s.deprecatedAt === undefined) continue;
            s.deprecatedTag = iso(NOW.getTime() + s.deprecatedAt);
            s.disabledTag =
              s.disabledAfterDays === undefined
                ? undefined
                : iso(NOW.getTime() + s.deprecatedAt + s.disabledAfterDays * DAY);
          }
          const images: Image[] = specs.map((s, i) =>
            image(
              `ami-${i}`,
              {
                state: s.state,
                ...(s.deprecatedAt !== undefined && {
                  deprecatedAt: new Date(NOW.getTime() + s.deprecatedAt),
                }),
              },
              {
                LastUsed: iso(NOW.getTime() - s.lastUsedDaysAgo * DAY),
                [TAG.autoCleanupDeprecatedAt]: s.deprecatedTag,
                [TAG.autoCleanupDisabledAt]: s.disabledTag,
                [TAG.autoCleanupKeepUntil]: s.keepUntilFuture ? '2099-12-31' : undefined,
              },
            ),
          );
          const usage = usageOf({
            instances: specs.flatMap((s, i) =>
              s.inUse ? [{ id: `i-${i}`, imageId: `ami-${i}`, state: 'running' }] : [],
            ),
          });
          const plan = planCleanup({
            images,
            usage,
            snapshots: snapshotsOf(images),
            settings: { ...DEFAULT_CLEANUP_SETTINGS, deprecateGraceDays: dep, disableGraceDays: dis },
            now: NOW,
            launchPermissions: new Map(
              images.map((i): [string, LaunchPermissionsRead] => [i.id, { kind: 'read', permissions: [] }]),
            ),
          });
          const forward = new Set(
            plan.stageMoves
              .filter((m) => m.kind === 'deprecate' || m.kind === 'disable')
              .map((m) => m.imageId),
          );
          specs.forEach((s, i) => {
            const id = `ami-${i}`;
            const d = plan.decisions.find((x) => x.imageId === id)!;
            const advanced = d.action === 'delete' || d.action === 'deprecate' || d.action === 'disable';
            expect(advanced).toBe(forward.has(id) || d.action === 'delete');
            if (s.inUse) expect(advanced).toBe(false);
            if (s.keepUntilFuture) expect(advanced).toBe(false);
            const D = s.deprecatedAt === undefined ? undefined : NOW.getTime() + s.deprecatedAt;
            const hasStageTag = s.deprecatedTag !== undefined || s.disabledTag !== undefined;
            // A disabled AMI goes on only from cleanup's own disabled stage, by EC2's record.
            if (s.state === 'disabled' && advanced) {
              expect(d.action).toBe('delete');
              expect(D).toBeDefined();
              expect(NOW.getTime()).toBeGreaterThanOrEqual(D! - MINUTE + (dep + dis) * DAY);
            }
            // Disabling from a deprecated stage waits for its grace by EC2's DeprecationTime.
            if (d.action === 'disable' && hasStageTag) {
              expect(D).toBeDefined();
              expect(NOW.getTime()).toBeGreaterThanOrEqual(D! - MINUTE + dep * DAY);
            }
            // With stages, an available AMI is deleted only from a deprecated stage whose grace passed
            // (disableGraceDays 0): never straight away, never on a tag alone.
            if (d.action === 'delete' && (dep > 0 || dis > 0)) {
              if (s.state === 'available') {
                expect(dis).toBe(0);
                expect(D).toBeDefined();
                expect(NOW.getTime()).toBeGreaterThanOrEqual(D! - MINUTE + dep * DAY);
              }
            }
            // A stage tag is never a reason to skip a stage: without one EC2 agrees with, the first
            // move is the first configured stage.
            if (!hasStageTag && advanced && (dep > 0 || dis > 0)) {
              expect(d.action).toBe(dep > 0 ? 'deprecate' : 'disable');
            }
          });
        },
      ),
      { numRuns: 400 },
    );
  });
});
