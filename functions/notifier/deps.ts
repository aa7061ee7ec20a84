/**
 * The notifier's clients and deps, loaded with its first invocation (docs/performance.md#start): the
 * SDK clients and the delivery code are not in the handler's cold start.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  DEFAULT_WEBHOOK_OPTIONS,
  WebhookPoster,
  createDigestStore,
  createIncidentStore,
  createTopicReaderCheck,
  createWebhookSecrets,
  parseNotifierSettings,
  type NotifierDeps,
} from '../../shared/notify';
import { withLambdaDefaults, type ResolvedLambdaOptions } from '../../shared/lambda/options';

export { notifyEvent } from '../../shared/notify';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A confirmed subscription is re-checked this often; an unsubscribed topic is noticed within it. */
const TOPIC_READERS_TTL_MS = 5 * 60_000;

/** Wires real clients from an environment-like record (process.env in Lambda). */
export function createNotifierDeps(
  env: Record<string, string | undefined>,
  options: Pick<ResolvedLambdaOptions, 'clock' | 'log'> = withLambdaDefaults(),
): NotifierDeps {
  const { clock } = options;
  const settings = parseNotifierSettings(env);
  const sns = settings.topicArn ? new SNSClient({}) : undefined;
  const db = new DynamoDBClient({});
  return {
    settings,
    store: createIncidentStore(db, settings.dedupeTable, settings.dedupeWindowMinutes),
    digest: settings.weeklyDigest ? createDigestStore(db, settings.dedupeTable) : undefined,
    secrets: createWebhookSecrets(new SSMClient({})),
    webhooks: new WebhookPoster({
      ...DEFAULT_WEBHOOK_OPTIONS,
      minIntervalMs: settings.slackMinIntervalMs,
      sleep,
      now: clock,
    }),
    sns,
    topicReaders: sns ? createTopicReaderCheck(sns, TOPIC_READERS_TTL_MS, clock) : undefined,
    now: () => new Date(clock()),
    log: (record) => options.log({ function: 'notifier', ...record }),
  };
}

/** `wrapDeps` lets tests put a fault between the real pieces (e.g. a crash after the claim). */
