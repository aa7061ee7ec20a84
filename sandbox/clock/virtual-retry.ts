/**
 * An SDK retry strategy for tests and the bench on a virtual clock: the same attempts and the
 * standard backoff (100 ms, 500 ms for throttling, doubling, at most 20 s; no jitter, so a run is
 * repeatable), but the backoff moves the clock instead of sleeping. Only for clients a test or the
 * bench builds; the product keeps its own.
 */
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

import type { VirtualClock } from './virtual-clock';

const MAX_BACKOFF_MS = 20_000;

export function virtualBackoffRetry(clock: VirtualClock, maxAttempts: number): RetryStrategyV2 {
  const token = (count: number): StandardRetryToken =>
    ({
      getRetryCount: () => count,
      getRetryDelay: () => 0,
      getRetryTokenCount: () => 0,
    }) as unknown as StandardRetryToken;
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info: RetryErrorInfo) => {
      const count = previous.getRetryCount();
      if (info.errorType === 'CLIENT_ERROR' || count + 1 >= maxAttempts) {
        throw new Error(`no retry: ${info.errorType}, attempt ${count + 1} of ${maxAttempts}`);
      }
      const base = info.errorType === 'THROTTLING' ? 500 : 100;
      clock.advance(Math.min(MAX_BACKOFF_MS, base * 2 ** count));
      return token(count + 1);
    },
    recordSuccess: () => undefined,
  };
}
