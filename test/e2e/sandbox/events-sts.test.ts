import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { clientConfig } from '../../helpers/sandbox-clients';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ accountId: '210987654321' });
});
afterAll(async () => {
  await sandbox.close();
});

describe('EventBridge PutEvents', () => {
  it('records every entry with its region, bus and parsed detail', async () => {
    const events = new EventBridgeClient(clientConfig(sandbox, 'eu-central-1'));
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'ec2-hygiene',
            DetailType: 'Run Summary',
            Detail: JSON.stringify({ deleted: 2 }),
            EventBusName: 'fleet',
          },
          { Source: 'ec2-hygiene', DetailType: 'Run Summary', Detail: 'not json' },
          { Source: 'ec2-hygiene', DetailType: 'Run Summary', Detail: JSON.stringify({ deleted: 0 }) },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[1]).toEqual({
      ErrorCode: 'MalformedDetail',
      ErrorMessage: 'Detail is malformed.',
    });
    expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sandbox.state.eventsFrom('ec2-hygiene')).toEqual([
      expect.objectContaining({
        region: 'eu-central-1',
        eventBusName: 'fleet',
        detailType: 'Run Summary',
        detail: { deleted: 2 },
      }),
      expect.objectContaining({ region: 'eu-central-1', eventBusName: 'default', detail: { deleted: 0 } }),
    ]);
    events.destroy();
  });

  it('refuses more than 10 entries in one call with a ValidationException, recording none', async () => {
    const events = new EventBridgeClient(clientConfig(sandbox));
    const before = sandbox.state.events.length;
    const entries = Array.from({ length: 11 }, (_, i) => ({
      Source: 's',
      DetailType: 'd',
      Detail: JSON.stringify({ i }),
    }));
    await expect(events.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
    expect(sandbox.state.events.length).toBe(before);
    events.destroy();
  });
});

describe('STS GetCallerIdentity', () => {
  it('answers with the configured account id', async () => {
    const sts = new STSClient(clientConfig(sandbox));
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('210987654321');
    expect(identity.Arn).toBe('arn:aws:iam::210987654321:user/sandbox');
    sts.destroy();
  });
});
