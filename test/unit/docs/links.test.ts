/**
 * README is the front door and docs/ the reference: a moved page or a renamed heading must not leave a
 * reader at a dead link, and README must stay short enough to read (the reference belongs in docs/).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';

const ROOT = resolve(__dirname, '..', '..', '..');
const README_MAX_LINES = 260;

const pages = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f)),
];

/** The text outside fenced code blocks, where a `](…)` is markdown and not code. */
function prose(text: string): string[] {
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
function anchors(file: string): Set<string> {
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

interface Link {
  page: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const links: Link[] = [];
  for (const line of prose(readFileSync(file, 'utf8'))) {
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links.push({ page: relative(ROOT, file), target });
    }
  }
  return links;
}

/** What is wrong with a link, or undefined when it leads somewhere. */
function brokenBecause(link: Link): string | undefined {
  const [path, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const file = path === '' ? join(ROOT, link.page) : resolve(dirname(join(ROOT, link.page)), path);
  if (!existsSync(file)) return `${relative(ROOT, file)} does not exist`;
  if (anchor !== undefined && file.endsWith('.md') && !anchors(file).has(anchor)) {
    return `${relative(ROOT, file)} has no heading with the anchor #${anchor}`;
  }
  return undefined;
}

describe('README and docs/', () => {
  it(`README.md is the front door: at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('README links to every page in docs/', () => {
    const linked = new Set(
      relativeLinks(join(ROOT, 'README.md')).map((l) => resolve(ROOT, l.target.split('#')[0]!)),
    );
    const orphans = pages.slice(1).filter((p) => !linked.has(p));
    expect(orphans.map((p) => relative(ROOT, p))).toEqual([]);
  });

  it('every relative link in README.md and docs/*.md points at an existing file and heading', () => {
    const links = pages.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(20);
    const broken = links.flatMap((l) => {
      const why = brokenBecause(l);
      return why ? [`${l.page}: ](${l.target}): ${why}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it("the anchor rule is GitHub's", () => {
    const file = join(ROOT, 'docs', 'iam.md');
    expect(anchors(file)).toContain('where-a-role-says-');
  });
});
