/**
 * Elastic IP addresses (VPC): AllocateAddress, DescribeAddresses (AllocationId.N, filters), and
 * AssociateAddress with EC2's rule that an address associated elsewhere moves only with
 * AllowReassociation=true (else Resource.AlreadyAssociated). An instance holds one Elastic IP on
 * its primary interface: associating another replaces it. An association dies with its instance.
 */
import { SandboxError } from '../../protocol/errors';
import { indexedStructs, optionalBool, requiredParam } from '../../protocol/form';
import { items, type XmlObject } from '../../protocol/xml';
import type { Tags } from '../../state/records';
import type { RegionState } from '../../state/region';
import { Table } from '../../state/table';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, idList, tagSet } from './common';

export interface AddressRecord {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  instanceId?: string;
  tags: Tags;
}

export interface AddressSeed {
  allocationId?: string;
  instanceId?: string;
  tags?: Tags;
}

function addressTable(region: RegionState): Table<AddressRecord> {
  return region.store('ec2-addresses', () => {
    const table = new Table<AddressRecord>((a) => a.allocationId);
    region.registerTaggable((id) => table.get(id));
    return table;
  });
}

function settle(region: RegionState, address: AddressRecord): AddressRecord {
  const holder = address.instanceId && region.getInstance(address.instanceId);
  if (address.instanceId && (!holder || holder.state === 'terminated')) {
    address.instanceId = undefined;
    address.associationId = undefined;
  }
  return address;
}

/** One region's Elastic IPs, settled (for tests that look inside). */
export function addressesOf(region: RegionState): AddressRecord[] {
  return [...addressTable(region).values()].map((a) => settle(region, a));
}

export function getAddress(region: RegionState, allocationId: string): AddressRecord | undefined {
  const address = addressTable(region).get(allocationId);
  return address && settle(region, address);
}

/** 203.0.113.0/24 (TEST-NET-3): documentation addresses, never routable. */
function publicIpFor(table: Table<AddressRecord>): string {
  return `203.0.113.${(table.size % 254) + 1}`;
}

export function allocateAddress(
  region: RegionState,
  seed: AddressSeed,
  newId: (prefix: string) => string,
): AddressRecord {
  const table = addressTable(region);
  const address = table.add({
    allocationId: seed.allocationId ?? newId('eipalloc'),
    publicIp: publicIpFor(table),
    tags: { ...seed.tags },
  });
  if (seed.instanceId) associate(region, address, seed.instanceId, newId);
  return address;
}

function associate(
  region: RegionState,
  address: AddressRecord,
  instanceId: string,
  newId: (prefix: string) => string,
): void {
  for (const other of addressesOf(region)) {
    if (other !== address && other.instanceId === instanceId) {
      other.instanceId = undefined;
      other.associationId = undefined;
    }
  }
  address.instanceId = instanceId;
  address.associationId = newId('eipassoc');
}

const ADDRESS_FIELDS: FieldReaders<AddressRecord> = {
  'allocation-id': (a) => a.allocationId,
  'association-id': (a) => a.associationId,
  'instance-id': (a) => a.instanceId,
  'public-ip': (a) => a.publicIp,
  domain: () => 'vpc',
};

function renderAddress(a: AddressRecord): XmlObject {
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: 'vpc',
    instanceId: a.instanceId,
    associationId: a.associationId,
    networkBorderGroup: undefined,
    tagSet: tagSet(a.tags),
  };
}

const describeAddresses: QueryAction = (params, { region }) => {
  const ids = idList(params, 'AllocationId');
  const filter = compileFilters(ec2Filters(params), ADDRESS_FIELDS, (a) => a.tags);
  const missing = ids.filter((id) => !getAddress(region, id));
  if (missing.length > 0) {
    throw new SandboxError(
      'InvalidAllocationID.NotFound',
      `The allocation IDs '${missing.join(', ')}' do not exist`,
    );
  }
  const chosen = ids.length > 0 ? ids.map((id) => getAddress(region, id)!) : addressesOf(region);
  return { addressesSet: items(chosen.filter(filter).map(renderAddress)) };
};

const allocate: QueryAction = (params, { region, state }) => {
  const tags: Tags = {};
  for (const spec of indexedStructs(params, 'TagSpecification')) {
    for (const tag of indexedStructs(spec, 'Tag')) tags[tag.get('Key') ?? ''] = tag.get('Value') ?? '';
  }
  const a = allocateAddress(region, { tags }, (p) => state.ids.next(p));
  return { publicIp: a.publicIp, allocationId: a.allocationId, domain: 'vpc' };
};

const associateAddress: QueryAction = (params, { region, state }) => {
  const allocationId = requiredParam(params, 'AllocationId');
  const address = getAddress(region, allocationId);
  if (!address) {
    throw new SandboxError(
      'InvalidAllocationID.NotFound',
      `The allocation ID '${allocationId}' does not exist`,
    );
  }
  const instanceId = requiredParam(params, 'InstanceId');
  const instance = region.getInstance(instanceId);
  if (!instance)
    throw new SandboxError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  if (instance.state !== 'running' && instance.state !== 'stopped') {
    throw new SandboxError(
      'IncorrectInstanceState',
      `The instance '${instanceId}' is not in a valid state for this operation.`,
    );
  }
  if (
    address.instanceId &&
    address.instanceId !== instanceId &&
    !optionalBool(params, 'AllowReassociation')
  ) {
    throw new SandboxError(
      'Resource.AlreadyAssociated',
      `resource ${allocationId} is already associated with associationId ${address.associationId}`,
    );
  }
  associate(region, address, instanceId, (p) => state.ids.next(p));
  return { return: true, associationId: address.associationId };
};

export const addressActions = {
  DescribeAddresses: describeAddresses,
  AllocateAddress: allocate,
  AssociateAddress: associateAddress,
};
