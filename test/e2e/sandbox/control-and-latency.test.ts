import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { clientConfig } from '../../helpers/sandbox-clients';

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

const control = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('HTTP control API', () => {
  it('seeds a region, injects a fault and reports the request log, for a standalone sandbox', async () => {
    const seeded = await control('POST', '/seed', {
      region: 'eu-west-2',
      images: [{ name: 'web', creationDate: '2026-10-01T00:00:00Z', tags: { AutoCleanup: 'true' } }],
    });
    expect(seeded.status).toBe(200);
    const [imageId] = seeded.body.images as string[];
    expect(sandbox.state.region('eu-west-2').getImage(imageId!)).toMatchObject({ name: 'web' });

    expect(
      (await control('POST', '/faults', { service: 'ec2', code: 'RequestLimitExceeded', times: 1 })).status,
    ).toBe(200);
    const ec2 = new EC2Client(clientConfig(sandbox, 'eu-west-2'));
    const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(Images?.map((i) => i.ImageId)).toEqual([imageId]);
    ec2.destroy();

    const log = await control('GET', '/requests');
    expect(log.body.counts).toEqual({ 'ec2:DescribeImages': 2 });
    const state = await control('GET', '/state?region=eu-west-2');
    expect((state.body.images as Array<{ id: string }>).map((i) => i.id)).toEqual([imageId]);
  });

  it('seeds fleets and Spot requests, and lists them in the state', async () => {
    const seeded = await control('POST', '/seed', {
      region: 'us-west-1',
      fleets: [
        {
          launchTemplateConfigs: [
            { launchTemplateSpecification: { launchTemplateName: 'web', version: '2' } },
          ],
        },
      ],
      spotFleetRequests: [{ launchSpecifications: [{ imageId: 'ami-0123456789abcdef0' }] }],
      spotInstanceRequests: [{ imageId: 'ami-0123456789abcdef0', type: 'persistent' }],
    });
    expect(seeded.status).toBe(200);
    const state = await control('GET', '/state?region=us-west-1');
    for (const key of ['fleets', 'spotFleetRequests', 'spotInstanceRequests']) {
      expect((state.body[key] as Array<{ id: string }>).map((r) => r.id)).toEqual(seeded.body[key]);
    }
    const bad = await control('POST', '/seed', { region: 'us-west-1', spotFleetRequests: [{}] });
    expect(bad).toEqual({ status: 400, body: { error: expect.stringContaining('launch specifications') } });
  });

  it('answers a bad seed with a clear error instead of failing the server', async () => {
    const bad = await control('POST', '/seed', { launchTemplates: [{ name: 'empty', versions: [] }] });
    expect(bad).toEqual({ status: 400, body: { error: expect.stringContaining('empty') } });
    expect((await control('GET', '/nope')).status).toBe(404);
  });
});

describe('latency and shared throttle buckets', () => {
  it('adds latency to every request and still lets an error fault through', async () => {
    sandbox.faults.setLatency(100);
    sandbox.faults.add({ action: 'DescribeImages', code: 'InternalError', times: 1 });
    const ec2 = new EC2Client(clientConfig(sandbox));
    const started = performance.now();
    await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(190); // two requests, 100 ms each
    expect(sandbox.requests.all().map((r) => r.errorCode)).toEqual(['InternalError', undefined]);
    ec2.destroy();
  });

  it('lets several actions share one bucket per region', async () => {
    sandbox.faults.throttle({
      service: 'ec2',
      actions: ['DescribeImages', 'DescribeSnapshots'],
      shared: true,
      burst: 2,
      refillPerSecond: 0,
    });
    const ec2 = new EC2Client({ ...clientConfig(sandbox), maxAttempts: 1 });
    await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    await expect(ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: expect.objectContaining({ httpStatusCode: 503 }),
    });
    const other = new EC2Client({ ...clientConfig(sandbox, 'eu-west-3'), maxAttempts: 1 });
    await other.send(new DescribeImagesCommand({ Owners: ['self'] })); // another region, another bucket
    ec2.destroy();
    other.destroy();
  });
});
