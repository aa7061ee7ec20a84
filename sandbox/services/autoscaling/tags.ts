/** Auto Scaling group tags: CreateOrUpdateTags, DeleteTags, DescribeTags (filtered, paginated). */
import { SandboxError } from '../../protocol/errors';
import { indexedStructs, parseFilters, type FormParams } from '../../protocol/form';
import { pageOfArray } from '../../protocol/pagination';
import { members, type XmlObject } from '../../protocol/xml';
import type { AutoScalingGroupRecord } from '../../state/records';
import type { RegionState } from '../../state/region';
import { compileFilters } from '../filtering';
import type { QueryAction } from '../types';
import { groupNotFound, groupTags, maxRecords } from './common';

const MAX_TAGS_PER_GROUP = 50;

interface TagInput {
  group: AutoScalingGroupRecord;
  key: string;
  value: string | undefined;
  propagateAtLaunch: boolean | undefined;
}

function tagInputs(params: FormParams, region: RegionState): TagInput[] {
  const tags = indexedStructs(params, 'Tags.member');
  if (tags.length === 0) throw new SandboxError('ValidationError', 'Tags must name at least one tag');
  return tags.map((t) => {
    const resourceId = t.get('ResourceId') ?? '';
    const resourceType = t.get('ResourceType') ?? 'auto-scaling-group';
    if (resourceType !== 'auto-scaling-group') {
      throw new SandboxError(
        'ValidationError',
        `ResourceType '${resourceType}' is not valid; expected auto-scaling-group`,
      );
    }
    const group = region.getAutoScalingGroup(resourceId);
    if (!group) throw groupNotFound(resourceId);
    const key = t.get('Key') ?? '';
    if (key === '' || key.length > 128)
      throw new SandboxError('ValidationError', `Tag key '${key}' must be 1 to 128 characters long`);
    const propagate = t.get('PropagateAtLaunch');
    return {
      group,
      key,
      value: t.get('Value'),
      propagateAtLaunch: propagate === undefined ? undefined : propagate === 'true',
    };
  });
}

const createOrUpdateTags: QueryAction = (params, { region }) => {
  const inputs = tagInputs(params, region);
  for (const input of inputs) {
    const keys = new Set([
      ...Object.keys(input.group.tags),
      ...inputs.filter((i) => i.group === input.group).map((i) => i.key),
    ]);
    if (keys.size > MAX_TAGS_PER_GROUP) {
      throw new SandboxError(
        'LimitExceeded',
        `The group ${input.group.name} would have more than ${MAX_TAGS_PER_GROUP} tags`,
      );
    }
  }
  for (const { group, key, value, propagateAtLaunch } of inputs) {
    group.tags[key] = {
      value: value ?? '',
      propagateAtLaunch: propagateAtLaunch ?? group.tags[key]?.propagateAtLaunch ?? false,
    };
  }
  return {};
};

const deleteTags: QueryAction = (params, { region }) => {
  for (const { group, key } of tagInputs(params, region)) delete group.tags[key];
  return {};
};

const TAG_FIELDS = {
  'auto-scaling-group': (t: XmlObject) => t.ResourceId as string,
  key: (t: XmlObject) => t.Key as string,
  value: (t: XmlObject) => t.Value as string,
  'propagate-at-launch': (t: XmlObject) => String(t.PropagateAtLaunch),
};

const describeTags: QueryAction = (params, { region }) => {
  const limit = maxRecords(params);
  const filter = compileFilters(
    parseFilters(params, 'Filters.member', 'Values.member'),
    TAG_FIELDS,
    undefined,
    'ValidationError',
  );
  const all = region.autoScalingGroups().flatMap(groupTags).filter(filter);
  const page = pageOfArray(all, params.get('NextToken'), limit);
  return { Tags: members(page.items), NextToken: page.nextToken };
};

export const tagActions = {
  CreateOrUpdateTags: createOrUpdateTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
};
