/**
 * Duplicate suppression in a DynamoDB table (partition key `pk`, TTL attribute `expiresAt`). The first
 * occurrence of an incident claims it for the window with a conditional put; later occurrences inside
 * the window only count themselves (conditional update). After the window the next occurrence claims
 * it again and learns how many were suppressed, so the message can say "seen N times".
 */
import {
  ConditionalCheckFailedException,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export type Claim =
  { send: true; occurrences: number; previousSuppressed: number } | { send: false; occurrences: number };

export interface IncidentStore {
  claim(incidentKey: string, now: Date): Promise<Claim>;
  /** Gives a claim back after every destination failed, so a retry of the same event sends again. */
  release(incidentKey: string, claim: Claim): Promise<void>;
}

/** Items outlive their window this long, so a repeat after the window still learns its count. */
const KEEP_AFTER_WINDOW_SECONDS = 7 * 24 * 3600;

export function createIncidentStore(db: DynamoDBClient, table: string, windowMinutes: number): IncidentStore {
  const windowMs = windowMinutes * 60_000;

  async function countIfInWindow(key: string, nowMs: number): Promise<number | undefined> {
    try {
      const out = await db.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: key } },
          UpdateExpression: 'ADD suppressed :one SET lastSeenAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND windowEndsAt > :now',
          ExpressionAttributeValues: { ':one': { N: '1' }, ':now': { N: String(nowMs) } },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.suppressed?.N ?? '1');
    } catch (err) {
      if (
        err instanceof ConditionalCheckFailedException ||
        (err as Error).name === 'ConditionalCheckFailedException'
      ) {
        return undefined;
      }
      throw err;
    }
  }

  async function claimWindow(key: string, nowMs: number): Promise<number | undefined> {
    const windowEnds = nowMs + windowMs;
    try {
      const out = await db.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: key },
            sentAt: { N: String(nowMs) },
            lastSeenAt: { N: String(nowMs) },
            windowEndsAt: { N: String(windowEnds) },
            suppressed: { N: '0' },
            expiresAt: { N: String(Math.ceil(windowEnds / 1000) + KEEP_AFTER_WINDOW_SECONDS) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR windowEndsAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(nowMs) } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Number(out.Attributes?.suppressed?.N ?? '0');
    } catch (err) {
      if (
        err instanceof ConditionalCheckFailedException ||
        (err as Error).name === 'ConditionalCheckFailedException'
      ) {
        return undefined;
      }
      throw err;
    }
  }

  return {
    async claim(key, now) {
      const nowMs = now.getTime();
      // Two rounds cover the race where another invocation claims or expires the item between our calls.
      for (let round = 0; round < 2; round++) {
        const counted = await countIfInWindow(key, nowMs);
        if (counted !== undefined) return { send: false, occurrences: counted + 1 };
        const previousSuppressed = await claimWindow(key, nowMs);
        if (previousSuppressed !== undefined) {
          return { send: true, occurrences: previousSuppressed + 1, previousSuppressed };
        }
      }
      throw new Error(
        `could not claim or count incident ${key} in table ${table}: it changed under us twice`,
      );
    },
    async release(key, claim) {
      if (!claim.send) return;
      await db.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: key } },
          UpdateExpression: 'SET windowEndsAt = :zero, suppressed = :prev',
          ExpressionAttributeValues: {
            ':zero': { N: '0' },
            ':prev': { N: String(claim.previousSuppressed) },
          },
        }),
      );
    },
  };
}
