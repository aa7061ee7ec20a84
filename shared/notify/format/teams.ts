/**
 * Microsoft Teams "Workflows" webhook payload: a message with one Adaptive Card attachment. Adaptive
 * Card text is markdown, so every value from an event has markdown punctuation backslash-escaped; Teams
 * only mentions someone through an explicit msteams.entities list, which this card never has.
 */
import type { Notification, Severity } from '../types';
import { SEVERITY_LABEL, oneLine, repeatNote, truncate } from './text';

export const TEAMS_LIMITS = {
  /** Teams rejects webhook payloads over about 28 KB; the text limits below keep a card well under. */
  title: 200,
  reason: 3000,
  factValue: 500,
  facts: 12,
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

export function formatTeams(n: Notification): Record<string, unknown> {
  const facts = [
    { title: 'Resource', value: md(n.resource, TEAMS_LIMITS.factValue) },
    { title: 'What failed', value: md(n.whatFailed, TEAMS_LIMITS.factValue) },
    { title: 'Account', value: md(n.account, TEAMS_LIMITS.factValue) },
    { title: 'Region', value: md(n.region, TEAMS_LIMITS.factValue) },
    ...n.facts.map((f) => ({ title: md(f.name, 100), value: md(f.value, TEAMS_LIMITS.factValue) })),
    { title: 'Incident', value: md(n.incidentKey, TEAMS_LIMITS.factValue) },
  ].slice(0, TEAMS_LIMITS.facts);
  const repeat = repeatNote(n);
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: md(`${SEVERITY_LABEL[n.severity]}: ${oneLine(n.title)}`, TEAMS_LIMITS.title),
      weight: 'Bolder',
      size: 'Medium',
      color: COLOR[n.severity],
      wrap: true,
    },
    { type: 'TextBlock', text: md(n.reason || 'No reason given.', TEAMS_LIMITS.reason), wrap: true },
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
  if (n.consoleUrl !== undefined) {
    card.actions = [{ type: 'Action.OpenUrl', title: 'Open in the AWS console', url: n.consoleUrl }];
  }
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
