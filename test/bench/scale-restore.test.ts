import { describe, expect, it } from '@jest/globals';

import { restoreLowerBound, scaleRestoreScenario } from '../../bench/scale-restore';
import { total } from '../../bench/bounds';

describe('restoreLowerBound', () => {
  it('reads once per run and starts, records and unmarks every instance once, in the batches the API allows', () => {
    const bound = restoreLowerBound(3000, 2);
    expect(bound).toEqual({
      'sts:GetCallerIdentity': 2,
      'autoscaling:DescribeAutoScalingGroups': 2,
      'ec2:DescribeInstances': 6,
      'ec2:StartInstances': 30,
      'ec2:CreateTags': 3,
      'ec2:DeleteTags': 3,
      'events:PutEvents': 2,
    });
    expect(total(bound)).toBe(48);
  });
});

describe('the start-of-day restore past StartInstances’ 1000-instance burst', () => {
  it('starts every instance the evening run stopped, over budgeted runs, without failures or lost instances', async () => {
    // Refill x100: a run's budget is 2.8 s real, in which the bucket refills 560 instances as on AWS.
    const outcome = await scaleRestoreScenario(
      { instances: 1300, speedup: 100, maxRuns: 4 },
      { latencyMs: 0 },
    );
    expect(outcome.leftStopped).toBe(0);
    expect(outcome.lostTrack).toBe(0);
    expect(outcome.staleMarkers).toBe(0);
    expect(outcome.row.failures).toBe(0);
    // Judged against the scaled budget plus Lambda's real 20 s margin (see scale-restore.ts).
    expect(outcome.timeoutMs).toBe(2_800 + 20_000);
    expect(outcome.overTimeout).toBe(0);
    expect(outcome.runs.reduce((n, r) => n + r.started, 0)).toBe(1300);
    // The burst alone covers 1000: the first run gets at least that far.
    expect(outcome.runs[0]!.started).toBeGreaterThanOrEqual(1000);
    // At AWS's rate one 300 s run starts 1000 + 280 s x 2 = 1560 at most.
    expect(outcome.idealPerRun).toBe(1560);
    // The replay at AWS's rate: 300 instances past the burst at 2 a second.
    expect(outcome.row.simulatedMs).toBeGreaterThanOrEqual(150_000);
  }, 60_000);
});
