/**
 * The weekly digest over real DynamoDB calls (dynalite) and a real webhook post: run summaries are
 * summed into the week's totals once each, and Monday's event sends them once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  createDigestStore,
  createIncidentStore,
  DEFAULT_WEBHOOK_OPTIONS,
  DIGEST_DUE,
  notifyEvent,
  parseNotifierSettings,
  WebhookPoster,
  type EventBridgeEvent,
  type NotifierDeps,
} from '../../../shared/notify';
import type { RunSummaryDetail } from '../../../shared/events';
import {
  startDynalite,
  startWebhookReceiver,
  type LocalDynamo,
  type WebhookReceiver,
} from '../../helpers/notifier-servers';

const SLACK = '/services/T1/B1/digest';
let dynamo: LocalDynamo;
let receiver: WebhookReceiver;
let table = 'digest-0';
let tables = 0;
let now = new Date('2026-11-25T12:00:00Z');
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  dynamo = await startDynalite(table);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await Promise.all([dynamo.close(), receiver.close()]);
});
beforeEach(async () => {
  table = `digest-${++tables}`;
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  receiver.received.splice(0);
  logs.splice(0);
});

function deps(weeklyDigest = 'true'): NotifierDeps {
  const settings = parseNotifierSettings({
    SLACK_WEBHOOK_PARAMETER: '/ec2-hygiene/test/slack',
    DEDUPE_TABLE: table,
    WEEKLY_DIGEST: weeklyDigest,
  });
  return {
    settings,
    store: createIncidentStore(dynamo.client, table, 60),
    digest: settings.weeklyDigest ? createDigestStore(dynamo.client, table) : undefined,
    secrets: { get: async () => `${receiver.url}${SLACK}` },
    webhooks: new WebhookPoster({
      ...DEFAULT_WEBHOOK_OPTIONS,
      minIntervalMs: 0,
      sleep: async () => undefined,
      now: () => now.getTime(),
    }),
    now: () => now,
    log: (r) => logs.push(r),
  };
}

function summary(
  id: string,
  fn: RunSummaryDetail['function'],
  finishedAt: string,
  counts: Record<string, number>,
  extra: Partial<RunSummaryDetail> = {},
): EventBridgeEvent {
  const detail: RunSummaryDetail = {
    function: fn,
    region: 'eu-west-1',
    accountId: '123456789012',
    startedAt: finishedAt,
    finishedAt,
    dryRun: false,
    incomplete: false,
    counts,
    failures: [],
    skipped: [],
    ...extra,
  };
  return {
    id,
    source: 'ec2-hygiene',
    'detail-type': 'EC2 Hygiene Run Summary',
    account: '123456789012',
    detail,
  };
}

const due = (id: string): EventBridgeEvent => ({
  id,
  source: 'ec2-hygiene',
  'detail-type': DIGEST_DUE,
  account: '123456789012',
  detail: {},
});

const slackText = (i: number): string => JSON.stringify(receiver.received[i]?.body);

describe('the weekly digest', () => {
  it("sums the week's run summaries once each and sends them once on Monday", async () => {
    const d = deps();
    // Week of Monday 2026-11-23.
    await notifyEvent(summary('t1', 'tagger', '2026-11-23T00:20:00Z', { taggedLastUsed: 3, inUse: 3 }), d);
    await notifyEvent(summary('t2', 'tagger', '2026-11-23T00:40:00Z', { taggedLastUsed: 1, inUse: 3 }), d);
    const cleanup = summary('c1', 'cleanup', '2026-11-24T03:00:00Z', { deleted: 2, snapshotsDeleted: 3 });
    await notifyEvent(cleanup, d);
    // EventBridge delivers at least once, and Lambda retries: the same event is counted once.
    await notifyEvent(cleanup, d);
    await notifyEvent(
      summary('s1', 'scale-to-zero', '2026-11-24T19:00:00Z', {
        groupsScaledToZero: 1,
        estimatedInstanceHoursSaved: 26,
        estimatedSavingsUsd: 2.5,
      }),
      d,
    );
    await notifyEvent(
      summary('s2', 'scale-to-zero', '2026-11-25T19:00:00Z', {
        groupsScaledToZero: 1,
        estimatedInstanceHoursSaved: 26,
        estimatedSavingsUsd: 2.5,
      }),
      d,
    );
    // A dry run is counted as one, its figures left out.
    await notifyEvent(
      summary('c2', 'cleanup', '2026-11-25T03:00:00Z', { deleted: 0, planned: 9 }, { dryRun: true }),
      d,
    );
    // The week before and the week after are not this week.
    await notifyEvent(summary('old', 'cleanup', '2026-11-22T23:59:00Z', { deleted: 50 }), d);
    await notifyEvent(summary('new', 'cleanup', '2026-11-30T00:01:00Z', { deleted: 70 }), d);

    now = new Date('2026-11-30T08:00:05Z');
    const sent = await notifyEvent(due('monday-1'), d);
    expect(sent).toMatchObject({
      outcome: 'sent',
      incidentKey: '123456789012/ec2-hygiene/weekly-digest/2026-11-23',
    });
    expect(receiver.received).toHaveLength(1);
    const text = slackText(0);
    expect(text).toContain('ec2-hygiene weekly digest, 2026-11-23 to 2026-11-29');
    expect(text).toContain('Saved about $5.00 (estimate): 52 instance-hours asleep');
    expect(text).toContain('Deleted 2 AMIs and 3 snapshots');
    expect(text).toContain('tagger (eu-west-1): 2 runs; AMIs tagged last used 4');
    expect(text).toContain(
      'cleanup (eu-west-1): 1 run and 1 dry run (not counted); AMIs deleted 2, Snapshots deleted 3',
    );
    expect(text).toContain('scale-to-zero (eu-west-1): 2 runs; Groups scaled to zero 2');

    // Lambda's retry of the same schedule event, or a second trigger: not sent twice.
    const again = await notifyEvent(due('monday-1'), d);
    expect(again.outcome).toBe('already-sent');
    expect(receiver.received).toHaveLength(1);
  });

  it('a week with no run summaries says so rather than sending figures of zero', async () => {
    now = new Date('2026-12-07T08:00:00Z');
    await notifyEvent(due('monday-2'), deps());
    expect(slackText(0)).toContain('No run summary reached the notifier this week');
  });

  it('is off by default: summaries are not recorded and the Monday event is ignored', async () => {
    const off = deps('');
    expect(off.settings.weeklyDigest).toBe(false);
    await notifyEvent(summary('c9', 'cleanup', '2026-11-24T03:00:00Z', { deleted: 2 }), off);
    now = new Date('2026-11-30T08:00:00Z');
    const r = await notifyEvent(due('monday-3'), off);
    expect(r).toEqual({ outcome: 'ignored', reason: 'the weekly digest is off (WEEKLY_DIGEST)' });
    // Turned on later, the week it did not record is empty.
    await notifyEvent(due('monday-4'), deps());
    expect(slackText(0)).toContain('No run summary reached the notifier this week');
  });

  it('a failed write never keeps the run summary from being sent; an unreadable table fails the digest', async () => {
    const d = deps();
    d.digest = {
      record: () =>
        Promise.reject(
          Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }),
        ),
      read: () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })),
    };
    const failing = summary(
      'f1',
      'cleanup',
      '2026-11-24T03:00:00Z',
      { deleted: 0 },
      {
        failures: [{ resourceId: 'ami-1', action: 'DeregisterImage', message: 'boom' }],
      },
    );
    expect((await notifyEvent(failing, d)).outcome).toBe('sent');
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'could not add the run summary to the weekly digest' }),
    );
    now = new Date('2026-11-30T08:00:00Z');
    await expect(notifyEvent(due('monday-5'), d)).rejects.toThrow('denied');
  });

  it('rejects a WEEKLY_DIGEST that is not true or false, naming it', () => {
    expect(() => deps('yes')).toThrow('WEEKLY_DIGEST="yes": expected true or false');
  });
});
