import type { UsageRef, UsageSources } from '../domain';
import { cmp, SSM_PREFIX, type CollectUsageOptions, type UsageIndex } from './types';
import { walkUsage } from './walk';

export function collectUsage(sources: UsageSources, options: CollectUsageOptions = {}): UsageIndex {
  const refs: UsageRef[] = [];
  const unresolved = walkUsage(sources, options, (ref) => refs.push(ref));
  const sorted = dedupeAndSort(refs);
  // One exactly sized slice of the sorted list per AMI (sorted by image id, so each AMI's refs are
  // adjacent): an array grown by push per AMI keeps slack capacity, which adds up at 100k instances.
  const byImage = new Map<string, UsageRef[]>();
  for (let start = 0; start < sorted.length;) {
    const imageId = sorted[start]!.imageId;
    let end = start + 1;
    while (end < sorted.length && sorted[end]!.imageId === imageId) end++;
    byImage.set(imageId, sorted.slice(start, end));
    start = end;
  }
  const sortedUnresolved = [...unresolved].sort(
    (a, b) => cmp(a.resourceId, b.resourceId) || cmp(a.message, b.message),
  );
  return {
    refsFor: refsLookup(byImage),
    inUseImageIds: new Set(byImage.keys()),
    refs: sorted,
    unresolved: sortedUnresolved,
    problems: sortedUnresolved.map((u) => ({
      resourceId: u.resourceId,
      message: `${u.message}; any AMI could be in use through it, so cleanup deletes nothing until it is fixed`,
    })),
  };
}

/** Outside collectUsage so that the closure keeps only the index alive, not the walk's working lists. */
function refsLookup(byImage: ReadonlyMap<string, UsageRef[]>): (imageId: string) => UsageRef[] {
  return (imageId) => [...(byImage.get(imageId) ?? [])];
}

/**
 * The AMI ids something runs from or would launch from: the ids the adapter should describe.
 * Pass the same options as to collectUsage so AMIs behind SSM parameters are included.
 */
export function imageIdsReferencedBySources(
  sources: UsageSources,
  options: CollectUsageOptions = {},
): string[] {
  // Only the ids: the full index (100k references, sorted and deduplicated) would be built here
  // and again by the caller's collectUsage, both alive at the tagger's peak.
  const ids = new Set<string>();
  walkUsage(sources, options, (ref) => ids.add(ref.imageId));
  return [...ids].sort(cmp);
}

/**
 * The SSM parameters (NAME as written after "resolve:ssm:", selector included) that image ids in
 * the sources name, sorted: what the adapter should read (ssm:GetParameters) before collectUsage.
 * Includes every launch template version read, which is a superset of the ones that count.
 */
export function ssmParametersReferencedBySources(sources: UsageSources): string[] {
  const ids = [
    ...sources.instances.map((i) => i.imageId),
    ...sources.launchTemplateVersions.map((v) => v.imageId ?? ''),
    ...sources.launchConfigurations.map((c) => c.imageId),
    ...(sources.fleets ?? []).flatMap((f) => [
      ...f.launchSpecificationImageIds,
      ...f.launchTemplateConfigs.flatMap((c) => c.overrideImageIds),
    ]),
    ...(sources.spotInstanceRequests ?? []).map((r) => r.imageId),
  ].map((id) => id.trim());
  const names = ids.filter((id) => id.startsWith(SSM_PREFIX)).map((id) => id.slice(SSM_PREFIX.length));
  return [...new Set(names)].sort(cmp);
}

/**
 * Sorted, then equal neighbours dropped: the same result as keying every reference by its fields,
 * without a 100k-entry map of key strings at the tagger's peak. Sorts `refs` in place.
 */
function dedupeAndSort(refs: UsageRef[]): UsageRef[] {
  const order = (a: UsageRef, b: UsageRef) =>
    cmp(a.imageId, b.imageId) ||
    cmp(a.kind, b.kind) ||
    cmp(a.resourceId, b.resourceId) ||
    cmp(a.detail, b.detail);
  refs.sort(order);
  const out: UsageRef[] = [];
  for (const r of refs) {
    if (out.length === 0 || order(out[out.length - 1]!, r) !== 0) out.push(r);
  }
  return out;
}
