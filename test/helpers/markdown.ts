/** Reading README.md and docs/*.md the way GitHub renders them, for the tests that keep the docs true. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

/** README.md first, then every page in docs/. */
export function docPages(): string[] {
  return [
    join(ROOT, 'README.md'),
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(ROOT, 'docs', f)),
  ];
}

/** The lines outside fenced code blocks, where markdown is markdown and not code. */
export function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(readFileSync(file, 'utf8'))) {
    const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/**
 * The prose lines under the heading whose text is `title`, up to the next heading of the same or a
 * higher level. Throws when the page has no such heading, so a renamed section fails loudly.
 */
export function section(file: string, title: string): string[] {
  const lines = prose(readFileSync(file, 'utf8'));
  const start = lines.findIndex((l) => new RegExp(`^(#{1,6})\\s+${escape(title)}\\s*$`).test(l));
  if (start < 0) throw new Error(`${file} has no heading "${title}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => {
    const h = /^(#{1,6})\s/.exec(l);
    return h !== null && h[1]!.length <= level;
  });
  return end < 0 ? rest : rest.slice(0, end);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
