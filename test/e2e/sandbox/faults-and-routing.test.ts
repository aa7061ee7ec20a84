import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DeregisterImageCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { clientConfig, sdkClients } from '../../helpers/sandbox-clients';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterEach(() => {
  sandbox.faults.clear();
  sandbox.requests.reset();
});
afterAll(async () => {
  await sandbox.close();
});

describe('routing by SigV4 credential scope', () => {
  it('keeps each region its own account state', async () => {
    const image = sandbox.state.region('eu-west-1').addImage({ name: 'only-in-ireland' });
    const ireland = sdkClients(sandbox, 'eu-west-1').ec2;
    const ohio = sdkClients(sandbox, 'us-east-2').ec2;
    const names = async (client: EC2Client) =>
      ((await client.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? []).map(
        (i) => i.ImageId,
      );
    expect(await names(ireland)).toContain(image.id);
    expect(await names(ohio)).not.toContain(image.id);
    expect(sandbox.requests.all().map((r) => r.region)).toEqual(['eu-west-1', 'us-east-2']);
    ireland.destroy();
    ohio.destroy();
  });

  it('refuses an unsigned request, naming what it needs', async () => {
    const response = await fetch(sandbox.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeImages&Version=2016-11-15',
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('answers an unknown service with a clear error', async () => {
    const response = await fetch(sandbox.url, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20261123/eu-west-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: 'Action=ListStreams',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("does not implement the service 'kinesis'");
  });
});

describe('fault injection', () => {
  it('answers RequestLimitExceeded (503) once; the SDK retries by itself and the log shows the retry', async () => {
    sandbox.state.region('eu-west-1').addImage({});
    sandbox.faults.add({ service: 'ec2', action: 'DescribeImages', code: 'RequestLimitExceeded', times: 1 });
    const ec2 = sdkClients(sandbox).ec2;
    const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(Images!.length).toBeGreaterThan(0);
    expect(sandbox.requests.all().map((r) => [r.action, r.status, r.errorCode, r.injected])).toEqual([
      ['DescribeImages', 503, 'RequestLimitExceeded', true],
      ['DescribeImages', 200, undefined, false],
    ]);
    expect(sandbox.requests.counts()).toEqual({ 'ec2:DescribeImages': 2 });
    ec2.destroy();
  });

  it('answers Auto Scaling Throttling (400) and InternalError (500), both retried by the SDK', async () => {
    sandbox.faults.add({ service: 'autoscaling', code: 'Throttling', times: 1 });
    sandbox.faults.add({ service: 'autoscaling', code: 'InternalError', times: 1 });
    const autoscaling = sdkClients(sandbox).autoscaling;
    await autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
    expect(sandbox.requests.all().map((r) => [r.status, r.errorCode])).toEqual([
      [400, 'Throttling'],
      [500, 'InternalError'],
      [200, undefined],
    ]);
    autoscaling.destroy();
  });

  it('fails one resource permanently while the same call for another resource succeeds', async () => {
    const region = sandbox.state.region('eu-west-1');
    const [stuck, fine] = [region.addImage({}), region.addImage({})];
    sandbox.faults.add({ action: 'DeregisterImage', resourceId: stuck.id, code: 'UnauthorizedOperation' });
    const ec2 = sdkClients(sandbox).ec2;
    await expect(ec2.send(new DeregisterImageCommand({ ImageId: stuck.id }))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      $metadata: expect.objectContaining({ httpStatusCode: 403 }),
    });
    await ec2.send(new DeregisterImageCommand({ ImageId: fine.id }));
    expect(region.getImage(stuck.id)).toBeDefined();
    expect(region.getImage(fine.id)).toBeUndefined();
    expect(sandbox.requests.count('ec2', 'DeregisterImage')).toBe(2); // not retried: not a retryable error
    ec2.destroy();
  });

  it('answers slowly with delayMs, limited to a region', async () => {
    sandbox.faults.add({ region: 'eu-west-1', action: 'DescribeImages', delayMs: 300 });
    const ireland = sdkClients(sandbox, 'eu-west-1').ec2;
    const paris = sdkClients(sandbox, 'eu-west-3').ec2;
    const time = async (client: EC2Client) => {
      const started = performance.now();
      await client.send(new DescribeImagesCommand({ Owners: ['self'] }));
      return performance.now() - started;
    };
    expect(await time(ireland)).toBeGreaterThanOrEqual(290);
    expect(await time(paris)).toBeLessThan(250);
    ireland.destroy();
    paris.destroy();
  });

  it('throttles with a token bucket per action: a burst goes through, the rest get RequestLimitExceeded', async () => {
    sandbox.faults.throttle({ service: 'ec2', action: 'DescribeImages', burst: 3, refillPerSecond: 0 });
    const ec2 = new EC2Client({ ...clientConfig(sandbox), maxAttempts: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name),
    ).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded']);
    ec2.destroy();
  });
});
