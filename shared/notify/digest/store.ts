/**
 * The week's totals in the notifier's table: every run summary the notifier receives adds its metrics
 * (the same values shared/metrics.ts writes to CloudWatch) to one item per week, function and region.
 * A redelivered event (EventBridge delivers at least once; Lambda retries) is added once: the item
 * keeps the ids of the events it counted and the update is conditional on the id being new. A week's
 * index item lists its function/region items, so the digest reads them without a scan.
 */
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { FunctionName, RunSummaryDetail } from '../../events';
import { METRICS } from '../../metrics';
import { errorCode } from '../../errors';
import { day, weekStart } from './week';

/** Digest items outlive their week this long (the table's TTL attribute removes them after). */
const KEEP_SECONDS = 6 * 7 * 24 * 3600;

/** One function in one region over the week. */
export interface WeekPart {
  fn: FunctionName;
  region: string;
  accountId?: string;
  /** Runs counted (dry runs are counted apart and their figures left out). */
  runs: number;
  dryRuns: number;
  /** Metric name → sum over the week's runs. */
  metrics: Record<string, number>;
}

export interface WeekTotals {
  /** Monday 00:00 UTC, as a date. */
  week: string;
  parts: WeekPart[];
}

export type RecordOutcome = 'recorded' | 'already-recorded' | 'not-recorded';

export interface DigestStore {
  /** Adds a run summary to the week of its finish time. */
  record(summary: RunSummaryDetail, eventId: string | undefined, receivedAt: Date): Promise<RecordOutcome>;
  read(week: Date): Promise<WeekTotals>;
}

const FUNCTIONS = new Set<string>(Object.keys(METRICS));

/** The week a summary belongs to: its finish time, or when it arrived if that cannot be read. */
function runTime(summary: RunSummaryDetail, receivedAt: Date): Date {
  const t = Date.parse(summary.finishedAt);
  return Number.isNaN(t) ? receivedAt : new Date(t);
}

/** The summary's metric values, named as on the dashboard; dry runs count only as dry runs. */
function valuesOf(summary: RunSummaryDetail): Record<string, number> {
  if (summary.dryRun) return { DryRuns: 1 };
  const out: Record<string, number> = {};
  for (const m of METRICS[summary.function]) {
    // An age is a level, not an amount: a week's sum of ages means nothing.
    if (m.unit === 'Seconds') continue;
    const v = m.value(summary);
    if (v !== undefined && Number.isFinite(v) && v !== 0) out[m.name] = v;
  }
  out.Runs = 1;
  return out;
}

const partKey = (week: string, fn: string, region: string) => `digest#${week}#${fn}#${region}`;
const indexKey = (week: string) => `digest#${week}`;

export function createDigestStore(db: DynamoDBClient, table: string): DigestStore {
  return {
    async record(summary, eventId, receivedAt) {
      if (!FUNCTIONS.has(summary.function) || summary.function === 'notifier') return 'not-recorded';
      if (typeof summary.region !== 'string' || summary.region === '') return 'not-recorded';
      const week = day(weekStart(runTime(summary, receivedAt)));
      const expiresAt = Math.floor(new Date(`${week}T00:00:00Z`).getTime() / 1000) + KEEP_SECONDS;
      const values = Object.entries(valuesOf(summary));
      const names: Record<string, string> = {};
      const attrs: Record<string, { N: string } | { S: string } | { SS: string[] }> = {
        ':exp': { N: String(expiresAt) },
        ':fn': { S: summary.function },
        ':region': { S: summary.region },
        ':account': { S: String(summary.accountId ?? '') },
      };
      const adds = values.map(([name, v], i) => {
        names[`#m${i}`] = `m_${name}`;
        attrs[`:v${i}`] = { N: String(v) };
        return `#m${i} :v${i}`;
      });
      let condition: string | undefined;
      if (eventId) {
        adds.push('eventIds :ids');
        attrs[':ids'] = { SS: [eventId] };
        attrs[':id'] = { S: eventId };
        condition = 'attribute_not_exists(eventIds) OR NOT contains(eventIds, :id)';
      }
      try {
        await db.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { pk: { S: partKey(week, summary.function, summary.region) } },
            UpdateExpression: `SET expiresAt = :exp, fn = :fn, #region = :region, accountId = :account ADD ${adds.join(', ')}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: { ...names, '#region': 'region' },
            ExpressionAttributeValues: attrs,
          }),
        );
      } catch (err) {
        if (
          err instanceof ConditionalCheckFailedException ||
          errorCode(err) === 'ConditionalCheckFailedException'
        )
          return 'already-recorded';
        throw err;
      }
      // Idempotent: adding the same member to a set twice leaves one.
      await db.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: indexKey(week) } },
          UpdateExpression: 'SET expiresAt = :exp ADD parts :part',
          ExpressionAttributeValues: {
            ':exp': { N: String(expiresAt) },
            ':part': { SS: [`${summary.function}#${summary.region}`] },
          },
        }),
      );
      return 'recorded';
    },

    async read(weekDate) {
      const week = day(weekStart(weekDate));
      const index = await db.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: indexKey(week) } }, ConsistentRead: true }),
      );
      const parts: WeekPart[] = [];
      for (const part of [...(index.Item?.parts?.SS ?? [])].sort()) {
        const [fn = '', region = ''] = part.split('#');
        const got = await db.send(
          new GetItemCommand({
            TableName: table,
            Key: { pk: { S: partKey(week, fn, region) } },
            ConsistentRead: true,
          }),
        );
        const item = got.Item ?? {};
        const metrics: Record<string, number> = {};
        for (const [k, v] of Object.entries(item)) {
          if (k.startsWith('m_') && v.N !== undefined) metrics[k.slice(2)] = Number(v.N);
        }
        const { Runs = 0, DryRuns = 0, ...rest } = metrics;
        parts.push({
          fn: fn as FunctionName,
          region,
          ...(item.accountId?.S && { accountId: item.accountId.S }),
          runs: Runs,
          dryRuns: DryRuns,
          metrics: rest,
        });
      }
      return { week, parts };
    },
  };
}
