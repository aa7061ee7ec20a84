/**
 * A small simulated account for the outage tests: AMIs whose tags only the real tagger plan (and the
 * real write batching) change, run after run, and the real cleanup plan judging them at any moment.
 * The tests then compare what cleanup decided with the history of use and tagger runs.
 */
import type { Image } from '../../shared/domain';
import { taggerWrites } from '../../shared/aws/tagging';
import { DEFAULT_CLEANUP_SETTINGS, planCleanup, type CleanupPlan } from '../../shared/plan/cleanup';
import { planTagging } from '../../shared/plan/tagging';
import { image, snapshotsOf, usageOf } from './plan-fixtures';

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
export const TAGGER_PERIOD = 20 * MINUTE;

export interface SimImage {
  id: string;
  createdAt: Date;
  tags: Record<string, string>;
}

/** Owned, available, opted in, created at `createdAt`, never tagged by the tagger yet. */
export function simImage(id: string, createdAt: Date, tags: Record<string, string> = {}): SimImage {
  return { id, createdAt, tags: { AutoCleanup: 'true', ...tags } };
}

function toImage(s: SimImage): Image {
  // The fixture's default LastUsed/LastUsedRuntime are cleared: only the simulated tags count.
  const built = image(s.id, { createdAt: s.createdAt }, { LastUsed: undefined, LastUsedRuntime: undefined });
  return { ...built, tags: { ...s.tags } };
}

function usageFor(inUse: ReadonlySet<string>) {
  return usageOf({
    instances: [...inUse].map((id, n) => ({ id: `i-${n}`, imageId: id, state: 'running' })),
  });
}

/**
 * One tagger run at `now`: the real plan and the real CreateTags batching, applied to the tags.
 * A write to an id in `dropped` is lost whole (one CreateTags call is all or nothing), as when its
 * batch failed.
 */
export function taggerRun(
  images: readonly SimImage[],
  inUse: ReadonlySet<string>,
  now: Date,
  freshnessMinutes: number,
  dropped: ReadonlySet<string> = new Set(),
): void {
  const plan = planTagging({ images: images.map(toImage), usage: usageFor(inUse), now, freshnessMinutes });
  const byId = new Map(images.map((i) => [i.id, i]));
  for (const write of taggerWrites(plan.lastUsed, plan.runtime, now, plan.observedSince)) {
    for (const id of write.resourceIds) {
      const target = byId.get(id);
      if (target && !dropped.has(id)) Object.assign(target.tags, write.tags);
    }
  }
}

/** The real cleanup plan at `now`, every launch permission read and private, every snapshot known. */
export function cleanupPlan(
  images: readonly SimImage[],
  inUse: ReadonlySet<string>,
  now: Date,
  settings: { retentionDays: number; freshnessMinutes: number },
): CleanupPlan {
  const built = images.map(toImage);
  return planCleanup({
    images: built,
    usage: usageFor(inUse),
    snapshots: snapshotsOf(built),
    settings: { ...DEFAULT_CLEANUP_SETTINGS, maxDeletionsPerRun: 1000, ...settings },
    now,
    launchPermissions: new Map(built.map((i) => [i.id, { kind: 'read', permissions: [] }])),
  });
}

export function deletedIds(plan: CleanupPlan): string[] {
  return plan.deletions.map((d) => d.image.id);
}
