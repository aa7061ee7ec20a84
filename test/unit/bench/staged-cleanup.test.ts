import { describe, expect, it } from '@jest/globals';

import { cleanupLowerBound, stagedCleanupLowerBound, total } from '../../../bench/bounds';
import type { JobRow } from '../../../bench/scenarios';
import { stagedCheck, type StagedOutcome } from '../../../bench/staged-cleanup';

/** A run over 2,200 owned AMIs (a tenth kept, half of those in use by stopped instances). */
const reads = {
  ownedImages: 2_200,
  liveInstances: 100,
  templateVersions: 0,
  launchConfigurations: 0,
  groups: 0,
  foreignInUse: 0,
  snapshotsMarked: 0,
  readsLaunchPermissions: true,
};

describe('stagedCleanupLowerBound', () => {
  it('a deprecating run: one EnableImageDeprecation and one launch-permission read per AMI, the stage tag 1000 AMIs a call', () => {
    const bound = stagedCleanupLowerBound({
      ...reads,
      snapshotsLookedUp: 2_500, // the 1,250 AMIs' snapshots, by id
      deregistered: 0,
      snapshotsDeleted: 0,
      deprecated: 1_250,
      disabled: 0,
    });
    expect(bound['ec2:EnableImageDeprecation']).toBe(1_250);
    expect(bound['ec2:CreateTags']).toBe(2); // 1000 + 250, the same tag and value on each
    expect(bound['ec2:DescribeImageAttribute']).toBe(1_250);
    expect(bound['ec2:DescribeSnapshots']).toBe(1 + 13); // the marked page, 2,500 ids at 200 a call
    expect(bound['ec2:DeregisterImage']).toBe(0);
    expect(bound).not.toHaveProperty('ec2:DisableImage');
    expect(bound).not.toHaveProperty('ec2:DeleteTags');
  });

  it('a disabling run names DisableImage; a run moving nothing is exactly a cleanup run', () => {
    const quiet = { ...reads, snapshotsLookedUp: 0, deregistered: 0, snapshotsDeleted: 0 };
    const disabling = stagedCleanupLowerBound({ ...quiet, deprecated: 0, disabled: 500 });
    expect(disabling['ec2:DisableImage']).toBe(500);
    expect(disabling['ec2:CreateTags']).toBe(1);
    expect(disabling).not.toHaveProperty('ec2:EnableImageDeprecation');
    expect(stagedCleanupLowerBound({ ...quiet, deprecated: 0, disabled: 0 })).toEqual(
      cleanupLowerBound(quiet),
    );
  });

  it('a deregistering run at the end of the stages costs what a one-step deletion does', () => {
    const deleting = {
      ...reads,
      snapshotsLookedUp: 500,
      deregistered: 250,
      snapshotsDeleted: 500,
    };
    const staged = stagedCleanupLowerBound({ ...deleting, deprecated: 0, disabled: 0 });
    expect(staged).toEqual(cleanupLowerBound(deleting));
    expect(staged['ec2:CreateTags']).toBe(250); // the snapshots' marks, one AMI id a call
    expect(total(staged)).toBe(total(cleanupLowerBound(deleting)));
  });

  it('leaves the launch-permission reads out when the runs made none', () => {
    const bound = stagedCleanupLowerBound({
      ...reads,
      readsLaunchPermissions: false,
      snapshotsLookedUp: 0,
      deregistered: 0,
      snapshotsDeleted: 0,
      deprecated: 10,
      disabled: 0,
    });
    expect(bound).not.toHaveProperty('ec2:DescribeImageAttribute');
  });
});

describe('stagedCheck', () => {
  const outcome = (over: Partial<StagedOutcome>): StagedOutcome => ({
    row: { size: '2k AMIs', failures: 0 } as JobRow,
    runs: [
      { phase: 'deprecate', durationMs: 1, moved: 2_000, incomplete: false, failures: 0 },
      { phase: 'disable', durationMs: 1, moved: 2_000, incomplete: false, failures: 0 },
      { phase: 'delete', durationMs: 1, moved: 2_000, incomplete: false, failures: 0 },
    ],
    left: 0,
    wronglyTouched: 0,
    ...over,
  });

  it('passes when every AMI went through the stages and nothing else was touched', () => {
    const c = stagedCheck(outcome({}));
    expect(c.pass).toBe(true);
    expect(c.detail).toContain('deprecate: 2000 in 1 runs, disable: 2000 in 1 runs, delete: 2000 in 1 runs');
  });

  it('fails on an AMI left, a kept AMI touched, or a failure', () => {
    expect(stagedCheck(outcome({ left: 1 })).pass).toBe(false);
    expect(stagedCheck(outcome({ wronglyTouched: 1 })).detail).toContain('1 kept AMIs touched');
    expect(stagedCheck(outcome({ row: { size: '2k', failures: 3 } as JobRow })).pass).toBe(false);
  });
});
