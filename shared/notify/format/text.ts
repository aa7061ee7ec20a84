/** Text helpers every formatter needs: length limits with an ellipsis, and labels for severities. */
import type { Notification, Severity } from '../types';

export const ELLIPSIS = '…';

/**
 * At most `max` UTF-16 code units (what JavaScript's length counts, and never fewer than the characters a
 * service counts), ending in an ellipsis when anything was cut; never splits an emoji or other pair.
 */
export function truncate(text: string, max: number, ellipsis = ELLIPSIS): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length + ellipsis.length > max) break;
    out += ch;
  }
  return out.trimEnd() + ellipsis;
}

function isControl(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
}

/** Collapses line breaks, tabs and other control characters into single spaces. */
export function oneLine(text: string): string {
  return Array.from(text, (ch) => (isControl(ch) ? ' ' : ch))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'CRITICAL',
  warning: 'WARNING',
  info: 'INFO',
};

/** "seen 4 times since it was last sent", or nothing for a first occurrence. */
export function repeatNote(n: Notification): string | undefined {
  const count = n.occurrences ?? 1;
  return count > 1 ? `Seen ${count} times since the last message about this incident` : undefined;
}
