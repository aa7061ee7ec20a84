/** Auto Scaling groups, EC2 fleets and Spot Fleet requests: what they would launch next. */
import type {
  AutoScalingGroupRecord,
  FleetRecord,
  LaunchConfigurationRecord,
  LaunchTemplateRef,
} from '../domain';
import { KIND_LABEL } from './describe';
import { addImage, type UsageWalk } from './refs';
import { resolveTemplateRef, templateLabel } from './templates';

/**
 * States in which a fleet or Spot Fleet request no longer launches anything (its running instances,
 * if any, count as instances). Any other state, including one this code does not know, counts as use.
 */
const FLEET_DONE = new Set(['deleted', 'deleted_running', 'deleted_terminating', 'failed']);
const SPOT_FLEET_DONE = new Set(['cancelled', 'cancelled_running', 'cancelled_terminating', 'failed']);

/** A group uses the AMI of its launch configuration and of every template version it names. */
export function walkAutoScalingGroups(
  walk: UsageWalk,
  groups: readonly AutoScalingGroupRecord[],
  launchConfigurations: readonly LaunchConfigurationRecord[],
): void {
  const configsByName = new Map(launchConfigurations.map((c) => [c.name, c]));
  for (const group of groups) {
    const scaledToZero = group.desiredCapacity === 0 ? ', scaled to zero' : '';
    if (group.launchConfigurationName === undefined && group.launchTemplates.length === 0) {
      walk.unresolved.push({
        kind: 'auto-scaling-group',
        resourceId: group.name,
        message: `auto scaling group ${group.name}: names neither a launch configuration nor a launch template`,
      });
    }
    if (group.launchConfigurationName !== undefined) {
      const config = configsByName.get(group.launchConfigurationName);
      if (config === undefined) {
        walk.unresolved.push({
          kind: 'auto-scaling-group',
          resourceId: group.name,
          message:
            `auto scaling group ${group.name}: launch configuration ${group.launchConfigurationName} ` +
            `was not among the launch configurations read`,
        });
      } else {
        addImage(
          walk,
          config.imageId,
          {
            kind: 'auto-scaling-group',
            resourceId: group.name,
            detail: `(launch configuration ${config.name}${scaledToZero})`,
          },
          `auto scaling group ${group.name} launch configuration ${config.name}`,
        );
      }
    }
    for (const ref of group.launchTemplates) {
      walkGroupTemplate(walk, group, ref, scaledToZero);
    }
  }
}

function walkGroupTemplate(
  walk: UsageWalk,
  group: AutoScalingGroupRecord,
  ref: LaunchTemplateRef,
  scaledToZero: string,
): void {
  const found = resolveTemplateRef(walk.versionsByTemplate, ref, (what) =>
    walk.unresolved.push({
      kind: 'auto-scaling-group',
      resourceId: group.name,
      message: `auto scaling group ${group.name}: ${what}`,
    }),
  );
  // A version without an image launches nothing by itself: no AMI in use through it.
  if (found === undefined || found.version.imageId === undefined) return;
  const label = templateLabel(found.version);
  addImage(
    walk,
    found.version.imageId,
    {
      kind: 'auto-scaling-group',
      resourceId: group.name,
      detail: `(launch template ${label} ${found.versionText}${scaledToZero})`,
    },
    `auto scaling group ${group.name} launch template ${label} ${found.versionText}`,
  );
}

/** A fleet that still launches uses its launch specifications' AMIs, its template versions' and their overrides'. */
export function walkFleet(walk: UsageWalk, fleet: FleetRecord): void {
  const state = fleet.state.trim().toLowerCase();
  const done = fleet.kind === 'fleet' ? FLEET_DONE : SPOT_FLEET_DONE;
  // An instant fleet launched once, synchronously: its instances are counted as instances.
  if (done.has(state) || fleet.type.trim().toLowerCase() === 'instant') return;
  const prefix = `${fleet.type}, `;
  const holder = `${KIND_LABEL[fleet.kind]} ${fleet.id}`;
  for (const imageId of fleet.launchSpecificationImageIds) {
    addImage(
      walk,
      imageId,
      { kind: fleet.kind, resourceId: fleet.id, detail: `(${prefix}launch specification)` },
      `${holder} launch specification`,
    );
  }
  for (const config of fleet.launchTemplateConfigs) {
    const found = resolveTemplateRef(walk.versionsByTemplate, config.template, (what) =>
      walk.unresolved.push({ kind: fleet.kind, resourceId: fleet.id, message: `${holder}: ${what}` }),
    );
    if (found !== undefined && found.version.imageId !== undefined) {
      const text = `launch template ${templateLabel(found.version)} ${found.versionText}`;
      addImage(
        walk,
        found.version.imageId,
        { kind: fleet.kind, resourceId: fleet.id, detail: `(${prefix}${text})` },
        `${holder} ${text}`,
      );
    }
    const wanted = config.template.templateId ?? config.template.templateName ?? '(no id or name)';
    for (const imageId of config.overrideImageIds) {
      addImage(
        walk,
        imageId,
        { kind: fleet.kind, resourceId: fleet.id, detail: `(${prefix}launch template ${wanted} override)` },
        `${holder} launch template ${wanted} override`,
      );
    }
  }
}
