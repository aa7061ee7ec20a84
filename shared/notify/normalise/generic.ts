/** Any event type the notifier has no normaliser for: still a readable message, never a crash. */
import type { EventBridgeEvent, NormaliseResult } from '../types';
import { detailOf, envelope, incidentKey, notify, resourcesOf } from './common';

const DETAIL_PREVIEW = 1500;

export function normaliseUnknown(event: EventBridgeEvent): NormaliseResult {
  const env = envelope(event);
  const source = typeof event.source === 'string' && event.source ? event.source : 'unknown source';
  const type =
    typeof event['detail-type'] === 'string' && event['detail-type'] ? event['detail-type'] : 'unknown event';
  const detail = detailOf(event);
  // Status-like fields are what a person looks for first in an event nobody wrote a normaliser for.
  const statusFields = ['status', 'state', 'StatusCode', 'eventTypeCode']
    .map((k) => [k, detail[k]] as const)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number');
  let preview = JSON.stringify(event.detail ?? {});
  if (preview.length > DETAIL_PREVIEW) preview = `${preview.slice(0, DETAIL_PREVIEW)}…`;
  const resource = resourcesOf(event)[0] ?? 'no resource named';
  return notify({
    severity: 'warning',
    title: `${type} (${source})`,
    whatFailed: `Event the notifier has no specific format for: ${source} · ${type}`,
    ...env,
    resource,
    reason: `The event's detail: ${preview}`,
    consoleUrl: undefined,
    incidentKey: incidentKey(env.account, env.region, 'event', source, type, resource),
    facts: [
      ...statusFields.map(([k, v]) => ({ name: k, value: String(v) })),
      { name: 'Event id', value: event.id ?? '' },
    ],
  });
}
