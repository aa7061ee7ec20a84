import type { UsageKind, UsageRef } from '../domain';

export const KIND_LABEL: Record<UsageKind, string> = {
  instance: 'instance',
  'launch-template': 'launch template',
  'launch-configuration': 'launch configuration',
  'auto-scaling-group': 'auto scaling group',
  fleet: 'EC2 fleet',
  'spot-fleet': 'Spot Fleet request',
  'spot-request': 'Spot instance request',
  'ssm-parameter': 'SSM parameter',
};

/** "instance i-0abc (stopped)", "launch template lt-0ab (web) $Default (version 3)". */
export function describeUsageRef(ref: UsageRef): string {
  return `${KIND_LABEL[ref.kind]} ${ref.resourceId} ${ref.detail}`.trim();
}

/** Up to `max` refs in words, then "and N more", for one-line reasons. */
export function describeUsageRefs(refs: readonly UsageRef[], max = 3): string {
  const shown = refs.slice(0, max).map(describeUsageRef).join(', ');
  return refs.length > max ? `${shown} and ${refs.length - max} more` : shown;
}
