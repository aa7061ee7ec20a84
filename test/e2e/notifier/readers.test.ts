/** Whether anyone reads the notification topic, against the sandbox's SNS, with a virtual clock. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { addSubscription, sns as snsService } from '../../../sandbox/services/sns';
import { createTopicReaderCheck } from '../../../shared/notify';

let sandbox: Sandbox;
let sns: SNSClient;

beforeAll(async () => {
  sandbox = await startSandbox({ services: [snsService] });
  sns = new SNSClient({
    endpoint: sandbox.url,
    region: 'eu-west-1',
    credentials: sandbox.credentials('admin'),
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sns.destroy();
  await sandbox.close();
});

const topic = async (name: string) => (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
const lookups = () => sandbox.requests.count('sns', 'ListSubscriptionsByTopic');

describe('topic reader check', () => {
  it('a confirmed reader is remembered for the TTL, then asked again', async () => {
    let now = 1_000_000;
    const arn = await topic('read-ttl');
    addSubscription(sandbox.state, 'eu-west-1', {
      topicArn: arn,
      endpoint: 'ops@example.com',
      confirmed: true,
    });
    const check = createTopicReaderCheck(sns, 300_000, () => now);
    const before = lookups();
    expect(await check.check(arn)).toEqual({ reachable: true, confirmed: 1 });
    now += 299_000;
    expect((await check.check(arn)).reachable).toBe(true);
    expect(lookups() - before).toBe(1);
    now += 2_000;
    await check.check(arn);
    expect(lookups() - before).toBe(2);
  });

  it('"nobody" is not remembered: a subscription confirmed since is seen at the next event', async () => {
    const arn = await topic('read-later');
    const check = createTopicReaderCheck(sns, 300_000, () => 0);
    const pending = addSubscription(sandbox.state, 'eu-west-1', {
      topicArn: arn,
      endpoint: 'new@example.com',
      confirmed: false,
    });
    expect(await check.check(arn)).toMatchObject({ reachable: false, pending: 1 });
    pending.subscriptionArn = `${arn}:confirmed-now`;
    expect(await check.check(arn)).toEqual({ reachable: true, confirmed: 1 });
  });

  it('a confirmed reader beyond the first page of pending ones is found', async () => {
    const arn = await topic('read-deep');
    for (let i = 0; i < 120; i++) {
      addSubscription(sandbox.state, 'eu-west-1', {
        topicArn: arn,
        endpoint: `p${i}@example.com`,
        confirmed: false,
      });
    }
    addSubscription(sandbox.state, 'eu-west-1', {
      topicArn: arn,
      endpoint: 'ops@example.com',
      confirmed: true,
    });
    expect(await createTopicReaderCheck(sns, 1, () => 0).check(arn)).toEqual({
      reachable: true,
      confirmed: 1,
    });
  });
});
