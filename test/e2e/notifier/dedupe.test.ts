import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createIncidentStore } from '../../../shared/notify';
import { startDynalite, type LocalDynamo } from '../../helpers/notifier-servers';

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
    const first = await store.claim('k1', t0);
    expect(first).toMatchObject({ send: true, occurrences: 1, previousSuppressed: 0 });
    await store.complete('k1', first);
    expect(await store.claim('k1', new Date(t0.getTime() + minutes(10)))).toEqual({
      send: false,
      occurrences: 2,
    });
    expect(await store.claim('k1', new Date(t0.getTime() + minutes(59)))).toEqual({
      send: false,
      occurrences: 3,
    });
    // After the window: sent again, "seen 3 times since the last message" (two suppressed and this one).
    expect(await store.claim('k1', new Date(t0.getTime() + minutes(61)))).toMatchObject({
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
    expect(again).toMatchObject({ send: true, occurrences: 2, previousSuppressed: 1 });
    await store.release('rel', again);
    expect(await store.claim('rel', new Date(t0.getTime() + minutes(71)))).toMatchObject({
      send: true,
      occurrences: 2,
      previousSuppressed: 1,
    });
  });

  describe('idempotency of one event, apart from grouping repeats', () => {
    const t0 = new Date('2026-11-23T08:00:00Z');
    const at = (min: number) => new Date(t0.getTime() + minutes(min));
    // The claiming invocation had 2 minutes left: past that it cannot be running.
    const attempt = (eventId: string, min = 0) => ({ eventId, inProgressUntil: at(min + 2) });

    it("Lambda's retry of the event whose invocation crashed after claiming is sent, not counted as a repeat", async () => {
      const store = createIncidentStore(db.client, TABLE, 60);
      expect(await store.claim('crash', t0, attempt('ev-1'))).toMatchObject({ send: true, occurrences: 1 });
      // No complete, no release: the invocation died. Lambda retries the same event a minute later.
      expect(await store.claim('crash', at(1), attempt('ev-1', 1))).toMatchObject({
        send: true,
        occurrences: 1,
        eventId: 'ev-1',
      });
    });

    it('another event of the incident is counted while the claim can still be running, and takes it over after', async () => {
      const store = createIncidentStore(db.client, TABLE, 60);
      await store.claim('live', t0, attempt('ev-a'));
      expect(await store.claim('live', at(1), attempt('ev-b', 1))).toEqual({ send: false, occurrences: 2 });
      // ev-a's invocation could run until minute 2 and never completed: ev-c sends instead.
      expect(await store.claim('live', at(5), attempt('ev-c', 5))).toMatchObject({
        send: true,
        eventId: 'ev-c',
      });
    });

    it('a completed claim: other events are counted; the same event again is a redelivery, not a repeat', async () => {
      const store = createIncidentStore(db.client, TABLE, 60);
      const claim = await store.claim('done', t0, attempt('ev-1'));
      await store.complete('done', claim);
      expect(await store.claim('done', at(30), attempt('ev-2', 30))).toEqual({ send: false, occurrences: 2 });
      expect(await store.claim('done', at(31), attempt('ev-1', 31))).toEqual({
        send: false,
        occurrences: 1,
        alreadySent: true,
      });
    });

    it('completing does not touch a claim another invocation has taken over', async () => {
      const store = createIncidentStore(db.client, TABLE, 60);
      const stale = await store.claim('over', t0, attempt('ev-1'));
      const fresh = await store.claim('over', at(10), attempt('ev-2', 10));
      expect(fresh).toMatchObject({ send: true, eventId: 'ev-2' });
      await store.complete('over', stale);
      const item = await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'over' } } }));
      expect(item.Item).toMatchObject({ eventId: { S: 'ev-2' }, claimState: { S: 'in-progress' } });
    });

    it('a retry after the window closed in between keeps the count of the window before', async () => {
      const store = createIncidentStore(db.client, TABLE, 60);
      const first = await store.claim('prev', t0, attempt('ev-1'));
      await store.complete('prev', first);
      await store.claim('prev', at(10), attempt('ev-2', 10));
      const next = await store.claim('prev', at(70), attempt('ev-3', 70));
      expect(next).toMatchObject({ send: true, occurrences: 2, previousSuppressed: 1 });
      // ev-3's invocation crashed; its retry still says "seen 2 times".
      expect(await store.claim('prev', at(71), attempt('ev-3', 71))).toMatchObject({
        send: true,
        occurrences: 2,
        previousSuppressed: 1,
      });
    });
  });

  describe('resolving an incident (an alarm back to OK)', () => {
    const t0 = new Date('2026-11-23T10:00:00Z');
    const at = (min: number) => new Date(t0.getTime() + minutes(min));

    it('closes a sent incident once: the next occurrence is a new incident, sent at once', async () => {
      const store = createIncidentStore(db.client, TABLE, 60);
      const claim = await store.claim('alarm', t0, { eventId: 'alarm-1' });
      await store.complete('alarm', claim);
      expect(await store.resolve('alarm', at(5), 'ok-1')).toBe(true);
      // Lambda's retry of the same OK event may resolve again; another OK event may not.
      expect(await store.resolve('alarm', at(6), 'ok-1')).toBe(true);
      expect(await store.resolve('alarm', at(6), 'ok-2')).toBe(false);
      expect(await store.claim('alarm', at(10), { eventId: 'alarm-2' })).toMatchObject({ send: true });
    });

    it('does not resolve an incident never opened, or one still being sent', async () => {
      const store = createIncidentStore(db.client, TABLE, 60);
      expect(await store.resolve('never', t0, 'ok-1')).toBe(false);
      await store.claim('sending', t0, { eventId: 'alarm-1' });
      expect(await store.resolve('sending', at(1), 'ok-1')).toBe(false);
    });
  });
});
