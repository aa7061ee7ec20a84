/**
 * The notifier Lambda: EventBridge rules deliver failure events here; shared/notify does the work.
 * Settings and clients are made once per Lambda instance, so the webhook-URL cache and the per-webhook
 * rate limit live as long as the instance does. It takes the same options (clock, log) as the jobs'
 * handlers (shared/lambda), but not their factory: it has no regions to sweep and no run budget.
 */
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  DEFAULT_WEBHOOK_OPTIONS,
  WebhookPoster,
  createIncidentStore,
  createTopicReaderCheck,
  createWebhookSecrets,
  notifyEvent,
  parseNotifierSettings,
  type EventBridgeEvent,
  type NotifierDeps,
  type NotifyOutcome,
} from '../../shared/notify';
import {
  metricsFromSummary,
  notifierResultOf,
  notifierSummary,
  type NotifierResult,
} from '../../shared/metrics';
import {
  withLambdaDefaults,
  type LambdaOptions,
  type ResolvedLambdaOptions,
} from '../../shared/lambda/options';

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
  return {
    settings,
    store: createIncidentStore(new DynamoDBClient({}), settings.dedupeTable, settings.dedupeWindowMinutes),
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
export function buildNotifierHandler(
  env: Record<string, string | undefined>,
  wrapDeps: (deps: NotifierDeps) => NotifierDeps = (deps) => deps,
  options: Omit<LambdaOptions, 'env'> = {},
) {
  const resolved = withLambdaDefaults(options);
  let deps: NotifierDeps | undefined;
  return middy<EventBridgeEvent, NotifyOutcome>().handler(async (event, context) => {
    deps ??= wrapDeps(createNotifierDeps(env, resolved));
    const log = deps.log;
    // The clients' region (the SDK reads AWS_REGION from the process); a dimension may not be empty.
    const region = env.AWS_REGION || process.env.AWS_REGION || 'unknown';
    const emit = (result: NotifierResult) => {
      // An ignored event (not ours, or a resolution with nothing open) is not a notification.
      if (result === 'ignored') return;
      const now = deps?.now() ?? new Date();
      log(metricsFromSummary(notifierSummary(region, result, now.toISOString()), now.getTime()));
    };
    try {
      const outcome = await notifyEvent(event, deps, { remainingMs: context.getRemainingTimeInMillis?.() });
      emit(notifierResultOf(outcome.outcome));
      return outcome;
    } catch (err) {
      emit('failed');
      throw err;
    }
  });
}

export const handler = buildNotifierHandler(process.env);
