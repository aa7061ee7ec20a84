/**
 * A webhook URL is a secret, and a chat service's error body or a fetch error can quote it in any form:
 * the whole URL, without its scheme, only its path, its secret token alone, percent-encoded (either hex
 * case), percent-decoded, or JSON-escaped ("https:\/\/..."). Every such form is replaced before text
 * reaches a log line or the fallback email.
 */

/** Parts of a URL that are secret on their own: long path segments and query values (tokens, sig=). */
function secretParts(url: string): string[] {
  const parts = [url];
  try {
    const u = new URL(url);
    parts.push(`${u.host}${u.pathname}${u.search}`, `${u.pathname}${u.search}`);
    if (u.pathname.length > 1) parts.push(u.pathname);
    for (const segment of u.pathname.split('/')) if (segment.length >= 8) parts.push(segment);
    for (const value of u.searchParams.values()) if (value.length >= 8) parts.push(value);
    if (u.search.length > 1) parts.push(u.search.slice(1));
  } catch {
    // not a URL: only the exact text is known
  }
  return parts;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function forms(part: string): string[] {
  const encoded = encodeURIComponent(part);
  return [
    part,
    encoded,
    encodeURI(part),
    encodeURIComponent(encoded),
    decodeSafely(part),
    part.replace(/\//g, '\\/'),
  ];
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** `text` with every form of the secret URL replaced by "<webhook URL>". */
export function redactWebhookUrl(text: string, url: string): string {
  const candidates = [...new Set(secretParts(url).flatMap(forms))]
    .filter((c) => c.length >= 8)
    // Longest first, so the whole URL is replaced before a part of it leaves the rest behind.
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const c of candidates) {
    // Case-insensitive: percent-encoding may use %2f or %2F; replacing too much is harmless here.
    out = out.replace(new RegExp(c.replace(REGEX_SPECIAL, '\\$&'), 'gi'), '<webhook URL>');
  }
  return out;
}
