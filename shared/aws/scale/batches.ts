/**
 * Instance batches paced to EC2's per-instance resource buckets. Besides its request bucket,
 * StartInstances spends one token per instance from a bucket of 1000 that refills 2 a second (AWS's
 * "Request throttling for the Amazon EC2 API", resource token buckets; StopInstances: 1000, 20 a
 * second). A start of day past the burst used to learn that from refusals: a batch of 100 refused,
 * retried with the SDK's backoff, then halved. Here the run keeps its own picture of the bucket and
 * waits for a batch's tokens before sending it, so every batch fits and none is refused.
 *
 * The picture starts full: the runs are 15 minutes apart, in which even StartInstances' bucket
 * refills 1800 tokens. Should it be wrong (something else started instances just before), the SDK's
 * retries still absorb the refusal, as before. An account with raised limits may pass its own.
 */
import type { Ctx, InstanceAction } from './context';
import { outOfTime } from './context';

export interface InstanceBucket {
  burst: number;
  refillPerSecond: number;
}

/** AWS's default resource buckets (bench/throttle-model.ts EC2_RESOURCE_BUCKETS has the same figures). */
export const INSTANCE_BUCKETS = {
  StartInstances: { burst: 1000, refillPerSecond: 2 },
  StopInstances: { burst: 1000, refillPerSecond: 20 },
} as const satisfies Record<string, InstanceBucket>;

export type PacedAction = keyof typeof INSTANCE_BUCKETS;

export interface PacingOptions {
  /** The per-instance buckets to pace by; absent, AWS's defaults. */
  instanceBuckets?: Partial<Record<PacedAction, InstanceBucket>>;
  /** Waits this many milliseconds (a test's virtual clock moves instead); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The run's picture of each bucket: tokens left at a moment of the run's clock (ms). */
export class InstancePacer {
  private readonly state = new Map<PacedAction, { tokens: number; at: number }>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly clock: () => number,
    private readonly options: PacingOptions = {},
  ) {
    this.sleep = options.sleep ?? realSleep;
  }

  spec(action: PacedAction): InstanceBucket {
    return this.options.instanceBuckets?.[action] ?? INSTANCE_BUCKETS[action];
  }

  tokens(action: PacedAction): number {
    const { burst, refillPerSecond } = this.spec(action);
    const s = this.state.get(action);
    if (!s || !Number.isFinite(burst)) return burst;
    return Math.min(burst, s.tokens + ((this.clock() - s.at) * refillPerSecond) / 1000);
  }

  /** Milliseconds until `n` instances' tokens are there (0: now). */
  waitMs(action: PacedAction, n: number): number {
    const missing = Math.min(n, this.spec(action).burst) - this.tokens(action);
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.spec(action).refillPerSecond);
  }

  async wait(ms: number): Promise<void> {
    if (ms > 0) await this.sleep(ms);
  }

  /** Spends `n` tokens (a call sent for n instances). */
  take(action: PacedAction, n: number): void {
    this.state.set(action, { tokens: this.tokens(action) - n, at: this.clock() });
  }
}

/**
 * Waits until the bucket holds this batch's tokens and spends them: true when the batch may be sent.
 * When the wait would outlast the run's budget, the batch is left for the next run (notTried).
 */
export async function fitBatch(ctx: Ctx, action: PacedAction, batch: InstanceAction[]): Promise<boolean> {
  const pacer = ctx.pacer;
  if (!pacer) return true;
  const ms = pacer.waitMs(action, batch.length);
  if (ms > 0 && !ctx.hasTimeAfter(ms)) {
    ctx.result.incomplete = true;
    ctx.result.notTried.push(...batch);
    return false;
  }
  await pacer.wait(ms);
  if (outOfTime(ctx, batch)) return false;
  pacer.take(action, batch.length);
  return true;
}
