/** EC2 CreateTags / DeleteTags: many resources (images, snapshots, instances, templates) a call. */
import { SandboxError } from '../../protocol/errors';
import { indexedStructs, type FormParams } from '../../protocol/form';
import type { RegionState } from '../../state/region';
import type { Tags } from '../../state/records';
import type { QueryAction } from '../types';
import { idList, requireAll } from './common';

const MAX_TAGS_PER_RESOURCE = 50;

function taggableResources(params: FormParams, region: RegionState): Array<{ tags: Tags }> {
  const ids = idList(params, 'ResourceId');
  if (ids.length === 0)
    throw new SandboxError('MissingParameter', 'The request must contain the parameter ResourceId');
  return requireAll(ids, (id) => region.taggable(id));
}

const createTags: QueryAction = (params, { region }) => {
  const tags = indexedStructs(params, 'Tag').map((t) => ({
    key: t.get('Key') ?? '',
    value: t.get('Value') ?? '',
  }));
  if (tags.length === 0)
    throw new SandboxError('MissingParameter', 'The request must contain the parameter Tag');
  for (const { key, value } of tags) {
    if (key === '' || key.length > 128) {
      throw new SandboxError('InvalidParameterValue', `Tag key '${key}' must be 1 to 128 characters long`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new SandboxError(
        'InvalidParameterValue',
        `Tag key '${key}': keys starting with 'aws:' are reserved for AWS`,
      );
    }
    if (value.length > 256) {
      throw new SandboxError(
        'InvalidParameterValue',
        `Tag value for key '${key}' is longer than 256 characters`,
      );
    }
  }
  const resources = taggableResources(params, region);
  for (const resource of resources) {
    const keys = new Set([...Object.keys(resource.tags), ...tags.map((t) => t.key)]);
    if (keys.size > MAX_TAGS_PER_RESOURCE) {
      throw new SandboxError(
        'TagLimitExceeded',
        `The maximum number of Tags for a resource (${MAX_TAGS_PER_RESOURCE}) has been reached.`,
      );
    }
  }
  for (const resource of resources) for (const { key, value } of tags) resource.tags[key] = value;
  return { return: true };
};

const deleteTags: QueryAction = (params, { region }) => {
  const tags = indexedStructs(params, 'Tag').map((t) => ({ key: t.get('Key') ?? '', value: t.get('Value') }));
  for (const resource of taggableResources(params, region)) {
    if (tags.length === 0) {
      // EC2 deletes every user tag when no Tag.N is given.
      for (const key of Object.keys(resource.tags)) delete resource.tags[key];
      continue;
    }
    for (const { key, value } of tags) {
      if (value === undefined || resource.tags[key] === value) delete resource.tags[key];
    }
  }
  return { return: true };
};

export const tagActions = { CreateTags: createTags, DeleteTags: deleteTags };
