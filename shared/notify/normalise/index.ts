/**
 * Picks the normaliser for an event by source and detail-type. Status fields differ by service
 * (upper case, mixed case, `state` vs `status`); each normaliser knows its own.
 */
import { DETAIL_TYPE, EVENT_SOURCE } from '../../events';
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { normaliseAutoScalingUnsuccessful } from './autoscaling';
import { normaliseBackupJob, normaliseCopyJob, normaliseRestoreJob } from './backup';
import { normaliseAlarm } from './cloudwatch';
import { normaliseCleanupRefused, normaliseRunSummary } from './fleet';
import { normaliseUnknown } from './generic';
import { normaliseHealth } from './health';
import { normaliseImageBuilder } from './imagebuilder';
import { normaliseLambdaFailure } from './lambda';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options';
import { normaliseMaintenanceWindowExecution, normaliseRunCommand } from './ssm';

export type { NormaliseOptions } from './options';

type Normaliser = (event: EventBridgeEvent, options: NormaliseOptions) => NormaliseResult;

/** Every event type with its own normaliser, as [source, detail-type]. The template's rules match these. */
export const SUPPORTED_EVENTS: readonly (readonly [string, string, Normaliser])[] = [
  ['aws.ssm', 'Maintenance Window Execution State-change Notification', normaliseMaintenanceWindowExecution],
  ['aws.ssm', 'EC2 Command Status-change Notification', normaliseRunCommand],
  ['aws.backup', 'Backup Job State Change', normaliseBackupJob],
  ['aws.backup', 'Copy Job State Change', normaliseCopyJob],
  ['aws.backup', 'Restore Job State Change', normaliseRestoreJob],
  ['aws.autoscaling', 'EC2 Instance Launch Unsuccessful', normaliseAutoScalingUnsuccessful],
  ['aws.autoscaling', 'EC2 Instance Terminate Unsuccessful', normaliseAutoScalingUnsuccessful],
  ['aws.cloudwatch', 'CloudWatch Alarm State Change', normaliseAlarm],
  ['aws.health', 'AWS Health Event', normaliseHealth],
  ['aws.imagebuilder', 'EC2 Image Builder Image State Change', normaliseImageBuilder],
  // Lambda's own documentation has used both sources for destination records.
  ['lambda', 'Lambda Function Invocation Result - Failure', normaliseLambdaFailure],
  ['aws.lambda', 'Lambda Function Invocation Result - Failure', normaliseLambdaFailure],
  [EVENT_SOURCE, DETAIL_TYPE.runSummary, normaliseRunSummary],
  [EVENT_SOURCE, DETAIL_TYPE.cleanupRefused, normaliseCleanupRefused],
];

const BY_TYPE = new Map(SUPPORTED_EVENTS.map(([source, type, fn]) => [`${source}\u0000${type}`, fn]));

export function normaliseEvent(
  event: EventBridgeEvent,
  options: NormaliseOptions = DEFAULT_NORMALISE_OPTIONS,
): NormaliseResult {
  const fn = BY_TYPE.get(`${event.source}\u0000${event['detail-type']}`);
  return fn === undefined ? normaliseUnknown(event) : fn(event, options);
}
