/**
 * Slack incoming-webhook payload: Block Kit plus a plain-text fallback, within Slack's limits (50 blocks,
 * 3000 characters per section text, 2000 per field, 10 fields, 150 per header). Every value that came
 * from an event is untrusted: it goes in plain_text objects (no mrkdwn, no mention parsing) and has
 * &, < and > escaped, so a resource named "<!channel>" or "<@U123>" is shown, never pings anyone.
 */
import type { Notification, Severity } from '../types';
import { SEVERITY_LABEL, oneLine, repeatNote, truncate } from './text';

export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  header: 150,
  buttonText: 75,
  url: 3000,
  fallbackText: 3000,
} as const;

const ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

/** Slack's three control characters as entities (https://api.slack.com/reference/surfaces/formatting). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped and cut to `max` characters without leaving half an entity at the end. */
export function slackText(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  return truncate(escaped, max).replace(/&[a-z]{0,3}…$/, '…');
}

interface PlainText {
  type: 'plain_text';
  text: string;
  emoji: false;
}

function plain(text: string, max: number): PlainText {
  return { type: 'plain_text', text: slackText(text, max), emoji: false };
}

export interface SlackPayload {
  /** The notification fallback (and what clients without blocks show): plain text, see mrkdwn. */
  text: string;
  /** false: the fallback text is shown as written, so *x*, _x_ or ~x~ from an event format nothing. */
  mrkdwn: false;
  blocks: Record<string, unknown>[];
}

export function slackFallbackText(n: Notification): string {
  const repeat = repeatNote(n);
  const text = `[${SEVERITY_LABEL[n.severity]}] ${oneLine(n.title)}: ${n.reason} (${n.resource}, account ${n.account}, ${n.region})${repeat ? `. ${repeat}.` : ''}`;
  return slackText(text, SLACK_LIMITS.fallbackText);
}

export function formatSlack(n: Notification): SlackPayload {
  const fields: PlainText[] = [
    plain(`Resource: ${n.resource}`, SLACK_LIMITS.fieldText),
    plain(`What failed: ${n.whatFailed}`, SLACK_LIMITS.fieldText),
    plain(`Account: ${n.account}`, SLACK_LIMITS.fieldText),
    plain(`Region: ${n.region}`, SLACK_LIMITS.fieldText),
    ...n.facts.map((f) => plain(`${f.name}: ${f.value}`, SLACK_LIMITS.fieldText)),
  ].slice(0, SLACK_LIMITS.fields);
  const context = [n.occurredAt ? `At ${n.occurredAt}` : '', `Incident ${n.incidentKey}`, repeatNote(n) ?? '']
    .filter((s) => s !== '')
    .join(' · ');
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: plain(`${ICON[n.severity]} ${oneLine(n.title)}`, SLACK_LIMITS.header),
    },
    { type: 'section', text: plain(n.reason || 'No reason given.', SLACK_LIMITS.sectionText) },
    { type: 'section', fields },
    { type: 'context', elements: [plain(context, SLACK_LIMITS.fieldText)] },
  ];
  if (n.consoleUrl !== undefined && n.consoleUrl.length <= SLACK_LIMITS.url) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in the AWS console', emoji: false },
          url: n.consoleUrl,
        },
      ],
    });
  }
  return { text: slackFallbackText(n), mrkdwn: false, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
