/**
 * Local stand-ins the notifier tests talk to over real HTTP on 127.0.0.1: a webhook receiver (Slack or
 * Teams) that records payloads and answers as scripted, and dynalite for DynamoDB.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
// dynalite ships no types; it is a function returning an http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs?: number }) => Server;

export interface ReceivedPost {
  path: string;
  body: unknown;
  at: number;
  contentType: string | undefined;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the connection stays open until the client gives up or the receiver closes). */
  hang?: boolean;
}

/** Shorthands for the answers a chat webhook gives when it is in trouble. */
export const ANSWERS = {
  rateLimited: (retryAfterSeconds: number): ScriptedAnswer => ({
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: 'rate_limited',
  }),
  serverError: (status = 500): ScriptedAnswer => ({ status, body: 'internal_error' }),
  revoked: (): ScriptedAnswer => ({ status: 403, body: 'invalid_token' }),
  hang: (): ScriptedAnswer => ({ status: 0, hang: true }),
};

export interface WebhookReceiver {
  url: string;
  received: ReceivedPost[];
  /** Answers for the next requests to `path`, in order; afterwards 200 "ok". */
  script(path: string, ...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** `now` stamps each post's arrival (`at`): a test on a virtual clock passes its clock. */
export async function startWebhookReceiver(now: () => number = Date.now): Promise<WebhookReceiver> {
  const received: ReceivedPost[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text: the test will say it was not JSON
      }
      const path = req.url ?? '/';
      received.push({ path, body, at: now(), contentType: req.headers['content-type'] });
      const answer = scripts.get(path)?.shift() ?? { status: 200, body: 'ok' };
      if (answer.hang) return;
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  const url = await listen(server);
  return {
    url,
    received,
    script: (path, ...answers) => scripts.set(path, [...(scripts.get(path) ?? []), ...answers]),
    close: () => closeServer(server),
  };
}

export interface LocalDynamo {
  url: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** dynalite on a free port, with the notifier's table (partition key pk) created. */
export async function startDynalite(table: string): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0 });
  const url = await listen(server);
  const client = new DynamoDBClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    url,
    client,
    close: async () => {
      client.destroy();
      await closeServer(server);
    },
  };
}
