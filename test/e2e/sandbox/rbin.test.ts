/**
 * The local account's Recycle Bin over the wire (REST-JSON, routed by method and path): AWS's shapes,
 * pagination and errors, seeding through CreateRule with the admin credentials.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { createClients, destroyClients, type AwsClients } from '../../../shared/aws/clients';
import { recycleBinCalls, type RecycleBinCalls } from '../../../shared/aws/recycle-bin';

let sandbox: Sandbox;
let clients: AwsClients;
let calls: RecycleBinCalls;
beforeAll(async () => {
  sandbox = await startSandbox();
  clients = createClients('eu-north-1', { credentials: sandbox.credentials('admin'), maxAttempts: 1 });
  calls = recycleBinCalls(clients, { AWS_ENDPOINT_URL: sandbox.url });
});
afterAll(async () => {
  destroyClients(clients);
  await sandbox.close();
});

class Sha256 {
  private h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(d: string | Uint8Array) {
    this.h.update(d);
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/** A signed REST-JSON request, as the AWS CLI would send it. */
async function send(method: string, path: string, body?: unknown) {
  const url = new URL(sandbox.url);
  const signer = new SignatureV4({
    service: 'rbin',
    region: 'eu-north-1',
    credentials: sandbox.credentials('admin'),
    sha256: Sha256 as never,
  });
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: {},
    headers: { host: url.host, ...(text ? { 'content-type': 'application/json' } : {}) },
    ...(text ? { body: text } : {}),
  });
  const response = await fetch(new URL(path, url), {
    method,
    headers: signed.headers,
    ...(text ? { body: text } : {}),
  });
  return {
    status: response.status,
    type: response.headers.get('x-amzn-errortype'),
    json: (await response.json()) as Record<string, unknown>,
  };
}

describe('the local Recycle Bin', () => {
  it('creates rules with CreateRule (admin) and lists them by type, a page at a time', async () => {
    const created = [];
    for (const days of [7, 14, 21]) {
      const r = await send('POST', '/rules', {
        ResourceType: 'EC2_IMAGE',
        RetentionPeriod: { RetentionPeriodValue: days, RetentionPeriodUnit: 'DAYS' },
        ResourceTags: [{ ResourceTagKey: 'Team', ResourceTagValue: 'web' }],
      });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        Identifier: expect.stringMatching(/^[0-9a-zA-Z]{11}$/),
        Status: 'available',
      });
      created.push(r.json.Identifier as string);
    }
    await send('POST', '/rules', {
      ResourceType: 'EBS_SNAPSHOT',
      RetentionPeriod: { RetentionPeriodValue: 30, RetentionPeriodUnit: 'DAYS' },
      LockConfiguration: { UnlockDelay: { UnlockDelayValue: 7, UnlockDelayUnit: 'DAYS' } },
    });

    const first = await calls.listRules({ ResourceType: 'EC2_IMAGE', MaxResults: 2 });
    expect(first.Rules).toHaveLength(2);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await calls.listRules({
      ResourceType: 'EC2_IMAGE',
      MaxResults: 2,
      NextToken: first.NextToken!,
    });
    expect(second.NextToken).toBeUndefined();
    expect([...first.Rules!, ...second.Rules!].map((r) => r.Identifier)).toEqual(created);
    expect(second.Rules![0]).toEqual({
      Identifier: created[2],
      RetentionPeriod: { RetentionPeriodValue: 21, RetentionPeriodUnit: 'DAYS' },
      RuleArn: `arn:aws:rbin:eu-north-1:${sandbox.state.accountId}:rule/${created[2]}`,
    });
    const snapshots = await calls.listRules({ ResourceType: 'EBS_SNAPSHOT' });
    expect(snapshots.Rules).toEqual([expect.objectContaining({ LockState: 'locked' })]);

    expect(await calls.getRule(created[0]!)).toMatchObject({
      Identifier: created[0],
      ResourceType: 'EC2_IMAGE',
      ResourceTags: [{ ResourceTagKey: 'Team', ResourceTagValue: 'web' }],
      ExcludeResourceTags: [],
      Status: 'available',
    });
  });

  it("answers with AWS's errors: ValidationException, ResourceNotFoundException, ConflictException", async () => {
    await expect(calls.listRules({ ResourceType: 'EBS_VOLUMES' as never })).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(calls.getRule('not-an-id')).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(calls.getRule('a1B2c3D4e5F')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule a1B2c3D4e5F not found',
      $metadata: { httpStatusCode: 404 },
    });
    const locked = (await calls.listRules({ ResourceType: 'EBS_SNAPSHOT' })).Rules![0]!.Identifier!;
    const refused = await send('DELETE', `/rules/${locked}`);
    expect(refused).toMatchObject({ status: 409, type: 'ConflictException' });
    const tagged = await send('POST', '/rules', {
      ResourceType: 'EC2_IMAGE',
      RetentionPeriod: { RetentionPeriodValue: 7, RetentionPeriodUnit: 'DAYS' },
      ResourceTags: [{ ResourceTagKey: 'A' }],
      ExcludeResourceTags: [{ ResourceTagKey: 'B' }],
    });
    expect(tagged).toMatchObject({ status: 400, type: 'ValidationException' });
    expect(await send('GET', '/no-such-route')).toMatchObject({
      status: 404,
      type: 'UnknownOperationException',
    });
  });
});
