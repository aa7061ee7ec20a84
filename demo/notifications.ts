/**
 * For the demo (`npm start`): the notifications a list of events produces, rendered as each destination
 * would receive them. Pure: no network, no de-duplication.
 */
import {
  formatSlack,
  formatSns,
  formatTeams,
  normaliseEvent,
  type EventBridgeEvent,
  type NormaliseOptions,
} from '../shared/notify';

export type DemoDestination = 'slack' | 'teams' | 'sns';

/** What PutEvents recorded (the sandbox's state.events): detailType instead of detail-type, no account. */
export interface PutEventRecord {
  id?: string;
  region?: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources?: string[];
  time?: string;
}

/** Accepts an EventBridge envelope as a rule delivers it, or a PutEvents record, and gives the envelope. */
export function asEventBridgeEvent(
  event: EventBridgeEvent | PutEventRecord,
  account?: string,
): EventBridgeEvent {
  if ('detail-type' in event) return event;
  const detail = event.detail as { accountId?: unknown } | undefined;
  return {
    version: '0',
    id: event.id,
    'detail-type': event.detailType,
    source: event.source,
    account: account ?? (typeof detail?.accountId === 'string' ? detail.accountId : undefined),
    time: event.time,
    region: event.region,
    resources: event.resources ?? [],
    detail: event.detail,
  };
}

export function renderForDemo(
  events: (EventBridgeEvent | PutEventRecord)[],
  options: { destinations?: DemoDestination[]; normalise?: NormaliseOptions; account?: string } = {},
): string {
  const destinations = options.destinations ?? ['sns', 'slack'];
  const out: string[] = [];
  for (const raw of events) {
    const event = asEventBridgeEvent(raw, options.account);
    const header = `── ${event.source} · ${event['detail-type']}`;
    const result = normaliseEvent(event, options.normalise);
    if (result.kind === 'ignore') {
      out.push(`${header}\n   (no notification: ${result.reason})`);
      continue;
    }
    const n = result.notification;
    const parts = [header];
    for (const d of destinations) {
      if (d === 'sns') {
        const m = formatSns(n);
        parts.push(`   [email via SNS] Subject: ${m.subject}\n${indent(m.message)}`);
      } else if (d === 'slack') {
        parts.push(`   [Slack] ${JSON.stringify(formatSlack(n))}`);
      } else {
        parts.push(`   [Teams] ${JSON.stringify(formatTeams(n))}`);
      }
    }
    out.push(parts.join('\n'));
  }
  return out.join('\n\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `     ${l}`)
    .join('\n');
}
