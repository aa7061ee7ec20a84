/** Instances in every state but terminated, as InstanceRecords. */
import { paginateDescribeInstances } from '@aws-sdk/client-ec2';

import type { InstanceRecord } from '../../domain';
import type { AwsClients } from '../clients';
import { internPool } from './intern';

// Every state but terminated: a stopped instance can be started again from its AMI.
const LIVE_INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

export async function readInstances(clients: AwsClients): Promise<InstanceRecord[]> {
  const out: InstanceRecord[] = [];
  // Many instances run from one AMI: one string per AMI id rather than per instance.
  const internImageId = internPool();
  const internState = internPool();
  const pages = paginateDescribeInstances(
    { client: clients.ec2 },
    { Filters: [{ Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES }], MaxResults: 1000 },
  );
  for await (const page of pages) {
    for (const r of page.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        // An instance whose image id EC2 did not give still runs from some AMI: it is kept with an
        // empty id, which the usage index reports as unresolved (so cleanup refuses), never dropped.
        out.push({
          id: i.InstanceId || '(instance without an id)',
          imageId: internImageId(i.ImageId ?? ''),
          state: internState(i.State?.Name ?? 'unknown'),
        });
      }
    }
  }
  return out;
}
