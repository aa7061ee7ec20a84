import { describe, expect, it } from '@jest/globals';

import { scaleRestoreScenario } from '../../../bench/scale-restore';
import { virtualClientsAt } from '../../../bench/virtual-clock';
import type { Sandbox } from '../../../sandbox/server';
import type { AwsClients } from '../../../shared/aws/clients';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock';

/** The product's clients (its attempts), signed as scale-to-zero, retrying on the virtual clock. */
function clientsOn(clock: VirtualClock) {
  return (sandbox: Sandbox): AwsClients => virtualClientsAt(sandbox, clock, 'scale-to-zero');
}

describe('the start-of-day restore past StartInstances’ 1000-instance burst', () => {
  // The buckets' refill, the runs' budgets and the SDK's backoff all run on one virtual clock: the
  // outcome is the job's, however busy the machine is (on real time a loaded machine's first run
  // started 0 of the 1000 the burst allows).
  it('starts every instance the evening run stopped, over budgeted runs, without failures or lost instances', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-25T07:00:00Z'));
    // Refill x100: a run's budget is 2.8 s, in which the bucket refills 560 instances as on AWS.
    const outcome = await scaleRestoreScenario(
      { instances: 1300, speedup: 100, maxRuns: 4 },
      { latencyMs: 0 },
      { clock, clientsFor: clientsOn(clock) },
    );
    expect(outcome.leftStopped).toBe(0);
    expect(outcome.lostTrack).toBe(0);
    expect(outcome.staleMarkers).toBe(0);
    expect(outcome.row.failures).toBe(0);
    // Judged against the scaled budget plus Lambda's 20 s margin (see scale-restore.ts).
    expect(outcome.timeoutMs).toBe(2_800 + 20_000);
    expect(outcome.overTimeout).toBe(0);
    expect(outcome.runs.reduce((n, r) => n + r.started, 0)).toBe(1300);
    // The burst alone covers 1000: the first run gets at least that far.
    expect(outcome.runs[0]!.started).toBeGreaterThanOrEqual(1000);
    // At AWS's rate one 300 s run starts 1000 + 280 s x 2 = 1560 at most.
    expect(outcome.idealPerRun).toBe(1560);
    // The replay at AWS's rate: 300 instances past the burst at 2 a second.
    expect(outcome.row.simulatedMs).toBeGreaterThanOrEqual(150_000);
  });

  it('past what one run can start, the first run takes the burst and ends incomplete, the next run the refill', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-25T07:00:00Z'));
    // One run at x100 starts at most 1000 + 2.8 s x 200 = 1560 of these 2000.
    const outcome = await scaleRestoreScenario(
      { instances: 2000, speedup: 100, maxRuns: 4 },
      { latencyMs: 0 },
      { clock, clientsFor: clientsOn(clock) },
    );
    expect(outcome.runs.length).toBeGreaterThanOrEqual(2);
    expect(outcome.runs[0]!.started).toBeGreaterThanOrEqual(1000);
    expect(outcome.runs[0]!.started).toBeLessThanOrEqual(1560);
    expect(outcome.runs[0]!.incomplete).toBe(true);
    expect(outcome.runs[1]!.started).toBeGreaterThan(0);
    expect(outcome.runs.reduce((n, r) => n + r.started, 0)).toBe(2000);
    expect(outcome.leftStopped).toBe(0);
    expect(outcome.lostTrack).toBe(0);
    expect(outcome.row.failures).toBe(0);
    expect(outcome.overTimeout).toBe(0);
  });
});
