/**
 * RDS tagging by ARN: AddTagsToResource (Tags.Tag.N), RemoveTagsFromResource (TagKeys.member.N) and
 * ListTagsForResource, with RDS's limits: 50 tags a resource, keys up to 128 characters and values up
 * to 256, no `aws:` or `rds:` key prefix.
 */
import { SandboxError } from '../../protocol/errors';
import { indexedList, indexedStructs, requiredParam } from '../../protocol/form';
import type { RegionState } from '../../state/region';
import type { QueryAction } from '../types';
import { tagList } from './databases';
import { databaseByArn } from './store';

const MAX_TAGS = 50;

function target(region: RegionState, arn: string) {
  const found = databaseByArn(region, arn);
  if (found) return found;
  if (/:cluster:/.test(arn))
    throw new SandboxError('DBClusterNotFoundFault', `DBCluster ${arn} not found.`, 404);
  throw new SandboxError('DBInstanceNotFound', `DBInstance ${arn} not found.`, 404);
}

function checkKey(key: string): void {
  if (key.length === 0 || key.length > 128 || /^(aws|rds):/i.test(key)) {
    throw new SandboxError(
      'InvalidParameterValue',
      `Tag key ${JSON.stringify(key)} is not valid: 1 to 128 characters, not starting with aws: or rds:.`,
    );
  }
}

const addTagsToResource: QueryAction = (params, { region }) => {
  const db = target(region, requiredParam(params, 'ResourceName'));
  const tags = indexedStructs(params, 'Tags.Tag').map((s) => ({
    key: s.get('Key') ?? '',
    value: s.get('Value') ?? '',
  }));
  for (const t of tags) {
    checkKey(t.key);
    if (t.value.length > 256) {
      throw new SandboxError(
        'InvalidParameterValue',
        `Tag value for ${t.key} is longer than 256 characters.`,
      );
    }
  }
  const next = { ...db.tags };
  for (const t of tags) next[t.key] = t.value;
  if (Object.keys(next).length > MAX_TAGS) {
    throw new SandboxError(
      'TagQuotaPerResourceExceeded',
      `Cannot have more than ${MAX_TAGS} tags on ${db.arn}.`,
    );
  }
  db.tags = next;
  return {};
};

const removeTagsFromResource: QueryAction = (params, { region }) => {
  const db = target(region, requiredParam(params, 'ResourceName'));
  for (const key of indexedList(params, 'TagKeys.member')) delete db.tags[key];
  return {};
};

const listTagsForResource: QueryAction = (params, { region }) => ({
  TagList: tagList(target(region, requiredParam(params, 'ResourceName')).tags),
});

export const rdsTagActions = {
  AddTagsToResource: addTagsToResource,
  RemoveTagsFromResource: removeTagsFromResource,
  ListTagsForResource: listTagsForResource,
};
