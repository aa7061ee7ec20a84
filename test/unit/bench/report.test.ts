import { describe, expect, it } from '@jest/globals';

import { recoveryLowerBound } from '../../../bench/bounds';
import type { RecoveryOutcome } from '../../../bench/recovery';
import {
  checkTargets,
  floorCheck,
  notInBoundNote,
  recoveryCheck,
  selfHealCheck,
  unboundedActions,
} from '../../../bench/report';
import type { SelfHealOutcome } from '../../../bench/self-heal';
import type { JobRow } from '../../../bench/scenarios';

function jobRow(size: string, total: number, boundTotal: number, failures = 0): JobRow {
  return {
    job: 'recovery',
    size,
    requests: {},
    total,
    bound: recoveryLowerBound({
      taggedInstances: 10,
      instanceTypes: 1,
      prefixedAlarms: 0,
      alarmsToWrite: 0,
      alarmsToDelete: 0,
    }),
    boundTotal,
    ratio: Math.round((total / boundTotal) * 100) / 100,
    throttled: 0,
    failures,
    simulatedMs: 0,
    realMs: 0,
    peakRssMb: 0,
    peakHeapMb: 0,
    notes: [],
  };
}

/** What the bench's three recovery runs over 10 instances look like when all goes to plan. */
function outcome(overrides: Partial<RecoveryOutcome> = {}): RecoveryOutcome {
  return {
    rows: [jobRow('10 first run', 25, 25), jobRow('10 steady', 25, 25), jobRow('10 1 terminated', 26, 26)],
    instances: 10,
    terminated: 1,
    alarmsAfter: [20, 20, 18],
    written: [20, 0, 0],
    deleted: [0, 0, 2],
    ...overrides,
  };
}

describe('recoveryCheck', () => {
  it('passes runs at their lower bound that created, kept and deleted the right alarms', () => {
    const check = recoveryCheck(outcome());
    expect(check.target).toBe('recovery 10 requests <= 1.1 x lower bound');
    expect(check.pass).toBe(true);
    expect(check.detail).toContain('76 / 76 over 3 runs');
  });

  it('fails when any one run is more than 1.1x its bound, even if the total is not', () => {
    const rows = outcome().rows;
    rows[2] = jobRow('10 1 terminated', 30, 26);
    const check = recoveryCheck(outcome({ rows }));
    expect(check.pass).toBe(false);
    expect(check.detail).toContain('worst run 1.15');
  });

  it('fails a steady run that writes, or a run that leaves the wrong alarms, and says what was expected', () => {
    const writes = recoveryCheck(outcome({ written: [20, 20, 0] }));
    expect(writes.pass).toBe(false);
    expect(writes.detail).toContain('written 20/20/0 (expected 20/0/0)');
    const leftOver = recoveryCheck(outcome({ alarmsAfter: [20, 20, 20], deleted: [0, 0, 0] }));
    expect(leftOver.pass).toBe(false);
    expect(leftOver.detail).toContain('alarms after 20/20/20 (expected 20/20/18)');
  });

  it('fails when a run reported failures', () => {
    const rows = outcome().rows;
    rows[0] = jobRow('10 first run', 25, 25, 2);
    expect(recoveryCheck(outcome({ rows })).pass).toBe(false);
  });
});

/** What the bench's two self-heal runs over 10 groups look like when all goes to plan. */
function healed(overrides: Partial<SelfHealOutcome> = {}): SelfHealOutcome {
  return {
    rows: [jobRow('10 first run', 49, 49), jobRow('10 steady', 19, 19)],
    groups: 10,
    hooksWritten: [10, 0],
    associated: [10, 0],
    attached: [10, 0],
    healedAfter: [10, 10],
    ...overrides,
  };
}

describe('selfHealCheck', () => {
  it('passes runs at their lower bound that healed every group once and then wrote nothing', () => {
    const check = selfHealCheck(healed());
    expect(check.target).toBe('self-heal 10 requests <= 1.1 x lower bound');
    expect(check.pass).toBe(true);
    expect(check.detail).toContain('68 / 68 over 2 runs (worst run 1.00)');
  });

  it('fails when one run is more than 1.1x its bound', () => {
    const rows = healed().rows;
    rows[1] = jobRow('10 steady', 22, 19);
    const check = selfHealCheck(healed({ rows }));
    expect(check.pass).toBe(false);
    expect(check.detail).toContain('worst run 1.16');
  });

  it('fails a steady run that writes, or a first run that left a group unhealed, and says what was expected', () => {
    const writes = selfHealCheck(healed({ hooksWritten: [10, 10] }));
    expect(writes.pass).toBe(false);
    expect(writes.detail).toContain('hooks written 10/10');
    expect(writes.detail).toContain('(each expected 10/0)');
    const missed = selfHealCheck(healed({ attached: [9, 0], healedAfter: [9, 9] }));
    expect(missed.pass).toBe(false);
    expect(missed.detail).toContain('groups healed after 9/9 (expected 10/10)');
  });

  it('fails when a run reported failures', () => {
    const rows = healed().rows;
    rows[0] = jobRow('10 first run', 49, 49, 1);
    expect(selfHealCheck(healed({ rows })).pass).toBe(false);
  });
});

describe('floorCheck: every job at every size within 1.1x its lower bound, every call in the bound (issue 17)', () => {
  function row(
    job: string,
    requests: Record<string, number>,
    bound: Record<string, number>,
    failures = 0,
  ): JobRow {
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    const boundTotal = Object.values(bound).reduce((a, b) => a + b, 0);
    return { ...jobRow('2k', total, boundTotal, failures), job, requests, bound };
  }

  it('passes a job at its floor and fails one above 1.1x, saying the figures', () => {
    const at = floorCheck(
      row(
        'cleanup',
        { 'ec2:DescribeImages': 10, 'ec2:DeregisterImage': 100 },
        { 'ec2:DescribeImages': 10, 'ec2:DeregisterImage': 100 },
      ),
    );
    expect(at).toMatchObject({ target: 'cleanup 2k requests <= 1.1 x lower bound', pass: true });
    const above = floorCheck(
      row(
        'cleanup',
        { 'ec2:DescribeImageAttribute': 114, 'ec2:DeregisterImage': 100 },
        { 'ec2:DescribeImageAttribute': 100, 'ec2:DeregisterImage': 100 },
      ),
    );
    expect(above.pass).toBe(true);
    const far = floorCheck(
      row(
        'cleanup',
        { 'ec2:DescribeImageAttribute': 150, 'ec2:DeregisterImage': 100 },
        { 'ec2:DescribeImageAttribute': 100, 'ec2:DeregisterImage': 100 },
      ),
    );
    expect(far.pass).toBe(false);
    expect(far.detail).toContain('250 / 200 = 1.25');
  });

  it('fails a job that made a call its bound does not name, even within the ratio, and names the call', () => {
    const r = row(
      'scale-restore',
      { 'ec2:StartInstances': 30, 'ec2:DescribeInstanceStatus': 1 },
      { 'ec2:StartInstances': 30 },
    );
    expect(unboundedActions(r)).toEqual(['ec2:DescribeInstanceStatus']);
    const check = floorCheck(r);
    expect(r.ratio).toBeLessThanOrEqual(1.1);
    expect(check.pass).toBe(false);
    expect(check.detail).toContain('made but not in the bound: ec2:DescribeInstanceStatus x1');
  });

  it('notes each call outside the bound with its count (the note cleanup-drain.ts prints too), nothing when none is', () => {
    expect(notInBoundNote(row('cleanup', { 'ec2:DeregisterImage': 3 }, { 'ec2:DeregisterImage': 3 }))).toBe(
      '',
    );
    const outside = row(
      'cleanup',
      {
        'ec2:DeregisterImage': 3,
        'ec2:DescribeImageReferences': 2,
        'ec2:CopyImage': 1,
        'ec2:DeleteSnapshot': 0,
      },
      { 'ec2:DeregisterImage': 3 },
    );
    expect(notInBoundNote(outside)).toBe(
      '; made but not in the bound: ec2:CopyImage x1, ec2:DescribeImageReferences x2',
    );
  });

  it('fails a job that reported failures', () => {
    expect(floorCheck(row('tagger', { 'ec2:CreateTags': 2 }, { 'ec2:CreateTags': 2 }, 1)).pass).toBe(false);
  });

  it('checkTargets gives one per job row, not for the naive tagger (the comparison)', () => {
    const jobs = [
      row('tagger', { 'ec2:CreateTags': 2 }, { 'ec2:CreateTags': 2 }),
      row('naive-tagger', { 'ec2:CreateTags': 2000 }, { 'ec2:CreateTags': 2 }),
      row('scale-to-zero', { 'ec2:StopInstances': 40 }, { 'ec2:StopInstances': 30 }),
    ];
    const checks = checkTargets({
      mode: 'quick',
      startedAt: '',
      model: { latencyMs: 0, buckets: '' },
      jobs,
      cleanup: [],
      scale: [],
      retry: [],
    });
    const floors = checks.filter((c) => c.target.endsWith('requests <= 1.1 x lower bound'));
    expect(floors.map((c) => [c.target, c.pass])).toEqual([
      ['tagger 2k requests <= 1.1 x lower bound', true],
      ['scale-to-zero 2k requests <= 1.1 x lower bound', false],
    ]);
  });
});
