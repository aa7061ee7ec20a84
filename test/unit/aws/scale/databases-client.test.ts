/**
 * A client set without the serviceClient hook (a hand-made test double) gets no RDS client: the
 * databases are reported as not read, and nothing is sent anywhere, least of all to whatever
 * endpoint the environment names.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { serviceClientHook, type AwsClients } from '../../../../shared/aws/clients';
import { applyScaleActions } from '../../../../shared/aws/scale';
import { readDatabases } from '../../../../shared/aws/scale/databases';
import type { ScaleAction } from '../../../../shared/plan/scale';

const T = new Date('2026-11-23T17:30:00Z');
let server: Server;
let hits = 0;
const saved: Record<string, string | undefined> = {};
const ENV = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_RDS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

// An endpoint the environment names: a fallback client would go here.
beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  for (const k of ENV) saved[k] = process.env[k];
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ENDPOINT_URL = url;
  process.env.AWS_ENDPOINT_URL_RDS = url;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
});

afterAll(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await new Promise((ok) => server.close(ok));
});

const noHook = { region: 'eu-west-1' } as unknown as AwsClients;

describe('the RDS client of a client set without the serviceClient hook', () => {
  it('reads no databases, reports why, and sends nothing', async () => {
    const read = await readDatabases(noHook);
    expect(read.databases).toEqual([]);
    expect(read.failure).toMatchObject({ resourceId: 'eu-west-1', action: 'DescribeDBInstances' });
    expect(read.failure!.message).toContain('no serviceClient hook');
    expect(read.failure!.message).toContain('databases were left as they are this run');
    expect(hits).toBe(0);
  });

  it('does not stop or start a database it is asked to: each action is a failure naming the missing hook', async () => {
    const database = {
      type: 'db-instance' as const,
      id: 'orders-dev',
      arn: 'arn:aws:rds:eu-west-1:1:db:orders-dev',
    };
    const actions: ScaleAction[] = [
      { kind: 'stop-database', database, transition: T },
      { kind: 'start-database', database: { ...database, id: 'billing-dev' }, transition: T },
    ];
    const result = await applyScaleActions(noHook, actions, { now: T, hasTime: () => true });
    expect(result.done).toEqual([]);
    expect(result.failures.map((f) => [f.resourceId, f.action])).toEqual([
      // The morning phase (starts) comes before the night phase (stops).
      ['billing-dev', 'StartDBInstance'],
      ['orders-dev', 'AddTagsToResource'],
    ]);
    for (const f of result.failures) expect(f.message).toContain('no serviceClient hook');
    expect(hits).toBe(0);
  });

  it('with serviceClientHook, builds each service client once from the set’s own config', () => {
    let built = 0;
    const hook = serviceClientHook(() => ({ region: 'eu-west-1', maxAttempts: 3 }));
    const make = (config: { region: string }) => {
      built++;
      return { destroy: () => undefined, middlewareStack: {}, region: config.region };
    };
    const a = hook('rds', make);
    expect(hook('rds', make)).toBe(a);
    expect(a.region).toBe('eu-west-1');
    expect(built).toBe(1);
  });
});
