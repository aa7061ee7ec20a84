/** CodeDeploy deployments that ended in FAILURE (a deployment group's rollout to the fleet failed). */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { consoleLink, detailOf, envelope, ignore, incidentKey, notify, str } from './common';

const DEPLOYMENT_ID = /^d-[A-Z0-9]{6,12}$/;

export function normaliseCodeDeployDeployment(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const state = str(d, 'state') ?? '';
  if (state !== 'FAILURE') return ignore(`CodeDeploy deployment state ${state || '(none)'} is not FAILURE`);
  const env = envelope(event);
  const application = str(d, 'application') ?? 'unknown application';
  const group = str(d, 'deploymentGroup') ?? 'unknown deployment group';
  const deployment = str(d, 'deploymentId') ?? '';
  return notify({
    severity: 'critical',
    title: `CodeDeploy deployment to ${application}/${group} failed`,
    whatFailed: 'CodeDeploy deployment',
    ...env,
    resource: `${application}/${group}`,
    reason: `Deployment ${deployment || '(no id)'} ended in FAILURE; its lifecycle events per instance say which step failed.`,
    consoleUrl: DEPLOYMENT_ID.test(deployment)
      ? consoleLink(env.region, `/codesuite/codedeploy/deployments/${deployment}?region=${env.region}`)
      : undefined,
    // Failures of one group group together; each message names the deployment.
    incidentKey: incidentKey(env.account, env.region, 'codedeploy', application, group),
    facts: [
      { name: 'Deployment', value: deployment },
      { name: 'Instance group', value: str(d, 'instanceGroupId') ?? '' },
    ],
  });
}
