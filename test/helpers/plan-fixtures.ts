/** Builders for plan tests: a believable AMI with only the fields a test cares about overridden. */
import type { Image, UsageSources } from '../../shared/domain';
import type { SnapshotRecord } from '../../shared/plan/cleanup';
import { collectUsage } from '../../shared/usage';

export const NOW = new Date('2026-11-23T10:00:00Z');
export const SELF = '111111111111';
export const OTHER = '222222222222';

export function hoursAgo(h: number): string {
  return new Date(NOW.getTime() - h * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function daysAgo(d: number): Date {
  return new Date(NOW.getTime() - d * 86_400_000);
}

/** Owned, available, opted in, tagger fresh (5 min ago), unused for 19 days, created 30 days ago. */
export function image(
  id: string,
  over: Partial<Image> = {},
  tags: Record<string, string | undefined> = {},
): Image {
  const merged: Record<string, string> = {};
  const base: Record<string, string | undefined> = {
    AutoCleanup: 'true',
    LastUsed: hoursAgo(19 * 24),
    LastUsedRuntime: hoursAgo(5 / 60),
    ...tags,
  };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) merged[k] = v;
  return {
    id,
    region: 'eu-west-1',
    ownerId: SELF,
    ownedBySelf: true,
    name: id,
    createdAt: daysAgo(30),
    state: 'available',
    tags: merged,
    snapshotIds: [`snap-${id.slice(4)}`],
    deregistrationProtected: false,
    public: false,
    ...over,
  };
}

export function snapshot(id: string, over: Partial<SnapshotRecord> = {}): SnapshotRecord {
  return { id, ownerId: SELF, ownedBySelf: true, tags: {}, state: 'completed', ...over };
}

/** The snapshot records the adapter would pass for these images (all owned by self). */
export function snapshotsOf(images: Image[]): SnapshotRecord[] {
  return images.flatMap((i) => i.snapshotIds.map((s) => snapshot(s)));
}

export const NO_SOURCES: UsageSources = {
  instances: [],
  launchTemplateVersions: [],
  launchConfigurations: [],
  autoScalingGroups: [],
};

export function usageOf(sources: Partial<UsageSources> = {}) {
  return collectUsage({ ...NO_SOURCES, ...sources });
}
