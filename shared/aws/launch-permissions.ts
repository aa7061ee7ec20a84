/**
 * Reads who else may launch an AMI: DescribeImageAttribute(Attribute=launchPermission), one call per
 * AMI (EC2 has no batch form), a few at a time. Read only. Asked only for the AMIs a cleanup plan
 * would delete, so a large account costs a handful of calls, not one per AMI it owns.
 */
import {
  DescribeImageAttributeCommand,
  type LaunchPermission as SdkLaunchPermission,
} from '@aws-sdk/client-ec2';

import type { LaunchPermission, LaunchPermissionsRead } from '../launch-permissions';
import type { AwsClients } from './clients';
import { mapWithConcurrency } from './concurrency';
import { errorText } from '../errors';

export interface ReadLaunchPermissionsOptions {
  /** Asked before every call; an AMI not reached is left out of the result (still unknown). */
  hasTime: () => boolean;
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 4;

/**
 * AMI id -> its launch permissions, or why they could not be read. A failed call is an answer of
 * its own ('failed'), never an empty list: unknown must not read as "shared with nobody".
 */
export async function readLaunchPermissions(
  clients: AwsClients,
  imageIds: readonly string[],
  options: ReadLaunchPermissionsOptions,
): Promise<Map<string, LaunchPermissionsRead>> {
  const out = new Map<string, LaunchPermissionsRead>();
  await mapWithConcurrency([...new Set(imageIds)], options.concurrency ?? DEFAULT_CONCURRENCY, async (id) => {
    if (!options.hasTime()) return;
    try {
      const res = await clients.ec2.send(
        new DescribeImageAttributeCommand({ ImageId: id, Attribute: 'launchPermission' }),
      );
      if (res.LaunchPermissions === undefined) {
        // EC2 always answers the list, if empty; its absence says nothing about who may launch the AMI.
        out.set(id, {
          kind: 'failed',
          message: 'DescribeImageAttribute answered without a launchPermission list',
        });
        return;
      }
      out.set(id, { kind: 'read', permissions: res.LaunchPermissions.map(toLaunchPermission) });
    } catch (err) {
      out.set(id, { kind: 'failed', message: errorText(err) });
    }
  });
  return out;
}

function toLaunchPermission(p: SdkLaunchPermission): LaunchPermission {
  const out: LaunchPermission = {};
  if (p.Group !== undefined) out.group = p.Group;
  if (p.UserId !== undefined) out.userId = p.UserId;
  if (p.OrganizationArn !== undefined) out.organizationArn = p.OrganizationArn;
  if (p.OrganizationalUnitArn !== undefined) out.organizationalUnitArn = p.OrganizationalUnitArn;
  return out;
}
