/**
 * Scale-to-zero's inventory: the groups, instances and databases tagged ScaleToZero, as plain
 * records. SDK shapes stop here.
 */
import { paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling';
import { paginateDescribeInstances, type Instance } from '@aws-sdk/client-ec2';

import type { AutoScalingGroupRecord, ScalableInstanceRecord } from '../../domain';
import type { RunFailure } from '../../events';
import type { DatabaseRecord } from '../../plan/scale';
import { TAG, tagsFromList, type Tags } from '../../tags';
import type { AwsClients } from '../clients';
import { groupRecordFrom } from '../inventory';
import { readDatabases } from './databases';

export interface ScaleInventory {
  groups: AutoScalingGroupRecord[];
  instances: ScalableInstanceRecord[];
  /**
   * Per group, the instance type of each instance it lists (DescribeAutoScalingGroups says, no
   * extra call): what scaling it to 0 turns off, for the savings estimate.
   */
  groupInstanceTypes: Record<string, string[]>;
  /** Per group, the tags it propagates to its instances at launch: what maintenance windows match. */
  propagatedTags: Map<string, Tags>;
  /** RDS DB instances and Aurora clusters tagged ScaleToZero (see databases.ts). */
  databases: DatabaseRecord[];
  /** Set when the databases could not be read; the groups and instances were. */
  databaseFailure?: RunFailure;
}

/** Only resources carrying the ScaleToZero key are read; the rest of the account is never looked at. */
export async function readScaleInventory(clients: AwsClients): Promise<ScaleInventory> {
  const groupInstanceTypes: Record<string, string[]> = {};
  const propagatedTags = new Map<string, Tags>();
  const [groups, instances, db] = await Promise.all([
    readGroups(clients, groupInstanceTypes, propagatedTags),
    readInstances(clients),
    readDatabases(clients),
  ]);
  return {
    groups,
    instances,
    groupInstanceTypes,
    propagatedTags,
    databases: db.databases,
    ...(db.failure ? { databaseFailure: db.failure } : {}),
  };
}

async function readGroups(
  clients: AwsClients,
  instanceTypes: Record<string, string[]>,
  propagatedTags: Map<string, Tags>,
): Promise<AutoScalingGroupRecord[]> {
  const out: AutoScalingGroupRecord[] = [];
  const pages = paginateDescribeAutoScalingGroups(
    { client: clients.autoScaling },
    { MaxRecords: 100, Filters: [{ Name: 'tag-key', Values: [TAG.scaleToZero] }] },
  );
  for await (const page of pages) {
    for (const g of page.AutoScalingGroups ?? []) {
      const record = groupRecordFrom(g);
      // Belt and braces: an endpoint that ignored the filter must still not widen what we touch.
      if (record.tags[TAG.scaleToZero] === undefined) continue;
      out.push(record);
      instanceTypes[record.name] = (g.Instances ?? []).flatMap((i) =>
        i.InstanceType ? [i.InstanceType] : [],
      );
      propagatedTags.set(
        record.name,
        tagsFromList((g.Tags ?? []).filter((t) => t.PropagateAtLaunch === true)),
      );
    }
  }
  return out;
}

async function readInstances(clients: AwsClients): Promise<ScalableInstanceRecord[]> {
  const out: ScalableInstanceRecord[] = [];
  const pages = paginateDescribeInstances(
    { client: clients.ec2 },
    {
      MaxResults: 1000,
      Filters: [
        { Name: 'tag-key', Values: [TAG.scaleToZero] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    },
  );
  for await (const page of pages) {
    for (const r of page.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        const record = toInstance(i);
        if (record.tags[TAG.scaleToZero] !== undefined) out.push(record);
      }
    }
  }
  return out;
}

function toInstance(i: Instance): ScalableInstanceRecord {
  const tags = tagsFromList(i.Tags);
  const record: ScalableInstanceRecord = { id: i.InstanceId ?? '', state: i.State?.Name ?? 'unknown', tags };
  if (i.InstanceType) record.instanceType = i.InstanceType;
  if (i.InstanceLifecycle) record.lifecycle = i.InstanceLifecycle;
  if (i.RootDeviceType) record.rootDeviceType = i.RootDeviceType;
  const group = tags['aws:autoscaling:groupName'];
  if (group !== undefined) record.autoScalingGroupName = group;
  if (i.LaunchTime) record.launchedAt = i.LaunchTime;
  if (i.HibernationOptions?.Configured !== undefined) {
    record.hibernationConfigured = i.HibernationOptions.Configured;
  }
  return record;
}
