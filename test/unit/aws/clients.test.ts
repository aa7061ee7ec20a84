import { describe, expect, it, jest } from '@jest/globals';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

import type { ServiceClientConfig } from '../../../shared/aws/clients';

const mockConstructed: string[] = [];

jest.doMock('@aws-sdk/client-ssm', () => {
  const actual = jest.requireActual<typeof import('@aws-sdk/client-ssm')>('@aws-sdk/client-ssm');
  class SSMClient extends actual.SSMClient {
    constructor(...args: ConstructorParameters<typeof actual.SSMClient>) {
      super(...args);
      mockConstructed.push('ssm');
    }
  }
  return { ...actual, SSMClient };
});

// Loaded after the mock above, so its SSM client is the counting one.
const { createClients, destroyClients } = jest.requireActual<typeof import('../../../shared/aws/clients')>(
  '../../../shared/aws/clients',
);

describe('createClients', () => {
  it("constructs a service's client on first use only, and the same one afterwards", () => {
    mockConstructed.length = 0;
    const clients = createClients('eu-west-1', { maxAttempts: 2 });
    const ec2 = clients.ec2;
    expect(clients.ec2).toBe(ec2);
    destroyClients(clients);
    expect(mockConstructed).toEqual([]);

    const withSsm = createClients('eu-west-1');
    expect(withSsm.ssm).toBe(withSsm.ssm);
    destroyClients(withSsm);
    expect(mockConstructed).toEqual(['ssm']);
  });

  it("builds a function's own service client once, with the set's settings and its request counter", async () => {
    const { RDSClient } = await import('@aws-sdk/client-rds');
    const clients = createClients('eu-west-1', { maxAttempts: 3 });
    let built = 0;
    const make = (config: ServiceClientConfig) => {
      built += 1;
      return new RDSClient(config);
    };
    const rds = clients.serviceClient!('rds', make);
    expect(clients.serviceClient!('rds', make)).toBe(rds);
    expect(built).toBe(1);
    expect(await rds.config.region()).toBe('eu-west-1');
    expect(await rds.config.maxAttempts()).toBe(3);
    expect(rds.middlewareStack.identify().join(' ')).toContain('ec2HygieneRequestStats');
    destroyClients(clients);
  });

  it('puts the request counter on every client it constructs', () => {
    const clients = createClients('eu-west-1');
    for (const client of [clients.ec2, clients.autoScaling, clients.eventBridge, clients.sts, clients.ssm]) {
      const names = client.middlewareStack.identify().join(' ');
      expect(names).toContain('ec2HygieneRequestStats');
    }
    destroyClients(clients);
  });

  it('gives each client its own retry strategy with the product attempts when one is asked for, adaptive otherwise', async () => {
    const asked: number[] = [];
    const made: object[] = [];
    const clients = createClients('eu-west-1', {
      maxAttempts: 5,
      retryStrategy: (maxAttempts) => {
        asked.push(maxAttempts);
        const strategy = new ConfiguredRetryStrategy(maxAttempts, 0);
        made.push(strategy);
        return strategy;
      },
    });
    expect(await clients.ec2.config.retryStrategy()).toBe(made[0]);
    expect(await clients.sts.config.retryStrategy()).toBe(made[1]);
    expect(asked).toEqual([5, 5]);
    destroyClients(clients);

    const adaptive = createClients('eu-west-1', { maxAttempts: 5 });
    expect((await adaptive.ec2.config.retryStrategy()).constructor.name).toBe('AdaptiveRetryStrategy');
    destroyClients(adaptive);
  });
});
