/**
 * Lambda asynchronous-invocation failures sent to EventBridge by an on-failure destination
 * ("Lambda Function Invocation Result - Failure"): how the fleet's functions can report a run that
 * crashed or ran out of retries, beside their error alarms.
 */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import type { NormaliseOptions } from './options';
import {
  consoleLink,
  detailOf,
  envelope,
  ignore,
  incidentKey,
  notify,
  obj,
  resourcesOf,
  str,
} from './common';

export function normaliseLambdaFailure(event: EventBridgeEvent, options: NormaliseOptions): NormaliseResult {
  const d = detailOf(event);
  const request = obj(d, 'requestContext');
  const response = obj(d, 'responsePayload');
  const functionArn =
    str(request, 'functionArn') ?? resourcesOf(event).find((r) => r.includes(':function:')) ?? '';
  // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
  const functionName = functionArn.split(':')[6] || 'unknown function';
  if (options.selfFunctionName !== undefined && functionName === options.selfFunctionName) {
    return ignore('a failure of the notifier itself goes to the fallback topic, not through the notifier');
  }
  const env = envelope(event);
  const condition = str(request, 'condition') ?? 'failed';
  const errorType = str(response, 'errorType') ?? str(obj(d, 'responseContext'), 'functionError') ?? '';
  const errorMessage = str(response, 'errorMessage');
  const reason = errorMessage
    ? `${errorType ? `${errorType}: ` : ''}${errorMessage}`
    : condition === 'EventAgeExceeded'
      ? 'The event waited longer than the maximum event age and was never processed (throttled or queued too long).'
      : `The invocation ended with ${condition}${errorType ? ` (${errorType})` : ''}; the function's log says why.`;
  return notify({
    severity: 'critical',
    title: `Lambda ${functionName} failed (${condition})`,
    whatFailed: 'Lambda function (asynchronous invocation)',
    ...env,
    resource: functionName,
    reason,
    consoleUrl: consoleLink(
      env.region,
      `/lambda/home?region=${env.region}#/functions/${encodeURIComponent(functionName)}?tab=monitoring`,
    ),
    incidentKey: incidentKey(env.account, env.region, 'lambda', functionName, errorType || condition),
    facts: [
      { name: 'Condition', value: condition },
      { name: 'Attempts', value: str(request, 'approximateInvokeCount') ?? '' },
      { name: 'Function ARN', value: functionArn },
    ],
  });
}
