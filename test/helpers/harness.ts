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

/** Settings the tests may set; everything else is removed so one test cannot leak into the next. */
const SETTING_KEYS = [
  'REGIONS',
  'RETENTION_DAYS',
  'FRESHNESS_MINUTES',
  'DRY_RUN',
  'KEEP_NEWEST_PER_FAMILY',
  'FAMILY_TAG',
  'MAX_DELETIONS_PER_RUN',
  'EVENT_BUS_NAME',
  'CHECK_IMAGE_REFERENCES',
  'DELETE_SHARED_IMAGES',
  'AWS_MAX_ATTEMPTS',
  'LAUNCH_TEMPLATE_VERSIONS_IN_USE',
  'REQUIRE_RECYCLE_BIN',
  'DEPRECATE_GRACE_DAYS',
  'DISABLE_GRACE_DAYS',
  'NOTICE_DAYS',
];

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
