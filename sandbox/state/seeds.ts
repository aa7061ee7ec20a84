/** What tests, the demo and the control API give to seed a region; every field but the essentials is optional. */
import type {
  InstanceStateName,
  LaunchPermissionRecord,
  LaunchTemplateSpec,
  MixedInstancesPolicyRecord,
  Tags,
} from './records';

export interface ImageSeed {
  id?: string;
  /** Default: the sandbox account (an owned image). Another id makes a foreign image. */
  ownerId?: string;
  ownerAlias?: string;
  name?: string;
  description?: string;
  creationDate?: string | Date;
  state?: string;
  public?: boolean;
  rootDeviceType?: 'ebs' | 'instance-store';
  /**
   * Snapshots behind the image. Default for an owned EBS image: one new snapshot is created in
   * the account; pass [] for none. Ids given here need not exist as snapshots.
   */
  snapshotIds?: string[];
  deregistrationProtection?: boolean;
  /** EC2's LastLaunchedTime. Default: absent (never launched, as EC2 reports it). */
  lastLaunchedTime?: string | Date;
  /** EC2's DeprecationTime (a person's own deprecation). Default: absent. */
  deprecationTime?: string | Date;
  /**
   * Accounts, organizations or OUs the image is shared with (its launchPermission attribute).
   * Public is `public: true`; a `{ group: 'all' }` entry here means the same. Default: none.
   */
  launchPermissions?: Array<LaunchPermissionRecord | { group: 'all' }>;
  tags?: Tags;
}

export interface SnapshotSeed {
  id?: string;
  ownerId?: string;
  volumeSize?: number;
  startTime?: string | Date;
  state?: string;
  description?: string;
  tags?: Tags;
}

export interface InstanceSeed {
  id?: string;
  imageId: string;
  state?: InstanceStateName;
  instanceType?: string;
  lifecycle?: 'spot' | 'scheduled' | 'capacity-block';
  rootDeviceType?: 'ebs' | 'instance-store';
  autoRecovery?: 'default' | 'disabled';
  launchTime?: string | Date;
  reservationId?: string;
  /** HibernationOptions.Configured: launched with hibernation enabled (default false, as EC2). */
  hibernation?: boolean;
  tags?: Tags;
}

export interface LaunchTemplateVersionSeed {
  imageId?: string;
  instanceType?: string;
  description?: string;
  createTime?: string | Date;
}

export interface LaunchTemplateSeed {
  id?: string;
  name: string;
  createTime?: string | Date;
  /** Version 1, 2, ... in this order; at least one. */
  versions: LaunchTemplateVersionSeed[];
  /** Default: 1. */
  defaultVersion?: number;
  tags?: Tags;
}

export interface LaunchConfigurationSeed {
  name: string;
  imageId: string;
  instanceType?: string;
  createdTime?: string | Date;
}

export interface AutoScalingGroupSeed {
  name: string;
  launchConfigurationName?: string;
  launchTemplate?: LaunchTemplateSpec;
  mixedInstancesPolicy?: MixedInstancesPolicyRecord;
  minSize?: number;
  maxSize?: number;
  /** Default: minSize. */
  desiredCapacity?: number;
  /**
   * The group's instances. Default: desiredCapacity running instances launched from the group's
   * image (like Auto Scaling would); pass ids of seeded instances, or [] for none.
   */
  instanceIds?: string[];
  tags?: Tags;
  /** Tag keys to mark PropagateAtLaunch=true. */
  propagateAtLaunch?: string[];
  createdTime?: string | Date;
}

export interface FleetSeed {
  id?: string;
  /** Default: maintain. */
  type?: 'request' | 'maintain' | 'instant';
  /** Default: active. */
  state?: string;
  createTime?: string | Date;
  totalTargetCapacity?: number;
  launchTemplateConfigs: Array<{
    launchTemplateSpecification: LaunchTemplateSpec;
    overrides?: Array<{ instanceType?: string; imageId?: string }>;
  }>;
  tags?: Tags;
}

export interface SpotFleetRequestSeed {
  id?: string;
  /** Default: maintain. */
  type?: 'request' | 'maintain';
  /** Default: active. */
  state?: string;
  createTime?: string | Date;
  targetCapacity?: number;
  launchSpecifications?: Array<{ imageId: string; instanceType?: string }>;
  launchTemplateConfigs?: Array<{
    launchTemplateSpecification: LaunchTemplateSpec;
    overrides?: Array<{ instanceType?: string }>;
  }>;
  tags?: Tags;
}

export interface SpotInstanceRequestSeed {
  id?: string;
  /** Default: open. */
  state?: string;
  /** Default: one-time. */
  type?: 'one-time' | 'persistent';
  createTime?: string | Date;
  imageId: string;
  instanceType?: string;
  instanceId?: string;
  tags?: Tags;
}
