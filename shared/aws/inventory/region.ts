/**
 * Reads one region's AMIs and everything that could launch from them. Read only. SDK shapes stop
 * here: callers get shared/domain.ts records.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

import type { ImageInventory, Problem } from '../../domain';
import type { SnapshotRecord } from '../../plan/cleanup';
import {
  collectUsage,
  imageIdsReferencedBySources,
  ssmParametersReferencedBySources,
  type UsageIndex,
} from '../../usage';
import type { AwsClients } from '../clients';
import { readAutoScalingGroups, readLaunchConfigurations } from './auto-scaling';
import { readFleets, readSpotFleetRequests, readSpotInstanceRequests } from './fleets';
import { readImagesById, readOwnedImages } from './images';
import { readInstances } from './instances';
import { readPendingSnapshots } from './snapshots';
import { readImageParameters, readSsmParameters } from './ssm';
import {
  readLatestAndDefaultTemplateVersions,
  readLaunchTemplates,
  readOlderTemplateVersions,
  readPinnedTemplateVersions,
} from './templates';

export interface RegionInventory extends ImageInventory {
  /**
   * Owned snapshots marked TAG.pendingDeletion by earlier runs. Empty unless asked for. The snapshots
   * of the AMIs a cleanup run is about to delete are looked up later, only for those AMIs
   * (lookUpOwnedSnapshots, CleanupPlan.snapshotsToRead): reading those of every opted-in AMI here
   * cost a DescribeSnapshots per 200 of them on every run, for AMIs that were mostly not deleted.
   */
  snapshots: SnapshotRecord[];
  /**
   * Values of the SSM parameters that image ids of the form resolve:ssm:NAME name, keyed by NAME;
   * pass to collectUsage. A parameter that could not be read is absent (its users stay unresolved).
   */
  ssmParameters: Map<string, string>;
  /** What could not be read (e.g. a foreign AMI that no longer exists); never fatal. */
  problems: Problem[];
}

/**
 * The usage index of an inventory, with the SSM parameters it resolved: the one way tagger, cleanup
 * and the plan CLI get from what was read to what is in use, so none can forget a source.
 */
export function usageOf(inventory: RegionInventory): UsageIndex {
  return collectUsage(inventory.sources, { ssmParameters: inventory.ssmParameters });
}

export interface InventoryOptions {
  /** Cleanup needs the pending-deletion-marked snapshots, the tagger does not. */
  snapshots?: boolean;
  /**
   * Count only the N newest versions of each launch template (LAUNCH_TEMPLATE_VERSIONS_IN_USE), plus
   * $Default and the versions something names; undefined: every version.
   */
  templateVersionsInUse?: number;
}

export async function readImageInventory(
  clients: AwsClients,
  region: string,
  options: InventoryOptions = {},
): Promise<RegionInventory> {
  const problems: Problem[] = [];
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  const accountId = identity.Account ?? '';

  const [
    owned,
    instances,
    latestAndDefault,
    templates,
    launchConfigurations,
    groups,
    fleets,
    spotFleets,
    spotInstanceRequests,
    imageParameters,
    pendingSnapshots,
  ] = await Promise.all([
    readOwnedImages(clients, region, accountId),
    readInstances(clients),
    readLatestAndDefaultTemplateVersions(clients),
    readLaunchTemplates(clients, options.templateVersionsInUse),
    readLaunchConfigurations(clients),
    readAutoScalingGroups(clients),
    readFleets(clients),
    readSpotFleetRequests(clients),
    readSpotInstanceRequests(clients),
    readImageParameters(clients, problems),
    options.snapshots ? readPendingSnapshots(clients, accountId) : Promise.resolve([]),
  ]);
  const older = await readOlderTemplateVersions(clients, templates, latestAndDefault);
  const allFleets = [...fleets, ...spotFleets];
  const pinned = await readPinnedTemplateVersions(
    clients,
    [
      ...groups.flatMap((g) => g.launchTemplates),
      ...allFleets.flatMap((f) => f.launchTemplateConfigs.map((c) => c.template)),
    ],
    [...latestAndDefault, ...older],
    problems,
  );
  const launchTemplateVersions = [...latestAndDefault, ...older, ...pinned];

  const sources = {
    instances,
    launchTemplateVersions,
    launchConfigurations,
    autoScalingGroups: groups,
    launchTemplates: templates,
    fleets: allFleets,
    spotInstanceRequests,
    imageParameters,
  };
  const ssmParameters = await readSsmParameters(clients, ssmParametersReferencedBySources(sources), problems);
  const ownedIds = new Set(owned.map((i) => i.id));
  // The usage module decides what counts as a reference, so both read the same AMI ids.
  const foreignIds = imageIdsReferencedBySources(sources, { ssmParameters }).filter(
    (id) => !ownedIds.has(id),
  );
  const foreign = await readImagesById(clients, region, accountId, foreignIds, problems);

  return {
    region,
    accountId,
    images: [...owned, ...foreign],
    sources,
    snapshots: pendingSnapshots,
    ssmParameters,
    problems,
  };
}
