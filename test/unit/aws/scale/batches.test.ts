/**
 * Start/StopInstances batches paced to EC2's per-instance buckets (shared/aws/scale/batches.ts): a
 * batch is sent only once its tokens are there, so a start of day past StartInstances' burst of
 * 1000 is never refused, and a wait the budget cannot cover leaves the batch to the next run.
 */
import { describe, expect, it } from '@jest/globals';

import { applyScaleActions, INSTANCE_BUCKETS, type InstanceBucket } from '../../../../shared/aws/scale';
import { InstancePacer } from '../../../../shared/aws/scale/batches';
import { deadlineBudget } from '../../../../shared/budget';
import type { ScaleAction } from '../../../../shared/plan/scale';
import { VirtualClock } from '../../../../sandbox/clock/virtual-clock';
import { awsError, fakeClients, type Call } from '../../../helpers/scripted-ec2';

const T = new Date('2026-11-25T07:00:00Z');

function starts(n: number): ScaleAction[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'start-instance' as const,
    instanceId: `i-${String(i).padStart(5, '0')}`,
    transition: T,
  }));
}

/**
 * An EC2 that keeps StartInstances' resource bucket on the virtual clock, as the sandbox's model
 * does, and refuses a batch with RequestLimitExceeded when it has too few tokens.
 */
function bucketedEc2(clock: VirtualClock, bucket: InstanceBucket = INSTANCE_BUCKETS.StartInstances) {
  let tokens: number = bucket.burst;
  let at = clock.now();
  let refused = 0;
  const { clients, calls } = fakeClients((c: Call) => {
    if (c.action !== 'StartInstances') return {};
    tokens = Math.min(bucket.burst, tokens + ((clock.now() - at) * bucket.refillPerSecond) / 1000);
    at = clock.now();
    const n = (c.input.InstanceIds as string[]).length;
    if (n > tokens) {
      refused++;
      return awsError('RequestLimitExceeded');
    }
    tokens -= n;
    return {};
  });
  return { clients, calls, refused: () => refused };
}

describe('InstancePacer', () => {
  it('starts full, spends a token per instance and refills at the bucket rate', () => {
    const clock = new VirtualClock();
    const pacer = new InstancePacer(clock.now, { sleep: clock.sleep });
    expect(pacer.tokens('StartInstances')).toBe(1000);
    expect(pacer.waitMs('StartInstances', 100)).toBe(0);
    pacer.take('StartInstances', 1000);
    // 100 instances at 2 a second: 50 s.
    expect(pacer.waitMs('StartInstances', 100)).toBe(50_000);
    clock.advance(20_000);
    expect(pacer.tokens('StartInstances')).toBe(40);
    expect(pacer.waitMs('StartInstances', 100)).toBe(30_000);
    // Never above the burst, however long the wait.
    clock.advance(10 * 60_000);
    expect(pacer.tokens('StartInstances')).toBe(1000);
    // Stop's bucket is its own: 20 a second.
    pacer.take('StopInstances', 1000);
    expect(pacer.waitMs('StopInstances', 100)).toBe(5_000);
  });

  it('takes the buckets it is given (a raised limit, the bench model), and does not wait on an unlimited one', () => {
    const clock = new VirtualClock();
    const pacer = new InstancePacer(clock.now, {
      instanceBuckets: {
        StartInstances: { burst: 1000, refillPerSecond: 40 },
        StopInstances: { burst: Infinity, refillPerSecond: Infinity },
      },
    });
    pacer.take('StartInstances', 1000);
    expect(pacer.waitMs('StartInstances', 100)).toBe(2_500);
    pacer.take('StopInstances', 5000);
    expect(pacer.waitMs('StopInstances', 1000)).toBe(0);
  });
});

describe('applyScaleActions paced to StartInstances’ bucket', () => {
  it('starts 1300 instances in 13 batches of 100, none refused, waiting for the refill past the burst', async () => {
    const clock = new VirtualClock(T.getTime());
    const ec2 = bucketedEc2(clock);
    const budget = deadlineBudget(clock.now() + 280_000, clock.now);
    const result = await applyScaleActions(ec2.clients, starts(1300), {
      now: T,
      hasTime: () => budget.hasTimeFor(),
      remainingMs: () => budget.remainingMs(),
      sleep: clock.sleep,
    });
    const startCalls = ec2.calls.filter((c) => c.action === 'StartInstances');
    expect(startCalls).toHaveLength(13);
    expect(startCalls.every((c) => (c.input.InstanceIds as string[]).length === 100)).toBe(true);
    expect(ec2.refused()).toBe(0);
    expect(result.failures).toEqual([]);
    expect(result.incomplete).toBe(false);
    expect(result.done.filter((a) => a.kind === 'start-instance')).toHaveLength(1300);
    // 300 past the burst at 2 a second: the run waited 150 s of its budget, no more.
    expect(clock.now() - T.getTime()).toBe(150_000);
  });

  it('leaves the batches whose tokens the budget cannot wait for to the next run, as not tried', async () => {
    const clock = new VirtualClock(T.getTime());
    const ec2 = bucketedEc2(clock);
    // 120 s: the burst, then two waits of 50 s; a third would end past the budget.
    const budget = deadlineBudget(clock.now() + 120_000, clock.now);
    const result = await applyScaleActions(ec2.clients, starts(2000), {
      now: T,
      hasTime: () => budget.hasTimeFor(),
      remainingMs: () => budget.remainingMs(),
      sleep: clock.sleep,
    });
    expect(ec2.refused()).toBe(0);
    expect(result.done.filter((a) => a.kind === 'start-instance')).toHaveLength(1200);
    expect(result.notTried.filter((a) => a.kind === 'start-instance')).toHaveLength(800);
    expect(result.incomplete).toBe(true);
    expect(result.failures).toEqual([]);
    expect(clock.now() - T.getTime()).toBeLessThanOrEqual(120_000);
  });

  it('when the bucket was not full after all (someone else started instances), the refusal is still absorbed by halving', async () => {
    const clock = new VirtualClock(T.getTime());
    // EC2's bucket holds 150 tokens, the run's picture 1000: the second batch is refused.
    const ec2 = bucketedEc2(clock, { burst: 150, refillPerSecond: 2 });
    const budget = deadlineBudget(clock.now() + 280_000, clock.now);
    const result = await applyScaleActions(ec2.clients, starts(200), {
      now: T,
      hasTime: () => budget.hasTimeFor(),
      remainingMs: () => budget.remainingMs(),
      sleep: clock.sleep,
    });
    expect(ec2.refused()).toBeGreaterThan(0);
    // Halves of the refused batch: 50 fit what was left; the other 50 fail now, for the next run.
    const started = result.done.filter((a) => a.kind === 'start-instance').length;
    expect(started + result.failures.length).toBe(200);
    expect(started).toBeGreaterThanOrEqual(150);
    expect(result.failures.every((f) => f.action === 'StartInstances')).toBe(true);
  });
});
