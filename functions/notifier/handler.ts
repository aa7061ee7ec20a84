/**
 * The notifier Lambda: EventBridge rules deliver failure events here; shared/notify does the work.
 * Settings and clients are made once per Lambda instance, so the webhook-URL cache and the per-webhook
 * rate limit live as long as the instance does.
 */
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  DEFAULT_WEBHOOK_OPTIONS,
  WebhookPoster,
  createIncidentStore,
  createWebhookSecrets,
  notifyEvent,
  parseNotifierSettings,
  type EventBridgeEvent,
  type NotifierDeps,
  type NotifyOutcome,
} from '../../shared/notify';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wires real clients from an environment-like record (process.env in Lambda). */
export function createNotifierDeps(env: Record<string, string | undefined>): NotifierDeps {
  const settings = parseNotifierSettings(env);
  return {
    settings,
    store: createIncidentStore(new DynamoDBClient({}), settings.dedupeTable, settings.dedupeWindowMinutes),
    secrets: createWebhookSecrets(new SSMClient({})),
    webhooks: new WebhookPoster({
      ...DEFAULT_WEBHOOK_OPTIONS,
      minIntervalMs: settings.slackMinIntervalMs,
      sleep,
      now: Date.now,
    }),
    sns: settings.topicArn ? new SNSClient({}) : undefined,
    now: () => new Date(),
    log: (record) => console.log(JSON.stringify({ function: 'notifier', ...record })),
  };
}

export function buildNotifierHandler(env: Record<string, string | undefined>) {
  let deps: NotifierDeps | undefined;
  return middy<EventBridgeEvent, NotifyOutcome>().handler(async (event) => {
    deps ??= createNotifierDeps(env);
    return notifyEvent(event, deps);
  });
}

export const handler = buildNotifierHandler(process.env);
