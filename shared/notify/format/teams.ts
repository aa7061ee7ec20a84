/**
 * Microsoft Teams "Workflows" webhook payload: a message with one Adaptive Card attachment. Adaptive
 * Card text is markdown, so every value from an event has markdown punctuation backslash-escaped; Teams
 * only mentions someone through an explicit msteams.entities list, which this card never has.
 */
import type { Notification, Severity } from '../types';
import { SEVERITY_LABEL, oneLine, repeatNote, truncate } from './text';

export const TEAMS_LIMITS = {
  title: 200,
  reason: 3000,
  factValue: 500,
  facts: 12,
  /** A console link longer than this is left out (a spoofed event can make one of any length). */
  url: 2000,
  /**
   * Teams rejects webhook payloads over about 28 KB. Escaping can quadruple text on the wire (a `\`
   * becomes `\\` in markdown, then `\\\\` in JSON) and UTF-8 can take 4 bytes a character, so the
   * text limits alone cannot promise that: the serialised card is measured and shrunk to this.
   */
  cardBytes: 20_000,
} as const;

const COLOR: Record<Severity, string> = { critical: 'Attention', warning: 'Warning', info: 'Accent' };

/**
 * Backslash-escapes the markdown that can change how event text renders (emphasis, code, links, headings,
 * quotes, list markers at a line start), so a value cannot add links or formatting. Other punctuation is
 * left alone so ids like i-0abc stay readable.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]~<>#|]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+])(?=\s)/gm, '$1\\$2')
    .replace(/^(\s*\d+)\.(?=\s)/gm, '$1\\.');
}

function md(text: string, max: number): string {
  // Cut first, then escape, so the limit is on what a person reads and no escape is split in half.
  return escapeMarkdown(truncate(text, max));
}

/** The card within TEAMS_LIMITS.cardBytes: text limits are halved until the serialised card fits. */
export function formatTeams(n: Notification): Record<string, unknown> {
  let scale = 1;
  for (;;) {
    const payload = buildCard(n, scale);
    if (Buffer.byteLength(JSON.stringify(payload), 'utf8') <= TEAMS_LIMITS.cardBytes || scale < 0.01) {
      return payload;
    }
    scale /= 2;
  }
}

function buildCard(n: Notification, scale: number): Record<string, unknown> {
  const cap = (max: number) => Math.max(20, Math.floor(max * scale));
  const factValue = cap(TEAMS_LIMITS.factValue);
  const facts = [
    { title: 'Resource', value: md(n.resource, factValue) },
    { title: 'What failed', value: md(n.whatFailed, factValue) },
    { title: 'Account', value: md(n.account, factValue) },
    { title: 'Region', value: md(n.region, factValue) },
    ...n.facts.map((f) => ({ title: md(f.name, cap(100)), value: md(f.value, factValue) })),
    { title: 'Incident', value: md(n.incidentKey, factValue) },
  ].slice(0, TEAMS_LIMITS.facts);
  const repeat = repeatNote(n);
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: md(`${SEVERITY_LABEL[n.severity]}: ${oneLine(n.title)}`, cap(TEAMS_LIMITS.title)),
      weight: 'Bolder',
      size: 'Medium',
      color: COLOR[n.severity],
      wrap: true,
    },
    { type: 'TextBlock', text: md(n.reason || 'No reason given.', cap(TEAMS_LIMITS.reason)), wrap: true },
    { type: 'FactSet', facts },
  ];
  if (repeat) body.push({ type: 'TextBlock', text: md(repeat, 200), isSubtle: true, wrap: true });
  if (n.occurredAt) body.push({ type: 'TextBlock', text: md(`At ${n.occurredAt}`, 100), isSubtle: true });
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
  };
  if (n.consoleUrl !== undefined && n.consoleUrl.length <= TEAMS_LIMITS.url) {
    card.actions = [{ type: 'Action.OpenUrl', title: 'Open in the AWS console', url: n.consoleUrl }];
  }
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
