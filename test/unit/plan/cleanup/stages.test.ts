/**
 * Retirement in stages: each stage a decision with its rule and reason, grace periods counted by EC2's
 * own record, staged AMIs given back when used or wanted, and stage tags EC2 disagrees with reported
 * and reset (a forged tag never skips a grace period).
 */
import { describe, expect, it } from '@jest/globals';

import type { Image } from '../../../../shared/domain';
import type { LaunchPermissionsRead } from '../../../../shared/launch-permissions';
import {
  DEFAULT_CLEANUP_SETTINGS,
  planCleanup,
  projectTimeline,
  gracesOf,
  readStage,
  validateCleanupSettings,
  type CleanupPlan,
  type CleanupSettings,
} from '../../../../shared/plan/cleanup';
import { TAG } from '../../../../shared/tags';
import type { UsageIndex } from '../../../../shared/usage';
import { NOW, daysAgo, hoursAgo, image, snapshotsOf, usageOf } from '../../../helpers/plan-fixtures';

const STAGED: Partial<CleanupSettings> = { deprecateGraceDays: 7, disableGraceDays: 7 };
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function plan(images: Image[], settings: Partial<CleanupSettings> = STAGED, usage?: UsageIndex): CleanupPlan {
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

const decision = (p: CleanupPlan, id = 'ami-a') => p.decisions.find((d) => d.imageId === id)!;
const move = (p: CleanupPlan, id = 'ami-a') => p.stageMoves.find((m) => m.imageId === id);

/** Deprecated by cleanup `days` ago: its tag and EC2's DeprecationTime (rounded to the minute). */
function deprecated(days: number, over: Partial<Image> = {}, tags: Record<string, string> = {}): Image {
  const at = daysAgo(days);
  return image(
    'ami-a',
    { deprecatedAt: new Date(Math.round(at.getTime() / 60_000) * 60_000), ...over },
    { [TAG.autoCleanupDeprecatedAt]: iso(at), ...tags },
  );
}

/** Deprecated `depDays` ago and disabled `disDays` ago, by cleanup. */
function disabled(depDays: number, disDays: number, tags: Record<string, string | undefined> = {}): Image {
  const img = deprecated(
    depDays,
    { state: 'disabled' },
    { [TAG.autoCleanupDisabledAt]: iso(daysAgo(disDays)) },
  );
  const merged: Record<string, string> = { ...img.tags };
  for (const [k, v] of Object.entries(tags)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  return { ...img, tags: merged };
}

const inUse = (imageId = 'ami-a') => usageOf({ instances: [{ id: 'i-0abc', imageId, state: 'running' }] });

describe('retirement in stages', () => {
  it('with both grace periods 0 (the default) deletes in one step, with no stage moves', () => {
    const p = plan([image('ami-a')], {});
    expect(decision(p)).toMatchObject({ action: 'delete', rule: 'eligible' });
    expect(p.stageMoves).toEqual([]);
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-a']);
  });

  it('deprecates an AMI that would be deleted, saying when it will be disabled', () => {
    const p = plan([image('ami-a')]);
    expect(decision(p)).toMatchObject({ action: 'deprecate', rule: 'deprecate' });
    expect(decision(p).reason).toMatch(
      /^deprecate: unused since .*19 days > 7 days retention; disabled on 2026-11-30 unless used$/,
    );
    expect(move(p)).toMatchObject({
      kind: 'deprecate',
      writeTags: [TAG.autoCleanupDeprecatedAt],
      at: '2026-11-23T10:00:00Z',
      deprecate: true,
      disable: false,
    });
    expect(p.deletions).toEqual([]);
    expect(p.counts).toMatchObject({ delete: 0, deprecate: 1, stageDeprecate: 1 });
  });

  it('keeps a deprecated AMI through its grace, then disables it, then deregisters it after the second grace', () => {
    const waiting = plan([deprecated(3)]);
    expect(decision(waiting)).toMatchObject({ action: 'keep', keptFor: 'staged', rule: 'stage-grace' });
    expect(decision(waiting).reason).toMatch(/disabled on 2026-11-27T\d\d:\d\d:00Z unless used/);
    expect(waiting.stageMoves).toEqual([]);

    const due = plan([deprecated(8)]);
    expect(decision(due)).toMatchObject({ action: 'disable', rule: 'disable' });
    expect(move(due)).toMatchObject({
      writeTags: [TAG.autoCleanupDisabledAt],
      deprecate: false,
      disable: true,
    });

    const stillDisabled = plan([disabled(10, 3)]);
    expect(decision(stillDisabled)).toMatchObject({ action: 'keep', keptFor: 'staged' });
    expect(decision(stillDisabled).reason).toMatch(/deregistered on .* unless used/);

    const gone = plan([disabled(16, 8)]);
    expect(decision(gone)).toMatchObject({ action: 'delete', rule: 'eligible' });
    expect(decision(gone).reason).toMatch(/^disabled since .*, its grace passed; unused since/);
    expect(gone.deletions.map((d) => d.image.id)).toEqual(['ami-a']);
  });

  it('without a deprecated stage, deprecates and disables in one move', () => {
    const p = plan([image('ami-a')], { disableGraceDays: 7 });
    expect(decision(p)).toMatchObject({ action: 'disable' });
    expect(move(p)).toMatchObject({
      writeTags: [TAG.autoCleanupDeprecatedAt, TAG.autoCleanupDisabledAt],
      deprecate: true,
      disable: true,
    });
  });

  it('a disabled stage never ends before DeprecationTime + both graces, even if its own tag says so', () => {
    // Disabled 8 days ago by the tag, but deprecated only 9 days ago by EC2: 9 < 7 + 7.
    const p = plan([disabled(9, 8)]);
    expect(decision(p)).toMatchObject({ action: 'keep', keptFor: 'staged' });
  });

  it('gives back a disabled AMI found in use: re-enabled, deprecation cancelled, tags removed', () => {
    const p = plan([disabled(16, 8)], STAGED, inUse());
    expect(decision(p)).toMatchObject({ action: 'keep', keptFor: 'inUse', rule: 'in-use' });
    expect(decision(p).reason).toMatch(
      /re-enabled, its deprecation cancelled, stage tags removed, and its clock starts again/,
    );
    expect(move(p)).toMatchObject({
      kind: 'restore',
      enable: true,
      cancelDeprecation: true,
      removeTags: [TAG.autoCleanupDeprecatedAt, TAG.autoCleanupDisabledAt],
    });
  });

  it('gives back a deprecated AMI with a future keep-until, or no longer opted in', () => {
    const kept = plan([deprecated(3, {}, { [TAG.autoCleanupKeepUntil]: '2026-12-31' })]);
    expect(decision(kept)).toMatchObject({ keptFor: 'keepUntil' });
    expect(move(kept)).toMatchObject({ kind: 'restore', enable: false, cancelDeprecation: true });
    const optedOut = plan([deprecated(3, {}, { AutoCleanup: 'false' })]);
    expect(move(optedOut)).toMatchObject({ kind: 'restore', removeTags: [TAG.autoCleanupDeprecatedAt] });
  });

  it('only pauses a staged AMI when the tagger is stale: nothing says it is wanted', () => {
    const p = plan([disabled(16, 8, { LastUsedRuntime: hoursAgo(5) })]);
    expect(decision(p)).toMatchObject({ action: 'keep', keptFor: 'taggerStale' });
    expect(p.stageMoves).toEqual([]);
  });

  it('counts stage moves under the cap like deletions', () => {
    const p = plan([image('ami-a'), image('ami-b')], { ...STAGED, maxDeletionsPerRun: 1 });
    expect(p.decisions.map((d) => d.action)).toEqual(['deprecate', 'defer']);
  });

  it("neither counts nor cancels a person's own deprecation", () => {
    const theirs = image('ami-a', { deprecatedAt: daysAgo(30) });
    const p = plan([theirs]);
    // Their deprecation is no stage: cleanup's deprecated stage starts now, leaving theirs in effect.
    expect(move(p)).toMatchObject({
      kind: 'deprecate',
      deprecate: false,
      writeTags: [TAG.autoCleanupDeprecatedAt],
    });
    const staged = image(
      'ami-a',
      { deprecatedAt: daysAgo(30) },
      { [TAG.autoCleanupDeprecatedAt]: iso(daysAgo(1)) },
    );
    expect(readStage(staged, NOW)).toMatchObject({ kind: 'deprecated', facts: { deprecationIsOurs: false } });
    expect(move(plan([staged], STAGED, inUse()))).toMatchObject({
      kind: 'restore',
      cancelDeprecation: false,
    });
  });

  it('never touches an AMI a person disabled', () => {
    const p = plan([image('ami-a', { state: 'disabled' })]);
    expect(decision(p)).toMatchObject({ action: 'keep', rule: 'not-available' });
    expect(decision(p).reason).toMatch(/not by cleanup/);
    expect(p.stageMoves).toEqual([]);
  });
});

describe('forged and malformed stage tags', () => {
  it('AutoCleanupDisabledAt=2020-01-01 on an available AMI is reported, kept and reset: no grace is skipped', () => {
    const p = plan([image('ami-a', {}, { [TAG.autoCleanupDisabledAt]: '2020-01-01T00:00:00Z' })]);
    expect(decision(p)).toMatchObject({ action: 'keep', keptFor: 'tagProblem', rule: 'stage-tags' });
    expect(p.problems).toEqual([
      expect.objectContaining({
        resourceId: 'ami-a',
        tag: TAG.autoCleanupDisabledAt,
        value: '2020-01-01T00:00:00Z',
      }),
    ]);
    expect(move(p)).toMatchObject({ kind: 'reset', removeTags: [TAG.autoCleanupDisabledAt] });
    expect(p.deletions).toEqual([]);
  });

  it('a forged disabled stage on a deprecated AMI: EC2 says available, the deprecated stage goes on', () => {
    const p = plan([deprecated(3, {}, { [TAG.autoCleanupDisabledAt]: '2020-01-01T00:00:00Z' })]);
    expect(decision(p)).toMatchObject({ keptFor: 'tagProblem' });
    expect(decision(p).reason).toMatch(/EC2 says its state is available/);
    expect(move(p)).toMatchObject({ kind: 'reset', removeTags: [TAG.autoCleanupDisabledAt] });
  });

  it('AutoCleanupDeprecatedAt without an EC2 DeprecationTime, or earlier than it, is reported and reset', () => {
    const none = plan([image('ami-a', {}, { [TAG.autoCleanupDeprecatedAt]: '2020-01-01T00:00:00Z' })]);
    expect(decision(none).reason).toMatch(/EC2 shows no DeprecationTime/);
    expect(move(none)).toMatchObject({ kind: 'reset', removeTags: [TAG.autoCleanupDeprecatedAt] });
    const early = plan([
      image('ami-a', { deprecatedAt: daysAgo(1) }, { [TAG.autoCleanupDeprecatedAt]: '2020-01-01T00:00:00Z' }),
    ]);
    expect(decision(early)).toMatchObject({ keptFor: 'tagProblem', rule: 'stage-tags' });
    expect(p(early)).toBeUndefined();
  });

  it('a disabled stage dated before its deprecation is reported and reset', () => {
    const p = plan([disabled(3, 20)]);
    expect(decision(p)).toMatchObject({ keptFor: 'tagProblem' });
    expect(move(p)).toMatchObject({ kind: 'reset', removeTags: [TAG.autoCleanupDisabledAt] });
  });

  it.each(['soon', '', '2026-13-01T00:00:00Z', '1700000000'])(
    'an unreadable stage tag (%j) skips the AMI and is reported, nothing done to it',
    (value) => {
      const p = plan([disabled(16, 8, { [TAG.autoCleanupDisabledAt]: value })], STAGED, inUse());
      expect(decision(p)).toMatchObject({ action: 'skip', rule: 'stage-tags' });
      expect(p.problems.map((x) => x.tag)).toEqual([TAG.autoCleanupDisabledAt]);
      expect(p.stageMoves).toEqual([]);
    },
  );
});

describe('settings and timeline', () => {
  it('grace periods are whole days from 0 to 365', () => {
    const check = (s: Partial<CleanupSettings>) => () =>
      validateCleanupSettings({ ...DEFAULT_CLEANUP_SETTINGS, ...s });
    expect(check({ deprecateGraceDays: 0, disableGraceDays: 365 })).not.toThrow();
    expect(check({ deprecateGraceDays: 1.5 })).toThrow(
      'deprecateGraceDays is 1.5; expected a whole number of days from 0 to 365',
    );
    expect(check({ disableGraceDays: -1 })).toThrow('disableGraceDays is -1');
    expect(check({ disableGraceDays: 366 })).toThrow('disableGraceDays is 366');
  });

  it('projects deprecated on, disabled on, deleted on', () => {
    const g = gracesOf({ ...DEFAULT_CLEANUP_SETTINGS, ...STAGED });
    const t = projectTimeline(readStage(deprecated(3), NOW), g, undefined);
    expect(t.deprecatedOn?.toISOString().slice(0, 10)).toBe('2026-11-20');
    expect(t.disabledOn?.toISOString().slice(0, 10)).toBe('2026-11-27');
    expect(t.deletedOn?.toISOString().slice(0, 10)).toBe('2026-12-04');
    expect(projectTimeline({ kind: 'none' }, g, undefined)).toEqual({});
    expect(projectTimeline({ kind: 'none' }, gracesOf(DEFAULT_CLEANUP_SETTINGS), NOW)).toEqual({
      deletedOn: NOW,
    });
  });
});

function p(plan: CleanupPlan) {
  return plan.stageMoves.find((m) => m.kind !== 'reset');
}
