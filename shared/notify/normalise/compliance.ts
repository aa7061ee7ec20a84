/**
 * Systems Manager Configuration Compliance State Change for Patch Manager: a managed instance turning
 * NON_COMPLIANT (missing or failed patches). AWS's sample writes the status in lower case
 * (`non_compliant`) and the severity field as `serverity`; both spellings and cases are read.
 */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { consoleLink, detailOf, envelope, ignore, incidentKey, notify, str } from './common';

export function normalisePatchCompliance(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const status = str(d, 'compliance-status') ?? '';
  const type = str(d, 'compliance-type') ?? '';
  if (status.toUpperCase() !== 'NON_COMPLIANT') {
    return ignore(`compliance status ${status || '(none)'} is not NON_COMPLIANT`);
  }
  if (type !== 'Patch') return ignore(`compliance type ${type || '(none)'} is not Patch`);
  const env = envelope(event);
  const resource = str(d, 'resource-id') ?? 'unknown instance';
  const severity = (str(d, 'severity') ?? str(d, 'serverity') ?? '').toLowerCase();
  return notify({
    severity: severity === 'critical' ? 'critical' : 'warning',
    title: `${resource} is not patch compliant`,
    whatFailed: 'SSM Patch Manager compliance',
    ...env,
    resource,
    reason: `Patch Manager reports ${resource} NON_COMPLIANT with its patch baseline${severity ? ` (severity ${severity})` : ''}: patches are missing or failed to install.`,
    consoleUrl: consoleLink(env.region, `/systems-manager/compliance?region=${env.region}`),
    incidentKey: incidentKey(env.account, env.region, 'patch-compliance', resource),
    facts: [
      { name: 'Patch baseline', value: str(d, 'patch-baseline-id') ?? '' },
      { name: 'Resource type', value: str(d, 'resource-type') ?? '' },
    ],
  });
}
