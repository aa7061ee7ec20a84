/**
 * Runs the REAL Lambda handlers against the local sandbox: the environment a deployed function
 * gets (AWS_ENDPOINT_URL aside), a fake Lambda context with a chosen time limit, and the JSON log
 * lines the handler writes, captured for assertions.
 */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { Context } from 'aws-lambda';

import type { Caller, Sandbox } from '../../sandbox/server';
import type { RunSummaryDetail } from '../../shared/events';
import type { LambdaOptions } from '../../shared/lambda';

export const DAY = 24 * 60 * 60 * 1000;
export const MINUTE = 60 * 1000;

/** Whole-second UTC timestamp, the way the tag contract writes it. */
export function stamp(msAgo: number, now = Date.now()): string {
  return new Date(now - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function fakeContext(remainingMs = 15 * MINUTE, functionName = 'test'): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'test-request',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Every setting a function reads from its environment (shared/config.ts, shared/schedule/,
 * shared/recovery/, shared/self-heal/, shared/notify/settings.ts, shared/lambda/invocation-log.ts):
 * all are removed before a test sets its own, so no test inherits another's. The test beside this
 * list (test/unit/helpers/harness.test.ts) fails when a function's yml passes one that is missing.
 */
export const SETTING_KEYS = [
  // every job
  'REGIONS',
  'EVENT_BUS_NAME',
  'AWS_MAX_ATTEMPTS',
  'LOG_LEVEL',
  // tagger and cleanup
  'RETENTION_DAYS',
  'FRESHNESS_MINUTES',
  'DRY_RUN',
  'KEEP_NEWEST_PER_FAMILY',
  'FAMILY_TAG',
  'MAX_DELETIONS_PER_RUN',
  'CHECK_IMAGE_REFERENCES',
  'DELETE_SHARED_IMAGES',
  'LAUNCH_TEMPLATE_VERSIONS_IN_USE',
  'REQUIRE_RECYCLE_BIN',
  'DEPRECATE_GRACE_DAYS',
  'DISABLE_GRACE_DAYS',
  'NOTICE_DAYS',
  // scale-to-zero
  'SCALE_DRY_RUN',
  'SCALE_DEFAULT_SCHEDULE',
  'SCALE_SCHEDULES',
  'SCALE_SCHEDULES_PARAMETER',
  'SCALE_HOLIDAYS',
  'SCALE_MAX_RESTORE_CAPACITY',
  'SCALE_PATCH_WINDOWS',
  'SCALE_PATCH_WINDOW_LEAD_MINUTES',
  // recovery
  'RECOVERY_DRY_RUN',
  'RECOVERY_ALARM_PREFIX',
  'NOTIFICATION_TOPIC_ARN',
  // self-heal
  'SELF_HEAL_DRY_RUN',
  'SELF_HEAL_HOOK_NAME',
  'SELF_HEAL_HEARTBEAT_SECONDS',
  'SELF_HEAL_VOLUME_WAIT_SECONDS',
  'SELF_HEAL_POLL_SECONDS',
  // notifier
  'SLACK_WEBHOOK_PARAMETER',
  'TEAMS_WEBHOOK_PARAMETER',
  'DEDUPE_TABLE',
  'DEDUPE_WINDOW_MINUTES',
  'SLACK_MIN_INTERVAL_MS',
  'ALARM_NAME_PREFIXES',
  'ALARM_ON_INSUFFICIENT_DATA',
  'WEEKLY_DIGEST',
  'NOTIFIER_ERROR_ALARM_NAME',
  'FLEET_ALARM_NAME_PREFIX',
  // where the SDK sends one service (the sandbox sets AWS_ENDPOINT_URL itself)
  'AWS_ENDPOINT_URL_RBIN',
] as const;

/**
 * The environment a deployed function gets, signed as `caller`: the sandbox authorizes every call
 * against that function's role, so a permission the role lacks fails the test as AWS would.
 */
export function useSandboxEnv(sandbox: Sandbox, settings: Record<string, string>, caller: Caller): void {
  for (const key of SETTING_KEYS) delete process.env[key];
  Object.assign(process.env, sandbox.env(settings.REGIONS?.split(',')[0] ?? 'eu-west-1', caller), settings);
}

export interface HandlerRun {
  summaries: RunSummaryDetail[];
  logs: Record<string, unknown>[];
}

type Handler = (event: unknown, context: Context) => Promise<{ summaries: RunSummaryDetail[] }>;

/** Invokes the handler the way Lambda does and collects its JSON log lines. */
export async function invoke(handler: Handler, context: Context = fakeContext()): Promise<HandlerRun> {
  const logs: Record<string, unknown>[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    try {
      logs.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      logs.push({ text });
    }
  };
  try {
    const result = await handler({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, context);
    return { summaries: result.summaries, logs };
  } finally {
    console.log = original;
  }
}

export function decisionsFor(logs: Record<string, unknown>[], resourceId: string): Record<string, unknown>[] {
  return logs.filter((l) => l.type === 'decision' && l.resourceId === resourceId);
}

/**
 * Handler options for tests: the product's attempts per call, but no backoff between them, so a
 * test that injects throttling or failures spends no wall-clock time waiting (and cannot race it).
 */
export const NO_BACKOFF: LambdaOptions = {
  retryStrategy: (maxAttempts) => new ConfiguredRetryStrategy(maxAttempts, 0),
};
