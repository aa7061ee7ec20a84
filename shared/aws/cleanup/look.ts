/** The apply step's last reads before deregistering: live instances, and DescribeImageReferences. */
import { paginateDescribeImageReferences, paginateDescribeInstances } from '@aws-sdk/client-ec2';

import type { AwsClients } from '../clients';

// Every state but terminated, as in the inventory: a stopped instance can start again from its AMI.
const LIVE_INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/** AMI id -> "instance i-0ab (running)" for each live instance of these AMIs (at most 10 ids a call). */
export async function liveInstancesOf(
  clients: AwsClients,
  imageIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const pages = paginateDescribeInstances(
    { client: clients.ec2 },
    {
      Filters: [
        { Name: 'image-id', Values: imageIds },
        { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES },
      ],
      MaxResults: 1000,
    },
  );
  for await (const page of pages) {
    for (const r of page.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (!i.ImageId) continue;
        const list = out.get(i.ImageId) ?? [];
        list.push(`instance ${i.InstanceId ?? '(no id)'} (${i.State?.Name ?? 'unknown'})`);
        out.set(i.ImageId, list);
      }
    }
  }
  return out;
}

/** AMI id -> "<resource type> <arn>" for each reference EC2 knows of (at most 10 ids a call). */
export async function describeImageReferences(
  clients: AwsClients,
  imageIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const pages = paginateDescribeImageReferences(
    { client: clients.ec2 },
    { ImageIds: imageIds, IncludeAllResourceTypes: true },
  );
  for await (const page of pages) {
    for (const r of page.ImageReferences ?? []) {
      if (!r.ImageId) continue;
      const list = out.get(r.ImageId) ?? [];
      list.push(`${r.ResourceType ?? 'resource'} ${r.Arn ?? ''}`.trim());
      out.set(r.ImageId, list);
    }
  }
  return out;
}
