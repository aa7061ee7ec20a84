import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createIncidentStore } from '../../shared/notify';
import { startDynalite, type LocalDynamo } from './servers';

const TABLE = 'notifier-dedupe-test';
const minutes = (n: number) => n * 60_000;

describe('incident store on DynamoDB (dynalite)', () => {
  let db: LocalDynamo;
  beforeAll(async () => {
    db = await startDynalite(TABLE);
  });
  afterAll(() => db.close());

  it('sends the first occurrence, counts repeats inside the window, sends again after it with the count', async () => {
    const store = createIncidentStore(db.client, TABLE, 60);
    const t0 = new Date('2026-11-23T03:00:00Z');
    expect(await store.claim('k1', t0)).toEqual({ send: true, occurrences: 1, previousSuppressed: 0 });
    expect(await store.claim('k1', new Date(t0.getTime() + minutes(10)))).toEqual({
      send: false,
      occurrences: 2,
    });
    expect(await store.claim('k1', new Date(t0.getTime() + minutes(59)))).toEqual({
      send: false,
      occurrences: 3,
    });
    // After the window: sent again, "seen 3 times since the last message" (two suppressed and this one).
    expect(await store.claim('k1', new Date(t0.getTime() + minutes(61)))).toEqual({
      send: true,
      occurrences: 3,
      previousSuppressed: 2,
    });
    expect(await store.claim('k1', new Date(t0.getTime() + minutes(62)))).toEqual({
      send: false,
      occurrences: 2,
    });
  });

  it('keeps incidents apart by key', async () => {
    const store = createIncidentStore(db.client, TABLE, 60);
    const now = new Date('2026-11-23T03:00:00Z');
    expect((await store.claim('a', now)).send).toBe(true);
    expect((await store.claim('b', now)).send).toBe(true);
  });

  it('writes a TTL (epoch seconds) past the window so the table cleans itself', async () => {
    const store = createIncidentStore(db.client, TABLE, 30);
    const now = new Date('2026-11-23T03:00:00Z');
    await store.claim('ttl', now);
    const item = await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'ttl' } } }));
    const expiresAt = Number(item.Item?.expiresAt?.N);
    expect(expiresAt).toBeGreaterThan(now.getTime() / 1000 + 30 * 60);
    expect(expiresAt).toBeLessThan(now.getTime() / 1000 + 8 * 24 * 3600);
  });

  it('concurrent occurrences: exactly one is sent', async () => {
    const store = createIncidentStore(db.client, TABLE, 60);
    const now = new Date('2026-11-23T05:00:00Z');
    const claims = await Promise.all(Array.from({ length: 8 }, () => store.claim('race', now)));
    expect(claims.filter((c) => c.send)).toHaveLength(1);
  });

  it('a released claim (every destination failed) is sent by the retry, with the count it had', async () => {
    const store = createIncidentStore(db.client, TABLE, 60);
    const t0 = new Date('2026-11-23T06:00:00Z');
    await store.claim('rel', t0);
    await store.claim('rel', new Date(t0.getTime() + minutes(1)));
    const again = await store.claim('rel', new Date(t0.getTime() + minutes(70)));
    expect(again).toEqual({ send: true, occurrences: 2, previousSuppressed: 1 });
    await store.release('rel', again);
    expect(await store.claim('rel', new Date(t0.getTime() + minutes(71)))).toEqual({
      send: true,
      occurrences: 2,
      previousSuppressed: 1,
    });
  });
});
