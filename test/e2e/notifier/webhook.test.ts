import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { WebhookPoster, parseRetryAfter } from '../../../shared/notify';
import { ANSWERS, startWebhookReceiver, type WebhookReceiver } from '../../helpers/notifier-servers';

/** A virtual clock: sleeping advances it at once, and every sleep is recorded. */
function virtualTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function poster(
  t: ReturnType<typeof virtualTime>,
  overrides: Partial<ConstructorParameters<typeof WebhookPoster>[0]> = {},
) {
  return new WebhookPoster({
    minIntervalMs: 1000,
    maxAttempts: 4,
    maxRetryAfterMs: 30_000,
    baseBackoffMs: 500,
    timeoutMs: 5_000,
    sleep: t.sleep,
    now: t.now,
    ...overrides,
  });
}

describe('WebhookPoster over real HTTP', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.received.splice(0);
  });

  it('posts the payload as JSON', async () => {
    const t = virtualTime();
    const r = await poster(t).post('slack', 'Slack webhook', `${receiver.url}/ok`, { text: 'hi' });
    expect(r).toEqual({ destination: 'slack', ok: true, attempts: 1, status: 200 });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({
      path: '/ok',
      body: { text: 'hi' },
      contentType: 'application/json',
    });
  });

  it('waits Retry-After on 429, then sends once more', async () => {
    const t = virtualTime();
    receiver.script('/limited', { status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' });
    const r = await poster(t).post('slack', 'Slack webhook', `${receiver.url}/limited`, { text: 'x' });
    expect(r).toMatchObject({ ok: true, attempts: 2, status: 200 });
    expect(t.sleeps).toContain(7000);
    expect(receiver.received.filter((p) => p.path === '/limited')).toHaveLength(2);
  });

  it('does not wait for a Retry-After longer than it may; records the failure instead', async () => {
    const t = virtualTime();
    receiver.script('/long', { status: 429, headers: { 'retry-after': '3600' } });
    const r = await poster(t).post('slack', 'Slack webhook', `${receiver.url}/long`, { text: 'x' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/rate limited \(429\).*Retry-After 3600s is longer than the notifier waits/);
    expect(receiver.received).toHaveLength(1);
  });

  it('retries 5xx with backoff and gives up after maxAttempts with the last answer', async () => {
    const t = virtualTime();
    const down = { status: 500, body: 'internal_error' };
    receiver.script('/down', down, down, down, down);
    const r = await poster(t).post('teams', 'Teams webhook', `${receiver.url}/down`, {});
    expect(r).toMatchObject({ ok: false, attempts: 4, status: 500 });
    expect(r.error).toBe('Teams webhook: server error 500 (internal_error) (gave up after 4 attempts)');
    // Backoff doubles between attempts (500, 1000, 2000), the per-webhook interval tops the first one up
    // to a second, and there is no pointless wait after the last attempt.
    expect(t.sleeps).toEqual([500, 500, 1000, 2000]);
  });

  it('recovers when a 5xx clears up', async () => {
    const t = virtualTime();
    receiver.script('/flaky', { status: 503 });
    const r = await poster(t).post('slack', 'Slack webhook', `${receiver.url}/flaky`, {});
    expect(r).toMatchObject({ ok: true, attempts: 2 });
  });

  it('does not retry a 4xx (the webhook is wrong) and says what to check', async () => {
    const t = virtualTime();
    receiver.script('/gone', { status: 404, body: 'no_service' });
    const r = await poster(t).post('slack', 'Slack webhook from SSM /x', `${receiver.url}/gone`, {});
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 404 });
    expect(r.error).toBe(
      'Slack webhook from SSM /x: rejected with 404 (no_service); check the webhook URL stored in SSM',
    );
  });

  it('sends at most one message per second per webhook, but does not slow down other webhooks', async () => {
    const t = virtualTime();
    const p = poster(t);
    await p.post('slack', 'a', `${receiver.url}/a`, { n: 1 });
    await p.post('slack', 'b', `${receiver.url}/b`, { n: 1 });
    expect(t.sleeps).toEqual([]);
    await p.post('slack', 'a', `${receiver.url}/a`, { n: 2 });
    expect(t.sleeps).toEqual([1000]);
  });

  it('a 4xx answer quoting the webhook URL in any form never puts the secret into the error', async () => {
    const t = virtualTime();
    const path = '/services/T0RED/B0RED/s3cr3t%2Btoken0001?sig=AbC%2FdEf0123456789';
    const url = `${receiver.url}${path}`;
    const quoted = [
      url,
      encodeURIComponent(url),
      decodeURIComponent(url),
      url.replace(/\//g, '\\/'),
      's3cr3t%2btoken0001',
      's3cr3t+token0001',
      'AbC/dEf0123456789',
    ].join(' | ');
    receiver.script(path, { status: 400, body: quoted });
    const r = await poster(t).post('slack', 'Slack webhook from SSM /x', url, {});
    expect(r.ok).toBe(false);
    expect(r.error).toContain('rejected with 400 (<webhook URL>');
    expect(r.error).not.toMatch(/s3cr3t|token0001|dEf0123456789|T0RED\/B0RED/i);
  });

  it('a webhook that never answers is given up on after the timeout, retried, and recorded', async () => {
    const t = virtualTime();
    receiver.script('/hang', ANSWERS.hang(), ANSWERS.hang());
    const r = await poster(t, { timeoutMs: 150, maxAttempts: 2 }).post(
      'teams',
      'Teams webhook',
      `${receiver.url}/hang`,
      { text: 'hi' },
    );
    expect(r).toMatchObject({ destination: 'teams', ok: false, attempts: 2 });
    expect(r.error).toBe(
      'Teams webhook: request failed (TimeoutError: The operation was aborted due to timeout) (gave up after 2 attempts)',
    );
    expect(receiver.received).toHaveLength(2);
  });

  it("stops before the invocation's deadline instead of waiting out a long Retry-After", async () => {
    const t = virtualTime();
    receiver.script('/busy', ANSWERS.rateLimited(20), ANSWERS.rateLimited(20));
    const r = await poster(t).post('slack', 'Slack webhook', `${receiver.url}/busy`, {}, t.now() + 15_000);
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 429 });
    expect(r.error).toBe(
      "Slack webhook: rate limited (429: rate_limited); gave up: the invocation's time limit is near",
    );
    // It waited for nothing it could not finish: no 20 s sleep.
    expect(t.sleeps.filter((ms) => ms >= 20_000)).toEqual([]);
  });

  it('never puts the webhook URL (a secret) into an error', async () => {
    const t = virtualTime();
    const secretUrl = 'http://127.0.0.1:1/services/T000/B000/SECRET';
    const r = await poster(t, { maxAttempts: 2 }).post('slack', 'Slack webhook', secretUrl, {});
    expect(r.ok).toBe(false);
    expect(r.error).not.toContain('SECRET');
    expect(r.error).toMatch(/^Slack webhook: request failed/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1000)).toBe(4000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});
