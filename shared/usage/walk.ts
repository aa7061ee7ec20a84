/**
 * The one walk over the sources that decides what uses which AMI, one named step per source.
 * collectUsage keeps the references; imageIdsReferencedBySources keeps only their ids.
 */
import type {
  ImageParameterRecord,
  InstanceRecord,
  LaunchConfigurationRecord,
  SpotInstanceRequestRecord,
  UsageRef,
  UsageSources,
} from '../domain';
import { walkAutoScalingGroups, walkFleet } from './groups-and-fleets';
import { addImage, type UsageSink, type UsageWalk } from './refs';
import { groupVersions, walkDefaultAndLatestVersions, walkOtherTemplateVersions } from './templates';
import { AMI_ID, type CollectUsageOptions, type UnresolvedUsage } from './types';

/** States in which a Spot instance request launches nothing more. */
const SPOT_REQUEST_DONE = new Set(['closed', 'cancelled', 'failed']);

/**
 * Every reference goes to `onRef` (unsorted, possibly repeated); the references that could not be
 * resolved are returned. The steps run in a fixed order so the unresolved list comes out the same.
 */
export function walkUsage(
  sources: UsageSources,
  options: CollectUsageOptions,
  onRef: (ref: UsageRef) => void,
): UnresolvedUsage[] {
  const unresolved: UnresolvedUsage[] = [];
  const sink: UsageSink = { onRef, unresolved, ssm: options.ssmParameters ?? new Map<string, string>() };
  walkInstances(sink, sources.instances);
  const walk: UsageWalk = {
    ...sink,
    versionsByTemplate: groupVersions(sources.launchTemplateVersions, unresolved),
  };
  walkDefaultAndLatestVersions(walk);
  walkOtherTemplateVersions(walk, sources.launchTemplates ?? []);
  walkLaunchConfigurations(walk, sources.launchConfigurations);
  walkAutoScalingGroups(walk, sources.autoScalingGroups, sources.launchConfigurations);
  for (const fleet of sources.fleets ?? []) walkFleet(walk, fleet);
  walkSpotInstanceRequests(walk, sources.spotInstanceRequests ?? []);
  walkImageParameters(walk, sources.imageParameters ?? []);
  return unresolved;
}

function walkInstances(sink: UsageSink, instances: readonly InstanceRecord[]): void {
  // "(running)", "(stopped)": one string per state rather than one per instance (100k at scale).
  const stateDetails = new Map<string, string>();
  for (const instance of instances) {
    // Only terminated instances are gone for good; a stopped or shutting-down one can still run again
    // (or is still running), so it counts as use: the safe reading.
    if (instance.state.trim().toLowerCase() === 'terminated') continue;
    let detail = stateDetails.get(instance.state);
    if (detail === undefined) {
      detail = `(${instance.state})`;
      stateDetails.set(instance.state, detail);
    }
    addImage(sink, instance.imageId, { kind: 'instance', resourceId: instance.id, detail });
  }
}

function walkLaunchConfigurations(sink: UsageSink, configs: readonly LaunchConfigurationRecord[]): void {
  for (const config of configs) {
    addImage(sink, config.imageId, { kind: 'launch-configuration', resourceId: config.name, detail: '' });
  }
}

function walkSpotInstanceRequests(sink: UsageSink, requests: readonly SpotInstanceRequestRecord[]): void {
  for (const request of requests) {
    if (SPOT_REQUEST_DONE.has(request.state.trim().toLowerCase())) continue;
    addImage(sink, request.imageId, {
      kind: 'spot-request',
      resourceId: request.id,
      detail: `(${request.state}, ${request.type})`,
    });
  }
}

/** SSM parameters of data type aws:ec2:image: what launches by parameter name would use. */
function walkImageParameters(sink: UsageSink, parameters: readonly ImageParameterRecord[]): void {
  for (const parameter of parameters) {
    const value = (parameter.value ?? '').trim();
    if (AMI_ID.test(value)) {
      sink.onRef({
        kind: 'ssm-parameter',
        resourceId: parameter.name,
        detail: '(data type aws:ec2:image)',
        imageId: value,
      });
      continue;
    }
    // AWS checks the value of an aws:ec2:image parameter, so this is a read gone wrong: unknown.
    sink.unresolved.push({
      kind: 'ssm-parameter',
      resourceId: parameter.name,
      message:
        parameter.value === undefined
          ? `SSM parameter ${parameter.name} (data type aws:ec2:image): its value could not be read, so the AMI it names is unknown`
          : `SSM parameter ${parameter.name} (data type aws:ec2:image) holds ${JSON.stringify(parameter.value)}, not an AMI id (expected ami-...)`,
    });
  }
}
