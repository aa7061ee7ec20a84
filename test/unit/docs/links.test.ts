/**
 * README is the front door and docs/ the reference: a moved page or a renamed heading must not leave a
 * reader at a dead link, and README must stay short enough to read (the reference belongs in docs/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { ROOT, anchors, docPages, prose } from '../../helpers/markdown';

const README_MAX_LINES = 260;

const pages = docPages();

/** The repository's own top-level folders: a backticked word under one of them names a repo path. */
const REPO_ROOTS = [
  'shared',
  'test',
  'functions',
  'sandbox',
  'bench',
  'demo',
  'cli',
  'serverless',
  'docs',
  '.ci',
];

interface PathMention {
  page: string;
  path: string;
}

/**
 * The repo paths named in backticks in a page's prose (a span may wrap over lines, as in
 * `npx jest test/a test/b`). A word with a placeholder (`functions/<name>/`, `bench/results/*.json`)
 * is a pattern, not a path, and is left out.
 */
function pathMentions(page: string, text: string): PathMention[] {
  const out: PathMention[] = [];
  for (const span of prose(text)
    .join('\n')
    .matchAll(/`([^`]+)`/g)) {
    for (const word of span[1]!.split(/\s+/)) {
      const path = word.replace(/^[("']+|[)"',;:.]+$/g, '');
      if (!REPO_ROOTS.some((r) => path.startsWith(`${r}/`))) continue;
      if (/[<>*…{}$]/.test(path)) continue;
      out.push({ page, path });
    }
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

  it('every repo path named in backticks in README.md and docs/*.md exists', () => {
    const mentions = pages.flatMap((p) => pathMentions(relative(ROOT, p), readFileSync(p, 'utf8')));
    expect(mentions.length).toBeGreaterThan(40);
    const missing = mentions
      .filter((m) => !existsSync(join(ROOT, m.path)))
      .map((m) => `${m.page}: \`${m.path}\` does not exist`);
    expect(missing).toEqual([]);
  });

  it('tells a repo path from other backticked words', () => {
    const text = [
      'Moved: `shared/plan/cleanup.ts`, `npx jest test/e2e/cleanup',
      'test/unit/plan/cleanup.outage`, `functions/<name>/handler.ts`, `Europe/Berlin`, `@middy/core`.',
      '```',
      '`shared/in/a/fence.ts`',
      '```',
    ].join('\n');
    expect(pathMentions('x.md', text).map((m) => m.path)).toEqual([
      'shared/plan/cleanup.ts',
      'test/e2e/cleanup',
      'test/unit/plan/cleanup.outage',
    ]);
  });

  it("the anchor rule is GitHub's", () => {
    const file = join(ROOT, 'docs', 'iam.md');
    expect(anchors(file)).toContain('where-a-role-says-');
  });
});
