/**
 * Picks the normaliser for an event by source and detail-type. Status fields differ by service
 * (upper case, mixed case, `state` vs `status`); each normaliser knows its own.
 */
import { DETAIL_TYPE, EVENT_SOURCE } from '../../events';
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { normaliseAutoScalingUnsuccessful } from './autoscaling';
import { normaliseBackupJob, normaliseCopyJob, normaliseRestoreJob } from './backup';
import { normaliseAlarm } from './cloudwatch';
import { normaliseCodeDeployDeployment } from './codedeploy';
import { normalisePatchCompliance } from './compliance';
import {
  normaliseEbsMultiVolumeSnapshots,
  normaliseEbsSnapshot,
  normaliseRebalanceRecommendation,
  normaliseSpotInterruption,
} from './ec2';
import { normaliseCleanupRefused, normaliseRunSummary } from './fleet';
import { normaliseDeletionNotice } from './notice';
import { normaliseUnknown } from './generic';
import { normaliseHealth } from './health';
import { normaliseImageBuilder } from './imagebuilder';
import { normaliseLambdaFailure } from './lambda';
import { DEFAULT_NORMALISE_OPTIONS, type NormaliseOptions } from './options';
import { normaliseMaintenanceWindowExecution, normaliseRunCommand } from './ssm';
import { normaliseUnreadable, unreadableField, type StatusField } from './unreadable';

export type { NormaliseOptions } from './options';

type Normaliser = (event: EventBridgeEvent, options: NormaliseOptions) => NormaliseResult;

const field = (path: string[], expected: string): StatusField => ({ path, expected });
const SSM_WINDOW = [field(['status'], 'a status such as SUCCESS, FAILED, TIMED_OUT or CANCELLED')];
const SSM_COMMAND = [field(['status'], 'a status such as Success, Failed, TimedOut or Cancelled')];
const BACKUP_STATE = [field(['state'], 'a state such as COMPLETED, FAILED, ABORTED or EXPIRED')];
const RESTORE_STATUS = [field(['status'], 'a status such as COMPLETED, FAILED or ABORTED')];
const ASG = [field(['AutoScalingGroupName'], 'the Auto Scaling group name')];
const ALARM = [field(['state', 'value'], 'ALARM, OK or INSUFFICIENT_DATA')];
const HEALTH = [
  field(['service'], 'the AWS service, e.g. EC2'),
  field(['eventTypeCode'], 'an event type code, e.g. AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED'),
];
const IMAGE = [field(['state', 'status'], 'a status such as AVAILABLE or FAILED')];
const LAMBDA = [field(['requestContext', 'functionArn'], 'the failed function ARN')];
const SPOT = [
  field(['instance-id'], 'the instance id'),
  field(['instance-action'], 'terminate, stop or hibernate'),
];
const REBALANCE = [field(['instance-id'], 'the instance id')];
const EBS_RESULT = [field(['result'], 'succeeded or failed')];
const CODEDEPLOY = [field(['state'], 'a state such as START, SUCCESS or FAILURE')];
const COMPLIANCE = [field(['compliance-status'], 'compliant or non_compliant')];
const FLEET = [field(['function'], 'the ec2-hygiene function name')];
const FLEET_REFUSED = [field(['reason'], "cleanup's reason for refusing")];
const FLEET_NOTICE = [field(['region'], 'the region of the AMIs listed')];

/**
 * Every event type with its own normaliser, as [source, detail-type, normaliser, the fields it decides
 * on]. The template's rules match these. An event whose fields cannot be read gets an "unreadable"
 * message instead of the normaliser's answer.
 */
export const SUPPORTED_EVENTS: readonly (readonly [string, string, Normaliser, readonly StatusField[]])[] = [
  [
    'aws.ssm',
    'Maintenance Window Execution State-change Notification',
    normaliseMaintenanceWindowExecution,
    SSM_WINDOW,
  ],
  ['aws.ssm', 'EC2 Command Status-change Notification', normaliseRunCommand, SSM_COMMAND],
  ['aws.backup', 'Backup Job State Change', normaliseBackupJob, BACKUP_STATE],
  ['aws.backup', 'Copy Job State Change', normaliseCopyJob, BACKUP_STATE],
  ['aws.backup', 'Restore Job State Change', normaliseRestoreJob, RESTORE_STATUS],
  ['aws.autoscaling', 'EC2 Instance Launch Unsuccessful', normaliseAutoScalingUnsuccessful, ASG],
  ['aws.autoscaling', 'EC2 Instance Terminate Unsuccessful', normaliseAutoScalingUnsuccessful, ASG],
  ['aws.cloudwatch', 'CloudWatch Alarm State Change', normaliseAlarm, ALARM],
  ['aws.health', 'AWS Health Event', normaliseHealth, HEALTH],
  ['aws.imagebuilder', 'EC2 Image Builder Image State Change', normaliseImageBuilder, IMAGE],
  ['aws.ec2', 'EC2 Spot Instance Interruption Warning', normaliseSpotInterruption, SPOT],
  ['aws.ec2', 'EC2 Instance Rebalance Recommendation', normaliseRebalanceRecommendation, REBALANCE],
  ['aws.ec2', 'EBS Snapshot Notification', normaliseEbsSnapshot, EBS_RESULT],
  ['aws.ec2', 'EBS Multi-Volume Snapshots Completion Status', normaliseEbsMultiVolumeSnapshots, EBS_RESULT],
  [
    'aws.codedeploy',
    'CodeDeploy Deployment State-change Notification',
    normaliseCodeDeployDeployment,
    CODEDEPLOY,
  ],
  ['aws.ssm', 'Configuration Compliance State Change', normalisePatchCompliance, COMPLIANCE],
  // Lambda's own documentation has used both sources for destination records.
  ['lambda', 'Lambda Function Invocation Result - Failure', normaliseLambdaFailure, LAMBDA],
  ['aws.lambda', 'Lambda Function Invocation Result - Failure', normaliseLambdaFailure, LAMBDA],
  [EVENT_SOURCE, DETAIL_TYPE.runSummary, normaliseRunSummary, FLEET],
  [EVENT_SOURCE, DETAIL_TYPE.cleanupRefused, normaliseCleanupRefused, FLEET_REFUSED],
  [EVENT_SOURCE, DETAIL_TYPE.deletionNotice, normaliseDeletionNotice, FLEET_NOTICE],
];

const BY_TYPE = new Map(
  SUPPORTED_EVENTS.map(([source, type, fn, fields]) => [`${source}\u0000${type}`, { fn, fields }]),
);

export function normaliseEvent(
  event: EventBridgeEvent,
  options: NormaliseOptions = DEFAULT_NORMALISE_OPTIONS,
): NormaliseResult {
  const known = BY_TYPE.get(`${event.source}\u0000${event['detail-type']}`);
  if (known === undefined) return normaliseUnknown(event);
  const problem = unreadableField(event, known.fields);
  return problem === undefined ? known.fn(event, options) : normaliseUnreadable(event, problem);
}
