/**
 * The sandbox account's records. They are the live state: services mutate them, tests read them
 * through RegionState's readers. Timestamps are ISO strings chosen by the seeder; the sandbox
 * never invents one from the wall clock.
 */
export type Tags = Record<string, string>;

export interface BlockDeviceMappingRecord {
  deviceName: string;
  snapshotId?: string;
  volumeSize?: number;
}

export interface ImageRecord {
  id: string;
  ownerId: string;
  ownerAlias?: string;
  name?: string;
  description?: string;
  creationDate?: string;
  /** available | pending | failed | disabled */
  state: string;
  public: boolean;
  rootDeviceType: 'ebs' | 'instance-store';
  rootDeviceName: string;
  blockDeviceMappings: BlockDeviceMappingRecord[];
  deregistrationProtection: boolean;
  /** EC2's LastLaunchedTime (ISO): when an instance was last launched from it; absent if never. */
  lastLaunchedTime?: string;
  /** EC2's DeprecationTime (ISO, whole minutes as EnableImageDeprecation rounds it); absent if never set. */
  deprecationTime?: string;
  /**
   * Who else may launch the image (DescribeImageAttribute launchPermission), besides `public`,
   * which is the `group: all` entry and is kept in that one field so the two never disagree.
   */
  launchPermissions: LaunchPermissionRecord[];
  tags: Tags;
}

/** One launch permission entry: exactly one of the fields is set, as EC2 returns them. */
export interface LaunchPermissionRecord {
  userId?: string;
  organizationArn?: string;
  organizationalUnitArn?: string;
}

export interface SnapshotRecord {
  id: string;
  ownerId: string;
  volumeId: string;
  volumeSize: number;
  startTime?: string;
  /** pending | completed | error */
  state: string;
  description?: string;
  tags: Tags;
}

export type InstanceStateName =
  'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const INSTANCE_STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface InstanceRecord {
  id: string;
  imageId: string;
  state: InstanceStateName;
  instanceType: string;
  /** undefined for on-demand, as EC2 reports it. */
  lifecycle?: 'spot' | 'scheduled' | 'capacity-block';
  rootDeviceType: 'ebs' | 'instance-store';
  /** MaintenanceOptions.AutoRecovery: simplified automatic recovery (EC2's default is `default`). */
  autoRecovery: 'default' | 'disabled';
  launchTime?: string;
  reservationId: string;
  availabilityZone: string;
  /** HibernationOptions.Configured. */
  hibernationConfigured: boolean;
  /** StateReason of the last stop: Client.UserInitiatedHibernate when it was hibernated. */
  stateReason?: { code: string; message: string };
  tags: Tags;
}

export interface LaunchTemplateData {
  imageId?: string;
  instanceType?: string;
}

export interface LaunchTemplateVersionRecord {
  versionNumber: number;
  description?: string;
  createTime?: string;
  data: LaunchTemplateData;
}

export interface LaunchTemplateRecord {
  id: string;
  name: string;
  createTime?: string;
  defaultVersion: number;
  /** Ascending by versionNumber; the last one is $Latest. */
  versions: LaunchTemplateVersionRecord[];
  tags: Tags;
}

export interface LaunchConfigurationRecord {
  name: string;
  arn: string;
  imageId: string;
  instanceType: string;
  createdTime?: string;
}

/** How a group names a launch template: by id or by name, version `$Default`, `$Latest` or a number. */
export interface LaunchTemplateSpec {
  launchTemplateId?: string;
  launchTemplateName?: string;
  version?: string;
}

export interface MixedInstancesPolicyRecord {
  launchTemplate: {
    launchTemplateSpecification: LaunchTemplateSpec;
    overrides: Array<{ instanceType?: string; launchTemplateSpecification?: LaunchTemplateSpec }>;
  };
}

export interface GroupTag {
  value: string;
  propagateAtLaunch: boolean;
}

export interface AutoScalingGroupRecord {
  name: string;
  arn: string;
  launchConfigurationName?: string;
  launchTemplate?: LaunchTemplateSpec;
  mixedInstancesPolicy?: MixedInstancesPolicyRecord;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  /** EC2 instances of the group (they also live in the region's instances). */
  instanceIds: string[];
  tags: Record<string, GroupTag>;
  createdTime?: string;
  availabilityZones: string[];
}

/** An EC2 Fleet launch template config: the template, and overrides that may name their own AMI. */
export interface FleetLaunchTemplateConfigRecord {
  launchTemplateSpecification: LaunchTemplateSpec;
  overrides: Array<{ instanceType?: string; imageId?: string }>;
}

/** An EC2 Fleet (CreateFleet). */
export interface FleetRecord {
  id: string;
  type: 'request' | 'maintain' | 'instant';
  /** submitted | active | deleted | failed | deleted_running | deleted_terminating | modifying */
  state: string;
  createTime?: string;
  totalTargetCapacity: number;
  launchTemplateConfigs: FleetLaunchTemplateConfigRecord[];
  tags: Tags;
}

/** A Spot Fleet request (RequestSpotFleet): launch specifications or launch template configs. */
export interface SpotFleetRequestRecord {
  id: string;
  type: 'request' | 'maintain';
  /** submitted | active | cancelled | failed | cancelled_running | cancelled_terminating | modifying */
  state: string;
  createTime?: string;
  targetCapacity: number;
  iamFleetRole: string;
  launchSpecifications: Array<{ imageId: string; instanceType?: string }>;
  /** Spot Fleet overrides carry no ImageId (unlike EC2 Fleet's). */
  launchTemplateConfigs: Array<{
    launchTemplateSpecification: LaunchTemplateSpec;
    overrides: Array<{ instanceType?: string }>;
  }>;
  tags: Tags;
}

/** A Spot instance request (RequestSpotInstances). */
export interface SpotInstanceRequestRecord {
  id: string;
  /** open | active | closed | cancelled | failed | disabled */
  state: string;
  type: 'one-time' | 'persistent';
  createTime?: string;
  imageId: string;
  instanceType: string;
  instanceId?: string;
  tags: Tags;
}

/** One PutEvents entry as EventBridge received it. */
export interface EventRecord {
  id: string;
  region: string;
  eventBusName: string;
  source: string;
  detailType: string;
  /** The parsed Detail JSON. */
  detail: unknown;
  resources: string[];
  time?: string;
}
