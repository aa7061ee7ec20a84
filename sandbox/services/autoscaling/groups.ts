/**
 * Auto Scaling (AWS query, Version 2011-01-01): groups, launch configurations, group tags, and
 * UpdateAutoScalingGroup with AWS's min <= desired <= max validation. A capacity change takes
 * effect at once: the group launches or terminates instances in the region's EC2 state.
 */
import { SandboxError } from '../../protocol/errors';
import { indexedList, optionalInt, parseFilters, requiredParam } from '../../protocol/form';
import { members, type XmlObject } from '../../protocol/xml';
import type {
  AutoScalingGroupRecord,
  LaunchConfigurationRecord,
  LaunchTemplateSpec,
} from '../../state/records';
import type { RegionState } from '../../state/region';
import { compileFilters } from '../filtering';
import type { QueryAction } from '../types';
import { groupNotFound, groupTags, maxRecords } from './common';
import { pendingLifecycleState } from './lifecycle-hooks';

/** AWS reports both the id and the name of a template, whichever the group was given. */
function renderSpec(spec: LaunchTemplateSpec | undefined, region: RegionState): XmlObject | undefined {
  if (!spec) return undefined;
  const template = region.getLaunchTemplate(spec.launchTemplateId ?? spec.launchTemplateName ?? '');
  return {
    LaunchTemplateId: spec.launchTemplateId ?? template?.id,
    LaunchTemplateName: spec.launchTemplateName ?? template?.name,
    Version: spec.version ?? '$Default',
  };
}

function renderGroup(group: AutoScalingGroupRecord, region: RegionState): XmlObject {
  const mixed = group.mixedInstancesPolicy?.launchTemplate;
  const instances = group.instanceIds.flatMap((id) => {
    const instance = region.getInstance(id);
    if (!instance || instance.state === 'terminated') return [];
    return [
      {
        InstanceId: instance.id,
        InstanceType: instance.instanceType,
        AvailabilityZone: instance.availabilityZone,
        LifecycleState:
          pendingLifecycleState(region, instance.id) ??
          (instance.state === 'running' || instance.state === 'pending' ? 'InService' : 'Standby'),
        HealthStatus: 'Healthy',
        LaunchConfigurationName: group.launchConfigurationName,
        LaunchTemplate: renderSpec(group.launchTemplate, region),
        ProtectedFromScaleIn: false,
      },
    ];
  });
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    LaunchConfigurationName: group.launchConfigurationName,
    LaunchTemplate: renderSpec(group.launchTemplate, region),
    MixedInstancesPolicy: mixed
      ? {
          LaunchTemplate: {
            LaunchTemplateSpecification: renderSpec(mixed.launchTemplateSpecification, region),
            Overrides: members(
              mixed.overrides.map((o) => ({
                InstanceType: o.instanceType,
                LaunchTemplateSpecification: renderSpec(o.launchTemplateSpecification, region),
              })),
            ),
          },
        }
      : undefined,
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity,
    DefaultCooldown: 300,
    AvailabilityZones: members(group.availabilityZones),
    HealthCheckType: 'EC2',
    HealthCheckGracePeriod: 300,
    Instances: members(instances),
    CreatedTime: group.createdTime,
    Tags: members(groupTags(group)),
    TerminationPolicies: members(['Default']),
  };
}

const describeAutoScalingGroups: QueryAction = (params, { region }) => {
  const limit = maxRecords(params);
  const names = new Set(indexedList(params, 'AutoScalingGroupNames.member'));
  const filter = compileFilters(
    parseFilters(params, 'Filters.member', 'Values.member'),
    {},
    (g: AutoScalingGroupRecord) => Object.fromEntries(Object.entries(g.tags).map(([k, t]) => [k, t.value])),
    'ValidationError',
  );
  const page = region.groupTable.page(
    params.get('NextToken'),
    limit,
    (g) => (names.size === 0 || names.has(g.name)) && filter(g),
  );
  return {
    AutoScalingGroups: members(page.items.map((g) => renderGroup(g, region))),
    NextToken: page.nextToken,
  };
};

function renderLaunchConfiguration(config: LaunchConfigurationRecord): XmlObject {
  return {
    LaunchConfigurationName: config.name,
    LaunchConfigurationARN: config.arn,
    ImageId: config.imageId,
    InstanceType: config.instanceType,
    KeyName: '',
    SecurityGroups: members([]),
    UserData: '',
    KernelId: '',
    RamdiskId: '',
    BlockDeviceMappings: members([]),
    InstanceMonitoring: { Enabled: false },
    CreatedTime: config.createdTime,
    EbsOptimized: false,
  };
}

const describeLaunchConfigurations: QueryAction = (params, { region }) => {
  const limit = maxRecords(params);
  const names = new Set(indexedList(params, 'LaunchConfigurationNames.member'));
  const page = region.launchConfigurationTable.page(
    params.get('NextToken'),
    limit,
    (c) => names.size === 0 || names.has(c.name),
  );
  return {
    LaunchConfigurations: members(page.items.map(renderLaunchConfiguration)),
    NextToken: page.nextToken,
  };
};

const updateAutoScalingGroup: QueryAction = (params, { region }) => {
  const name = requiredParam(params, 'AutoScalingGroupName');
  const group = region.getAutoScalingGroup(name);
  if (!group) throw groupNotFound(name);
  const min = optionalInt(params, 'MinSize');
  const max = optionalInt(params, 'MaxSize');
  const desired = optionalInt(params, 'DesiredCapacity');
  const newMin = min ?? group.minSize;
  const newMax = max ?? group.maxSize;
  if (newMin > newMax) {
    throw new SandboxError(
      'ValidationError',
      `Max bound, ${newMax}, must be greater than or equal to min bound, ${newMin}`,
    );
  }
  if (desired !== undefined && (desired < newMin || desired > newMax)) {
    throw new SandboxError(
      'ValidationError',
      `Desired capacity:${desired} must be between the specified min size:${newMin} and max size:${newMax}`,
    );
  }
  group.minSize = newMin;
  group.maxSize = newMax;
  // Without an explicit DesiredCapacity, AWS pulls the current one into the new bounds.
  group.desiredCapacity = desired ?? Math.min(Math.max(group.desiredCapacity, newMin), newMax);
  const lcName = params.get('LaunchConfigurationName');
  if (lcName) {
    if (!region.getLaunchConfiguration(lcName)) {
      throw new SandboxError('ValidationError', `Launch configuration name not found - ${lcName}`);
    }
    group.launchConfigurationName = lcName;
    group.launchTemplate = undefined;
  }
  region.reconcileGroupInstances(group);
  return {};
};

const setDesiredCapacity: QueryAction = (params, { region }) => {
  const name = requiredParam(params, 'AutoScalingGroupName');
  const group = region.getAutoScalingGroup(name);
  if (!group) throw groupNotFound(name);
  const desired = optionalInt(params, 'DesiredCapacity');
  if (desired === undefined) throw new SandboxError('ValidationError', 'DesiredCapacity is required');
  if (desired > group.maxSize) {
    throw new SandboxError(
      'ValidationError',
      `New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`,
    );
  }
  if (desired < group.minSize) {
    throw new SandboxError(
      'ValidationError',
      `New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`,
    );
  }
  group.desiredCapacity = desired;
  region.reconcileGroupInstances(group);
  return {};
};

export const groupActions = {
  DescribeAutoScalingGroups: describeAutoScalingGroups,
  DescribeLaunchConfigurations: describeLaunchConfigurations,
  UpdateAutoScalingGroup: updateAutoScalingGroup,
  SetDesiredCapacity: setDesiredCapacity,
};
