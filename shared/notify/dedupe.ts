/**
 * Duplicate suppression in a DynamoDB table (partition key `pk`, TTL attribute `expiresAt`). Two ideas
 * are kept apart here:
 *
 * - Grouping repeats of one incident: the first occurrence claims the incident for the dedupe window;
 *   later events of the same incident inside the window only count themselves. After the window the
 *   next occurrence claims it again and learns how many were suppressed ("seen N times").
 * - Idempotency of one event: the claim records which EventBridge event made it and stays
 *   "in progress" until that invocation completes it. Lambda's retry of the same event id is never
 *   counted as a repeat: while the claim is not completed the retry takes it over and sends. A claim
 *   whose invocation can no longer be running (its in-progress expiry, now + the invocation's
 *   remaining time, has passed) is taken over by the next event of the incident, so a crashed or
 *   timed-out invocation cannot silence an incident for a whole window.
 */
import {
  ConditionalCheckFailedException,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';

import { errorCode } from '../errors';

export type Claim =
  | { send: true; occurrences: number; previousSuppressed: number; eventId?: string }
  /** `alreadySent`: this very event was delivered and completed before (an at-least-once redelivery). */
  | { send: false; occurrences: number; alreadySent?: true };

/** Who is claiming: the event's id, and until when the invocation making the claim can be running. */
export interface ClaimAttempt {
  eventId?: string;
  inProgressUntil?: Date;
}

export interface IncidentStore {
  claim(incidentKey: string, now: Date, attempt?: ClaimAttempt): Promise<Claim>;
  /** Marks the claim done after someone got the message: a retry of the event is now a redelivery. */
  complete(incidentKey: string, claim: Claim): Promise<void>;
  /** Gives a claim back after every destination failed, so a retry of the same event sends again. */
  release(incidentKey: string, claim: Claim): Promise<void>;
  /**
   * Closes an incident whose message was sent (an alarm back to OK): its window ends now, so the next
   * occurrence is a new incident. False when there is no such incident to close (never opened, not
   * sent, or already resolved by another event). The same resolving event may close it again (Lambda's
   * retry after the "resolved" message failed).
   */
  resolve(incidentKey: string, now: Date, eventId?: string): Promise<boolean>;
}

/** Items outlive their window this long, so a repeat after the window still learns its count. */
const KEEP_AFTER_WINDOW_SECONDS = 7 * 24 * 3600;
/** Lambda's longest run: the in-progress expiry when the caller did not say how long it has. */
const MAX_INVOCATION_MS = 15 * 60_000;

const IN_PROGRESS = 'in-progress';
const COMPLETED = 'completed';

function conditionFailed(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException || errorCode(err) === 'ConditionalCheckFailedException'
  );
}

/** Runs a conditional write; undefined when its condition did not hold. */
async function conditional<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (err) {
    if (conditionFailed(err)) return undefined;
    throw err;
  }
}

/** The table and the window length every write below works with. */
interface IncidentTable {
  db: DynamoDBClient;
  table: string;
  windowMs: number;
}

export function createIncidentStore(db: DynamoDBClient, table: string, windowMinutes: number): IncidentStore {
  const t: IncidentTable = { db, table, windowMs: windowMinutes * 60_000 };
  return {
    claim: (key, now, attempt = {}) => claimIncident(t, key, now, attempt),
    complete: (key, claim) => completeClaim(t, key, claim),
    resolve: (key, now, eventId) => resolveIncident(t, key, now, eventId),
    release: (key, claim) => releaseClaim(t, key, claim),
  };
}

async function claimIncident(
  t: IncidentTable,
  key: string,
  now: Date,
  attempt: ClaimAttempt,
): Promise<Claim> {
  const nowMs = now.getTime();
  // Without an event id every claim is its own: only expiry lets another one take it over.
  const eventId = attempt.eventId || `anonymous-${randomUUID()}`;
  const until = attempt.inProgressUntil?.getTime() ?? nowMs + MAX_INVOCATION_MS;
  // Two rounds cover the race where another invocation claims or expires the item between our calls.
  for (let round = 0; round < 2; round++) {
    const previousSuppressed = await claimWindow(t, key, nowMs, eventId, until);
    if (previousSuppressed !== undefined) {
      await rememberPrevious(t, key, eventId, previousSuppressed);
      return { send: true, occurrences: previousSuppressed + 1, previousSuppressed, eventId };
    }
    const carried = await takeOver(t, key, nowMs, eventId, until);
    if (carried !== undefined) {
      return { send: true, occurrences: carried + 1, previousSuppressed: carried, eventId };
    }
    const counted = await countRepeat(t, key, nowMs, eventId);
    if (counted !== undefined) return { send: false, occurrences: counted + 1 };
    if (await completedBySameEvent(t, key, nowMs, eventId))
      return { send: false, occurrences: 1, alreadySent: true };
  }
  throw new Error(`could not claim or count incident ${key} in table ${t.table}: it changed under us twice`);
}

/** A new window: no item, or the last window is over. Returns the previous window's suppressed count. */
function claimWindow(t: IncidentTable, key: string, nowMs: number, eventId: string, until: number) {
  return conditional(async () => {
    const windowEnds = nowMs + t.windowMs;
    const out = await t.db.send(
      new PutItemCommand({
        TableName: t.table,
        Item: {
          pk: { S: key },
          sentAt: { N: String(nowMs) },
          lastSeenAt: { N: String(nowMs) },
          windowEndsAt: { N: String(windowEnds) },
          suppressed: { N: '0' },
          eventId: { S: eventId },
          claimState: { S: IN_PROGRESS },
          inProgressUntil: { N: String(until) },
          expiresAt: { N: String(Math.ceil(windowEnds / 1000) + KEEP_AFTER_WINDOW_SECONDS) },
        },
        ConditionExpression: 'attribute_not_exists(pk) OR windowEndsAt <= :now',
        ExpressionAttributeValues: { ':now': { N: String(nowMs) } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Number(out.Attributes?.suppressed?.N ?? '0');
  });
}

/**
 * Takes over an unfinished claim in the window: Lambda's retry of the event that made it, or any
 * event once the claiming invocation can no longer be running. Returns the count the claim had.
 */
function takeOver(t: IncidentTable, key: string, nowMs: number, eventId: string, until: number) {
  return conditional(async () => {
    const out = await t.db.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: key } },
        UpdateExpression: 'SET eventId = :eid, inProgressUntil = :until, lastSeenAt = :now',
        ConditionExpression:
          'attribute_exists(pk) AND windowEndsAt > :now AND claimState = :inProgress AND (eventId = :eid OR inProgressUntil <= :now)',
        ExpressionAttributeValues: {
          ':eid': { S: eventId },
          ':until': { N: String(until) },
          ':now': { N: String(nowMs) },
          ':inProgress': { S: IN_PROGRESS },
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Number(out.Attributes?.previousSuppressed?.N ?? '0');
  });
}

/** Another event of an incident claimed in the window: count it. Never the claiming event itself. */
function countRepeat(t: IncidentTable, key: string, nowMs: number, eventId: string) {
  return conditional(async () => {
    const out = await t.db.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: key } },
        UpdateExpression: 'ADD suppressed :one SET lastSeenAt = :now',
        ConditionExpression:
          'attribute_exists(pk) AND windowEndsAt > :now AND (attribute_not_exists(eventId) OR eventId <> :eid)',
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':now': { N: String(nowMs) },
          ':eid': { S: eventId },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.suppressed?.N ?? '1');
  });
}

/** The claiming event again after it completed: EventBridge delivers at least once. */
function completedBySameEvent(t: IncidentTable, key: string, nowMs: number, eventId: string) {
  return conditional(async () => {
    await t.db.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: key } },
        UpdateExpression: 'SET lastSeenAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND eventId = :eid AND claimState = :completed',
        ExpressionAttributeValues: {
          ':now': { N: String(nowMs) },
          ':eid': { S: eventId },
          ':completed': { S: COMPLETED },
        },
      }),
    );
    return true;
  });
}

/** A claim taken over later must still report the count of the window before it. */
async function rememberPrevious(
  t: IncidentTable,
  key: string,
  eventId: string,
  previousSuppressed: number,
): Promise<void> {
  if (previousSuppressed === 0) return;
  await conditional(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: key } },
        UpdateExpression: 'SET previousSuppressed = :prev',
        ConditionExpression: 'eventId = :eid',
        ExpressionAttributeValues: { ':prev': { N: String(previousSuppressed) }, ':eid': { S: eventId } },
      }),
    ),
  );
}

async function completeClaim(t: IncidentTable, key: string, claim: Claim): Promise<void> {
  if (!claim.send || claim.eventId === undefined) return;
  // Only our own claim: another invocation may have taken it over after our expiry.
  await conditional(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: key } },
        UpdateExpression: 'SET claimState = :completed',
        ConditionExpression: 'eventId = :eid',
        ExpressionAttributeValues: { ':completed': { S: COMPLETED }, ':eid': { S: claim.eventId! } },
      }),
    ),
  );
}

async function resolveIncident(t: IncidentTable, key: string, now: Date, eventId?: string): Promise<boolean> {
  const nowMs = now.getTime();
  const by = eventId || `anonymous-${randomUUID()}`;
  const closed = await conditional(() =>
    t.db.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: key } },
        UpdateExpression: 'SET windowEndsAt = :now, resolvedAt = :now, resolvedBy = :by',
        ConditionExpression:
          'attribute_exists(pk) AND claimState = :completed AND (attribute_not_exists(resolvedBy) OR resolvedBy = :by)',
        ExpressionAttributeValues: {
          ':now': { N: String(nowMs) },
          ':by': { S: by },
          ':completed': { S: COMPLETED },
        },
      }),
    ),
  );
  return closed !== undefined;
}

async function releaseClaim(t: IncidentTable, key: string, claim: Claim): Promise<void> {
  if (!claim.send) return;
  await t.db.send(
    new UpdateItemCommand({
      TableName: t.table,
      Key: { pk: { S: key } },
      UpdateExpression: 'SET windowEndsAt = :zero, suppressed = :prev',
      ExpressionAttributeValues: {
        ':zero': { N: '0' },
        ':prev': { N: String(claim.previousSuppressed) },
      },
    }),
  );
}
