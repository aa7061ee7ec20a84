/**
 * Turning the sandbox's request log into the benchmark's figures: requests per action, throttling
 * errors met, and the simulated wall time under EC2's token buckets.
 */
import { TokenBuckets, type ThrottleSpec } from '../sandbox/faults';
import type { RequestEntry } from '../sandbox/requests';
import { THROTTLE_CODES } from './throttle-model';

export interface RequestFigures {
  /** Answered requests per `service:action` (throttled attempts are counted apart). */
  accepted: Record<string, number>;
  acceptedTotal: number;
  /** Requests the throttle model refused (the SDK retried them). */
  throttled: number;
  /** Other error answers (not throttling), per code. */
  errors: Record<string, number>;
}

export function requestFigures(entries: readonly RequestEntry[]): RequestFigures {
  const accepted: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let throttled = 0;
  let acceptedTotal = 0;
  for (const e of entries) {
    if (e.errorCode !== undefined && THROTTLE_CODES.has(e.errorCode)) {
      throttled++;
      continue;
    }
    if (e.errorCode !== undefined) errors[e.errorCode] = (errors[e.errorCode] ?? 0) + 1;
    const key = `${e.service}:${e.action}`;
    accepted[key] = (accepted[key] ?? 0) + 1;
    acceptedTotal++;
  }
  return { accepted, acceptedTotal, throttled, errors };
}

/**
 * Simulated wall time: the job's answered requests, in the order they reached the endpoint, replayed
 * by one ideal client that waits for its tokens instead of being refused, each request taking
 * `latencyMs`. The buckets are the sandbox's own (TokenBuckets), so the replay charges what the live
 * model charges: request buckets, the unpaginated Describe bucket when a call had neither MaxResults
 * nor a filter, and resource buckets by each request's logged instance count. Serial on purpose: the
 * jobs read a few Describe APIs side by side, so this slightly overstates their time, never
 * understates it. Deterministic, so 100k-resource runs and the naive variant can be judged against a
 * 20-minute schedule without waiting 20 minutes. A bucket that never refills (refill 0) and is empty
 * makes the time Infinity: the work could not be done.
 */
export function simulatedMs(
  entries: readonly RequestEntry[],
  specs: readonly ThrottleSpec[],
  latencyMs: number,
): number {
  const buckets = new TokenBuckets(specs);
  let t = 0;
  for (const e of entries) {
    if (e.errorCode !== undefined && THROTTLE_CODES.has(e.errorCode)) continue;
    t += buckets.waitMs(e, t);
    if (!Number.isFinite(t)) return t;
    buckets.admit(e, t);
    t += latencyMs;
  }
  return t;
}

export interface MemorySample {
  peakRss: number;
  peakHeapUsed: number;
}

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
