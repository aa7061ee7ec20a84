/**
 * Which Recycle Bin rule would retain a resource deleted now. A claim of "recoverable" that AWS would
 * not honour is the mistake that matters: with requireRecycleBin it is what lets a deletion through.
 */
import { describe, expect, it } from '@jest/globals';

import {
  coverageOf,
  describeRecoverability,
  recoverabilityOf,
  ruleCovers,
  type RecycleBinRule,
} from '../../../shared/recycle-bin';

const NOW = new Date('2026-12-01T03:00:00Z');

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

describe('ruleCovers: tag-level rules', () => {
  const keyOnly = rule('tagKeyOnly1', { resourceTags: [{ key: 'Team' }] });
  const keyValue = rule('tagKeyValue', {
    resourceTags: [
      { key: 'Env', value: 'prod' },
      { key: 'Keep', value: 'yes' },
    ],
  });

  it('a rule tag without a value covers any value of that key, and nothing without the key', () => {
    expect(ruleCovers(keyOnly, 'EC2_IMAGE', { Team: 'web' })).toBe(true);
    expect(ruleCovers(keyOnly, 'EC2_IMAGE', { Team: '' })).toBe(true);
    expect(ruleCovers(keyOnly, 'EC2_IMAGE', { team: 'web' })).toBe(false);
    expect(ruleCovers(keyOnly, 'EC2_IMAGE', {})).toBe(false);
  });

  it('a rule tag with a value covers that exact value only (case and spaces count), any one tag of the rule suffices', () => {
    expect(ruleCovers(keyValue, 'EC2_IMAGE', { Env: 'prod' })).toBe(true);
    expect(ruleCovers(keyValue, 'EC2_IMAGE', { Env: 'dev', Keep: 'yes' })).toBe(true);
    expect(ruleCovers(keyValue, 'EC2_IMAGE', { Env: 'Prod' })).toBe(false);
    expect(ruleCovers(keyValue, 'EC2_IMAGE', { Env: 'prod ' })).toBe(false);
    expect(ruleCovers(keyValue, 'EC2_IMAGE', { Env: 'dev' })).toBe(false);
  });

  it('an inherited object key is not a tag', () => {
    expect(ruleCovers(rule('protoRule01', { resourceTags: [{ key: 'constructor' }] }), 'EC2_IMAGE', {})).toBe(
      false,
    );
  });

  it('covers only its own resource type', () => {
    expect(ruleCovers(keyOnly, 'EBS_SNAPSHOT', { Team: 'web' })).toBe(false);
  });
});

describe('ruleCovers: Region-level rules', () => {
  const region = rule('regionLevel', {
    resourceType: 'EBS_SNAPSHOT',
    excludeTags: [{ key: 'Scratch' }, { key: 'Env', value: 'dev' }],
  });

  it('covers every resource of its type, tagged or not', () => {
    expect(ruleCovers(region, 'EBS_SNAPSHOT', {})).toBe(true);
    expect(ruleCovers(region, 'EBS_SNAPSHOT', { Env: 'prod' })).toBe(true);
  });

  it('except those carrying one of its exclusion tags (key only: any value; key and value: that value)', () => {
    expect(ruleCovers(region, 'EBS_SNAPSHOT', { Scratch: 'whatever' })).toBe(false);
    expect(ruleCovers(region, 'EBS_SNAPSHOT', { Env: 'dev' })).toBe(false);
    expect(ruleCovers(region, 'EBS_SNAPSHOT', { Env: 'development' })).toBe(true);
  });
});

describe('coverageOf', () => {
  it('a pending rule retains nothing yet', () => {
    expect(coverageOf([rule('pendingRule', { status: 'pending' })], 'EC2_IMAGE', {}, NOW)).toEqual({
      covered: false,
    });
  });

  it('names the longest covering rule, its lock, and deletion time + retention', () => {
    const rules = [
      rule('shortRule01', { retentionDays: 7 }),
      rule('longLocked1', { retentionDays: 30, lockState: 'locked' }),
      rule('longOther01', { retentionDays: 30, resourceTags: [{ key: 'Other' }] }),
    ];
    expect(coverageOf(rules, 'EC2_IMAGE', {}, NOW)).toEqual({
      covered: true,
      ruleId: 'longLocked1',
      retentionDays: 30,
      lockState: 'locked',
      locked: true,
      until: new Date('2026-12-31T03:00:00Z'),
    });
  });

  it('on equal retention prefers a locked (or still unlocking) rule, then the smaller id', () => {
    const a = rule('aaaaaaaaaaa', { retentionDays: 10 });
    const b = rule('bbbbbbbbbbb', { retentionDays: 10, lockState: 'pending_unlock' });
    expect(coverageOf([a, b], 'EC2_IMAGE', {}, NOW)).toMatchObject({ ruleId: 'bbbbbbbbbbb', locked: true });
    expect(coverageOf([rule('zzzzzzzzzzz'), rule('ccccccccccc')], 'EC2_IMAGE', {}, NOW)).toMatchObject({
      ruleId: 'ccccccccccc',
      locked: false,
    });
  });

  it('an unlocked rule is reported unlocked', () => {
    expect(coverageOf([rule('unlocked001', { lockState: 'unlocked' })], 'EC2_IMAGE', {}, NOW)).toMatchObject({
      lockState: 'unlocked',
      locked: false,
    });
  });
});

describe('recoverabilityOf', () => {
  const snapshotRule = rule('snapRule001', { resourceType: 'EBS_SNAPSHOT', retentionDays: 10 });
  const imageRule = rule('imageRule01', {
    retentionDays: 14,
    resourceTags: [{ key: 'AutoCleanup', value: 'true' }],
  });
  const ami = { id: 'ami-1', tags: { AutoCleanup: 'true' }, snapshotIds: ['snap-1'] };

  it('recoverable until the earliest of the AMI and its snapshots, with the rules named', () => {
    const r = recoverabilityOf(ami, [{ id: 'snap-1', tags: {} }], [imageRule, snapshotRule], NOW);
    expect(r.recoverableUntil).toEqual(new Date('2026-12-11T03:00:00Z'));
    expect(describeRecoverability(r)).toBe(
      'recoverable from the Recycle Bin until 2026-12-11 by rule imageRule01 (image) / snapRule001 (snapshots)',
    );
  });

  it('snapshots covered but not the image: not recoverable, and says what is missing', () => {
    const r = recoverabilityOf(
      { id: 'ami-2', tags: {}, snapshotIds: ['snap-2'] },
      [{ id: 'snap-2', tags: {} }],
      [imageRule, snapshotRule],
      NOW,
    );
    expect(r.image).toEqual({ covered: false });
    expect(r.snapshots[0]!.coverage.covered).toBe(true);
    expect(r.recoverableUntil).toBeUndefined();
    expect(describeRecoverability(r)).toBe(
      'not recoverable once deleted: no Recycle Bin retention rule covers the AMI ami-2',
    );
  });

  it("an AMI's tags are not its snapshots': a tag-level snapshot rule reads the snapshot's own tags", () => {
    const bySnapshotTag = rule('snapTagRule', {
      resourceType: 'EBS_SNAPSHOT',
      resourceTags: [{ key: 'AutoCleanup' }],
    });
    const r = recoverabilityOf(
      ami,
      [
        { id: 'snap-3', tags: {} },
        { id: 'snap-4', tags: { AutoCleanup: 'x' } },
      ],
      [imageRule, bySnapshotTag],
      NOW,
    );
    expect(r.snapshots.map((s) => s.coverage.covered)).toEqual([false, true]);
    expect(describeRecoverability(r)).toBe(
      'not recoverable once deleted: no Recycle Bin retention rule covers its snapshot snap-3',
    );
  });

  it('an AMI whose snapshots this account does not own needs only its own rule, and a locked rule says so', () => {
    const locked = { ...imageRule, lockState: 'locked' as const };
    const r = recoverabilityOf(ami, [], [locked], NOW);
    expect(describeRecoverability(r)).toBe(
      'recoverable from the Recycle Bin until 2026-12-15 by rule imageRule01 (locked) (image)',
    );
  });

  it('an AMI with no EBS snapshot at all (instance-store-backed) is never covered, even by a Region-level rule', () => {
    const r = recoverabilityOf({ id: 'ami-is', tags: {}, snapshotIds: [] }, [], [rule('everything1')], NOW);
    expect(r.recoverableUntil).toBeUndefined();
    expect(describeRecoverability(r)).toBe(
      'not recoverable once deleted: no Recycle Bin retention rule covers the AMI ami-is (it has no EBS snapshot: the Recycle Bin retains EBS-backed AMIs only)',
    );
  });
});
