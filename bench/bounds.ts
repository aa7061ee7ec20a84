/**
 * The fewest requests EC2 and Auto Scaling allow for a given inventory: every Describe read at the
 * largest page the API accepts, and every write carrying as many resources as one call may. Pure
 * arithmetic, so the benchmark's targets are judged against numbers a test can check.
 */

/** Largest page each Describe API accepts (from each API's MaxResults / MaxRecords range). */
export const MAX_PAGE = {
  describeImages: 1000,
  describeInstances: 1000,
  describeSnapshots: 1000,
  describeLaunchTemplateVersions: 200,
  describeLaunchTemplates: 200,
  describeAutoScalingGroups: 100,
  describeLaunchConfigurations: 100,
  describeFleets: 1000,
  describeSpotFleetRequests: 1000,
  describeSpotInstanceRequests: 1000,
  /** SSM DescribeParameters (MaxResults 1-50). */
  describeParameters: 50,
  /** Recycle Bin ListRules (MaxResults 1-1000). */
  listRecycleBinRules: 1000,
} as const;

/** Names one SSM GetParameters call takes. */
export const GET_PARAMETERS_MAX = 10;
/** AMIs cleanup looks for instances of right before deregistering, one DescribeInstances a batch. */
export const INSTANCE_CHECK_BATCH = 10;

/** Resource ids one CreateTags call takes (ResourceId.N: up to 1000). */
export const CREATE_TAGS_MAX = 1000;
/** Values one EC2 filter takes (FilterLimitExceeded above 200). */
export const FILTER_VALUES_MAX = 200;

/** Calls needed to read `items` at `pageSize`: a Describe call is made even when nothing comes back. */
export function pages(items: number, pageSize: number): number {
  if (!Number.isInteger(items) || items < 0)
    throw new Error(`pages: items must be a whole number >= 0, got ${items}`);
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new Error(`pages: pageSize must be >= 1, got ${pageSize}`);
  return Math.max(1, Math.ceil(items / pageSize));
}

/** Calls needed to send `items` in batches of `batch`; none when there is nothing to send. */
export function batches(items: number, batch: number): number {
  if (!Number.isInteger(items) || items < 0)
    throw new Error(`batches: items must be a whole number >= 0, got ${items}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batches: batch must be >= 1, got ${batch}`);
  return Math.ceil(items / batch);
}

/** What the tagger has to read and write in one region. */
export interface TaggerShape {
  ownedImages: number;
  /** Instances in any state but terminated. */
  liveInstances: number;
  /** Launch template versions DescribeLaunchTemplateVersions($Latest,$Default) returns. */
  templateVersions: number;
  /** Launch templates (DescribeLaunchTemplates); absent: 0, still one call. */
  launchTemplates?: number;
  /**
   * Versions of templates with more than $Default and $Latest, read per template (EC2 answers
   * numbered versions only per template): one paginated call each. Absent: none.
   */
  olderTemplateVersions?: { templates: number; versions: number };
  /** EC2 Fleets, Spot Fleet requests, live Spot instance requests; absent: 0, still one call each. */
  fleets?: number;
  spotFleetRequests?: number;
  spotInstanceRequests?: number;
  /** SSM parameters of data type aws:ec2:image (names paginated, values 10 a call). */
  imageParameters?: number;
  launchConfigurations: number;
  groups: number;
  /** Owned AMIs something uses: they get LastUsed as well as LastUsedRuntime. */
  ownedInUse: number;
  /** In-use AMIs of other accounts, described by an image-id filter to learn their owner. */
  foreignInUse: number;
}

export type Bound = Record<string, number>;

/** Per `service:action`, the fewest requests one tagger run over `shape` can make. */
export function taggerLowerBound(shape: TaggerShape): Bound {
  const notInUse = shape.ownedImages - shape.ownedInUse;
  // Two tag sets (LastUsed+LastUsedRuntime, LastUsedRuntime alone): CreateTags writes one set per
  // call, so either split the AMIs by set, or write LastUsedRuntime on all and LastUsed on the used.
  // (A run right after an outage that left only some idle AMIs unwatched writes a third set,
  // LastUsedRuntime+LastUsedObservedSince; a steady run, or a first one where all are, does not.)
  const createTags = Math.min(
    batches(shape.ownedInUse, CREATE_TAGS_MAX) + batches(notInUse, CREATE_TAGS_MAX),
    batches(shape.ownedImages, CREATE_TAGS_MAX) + batches(shape.ownedInUse, CREATE_TAGS_MAX),
  );
  const getParameters = batches(shape.imageParameters ?? 0, GET_PARAMETERS_MAX);
  const bound: Bound = {
    'sts:GetCallerIdentity': 1,
    'ec2:DescribeImages':
      pages(shape.ownedImages, MAX_PAGE.describeImages) + batches(shape.foreignInUse, FILTER_VALUES_MAX),
    'ec2:DescribeInstances': pages(shape.liveInstances, MAX_PAGE.describeInstances),
    'ec2:DescribeLaunchTemplateVersions':
      pages(shape.templateVersions, MAX_PAGE.describeLaunchTemplateVersions) +
      Math.max(
        shape.olderTemplateVersions?.templates ?? 0,
        batches(shape.olderTemplateVersions?.versions ?? 0, MAX_PAGE.describeLaunchTemplateVersions),
      ),
    'ec2:DescribeLaunchTemplates': pages(shape.launchTemplates ?? 0, MAX_PAGE.describeLaunchTemplates),
    'ec2:DescribeFleets': pages(shape.fleets ?? 0, MAX_PAGE.describeFleets),
    'ec2:DescribeSpotFleetRequests': pages(shape.spotFleetRequests ?? 0, MAX_PAGE.describeSpotFleetRequests),
    'ec2:DescribeSpotInstanceRequests': pages(
      shape.spotInstanceRequests ?? 0,
      MAX_PAGE.describeSpotInstanceRequests,
    ),
    'ssm:DescribeParameters': pages(shape.imageParameters ?? 0, MAX_PAGE.describeParameters),
    'autoscaling:DescribeLaunchConfigurations': pages(
      shape.launchConfigurations,
      MAX_PAGE.describeLaunchConfigurations,
    ),
    'autoscaling:DescribeAutoScalingGroups': pages(shape.groups, MAX_PAGE.describeAutoScalingGroups),
    'ec2:CreateTags': createTags,
    // The run's summary event.
    'events:PutEvents': 1,
  };
  if (getParameters > 0) bound['ssm:GetParameters'] = getParameters;
  return bound;
}

/** What one cleanup run reads, and what it deletes. */
export interface CleanupRunShape extends Omit<TaggerShape, 'ownedInUse'> {
  /** Owned snapshots marked TAG.pendingDeletion when the run starts: read by their tag, paginated. */
  snapshotsMarked: number;
  /**
   * Snapshots of the AMIs this run deletes that it has no record of from the marked ones: each must be
   * looked up by id before its AMI goes (to know this account owns it), 200 ids a call (EC2's filter
   * limit). A run that deletes nothing looks up nothing.
   */
  snapshotsLookedUp: number;
  /** AMIs deregistered and their snapshots deleted by this run. */
  deregistered: number;
  snapshotsDeleted: number;
  /**
   * The run reads each AMI's launch permissions before deleting it (DescribeImageAttribute has no
   * batch form: one call per AMI deleted, at the least).
   */
  readsLaunchPermissions?: boolean;
  /**
   * Recycle Bin retention rules in the region (both types): every run reads them once, one ListRules
   * page per type (up to 1000 rules a page) and one GetRule per rule (the summary lacks their tags).
   */
  recycleBinRules?: { images: number; snapshots: number };
}

/**
 * Per `service:action`, the fewest requests for one cleanup run: the same reads as the tagger, plus
 * the marked snapshots (paginated) and the snapshots of the AMIs it deletes (by id), one
 * DescribeInstances per 10 AMIs it deletes (the last look), one DeregisterImage per AMI and one DeleteSnapshot per snapshot (the
 * APIs take one id each), and one CreateTags per AMI to mark its snapshots: the mark's value is that
 * AMI's id (what lets a later run tell whether the AMI is gone), and one CreateTags call writes one
 * value, so marks of different AMIs cannot share a call.
 */
export function cleanupLowerBound(shape: CleanupRunShape): Bound {
  const {
    snapshotsMarked,
    snapshotsLookedUp,
    deregistered,
    snapshotsDeleted,
    readsLaunchPermissions,
    recycleBinRules,
    ...rest
  } = shape;
  const reads = taggerLowerBound({ ...rest, ownedInUse: 0 });
  delete reads['ec2:CreateTags'];
  const bound: Bound = {
    ...reads,
    // Plus the look for instances of each batch of AMIs right before deregistering it.
    'ec2:DescribeInstances': reads['ec2:DescribeInstances']! + batches(deregistered, INSTANCE_CHECK_BATCH),
    'ec2:DescribeSnapshots':
      pages(snapshotsMarked, MAX_PAGE.describeSnapshots) + batches(snapshotsLookedUp, FILTER_VALUES_MAX),
    'ec2:CreateTags': snapshotsDeleted > 0 ? Math.min(deregistered, snapshotsDeleted) : 0,
    'ec2:DeregisterImage': deregistered,
    'ec2:DeleteSnapshot': snapshotsDeleted,
  };
  if (readsLaunchPermissions) bound['ec2:DescribeImageAttribute'] = deregistered;
  const rules = recycleBinRules ?? { images: 0, snapshots: 0 };
  bound['rbin:ListRules'] =
    pages(rules.images, MAX_PAGE.listRecycleBinRules) + pages(rules.snapshots, MAX_PAGE.listRecycleBinRules);
  if (rules.images + rules.snapshots > 0) bound['rbin:GetRule'] = rules.images + rules.snapshots;
  return bound;
}

/** One staged cleanup run (issue 14): a cleanup run that also moves AMIs into their next stage. */
export interface StagedCleanupRunShape extends CleanupRunShape {
  /** AMIs this run deprecated (stage tag + EnableImageDeprecation) and disabled (tag + DisableImage). */
  deprecated: number;
  disabled: number;
}

/**
 * Per `service:action`, the fewest requests for one staged cleanup run: a cleanup run's (its reads,
 * and the deletions of AMIs at the end of their stages), plus, per AMI moved into a stage, what a
 * deletion also needs before it is decided: its launch permissions (DescribeImageAttribute, one AMI a
 * call: a stage move of an AMI shared since is the same mistake as its deletion) and its snapshots
 * by id (200 a call, part of `snapshotsLookedUp`: the plan's Recycle Bin coverage and price of each
 * AMI moved); then one EnableImageDeprecation per AMI deprecated and one DisableImage per AMI
 * disabled (each names one image), and the stage tags: every AMI a run moves into a stage gets the
 * same tag and value (the run's time), so one CreateTags carries up to 1000 of them. A staged AMI's
 * deregistration takes its tags with it: no DeleteTags.
 */
export function stagedCleanupLowerBound(shape: StagedCleanupRunShape): Bound {
  const { deprecated, disabled, ...run } = shape;
  const bound = cleanupLowerBound(run);
  bound['ec2:CreateTags'] =
    bound['ec2:CreateTags']! + batches(deprecated, CREATE_TAGS_MAX) + batches(disabled, CREATE_TAGS_MAX);
  if (run.readsLaunchPermissions) {
    bound['ec2:DescribeImageAttribute'] = run.deregistered + deprecated + disabled;
  }
  if (deprecated > 0) bound['ec2:EnableImageDeprecation'] = deprecated;
  if (disabled > 0) bound['ec2:DisableImage'] = disabled;
  return bound;
}

export interface ScaleShape {
  /** Groups tagged ScaleToZero (read), and those this run scales to zero. */
  groups: number;
  groupsScaled: number;
  /** Standalone instances tagged ScaleToZero (read), and those this run stops. */
  instances: number;
  instancesStopped: number;
  /** Instances per StopInstances call the fleet uses (EC2 documents no maximum; see docs/scale-to-zero.md). */
  stopBatch: number;
  /**
   * Databases tagged ScaleToZero, all stopped by this run: RDS DB instances, Aurora clusters, and
   * the clusters' member instances (listed by DescribeDBInstances, not tagged, not stopped).
   */
  dbInstances?: number;
  dbClusters?: number;
  dbClusterMembers?: number;
}

/** RDS Describe pages hold at most 100 records. */
const RDS_PAGE = 100;

/**
 * Every database call of a scale-down run: the instances' pages (members included: RDS has no tag
 * filter), the clusters' pages (only when an instance belongs to a cluster), and per database the
 * stop and two tag writes (the marker before the stop, the record after: RDS tags one ARN a call).
 */
export function databaseLowerBound(shape: ScaleShape): Bound {
  const instances = shape.dbInstances ?? 0;
  const clusters = shape.dbClusters ?? 0;
  const members = shape.dbClusterMembers ?? 0;
  return {
    'rds:DescribeDBInstances': pages(instances + members, RDS_PAGE),
    ...(members > 0 ? { 'rds:DescribeDBClusters': pages(clusters, RDS_PAGE) } : {}),
    'rds:StopDBInstance': instances,
    'rds:StopDBCluster': clusters,
    'rds:AddTagsToResource': 2 * (instances + clusters),
  };
}

/**
 * Per `service:action`, the fewest requests for one scale-down run: one UpdateAutoScalingGroup per
 * group (the API names one group), the groups' tags in one CreateOrUpdateTags before (saved
 * capacity) and one after (transition), and per batch of instances: the stopped-at marker, the stop,
 * the transition tag.
 */
export function scaleLowerBound(shape: ScaleShape): Bound {
  const stopCalls = batches(shape.instancesStopped, shape.stopBatch);
  return {
    'sts:GetCallerIdentity': 1,
    'autoscaling:DescribeAutoScalingGroups': pages(shape.groups, MAX_PAGE.describeAutoScalingGroups),
    'ec2:DescribeInstances': pages(shape.instances, MAX_PAGE.describeInstances),
    'autoscaling:UpdateAutoScalingGroup': shape.groupsScaled,
    'autoscaling:CreateOrUpdateTags': shape.groupsScaled > 0 ? 2 : 0,
    'ec2:CreateTags': 2 * batches(shape.instancesStopped, CREATE_TAGS_MAX),
    'ec2:StopInstances': stopCalls,
    // The idle-cost report's one read of the region's Elastic IPs.
    'ec2:DescribeAddresses': 1,
    'events:PutEvents': 1,
    ...databaseLowerBound(shape),
  };
}

/** What one recovery run reads and writes in one region. */
export interface RecoveryShape {
  /** Instances carrying the AutoRecover tag (any state), and their distinct instance types. */
  taggedInstances: number;
  instanceTypes: number;
  /** Alarms with the fleet's prefix (the fleet's and any others), each read for its tags. */
  prefixedAlarms: number;
  /** Alarms missing or different (one PutMetricAlarm each: there is no batch form). */
  alarmsToWrite: number;
  alarmsToDelete: number;
}

/** CloudWatch's DescribeAlarms page (MaxRecords 1-100), DeleteAlarms' names a call, DescribeInstanceTypes' types a call. */
export const DESCRIBE_ALARMS_MAX = 100;
export const DELETE_ALARMS_MAX = 100;
export const INSTANCE_TYPES_MAX = 100;

/**
 * Per `service:action` (sandbox scope names: CloudWatch is `monitoring`), the fewest requests one
 * recovery run over `shape` makes. ListTagsForResource is one per prefixed alarm: DescribeAlarms
 * returns no tags, and the fleet tag is what makes an alarm the fleet's.
 */
export function recoveryLowerBound(shape: RecoveryShape): Bound {
  return {
    'sts:GetCallerIdentity': 1,
    'ec2:DescribeInstances': pages(shape.taggedInstances, MAX_PAGE.describeInstances),
    'ec2:DescribeInstanceTypes': batches(shape.instanceTypes, INSTANCE_TYPES_MAX),
    'monitoring:DescribeAlarms': pages(shape.prefixedAlarms, DESCRIBE_ALARMS_MAX),
    'monitoring:ListTagsForResource': shape.prefixedAlarms,
    'monitoring:PutMetricAlarm': shape.alarmsToWrite,
    'monitoring:DeleteAlarms': batches(shape.alarmsToDelete, DELETE_ALARMS_MAX),
    'events:PutEvents': 1,
  };
}

/** What one scheduled self-heal run reads and writes in one region. */
export interface SelfHealShape {
  /** Groups carrying the SelfHeal tag key (read, 100 a page), and those opted in (SelfHeal=true). */
  groups: number;
  optedInGroups: number;
  /** Distinct Elastic IPs and volumes the groups' tags name (read by id). */
  addresses: number;
  volumes: number;
  /** Launch hooks missing or different, addresses to associate, volumes to attach. */
  hooksToWrite: number;
  addressesToAssociate: number;
  volumesToAttach: number;
}

/**
 * Per `service:action`, the fewest requests one scheduled self-heal run over `shape` makes. The
 * reads are by what the groups' tags name: Elastic IPs and volumes by id, 200 ids an EC2 filter
 * (one id that no longer exists must not fail the others' read, so no id list), a batch of 200
 * volumes fitting one DescribeVolumes page (500). DescribeLifecycleHooks names one group, so it is
 * one call per opted-in group; PutLifecycleHook, AssociateAddress and AttachVolume take one
 * resource each. A scheduled run completes no lifecycle action.
 */
export function selfHealLowerBound(shape: SelfHealShape): Bound {
  return {
    'sts:GetCallerIdentity': 1,
    'autoscaling:DescribeAutoScalingGroups': pages(shape.groups, MAX_PAGE.describeAutoScalingGroups),
    'autoscaling:DescribeLifecycleHooks': shape.optedInGroups,
    'ec2:DescribeAddresses': batches(shape.addresses, FILTER_VALUES_MAX),
    'ec2:DescribeVolumes': batches(shape.volumes, FILTER_VALUES_MAX),
    'autoscaling:PutLifecycleHook': shape.hooksToWrite,
    'ec2:AssociateAddress': shape.addressesToAssociate,
    'ec2:AttachVolume': shape.volumesToAttach,
    'events:PutEvents': 1,
  };
}

export function total(bound: Bound): number {
  return Object.values(bound).reduce((a, b) => a + b, 0);
}

/** Sums per-action counts (e.g. the bounds of several cleanup runs). */
export function addBounds(...bounds: Bound[]): Bound {
  const out: Bound = {};
  for (const b of bounds) for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}
