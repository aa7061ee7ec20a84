/** Auto Scaling "EC2 Instance Launch Unsuccessful" / "EC2 Instance Terminate Unsuccessful". */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { consoleLink, detailOf, envelope, ignore, incidentKey, notify, obj, str } from './common';

export function normaliseAutoScalingUnsuccessful(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const launch = event['detail-type'].includes('Launch');
  const statusCode = str(d, 'StatusCode') ?? '';
  // These detail types are only sent for unsuccessful activities; a "Successful" code would be a mistake
  // in the rule or a replayed event, not a failure.
  if (statusCode === 'Successful') return ignore('Auto Scaling activity status Successful is not a failure');
  const env = envelope(event);
  const group = str(d, 'AutoScalingGroupName') ?? 'unknown group';
  const details = obj(d, 'Details');
  const instanceId = str(d, 'EC2InstanceId') ?? '';
  const action = launch ? 'launch' : 'terminate';
  return notify({
    severity: launch ? 'critical' : 'warning',
    title: `Auto Scaling group ${group} could not ${action} an instance`,
    whatFailed: `Auto Scaling instance ${action}`,
    ...env,
    resource: group,
    reason:
      str(d, 'StatusMessage') ||
      str(d, 'Cause') ||
      `The activity ended with status ${statusCode || 'unknown'}.`,
    consoleUrl: consoleLink(
      env.region,
      `/ec2/home?region=${env.region}#AutoScalingGroupDetails:id=${encodeURIComponent(group)};view=activity`,
    ),
    incidentKey: incidentKey(env.account, env.region, `autoscaling-${action}`, group),
    facts: [
      { name: 'Status', value: statusCode },
      { name: 'Instance', value: instanceId },
      { name: 'Availability Zone', value: str(details, 'Availability Zone') ?? '' },
      { name: 'Subnet', value: str(details, 'Subnet ID') ?? '' },
      { name: 'Cause', value: str(d, 'Cause') ?? '' },
    ],
  });
}
