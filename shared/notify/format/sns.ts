/**
 * SNS (email) message. AWS requires the Subject to be ASCII, without line breaks or control characters,
 * and less than 100 characters; the body is plain text for a person reading email, at most 256 KB.
 */
import type { Notification } from '../types';
import { SEVERITY_LABEL, oneLine, repeatNote, truncate } from './text';

export const SNS_LIMITS = { subject: 99, bodyBytes: 262_144 } as const;

/** Printable ASCII only: accents are dropped from letters, anything else becomes "?". */
export function asciiSafe(text: string): string {
  return oneLine(text)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

export function snsSubject(n: Notification): string {
  const subject = truncate(
    asciiSafe(`[${SEVERITY_LABEL[n.severity]}] ${n.title}`),
    SNS_LIMITS.subject,
    '...',
  );
  return subject.trim() || 'ec2-hygiene notification';
}

export function snsBody(n: Notification): string {
  const lines = [
    `${SEVERITY_LABEL[n.severity]}: ${oneLine(n.title)}`,
    '',
    n.reason || 'No reason given.',
    '',
    `What failed: ${n.whatFailed}`,
    `Resource:    ${n.resource}`,
    `Account:     ${n.account}`,
    `Region:      ${n.region}`,
    ...(n.occurredAt ? [`When:        ${n.occurredAt}`] : []),
    ...n.facts.map((f) => `${f.name}: ${f.value}`),
    ...(repeatNote(n) ? ['', `${repeatNote(n)}.`] : []),
    ...(n.consoleUrl ? ['', `Console: ${n.consoleUrl}`] : []),
    '',
    `Incident: ${n.incidentKey}`,
  ];
  const body = lines.join('\n');
  // Leave room for multi-byte characters: cut by characters until the UTF-8 size fits.
  let out = body;
  while (Buffer.byteLength(out, 'utf8') > SNS_LIMITS.bodyBytes) {
    out = truncate(out, Math.floor(Array.from(out).length * 0.9));
  }
  return out;
}

export function formatSns(n: Notification): { subject: string; message: string } {
  return { subject: snsSubject(n), message: snsBody(n) };
}
