/**
 * EBS volumes: CreateVolume (seeding), DescribeVolumes (VolumeId.N, filters, MaxResults 5-500 with
 * NextToken), AttachVolume and DetachVolume with EC2's rules (same Availability Zone, one
 * attachment, a free device name). An attachment completes at once in the stored state while the
 * answer says `attaching`/`detaching`, as EC2 does. A volume whose instance is terminated (or gone)
 * is released when next looked at: that is how the old instance of a group "lets go".
 */
import { SandboxError } from '../../protocol/errors';
import { indexedStructs, optionalInt, requiredParam } from '../../protocol/form';
import { checkRange } from '../../protocol/pagination';
import { items, type XmlObject } from '../../protocol/xml';
import type { Tags } from '../../state/records';
import type { RegionState } from '../../state/region';
import { Table } from '../../state/table';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, idList, refuseMaxResultsWithIds, tagSet } from './common';

export interface VolumeAttachmentRecord {
  instanceId: string;
  device: string;
  /** Only when the seeder gave one: the sandbox never reads the wall clock. */
  attachTime?: string;
}

export interface VolumeRecord {
  id: string;
  size: number;
  availabilityZone: string;
  /** creating | available | in-use | deleting | deleted | error (in-use exactly while attached). */
  state: string;
  createTime?: string;
  attachment?: VolumeAttachmentRecord;
  tags: Tags;
}

export interface VolumeSeed {
  id?: string;
  size?: number;
  /** Default: the region's zone `a`, where the sandbox launches every instance. */
  availabilityZone?: string;
  state?: 'creating' | 'available' | 'error';
  createTime?: string;
  /** Attached to this instance at the device (default /dev/xvdf). */
  attachedTo?: { instanceId: string; device?: string };
  tags?: Tags;
}

const VOLUME_ID = /^vol-[0-9a-f]{8}([0-9a-f]{9})?$/;

function volumeTable(region: RegionState): Table<VolumeRecord> {
  return region.store('ec2-volumes', () => {
    const table = new Table<VolumeRecord>((v) => v.id);
    region.registerTaggable((id) => table.get(id));
    return table;
  });
}

/** The old instance has let go once it is terminated or no longer exists. */
function settle(region: RegionState, volume: VolumeRecord): VolumeRecord {
  const holder = volume.attachment && region.getInstance(volume.attachment.instanceId);
  if (volume.attachment && (!holder || holder.state === 'terminated')) {
    volume.attachment = undefined;
    volume.state = 'available';
  }
  return volume;
}

/** One region's volumes, settled (for tests that look inside). */
export function volumesOf(region: RegionState): VolumeRecord[] {
  return [...volumeTable(region).values()].map((v) => settle(region, v));
}

export function getVolume(region: RegionState, id: string): VolumeRecord | undefined {
  const volume = volumeTable(region).get(id);
  return volume && settle(region, volume);
}

export function addVolume(region: RegionState, seed: VolumeSeed = {}, newId: () => string): VolumeRecord {
  const attached = seed.attachedTo;
  if (attached && !region.getInstance(attached.instanceId)) {
    throw new Error(`sandbox: no instance ${attached.instanceId} to attach the volume to`);
  }
  return volumeTable(region).add({
    id: seed.id ?? newId(),
    size: seed.size ?? 8,
    availabilityZone: seed.availabilityZone ?? `${region.name}a`,
    state: attached ? 'in-use' : (seed.state ?? 'available'),
    createTime: seed.createTime,
    attachment: attached
      ? {
          instanceId: attached.instanceId,
          device: attached.device ?? '/dev/xvdf',
          attachTime: seed.createTime,
        }
      : undefined,
    tags: { ...seed.tags },
  });
}

function requireVolume(region: RegionState, id: string): VolumeRecord {
  if (!VOLUME_ID.test(id))
    throw new SandboxError('InvalidParameterValue', `Invalid id: "${id}" (expecting "vol-...")`);
  const volume = getVolume(region, id);
  if (!volume) throw new SandboxError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
  return volume;
}

const VOLUME_FIELDS: FieldReaders<VolumeRecord> = {
  'volume-id': (v) => v.id,
  status: (v) => v.state,
  'availability-zone': (v) => v.availabilityZone,
  size: (v) => String(v.size),
  'attachment.instance-id': (v) => v.attachment?.instanceId,
  'attachment.device': (v) => v.attachment?.device,
  'attachment.status': (v) => (v.attachment ? 'attached' : undefined),
};

function renderAttachment(volume: VolumeRecord, status = 'attached'): XmlObject {
  const a = volume.attachment!;
  return {
    volumeId: volume.id,
    instanceId: a.instanceId,
    device: a.device,
    status,
    attachTime: a.attachTime,
    deleteOnTermination: false,
  };
}

function renderVolume(volume: VolumeRecord): XmlObject {
  return {
    volumeId: volume.id,
    size: volume.size,
    snapshotId: '',
    availabilityZone: volume.availabilityZone,
    status: volume.state,
    createTime: volume.createTime,
    attachmentSet: items(volume.attachment ? [renderAttachment(volume)] : []),
    tagSet: tagSet(volume.tags),
    volumeType: 'gp3',
    encrypted: false,
    multiAttachEnabled: false,
  };
}

const describeVolumes: QueryAction = (params, { region }) => {
  const ids = idList(params, 'VolumeId');
  const maxResults = optionalInt(params, 'MaxResults');
  refuseMaxResultsWithIds(ids, maxResults, 'volumeIdSet');
  checkRange('maxResults', maxResults, 5, 500);
  const filter = compileFilters(ec2Filters(params), VOLUME_FIELDS, (v) => v.tags);
  if (ids.length > 0) {
    const found = ids.map((id) => requireVolume(region, id)).filter(filter);
    return { volumeSet: items(found.map(renderVolume)) };
  }
  const page = volumeTable(region).page(params.get('NextToken'), maxResults, (v) =>
    filter(settle(region, v)),
  );
  return { volumeSet: items(page.items.map(renderVolume)), nextToken: page.nextToken };
};

const createVolume: QueryAction = (params, { region, state }) => {
  const zone = requiredParam(params, 'AvailabilityZone');
  const size = optionalInt(params, 'Size') ?? 8;
  checkRange('Size', size, 1, 16384);
  const tags: Tags = {};
  for (const spec of indexedStructs(params, 'TagSpecification')) {
    for (const tag of indexedStructs(spec, 'Tag')) tags[tag.get('Key') ?? ''] = tag.get('Value') ?? '';
  }
  const volume = addVolume(region, { availabilityZone: zone, size, tags }, () => state.ids.next('vol'));
  return { ...renderVolume(volume), attachmentSet: undefined };
};

const attachVolume: QueryAction = (params, { region }) => {
  const volume = requireVolume(region, requiredParam(params, 'VolumeId'));
  const instanceId = requiredParam(params, 'InstanceId');
  const device = requiredParam(params, 'Device');
  const instance = region.getInstance(instanceId);
  if (!instance)
    throw new SandboxError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  if (instance.state !== 'running' && instance.state !== 'stopped') {
    throw new SandboxError('IncorrectState', `Instance '${instanceId}' is not 'running'.`);
  }
  if (volume.attachment || volume.state !== 'available') {
    throw new SandboxError(
      'VolumeInUse',
      volume.attachment
        ? `${volume.id} is already attached to an instance`
        : `The volume '${volume.id}' is '${volume.state}', not 'available'.`,
    );
  }
  if (volume.availabilityZone !== instance.availabilityZone) {
    throw new SandboxError(
      'InvalidVolume.ZoneMismatch',
      `The volume '${volume.id}' is not in the same availability zone as instance '${instanceId}'`,
    );
  }
  if (!/^\/dev\/(sd|xvd)[a-z]{1,2}$/.test(device)) {
    throw new SandboxError(
      'InvalidParameterValue',
      `Value (${device}) for parameter device is invalid. ${device} is not a valid EBS device name.`,
    );
  }
  const taken = volumesOf(region).some(
    (v) => v.attachment?.instanceId === instanceId && v.attachment.device === device,
  );
  if (taken) throw new SandboxError('InvalidParameterValue', `Attachment point ${device} is already in use`);
  volume.attachment = { instanceId, device };
  volume.state = 'in-use';
  return renderAttachment(volume, 'attaching');
};

const detachVolume: QueryAction = (params, { region }) => {
  const volume = requireVolume(region, requiredParam(params, 'VolumeId'));
  if (!volume.attachment) {
    throw new SandboxError('IncorrectState', `Volume '${volume.id}' is in the 'available' state.`);
  }
  const out = renderAttachment(volume, 'detaching');
  volume.attachment = undefined;
  volume.state = 'available';
  return out;
};

export const volumeActions = {
  DescribeVolumes: describeVolumes,
  CreateVolume: createVolume,
  AttachVolume: attachVolume,
  DetachVolume: detachVolume,
};
