/** Auto Scaling groups and launch configurations as domain records. */
import {
  paginateDescribeAutoScalingGroups,
  paginateDescribeLaunchConfigurations,
  type AutoScalingGroup,
  type LaunchTemplateSpecification as AsgTemplateSpec,
} from '@aws-sdk/client-auto-scaling';

import type { AutoScalingGroupRecord, LaunchConfigurationRecord, LaunchTemplateRef } from '../../domain';
import { tagsFromList } from '../../tags';
import type { AwsClients } from '../clients';

export async function readLaunchConfigurations(clients: AwsClients): Promise<LaunchConfigurationRecord[]> {
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

export async function readAutoScalingGroups(clients: AwsClients): Promise<AutoScalingGroupRecord[]> {
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
