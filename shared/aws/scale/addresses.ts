/** The region's Elastic IPs for the idle-cost report: one DescribeAddresses, which is not paginated. */
import { DescribeAddressesCommand } from '@aws-sdk/client-ec2';

import type { ElasticIp } from '../../plan/scale';
import type { AwsClients } from '../clients';

export async function readElasticIps(clients: AwsClients): Promise<ElasticIp[]> {
  const out = await clients.ec2.send(new DescribeAddressesCommand({}));
  return (out.Addresses ?? []).flatMap((a) => {
    if (!a.PublicIp) return [];
    // Associated with anything (an instance, a NAT gateway's interface...): only then is it in use.
    const ip: ElasticIp = {
      publicIp: a.PublicIp,
      associated: Boolean(a.AssociationId ?? a.NetworkInterfaceId),
    };
    if (a.AllocationId) ip.allocationId = a.AllocationId;
    if (a.InstanceId) ip.instanceId = a.InstanceId;
    return [ip];
  });
}
