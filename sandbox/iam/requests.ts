/**
 * What AWS authorizes for one request: the IAM action, each resource the request names (one check
 * per resource: CreateTags on 3 AMIs is 3 checks, and one denial fails the whole call) and the
 * request context AWS builds for it (the resource's tags, the tags being written, the region).
 */
import type { FormParams } from '../protocol/form';
import { requestedReferenceTypes } from '../services/ec2/image-references';
import type { JsonObject } from '../protocol/json';
import type { RegionState } from '../state/region';
import { rdsChecks } from './rds';

export type ContextValue = string | string[];

export interface AuthorizationCheck {
  /** e.g. `ec2:DeregisterImage` */
  action: string;
  /** An ARN, or `*` for actions that support no resource-level permissions. */
  resource: string;
  context: Record<string, ContextValue>;
}

export interface RequestFacts {
  /** Scope name: ec2, autoscaling, events, ssm, sns, sts, monitoring, pricing. */
  service: string;
  /** The API action, e.g. `DeregisterImage`. */
  action: string;
  params?: FormParams;
  json?: JsonObject;
  /** REST calls naming a Recycle Bin rule in their path. */
  ruleId?: string;
  region: RegionState;
  accountId: string;
}

/** EC2 ids to ARNs (images and snapshots carry no account in their ARN). */
export function ec2Arn(region: string, accountId: string, id: string): string {
  const prefix = id.slice(0, id.indexOf('-'));
  const typed: Record<string, string> = {
    ami: `::image/${id}`,
    snap: `::snapshot/${id}`,
    i: `:${accountId}:instance/${id}`,
    lt: `:${accountId}:launch-template/${id}`,
    vol: `:${accountId}:volume/${id}`,
    eipalloc: `:${accountId}:elastic-ip/${id}`,
    fleet: `:${accountId}:fleet/${id}`,
    sfr: `:${accountId}:spot-fleet-request/${id}`,
    sir: `:${accountId}:spot-instances-request/${id}`,
  };
  const tail = typed[prefix];
  if (!tail) throw new Error(`the sandbox has no ARN form for the EC2 id ${id}`);
  return `arn:aws:ec2:${region}${tail}`;
}

/** `Name.1`, `Name.2`, … in request order. */
function members(params: FormParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${name}.${i}`); i++) out.push(params.get(`${name}.${i}`)!);
  return out;
}

function resourceTags(prefix: string, tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    out[`${prefix}:ResourceTag/${key}`] = value;
    out[`aws:ResourceTag/${key}`] = value;
  }
  return out;
}

/** aws:TagKeys and aws:RequestTag/* for a tagging call (only keys that are present). */
function requestTags(
  tags: { key: string; value?: string }[],
  withValues: boolean,
): Record<string, ContextValue> {
  if (tags.length === 0) return {};
  const out: Record<string, ContextValue> = { 'aws:TagKeys': tags.map((t) => t.key) };
  if (withValues) for (const t of tags) out[`aws:RequestTag/${t.key}`] = t.value ?? '';
  return out;
}

/** EC2 actions that name resources, and the parameters that name them. */
const EC2_RESOURCE_PARAMS: Record<string, { single?: string; list?: string; each?: string[] }> = {
  DeregisterImage: { single: 'ImageId' },
  EnableImageDeprecation: { single: 'ImageId' },
  DisableImageDeprecation: { single: 'ImageId' },
  DisableImage: { single: 'ImageId' },
  EnableImage: { single: 'ImageId' },
  DescribeImageAttribute: { single: 'ImageId' },
  ModifyImageAttribute: { single: 'ImageId' },
  DeleteSnapshot: { single: 'SnapshotId' },
  StartInstances: { list: 'InstanceId' },
  StopInstances: { list: 'InstanceId' },
  CreateTags: { list: 'ResourceId' },
  DeleteTags: { list: 'ResourceId' },
  // One check per resource the call names: AWS authorizes the address (or volume) and the instance.
  AssociateAddress: { each: ['AllocationId', 'InstanceId'] },
  AttachVolume: { each: ['VolumeId', 'InstanceId'] },
  DetachVolume: { each: ['VolumeId', 'InstanceId'] },
};

/**
 * DescribeImageReferences scans each requested resource type with the caller's own permissions
 * (EC2 User Guide, "Identify your resources referencing specified AMIs"; the managed policy
 * AmazonEC2ImageReferencesAccessPolicy grants exactly these). Modelled as AWS's strict reading:
 * a missing one fails the call with UnauthorizedOperation, so it can never scan less in silence.
 */
export const IMAGE_REFERENCE_READS: Record<string, string[]> = {
  'ec2:Instance': ['ec2:DescribeInstances'],
  'ec2:LaunchTemplate': ['ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions'],
  'ssm:Parameter': ['ssm:DescribeParameters', 'ssm:GetParameters'],
  'imagebuilder:ImageRecipe': ['imagebuilder:ListImageRecipes', 'imagebuilder:GetImageRecipe'],
  'imagebuilder:ContainerRecipe': ['imagebuilder:ListContainerRecipes', 'imagebuilder:GetContainerRecipe'],
};

function ec2Checks(f: RequestFacts): AuthorizationCheck[] {
  const action = `ec2:${f.action}`;
  const regionName = f.region.name;
  const base = { 'ec2:Region': regionName };
  if (f.action === 'DescribeImageReferences') {
    const reads = requestedReferenceTypes(f.params!).flatMap((t) => IMAGE_REFERENCE_READS[t] ?? []);
    // The scan reads every resource of a type: checked as the type-wide ARN where the action has one.
    const scope: Record<string, string> = {
      'ssm:GetParameters': `arn:aws:ssm:${regionName}:${f.accountId}:parameter/*`,
      'imagebuilder:GetImageRecipe': `arn:aws:imagebuilder:${regionName}:${f.accountId}:image-recipe/*`,
      'imagebuilder:GetContainerRecipe': `arn:aws:imagebuilder:${regionName}:${f.accountId}:container-recipe/*`,
    };
    return [action, ...new Set(reads)].map((a) => ({ action: a, resource: scope[a] ?? '*', context: {} }));
  }
  if (f.action === 'CreateImageUsageReport') {
    // AWS authorizes the AMI and the report the call creates (its id is not known yet). A missing or
    // foreign id is left to the action itself, which answers MissingParameter or InvalidAMIID.*.
    const imageId = f.params!.get('ImageId') ?? '';
    const image = imageId.startsWith('ami-')
      ? [
          {
            action,
            resource: ec2Arn(regionName, f.accountId, imageId),
            context: { ...base, ...resourceTags('ec2', f.region.tagsOf(imageId)) },
          },
        ]
      : [];
    return [
      ...image,
      {
        action,
        resource: `arn:aws:ec2:${regionName}:${f.accountId}:image-usage-report/*`,
        context: base,
      },
    ];
  }
  const spec = EC2_RESOURCE_PARAMS[f.action];
  if (!spec) return [{ action, resource: '*', context: base }];
  const params = f.params!;
  const ids = spec.each
    ? spec.each.flatMap((name) => (params.has(name) ? [params.get(name)!] : []))
    : spec.single
      ? [params.get(spec.single) ?? '']
      : members(params, spec.list!);
  let tagging: Record<string, ContextValue> = {};
  if (f.action === 'CreateTags' || f.action === 'DeleteTags') {
    const tags: { key: string; value?: string }[] = [];
    for (let i = 1; params.has(`Tag.${i}.Key`); i++) {
      const value = params.get(`Tag.${i}.Value`);
      tags.push({ key: params.get(`Tag.${i}.Key`)!, ...(value !== undefined ? { value } : {}) });
    }
    tagging = requestTags(tags, f.action === 'CreateTags');
  }
  return ids.map((id) => ({
    action,
    resource: ec2Arn(regionName, f.accountId, id),
    context: { ...base, ...resourceTags('ec2', f.region.tagsOf(id)), ...tagging },
  }));
}

function groupArn(f: RequestFacts, name: string): string {
  return (
    f.region.getAutoScalingGroup(name)?.arn ??
    `arn:aws:autoscaling:${f.region.name}:${f.accountId}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${name}`
  );
}

function autoScalingChecks(f: RequestFacts): AuthorizationCheck[] {
  const action = `autoscaling:${f.action}`;
  const params = f.params!;
  if (f.action === 'CreateOrUpdateTags' || f.action === 'DeleteTags') {
    const byGroup = new Map<string, { key: string; value?: string }[]>();
    for (let i = 1; params.has(`Tags.member.${i}.Key`); i++) {
      const group = params.get(`Tags.member.${i}.ResourceId`) ?? '';
      const value = params.get(`Tags.member.${i}.Value`);
      const list = byGroup.get(group) ?? [];
      list.push({ key: params.get(`Tags.member.${i}.Key`)!, ...(value !== undefined ? { value } : {}) });
      byGroup.set(group, list);
    }
    return [...byGroup].map(([group, tags]) => ({
      action,
      resource: groupArn(f, group),
      context: {
        ...resourceTags('autoscaling', f.region.tagsOf(group)),
        ...requestTags(tags, f.action === 'CreateOrUpdateTags'),
      },
    }));
  }
  const group = params.get('AutoScalingGroupName');
  if (group && !f.action.startsWith('Describe')) {
    return [
      { action, resource: groupArn(f, group), context: resourceTags('autoscaling', f.region.tagsOf(group)) },
    ];
  }
  return [{ action, resource: '*', context: {} }];
}

function eventBusArn(f: RequestFacts, nameOrArn: string): string {
  return nameOrArn.startsWith('arn:')
    ? nameOrArn
    : `arn:aws:events:${f.region.name}:${f.accountId}:event-bus/${nameOrArn}`;
}

function eventsChecks(f: RequestFacts): AuthorizationCheck[] {
  const action = `events:${f.action}`;
  if (f.action !== 'PutEvents') return [{ action, resource: '*', context: {} }];
  const entries = Array.isArray(f.json?.Entries) ? (f.json.Entries as JsonObject[]) : [];
  return entries.map((entry) => ({
    action,
    resource: eventBusArn(f, typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default'),
    context: {
      ...(typeof entry.Source === 'string' ? { 'events:source': entry.Source } : {}),
      ...(typeof entry.DetailType === 'string' ? { 'events:detail-type': entry.DetailType } : {}),
    },
  }));
}

/** AWS's public parameters (/aws/service/…) have no account in their ARN. */
export function parameterArn(region: string, accountId: string, name: string): string {
  const path = name.startsWith('/') ? name : `/${name}`;
  const owner = path.startsWith('/aws/') ? '' : accountId;
  return `arn:aws:ssm:${region}:${owner}:parameter${path}`;
}

function ssmChecks(f: RequestFacts): AuthorizationCheck[] {
  const action = `ssm:${f.action}`;
  const names: string[] = [];
  // A parameter name cannot contain ':', so anything after one is a version or label selector.
  if (typeof f.json?.Name === 'string') names.push(f.json.Name.split(':')[0]!);
  if (Array.isArray(f.json?.Names)) for (const n of f.json.Names) if (typeof n === 'string') names.push(n);
  // Maintenance window calls that name a window are checked on its ARN, as AWS does.
  if (typeof f.json?.WindowId === 'string') {
    const arn = `arn:aws:ssm:${f.region.name}:${f.accountId}:maintenancewindow/${f.json.WindowId}`;
    return [{ action, resource: arn, context: {} }];
  }
  if (names.length === 0) return [{ action, resource: '*', context: {} }];
  return names.map((name) => ({
    action,
    resource: parameterArn(f.region.name, f.accountId, name),
    context: {},
  }));
}

function snsChecks(f: RequestFacts): AuthorizationCheck[] {
  const action = `sns:${f.action}`;
  const params = f.params!;
  const topic =
    params.get('TopicArn') ??
    params.get('TargetArn') ??
    (params.get('Name') ? `arn:aws:sns:${f.region.name}:${f.accountId}:${params.get('Name')}` : undefined);
  return [{ action, resource: topic ?? '*', context: {} }];
}

/**
 * CloudWatch (scope `monitoring`, IAM prefix `cloudwatch:`). Alarm writes are checked on the alarm's
 * ARN; PutMetricAlarm with Tags is also a cloudwatch:TagResource on it (AWS requires both to create
 * a tagged alarm). Describe* support no resource-level permissions.
 */
function cloudWatchChecks(f: RequestFacts): AuthorizationCheck[] {
  const action = `cloudwatch:${f.action}`;
  const arn = (name: string) => `arn:aws:cloudwatch:${f.region.name}:${f.accountId}:alarm:${name}`;
  const json = f.json ?? {};
  if (f.action === 'PutMetricAlarm' && typeof json.AlarmName === 'string') {
    const checks: AuthorizationCheck[] = [{ action, resource: arn(json.AlarmName), context: {} }];
    if (Array.isArray(json.Tags) && json.Tags.length > 0) {
      const keys = (json.Tags as JsonObject[]).map((t) => String(t.Key));
      checks.push({
        action: 'cloudwatch:TagResource',
        resource: arn(json.AlarmName),
        context: { 'aws:TagKeys': keys },
      });
    }
    return checks;
  }
  if (f.action === 'DeleteAlarms' && Array.isArray(json.AlarmNames)) {
    return (json.AlarmNames as unknown[]).map((n) => ({ action, resource: arn(String(n)), context: {} }));
  }
  if (typeof json.ResourceARN === 'string') return [{ action, resource: json.ResourceARN, context: {} }];
  return [{ action, resource: '*', context: {} }];
}

const BY_SERVICE: Record<string, (f: RequestFacts) => AuthorizationCheck[]> = {
  ec2: ec2Checks,
  autoscaling: autoScalingChecks,
  events: eventsChecks,
  ssm: ssmChecks,
  sns: snsChecks,
  monitoring: cloudWatchChecks,
  // The price list has no resources: AWS checks pricing:GetProducts on `*`.
  pricing: (f) => [{ action: `pricing:${f.action}`, resource: '*', context: {} }],
  // Recycle Bin: a call naming a rule is checked on the rule's ARN; ListRules and CreateRule on `*`.
  rbin: (f) => [
    {
      action: `rbin:${f.action}`,
      resource: f.ruleId ? `arn:aws:rbin:${f.region.name}:${f.accountId}:rule/${f.ruleId}` : '*',
      context: {},
    },
  ],
  rds: rdsChecks,
  // GetCallerIdentity needs no permission: AWS answers it for any valid credentials.
  sts: () => [],
};

/** The checks for one request; an unknown service gets one check on `*`. */
export function authorizationChecks(f: RequestFacts): AuthorizationCheck[] {
  const checks = BY_SERVICE[f.service];
  return checks ? checks(f) : [{ action: `${f.service}:${f.action}`, resource: '*', context: {} }];
}
