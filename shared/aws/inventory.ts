/**
 * Reads one region's AMIs and everything that could launch from them. Read only. SDK shapes stop
 * here: callers get shared/domain.ts records.
 */
import {
  paginateDescribeAutoScalingGroups,
  paginateDescribeLaunchConfigurations,
  type AutoScalingGroup,
  type LaunchTemplateSpecification as AsgTemplateSpec,
} from '@aws-sdk/client-auto-scaling';
import {
  paginateDescribeFleets,
  paginateDescribeImages,
  paginateDescribeInstances,
  paginateDescribeLaunchTemplates,
  paginateDescribeLaunchTemplateVersions,
  paginateDescribeSnapshots,
  paginateDescribeSpotFleetRequests,
  paginateDescribeSpotInstanceRequests,
  type Filter,
  type FleetLaunchTemplateSpecification,
  type Image as SdkImage,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, GetParametersCommand, paginateDescribeParameters } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';

import type {
  AutoScalingGroupRecord,
  FleetRecord,
  Image,
  ImageInventory,
  ImageParameterRecord,
  InstanceRecord,
  LaunchConfigurationRecord,
  LaunchTemplateRecord,
  LaunchTemplateRef,
  LaunchTemplateVersionRecord,
  Problem,
  SpotInstanceRequestRecord,
} from '../domain';
import type { SnapshotLookup, SnapshotRecord } from '../plan/cleanup';
import { TAG, tagsFromList } from '../tags';
import {
  collectUsage,
  imageIdsReferencedBySources,
  ssmParametersReferencedBySources,
  type UsageIndex,
} from '../usage';
import { errorCode, errorText } from '../errors';
import type { AwsClients } from './clients';
import { mapWithConcurrency } from './concurrency';

/** Kept for code that still imports it from here; new code imports it from shared/errors. */
export { errorText } from '../errors';

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

// Every state but terminated: a stopped instance can be started again from its AMI.
const LIVE_INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];
// EC2 answers FilterLimitExceeded above 200 values in one filter.
const FILTER_VALUES_MAX = 200;

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

async function readOwnedImages(clients: AwsClients, region: string, accountId: string): Promise<Image[]> {
  const images: Image[] = [];
  const intern = internPool();
  const pages = paginateDescribeImages(
    { client: clients.ec2 },
    // IncludeDisabled: a disabled AMI is still registered and still holds its snapshots. Left out (the
    // default), its snapshots would look unused and its pending-deletion marks orphaned.
    { Owners: ['self'], MaxResults: 1000, IncludeDeprecated: true, IncludeDisabled: true },
  );
  for await (const page of pages) {
    for (const i of page.Images ?? []) images.push(toImage(i, region, accountId, intern));
  }
  return images;
}

/**
 * One string per distinct value of a field that repeats across records (owner, state): the parser
 * makes a fresh copy for every record, which at 100k AMIs + 100k instances is MBs of duplicates.
 */
function internPool(): (value: string) => string {
  const pool = new Map<string, string>();
  return (value) => {
    const known = pool.get(value);
    if (known !== undefined) return known;
    pool.set(value, value);
    return value;
  };
}

function toImage(i: SdkImage, region: string, accountId: string, intern: (v: string) => string): Image {
  const ownerId = i.OwnerId === accountId ? accountId : intern(i.OwnerId ?? '');
  const id = i.ImageId ?? '';
  const ownedBySelf = ownerId !== '' && ownerId === accountId;
  const state = intern(i.State ?? 'unknown');
  const tags = tagsFromList(i.Tags);
  const snapshotIds = (i.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );
  // EC2 answers "disabled", "enabled-with-cooldown", "enabled-without-cooldown"; anything but an
  // explicit "disabled" is treated as protected, so an unknown value never unlocks a deletion.
  const deregistrationProtected =
    i.DeregistrationProtection !== undefined && i.DeregistrationProtection !== 'disabled';
  // EC2 always says; an answer without it is taken as public, so a missing field never unlocks a deletion.
  const isPublic = i.Public !== false;
  const created = i.CreationDate ? new Date(i.CreationDate) : undefined;
  const createdAt = created !== undefined && !Number.isNaN(created.getTime()) ? created : undefined;
  // Kept even when unreadable (an Invalid Date): the plan keeps such an AMI and reports the value.
  const lastLaunchedAt = i.LastLaunchedTime ? new Date(i.LastLaunchedTime) : undefined;
  if (i.Name !== undefined && createdAt !== undefined && lastLaunchedAt === undefined) {
    // The usual AMI, in one literal (same field order as below): fields added after a literal go to
    // a separate property array, about 4 MB more at 100k AMIs.
    return {
      id,
      region,
      ownerId,
      ownedBySelf,
      state,
      tags,
      snapshotIds,
      deregistrationProtected,
      public: isPublic,
      name: i.Name,
      createdAt,
    };
  }
  const image: Image = {
    id,
    region,
    ownerId,
    ownedBySelf,
    state,
    tags,
    snapshotIds,
    deregistrationProtected,
    public: isPublic,
  };
  if (i.Name !== undefined) image.name = i.Name;
  if (createdAt !== undefined) image.createdAt = createdAt;
  if (lastLaunchedAt !== undefined) image.lastLaunchedAt = lastLaunchedAt;
  return image;
}

async function readInstances(clients: AwsClients): Promise<InstanceRecord[]> {
  const out: InstanceRecord[] = [];
  // Many instances run from one AMI: one string per AMI id rather than per instance.
  const internImageId = internPool();
  const internState = internPool();
  const pages = paginateDescribeInstances(
    { client: clients.ec2 },
    { Filters: [{ Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES }], MaxResults: 1000 },
  );
  for await (const page of pages) {
    for (const r of page.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        // An instance whose image id EC2 did not give still runs from some AMI: it is kept with an
        // empty id, which the usage index reports as unresolved (so cleanup refuses), never dropped.
        out.push({
          id: i.InstanceId || '(instance without an id)',
          imageId: internImageId(i.ImageId ?? ''),
          state: internState(i.State?.Name ?? 'unknown'),
        });
      }
    }
  }
  return out;
}

/**
 * $Latest and $Default of every template in the account in one paginated call: EC2 documents that
 * omitting the template id/name and asking for Versions=$Latest,$Default does exactly that.
 */
async function readLatestAndDefaultTemplateVersions(
  clients: AwsClients,
): Promise<LaunchTemplateVersionRecord[]> {
  const raw: LaunchTemplateVersion[] = [];
  const pages = paginateDescribeLaunchTemplateVersions(
    { client: clients.ec2 },
    { Versions: ['$Latest', '$Default'], MaxResults: 200 },
  );
  for await (const page of pages) raw.push(...(page.LaunchTemplateVersions ?? []));

  // The answer has no "latest" flag; since $Latest was asked for every template, the highest
  // version number returned per template is its latest.
  const latest = new Map<string, number>();
  for (const v of raw) {
    const id = v.LaunchTemplateId ?? '';
    latest.set(id, Math.max(latest.get(id) ?? 0, v.VersionNumber ?? 0));
  }
  const seen = new Set<string>();
  const out: LaunchTemplateVersionRecord[] = [];
  for (const v of raw) {
    const key = `${v.LaunchTemplateId}:${v.VersionNumber}`;
    if (seen.has(key)) continue; // latest == default comes back once or twice depending on the API
    seen.add(key);
    out.push(toTemplateVersion(v, latest.get(v.LaunchTemplateId ?? '') === v.VersionNumber));
  }
  return out;
}

function toTemplateVersion(v: LaunchTemplateVersion, isLatest: boolean): LaunchTemplateVersionRecord {
  const record: LaunchTemplateVersionRecord = {
    templateId: v.LaunchTemplateId ?? '',
    templateName: v.LaunchTemplateName ?? '',
    versionNumber: v.VersionNumber ?? 0,
    isDefault: v.DefaultVersion === true,
    isLatest,
  };
  if (v.LaunchTemplateData?.ImageId) record.imageId = v.LaunchTemplateData.ImageId;
  return record;
}

/**
 * Numbered versions that groups and fleets pin and that were not read yet (with
 * LAUNCH_TEMPLATE_VERSIONS_IN_USE, older than the newest N): one call per template, all its pinned
 * numbers at once.
 */
async function readPinnedTemplateVersions(
  clients: AwsClients,
  refs: LaunchTemplateRef[],
  known: LaunchTemplateVersionRecord[],
  problems: Problem[],
): Promise<LaunchTemplateVersionRecord[]> {
  const have = new Set(
    known.flatMap((v) => [`${v.templateId}:${v.versionNumber}`, `${v.templateName}:${v.versionNumber}`]),
  );
  const wanted = new Map<string, { ref: LaunchTemplateRef; versions: Set<string> }>();
  for (const ref of refs) {
    if (!/^\d+$/.test(ref.version)) continue;
    const key = ref.templateId ?? ref.templateName ?? '';
    if (key === '' || have.has(`${key}:${ref.version}`)) continue;
    const entry = wanted.get(key) ?? { ref, versions: new Set<string>() };
    entry.versions.add(ref.version);
    wanted.set(key, entry);
  }
  const out: LaunchTemplateVersionRecord[] = [];
  for (const [key, { ref, versions }] of wanted) {
    try {
      const pages = paginateDescribeLaunchTemplateVersions(
        { client: clients.ec2 },
        ref.templateId
          ? { LaunchTemplateId: ref.templateId, Versions: [...versions] }
          : { LaunchTemplateName: ref.templateName, Versions: [...versions] },
      );
      for await (const page of pages) {
        for (const v of page.LaunchTemplateVersions ?? []) out.push(toTemplateVersion(v, false));
      }
    } catch (err) {
      // The usage index reports the group's reference as unresolved, which keeps cleanup careful.
      problems.push({
        resourceId: key,
        message: `could not read launch template ${key} versions ${[...versions].join(',')}: ${errorText(err)}`,
      });
    }
  }
  return out;
}

/** EC2's answers for a launch template that does not exist (any more). */
const TEMPLATE_GONE = new Set([
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateName.NotFoundException',
]);

/** DescribeLaunchTemplates' largest page. */
const LAUNCH_TEMPLATES_PAGE = 200;
/** DescribeLaunchTemplateVersions' largest page. */
const TEMPLATE_VERSIONS_PAGE = 200;

/** Every launch template with its default and latest version numbers (DescribeLaunchTemplates). */
async function readLaunchTemplates(
  clients: AwsClients,
  newestVersionsCounted: number | undefined,
): Promise<LaunchTemplateRecord[]> {
  const out: LaunchTemplateRecord[] = [];
  const pages = paginateDescribeLaunchTemplates(
    { client: clients.ec2 },
    { MaxResults: LAUNCH_TEMPLATES_PAGE },
  );
  for await (const page of pages) {
    for (const t of page.LaunchTemplates ?? []) {
      if (!t.LaunchTemplateId) continue;
      const record: LaunchTemplateRecord = {
        id: t.LaunchTemplateId,
        name: t.LaunchTemplateName ?? '',
        defaultVersion: t.DefaultVersionNumber ?? 0,
        latestVersion: t.LatestVersionNumber ?? 0,
      };
      if (newestVersionsCounted !== undefined) record.newestVersionsCounted = newestVersionsCounted;
      out.push(record);
    }
  }
  return out;
}

/**
 * The versions that count (all, or the newest N) that the bulk $Default/$Latest call did not return:
 * one paginated call per template that has any (EC2 answers numbered versions only per template), so
 * a template with just one or two versions costs nothing more. A failed read is put on the template
 * record (unreadVersions), which the usage index reports as unresolved: cleanup then deletes nothing.
 */
async function readOlderTemplateVersions(
  clients: AwsClients,
  templates: LaunchTemplateRecord[],
  known: LaunchTemplateVersionRecord[],
): Promise<LaunchTemplateVersionRecord[]> {
  const have = new Set(known.map((v) => `${v.templateId}:${v.versionNumber}`));
  const out: LaunchTemplateVersionRecord[] = [];
  const needed = templates.flatMap((t) => {
    const oldest = Math.max(
      1,
      t.newestVersionsCounted === undefined ? 1 : t.latestVersion - t.newestVersionsCounted + 1,
    );
    for (let n = oldest; n <= t.latestVersion; n++) {
      if (!have.has(`${t.id}:${n}`)) return [{ template: t, oldest }];
    }
    return [];
  });
  await mapWithConcurrency(needed, 4, async ({ template, oldest }) => {
    try {
      const pages = paginateDescribeLaunchTemplateVersions(
        { client: clients.ec2 },
        { LaunchTemplateId: template.id, MinVersion: String(oldest), MaxResults: TEMPLATE_VERSIONS_PAGE },
      );
      for await (const page of pages) {
        for (const v of page.LaunchTemplateVersions ?? []) {
          if (!have.has(`${v.LaunchTemplateId}:${v.VersionNumber}`)) out.push(toTemplateVersion(v, false));
        }
      }
    } catch (err) {
      // Deleted since DescribeLaunchTemplates listed it: nothing can launch from it any more.
      if (TEMPLATE_GONE.has(errorCode(err) ?? '')) return;
      template.unreadVersions = `versions ${oldest} to ${template.latestVersion} could not be read (${errorText(err)}), so the AMIs they launch are unknown`;
    }
  });
  return out;
}

// Fleets and Spot requests in these states launch nothing more; the rest are read (the usage index
// decides what counts). EC2 lists instant fleets only when asked for by id: they launch once anyway.
const FLEETS_PAGE = 1000;
const SPOT_FLEET_REQUESTS_PAGE = 1000;
const SPOT_INSTANCE_REQUESTS_PAGE = 1000;

function toFleetTemplateRef(s: FleetLaunchTemplateSpecification | undefined): LaunchTemplateRef {
  // A fleet must name a version; one that does not is read as $Default, as Auto Scaling does.
  const ref: LaunchTemplateRef = { version: s?.Version ?? '$Default' };
  if (s?.LaunchTemplateId) ref.templateId = s.LaunchTemplateId;
  if (s?.LaunchTemplateName) ref.templateName = s.LaunchTemplateName;
  return ref;
}

/** EC2 Fleets (DescribeFleets): their launch template configs and the AMIs overrides name. */
async function readFleets(clients: AwsClients): Promise<FleetRecord[]> {
  const out: FleetRecord[] = [];
  const pages = paginateDescribeFleets({ client: clients.ec2 }, { MaxResults: FLEETS_PAGE });
  for await (const page of pages) {
    for (const f of page.Fleets ?? []) {
      out.push({
        id: f.FleetId ?? '(fleet without an id)',
        kind: 'fleet',
        type: f.Type ?? 'maintain',
        state: f.FleetState ?? 'unknown',
        launchTemplateConfigs: (f.LaunchTemplateConfigs ?? []).map((c) => ({
          template: toFleetTemplateRef(c.LaunchTemplateSpecification),
          overrideImageIds: (c.Overrides ?? []).flatMap((o) => (o.ImageId ? [o.ImageId] : [])),
        })),
        launchSpecificationImageIds: [],
      });
    }
  }
  return out;
}

/**
 * Spot Fleet requests (DescribeSpotFleetRequests): launch specifications name their AMI; launch
 * template configs name a template version (Spot Fleet overrides carry no ImageId).
 */
async function readSpotFleetRequests(clients: AwsClients): Promise<FleetRecord[]> {
  const out: FleetRecord[] = [];
  const pages = paginateDescribeSpotFleetRequests(
    { client: clients.ec2 },
    { MaxResults: SPOT_FLEET_REQUESTS_PAGE },
  );
  for await (const page of pages) {
    for (const r of page.SpotFleetRequestConfigs ?? []) {
      const config = r.SpotFleetRequestConfig;
      out.push({
        id: r.SpotFleetRequestId ?? '(Spot Fleet request without an id)',
        kind: 'spot-fleet',
        type: config?.Type ?? 'maintain',
        state: r.SpotFleetRequestState ?? 'unknown',
        launchTemplateConfigs: (config?.LaunchTemplateConfigs ?? []).map((c) => ({
          template: toFleetTemplateRef(c.LaunchTemplateSpecification),
          overrideImageIds: [],
        })),
        // An empty id is kept: the usage index reports it as unresolved rather than dropping it.
        launchSpecificationImageIds: (config?.LaunchSpecifications ?? []).map((l) => l.ImageId ?? ''),
      });
    }
  }
  return out;
}

/** Spot instance requests that can still launch (open, active, disabled), by a state filter. */
async function readSpotInstanceRequests(clients: AwsClients): Promise<SpotInstanceRequestRecord[]> {
  const out: SpotInstanceRequestRecord[] = [];
  const pages = paginateDescribeSpotInstanceRequests(
    { client: clients.ec2 },
    {
      Filters: [{ Name: 'state', Values: ['open', 'active', 'disabled'] }],
      MaxResults: SPOT_INSTANCE_REQUESTS_PAGE,
    },
  );
  for await (const page of pages) {
    for (const r of page.SpotInstanceRequests ?? []) {
      out.push({
        id: r.SpotInstanceRequestId ?? '(Spot instance request without an id)',
        state: r.State ?? 'unknown',
        type: r.Type ?? 'one-time',
        imageId: r.LaunchSpecification?.ImageId ?? '',
      });
    }
  }
  return out;
}

/** DescribeParameters' largest page; GetParameters' most names a call. */
const DESCRIBE_PARAMETERS_PAGE = 50;
const GET_PARAMETERS_MAX = 10;

/**
 * The account's SSM parameters of data type aws:ec2:image and their values: DescribeParameters
 * (filtered on the data type) for the names, then GetParameters ten names a call. A value that could
 * not be read is left undefined, so the usage index reports it unresolved and cleanup refuses.
 */
async function readImageParameters(
  clients: AwsClients,
  problems: Problem[],
): Promise<ImageParameterRecord[]> {
  const names: string[] = [];
  const pages = paginateDescribeParameters(
    { client: clients.ssm },
    {
      ParameterFilters: [{ Key: 'DataType', Option: 'Equals', Values: ['aws:ec2:image'] }],
      MaxResults: DESCRIBE_PARAMETERS_PAGE,
    },
  );
  for await (const page of pages) {
    for (const p of page.Parameters ?? []) if (p.Name) names.push(p.Name);
  }
  const values = new Map<string, string>();
  // Deleted between DescribeParameters and GetParameters (InvalidParameters): gone, so they name no
  // AMI any more. Only these are dropped; a name missing from both lists stays unknown.
  const gone = new Set<string>();
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += GET_PARAMETERS_MAX)
    batches.push(names.slice(i, i + GET_PARAMETERS_MAX));
  await mapWithConcurrency(batches, 4, async (batch) => {
    try {
      const res = await clients.ssm.send(new GetParametersCommand({ Names: batch }));
      for (const p of res.Parameters ?? []) if (p.Name && p.Value !== undefined) values.set(p.Name, p.Value);
      for (const name of res.InvalidParameters ?? []) if (!values.has(name)) gone.add(name);
    } catch (err) {
      problems.push({
        resourceId: batch.join(','),
        message: `could not read SSM parameters of data type aws:ec2:image: ${errorText(err)}`,
      });
    }
  });
  return names.flatMap((name) => {
    const value = values.get(name);
    if (value !== undefined) return [{ name, value }];
    return gone.has(name) ? [] : [{ name }];
  });
}

async function readLaunchConfigurations(clients: AwsClients): Promise<LaunchConfigurationRecord[]> {
  const out: LaunchConfigurationRecord[] = [];
  const pages = paginateDescribeLaunchConfigurations({ client: clients.autoScaling }, { MaxRecords: 100 });
  for await (const page of pages) {
    for (const c of page.LaunchConfigurations ?? []) {
      if (c.LaunchConfigurationName && c.ImageId)
        out.push({ name: c.LaunchConfigurationName, imageId: c.ImageId });
    }
  }
  return out;
}

async function readAutoScalingGroups(clients: AwsClients): Promise<AutoScalingGroupRecord[]> {
  const out: AutoScalingGroupRecord[] = [];
  const pages = paginateDescribeAutoScalingGroups({ client: clients.autoScaling }, { MaxRecords: 100 });
  for await (const page of pages) {
    for (const g of page.AutoScalingGroups ?? []) out.push(groupRecordFrom(g));
  }
  return out;
}

/** An Auto Scaling group as a domain record: every launch template it names, overrides included. */
export function groupRecordFrom(g: AutoScalingGroup): AutoScalingGroupRecord {
  const specs: AsgTemplateSpec[] = [];
  if (g.LaunchTemplate) specs.push(g.LaunchTemplate);
  const mixed = g.MixedInstancesPolicy?.LaunchTemplate;
  if (mixed?.LaunchTemplateSpecification) specs.push(mixed.LaunchTemplateSpecification);
  for (const o of mixed?.Overrides ?? []) {
    if (o.LaunchTemplateSpecification) specs.push(o.LaunchTemplateSpecification);
  }
  const record: AutoScalingGroupRecord = {
    name: g.AutoScalingGroupName ?? '',
    launchTemplates: specs.map(toTemplateRef),
    minSize: g.MinSize ?? 0,
    maxSize: g.MaxSize ?? 0,
    desiredCapacity: g.DesiredCapacity ?? 0,
    tags: tagsFromList(g.Tags),
    instanceIds: (g.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
  };
  if (g.LaunchConfigurationName) record.launchConfigurationName = g.LaunchConfigurationName;
  return record;
}

function toTemplateRef(s: AsgTemplateSpec): LaunchTemplateRef {
  // A group that names no version launches the template's default version (Auto Scaling's rule).
  const ref: LaunchTemplateRef = { version: s.Version ?? '$Default' };
  if (s.LaunchTemplateId) ref.templateId = s.LaunchTemplateId;
  if (s.LaunchTemplateName) ref.templateName = s.LaunchTemplateName;
  return ref;
}

async function readPendingSnapshots(clients: AwsClients, accountId: string): Promise<SnapshotRecord[]> {
  return readSnapshots(clients, accountId, [{ Name: 'tag-key', Values: [TAG.pendingDeletion] }]);
}

export interface OwnedSnapshotsLookedUp {
  /** The snapshots among those asked about that this account owns. */
  records: SnapshotRecord[];
  /** Per id asked about and reached: 'read' (found in records if ours) or 'failed' with why. */
  lookups: Map<string, SnapshotLookup>;
}

/**
 * Which of these snapshot ids this account owns, 200 ids a call (EC2's filter limit). By a
 * snapshot-id filter rather than SnapshotIds: a filter ignores ids that no longer exist, where
 * SnapshotIds fails the whole call. Owner self, so anything not returned is not ours (or gone).
 * A failed call is an answer of its own for each of its ids ('failed'), never "not ours"; ids not
 * reached because time ran out are left out, so they stay unknown.
 */
export async function lookUpOwnedSnapshots(
  clients: AwsClients,
  accountId: string,
  ids: readonly string[],
  options: { hasTime: () => boolean },
): Promise<OwnedSnapshotsLookedUp> {
  const records: SnapshotRecord[] = [];
  const lookups = new Map<string, SnapshotLookup>();
  const wanted = [...new Set(ids)];
  for (let i = 0; i < wanted.length; i += FILTER_VALUES_MAX) {
    if (!options.hasTime()) break;
    const batch = wanted.slice(i, i + FILTER_VALUES_MAX);
    try {
      records.push(...(await readSnapshots(clients, accountId, [{ Name: 'snapshot-id', Values: batch }])));
      for (const id of batch) lookups.set(id, { kind: 'read' });
    } catch (err) {
      const message = errorText(err);
      for (const id of batch) lookups.set(id, { kind: 'failed', message });
    }
  }
  return { records, lookups };
}

async function readSnapshots(
  clients: AwsClients,
  accountId: string,
  filters: Filter[],
): Promise<SnapshotRecord[]> {
  const out: SnapshotRecord[] = [];
  const pages = paginateDescribeSnapshots(
    { client: clients.ec2 },
    { OwnerIds: ['self'], Filters: filters, MaxResults: 1000 },
  );
  for await (const page of pages) {
    for (const s of page.Snapshots ?? []) {
      if (!s.SnapshotId) continue;
      const ownerId = s.OwnerId ?? '';
      const record: SnapshotRecord = {
        id: s.SnapshotId,
        ownerId,
        ownedBySelf: ownerId !== '' && ownerId === accountId,
        tags: tagsFromList(s.Tags),
      };
      if (s.State) record.state = s.State;
      out.push(record);
    }
  }
  return out;
}

/**
 * In-use AMIs of other accounts, described to learn their owner (for the report only). By an
 * image-id filter rather than ImageIds: ImageIds fails the whole call when one AMI is gone, the
 * filter just leaves it out, and a missing one is reported.
 */
async function readImagesById(
  clients: AwsClients,
  region: string,
  accountId: string,
  ids: string[],
  problems: Problem[],
): Promise<Image[]> {
  const out: Image[] = [];
  for (let i = 0; i < ids.length; i += FILTER_VALUES_MAX) {
    const batch = ids.slice(i, i + FILTER_VALUES_MAX);
    try {
      const found: Image[] = [];
      const intern = internPool();
      const pages = paginateDescribeImages(
        { client: clients.ec2 },
        { Filters: [{ Name: 'image-id', Values: batch }], IncludeDeprecated: true, MaxResults: 1000 },
      );
      for await (const page of pages) {
        for (const img of page.Images ?? []) found.push(toImage(img, region, accountId, intern));
      }
      out.push(...found);
      const foundIds = new Set(found.map((f) => f.id));
      for (const id of batch) {
        if (!foundIds.has(id)) {
          problems.push({
            resourceId: id,
            message: `${id} is in use but EC2 does not describe it (deregistered, or not shared with this account)`,
          });
        }
      }
    } catch (err) {
      problems.push({
        resourceId: batch.join(','),
        message: `could not describe in-use AMIs not owned by this account: ${errorText(err)}`,
      });
    }
  }
  return out;
}

/**
 * Launch templates often name their AMI as resolve:ssm:NAME. One GetParameter per distinct name
 * (accounts have few; NAME may carry a :version or :label selector, which GetParameter accepts).
 * A parameter that cannot be read is reported and left out, so its users stay unresolved and
 * cleanup refuses rather than guesses.
 */
async function readSsmParameters(
  clients: AwsClients,
  names: string[],
  problems: Problem[],
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  await mapWithConcurrency(names, 4, async (name) => {
    try {
      const res = await clients.ssm.send(new GetParameterCommand({ Name: name }));
      if (res.Parameter?.Value !== undefined) values.set(name, res.Parameter.Value);
    } catch (err) {
      problems.push({
        resourceId: name,
        message: `could not read SSM parameter ${name}, which a launch template, fleet or Spot request names as its image: ${errorText(err)}`,
      });
    }
  });
  return values;
}
