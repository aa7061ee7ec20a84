/**
 * One region of the sandbox account: the resources, the seeding helpers tests and the demo use,
 * and the readers they assert with. Rules that decide what an API call may do (NotFound, InUse,
 * validation) live in the service modules; this class only keeps the records consistent.
 */
import type { IdGenerator } from './ids';
import type {
  AutoScalingGroupRecord,
  BlockDeviceMappingRecord,
  FleetRecord,
  ImageRecord,
  InstanceRecord,
  LaunchConfigurationRecord,
  LaunchTemplateData,
  LaunchTemplateRecord,
  LaunchTemplateSpec,
  LaunchTemplateVersionRecord,
  SnapshotRecord,
  SpotFleetRequestRecord,
  SpotInstanceRequestRecord,
  Tags,
} from './records';
import type {
  AutoScalingGroupSeed,
  FleetSeed,
  ImageSeed,
  InstanceSeed,
  LaunchConfigurationSeed,
  LaunchTemplateSeed,
  LaunchTemplateVersionSeed,
  SnapshotSeed,
  SpotFleetRequestSeed,
  SpotInstanceRequestSeed,
} from './seeds';
import { Table } from './table';

// The seed types moved out to seeds.ts; callers (the control API) still import them from here.
export type * from './seeds';

function iso(value: string | Date | undefined): string | undefined {
  return value instanceof Date ? value.toISOString() : value;
}

export class RegionState {
  readonly imageTable = new Table<ImageRecord>((i) => i.id);
  readonly snapshotTable = new Table<SnapshotRecord>((s) => s.id);
  readonly instanceTable = new Table<InstanceRecord>((i) => i.id);
  readonly launchTemplateTable = new Table<LaunchTemplateRecord>((t) => t.id);
  readonly launchConfigurationTable = new Table<LaunchConfigurationRecord>((c) => c.name);
  readonly groupTable = new Table<AutoScalingGroupRecord>((g) => g.name);
  readonly fleetTable = new Table<FleetRecord>((f) => f.id);
  readonly spotFleetRequestTable = new Table<SpotFleetRequestRecord>((r) => r.id);
  readonly spotInstanceRequestTable = new Table<SpotInstanceRequestRecord>((r) => r.id);
  /** snapshot id -> ids of registered images whose block devices reference it. */
  private readonly snapshotUsers = new Map<string, Set<string>>();
  private readonly extensions = new Map<string, unknown>();
  /** Lookups of taggable resources service modules keep in their own store (volumes, addresses). */
  private readonly taggableLookups: Array<(id: string) => { tags: Tags } | undefined> = [];

  constructor(
    readonly name: string,
    readonly accountId: string,
    private readonly ids: IdGenerator,
  ) {}

  // ---- seeding ---------------------------------------------------------------------------

  addImage(seed: ImageSeed = {}): ImageRecord {
    const ownerId = seed.ownerId ?? this.accountId;
    const rootDeviceType = seed.rootDeviceType ?? 'ebs';
    const snapshotIds =
      seed.snapshotIds ??
      (ownerId === this.accountId && rootDeviceType === 'ebs'
        ? [
            this.addSnapshot({
              startTime: seed.creationDate,
              description: `Created for ${seed.name ?? 'image'}`,
            }).id,
          ]
        : []);
    const blockDeviceMappings: BlockDeviceMappingRecord[] = snapshotIds.map((snapshotId, i) => ({
      deviceName: i === 0 ? '/dev/xvda' : `/dev/xvd${String.fromCharCode(98 + i - 1)}`,
      snapshotId,
      volumeSize: this.snapshotTable.get(snapshotId)?.volumeSize ?? 8,
    }));
    const image = this.imageTable.add({
      id: seed.id ?? this.ids.next('ami'),
      ownerId,
      ownerAlias: seed.ownerAlias,
      name: seed.name,
      description: seed.description,
      creationDate: iso(seed.creationDate),
      state: seed.state ?? 'available',
      public: (seed.public ?? false) || (seed.launchPermissions ?? []).some((p) => 'group' in p),
      rootDeviceType,
      rootDeviceName: '/dev/xvda',
      blockDeviceMappings,
      deregistrationProtection: seed.deregistrationProtection ?? false,
      lastLaunchedTime: iso(seed.lastLaunchedTime),
      deprecationTime: iso(seed.deprecationTime),
      launchPermissions: (seed.launchPermissions ?? []).flatMap((p) => ('group' in p ? [] : [{ ...p }])),
      tags: { ...seed.tags },
    });
    for (const snapshotId of snapshotIds) this.linkSnapshot(snapshotId, image.id);
    return image;
  }

  addSnapshot(seed: SnapshotSeed = {}): SnapshotRecord {
    return this.snapshotTable.add({
      id: seed.id ?? this.ids.next('snap'),
      ownerId: seed.ownerId ?? this.accountId,
      volumeId: this.ids.next('vol'),
      volumeSize: seed.volumeSize ?? 8,
      startTime: iso(seed.startTime),
      state: seed.state ?? 'completed',
      description: seed.description,
      tags: { ...seed.tags },
    });
  }

  addInstance(seed: InstanceSeed): InstanceRecord {
    return this.instanceTable.add({
      id: seed.id ?? this.ids.next('i'),
      imageId: seed.imageId,
      state: seed.state ?? 'running',
      instanceType: seed.instanceType ?? 't3.micro',
      lifecycle: seed.lifecycle,
      rootDeviceType: seed.rootDeviceType ?? 'ebs',
      autoRecovery: seed.autoRecovery ?? 'default',
      launchTime: iso(seed.launchTime),
      reservationId: seed.reservationId ?? this.ids.next('r'),
      availabilityZone: `${this.name}a`,
      hibernationConfigured: seed.hibernation ?? false,
      tags: { ...seed.tags },
    });
  }

  addLaunchTemplate(seed: LaunchTemplateSeed): LaunchTemplateRecord {
    if (seed.versions.length === 0) throw new Error(`sandbox: launch template ${seed.name} needs a version`);
    if (this.findLaunchTemplateByName(seed.name))
      throw new Error(`sandbox: launch template ${seed.name} exists`);
    const versions: LaunchTemplateVersionRecord[] = seed.versions.map((v, i) => ({
      versionNumber: i + 1,
      description: v.description,
      createTime: iso(v.createTime ?? seed.createTime),
      data: { imageId: v.imageId, instanceType: v.instanceType },
    }));
    const defaultVersion = seed.defaultVersion ?? 1;
    if (defaultVersion < 1 || defaultVersion > versions.length) {
      throw new Error(`sandbox: launch template ${seed.name} has no version ${defaultVersion}`);
    }
    return this.launchTemplateTable.add({
      id: seed.id ?? this.ids.next('lt'),
      name: seed.name,
      createTime: iso(seed.createTime),
      defaultVersion,
      versions,
      tags: { ...seed.tags },
    });
  }

  /** Adds the next version to a template (by id or name); returns its number. */
  addLaunchTemplateVersion(
    idOrName: string,
    seed: LaunchTemplateVersionSeed,
    options: { makeDefault?: boolean } = {},
  ): number {
    const template = this.requireLaunchTemplate(idOrName);
    const versionNumber = template.versions.length + 1;
    const data: LaunchTemplateData = { imageId: seed.imageId, instanceType: seed.instanceType };
    template.versions.push({
      versionNumber,
      description: seed.description,
      createTime: iso(seed.createTime),
      data,
    });
    if (options.makeDefault) template.defaultVersion = versionNumber;
    return versionNumber;
  }

  setDefaultLaunchTemplateVersion(idOrName: string, version: number): void {
    const template = this.requireLaunchTemplate(idOrName);
    if (!template.versions.some((v) => v.versionNumber === version)) {
      throw new Error(`sandbox: launch template ${idOrName} has no version ${version}`);
    }
    template.defaultVersion = version;
  }

  addLaunchConfiguration(seed: LaunchConfigurationSeed): LaunchConfigurationRecord {
    return this.launchConfigurationTable.add({
      name: seed.name,
      arn: `arn:aws:autoscaling:${this.name}:${this.accountId}:launchConfiguration:${this.ids.next('lc').slice(3)}:launchConfigurationName/${seed.name}`,
      imageId: seed.imageId,
      instanceType: seed.instanceType ?? 't3.micro',
      createdTime: iso(seed.createdTime),
    });
  }

  addAutoScalingGroup(seed: AutoScalingGroupSeed): AutoScalingGroupRecord {
    const minSize = seed.minSize ?? 0;
    const maxSize = seed.maxSize ?? Math.max(minSize, seed.desiredCapacity ?? minSize, 1);
    const desiredCapacity = seed.desiredCapacity ?? minSize;
    if (!(minSize <= desiredCapacity && desiredCapacity <= maxSize)) {
      throw new Error(`sandbox: group ${seed.name} needs min <= desired <= max`);
    }
    const propagate = new Set(seed.propagateAtLaunch ?? []);
    const group = this.groupTable.add({
      name: seed.name,
      arn: `arn:aws:autoscaling:${this.name}:${this.accountId}:autoScalingGroup:${this.ids.next('asg').slice(4)}:autoScalingGroupName/${seed.name}`,
      launchConfigurationName: seed.launchConfigurationName,
      launchTemplate: seed.launchTemplate,
      mixedInstancesPolicy: seed.mixedInstancesPolicy,
      minSize,
      maxSize,
      desiredCapacity,
      instanceIds: seed.instanceIds ?? [],
      tags: Object.fromEntries(
        Object.entries(seed.tags ?? {}).map(([key, value]) => [
          key,
          { value, propagateAtLaunch: propagate.has(key) },
        ]),
      ),
      createdTime: iso(seed.createdTime),
      availabilityZones: [`${this.name}a`],
    });
    if (seed.instanceIds === undefined) this.reconcileGroupInstances(group);
    return group;
  }

  addFleet(seed: FleetSeed): FleetRecord {
    if (seed.launchTemplateConfigs.length === 0)
      throw new Error('sandbox: a fleet needs a launch template config');
    return this.fleetTable.add({
      id: seed.id ?? this.ids.next('fleet'),
      type: seed.type ?? 'maintain',
      state: seed.state ?? 'active',
      createTime: iso(seed.createTime),
      totalTargetCapacity: seed.totalTargetCapacity ?? 1,
      launchTemplateConfigs: seed.launchTemplateConfigs.map((c) => ({
        launchTemplateSpecification: { ...c.launchTemplateSpecification },
        overrides: (c.overrides ?? []).map((o) => ({ ...o })),
      })),
      tags: { ...seed.tags },
    });
  }

  addSpotFleetRequest(seed: SpotFleetRequestSeed): SpotFleetRequestRecord {
    const specs = seed.launchSpecifications ?? [];
    const configs = seed.launchTemplateConfigs ?? [];
    // EC2 requires exactly one of the two.
    if ((specs.length === 0) === (configs.length === 0)) {
      throw new Error('sandbox: a Spot Fleet request needs launch specifications or launch template configs');
    }
    return this.spotFleetRequestTable.add({
      id: seed.id ?? this.ids.next('sfr'),
      type: seed.type ?? 'maintain',
      state: seed.state ?? 'active',
      createTime: iso(seed.createTime),
      targetCapacity: seed.targetCapacity ?? 1,
      iamFleetRole: `arn:aws:iam::${this.accountId}:role/aws-ec2-spot-fleet-tagging-role`,
      launchSpecifications: specs.map((l) => ({ ...l })),
      launchTemplateConfigs: configs.map((c) => ({
        launchTemplateSpecification: { ...c.launchTemplateSpecification },
        overrides: (c.overrides ?? []).map((o) => ({ ...o })),
      })),
      tags: { ...seed.tags },
    });
  }

  addSpotInstanceRequest(seed: SpotInstanceRequestSeed): SpotInstanceRequestRecord {
    return this.spotInstanceRequestTable.add({
      id: seed.id ?? this.ids.next('sir'),
      state: seed.state ?? 'open',
      type: seed.type ?? 'one-time',
      createTime: iso(seed.createTime),
      imageId: seed.imageId,
      instanceType: seed.instanceType ?? 't3.micro',
      instanceId: seed.instanceId,
      tags: { ...seed.tags },
    });
  }

  /**
   * Per-region state a service module keeps for itself (e.g. SSM parameters), created on first
   * use, so adding a service does not mean editing this class.
   */
  store<T>(name: string, create: () => T): T {
    if (!this.extensions.has(name)) this.extensions.set(name, create());
    return this.extensions.get(name) as T;
  }

  /** A service module's store holds taggable resources: CreateTags and IAM's ResourceTag see them. */
  registerTaggable(lookup: (id: string) => { tags: Tags } | undefined): void {
    this.taggableLookups.push(lookup);
  }

  // ---- readers ---------------------------------------------------------------------------

  getImage(id: string): ImageRecord | undefined {
    return this.imageTable.get(id);
  }
  images(): ImageRecord[] {
    return [...this.imageTable.values()];
  }
  getSnapshot(id: string): SnapshotRecord | undefined {
    return this.snapshotTable.get(id);
  }
  snapshotExists(id: string): boolean {
    return this.snapshotTable.has(id);
  }
  snapshots(): SnapshotRecord[] {
    return [...this.snapshotTable.values()];
  }
  getInstance(id: string): InstanceRecord | undefined {
    return this.instanceTable.get(id);
  }
  instances(): InstanceRecord[] {
    return [...this.instanceTable.values()];
  }
  getLaunchTemplate(idOrName: string): LaunchTemplateRecord | undefined {
    return this.launchTemplateTable.get(idOrName) ?? this.findLaunchTemplateByName(idOrName);
  }
  launchTemplates(): LaunchTemplateRecord[] {
    return [...this.launchTemplateTable.values()];
  }
  getLaunchConfiguration(name: string): LaunchConfigurationRecord | undefined {
    return this.launchConfigurationTable.get(name);
  }
  launchConfigurations(): LaunchConfigurationRecord[] {
    return [...this.launchConfigurationTable.values()];
  }
  fleets(): FleetRecord[] {
    return [...this.fleetTable.values()];
  }
  spotFleetRequests(): SpotFleetRequestRecord[] {
    return [...this.spotFleetRequestTable.values()];
  }
  spotInstanceRequests(): SpotInstanceRequestRecord[] {
    return [...this.spotInstanceRequestTable.values()];
  }
  getAutoScalingGroup(name: string): AutoScalingGroupRecord | undefined {
    return this.groupTable.get(name);
  }
  autoScalingGroups(): AutoScalingGroupRecord[] {
    return [...this.groupTable.values()];
  }
  /** Tags of an image, snapshot, instance, launch template (by id) or Auto Scaling group (by name). */
  tagsOf(resourceId: string): Tags | undefined {
    const group = this.groupTable.get(resourceId);
    if (group) return Object.fromEntries(Object.entries(group.tags).map(([k, t]) => [k, t.value]));
    return this.taggable(resourceId)?.tags;
  }

  // ---- mutations used by the services ----------------------------------------------------

  /** The EC2 resource behind an id, for CreateTags/DeleteTags. */
  taggable(resourceId: string): { tags: Tags } | undefined {
    return (
      this.imageTable.get(resourceId) ??
      this.snapshotTable.get(resourceId) ??
      this.instanceTable.get(resourceId) ??
      this.launchTemplateTable.get(resourceId) ??
      this.taggableLookups.map((lookup) => lookup(resourceId)).find((found) => found !== undefined)
    );
  }

  /** Registered images whose block devices reference the snapshot. */
  imagesUsingSnapshot(snapshotId: string): string[] {
    return [...(this.snapshotUsers.get(snapshotId) ?? [])];
  }

  removeImage(id: string): void {
    const image = this.imageTable.get(id);
    if (!image) return;
    this.imageTable.delete(id);
    for (const mapping of image.blockDeviceMappings) {
      if (!mapping.snapshotId) continue;
      const users = this.snapshotUsers.get(mapping.snapshotId);
      users?.delete(id);
      if (users?.size === 0) this.snapshotUsers.delete(mapping.snapshotId);
    }
  }

  removeSnapshot(id: string): void {
    this.snapshotTable.delete(id);
  }

  findLaunchTemplateByName(name: string): LaunchTemplateRecord | undefined {
    for (const template of this.launchTemplateTable.values()) if (template.name === name) return template;
    return undefined;
  }

  /** The image a group would launch now (launch configuration, template or mixed policy's template). */
  groupImageId(group: AutoScalingGroupRecord): string | undefined {
    if (group.launchConfigurationName) {
      return this.launchConfigurationTable.get(group.launchConfigurationName)?.imageId;
    }
    const spec =
      group.launchTemplate ?? group.mixedInstancesPolicy?.launchTemplate.launchTemplateSpecification;
    return spec ? this.resolveLaunchTemplateSpec(spec)?.data.imageId : undefined;
  }

  resolveLaunchTemplateSpec(spec: LaunchTemplateSpec): LaunchTemplateVersionRecord | undefined {
    const template = spec.launchTemplateId
      ? this.launchTemplateTable.get(spec.launchTemplateId)
      : spec.launchTemplateName
        ? this.findLaunchTemplateByName(spec.launchTemplateName)
        : undefined;
    if (!template) return undefined;
    const version = spec.version ?? '$Default';
    const number =
      version === '$Latest'
        ? template.versions.length
        : version === '$Default'
          ? template.defaultVersion
          : Number(version);
    return template.versions.find((v) => v.versionNumber === number);
  }

  /**
   * Brings the group's live instances to its desired capacity at once, as Auto Scaling would
   * eventually: extra instances are terminated (newest first), missing ones launched from the
   * group's image. A group whose image cannot be resolved launches nothing.
   */
  reconcileGroupInstances(group: AutoScalingGroupRecord): void {
    const live = group.instanceIds.filter((id) => {
      const state = this.instanceTable.get(id)?.state;
      return state !== undefined && state !== 'terminated' && state !== 'shutting-down';
    });
    while (live.length > group.desiredCapacity) {
      const id = live.pop()!;
      const instance = this.instanceTable.get(id);
      if (instance) instance.state = 'terminated';
    }
    const imageId = this.groupImageId(group);
    while (imageId && live.length < group.desiredCapacity) {
      const propagated = Object.entries(group.tags).filter(([, t]) => t.propagateAtLaunch);
      const instance = this.addInstance({
        imageId,
        tags: {
          'aws:autoscaling:groupName': group.name,
          ...Object.fromEntries(propagated.map(([k, t]) => [k, t.value])),
        },
      });
      live.push(instance.id);
    }
    group.instanceIds = live;
  }

  private requireLaunchTemplate(idOrName: string): LaunchTemplateRecord {
    const template = this.getLaunchTemplate(idOrName);
    if (!template) throw new Error(`sandbox: no launch template ${idOrName} in ${this.name}`);
    return template;
  }

  private linkSnapshot(snapshotId: string, imageId: string): void {
    let users = this.snapshotUsers.get(snapshotId);
    if (!users) this.snapshotUsers.set(snapshotId, (users = new Set()));
    users.add(imageId);
  }
}
