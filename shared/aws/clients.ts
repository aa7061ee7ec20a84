/**
 * SDK v3 clients for one region. The endpoint is not set here on purpose: the SDK reads
 * AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) by itself, which is how tests and the local demo
 * point the real clients at the sandbox without any code path of their own.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

export interface AwsClients {
  region: string;
  ec2: EC2Client;
  autoScaling: AutoScalingClient;
  eventBridge: EventBridgeClient;
  sts: STSClient;
  /** Only to resolve launch templates' resolve:ssm: image ids. */
  ssm: SSMClient;
}

export interface ClientOptions {
  /** Attempts per call including the first; adaptive mode also rate-limits the client after throttling. */
  maxAttempts?: number;
  /**
   * Sign as someone other than the default credential chain says. Lambda never sets it (the
   * function's role is the chain); the demo and tests sign each job as its own function.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export const DEFAULT_MAX_ATTEMPTS = 8;

export function createClients(region: string, options: ClientOptions = {}): AwsClients {
  // Adaptive retry backs off on RequestLimitExceeded/Throttling and slows the whole client down,
  // which is what a fleet-wide Describe/CreateTags sweep needs when EC2 starts throttling.
  const common = {
    region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  return {
    region,
    ec2: new EC2Client(common),
    autoScaling: new AutoScalingClient(common),
    eventBridge: new EventBridgeClient(common),
    sts: new STSClient(common),
    ssm: new SSMClient(common),
  };
}

/** Closes the clients' sockets (tests and the CLI; a Lambda keeps them warm). */
export function destroyClients(clients: AwsClients): void {
  clients.ec2.destroy();
  clients.autoScaling.destroy();
  clients.eventBridge.destroy();
  clients.sts.destroy();
  clients.ssm.destroy();
}
