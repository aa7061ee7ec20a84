/**
 * EC2 images: DescribeImages, DeregisterImage, and the retirement stages: EnableImageDeprecation /
 * DisableImageDeprecation (DescribeImages' DeprecationTime) and DisableImage / EnableImage (state
 * `disabled`, listed only with IncludeDisabled, all launch permissions removed as EC2 does).
 */
import { SandboxError } from '../../protocol/errors';
import { indexedList, optionalBool, optionalInt, requiredParam } from '../../protocol/form';
import { checkRange, type Page } from '../../protocol/pagination';
import { items, type XmlObject } from '../../protocol/xml';
import type { ImageRecord } from '../../state/records';
import type { RegionState } from '../../state/region';
import { compileFilters, type FieldReaders } from '../filtering';
import type { QueryAction } from '../types';
import { ec2Filters, idList, ownerMatcher, refuseMaxResultsWithIds, requireAll, tagSet } from './common';

const IMAGE_FIELDS: FieldReaders<ImageRecord> = {
  'image-id': (i) => i.id,
  state: (i) => i.state,
  name: (i) => i.name,
  description: (i) => i.description,
  'owner-id': (i) => i.ownerId,
  'owner-alias': (i) => i.ownerAlias,
  'is-public': (i) => String(i.public),
  'root-device-type': (i) => i.rootDeviceType,
  'creation-date': (i) => i.creationDate,
  'block-device-mapping.snapshot-id': (i) =>
    i.blockDeviceMappings.flatMap((m) => (m.snapshotId ? [m.snapshotId] : [])),
};

export function renderImage(image: ImageRecord): XmlObject {
  return {
    imageId: image.id,
    imageLocation: `${image.ownerAlias ?? image.ownerId}/${image.name ?? image.id}`,
    imageState: image.state,
    imageOwnerId: image.ownerId,
    creationDate: image.creationDate,
    isPublic: image.public,
    architecture: 'x86_64',
    imageType: 'machine',
    imageOwnerAlias: image.ownerAlias,
    name: image.name,
    description: image.description,
    rootDeviceType: image.rootDeviceType,
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: items(
      image.blockDeviceMappings.map((m) => ({
        deviceName: m.deviceName,
        ebs: m.snapshotId
          ? {
              snapshotId: m.snapshotId,
              volumeSize: m.volumeSize,
              deleteOnTermination: true,
              volumeType: 'gp3',
              encrypted: false,
            }
          : undefined,
      })),
    ),
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    tagSet: tagSet(image.tags),
    deregistrationProtection: image.deregistrationProtection ? 'enabled' : 'disabled',
    // EC2 leaves it out for an AMI never launched.
    lastLaunchedTime: image.lastLaunchedTime,
    deprecationTime: image.deprecationTime,
  };
}

const describeImages: QueryAction = (params, { region, state }) => {
  const imageIds = idList(params, 'ImageId');
  const maxResults = optionalInt(params, 'MaxResults');
  refuseMaxResultsWithIds(imageIds, maxResults, 'imageIdsSet');
  checkRange('maxResults', maxResults, 5, 1000);
  const owner = ownerMatcher(indexedList(params, 'Owner'), state.accountId);
  const filter = compileFilters(ec2Filters(params), IMAGE_FIELDS, (i) => i.tags);
  const includeDisabled = optionalBool(params, 'IncludeDisabled') ?? false;
  const keep = (i: ImageRecord) =>
    (includeDisabled || i.state !== 'disabled') && (!owner || owner(i.ownerId, i.ownerAlias)) && filter(i);

  const page: Page<ImageRecord> =
    imageIds.length > 0
      ? { items: requireAll(imageIds, (id) => region.getImage(id)).filter(keep) }
      : region.imageTable.page(params.get('NextToken'), maxResults, keep);
  return { imagesSet: items(page.items.map(renderImage)), nextToken: page.nextToken };
};

/** Deletes the image's own, otherwise unused snapshots (DeregisterImage DeleteAssociatedSnapshots=true). */
function deleteAssociatedSnapshots(region: RegionState, image: ImageRecord): XmlObject[] {
  return image.blockDeviceMappings.flatMap((m) => {
    const snapshot = m.snapshotId ? region.getSnapshot(m.snapshotId) : undefined;
    if (
      !snapshot ||
      snapshot.ownerId !== region.accountId ||
      region.imagesUsingSnapshot(snapshot.id).length > 0
    ) {
      return [];
    }
    region.removeSnapshot(snapshot.id);
    return [{ snapshotId: snapshot.id, returnCode: 'success' }];
  });
}

const deregisterImage: QueryAction = (params, { region }) => {
  const [image] = requireAll([requiredParam(params, 'ImageId')], (id) => region.getImage(id));
  if (image!.ownerId !== region.accountId) {
    throw new SandboxError(
      'UnauthorizedOperation',
      `You are not authorized to deregister ${image!.id}: it is owned by account ${image!.ownerId}`,
      403,
    );
  }
  if (image!.deregistrationProtection) {
    throw new SandboxError(
      'OperationNotPermitted',
      `The image ${image!.id} has deregistration protection enabled; disable it (DisableImageDeregistrationProtection) before deregistering`,
    );
  }
  region.removeImage(image!.id);
  const deleted = optionalBool(params, 'DeleteAssociatedSnapshots')
    ? deleteAssociatedSnapshots(region, image!)
    : [];
  return { return: true, deleteSnapshotResultSet: deleted.length > 0 ? items(deleted) : undefined };
};

/** The caller's own AMI, or EC2's error: only the owner may change its deprecation or state. */
function ownImage(region: RegionState, imageId: string, verb: string): ImageRecord {
  const [image] = requireAll([imageId], (id) => region.getImage(id));
  if (image!.ownerId !== region.accountId) {
    throw new SandboxError(
      'UnauthorizedOperation',
      `You are not authorized to ${verb} ${image!.id}: it is owned by account ${image!.ownerId}`,
      403,
    );
  }
  return image!;
}

/**
 * EC2 rounds DeprecateAt's seconds to the nearest minute. It also refuses a date in the past, which
 * the sandbox cannot tell (it never reads the wall clock), so every valid time is taken.
 */
function deprecateAt(text: string): string {
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(t)) {
    throw new SandboxError(
      'InvalidParameterValue',
      `Invalid value '${text}' for DeprecateAt: expected YYYY-MM-DDTHH:MM:SSZ`,
    );
  }
  const rounded = Math.round(t / 60_000) * 60_000;
  return new Date(rounded).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const enableImageDeprecation: QueryAction = (params, { region }) => {
  const image = ownImage(region, requiredParam(params, 'ImageId'), 'deprecate');
  image.deprecationTime = deprecateAt(requiredParam(params, 'DeprecateAt'));
  return { return: true };
};

const disableImageDeprecation: QueryAction = (params, { region }) => {
  const image = ownImage(region, requiredParam(params, 'ImageId'), 'cancel the deprecation of');
  delete image.deprecationTime;
  return { return: true };
};

const disableImage: QueryAction = (params, { region }) => {
  const image = ownImage(region, requiredParam(params, 'ImageId'), 'disable');
  if (image.state !== 'available' && image.state !== 'disabled') {
    throw new SandboxError(
      'IncorrectState',
      `The image ${image.id} is ${image.state}: only an available AMI can be disabled`,
    );
  }
  // EC2: "Sets the AMI state to disabled and removes all launch permissions from the AMI."
  image.state = 'disabled';
  image.public = false;
  image.launchPermissions = [];
  return { return: true };
};

const enableImage: QueryAction = (params, { region }) => {
  const image = ownImage(region, requiredParam(params, 'ImageId'), 'enable');
  if (image.state !== 'disabled' && image.state !== 'available') {
    throw new SandboxError(
      'IncorrectState',
      `The image ${image.id} is ${image.state}: only a disabled AMI can be enabled`,
    );
  }
  // Launch permissions removed by DisableImage are not given back (EC2 does not either).
  image.state = 'available';
  return { return: true };
};

export const imageActions = {
  DescribeImages: describeImages,
  DeregisterImage: deregisterImage,
  EnableImageDeprecation: enableImageDeprecation,
  DisableImageDeprecation: disableImageDeprecation,
  DisableImage: disableImage,
  EnableImage: enableImage,
};
