/**
 * The real notifier handler, end to end over HTTP: SSM and SNS on the local sandbox, DynamoDB on
 * dynalite, Slack and Teams on a local webhook receiver that checks payloads and answers 429 and 500.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateTopicCommand, PublishCommand, SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { addSubscription, snsStore, type SnsSubscription } from '../../../sandbox/services/sns';
import { ssm as ssmService } from '../../../sandbox/services/ssm';
import { sns as snsService } from '../../../sandbox/services/sns';
import { buildNotifierHandler } from '../../../functions/notifier/handler';
import {
  DEFAULT_WEBHOOK_OPTIONS,
  WebhookPoster,
  type EventBridgeEvent,
  type NotifierDeps,
  type NotifyOutcome,
} from '../../../shared/notify';
import { fixture, fixtureNames } from '../../helpers/notifier-fixtures';
import {
  ANSWERS,
  startDynalite,
  startWebhookReceiver,
  type LocalDynamo,
  type WebhookReceiver,
} from '../../helpers/notifier-servers';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock';

const REGION = 'eu-west-1';
const SLACK_PATH = '/services/T0001/B0001/slacksecret0001';
const TEAMS_PATH = '/workflows/teams/teamssecret0001';
const CREDENTIAL_KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
] as const;

const context = {
  functionName: 'ec2-hygiene-test-notifier',
  getRemainingTimeInMillis: () => 60_000,
} as Context;

let sandbox: Sandbox;
let dynamo: LocalDynamo;
let receiver: WebhookReceiver;
let topicArn: string;
/** A topic whose only subscription was never confirmed: publishing to it reaches nobody. */
let unreadTopicArn: string;
/** The notifier's on-failure destination (Lambda publishes the invocation record there). */
let fallbackTopicArn: string;
let clientConfig: SNSClientConfig;
const saved: Record<string, string | undefined> = {};
let tableCounter = 0;

async function freshTable(): Promise<string> {
  // A table per test keeps de-duplication state from one test out of the next.
  const name = `notifier-e2e-${++tableCounter}`;
  const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

function settings(table: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_WEBHOOK_PARAMETER: '/ec2-hygiene/test/slack-webhook',
    TEAMS_WEBHOOK_PARAMETER: '/ec2-hygiene/test/teams-webhook',
    NOTIFICATION_TOPIC_ARN: topicArn,
    DEDUPE_TABLE: table,
    DEDUPE_WINDOW_MINUTES: '60',
    SLACK_MIN_INTERVAL_MS: '300',
    AWS_LAMBDA_FUNCTION_NAME: 'ec2-hygiene-test-notifier',
    NOTIFIER_ERROR_ALARM_NAME: 'ec2-hygiene-prod-notifier-errors',
    ...extra,
  };
}

/** The EMF lines among captured log lines. */
function metricLines(logs: string[]): Record<string, unknown>[] {
  return logs
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => '_aws' in l);
}

/** Runs the handler as Lambda would, capturing its JSON log lines. */
async function run(
  handler: ReturnType<typeof buildNotifierHandler>,
  event: EventBridgeEvent,
  logs: string[] = [],
  lambdaContext: Context = context,
): Promise<NotifyOutcome> {
  const original = console.log;
  console.log = (...args: unknown[]) => logs.push(args.map(String).join(' '));
  try {
    return await handler(event, lambdaContext);
  } finally {
    console.log = original;
  }
}

/**
 * What Lambda does with an asynchronous (EventBridge) invocation: the first attempt and up to
 * `maximumRetryAttempts` (2 in function.yml) retries of the same event; when all failed, the
 * invocation record (request, error) goes to the on-failure destination, the fallback topic.
 */
async function invokeAsLambda(
  makeHandler: () => ReturnType<typeof buildNotifierHandler>,
  event: EventBridgeEvent,
  logs: string[] = [],
): Promise<{ attempts: number; outcome?: NotifyOutcome; error?: Error }> {
  let error: Error | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return { attempts: attempt, outcome: await run(makeHandler(), event, logs) };
    } catch (err) {
      error = err as Error;
    }
  }
  const sns = new SNSClient(clientConfig);
  await sns.send(
    new PublishCommand({
      TopicArn: fallbackTopicArn,
      Message: JSON.stringify({
        version: '1.0',
        timestamp: new Date().toISOString(),
        requestContext: {
          functionArn: `arn:aws:lambda:${REGION}:123456789012:function:${context.functionName}:$LATEST`,
          condition: 'RetriesExhausted',
          approximateInvokeCount: 3,
        },
        requestPayload: event,
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: error!.name, errorMessage: error!.message },
      }),
    }),
  );
  sns.destroy();
  return { attempts: 3, error };
}

/** Another occurrence of the same failure: a new EventBridge event (its own id), same content. */
function occurrence(event: EventBridgeEvent, n: number): EventBridgeEvent {
  return { ...structuredClone(event), id: `${event.id ?? 'event'}-occurrence-${n}` };
}

const posts = (path: string) => receiver.received.filter((p) => p.path === path);

// Webhook waits (Retry-After, the Slack rate limit) run on this clock and posts arrive stamped with
// it, so the spacing the tests check is the handler's own, not the machine's speed.
let clock = new VirtualClock();
const onVirtualClock = (deps: NotifierDeps): NotifierDeps => ({
  ...deps,
  webhooks: new WebhookPoster({
    ...DEFAULT_WEBHOOK_OPTIONS,
    minIntervalMs: deps.settings.slackMinIntervalMs,
    sleep: clock.sleep,
    now: clock.now,
  }),
});

beforeAll(async () => {
  sandbox = await startSandbox({ services: [ssmService, snsService] });
  dynamo = await startDynalite('unused');
  receiver = await startWebhookReceiver(() => clock.now());
  for (const key of CREDENTIAL_KEYS) saved[key] = process.env[key];
  Object.assign(process.env, sandbox.env(REGION, 'notifier'), { AWS_ENDPOINT_URL_DYNAMODB: dynamo.url });

  clientConfig = {
    endpoint: sandbox.url,
    region: REGION,
    credentials: sandbox.credentials('admin'),
  };
  const ssm = new SSMClient(clientConfig);
  for (const [name, path] of [
    ['/ec2-hygiene/test/slack-webhook', SLACK_PATH],
    ['/ec2-hygiene/test/teams-webhook', TEAMS_PATH],
  ] as const) {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: 'SecureString',
        Value: `${receiver.url}${path}`,
        Overwrite: true,
      }),
    );
  }
  const sns = new SNSClient(clientConfig);
  // The stack's own topics: the notifier's role may publish to those only. "A topic nobody reads"
  // is therefore the notification topic with its only subscription unconfirmed (makeTopicUnread).
  const stack = sandbox.iam!.stack;
  const prefix = `${stack.service}-${stack.stage}`;
  topicArn = (await sns.send(new CreateTopicCommand({ Name: `${prefix}-notifications` }))).TopicArn!;
  addSubscription(sandbox.state, REGION, { topicArn, endpoint: 'ops@example.com', confirmed: true });
  unreadTopicArn = topicArn;
  fallbackTopicArn = (await sns.send(new CreateTopicCommand({ Name: `${prefix}-notifier-fallback` })))
    .TopicArn!;
  ssm.destroy();
  sns.destroy();
});

afterAll(async () => {
  for (const key of CREDENTIAL_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await Promise.all([sandbox.close(), dynamo.close(), receiver.close()]);
});

beforeEach(() => {
  receiver.received.splice(0);
  snsStore(sandbox.state, 'eu-west-1').messages.splice(0);
});
afterEach(() => sandbox.faults.clear());

describe('notifier handler, end to end', () => {
  it('every sample failure event reaches Slack, Teams and email; non-failures reach nobody', async () => {
    const handler = buildNotifierHandler(settings(await freshTable(), { SLACK_MIN_INTERVAL_MS: '0' }));
    const outcomes: Record<string, string> = {};
    for (const name of fixtureNames()) outcomes[name] = (await run(handler, fixture(name))).outcome;

    const sent = Object.entries(outcomes).filter(([, o]) => o === 'sent');
    expect(Object.fromEntries(Object.entries(outcomes).filter(([, o]) => o !== 'sent'))).toEqual({
      'backup-job-completed': 'ignored',
      'cloudwatch-alarm-notifier-errors': 'ignored',
      // Sorted before the status-check ALARM it would resolve: nothing open yet, nothing to say.
      'cloudwatch-alarm-ok': 'ignored',
      'codedeploy-deployment-succeeded': 'ignored',
      'ebs-snapshot-succeeded': 'ignored',
      'fleet-run-summary-clean': 'ignored',
      'health-s3-operational-issue': 'ignored',
      'imagebuilder-image-available': 'ignored',
      'ssm-compliance-compliant': 'ignored',
      'ssm-maintenance-window-success': 'ignored',
      'ssm-run-command-success': 'ignored',
    });
    expect(posts(SLACK_PATH)).toHaveLength(sent.length);
    expect(posts(TEAMS_PATH)).toHaveLength(sent.length);
    const mails = snsStore(sandbox.state, 'eu-west-1').messages;
    expect(mails).toHaveLength(sent.length);

    const slack = posts(SLACK_PATH)[0]!;
    expect(slack.contentType).toBe('application/json');
    expect(slack.body).toMatchObject({ text: expect.any(String), blocks: expect.any(Array) });
    const teams = posts(TEAMS_PATH)[0]!.body as { type: string; attachments: { contentType: string }[] };
    expect(teams.type).toBe('message');
    expect(teams.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(mails.map((m) => m.subject)).toContain(
      '[CRITICAL] ec2-hygiene cleanup refused to delete anything in eu-west-1',
    );
    expect(mails.every((m) => m.topicArn === topicArn)).toBe(true);
  });

  it('the same incident within the window is sent once and counted; the handler says so', async () => {
    const handler = buildNotifierHandler(settings(await freshTable()));
    const event = fixture('backup-job-failed');
    const logs: string[] = [];
    expect((await run(handler, event, logs, { ...context, awsRequestId: 'req-first' })).outcome).toBe('sent');
    const firstLines = logs.length;
    expect(
      await run(handler, occurrence(event, 2), logs, { ...context, awsRequestId: 'req-repeat' }),
    ).toEqual({
      outcome: 'suppressed',
      incidentKey:
        '123456789012/eu-west-1/backup-backup/arn:aws:ec2:eu-west-1:123456789012:instance/i-0a1b2c3d4e5f67890/FAILED',
      occurrences: 2,
    });
    expect(posts(SLACK_PATH)).toHaveLength(1);
    expect(snsStore(sandbox.state, 'eu-west-1').messages).toHaveLength(1);
    // One metrics (EMF) line per event: the first sent, the repeat suppressed.
    expect(metricLines(logs)).toEqual([
      expect.objectContaining({
        Function: 'notifier',
        Region: 'eu-west-1',
        NotificationsSent: 1,
        NotificationsSuppressed: 0,
      }),
      expect.objectContaining({ Function: 'notifier', NotificationsSent: 0, NotificationsSuppressed: 1 }),
    ]);
    // Every JSON line names the Lambda request id of the invocation that wrote it.
    const ids = (from: string[]) =>
      new Set(
        from
          .filter((l) => l.startsWith('{'))
          .map((l) => (JSON.parse(l) as Record<string, unknown>).requestId),
      );
    expect(ids(logs.slice(0, firstLines))).toEqual(new Set(['req-first']));
    expect(ids(logs.slice(firstLines))).toEqual(new Set(['req-repeat']));
  });

  it('a repeat after the window is sent again with how often it was seen', async () => {
    const handler = buildNotifierHandler(settings(await freshTable(), { DEDUPE_WINDOW_MINUTES: '1' }));
    const event = fixture('autoscaling-launch-unsuccessful');
    await run(handler, event);
    await run(handler, occurrence(event, 2));
    // Move the clock past the one-minute window for the store only: rewrite the item's window end.
    const { UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');
    const key = '123456789012/eu-west-1/autoscaling-launch/web-asg';
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: `notifier-e2e-${tableCounter}`,
        Key: { pk: { S: key } },
        UpdateExpression: 'SET windowEndsAt = :past',
        ExpressionAttributeValues: { ':past': { N: '1' } },
      }),
    );
    const third = await run(handler, occurrence(event, 3));
    expect(third).toMatchObject({ outcome: 'sent', occurrences: 2 });
    expect(snsStore(sandbox.state, 'eu-west-1').messages.at(-1)!.message).toContain(
      'Seen 2 times since the last message about this incident.',
    );
    expect(JSON.stringify(posts(SLACK_PATH).at(-1)!.body)).toContain('Seen 2 times');
  });

  it('Slack answering 429 with Retry-After is waited for, then the message goes through', async () => {
    clock = new VirtualClock();
    const handler = buildNotifierHandler(settings(await freshTable()), onVirtualClock);
    receiver.script(SLACK_PATH, { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    const outcome = await run(handler, fixture('imagebuilder-image-failed'));
    expect(outcome.outcome).toBe('sent');
    const slack = posts(SLACK_PATH);
    expect(slack).toHaveLength(2);
    // Retry-After: 1 is waited out in full before the second post (on the virtual clock).
    expect(slack[1]!.at - slack[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(slack[1]!.body).toEqual(slack[0]!.body);
  });

  it('back-to-back messages to one Slack webhook are spaced by the rate limit', async () => {
    clock = new VirtualClock();
    const handler = buildNotifierHandler(
      settings(await freshTable(), { SLACK_MIN_INTERVAL_MS: '400' }),
      onVirtualClock,
    );
    await run(handler, fixture('backup-job-failed'));
    await run(handler, fixture('backup-copy-job-failed'));
    const slack = posts(SLACK_PATH);
    expect(slack).toHaveLength(2);
    expect(slack[1]!.at - slack[0]!.at).toBeGreaterThanOrEqual(400);
  });

  it('Slack down (500): retried, recorded, and Teams and email still get the message', async () => {
    const handler = buildNotifierHandler(settings(await freshTable()));
    const down = { status: 500, body: 'internal_error' };
    receiver.script(SLACK_PATH, down, down, down, down);
    const logs: string[] = [];
    const outcome = await run(handler, fixture('ssm-maintenance-window-failed'), logs);
    expect(outcome.outcome).toBe('partially-sent');
    expect(posts(SLACK_PATH)).toHaveLength(4);
    expect(posts(TEAMS_PATH)).toHaveLength(1);
    expect(snsStore(sandbox.state, 'eu-west-1').messages).toHaveLength(1);
    const failure = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'delivery failed');
    expect(failure).toMatchObject({
      destination: 'slack',
      status: 500,
      error:
        'Slack webhook from SSM /ec2-hygiene/test/slack-webhook: server error 500 (internal_error) (gave up after 4 attempts)',
    });
    // Webhook URLs are secrets: not in any log line.
    expect(logs.join('\n')).not.toMatch(/slacksecret0001|teamssecret0001/);
  });

  it('every destination down: the claim is given back and the handler fails (Lambda retries, then the fallback topic)', async () => {
    const handler = buildNotifierHandler(
      settings(await freshTable(), { TEAMS_WEBHOOK_PARAMETER: '', NOTIFICATION_TOPIC_ARN: '' }),
    );
    const down = { status: 503 };
    receiver.script(SLACK_PATH, down, down, down, down);
    const event = fixture('fleet-cleanup-refused');
    const logs: string[] = [];
    await expect(run(handler, event, logs)).rejects.toThrow(
      /^no reader got incident 123456789012\/eu-west-1\/ec2-hygiene\/cleanup-refused: Slack webhook/,
    );
    expect(metricLines(logs)).toEqual([
      expect.objectContaining({ NotificationsSent: 0, NotificationsFailed: 1 }),
    ]);
    // Slack is back; Lambda's retry of the same event is sent, not swallowed as a duplicate.
    expect((await run(handler, event)).outcome).toBe('sent');
  });

  it('SNS refusing the publish is recorded as that destination failing, with what to check', async () => {
    const handler = buildNotifierHandler(settings(await freshTable()));
    sandbox.faults.add({
      service: 'sns',
      action: 'Publish',
      code: 'AuthorizationError',
      status: 403,
      message: 'not allowed',
    });
    const logs: string[] = [];
    const outcome = await run(handler, fixture('backup-restore-job-failed'), logs);
    expect(outcome.outcome).toBe('partially-sent');
    expect(logs.join('\n')).toContain('may sns:Publish to it');
  });

  it('a webhook parameter that does not exist is named in the failure; the others are still sent', async () => {
    const handler = buildNotifierHandler(
      settings(await freshTable(), { TEAMS_WEBHOOK_PARAMETER: '/ec2-hygiene/test/missing' }),
    );
    const logs: string[] = [];
    const outcome = await run(handler, fixture('health-ec2-retirement-scheduled'), logs);
    expect(outcome.outcome).toBe('partially-sent');
    expect(logs.join('\n')).toContain(
      'could not read the webhook URL from SSM parameter /ec2-hygiene/test/missing (ParameterNotFound): store the webhook URL there as a SecureString',
    );
    expect(posts(SLACK_PATH)).toHaveLength(1);
  });

  it('a webhook URL stored as plain http:// is refused (https only), naming the parameter', async () => {
    const ssm = new SSMClient(clientConfig);
    await ssm.send(
      new PutParameterCommand({
        Name: '/ec2-hygiene/test/http-webhook',
        Type: 'SecureString',
        Value: 'http://hooks.example.com/services/T1/B1/plaintextsecret',
        Overwrite: true,
      }),
    );
    ssm.destroy();
    const handler = buildNotifierHandler(
      settings(await freshTable(), { TEAMS_WEBHOOK_PARAMETER: '/ec2-hygiene/test/http-webhook' }),
    );
    const logs: string[] = [];
    expect((await run(handler, fixture('backup-job-failed'), logs)).outcome).toBe('partially-sent');
    expect(logs.join('\n')).toContain(
      'SSM parameter /ec2-hygiene/test/http-webhook does not hold a webhook URL (expected https://...)',
    );
    expect(logs.join('\n')).not.toContain('plaintextsecret');
  });

  it('without its de-duplication table it still sends (a duplicate is better than a lost alert)', async () => {
    const handler = buildNotifierHandler(settings('no-such-table'));
    const logs: string[] = [];
    const outcome = await run(handler, fixture('backup-job-failed'), logs);
    expect(outcome.outcome).toBe('sent');
    expect(posts(SLACK_PATH)).toHaveLength(1);
    expect(logs.join('\n')).toContain('de-duplication unavailable; sending anyway');
    expect(logs.join('\n')).toContain('ResourceNotFoundException');
  });

  it('reads each webhook URL from SSM once per Lambda instance', async () => {
    const handler = buildNotifierHandler(settings(await freshTable(), { SLACK_MIN_INTERVAL_MS: '0' }));
    const before = sandbox.requests.count('ssm', 'GetParameter');
    await run(handler, fixture('backup-job-failed'));
    await run(handler, fixture('backup-copy-job-failed'));
    await run(handler, fixture('imagebuilder-image-failed'));
    const after = sandbox.requests.count('ssm', 'GetParameter');
    expect(after - before).toBe(2);
  });

  it('hostile names reach Slack escaped: nobody is pinged', async () => {
    const handler = buildNotifierHandler(settings(await freshTable()));
    await run(handler, fixture('hostile-asg-name'));
    const json = JSON.stringify(posts(SLACK_PATH)[0]!.body);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U123ABC>');
    expect(snsStore(sandbox.state, 'eu-west-1').messages[0]!.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
  });

  it("with alarmNamePrefixes, only matching alarms and the fleet's own error alarms are delivered", async () => {
    const handler = buildNotifierHandler(
      settings(await freshTable(), {
        SLACK_MIN_INTERVAL_MS: '0',
        ALARM_NAME_PREFIXES: 'team-a-, i-',
        FLEET_ALARM_NAME_PREFIX: 'ec2-hygiene-prod-',
      }),
    );
    const statusCheck = fixture('cloudwatch-alarm-status-check');
    const otherTeam = structuredClone(statusCheck);
    (otherTeam.detail as { alarmName: string }).alarmName = 'team-b-cpu-high';

    const logs: string[] = [];
    expect(await run(handler, otherTeam, logs)).toEqual({
      outcome: 'ignored',
      reason: 'alarm team-b-cpu-high matches none of ALARM_NAME_PREFIXES (team-a-, i-); not forwarded',
    });
    expect(posts(SLACK_PATH)).toHaveLength(0);
    expect(posts(TEAMS_PATH)).toHaveLength(0);
    expect(snsStore(sandbox.state, 'eu-west-1').messages).toHaveLength(0);
    // Logged once, as ignored with the reason: nothing else, and no failure.
    expect(logs.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        msg: 'event ignored',
        reason: 'alarm team-b-cpu-high matches none of ALARM_NAME_PREFIXES (team-a-, i-); not forwarded',
      }),
    ]);

    expect((await run(handler, statusCheck)).outcome).toBe('sent');
    expect((await run(handler, fixture('cloudwatch-alarm-fleet-function-errors'))).outcome).toBe('sent');
    const titles = snsStore(sandbox.state, 'eu-west-1').messages.map((m) => m.subject);
    expect(titles).toEqual([
      expect.stringContaining('i-0a1b2c3d4e5f67890-system-status-check'),
      expect.stringContaining('ec2-hygiene-prod-cleanup-errors'),
    ]);
    expect(posts(SLACK_PATH)).toHaveLength(2);
    expect(posts(TEAMS_PATH)).toHaveLength(2);
  });

  it('bad settings fail with a message naming the setting and what it expects', async () => {
    const badWindow = buildNotifierHandler(settings('t', { DEDUPE_WINDOW_MINUTES: 'soon' }));
    await expect(run(badWindow, fixture('backup-job-failed'))).rejects.toThrow(
      'notifier settings are invalid: DEDUPE_WINDOW_MINUTES="soon": expected a whole decimal number of minutes',
    );
    const noDestination = buildNotifierHandler({ DEDUPE_TABLE: 't' });
    await expect(run(noDestination, fixture('backup-job-failed'))).rejects.toThrow(
      'notifier settings are invalid: no destination configured: set at least one of SLACK_WEBHOOK_PARAMETER, TEAMS_WEBHOOK_PARAMETER or NOTIFICATION_TOPIC_ARN',
    );
  });
});

describe('delivered means a person can read it', () => {
  const fallbackMessages = () =>
    snsStore(sandbox.state, REGION).messages.filter((m) => m.topicArn === fallbackTopicArn);
  let confirmed: SnsSubscription[] = [];
  /** The notification topic with nobody confirmed, until the test ends. */
  const makeTopicUnread = () => {
    confirmed = snsStore(sandbox.state, REGION).subscriptions.splice(0);
    addSubscription(sandbox.state, REGION, {
      topicArn: unreadTopicArn,
      endpoint: 'nobody-clicked@example.com',
      confirmed: false,
    });
  };
  afterEach(() => {
    if (confirmed.length === 0) return;
    const store = snsStore(sandbox.state, REGION);
    store.subscriptions.splice(0, store.subscriptions.length, ...confirmed);
    confirmed = [];
  });

  it('defaults (Slack + email topic): a revoked webhook and a topic nobody confirmed fail the invocation, and the fallback topic gets the event', async () => {
    makeTopicUnread();
    const table = await freshTable();
    const make = () =>
      buildNotifierHandler(
        settings(table, { TEAMS_WEBHOOK_PARAMETER: '', NOTIFICATION_TOPIC_ARN: unreadTopicArn }),
      );
    // Slack answers a revoked webhook with 403 invalid_token (or 404 no_service): not retried.
    // Its answer quotes the URL, percent-encoded and decoded: neither may reach a log or the fallback mail.
    const url = `${receiver.url}${SLACK_PATH}`;
    const revoked = {
      status: 403,
      body: `invalid_token for ${encodeURIComponent(url)} (${SLACK_PATH.slice(1)})`,
    };
    receiver.script(SLACK_PATH, revoked, revoked, revoked);
    const event = fixture('backup-job-failed');
    const logs: string[] = [];
    const result = await invokeAsLambda(make, event, logs);

    expect(result.attempts).toBe(3);
    expect(result.error?.message).toContain(
      'Slack webhook from SSM /ec2-hygiene/test/slack-webhook: rejected with 403',
    );
    expect(result.error?.message).toContain(
      `SNS topic ${unreadTopicArn} has no confirmed subscription (1 pending confirmation)`,
    );
    // Every attempt was really tried (the claim was given back each time), and published to the topic.
    expect(posts(SLACK_PATH)).toHaveLength(3);
    expect(
      snsStore(sandbox.state, REGION).messages.filter((m) => m.topicArn === unreadTopicArn),
    ).toHaveLength(3);
    const fallback = fallbackMessages();
    expect(fallback).toHaveLength(1);
    const record = JSON.parse(fallback[0]!.message) as { requestPayload: EventBridgeEvent };
    expect(record.requestPayload).toEqual(event);
    expect(logs.join('\n')).not.toMatch(/slacksecret0001/);
    expect(fallback[0]!.message).not.toMatch(/slacksecret0001/);
    expect(fallback[0]!.message).toContain('rejected with 403 (invalid_token for <webhook URL>');
  });

  it('Slack fine, topic unread: partially sent, and the log says nobody reads the topic', async () => {
    makeTopicUnread();
    const handler = buildNotifierHandler(
      settings(await freshTable(), { TEAMS_WEBHOOK_PARAMETER: '', NOTIFICATION_TOPIC_ARN: unreadTopicArn }),
    );
    const logs: string[] = [];
    const outcome = await run(handler, fixture('imagebuilder-image-failed'), logs);
    expect(outcome).toMatchObject({ outcome: 'partially-sent' });
    expect(logs.join('\n')).toContain(`SNS topic ${unreadTopicArn} has no confirmed subscription`);
  });

  it('a missing webhook parameter and an unread topic: the first invocation fails naming both', async () => {
    makeTopicUnread();
    const handler = buildNotifierHandler(
      settings(await freshTable(), {
        SLACK_WEBHOOK_PARAMETER: '/ec2-hygiene/test/not-stored',
        TEAMS_WEBHOOK_PARAMETER: '',
        NOTIFICATION_TOPIC_ARN: unreadTopicArn,
      }),
    );
    const failure = run(handler, fixture('ssm-run-command-failed'));
    await expect(failure).rejects.toThrow(
      'could not read the webhook URL from SSM parameter /ec2-hygiene/test/not-stored (ParameterNotFound)',
    );
    await expect(failure).rejects.toThrow(`SNS topic ${unreadTopicArn} has no confirmed subscription`);
  });

  it('email only, topic confirmed: sent; the subscriptions are listed once per Lambda instance, not per event', async () => {
    const handler = buildNotifierHandler(
      settings(await freshTable(), { SLACK_WEBHOOK_PARAMETER: '', TEAMS_WEBHOOK_PARAMETER: '' }),
    );
    const before = sandbox.requests.count('sns', 'ListSubscriptionsByTopic');
    expect((await run(handler, fixture('backup-job-failed'))).outcome).toBe('sent');
    expect((await run(handler, fixture('backup-copy-job-failed'))).outcome).toBe('sent');
    expect(sandbox.requests.count('sns', 'ListSubscriptionsByTopic') - before).toBe(1);
  });

  it('a topic that cannot be checked does not count as read: the error says which permission to check', async () => {
    const handler = buildNotifierHandler(
      settings(await freshTable(), { SLACK_WEBHOOK_PARAMETER: '', TEAMS_WEBHOOK_PARAMETER: '' }),
    );
    sandbox.faults.add({
      service: 'sns',
      action: 'ListSubscriptionsByTopic',
      code: 'AuthorizationError',
      status: 403,
      message: 'not allowed',
    });
    await expect(run(handler, fixture('backup-job-failed'))).rejects.toThrow(
      'may sns:ListSubscriptionsByTopic on it',
    );
  });
});

describe('retries of one event are never taken for repeats', () => {
  it('an invocation killed after claiming the incident: the retry of the same event delivers', async () => {
    const table = await freshTable();
    const event = fixture('ssm-maintenance-window-failed');
    // The first instance claims the incident, then dies while posting, as a timed-out invocation does:
    // nothing after that line runs (no release, no completion).
    const killed = buildNotifierHandler(settings(table), (deps) => {
      const webhooks = Object.create(deps.webhooks) as typeof deps.webhooks;
      webhooks.post = async () => {
        throw new Error('Task timed out after 120.00 seconds');
      };
      return { ...deps, webhooks };
    });
    await expect(run(killed, event)).rejects.toThrow('Task timed out');
    expect(posts(SLACK_PATH)).toHaveLength(0);

    // Lambda's retry runs on a fresh instance with the same event id.
    const logs: string[] = [];
    const retry = await run(buildNotifierHandler(settings(table)), event, logs);
    expect(retry).toMatchObject({ outcome: 'sent', occurrences: 1 });
    expect(posts(SLACK_PATH)).toHaveLength(1);
    expect(posts(TEAMS_PATH)).toHaveLength(1);
    expect(logs.join('\n')).not.toContain('duplicate suppressed');
  });

  it("a webhook that hangs is given up on before the invocation's time runs out; the others still count", async () => {
    const handler = buildNotifierHandler(settings(await freshTable(), { TEAMS_WEBHOOK_PARAMETER: '' }));
    receiver.script(SLACK_PATH, ANSWERS.hang());
    const logs: string[] = [];
    // Lambda would stop this invocation in 6 s; the notifier keeps 5 s to finish, so Slack gets 1 s.
    const shortContext = { ...context, getRemainingTimeInMillis: () => 6_000 } as Context;
    const outcome = await run(handler, fixture('backup-job-failed'), logs, shortContext);
    expect(outcome).toMatchObject({ outcome: 'partially-sent' });
    expect(snsStore(sandbox.state, REGION).messages).toHaveLength(1);
    const failure = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'delivery failed');
    expect(failure).toMatchObject({ destination: 'slack', attempts: 1 });
    expect(String(failure!.error)).toMatch(
      /^Slack webhook from SSM \/ec2-hygiene\/test\/slack-webhook: request failed \(TimeoutError/,
    );
    expect(String(failure!.error)).toContain("gave up: the invocation's time limit is near");
  });

  it('a delivered event that EventBridge hands over again is not sent twice nor counted as a repeat', async () => {
    const handler = buildNotifierHandler(settings(await freshTable()));
    const event = fixture('backup-copy-job-failed');
    expect((await run(handler, event)).outcome).toBe('sent');
    expect(await run(handler, event)).toMatchObject({ outcome: 'already-sent', eventId: event.id });
    expect(posts(SLACK_PATH)).toHaveLength(1);
    // A real repeat afterwards says "seen 2 times", not 3.
    expect(await run(handler, occurrence(event, 2))).toMatchObject({ outcome: 'suppressed', occurrences: 2 });
  });
});

describe('the alarm lifecycle', () => {
  it('ALARM is sent; OK sends "resolved" and closes the incident, so the next ALARM is sent at once', async () => {
    const handler = buildNotifierHandler(settings(await freshTable(), { SLACK_MIN_INTERVAL_MS: '0' }));
    const alarm = fixture('cloudwatch-alarm-status-check');
    expect((await run(handler, alarm)).outcome).toBe('sent');
    expect((await run(handler, occurrence(alarm, 2))).outcome).toBe('suppressed');

    const resolved = await run(handler, fixture('cloudwatch-alarm-ok'));
    expect(resolved).toMatchObject({
      outcome: 'sent',
      incidentKey: '123456789012/eu-west-1/cloudwatch-alarm/i-0a1b2c3d4e5f67890-system-status-check',
    });
    const mails = snsStore(sandbox.state, REGION).messages;
    expect(mails.at(-1)!.subject).toBe(
      '[INFO] Resolved: alarm i-0a1b2c3d4e5f67890-system-status-check is OK again',
    );
    expect(JSON.stringify(posts(SLACK_PATH).at(-1)!.body)).toContain('Resolved: alarm');
    expect(JSON.stringify(posts(TEAMS_PATH).at(-1)!.body)).toContain('Resolved: alarm');

    // The alarm fires again ten minutes later, inside the old window: a new incident, sent.
    expect((await run(handler, occurrence(alarm, 3))).outcome).toBe('sent');
    expect(mails.at(-1)!.subject).toContain('is in ALARM');
  });

  it('an OK for an alarm that was never announced sends nothing', async () => {
    const handler = buildNotifierHandler(settings(await freshTable()));
    expect(await run(handler, fixture('cloudwatch-alarm-ok'))).toEqual({
      outcome: 'ignored',
      reason:
        'no open incident 123456789012/eu-west-1/cloudwatch-alarm/i-0a1b2c3d4e5f67890-system-status-check to resolve (it was not sent, or is resolved already)',
    });
    expect(posts(SLACK_PATH)).toHaveLength(0);
  });
});
