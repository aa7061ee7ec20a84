/**
 * POSTs JSON to a chat webhook, politely: at most one message per `minIntervalMs` per webhook (Slack
 * allows about one a second), 429 answered by waiting Retry-After, 5xx and network errors retried with
 * backoff, other 4xx not retried (the webhook is wrong, retrying will not fix it). Gives up with a
 * recorded failure rather than throwing, so one bad destination does not stop the others.
 */
import { redactWebhookUrl } from './redact';
import type { DeliveryResult, DestinationName } from './types';

export interface WebhookPosterOptions {
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds clock (Date.now in production). */
  now: () => number;
  minIntervalMs: number;
  maxAttempts: number;
  /** A Retry-After longer than this is not waited for: the failure is recorded instead. */
  maxRetryAfterMs: number;
  baseBackoffMs: number;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export const DEFAULT_WEBHOOK_OPTIONS: Omit<WebhookPosterOptions, 'sleep' | 'now'> = {
  minIntervalMs: 1_000,
  maxAttempts: 4,
  maxRetryAfterMs: 30_000,
  baseBackoffMs: 500,
  timeoutMs: 10_000,
};

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export class WebhookPoster {
  /** Per-webhook earliest time of the next message; lives as long as the Lambda instance. */
  private readonly nextAllowedAt = new Map<string, number>();

  constructor(private readonly options: WebhookPosterOptions) {}

  /**
   * `label` names the destination in results and logs (e.g. "Slack webhook from SSM /x"); `url` is a
   * secret and appears nowhere else.
   */
  async post(
    destination: DestinationName,
    label: string,
    url: string,
    payload: unknown,
    /**
     * When the caller must be done (the `now` clock): no wait, retry or request runs past it, so the
     * invocation records the failure and gives its claim back instead of being killed mid-request.
     */
    deadline?: number,
  ): Promise<DeliveryResult> {
    const o = this.options;
    const doFetch = o.fetch ?? fetch;
    const body = JSON.stringify(payload);
    const timeLeft = () => (deadline === undefined ? Infinity : deadline - o.now());
    let lastStatus: number | undefined;
    let lastError = '';
    const outOfTime = (attempts: number): DeliveryResult => ({
      destination,
      ok: false,
      attempts,
      status: lastStatus,
      error: `${lastError ? `${lastError}; ` : `${label}: `}gave up: the invocation's time limit is near`,
    });
    for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
      if (!(await this.waitForTurn(url, timeLeft()))) return outOfTime(attempt - 1);
      const requestTimeout = Math.min(o.timeoutMs, timeLeft());
      if (requestTimeout <= 0) return outOfTime(attempt - 1);
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(requestTimeout),
        });
      } catch (err) {
        lastError = `${label}: request failed (${(err as Error).name}: ${redactWebhookUrl((err as Error).message, url)})`;
        if (attempt < o.maxAttempts) {
          const backoff = this.backoff(attempt);
          if (backoff >= timeLeft()) return outOfTime(attempt);
          await o.sleep(backoff);
        }
        continue;
      }
      lastStatus = response.status;
      const text = await response.text().catch(() => '');
      if (response.ok) return { destination, ok: true, attempts: attempt, status: response.status };
      // Redacted before the cut, so a cut cannot leave half a secret that no longer matches.
      const answer = redactWebhookUrl(text.slice(0, 4000), url).slice(0, 200);
      if (response.status === 429) {
        const wait = parseRetryAfter(response.headers.get('retry-after'), o.now()) ?? this.backoff(attempt);
        lastError = `${label}: rate limited (429${answer ? `: ${answer}` : ''})`;
        if (wait > o.maxRetryAfterMs) {
          lastError += `; Retry-After ${Math.round(wait / 1000)}s is longer than the notifier waits`;
          break;
        }
        // Later messages to this webhook wait too, not just this retry.
        this.nextAllowedAt.set(url, o.now() + wait);
        continue;
      }
      if (response.status >= 500) {
        lastError = `${label}: server error ${response.status}${answer ? ` (${answer})` : ''}`;
        if (attempt < o.maxAttempts) {
          const backoff = this.backoff(attempt);
          if (backoff >= timeLeft()) return outOfTime(attempt);
          await o.sleep(backoff);
        }
        continue;
      }
      return {
        destination,
        ok: false,
        attempts: attempt,
        status: response.status,
        error: `${label}: rejected with ${response.status}${answer ? ` (${answer})` : ''}; check the webhook URL stored in SSM`,
      };
    }
    return {
      destination,
      ok: false,
      attempts: o.maxAttempts,
      status: lastStatus,
      error: `${lastError} (gave up after ${o.maxAttempts} attempts)`,
    };
  }

  private backoff(attempt: number): number {
    return this.options.baseBackoffMs * 2 ** (attempt - 1);
  }

  /** Waits for this webhook's next slot; false (without waiting) when the slot is past `timeLeft`. */
  private async waitForTurn(url: string, timeLeft: number): Promise<boolean> {
    const o = this.options;
    const at = this.nextAllowedAt.get(url) ?? 0;
    const wait = at - o.now();
    if (wait >= timeLeft) return false;
    if (wait > 0) await o.sleep(wait);
    this.nextAllowedAt.set(url, Math.max(o.now(), at) + o.minIntervalMs);
    return true;
  }
}
