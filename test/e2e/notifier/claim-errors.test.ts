/**
 * The incident table failing after the claim: the message outcome decides what Lambda sees, and the
 * table's error is logged with its name and message, never thrown over the delivery's own result.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DEFAULT_WEBHOOK_OPTIONS,
  DeliveryFailedError,
  notifyEvent,
  parseNotifierSettings,
  WebhookPoster,
  type IncidentStore,
  type NotifierDeps,
} from '../../../shared/notify';
import { fixture } from '../../helpers/notifier-fixtures';
import { ANSWERS, startWebhookReceiver, type WebhookReceiver } from '../../helpers/notifier-servers';

const SLACK = '/services/T1/B1/claims';
let receiver: WebhookReceiver;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.splice(0);
  logs.splice(0);
});

const tableGone = async (): Promise<never> => {
  throw Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
};

/** Claims succeed; giving a claim back or marking it completed fails, as when the table went away. */
const store: IncidentStore = {
  claim: async () => ({ send: true, occurrences: 1, previousSuppressed: 0 }),
  complete: tableGone,
  release: tableGone,
  resolve: async () => true,
};

const NOW = new Date('2026-11-25T12:00:00Z');

function deps(): NotifierDeps {
  // No pacing between posts and no real waits before a retry.
  const webhooks = new WebhookPoster({
    ...DEFAULT_WEBHOOK_OPTIONS,
    minIntervalMs: 0,
    sleep: async () => undefined,
    now: () => NOW.getTime(),
  });
  const settings = parseNotifierSettings({
    SLACK_WEBHOOK_PARAMETER: '/ec2-hygiene/test/slack',
    DEDUPE_TABLE: 't',
  });
  const secrets = { get: async () => `${receiver.url}${SLACK}` };
  return { settings, store, secrets, webhooks, now: () => NOW, log: (r) => logs.push(r) };
}

const tableError = 'ResourceNotFoundException: Requested resource not found';

describe('the incident table failing after the claim', () => {
  it('a delivered message stays sent; the failed completion is logged', async () => {
    const outcome = await notifyEvent(fixture('backup-job-failed'), deps());
    expect(outcome.outcome).toBe('sent');
    expect(receiver.received).toHaveLength(1);
    expect(logs).toContainEqual({
      msg: 'could not mark the incident claim completed',
      incidentKey: expect.any(String),
      error: tableError,
    });
  });

  it('a message nobody got is the error Lambda sees; the failed release is only logged', async () => {
    receiver.script(SLACK, ANSWERS.revoked());
    await expect(notifyEvent(fixture('backup-job-failed'), deps())).rejects.toBeInstanceOf(
      DeliveryFailedError,
    );
    expect(logs).toContainEqual({
      msg: 'could not give the incident claim back',
      incidentKey: expect.any(String),
      error: tableError,
    });
  });
});
