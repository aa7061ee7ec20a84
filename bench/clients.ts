/**
 * The client set the bench's in-process runs and its child build by hand: one client per service the
 * jobs call, plus the serviceClient hook (RDS), all with one configuration. createClients reads the
 * endpoint from the environment; these name it (or leave it to AWS_ENDPOINT_URL in the child).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

import { serviceClientHook, type AwsClients, type ServiceClientConfig } from '../shared/aws/clients';

export function clientSetWith(config: ServiceClientConfig & { endpoint?: string }): AwsClients {
  return {
    region: config.region,
    serviceClient: serviceClientHook(() => config),
    ec2: new EC2Client(config),
    autoScaling: new AutoScalingClient(config),
    eventBridge: new EventBridgeClient(config),
    sts: new STSClient(config),
    ssm: new SSMClient(config),
  };
}
