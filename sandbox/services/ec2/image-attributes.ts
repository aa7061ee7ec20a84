/**
 * EC2 image attributes: DescribeImageAttribute and ModifyImageAttribute, for the launchPermission
 * attribute (who else may launch the AMI), which cleanup reads before deleting an AMI. EC2's other
 * attributes are answered with an error naming the one this sandbox implements.
 */
import { SandboxError } from '../../protocol/errors';
import { indexedList, indexedStructs, requiredParam, type FormParams } from '../../protocol/form';
import { items, type XmlObject } from '../../protocol/xml';
import type { ImageRecord, LaunchPermissionRecord } from '../../state/records';
import type { RegionState } from '../../state/region';
import type { QueryAction } from '../types';
import { requireAll } from './common';

const LAUNCH_PERMISSION = 'launchPermission';
const ACCOUNT_ID = /^\d{12}$/;

/** An entry of either kind ModifyImageAttribute takes: a share, or the public `group: all`. */
type PermissionChange = LaunchPermissionRecord | { group: 'all' };

/** The image, if the caller owns it: EC2 shows and changes launch permissions for the owner only. */
function ownedImage(params: FormParams, region: RegionState): ImageRecord {
  const [image] = requireAll([requiredParam(params, 'ImageId')], (id) => region.getImage(id));
  if (image!.ownerId !== region.accountId) {
    throw new SandboxError('AuthFailure', `Not authorized for image:${image!.id}`, 403);
  }
  return image!;
}

function unsupportedAttribute(attribute: string): SandboxError {
  return new SandboxError(
    'InvalidParameterValue',
    `Value (${attribute}) for parameter attribute is not supported by this sandbox: expected ${LAUNCH_PERMISSION}`,
  );
}

function renderPermissions(image: ImageRecord): XmlObject[] {
  const shares = image.launchPermissions.map((p): XmlObject => ({
    userId: p.userId,
    organizationArn: p.organizationArn,
    organizationalUnitArn: p.organizationalUnitArn,
  }));
  return image.public ? [{ group: 'all' }, ...shares] : shares;
}

const describeImageAttribute: QueryAction = (params, { region }) => {
  const attribute = requiredParam(params, 'Attribute');
  const image = ownedImage(params, region);
  if (attribute !== LAUNCH_PERMISSION) throw unsupportedAttribute(attribute);
  return { imageId: image.id, launchPermission: items(renderPermissions(image)) };
};

/** `LaunchPermission.Add.N.UserId` style entries (the SDK's LaunchPermission: { Add, Remove }). */
function structuredChanges(params: FormParams, operation: 'Add' | 'Remove'): PermissionChange[] {
  return indexedStructs(params, `LaunchPermission.${operation}`).map((s) => {
    const set = [
      ['userId', s.get('UserId')],
      ['group', s.get('Group')],
      ['organizationArn', s.get('OrganizationArn')],
      ['organizationalUnitArn', s.get('OrganizationalUnitArn')],
    ].filter(([, v]) => v !== undefined && v !== '') as Array<[string, string]>;
    if (set.length !== 1) {
      throw new SandboxError(
        'InvalidParameterValue',
        `Each LaunchPermission.${operation}.N must set exactly one of UserId, Group, OrganizationArn, OrganizationalUnitArn`,
      );
    }
    return toChange(set[0]![0], set[0]![1]);
  });
}

/** `OperationType=add&UserId.1=...&UserGroup.1=all&OrganizationArn.1=...` style entries. */
function flatChanges(params: FormParams): PermissionChange[] {
  return [
    ...indexedList(params, 'UserId').map((v) => toChange('userId', v)),
    ...indexedList(params, 'UserGroup').map((v) => toChange('group', v)),
    ...indexedList(params, 'OrganizationArn').map((v) => toChange('organizationArn', v)),
    ...indexedList(params, 'OrganizationalUnitArn').map((v) => toChange('organizationalUnitArn', v)),
  ];
}

function toChange(field: string, value: string): PermissionChange {
  if (field === 'group') {
    if (value !== 'all') {
      throw new SandboxError(
        'InvalidParameterValue',
        `Value (${value}) for parameter group is invalid: expected all`,
      );
    }
    return { group: 'all' };
  }
  if (field === 'userId' && !ACCOUNT_ID.test(value)) {
    throw new SandboxError(
      'InvalidAMIAttributeItemValue',
      `Invalid attribute item value "${value}" for userId item type: expected a 12-digit account id`,
    );
  }
  return { [field]: value };
}

const sameShare = (a: LaunchPermissionRecord, b: LaunchPermissionRecord) =>
  a.userId === b.userId &&
  a.organizationArn === b.organizationArn &&
  a.organizationalUnitArn === b.organizationalUnitArn;

function applyChange(image: ImageRecord, change: PermissionChange, add: boolean): void {
  if ('group' in change) {
    image.public = add;
    return;
  }
  const rest = image.launchPermissions.filter((p) => !sameShare(p, change));
  image.launchPermissions = add ? [...rest, change] : rest;
}

const modifyImageAttribute: QueryAction = (params, { region }) => {
  const image = ownedImage(params, region);
  const attribute = params.get('Attribute');
  const structured = {
    add: structuredChanges(params, 'Add'),
    remove: structuredChanges(params, 'Remove'),
  };
  const flat = flatChanges(params);
  if (attribute !== undefined && attribute !== LAUNCH_PERMISSION) throw unsupportedAttribute(attribute);
  if (flat.length > 0) {
    const operation = params.get('OperationType');
    if (operation !== 'add' && operation !== 'remove') {
      throw new SandboxError(
        'InvalidParameterValue',
        `Value (${operation ?? ''}) for parameter OperationType is invalid: expected add or remove`,
      );
    }
    structured[operation].push(...flat);
  }
  if (structured.add.length === 0 && structured.remove.length === 0) {
    throw new SandboxError(
      'MissingParameter',
      'The request must contain LaunchPermission, or OperationType with UserId, UserGroup, OrganizationArn or OrganizationalUnitArn',
    );
  }
  for (const change of structured.add) applyChange(image, change, true);
  for (const change of structured.remove) applyChange(image, change, false);
  return { return: true };
};

export const imageAttributeActions = {
  DescribeImageAttribute: describeImageAttribute,
  ModifyImageAttribute: modifyImageAttribute,
};
