/**
 * The docs list the rules one to one with the code: each numbered list in docs/safety.md and
 * docs/scale-to-zero.md names, in order, exactly the rules of its list in shared/plan/ (cleanup's, and
 * scale-to-zero's for groups, instances and databases), so a rule
 * added, removed, renamed or reordered in the code fails here until the docs say so too.
 */
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { CLEANUP_RULES, SNAPSHOT_RULES } from '../../../shared/plan/cleanup';
import { DATABASE_RULES, GROUP_RULES, INSTANCE_RULES } from '../../../shared/plan/scale';
import { ROOT, section } from '../../helpers/markdown';

const ITEM = /^(\d+)\.\s/;
const RULE_ITEM = /^(\d+)\. \*\*`([^`]+)`\*\*/;

/**
 * The rule names of a numbered list, in order. Every numbered item must open with its rule's name in
 * bold code and be numbered 1, 2, 3, …: an item that does not is reported, not skipped.
 */
function rulesIn(lines: readonly string[], where: string): string[] {
  const names: string[] = [];
  for (const line of lines) {
    if (!ITEM.test(line)) continue;
    const m = RULE_ITEM.exec(line);
    if (!m) throw new Error(`${where}: item without a **\`rule-name\`**: ${line}`);
    if (Number(m[1]) !== names.length + 1) {
      throw new Error(`${where}: item ${m[1]} (\`${m[2]}\`) should be numbered ${names.length + 1}`);
    }
    names.push(m[2]!);
  }
  return names;
}

function documentedRules(page: string, heading: string): string[] {
  return rulesIn(section(join(ROOT, page), heading), `${page} "${heading}"`);
}

const LISTS = [
  { page: 'docs/safety.md', heading: 'The AMI rules', code: 'CLEANUP_RULES', rules: CLEANUP_RULES },
  { page: 'docs/safety.md', heading: 'The snapshot rules', code: 'SNAPSHOT_RULES', rules: SNAPSHOT_RULES },
  { page: 'docs/scale-to-zero.md', heading: "A group's rules", code: 'GROUP_RULES', rules: GROUP_RULES },
  {
    page: 'docs/scale-to-zero.md',
    heading: "An instance's rules",
    code: 'INSTANCE_RULES',
    rules: INSTANCE_RULES,
  },
  {
    page: 'docs/scale-to-zero.md',
    heading: "A database's rules",
    code: 'DATABASE_RULES',
    rules: DATABASE_RULES,
  },
];

describe('the docs name the rules one to one, in order', () => {
  it.each(LISTS)('$page "$heading" lists $code', ({ page, heading, rules }) => {
    expect(documentedRules(page, heading)).toEqual(rules.map((r) => r.name));
  });

  it("README's safety list names only real cleanup rules, and every one of them", () => {
    const text = section(join(ROOT, 'README.md'), 'Safety rules').join('\n');
    const named = new Set([...text.matchAll(/`([a-z]+(?:-[a-z]+)*)`/g)].map((m) => m[1]!));
    const cleanup = CLEANUP_RULES.map((r) => r.name);
    const linked = [...text.matchAll(/\[([^\]]+)\]\(docs\/safety\.md#the-ami-rules\)/g)].flatMap((m) =>
      [...m[1]!.matchAll(/`([^`]+)`/g)].map((n) => n[1]!),
    );
    expect(linked.filter((n) => !cleanup.includes(n as never))).toEqual([]);
    expect(cleanup.filter((n) => !named.has(n))).toEqual([]);
  });

  it('reads a list as a reader would: a swapped pair, a missing name or a skipped number shows', () => {
    const lines = section(join(ROOT, 'docs', 'safety.md'), 'The AMI rules');
    const first = lines.findIndex((l) => l.startsWith('1. '));
    const second = lines.findIndex((l) => l.startsWith('2. '));
    const swapped = [...lines];
    swapped[first] = lines[second]!.replace(/^2\./, '1.');
    swapped[second] = lines[first]!.replace(/^1\./, '2.');
    expect(rulesIn(swapped, 'swapped').slice(0, 2)).toEqual(['held', 'duplicate']);
    expect(rulesIn(swapped, 'swapped')).not.toEqual(CLEANUP_RULES.map((r) => r.name));
    expect(() => rulesIn(['1. **`duplicate`** — x', '2. held — y'], 'unnamed')).toThrow(
      'unnamed: item without a **`rule-name`**: 2. held — y',
    );
    expect(() => rulesIn(['1. **`duplicate`** — x', '3. **`held`** — y'], 'gap')).toThrow(
      'gap: item 3 (`held`) should be numbered 2',
    );
  });
});
