/**
 * Adding a service is one module: this SNS Publish double (AWS query) is the whole job, passed
 * here through startSandbox's `services` option (a real one goes into sandbox/services/index.ts).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { SandboxError } from '../../../sandbox/protocol/errors';
import { requiredParam } from '../../../sandbox/protocol/form';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import type { QueryServiceHandler } from '../../../sandbox/services/types';
import { clientConfig } from '../../helpers/sandbox-clients';

interface Published {
  topicArn: string;
  message: string;
}

const sns: QueryServiceHandler = {
  service: 'sns',
  protocol: 'query',
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  actions: {
    Publish: (params, { region }) => {
      const topicArn = requiredParam(params, 'TopicArn');
      if (!topicArn.startsWith('arn:aws:sns:'))
        throw new SandboxError('InvalidParameter', `Invalid TopicArn ${topicArn}`);
      const published = region.store<Published[]>('sns', () => []);
      published.push({ topicArn, message: requiredParam(params, 'Message') });
      return { MessageId: `msg-${published.length}` };
    },
  },
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ services: [sns] });
});
afterAll(async () => {
  await sandbox.close();
});

it('serves a service added as one module, with its own per-region state and errors', async () => {
  const client = new SNSClient(clientConfig(sandbox, 'eu-west-1'));
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:fleet';
  const { MessageId } = await client.send(
    new PublishCommand({ TopicArn: topicArn, Message: 'patch window failed' }),
  );
  expect(MessageId).toBe('msg-1');
  expect(sandbox.state.region('eu-west-1').store<Published[]>('sns', () => [])).toEqual([
    { topicArn, message: 'patch window failed' },
  ]);
  await expect(client.send(new PublishCommand({ TopicArn: 'nope', Message: 'x' }))).rejects.toMatchObject({
    name: 'InvalidParameterException', // the SDK maps the wire code InvalidParameter to its modeled exception
  });
  client.destroy();
});
