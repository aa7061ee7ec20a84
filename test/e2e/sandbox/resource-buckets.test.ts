import { DescribeInstancesCommand, EC2Client, StartInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { clientConfig } from '../../helpers/sandbox-clients';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock';

let sandbox: Sandbox;
let ec2: EC2Client;
// The buckets refill on this clock: the test moves time, so a busy machine cannot refill them early.
let clock: VirtualClock;

beforeAll(async () => {
  sandbox = await startSandbox();
  // One attempt: each refusal reaches the test as it left the endpoint.
  ec2 = new EC2Client({ ...clientConfig(sandbox), maxAttempts: 1 });
});
beforeEach(() => {
  clock = new VirtualClock();
  sandbox.faults.useClock(clock.now);
});
afterEach(() => {
  sandbox.faults.clear();
  sandbox.requests.reset();
});
afterAll(async () => {
  ec2.destroy();
  await sandbox.close();
});

function stoppedInstances(n: number): string[] {
  const region = sandbox.state.region('eu-west-1');
  const image = region.addImage({});
  return Array.from({ length: n }, () => region.addInstance({ imageId: image.id, state: 'stopped' }).id);
}

const start = (ids: string[]) => ec2.send(new StartInstancesCommand({ InstanceIds: ids }));
const state = (id: string) =>
  sandbox.state
    .region('eu-west-1')
    .instances()
    .find((i) => i.id === id)?.state;

/**
 * StartInstances' request bucket (one token a call) and resource bucket (one token an instance),
 * installed in either order: which bucket is checked first must not change what a refusal costs.
 */
function startBuckets(
  request: { burst: number; refill: number },
  resource: { burst: number; refill: number },
  order: 'request first' | 'resource first' = 'request first',
) {
  const specs = [
    { service: 'ec2', action: 'StartInstances', burst: request.burst, refillPerSecond: request.refill },
    {
      service: 'ec2',
      action: 'StartInstances',
      burst: resource.burst,
      refillPerSecond: resource.refill,
      costPer: 'InstanceId',
    },
  ];
  if (order === 'resource first') specs.reverse();
  for (const spec of specs) sandbox.faults.throttle(spec);
}

describe('resource token buckets (one token per instance in the request)', () => {
  it('charges one token per InstanceId, and a call the resource bucket refuses starts nothing and costs no request token', async () => {
    const ids = stoppedInstances(6);
    startBuckets({ burst: 2, refill: 0 }, { burst: 5, refill: 0 });

    await start(ids.slice(0, 3)); // instances 5 -> 2, calls 2 -> 1
    await expect(start(ids.slice(3, 6))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(ids.slice(3, 6).map(state)).toEqual(['stopped', 'stopped', 'stopped']);
    // Goes through only because the refused call took no call token (the bucket holds 2 calls).
    await start(ids.slice(3, 5));
    await expect(start(ids.slice(5, 6))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });

    expect(ids.map(state)).toEqual([...Array(5).fill('running'), 'stopped']);
    const logged = sandbox.requests.all().filter((e) => e.action === 'StartInstances');
    expect(logged.map((e) => [e.params?.InstanceId, e.errorCode ?? 'ok'])).toEqual([
      [3, 'ok'],
      [3, 'RequestLimitExceeded'],
      [2, 'ok'],
      [1, 'RequestLimitExceeded'],
    ]);
  });

  it('a call the request bucket refuses takes no instance tokens', async () => {
    const ids = stoppedInstances(5);
    // Request bucket: 1 call, then one every 100 ms; resource bucket: 4 instances, never refilled.
    startBuckets({ burst: 1, refill: 10 }, { burst: 4, refill: 0 }, 'resource first');

    await start(ids.slice(0, 2)); // resource 4 -> 2
    await expect(start(ids.slice(2, 4))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    clock.advance(150);
    await start(ids.slice(2, 4)); // still 2 instance tokens: the refused call took none
    clock.advance(150);
    await expect(start(ids.slice(4, 5))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(ids.map(state)).toEqual(['running', 'running', 'running', 'running', 'stopped']);
  });

  it('admits a call for more instances than the bucket holds once it is full, and the debt delays the next', async () => {
    const ids = stoppedInstances(9);
    // 5 instance tokens, 10 a second: 8 instances leave the bucket at -3.
    startBuckets({ burst: 100, refill: 100 }, { burst: 5, refill: 10 });

    await start(ids.slice(0, 8));
    expect(ids.slice(0, 8).every((id) => state(id) === 'running')).toBe(true);
    await expect(start(ids.slice(8))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    clock.advance(150); // about -1.5: still in debt
    await expect(start(ids.slice(8))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    clock.advance(400); // 3 of debt + 1 token needed = 400 ms after the big call
    await start(ids.slice(8));
    expect(state(ids[8]!)).toBe('running');
  });
});

describe('parameter conditions (EC2 unfiltered and unpaginated Describe calls)', () => {
  it('sends a call without MaxResults or a filter to its own bucket, a paginated one to the other', async () => {
    const pagination = ['MaxResults', 'NextToken', 'Filter'];
    sandbox.faults.throttle({
      service: 'ec2',
      action: 'DescribeInstances',
      burst: 1,
      refillPerSecond: 0,
      unlessParams: pagination,
    });
    sandbox.faults.throttle({
      service: 'ec2',
      action: 'DescribeInstances',
      burst: 2,
      refillPerSecond: 0,
      ifAnyParam: pagination,
    });
    await ec2.send(new DescribeInstancesCommand({}));
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    await ec2.send(new DescribeInstancesCommand({ MaxResults: 1000 }));
    await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
    );
    await expect(ec2.send(new DescribeInstancesCommand({ MaxResults: 1000 }))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    expect(
      sandbox.requests
        .all()
        .filter((e) => e.errorCode === undefined)
        .map((e) => e.params),
    ).toEqual([{}, { MaxResults: 1 }, { Filter: 1 }]);
  });

  it('refuses a bucket that could never admit anything, naming it', () => {
    expect(() =>
      sandbox.faults.throttle({ service: 'ec2', action: 'StartInstances', burst: 0, refillPerSecond: 1 }),
    ).toThrow('sandbox throttle ec2:StartInstances: burst must be > 0');
  });
});
