/**
 * Domain records shared by the functions. Adapters (shared/aws) turn SDK shapes into these; plans
 * (shared/plan) only ever see these. Dates are Date objects; "now" is always passed in.
 */
import type { TagProblem, Tags } from './tags';

export interface Image {
  id: string;
  region: string;
  ownerId: string;
  /** Owned by the account the function runs in: only these can be tagged or deleted. */
  ownedBySelf: boolean;
  name?: string;
  /** From CreationDate; undefined when EC2 did not say (such an image is never deleted by age). */
  createdAt?: Date;
  /** EC2 image state: available, pending, failed, deregistered, ... */
  state: string;
  tags: Tags;
  /** EBS snapshots behind the image's block device mappings. */
  snapshotIds: string[];
  /** DeregistrationProtection reported as enabled (AWS's guard; never overridden). */
  deregistrationProtected: boolean;
  /** Launchable by every AWS account (DescribeImages `Public`): its use elsewhere is invisible here. */
  public: boolean;
  /**
   * EC2's LastLaunchedTime: the last time an instance was launched from it (AWS records it about a
   * day late, so it backs up LastUsed rather than replacing it). An Invalid Date when EC2's value
   * could not be read: the cleanup plan then keeps the AMI.
   */
  lastLaunchedAt?: Date;
  /**
   * EC2's DeprecationTime (the AMI is deprecated from then on): the record the cleanup stages trust
   * over their own tags. An Invalid Date when EC2's value could not be read.
   */
  deprecatedAt?: Date;
}

/** Things that launch from an AMI or run from it. */
export type UsageKind =
  | 'instance'
  | 'launch-template'
  | 'launch-configuration'
  | 'auto-scaling-group'
  | 'fleet'
  | 'spot-fleet'
  | 'spot-request'
  | 'ssm-parameter';

/** One reason an AMI is in use: "instance i-0abc (stopped)", "launch template lt-0ab $Default". */
export interface UsageRef {
  imageId: string;
  kind: UsageKind;
  resourceId: string;
  /** Human-readable detail for reports, e.g. "$Default (version 3)" or "stopped". */
  detail: string;
}

/** Raw usage sources, as read by the adapters (pure records, no SDK types). */
export interface InstanceRecord {
  id: string;
  imageId: string;
  state: string; // pending | running | shutting-down | terminated | stopping | stopped
}

export interface LaunchTemplateVersionRecord {
  templateId: string;
  templateName: string;
  versionNumber: number;
  isDefault: boolean;
  isLatest: boolean;
  /** Undefined when the version sets no image; may be "resolve:ssm:..." which names no AMI directly. */
  imageId?: string;
}

export interface LaunchConfigurationRecord {
  name: string;
  imageId: string;
}

/** How a group points at a launch template: by id or name, with "$Default", "$Latest" or a number. */
export interface LaunchTemplateRef {
  templateId?: string;
  templateName?: string;
  version: string;
}

export interface AutoScalingGroupRecord {
  name: string;
  launchConfigurationName?: string;
  /** The group's own template plus every mixed-instances override that names a template. */
  launchTemplates: LaunchTemplateRef[];
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  tags: Tags;
  instanceIds: string[];
}

/** A launch template as DescribeLaunchTemplates lists it, and how far its versions were read. */
export interface LaunchTemplateRecord {
  id: string;
  name: string;
  defaultVersion: number;
  latestVersion: number;
  /**
   * Only versions numbered above latestVersion - N count as in use (LAUNCH_TEMPLATE_VERSIONS_IN_USE);
   * undefined: every version counts. $Default and versions something names count regardless.
   */
  newestVersionsCounted?: number;
  /** Why versions that count could not be read: any AMI could be behind them. */
  unreadVersions?: string;
}

/** One launch template a fleet launches from, and the AMIs its overrides name instead. */
export interface FleetTemplateConfig {
  template: LaunchTemplateRef;
  /** Overrides' ImageId values (an override's ImageId replaces the template's for that override). */
  overrideImageIds: string[];
}

/** An EC2 Fleet (DescribeFleets) or a Spot Fleet request (DescribeSpotFleetRequests). */
export interface FleetRecord {
  id: string;
  kind: 'fleet' | 'spot-fleet';
  /** request | maintain | instant */
  type: string;
  /** EC2 Fleet fleetState / Spot Fleet spotFleetRequestState, e.g. active, submitted, deleted. */
  state: string;
  launchTemplateConfigs: FleetTemplateConfig[];
  /** Spot Fleet launchSpecifications' ImageId values (they name the AMI directly). */
  launchSpecificationImageIds: string[];
}

/** A Spot instance request (DescribeSpotInstanceRequests). */
export interface SpotInstanceRequestRecord {
  id: string;
  /** open | active | disabled | closed | cancelled | failed */
  state: string;
  /** one-time | persistent */
  type: string;
  /** LaunchSpecification.ImageId; empty when EC2 did not say. */
  imageId: string;
}

/** An SSM parameter of data type aws:ec2:image: an AMI id kept for launching, e.g. /golden/web. */
export interface ImageParameterRecord {
  name: string;
  /** Undefined when the value could not be read (the AMI it names is then unknown). */
  value?: string;
}

export interface UsageSources {
  instances: InstanceRecord[];
  launchTemplateVersions: LaunchTemplateVersionRecord[];
  launchConfigurations: LaunchConfigurationRecord[];
  autoScalingGroups: AutoScalingGroupRecord[];
  /** Templates whose versions were read in full (or the newest N): their versions count as in use. */
  launchTemplates?: LaunchTemplateRecord[];
  fleets?: FleetRecord[];
  spotInstanceRequests?: SpotInstanceRequestRecord[];
  imageParameters?: ImageParameterRecord[];
}

/** A region's AMIs and what uses them, as one run saw it. */
export interface ImageInventory {
  region: string;
  accountId: string;
  images: Image[];
  sources: UsageSources;
}

/** Something the run could not read or do, with the resource and what to do about it. */
export interface Problem {
  resourceId: string;
  message: string;
  tagProblem?: TagProblem;
}

/** An instance as scale-to-zero sees it: enough to decide whether it can be stopped and started. */
export interface ScalableInstanceRecord {
  id: string;
  /** pending | running | shutting-down | terminated | stopping | stopped */
  state: string;
  instanceType?: string;
  /** 'spot' or 'capacity-block' when not On-Demand (EC2 InstanceLifecycle). */
  lifecycle?: string;
  /** 'ebs' or 'instance-store'. */
  rootDeviceType?: string;
  /** Set when the instance belongs to an Auto Scaling group (the group is what gets scaled). */
  autoScalingGroupName?: string;
  /** EC2 LaunchTime: the last time the instance was started. */
  launchedAt?: Date;
  /** EC2 HibernationOptions.Configured: launched with hibernation enabled (scale-to-zero). */
  hibernationConfigured?: boolean;
  tags: Tags;
}

/**
 * A snapshot as the adapter read it (DescribeSnapshots, owner self): those carrying TAG.pendingDeletion,
 * and those of the AMIs the cleanup plan would delete (see CleanupInput.snapshotLookups).
 */
export interface SnapshotRecord {
  id: string;
  ownerId: string;
  ownedBySelf: boolean;
  tags: Tags;
  state?: string;
  /**
   * DescribeSnapshots' VolumeSize: the size of the volume the snapshot was taken from, in GiB. An
   * upper bound of the storage it holds (snapshots are incremental).
   */
  volumeSizeGiB?: number;
}

/**
 * What a look-up of one snapshot id (DescribeSnapshots by id, owner self) found: 'read' means the
 * call answered, so the snapshot is among the SnapshotRecords read if this account owns it, and
 * anything not there is another account's (or already gone); 'failed' means the call failed, so
 * whether this account owns it is unknown.
 */
export type SnapshotLookup = { kind: 'read' } | { kind: 'failed'; message: string };
