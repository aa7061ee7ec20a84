/**
 * The cleanup plan with the region's Recycle Bin rules: every owned AMI's recoverability is reported,
 * a deletion's reason says until when it can be undone, and with requireRecycleBin the
 * `recycle-bin-required` rule keeps what no rule covers, and everything when the rules are unknown.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { Image } from '../../../../shared/domain';
import type { LaunchPermissionsRead } from '../../../../shared/launch-permissions';
import {
  DEFAULT_CLEANUP_SETTINGS,
  mergeCleanupRounds,
  planCleanup,
  type CleanupInput,
  type CleanupPlan,
} from '../../../../shared/plan/cleanup';
import type { RecycleBinRead, RecycleBinRule, RuleTag } from '../../../../shared/recycle-bin';
import { NOW, OTHER, image, snapshot, snapshotsOf, usageOf } from '../../../helpers/plan-fixtures';

const PRIVATE: LaunchPermissionsRead = { kind: 'read', permissions: [] };

function rule(id: string, over: Partial<RecycleBinRule> = {}): RecycleBinRule {
  return {
    id,
    resourceType: 'EC2_IMAGE',
    status: 'available',
    retentionDays: 14,
    resourceTags: [],
    excludeTags: [],
    lockState: 'none',
    ...over,
  };
}

const IMAGES_RULE = rule('imagesRule1');
const SNAPSHOTS_RULE = rule('snapsRule01', { resourceType: 'EBS_SNAPSHOT', retentionDays: 21 });
const BOTH: RecycleBinRead = { kind: 'read', rules: [IMAGES_RULE, SNAPSHOTS_RULE] };
const DENIED: RecycleBinRead = {
  kind: 'failed',
  message: 'ListRules EC2_IMAGE failed: AccessDeniedException: not authorized to perform: rbin:ListRules',
};

function plan(images: Image[], over: Partial<CleanupInput> & { require?: boolean } = {}): CleanupPlan {
  const { require, ...rest } = over;
  return planCleanup({
    images,
    usage: usageOf(),
    snapshots: snapshotsOf(images),
    settings: { ...DEFAULT_CLEANUP_SETTINGS, ...(require ? { requireRecycleBin: true } : {}) },
    now: NOW,
    launchPermissions: new Map(images.map((i) => [i.id, PRIVATE])),
    ...rest,
  });
}

const decision = (p: CleanupPlan, id: string) => p.decisions.find((d) => d.imageId === id)!;

describe('planCleanup with the Recycle Bin rules', () => {
  it('reports each owned AMI: covered or not, by which rule, and until when', () => {
    const covered = image('ami-a');
    const foreign = image('ami-f', { ownedBySelf: false, ownerId: OTHER });
    const p = plan([covered, foreign], { recycleBin: BOTH });
    expect(p.recycleBin).toEqual({
      kind: 'read',
      images: [
        {
          imageId: 'ami-a',
          image: expect.objectContaining({ covered: true, ruleId: 'imagesRule1', locked: false }),
          snapshots: [{ snapshotId: 'snap-a', coverage: expect.objectContaining({ ruleId: 'snapsRule01' }) }],
          recoverableUntil: new Date('2026-12-07T10:00:00Z'),
        },
      ],
    });
  });

  it("a deletion's reason says until when it is recoverable, and by which rules", () => {
    const p = plan([image('ami-a')], { recycleBin: BOTH });
    expect(decision(p, 'ami-a').action).toBe('delete');
    expect(decision(p, 'ami-a').reason).toMatch(
      /; recoverable from the Recycle Bin until 2026-12-07 by rule imagesRule1 \(image\) \/ snapsRule01 \(snapshots\)$/,
    );
  });

  it('without requireRecycleBin an uncovered AMI is still deleted, and its reason says it cannot be undone', () => {
    const p = plan([image('ami-a')], { recycleBin: { kind: 'read', rules: [SNAPSHOTS_RULE] } });
    expect(decision(p, 'ami-a')).toMatchObject({
      action: 'delete',
      reason: expect.stringMatching(
        /not recoverable once deleted: no Recycle Bin retention rule covers the AMI ami-a$/,
      ),
    });
  });

  it('without requireRecycleBin and unreadable rules, deletes and says recoverability is unknown', () => {
    const p = plan([image('ami-a')], { recycleBin: DENIED });
    expect(decision(p, 'ami-a')).toMatchObject({
      action: 'delete',
      reason: expect.stringContaining('whether it is recoverable from the Recycle Bin is unknown'),
    });
    expect(p.recycleBin).toEqual({ kind: 'failed', message: DENIED.message });
  });

  it('a plan made without the rules says nothing of them (the behaviour before this feature)', () => {
    const p = plan([image('ami-a')]);
    expect(p.recycleBin).toBeUndefined();
    expect(decision(p, 'ami-a').reason).not.toContain('Recycle Bin');
  });
});

describe('recycle-bin-required', () => {
  it('keeps an AMI no rule covers, naming it', () => {
    const p = plan([image('ami-a')], {
      require: true,
      recycleBin: { kind: 'read', rules: [SNAPSHOTS_RULE] },
    });
    expect(decision(p, 'ami-a')).toMatchObject({
      action: 'keep',
      rule: 'recycle-bin-required',
      keptFor: 'recycleBin',
      reason: expect.stringMatching(
        /^requireRecycleBin is on and no available Recycle Bin retention rule covers the AMI ami-a, so its deletion could not be undone: kept \(otherwise: unused since /,
      ),
    });
    expect(p.deletions).toEqual([]);
  });

  it('keeps an AMI whose image is covered but a snapshot is not, naming the snapshot', () => {
    const p = plan([image('ami-a')], { require: true, recycleBin: { kind: 'read', rules: [IMAGES_RULE] } });
    expect(decision(p, 'ami-a')).toMatchObject({
      action: 'keep',
      rule: 'recycle-bin-required',
      reason: expect.stringContaining('covers its snapshot snap-a,'),
    });
  });

  it('a pending rule covers nothing yet', () => {
    const pending: RecycleBinRead = {
      kind: 'read',
      rules: [{ ...IMAGES_RULE, status: 'pending' }, SNAPSHOTS_RULE],
    };
    expect(decision(plan([image('ami-a')], { require: true, recycleBin: pending }), 'ami-a').rule).toBe(
      'recycle-bin-required',
    );
  });

  it('deletes an AMI covered whole, with the date in its reason', () => {
    const p = plan([image('ami-a')], { require: true, recycleBin: BOTH });
    expect(decision(p, 'ami-a')).toMatchObject({
      action: 'delete',
      reason: expect.stringContaining('recoverable from the Recycle Bin until 2026-12-07'),
    });
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-a']);
  });

  it('rules that could not be read (or were not read) keep every AMI of the region, and name why', () => {
    const images = [image('ami-a'), image('ami-b')];
    for (const recycleBin of [DENIED, undefined]) {
      const p = plan(images, { require: true, ...(recycleBin ? { recycleBin } : {}) });
      expect(p.deletions).toEqual([]);
      for (const id of ['ami-a', 'ami-b']) {
        expect(decision(p, id)).toMatchObject({
          action: 'keep',
          rule: 'recycle-bin-required',
          reason: expect.stringContaining('no AMI is deregistered in this region this run'),
        });
      }
    }
    expect(decision(plan(images, { require: true, recycleBin: DENIED }), 'ami-a').reason).toContain(
      'AccessDeniedException',
    );
  });

  it('keeps the snapshots marked for an AMI it keeps: a kept AMI takes no place under the cap', () => {
    const uncovered = image('ami-a', {}, { Name: 'x' });
    const covered = image('ami-b', {}, { Keep: 'rb' });
    const tagRule = rule('tagLevelRul', { resourceTags: [{ key: 'Keep', value: 'rb' }] });
    const p = planCleanup({
      images: [uncovered, covered],
      usage: usageOf(),
      snapshots: snapshotsOf([uncovered, covered]),
      settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun: 1, requireRecycleBin: true },
      now: NOW,
      launchPermissions: new Map([uncovered, covered].map((i) => [i.id, PRIVATE])),
      recycleBin: { kind: 'read', rules: [tagRule, SNAPSHOTS_RULE] },
    });
    expect(p.deletions.map((d) => d.image.id)).toEqual(['ami-b']);
  });

  it('waits for unread snapshots before judging them, and asks for them', () => {
    const p = plan([image('ami-a')], {
      require: true,
      recycleBin: BOTH,
      snapshots: [],
      snapshotLookups: new Map(),
    });
    expect(decision(p, 'ami-a').rule).toBe('snapshots-unread');
    expect(p.snapshotsToRead).toEqual(['ami-a']);
    const next = plan([image('ami-a')], {
      require: true,
      recycleBin: { kind: 'read', rules: [IMAGES_RULE] },
      snapshots: [snapshot('snap-a')],
      snapshotLookups: new Map([['snap-a', { kind: 'read' }]]),
    });
    expect(decision(next, 'ami-a').rule).toBe('recycle-bin-required');
  });

  it('a snapshot this account does not own stays whatever happens, so needs no rule', () => {
    const p = plan([image('ami-a')], {
      require: true,
      recycleBin: { kind: 'read', rules: [IMAGES_RULE] },
      snapshots: [snapshot('snap-a', { ownedBySelf: false, ownerId: OTHER })],
    });
    expect(decision(p, 'ami-a').action).toBe('delete');
  });

  it('merged rounds keep the report of an AMI deregistered in an earlier round', () => {
    const first = plan([image('ami-a'), image('ami-b')], { recycleBin: BOTH });
    const second = plan([image('ami-b')], { recycleBin: BOTH });
    const merged = mergeCleanupRounds([first, second]);
    expect(merged.recycleBin?.kind === 'read' && merged.recycleBin.images.map((i) => i.imageId)).toEqual([
      'ami-a',
      'ami-b',
    ]);
  });
});

describe('recycle-bin-required, as a property', () => {
  const key = fc.constantFrom('Env', 'Team', 'env');
  const value = fc.constantFrom('prod', 'Prod', ' prod', '');
  const tags = fc.dictionary(key, value, { maxKeys: 3 });
  const ruleTag = fc
    .record({ key, value: fc.option(value, { nil: undefined }) })
    .map((t): RuleTag => (t.value === undefined ? { key: t.key } : { key: t.key, value: t.value }));
  const anyRule = fc
    .record({
      resourceType: fc.constantFrom('EC2_IMAGE' as const, 'EBS_SNAPSHOT' as const),
      status: fc.constantFrom('available', 'pending'),
      retentionDays: fc.integer({ min: 1, max: 365 }),
      resourceTags: fc.array(ruleTag, { maxLength: 2 }),
      excludeTags: fc.array(ruleTag, { maxLength: 2 }),
      lockState: fc.constantFrom('none' as const, 'locked' as const),
    })
    .map((r): Omit<RecycleBinRule, 'id'> =>
      // AWS takes exclusions on Region-level rules only.
      r.resourceTags.length > 0 ? { ...r, excludeTags: [] } : r,
    );
  const world = fc.record({
    rules: fc.array(anyRule, { maxLength: 4 }),
    images: fc.array(
      fc.record({ tags, snapshotTags: tags, owned: fc.boolean(), snapshots: fc.integer({ min: 0, max: 2 }) }),
      { minLength: 1, maxLength: 4 },
    ),
  });

  /** AWS's rule, written out again here rather than taken from the module under test. */
  function retainedByAws(rules: RecycleBinRule[], type: string, t: Record<string, string>): boolean {
    const has = (rt: RuleTag) =>
      Object.keys(t).includes(rt.key) && (rt.value === undefined || t[rt.key] === rt.value);
    return rules.some(
      (r) =>
        r.resourceType === type &&
        r.status === 'available' &&
        (r.resourceTags.length > 0 ? r.resourceTags.some(has) : !r.excludeTags.some(has)),
    );
  }

  it('never deletes an AMI, or with it a snapshot, that AWS would not retain', () => {
    let deleted = 0;
    fc.assert(
      fc.property(world, ({ rules: drawn, images: specs }) => {
        const rules = drawn.map((r, i) => ({ ...r, id: `rule${String(i).padStart(7, '0')}` }));
        const images = specs.map((s, i) =>
          image(
            `ami-${i}`,
            { snapshotIds: Array.from({ length: s.snapshots }, (_, j) => `snap-${i}-${j}`) },
            s.tags,
          ),
        );
        const snapshots = specs.flatMap((s, i) =>
          Array.from({ length: s.snapshots }, (_, j) =>
            snapshot(`snap-${i}-${j}`, {
              tags: s.snapshotTags,
              ...(s.owned ? {} : { ownedBySelf: false, ownerId: OTHER }),
            }),
          ),
        );
        const p = plan(images, { require: true, snapshots, recycleBin: { kind: 'read', rules } });
        const tagsOf = new Map(snapshots.map((s) => [s.id, s.tags]));
        deleted += p.deletions.length;
        for (const d of p.deletions) {
          expect(d.image.snapshotIds.length).toBeGreaterThan(0);
          expect(retainedByAws(rules, 'EC2_IMAGE', d.image.tags)).toBe(true);
          for (const id of d.snapshotIds)
            expect(retainedByAws(rules, 'EBS_SNAPSHOT', tagsOf.get(id)!)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
    // Not vacuous: the drawn worlds do delete.
    expect(deleted).toBeGreaterThan(20);
  });
});
