/** AWS Health events for EC2: scheduled retirement, maintenance, auto-recovery results, issues. */
import type { EventBridgeEvent, NormaliseResult, Severity } from '../types';
import { arr, detailOf, envelope, ignore, incidentKey, notify, str, resourcesOf } from './common';

function severityOf(category: string, code: string): Severity {
  if (code.includes('AUTO_RECOVERY') && code.includes('SUCCESS')) return 'info';
  if (code.includes('FAIL') || category === 'issue') return 'critical';
  return 'warning';
}

function humanise(code: string): string {
  // AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED -> "persistent instance retirement scheduled"
  return code
    .replace(/^AWS_EC2_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}

export function normaliseHealth(event: EventBridgeEvent): NormaliseResult {
  const d = detailOf(event);
  const service = str(d, 'service') ?? '';
  if (service !== 'EC2') return ignore(`AWS Health event for service ${service || '(none)'}, not EC2`);
  const code = str(d, 'eventTypeCode') ?? 'UNKNOWN';
  const category = str(d, 'eventTypeCategory') ?? '';
  const statusCode = str(d, 'statusCode') ?? '';
  // A scheduled change that is closed has happened already; its "upcoming" event was the one to act on.
  if (category === 'scheduledChange' && statusCode === 'closed') {
    return ignore(`AWS Health scheduled change ${code} is closed`);
  }
  const env = envelope(event);
  const region = str(d, 'eventRegion') ?? env.region;
  const entities = arr(d, 'affectedEntities')
    .map((e) =>
      e !== null && typeof e === 'object' ? str(e as Record<string, unknown>, 'entityValue') : undefined,
    )
    .filter((e): e is string => e !== undefined && e !== '');
  const resource = entities.join(', ') || resourcesOf(event).join(', ') || 'no resource named';
  const description = arr(d, 'eventDescription')
    .map((e) =>
      e !== null && typeof e === 'object'
        ? str(e as Record<string, unknown>, 'latestDescription')
        : undefined,
    )
    .find((e) => e !== undefined);
  const eventArn = str(d, 'eventArn') ?? '';
  return notify({
    severity: severityOf(category, code),
    title: `AWS Health: ${humanise(code)} (${resource})`,
    whatFailed: 'AWS Health event for EC2',
    ...env,
    region,
    resource,
    reason: description ?? `AWS Health reported ${code}.`,
    consoleUrl: eventArn
      ? `https://health.aws.amazon.com/health/home#/account/event-log?eventID=${encodeURIComponent(eventArn)}&eventTab=details`
      : undefined,
    incidentKey: incidentKey(env.account, region, 'health', eventArn || code, resource),
    facts: [
      { name: 'Event type', value: code },
      { name: 'Status', value: statusCode },
      { name: 'Starts', value: str(d, 'startTime') ?? '' },
      { name: 'Ends', value: str(d, 'endTime') ?? '' },
    ],
  });
}
