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
}

/** Things that launch from an AMI or run from it. */
export type UsageKind = 'instance' | 'launch-template' | 'launch-configuration' | 'auto-scaling-group';

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

export interface UsageSources {
  instances: InstanceRecord[];
  launchTemplateVersions: LaunchTemplateVersionRecord[];
  launchConfigurations: LaunchConfigurationRecord[];
  autoScalingGroups: AutoScalingGroupRecord[];
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
  tags: Tags;
}
