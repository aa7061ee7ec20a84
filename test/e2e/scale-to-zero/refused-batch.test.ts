/**
 * A Start/Stop batch that EC2 refuses is retried in halves (issue 5): one bad instance costs a few
 * calls instead of one per instance, and a batch throttled by StartInstances' resource bucket still
 * starts the part that fits. Real SDK clients against the sandbox, no SDK retries (one attempt), so
 * every refusal shows in the request log.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { createClients, destroyClients, type AwsClients } from '../../../shared/aws/clients';
import { applyScaleActions } from '../../../shared/aws/scale';
import type { ScaleAction } from '../../../shared/plan/scale';

const REGION = 'eu-west-1';
const MORNING = new Date('2026-11-24T07:00:00Z');

let sandbox: Sandbox;
let clients: AwsClients;

beforeEach(async () => {
  sandbox = await startSandbox();
  Object.assign(process.env, sandbox.env(REGION, 'scale-to-zero'));
  clients = createClients(REGION, { maxAttempts: 1 });
});
afterEach(async () => {
  destroyClients(clients);
  await sandbox.close();
});

function stoppedInstances(n: number): string[] {
  const region = sandbox.state.region(REGION);
  const image = region.addImage({});
  return Array.from(
    { length: n },
    () =>
      region.addInstance({
        imageId: image.id,
        state: 'stopped',
        tags: { ScaleToZero: 'true', ScaleToZeroStoppedAt: '2026-11-23T19:00:00Z' },
      }).id,
  );
}

const starts = (ids: string[]): ScaleAction[] =>
  ids.map((instanceId) => ({ kind: 'start-instance', instanceId, transition: MORNING }));
const state = (id: string) => sandbox.state.region(REGION).getInstance(id)!.state;
const startCalls = () => sandbox.requests.all().filter((e) => e.action === 'StartInstances');

describe('a refused Start batch is retried in halves', () => {
  it('one instance without capacity among 16: the 15 others start, with 9 calls rather than 17', async () => {
    const ids = stoppedInstances(16);
    const bad = ids[11]!;
    sandbox.faults.add({
      service: 'ec2',
      action: 'StartInstances',
      resourceId: bad,
      code: 'InsufficientInstanceCapacity',
      status: 500,
    });
    const result = await applyScaleActions(clients, starts(ids), { now: MORNING, batchSize: 16 });

    expect(ids.filter((id) => state(id) === 'running')).toEqual(ids.filter((id) => id !== bad));
    expect(result.failures).toEqual([
      expect.objectContaining({
        resourceId: bad,
        action: 'StartInstances',
        message: expect.stringContaining('InsufficientInstanceCapacity'),
      }),
    ]);
    // Depth first: 16 refused; 8 fine, 8 refused; 4 refused; 2 fine, 2 refused; 1 fine, 1 refused;
    // then the last 4. One refused call per level and its other half, not one call per instance.
    expect(startCalls().map((e) => [e.params?.InstanceId, e.errorCode ?? 'ok'])).toEqual([
      [16, 'InsufficientInstanceCapacity'],
      [8, 'ok'],
      [8, 'InsufficientInstanceCapacity'],
      [4, 'InsufficientInstanceCapacity'],
      [2, 'ok'],
      [2, 'InsufficientInstanceCapacity'],
      [1, 'ok'],
      [1, 'InsufficientInstanceCapacity'],
      [4, 'ok'],
    ]);
    // The bad one keeps its marker and gets no transition tag: the next run tries it again.
    const left = sandbox.state.region(REGION).getInstance(bad)!;
    expect(left.tags.ScaleToZeroStoppedAt).toBeDefined();
    expect(left.tags.ScaleToZeroLastTransition).toBeUndefined();
  });

  it('a batch the resource bucket throttles still starts the half that fits, and leaves the rest marked for the next run', async () => {
    const ids = stoppedInstances(12);
    // 10 instance tokens and no refill: the first batch of 8 fits, the second (4) only in part.
    sandbox.faults.throttle({
      service: 'ec2',
      action: 'StartInstances',
      burst: 10,
      refillPerSecond: 0,
      costPer: 'InstanceId',
    });
    const result = await applyScaleActions(clients, starts(ids), { now: MORNING, batchSize: 8 });

    expect(ids.filter((id) => state(id) === 'running')).toEqual(ids.slice(0, 10));
    expect(startCalls().map((e) => [e.params?.InstanceId, e.errorCode ?? 'ok'])).toEqual([
      [8, 'ok'],
      [4, 'RequestLimitExceeded'],
      [2, 'ok'],
      [2, 'RequestLimitExceeded'],
      [1, 'RequestLimitExceeded'],
      [1, 'RequestLimitExceeded'],
    ]);
    // Throttled to the last instance (no refill at all here): reported, and left for the next run.
    expect(result.failures.map((f) => f.resourceId)).toEqual(ids.slice(10));
    expect(result.failures.every((f) => f.message.includes('RequestLimitExceeded'))).toBe(true);
    for (const id of ids.slice(10)) {
      expect(sandbox.state.region(REGION).getInstance(id)!.tags.ScaleToZeroStoppedAt).toBeDefined();
    }
  });
});
