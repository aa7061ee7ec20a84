/** The sandbox's SSM and SNS, through the real SDK clients: what the notifier relies on them to do. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  paginateListSubscriptionsByTopic,
} from '@aws-sdk/client-sns';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { addSubscription, sns as snsService, snsStore } from '../../../sandbox/services/sns';
import { ssm as ssmService } from '../../../sandbox/services/ssm';

let sandbox: Sandbox;
let ssm: SSMClient;
let sns: SNSClient;

beforeAll(async () => {
  sandbox = await startSandbox({ services: [ssmService, snsService] });
  const config = {
    endpoint: sandbox.url,
    region: 'eu-west-1',
    credentials: sandbox.credentials('admin'),
    maxAttempts: 1,
  };
  ssm = new SSMClient(config);
  sns = new SNSClient(config);
});

afterAll(async () => {
  ssm.destroy();
  sns.destroy();
  await sandbox.close();
});

describe('sandbox SSM Parameter Store', () => {
  it('a SecureString is plaintext only WithDecryption', async () => {
    await ssm.send(
      new PutParameterCommand({ Name: '/t/hook', Type: 'SecureString', Value: 'https://hooks.example/x' }),
    );
    const plain = await ssm.send(new GetParameterCommand({ Name: '/t/hook', WithDecryption: true }));
    expect(plain.Parameter).toMatchObject({
      Name: '/t/hook',
      Type: 'SecureString',
      Value: 'https://hooks.example/x',
      Version: 1,
      ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/t/hook',
    });
    const cipher = await ssm.send(new GetParameterCommand({ Name: '/t/hook' }));
    expect(cipher.Parameter?.Value).not.toContain('hooks.example');
  });

  it('reads an older version with a /name:N selector, as resolve:ssm: references do', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/t/ami', Type: 'String', Value: 'ami-1' }));
    await ssm.send(new PutParameterCommand({ Name: '/t/ami', Value: 'ami-2', Overwrite: true }));
    const v1 = await ssm.send(new GetParameterCommand({ Name: '/t/ami:1' }));
    expect(v1.Parameter).toMatchObject({ Name: '/t/ami', Value: 'ami-1', Version: 1, Selector: ':1' });
    expect((await ssm.send(new GetParameterCommand({ Name: '/t/ami' }))).Parameter?.Value).toBe('ami-2');
    await expect(ssm.send(new GetParameterCommand({ Name: '/t/ami:9' }))).rejects.toMatchObject({
      name: 'ParameterVersionNotFound',
    });
  });

  it('refuses to overwrite without Overwrite, and bumps the version with it', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/t/v', Type: 'String', Value: 'a' }));
    await expect(
      ssm.send(new PutParameterCommand({ Name: '/t/v', Type: 'String', Value: 'b' })),
    ).rejects.toMatchObject({
      name: 'ParameterAlreadyExists',
    });
    const out = await ssm.send(new PutParameterCommand({ Name: '/t/v', Value: 'b', Overwrite: true }));
    expect(out.Version).toBe(2);
  });

  it('answers ParameterNotFound for a missing name, and keeps regions apart', async () => {
    await expect(ssm.send(new GetParameterCommand({ Name: '/t/missing' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    const other = new SSMClient({
      endpoint: sandbox.url,
      region: 'us-east-1',
      credentials: sandbox.credentials('admin'),
    });
    await expect(other.send(new GetParameterCommand({ Name: '/t/hook' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    other.destroy();
  });
});

describe('sandbox SNS', () => {
  let topicArn: string;
  beforeAll(async () => {
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn!;
  });

  it('records what was published', async () => {
    const out = await sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: 'Backup failed', Message: 'body' }),
    );
    expect(out.MessageId).toEqual(expect.any(String));
    expect(snsStore(sandbox.state, 'eu-west-1').messages.at(-1)).toMatchObject({
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      subject: 'Backup failed',
      message: 'body',
    });
  });

  it.each([
    ['100 characters', 'x'.repeat(100)],
    ['a line break', 'two\nlines'],
    ['non-ASCII', 'Sauvegarde échouée'],
    ['a leading space', ' x'],
  ])('refuses a Subject with %s, as AWS does', async (_what, subject) => {
    await expect(
      sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: 'm' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Subject' });
  });

  it('accepts a 99-character subject; refuses an empty or oversized message and an unknown topic', async () => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'x'.repeat(99), Message: 'm' }));
    await expect(sns.send(new PublishCommand({ TopicArn: topicArn, Message: '' }))).rejects.toMatchObject({
      message: 'Invalid parameter: Empty message',
    });
    await expect(
      sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x'.repeat(262_145) })),
    ).rejects.toMatchObject({ message: 'Invalid parameter: Message too long' });
    await expect(
      sns.send(new PublishCommand({ TopicArn: `${topicArn}-nope`, Message: 'm' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('lists confirmed and pending subscriptions as AWS does, and counts them in GetTopicAttributes', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'readers' }))).TopicArn!;
    const empty = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    expect(empty.Subscriptions ?? []).toEqual([]);

    addSubscription(sandbox.state, 'eu-west-1', {
      topicArn: arn,
      endpoint: 'new@example.com',
      confirmed: false,
    });
    addSubscription(sandbox.state, 'eu-west-1', {
      topicArn: arn,
      endpoint: 'ops@example.com',
      confirmed: true,
    });
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    expect(listed.Subscriptions).toEqual([
      expect.objectContaining({
        SubscriptionArn: 'PendingConfirmation',
        Protocol: 'email',
        Endpoint: 'new@example.com',
        TopicArn: arn,
      }),
      expect.objectContaining({
        SubscriptionArn: expect.stringMatching(new RegExp(`^${arn}:`)),
        Endpoint: 'ops@example.com',
      }),
    ]);
    const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    expect(attrs.Attributes).toMatchObject({
      TopicArn: arn,
      SubscriptionsConfirmed: '1',
      SubscriptionsPending: '1',
    });
  });

  it('pages subscriptions 100 at a time and refuses an unknown topic', async () => {
    const arn = (await sns.send(new CreateTopicCommand({ Name: 'many' }))).TopicArn!;
    for (let i = 0; i < 150; i++) {
      addSubscription(sandbox.state, 'eu-west-1', {
        topicArn: arn,
        endpoint: `u${i}@example.com`,
        confirmed: i === 149,
      });
    }
    const pages = [];
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: arn })) {
      pages.push(page.Subscriptions?.length ?? 0);
    }
    expect(pages).toEqual([100, 50]);
    await expect(
      sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: `${arn}-nope` })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: `${arn}-nope` }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});
