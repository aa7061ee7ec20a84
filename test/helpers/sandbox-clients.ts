/** SDK v3 clients pointed at a sandbox, with dummy credentials and quick retries. */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../sandbox/server';

export function clientConfig(sandbox: Sandbox, region = 'eu-west-1') {
  return {
    endpoint: sandbox.url,
    region,
    credentials: sandbox.credentials('admin'),
    maxAttempts: 3,
  };
}

export function sdkClients(sandbox: Sandbox, region = 'eu-west-1') {
  const config = clientConfig(sandbox, region);
  return {
    ec2: new EC2Client(config),
    autoscaling: new AutoScalingClient(config),
    events: new EventBridgeClient(config),
    sts: new STSClient(config),
  };
}

export interface SandboxWithEc2 {
  readonly sandbox: Sandbox;
  /** Signed as admin, with quick retries. */
  readonly ec2: EC2Client;
}

/**
 * One sandbox and one EC2 client for a test file: started before its tests, closed after them.
 * Read them from the returned object inside the tests; `use`, when given, is also handed both once
 * they exist.
 */
export function sandboxWithEc2(use?: (sandbox: Sandbox, ec2: EC2Client) => void): SandboxWithEc2 {
  let sandbox: Sandbox | undefined;
  let ec2: EC2Client | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox();
    ec2 = sdkClients(sandbox).ec2;
    use?.(sandbox, ec2);
  });
  afterAll(async () => {
    ec2?.destroy();
    await sandbox?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('sandboxWithEc2: the sandbox exists only inside its tests');
    return value;
  };
  return {
    get sandbox() {
      return started(sandbox);
    },
    get ec2() {
      return started(ec2);
    },
  };
}
