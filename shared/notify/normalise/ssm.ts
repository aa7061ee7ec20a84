/** SSM maintenance window executions and Run Command (e.g. AWS-RunPatchBaseline). */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { consoleLink, detailOf, envelope, ignore, incidentKey, notify, str, resourcesOf } from './common';

const WINDOW_FAILED: Record<string, string> = {
  FAILED: 'failed',
  TIMED_OUT: 'timed out',
  CANCELLED: 'was cancelled',
};

export function normaliseMaintenanceWindowExecution(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const status = str(d, 'status') ?? '';
  const verb = WINDOW_FAILED[status];
  if (verb === undefined)
    return ignore(`maintenance window execution status ${status || '(none)'} is not a failure`);
  const env = envelope(event);
  const windowId = str(d, 'window-id') ?? resourcesOf(event)[0] ?? 'unknown window';
  const executionId = str(d, 'window-execution-id') ?? '';
  return notify({
    severity: status === 'CANCELLED' ? 'warning' : 'critical',
    title: `Maintenance window ${windowId} ${verb}`,
    whatFailed: 'SSM maintenance window execution',
    ...env,
    resource: windowId,
    reason:
      str(d, 'status-details') ??
      `The execution ended with status ${status}; the task invocations in its history say which target failed.`,
    consoleUrl: consoleLink(
      env.region,
      `/systems-manager/maintenance-windows/${encodeURIComponent(windowId)}/history?region=${env.region}`,
    ),
    incidentKey: incidentKey(env.account, env.region, 'ssm-maintenance-window', windowId, status),
    facts: [
      { name: 'Execution', value: executionId },
      { name: 'Started', value: str(d, 'start-time') ?? '' },
      { name: 'Ended', value: str(d, 'end-time') ?? '' },
    ],
  });
}

const COMMAND_FAILED: Record<string, string> = {
  Failed: 'failed',
  TimedOut: 'timed out',
  Cancelled: 'was cancelled',
};

export function normaliseRunCommand(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const status = str(d, 'status') ?? '';
  const verb = COMMAND_FAILED[status];
  if (verb === undefined) return ignore(`Run Command status ${status || '(none)'} is not a failure`);
  const env = envelope(event);
  const commandId = str(d, 'command-id') ?? 'unknown command';
  const document = str(d, 'document-name') ?? 'unknown document';
  // The command event lists the targeted instances as ARNs in resources; show their ids.
  const instances = resourcesOf(event)
    .map((r) => r.split('/').pop() ?? r)
    .filter((r) => r !== '');
  return notify({
    severity: status === 'Cancelled' ? 'warning' : 'critical',
    title: `Run Command ${document} ${verb}`,
    whatFailed: 'SSM Run Command',
    ...env,
    resource: commandId,
    reason: `Command ${commandId} (${document}) ended with status ${status}; its per-instance output says why.`,
    consoleUrl: consoleLink(
      env.region,
      `/systems-manager/run-command/${encodeURIComponent(commandId)}?region=${env.region}`,
    ),
    incidentKey: incidentKey(env.account, env.region, 'ssm-run-command', document, commandId),
    facts: [
      { name: 'Document', value: document },
      { name: 'Instances', value: instances.join(', ') },
      { name: 'Requested', value: str(d, 'requested-date-time') ?? '' },
    ],
  });
}
