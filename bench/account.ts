/**
 * Synthetic accounts for the benchmark, seeded straight into the sandbox's state (no HTTP), with
 * counts the lower bounds are computed from. Snapshots are left out where the job does not read
 * them, which keeps 100k AMIs within memory.
 */
import type { Sandbox } from '../sandbox/server';
import { addDbCluster, addDbInstance } from '../sandbox/services/rds';
import { TAG } from '../shared/tags';
import type { ScaleShape, TaggerShape } from './bounds';

export const REGION = 'eu-west-1';
const FOREIGN_OWNER = '099720109477';
const DAY = 86_400_000;

export interface TaggerAccount {
  shape: TaggerShape;
}

/**
 * `images` owned AMIs (half opted in to cleanup), `instances` running instances spread over the
 * first half of the AMIs (so half the AMIs are in use), a few foreign AMIs in use, and launch
 * templates, configurations and groups that scale with the account (tens at 1k, hundreds at 10k+).
 */
export function seedTaggerAccount(
  sandbox: Sandbox,
  images: number,
  instances: number,
  now: Date,
): TaggerAccount {
  const region = sandbox.state.region(REGION);
  const created = new Date(now.getTime() - 30 * DAY);
  const ids: string[] = [];
  for (let i = 0; i < images; i++) {
    const tags: Record<string, string> = { Family: `app-${i % 50}` };
    if (i % 2 === 0) tags[TAG.autoCleanup] = 'true';
    ids.push(region.addImage({ name: `bench-${i}`, creationDate: created, snapshotIds: [], tags }).id);
  }
  const foreign = Array.from(
    { length: 5 },
    (_, i) => region.addImage({ name: `vendor-${i}`, ownerId: FOREIGN_OWNER, snapshotIds: [] }).id,
  );
  const usedByInstances = Math.max(1, Math.floor(images / 2));
  const inUse = new Set<string>();
  for (let i = 0; i < instances; i++) {
    const imageId = i < foreign.length ? foreign[i]! : ids[i % usedByInstances]!;
    if (i >= foreign.length) inUse.add(imageId);
    region.addInstance({ imageId, state: i % 10 === 0 ? 'stopped' : 'running' });
  }
  // Templates and groups point into the unused half, so they add in-use AMIs the instances don't.
  const templates = Math.min(500, Math.max(20, Math.floor(images / 50)));
  let templateVersions = 0;
  let olderTemplates = 0;
  for (let t = 0; t < templates; t++) {
    const a = ids[(usedByInstances + 2 * t) % images]!;
    const b = ids[(usedByInstances + 2 * t + 1) % images]!;
    // Half the templates have $Default != $Latest: both versions come back. The other half's version 1
    // is neither, so it takes a call of its own (EC2 answers numbered versions only per template).
    const defaultVersion = t % 2 === 0 ? 1 : 2;
    region.addLaunchTemplate({ name: `lt-${t}`, versions: [{ imageId: a }, { imageId: b }], defaultVersion });
    templateVersions += defaultVersion === 2 ? 1 : 2;
    if (defaultVersion === 2) olderTemplates += 1;
    // Every version is in use: a rollback target, and what a fleet or RunInstances may launch.
    inUse.add(a);
    inUse.add(b);
  }
  const configurations = Math.min(100, Math.max(10, Math.floor(templates / 5)));
  for (let c = 0; c < configurations; c++) {
    const imageId = ids[(usedByInstances + 2 * templates + c) % images]!;
    region.addLaunchConfiguration({ name: `lc-${c}`, imageId });
    inUse.add(imageId);
  }
  const groups = Math.floor(templates / 2);
  for (let g = 0; g < groups; g++) {
    region.addAutoScalingGroup({
      name: `asg-${g}`,
      launchTemplate: { launchTemplateName: `lt-${g}`, version: '$Default' },
      minSize: 0,
      maxSize: 4,
      desiredCapacity: 0,
    });
  }
  return {
    shape: {
      ownedImages: images,
      liveInstances: instances,
      templateVersions,
      launchTemplates: templates,
      olderTemplateVersions: { templates: olderTemplates, versions: olderTemplates },
      launchConfigurations: configurations,
      groups,
      ownedInUse: inUse.size,
      foreignInUse: Math.min(foreign.length, instances),
    },
  };
}

export interface CleanupAccount {
  /** AMIs the cleanup may delete, and the snapshots behind each. */
  deletable: Map<string, string[]>;
  /** AMIs it must keep (in use, or not opted in), with their snapshots. */
  kept: Map<string, string[]>;
}

/**
 * A backlog: `deletable` opted-in AMIs unused for 30 days with `snapshotsPerImage` snapshots each,
 * a fresh LastUsedRuntime (the tagger is alive), plus a tenth as many AMIs that must survive: in use
 * by an instance, or not opted in.
 */
export function seedCleanupBacklog(
  sandbox: Sandbox,
  deletable: number,
  snapshotsPerImage: number,
  now: Date,
): CleanupAccount {
  const region = sandbox.state.region(REGION);
  const old = new Date(now.getTime() - 30 * DAY);
  const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const fresh = stamp(new Date(now.getTime() - 5 * 60_000));
  const withSnapshots = (name: string, tags: Record<string, string>) => {
    const snapshotIds = Array.from(
      { length: snapshotsPerImage },
      () => region.addSnapshot({ startTime: old }).id,
    );
    const id = region.addImage({ name, creationDate: old, snapshotIds, tags }).id;
    return { id, snapshotIds };
  };
  const out: CleanupAccount = { deletable: new Map(), kept: new Map() };
  for (let i = 0; i < deletable; i++) {
    const { id, snapshotIds } = withSnapshots(`old-${i}`, {
      [TAG.autoCleanup]: 'true',
      [TAG.lastUsed]: stamp(old),
      [TAG.lastUsedRuntime]: fresh,
    });
    out.deletable.set(id, snapshotIds);
  }
  const keep = Math.max(2, Math.floor(deletable / 10));
  for (let i = 0; i < keep; i++) {
    const optedIn = i % 2 === 0;
    const tags: Record<string, string> = { [TAG.lastUsedRuntime]: fresh, [TAG.lastUsed]: stamp(old) };
    if (optedIn) tags[TAG.autoCleanup] = 'true';
    const { id, snapshotIds } = withSnapshots(`keep-${i}`, tags);
    if (optedIn) region.addInstance({ imageId: id, state: 'stopped' });
    out.kept.set(id, snapshotIds);
  }
  return out;
}

export interface ScaleAccount {
  shape: Omit<ScaleShape, 'stopBatch'>;
}

/**
 * `groups` opted-in groups with running capacity, `instances` opted-in running standalone instances,
 * and `databases` opted-in available databases: one in ten an Aurora cluster (with one untagged
 * member instance), the rest RDS DB instances.
 */
export function seedScaleAccount(
  sandbox: Sandbox,
  groups: number,
  instances: number,
  databases = 0,
): ScaleAccount {
  const region = sandbox.state.region(REGION);
  const image = region.addImage({ name: 'scale-base', snapshotIds: [] }).id;
  region.addLaunchTemplate({ name: 'scale-lt', versions: [{ imageId: image }] });
  for (let g = 0; g < groups; g++) {
    region.addAutoScalingGroup({
      name: `office-${g}`,
      launchTemplate: { launchTemplateName: 'scale-lt', version: '$Default' },
      minSize: 1,
      maxSize: 4,
      desiredCapacity: 2,
      instanceIds: [],
      tags: { [TAG.scaleToZero]: 'true' },
    });
  }
  for (let i = 0; i < instances; i++) {
    region.addInstance({
      imageId: image,
      state: 'running',
      tags: { [TAG.scaleToZero]: 'true', Name: `dev-${i}` },
    });
  }
  const dbClusters = Math.floor(databases / 10);
  const dbInstances = databases - dbClusters;
  for (let c = 0; c < dbClusters; c++) {
    addDbCluster(region, {
      id: `reports-${c}`,
      members: [`reports-${c}-1`],
      tags: { [TAG.scaleToZero]: 'true' },
    });
  }
  for (let d = 0; d < dbInstances; d++) {
    addDbInstance(region, { id: `orders-${d}`, tags: { [TAG.scaleToZero]: 'true' } });
  }
  return {
    shape: {
      groups,
      groupsScaled: groups,
      instances,
      instancesStopped: instances,
      dbInstances,
      dbClusters,
      dbClusterMembers: dbClusters,
    },
  };
}
