/** Pieces the Auto Scaling actions share: paging limits, AWS's not-found error, tag rendering. */
import { SandboxError } from '../../protocol/errors';
import { optionalInt, type FormParams } from '../../protocol/form';
import { checkRange } from '../../protocol/pagination';
import type { XmlObject } from '../../protocol/xml';
import type { AutoScalingGroupRecord } from '../../state/records';

export const AUTOSCALING_XMLNS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
const DEFAULT_MAX_RECORDS = 50;

export function maxRecords(params: FormParams): number {
  const value = optionalInt(params, 'MaxRecords');
  checkRange('MaxRecords', value, 1, 100);
  return value ?? DEFAULT_MAX_RECORDS;
}

export function groupNotFound(name: string): SandboxError {
  return new SandboxError('ValidationError', `AutoScalingGroup name not found - ${name}`);
}

export function groupTags(group: AutoScalingGroupRecord): XmlObject[] {
  return Object.entries(group.tags).map(([key, tag]) => ({
    ResourceId: group.name,
    ResourceType: 'auto-scaling-group',
    Key: key,
    Value: tag.value,
    PropagateAtLaunch: tag.propagateAtLaunch,
  }));
}
