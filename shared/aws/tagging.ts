/**
 * Writes the tagger's tags with as few CreateTags calls as EC2 allows: one call carries up to
 * 1000 resource ids (the documented maximum of ResourceId.N) as long as they get the same tag set.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';

import type { RunFailure } from '../events';
import { TAG, formatTimestamp } from '../tags';
import type { AwsClients } from './clients';
import { errorText } from '../errors';

export const CREATE_TAGS_MAX_RESOURCES = 1000;

export interface TagWrite {
  tags: Record<string, string>;
  resourceIds: string[];
}

export interface TagWriteResult {
  /** Ids that CreateTags accepted, per tag set. */
  tagged: { tags: Record<string, string>; resourceIds: string[] }[];
  failures: RunFailure[];
  /** Every id of a failed batch, for the report (a RunFailure names the batch, not all its ids). */
  failedBatches: { resourceIds: string[]; error: string }[];
  calls: number;
}

/**
 * In-use AMIs get LastUsed and LastUsedRuntime; idle ones coming out of a period nobody watched
 * (observedSinceIds) LastUsedRuntime and LastUsedObservedSince; the rest LastUsedRuntime only: at
 * most three tag sets, so three groups of batches. An id in several lists is written once. The
 * end of a blind period goes in the same call as LastUsedRuntime on purpose: a fresh
 * LastUsedRuntime written without it (a failed second call) would let cleanup trust a stale LastUsed.
 */
export function taggerWrites(
  lastUsedIds: string[],
  runtimeIds: string[],
  now: Date,
  observedSinceIds: string[],
): TagWrite[] {
  const stamp = formatTimestamp(now);
  const inUse = [...new Set(lastUsedIds)];
  const inUseSet = new Set(inUse);
  const blind = [...new Set(observedSinceIds)].filter((id) => !inUseSet.has(id));
  const blindSet = new Set(blind);
  const rest = [...new Set(runtimeIds)].filter((id) => !inUseSet.has(id) && !blindSet.has(id));
  const writes: TagWrite[] = [
    { tags: { [TAG.lastUsed]: stamp, [TAG.lastUsedRuntime]: stamp }, resourceIds: inUse },
    { tags: { [TAG.lastUsedRuntime]: stamp, [TAG.lastUsedObservedSince]: stamp }, resourceIds: blind },
    { tags: { [TAG.lastUsedRuntime]: stamp }, resourceIds: rest },
  ];
  return writes.filter((w) => w.resourceIds.length > 0);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A failed batch is recorded with its ids and the error; the other batches still run. */
export async function applyTagWrites(
  clients: AwsClients,
  writes: TagWrite[],
  hasTime: () => boolean = () => true,
): Promise<TagWriteResult & { incomplete: boolean }> {
  const result: TagWriteResult & { incomplete: boolean } = {
    tagged: [],
    failures: [],
    failedBatches: [],
    calls: 0,
    incomplete: false,
  };
  for (const write of writes) {
    const tagList = Object.entries(write.tags).map(([Key, Value]) => ({ Key, Value }));
    for (const batch of chunk(write.resourceIds, CREATE_TAGS_MAX_RESOURCES)) {
      if (!hasTime()) {
        result.incomplete = true;
        return result;
      }
      result.calls += 1;
      try {
        await clients.ec2.send(new CreateTagsCommand({ Resources: batch, Tags: tagList }));
        result.tagged.push({ tags: write.tags, resourceIds: batch });
      } catch (err) {
        const error = errorText(err);
        const first = batch[0] ?? '';
        result.failedBatches.push({ resourceIds: batch, error });
        result.failures.push({
          resourceId: batch.length === 1 ? first : `${first} and ${batch.length - 1} more AMIs`,
          action: 'CreateTags',
          message: `could not write ${Object.keys(write.tags).join('+')} on ${batch.length} AMIs (${error}); the next run retries them`,
        });
      }
    }
  }
  return result;
}
