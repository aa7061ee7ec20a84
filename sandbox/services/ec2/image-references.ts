/**
 * DescribeImageReferences: which of this account's resources reference the given AMIs (instances,
 * launch templates, SSM parameters). What AWS scans needs read permissions of its own, which the
 * sandbox's IAM checks before this runs (sandbox/iam/requests.ts, IMAGE_REFERENCE_READS).
 *
 * Modelled: instances in any state but terminated; a launch template's default and latest versions
 * and up to 20 newer versions below them (AWS's default version depth); parameters of data type
 * aws:ec2:image whose current value is the AMI id. Not modelled: Image Builder recipes (the sandbox
 * has none).
 */
import { SandboxError } from '../../protocol/errors';
import { optionalBool, optionalInt, type FormParams } from '../../protocol/form';
import { checkRange, pageOfArray } from '../../protocol/pagination';
import { items, type XmlObject } from '../../protocol/xml';
import type { RegionState } from '../../state/region';
import type { SsmParameter } from '../ssm';
import type { QueryAction } from '../types';
import { idList } from './common';

export const IMAGE_REFERENCE_TYPES = [
  'ec2:Instance',
  'ec2:LaunchTemplate',
  'ssm:Parameter',
  'imagebuilder:ImageRecipe',
  'imagebuilder:ContainerRecipe',
] as const;

const VERSION_DEPTH = 20;

type SsmStore = Map<string, SsmParameter>;

/** The resource types a request asks about: all of them, or the ones it lists. */
export function requestedReferenceTypes(params: FormParams): string[] {
  if (optionalBool(params, 'IncludeAllResourceTypes')) return [...IMAGE_REFERENCE_TYPES];
  const types: string[] = [];
  for (let i = 1; params.has(`ResourceType.${i}.ResourceType`); i++)
    types.push(params.get(`ResourceType.${i}.ResourceType`)!);
  return types;
}

function referencesOf(region: RegionState, imageIds: Set<string>, types: Set<string>): XmlObject[] {
  const out: XmlObject[] = [];
  const add = (imageId: string, resourceType: string, arn: string) =>
    out.push({ imageId, resourceType, arn });
  if (types.has('ec2:Instance')) {
    for (const i of region.instances()) {
      if (i.state !== 'terminated' && i.imageId && imageIds.has(i.imageId)) {
        add(i.imageId, 'ec2:Instance', `arn:aws:ec2:${region.name}:${region.accountId}:instance/${i.id}`);
      }
    }
  }
  if (types.has('ec2:LaunchTemplate')) {
    for (const t of region.launchTemplates()) {
      const latest = t.versions.at(-1)?.versionNumber ?? 0;
      const seen = new Set<string>();
      for (const v of t.versions) {
        const scanned = v.versionNumber === t.defaultVersion || v.versionNumber > latest - VERSION_DEPTH;
        const imageId = v.data.imageId;
        if (!scanned || !imageId || !imageIds.has(imageId) || seen.has(imageId)) continue;
        seen.add(imageId);
        add(
          imageId,
          'ec2:LaunchTemplate',
          `arn:aws:ec2:${region.name}:${region.accountId}:launch-template/${t.id}`,
        );
      }
    }
  }
  if (types.has('ssm:Parameter')) {
    const store = region.store<SsmStore>('ssm', () => new Map());
    for (const p of store.values()) {
      const current = p.versions.at(-1);
      // Only parameters of data type aws:ec2:image are scanned, as AWS does.
      if (current?.dataType === 'aws:ec2:image' && imageIds.has(current.value)) {
        const value = current.value;
        const path = p.name.startsWith('/') ? p.name : `/${p.name}`;
        add(value, 'ssm:Parameter', `arn:aws:ssm:${region.name}:${region.accountId}:parameter${path}`);
      }
    }
  }
  return out;
}

const describeImageReferences: QueryAction = (params, { region }) => {
  const imageIds = idList(params, 'ImageId');
  if (imageIds.length === 0 || imageIds.length > 10) {
    throw new SandboxError('InvalidParameterValue', `ImageId takes 1 to 10 AMI ids, got ${imageIds.length}`);
  }
  const types = requestedReferenceTypes(params);
  if (types.length === 0) {
    throw new SandboxError(
      'MissingParameter',
      'Either IncludeAllResourceTypes or ResourceTypes must be specified',
    );
  }
  for (const t of types) {
    if (!(IMAGE_REFERENCE_TYPES as readonly string[]).includes(t)) {
      throw new SandboxError(
        'InvalidParameterValue',
        `Unsupported resource type ${t}: expected one of ${IMAGE_REFERENCE_TYPES.join(', ')}`,
      );
    }
  }
  const maxResults = optionalInt(params, 'MaxResults');
  checkRange('maxResults', maxResults, 5, 1000);
  const all = referencesOf(region, new Set(imageIds), new Set(types));
  const page = pageOfArray(all, params.get('NextToken'), maxResults);
  return { imageReferenceSet: items(page.items), nextToken: page.nextToken };
};

export const imageReferenceActions = { DescribeImageReferences: describeImageReferences };
