/**
 * docs/iam.md's table of roles names, for every function, exactly the actions its role lists in
 * functions/<name>/resources.yml: an action added to (or dropped from) a role fails here until the
 * table says so too, and every function with a role has its row.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { ROOT, section } from '../../helpers/markdown';

// js-yaml comes with serverless (which reads these files the same way); v3 API, no types shipped.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as {
  Type: new (tag: string, options: { kind: string; construct: (data: unknown) => unknown }) => unknown;
  Schema: { create(types: unknown[]): unknown };
  safeLoad(text: string, options: { schema: unknown }): unknown;
};

interface Statement {
  Effect?: string;
  Action?: string | string[];
}
interface RoleResource {
  Type?: string;
  Properties?: { Policies?: { PolicyDocument?: { Statement?: Statement[] } }[] };
}

/** The CloudFormation short forms the roles use, kept as opaque values (only actions matter here). */
const SCHEMA = yaml.Schema.create(
  ['!Sub', '!Ref', '!GetAtt', '!Equals', '!Not', '!If', '!Join', '!Select', '!Split'].flatMap((tag) =>
    ['scalar', 'sequence', 'mapping'].map(
      (kind) => new yaml.Type(tag, { kind, construct: (d) => ({ [tag]: d }) }),
    ),
  ),
);

interface Actions {
  allowed: string[];
  denied: string[];
}

/** The actions the function's role policies allow, and those they deny, sorted (not the trust policy's). */
function roleActions(fn: string): Actions {
  const text = readFileSync(join(ROOT, 'functions', fn, 'resources.yml'), 'utf8');
  const doc = yaml.safeLoad(text, { schema: SCHEMA }) as { Resources?: Record<string, RoleResource> };
  const allowed = new Set<string>();
  const denied = new Set<string>();
  for (const resource of Object.values(doc.Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    for (const policy of resource.Properties?.Policies ?? []) {
      for (const s of policy.PolicyDocument?.Statement ?? []) {
        for (const a of [s.Action ?? []].flat()) (s.Effect === 'Deny' ? denied : allowed).add(a);
      }
    }
  }
  return { allowed: [...allowed].sort(), denied: [...denied].sort() };
}

const ACTION = /`([a-z0-9-]+:[A-Za-z0-9*]+)`/g;
const named = (text: string) => [...text.matchAll(ACTION)].map((m) => m[1]!);

const functionsWithRoles = readdirSync(join(ROOT, 'functions')).filter((f) =>
  existsSync(join(ROOT, 'functions', f, 'resources.yml')),
);

/** docs/iam.md's table: role -> its `actions` column (allowed, then `denied:` and the denied ones). */
function documentedActions(): Map<string, Actions> {
  const rows = new Map<string, Actions>();
  const page = section(join(ROOT, 'docs', 'iam.md'), 'IAM');
  // The first table of the page, up to its first line that is not a row.
  const from = page.findIndex((l) => l.startsWith('|'));
  const to = page.findIndex((l, i) => i > from && !l.startsWith('|'));
  const lines = page.slice(from, to < 0 ? undefined : to);
  const header = (lines[0] ?? '').split('|').map((c) => c.trim());
  const column = header.indexOf('actions');
  if (column < 0) throw new Error(`docs/iam.md: the roles table has no "actions" column: ${lines[0]}`);
  for (const line of lines.slice(2)) {
    const cells = line.split('|').map((c) => c.trim());
    const role = cells[1] ?? '';
    if (!functionsWithRoles.includes(role)) continue;
    const [allowed = '', denied = ''] = (cells[column] ?? '').split('denied:');
    rows.set(role, { allowed: named(allowed), denied: named(denied) });
  }
  return rows;
}

describe("docs/iam.md names every role's actions, exactly", () => {
  it('has a row for every function with a role', () => {
    expect([...documentedActions().keys()].sort()).toEqual([...functionsWithRoles].sort());
  });

  it.each(functionsWithRoles)(
    "%s: the row lists its role's actions (functions/<name>/resources.yml)",
    (fn) => {
      const documented = documentedActions().get(fn) ?? { allowed: [], denied: [] };
      // Each once and sorted, so a missing one is easy to place.
      for (const list of [documented.allowed, documented.denied]) {
        expect(list).toEqual([...new Set(list)].sort());
      }
      expect(documented).toEqual(roleActions(fn));
    },
  );
});
