/**
 * The sandbox's IAM: each request is authorized against the calling function's role, as AWS
 * would, with @cloud-copilot/iam-simulate (a real policy engine: every condition operator,
 * wildcards, explicit deny). Access keys name the caller: `sandbox.credentials('cleanup')` signs as
 * the cleanup function's role; the admin key (seeding, test set-up) is allowed everything.
 *
 * Evaluating a policy costs about a millisecond, and the bench sends tens of thousands of
 * requests, so decisions are cached under a key that cannot change the outcome: the action, which
 * of the role's Resource patterns the ARN matches, and only the context keys its conditions read.
 */
import {
  allowedContextKeysForRequest,
  runUnsafeSimulation,
  type EvaluationResult,
} from '@cloud-copilot/iam-simulate';

import { list, statementsOf, type PolicyDocument } from './policy';
import type { AuthorizationCheck, ContextValue } from './requests';
import type { FunctionRole, StackRoles } from './stack';

export const ADMIN_ACCESS_KEY = 'SANDBOXADMIN';
const KEY_PREFIX = 'SANDBOX';

/** The access key that signs as a function's role, e.g. SANDBOXCLEANUP. */
export function accessKeyFor(functionName: string): string {
  return `${KEY_PREFIX}${functionName.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
}

export type Principal =
  | { kind: 'admin' }
  | { kind: 'role'; role: FunctionRole; sessionArn: string }
  | { kind: 'unknown'; accessKey: string };

export interface Denial {
  check: AuthorizationCheck;
  explicit: boolean;
  principalArn: string;
}

/** IAM wildcard match: `*` any run, `?` one character. */
function wildcard(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

class RoleEvaluator {
  private readonly patterns: RegExp[];
  /** Condition keys the role reads, lower case (IAM condition keys are case-insensitive). */
  private readonly conditionKeys: Set<string>;
  private readonly usesVariables: boolean;
  private readonly cache = new Map<string, EvaluationResult>();

  constructor(readonly role: FunctionRole) {
    const resources = new Set<string>();
    this.conditionKeys = new Set();
    let variables = false;
    for (const { document } of role.policies) {
      for (const statement of statementsOf(document)) {
        for (const r of [...list(statement.Resource), ...list(statement.NotResource)]) {
          resources.add(r);
          if (r.includes('${')) variables = true;
        }
        for (const byKey of Object.values(statement.Condition ?? {})) {
          for (const key of Object.keys(byKey)) this.conditionKeys.add(key.toLowerCase());
        }
      }
    }
    this.patterns = [...resources].map(wildcard);
    this.usesVariables = variables;
  }

  private cacheKey(check: AuthorizationCheck, context: Record<string, ContextValue>): string {
    const resourceKey = this.usesVariables
      ? check.resource
      : this.patterns.map((p) => (p.test(check.resource) ? '1' : '0')).join('');
    const read = Object.entries(context)
      .filter(([k]) => this.conditionKeys.has(k.toLowerCase()))
      .sort(([a], [b]) => a.localeCompare(b));
    return `${check.action}|${resourceKey}|${check.resource === '*' ? '*' : ''}|${JSON.stringify(read)}`;
  }

  decide(check: AuthorizationCheck, context: Record<string, ContextValue>, accountId: string) {
    const key = this.cacheKey(check, context);
    let result = this.cache.get(key);
    if (!result) {
      result = runUnsafeSimulation(
        {
          identityPolicies: this.role.policies.map((p) => ({ name: p.name, policy: p.document })),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          request: {
            action: check.action,
            principal: this.role.arn,
            resource: { resource: check.resource, accountId },
            contextVariables: { ...context, 'aws:PrincipalArn': this.role.arn },
          },
        },
        {},
      );
      this.cache.set(key, result);
    }
    return result;
  }
}

export class SandboxIam {
  private readonly evaluators = new Map<string, RoleEvaluator>();
  /** Context keys AWS supplies per action and resource type, lower case. */
  private readonly supportedKeys = new Map<string, Promise<string[]>>();

  constructor(readonly stack: StackRoles) {
    for (const role of stack.roles.values())
      this.evaluators.set(accessKeyFor(role.functionName), new RoleEvaluator(role));
  }

  principalFor(accessKey: string | undefined): Principal {
    if (accessKey === ADMIN_ACCESS_KEY) return { kind: 'admin' };
    const evaluator = accessKey ? this.evaluators.get(accessKey) : undefined;
    if (!evaluator) return { kind: 'unknown', accessKey: accessKey ?? '' };
    const { role } = evaluator;
    const roleName = role.arn.slice(role.arn.lastIndexOf('/') + 1);
    return {
      kind: 'role',
      role,
      sessionArn: `arn:aws:sts::${this.stack.accountId}:assumed-role/${roleName}/${this.stack.service}-${this.stack.stage}-${role.functionName}`,
    };
  }

  /** Drops context keys the action does not support for that resource: AWS never supplies them. */
  private async supported(check: AuthorizationCheck): Promise<(key: string) => boolean> {
    const [service, action] = check.action.split(':') as [string, string];
    const shape = check.resource === '*' ? '*' : check.resource.replace(/\/[^/]*$/, '/x');
    const cacheKey = `${check.action}|${shape}`;
    let keys = this.supportedKeys.get(cacheKey);
    if (!keys) {
      keys = allowedContextKeysForRequest(service, action, check.resource, false, undefined).catch(() => []);
      this.supportedKeys.set(cacheKey, keys);
    }
    const allowed = await keys;
    const exact = new Set(allowed.filter((k) => !k.includes('${')));
    const prefixes = allowed.filter((k) => k.includes('/${')).map((k) => k.slice(0, k.indexOf('${')));
    return (key) => {
      const lower = key.toLowerCase();
      return exact.has(lower) || prefixes.some((p) => lower.startsWith(p));
    };
  }

  /** The first check the role does not allow, or undefined when every check is allowed. */
  async firstDenial(
    principal: Principal & { kind: 'role' },
    checks: AuthorizationCheck[],
  ): Promise<Denial | undefined> {
    const evaluator = this.evaluators.get(accessKeyFor(principal.role.functionName))!;
    for (const check of checks) {
      const supported = await this.supported(check);
      const context = Object.fromEntries(Object.entries(check.context).filter(([k]) => supported(k)));
      const result = evaluator.decide(check, context, this.stack.accountId);
      if (result !== 'Allowed') {
        return { check, explicit: result === 'ExplicitlyDenied', principalArn: principal.sessionArn };
      }
    }
    return undefined;
  }
}

/** AWS's wording, e.g. "… is not authorized to perform: ec2:DeregisterImage on resource: arn:… because no identity-based policy allows the ec2:DeregisterImage action". */
export function denialMessage(d: Denial): string {
  const why = d.explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${d.check.action} action`;
  return `User: ${d.principalArn} is not authorized to perform: ${d.check.action} on resource: ${d.check.resource} ${why}`;
}

export type { PolicyDocument };
