/**
 * Recycle Bin (REST-JSON, scope `rbin`): retention rules per region, with AWS's shapes and errors.
 * ListRules (`POST /list-rules`, paginated, one resource type a call), GetRule (`GET
 * /rules/{identifier}`), CreateRule (`POST /rules`: seeding with the admin credentials) and DeleteRule.
 * Rules are `available` at once unless seeded `pending` (seedRecycleBinRule): AWS takes a moment.
 */
import type { JsonObject } from '../protocol/json';
import { SandboxError } from '../protocol/errors';
import { checkRange, pageOfArray } from '../protocol/pagination';
import type { RegionState } from '../state/region';
import type { RestJsonServiceHandler } from './types';

export interface SandboxRuleTag {
  ResourceTagKey: string;
  ResourceTagValue?: string;
}

export interface SandboxRecycleBinRule {
  Identifier: string;
  Description?: string;
  ResourceType: 'EC2_IMAGE' | 'EBS_SNAPSHOT';
  RetentionPeriod: { RetentionPeriodValue: number; RetentionPeriodUnit: 'DAYS' };
  ResourceTags: SandboxRuleTag[];
  ExcludeResourceTags: SandboxRuleTag[];
  Status: 'pending' | 'available';
  LockState?: 'locked' | 'pending_unlock' | 'unlocked';
  LockConfiguration?: { UnlockDelay: { UnlockDelayValue: number; UnlockDelayUnit: 'DAYS' } };
  /** Epoch seconds, as the wire carries it. */
  LockEndTime?: number;
  RuleArn: string;
}

/** What a seed or CreateRule gives; the rest is filled in. */
export interface RuleSeed {
  resourceType: 'EC2_IMAGE' | 'EBS_SNAPSHOT';
  retentionDays: number;
  resourceTags?: { key: string; value?: string }[];
  excludeTags?: { key: string; value?: string }[];
  status?: 'pending' | 'available';
  lockState?: 'locked' | 'pending_unlock' | 'unlocked';
  lockEndTime?: Date;
  description?: string;
}

const ID_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function rulesOf(region: RegionState): Map<string, SandboxRecycleBinRule> {
  return region.store('rbin.rules', () => new Map<string, SandboxRecycleBinRule>());
}

function newId(region: RegionState): string {
  const rules = rulesOf(region);
  // Deterministic per region: the n-th rule gets the same id on every run.
  let n = rules.size + 1;
  for (;;) {
    let id = '';
    let x = n * 2654435761;
    for (let i = 0; i < 11; i++) {
      id += ID_CHARS[x % ID_CHARS.length];
      x = Math.floor(x / ID_CHARS.length) + 7 * (i + 1);
    }
    if (!rules.has(id)) return id;
    n += 1000;
  }
}

const tagsOf = (tags: { key: string; value?: string }[] | undefined): SandboxRuleTag[] =>
  (tags ?? []).map((t) => ({
    ResourceTagKey: t.key,
    ...(t.value !== undefined ? { ResourceTagValue: t.value } : {}),
  }));

/** Adds a rule to a region as CreateRule would, or as AWS shows it later (pending, unlocking). */
export function seedRecycleBinRule(region: RegionState, seed: RuleSeed): SandboxRecycleBinRule {
  const id = newId(region);
  const rule: SandboxRecycleBinRule = {
    Identifier: id,
    ResourceType: seed.resourceType,
    RetentionPeriod: { RetentionPeriodValue: seed.retentionDays, RetentionPeriodUnit: 'DAYS' },
    ResourceTags: tagsOf(seed.resourceTags),
    ExcludeResourceTags: tagsOf(seed.excludeTags),
    Status: seed.status ?? 'available',
    RuleArn: `arn:aws:rbin:${region.name}:${region.accountId}:rule/${id}`,
    ...(seed.description !== undefined ? { Description: seed.description } : {}),
    ...(seed.lockState ? { LockState: seed.lockState } : {}),
    ...(seed.lockState && seed.lockState !== 'unlocked'
      ? { LockConfiguration: { UnlockDelay: { UnlockDelayValue: 7, UnlockDelayUnit: 'DAYS' as const } } }
      : {}),
    ...(seed.lockEndTime ? { LockEndTime: Math.floor(seed.lockEndTime.getTime() / 1000) } : {}),
  };
  rulesOf(region).set(id, rule);
  return rule;
}

function validation(message: string): SandboxError {
  return new SandboxError('ValidationException', message, 400);
}

function resourceType(value: unknown): 'EC2_IMAGE' | 'EBS_SNAPSHOT' {
  if (value === 'EC2_IMAGE' || value === 'EBS_SNAPSHOT') return value;
  throw validation(
    `1 validation error detected: Value '${String(value)}' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [EBS_SNAPSHOT, EC2_IMAGE, EBS_VOLUME]`,
  );
}

function ruleTags(value: unknown, name: string): { key: string; value?: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 50)
    throw validation(`${name} must be a list of at most 50 tags`);
  return value.map((t: unknown) => {
    const tag = (t ?? {}) as JsonObject;
    if (typeof tag.ResourceTagKey !== 'string' || tag.ResourceTagKey === '') {
      throw validation(`${name}: every tag needs a ResourceTagKey`);
    }
    return {
      key: tag.ResourceTagKey,
      ...(typeof tag.ResourceTagValue === 'string' ? { value: tag.ResourceTagValue } : {}),
    };
  });
}

function matchesAll(have: SandboxRuleTag[], want: { key: string; value?: string }[]): boolean {
  return want.every((w) =>
    have.some((h) => h.ResourceTagKey === w.key && (w.value === undefined || h.ResourceTagValue === w.value)),
  );
}

function getRule(region: RegionState, id: string | undefined): SandboxRecycleBinRule {
  if (!id || !/^[0-9a-zA-Z]{11}$/.test(id)) {
    throw validation(
      `1 validation error detected: Value '${id ?? ''}' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z]{11}`,
    );
  }
  const rule = rulesOf(region).get(id);
  if (!rule) throw new SandboxError('ResourceNotFoundException', `Rule ${id} not found`, 404);
  return rule;
}

export const rbin: RestJsonServiceHandler = {
  service: 'rbin',
  protocol: 'rest-json',
  routes: [
    {
      method: 'POST',
      path: /^\/list-rules$/,
      action: 'ListRules',
      run: (input, _p, { region }) => {
        const type = resourceType(input.ResourceType);
        const max = input.MaxResults;
        if (max !== undefined && typeof max !== 'number') throw validation('MaxResults must be a number');
        try {
          checkRange('MaxResults', max, 1, 1000);
        } catch (e) {
          throw validation((e as Error).message);
        }
        const lock = input.LockState;
        const want = ruleTags(input.ResourceTags, 'ResourceTags');
        const exclude = ruleTags(input.ExcludeResourceTags, 'ExcludeResourceTags');
        const all = [...rulesOf(region).values()].filter(
          (r) =>
            r.ResourceType === type &&
            (lock === undefined || r.LockState === lock) &&
            matchesAll(r.ResourceTags, want) &&
            matchesAll(r.ExcludeResourceTags, exclude),
        );
        const page = pageOfArray(
          all,
          typeof input.NextToken === 'string' ? input.NextToken : undefined,
          typeof max === 'number' ? max : 1000,
        );
        return {
          Rules: page.items.map((r) => ({
            Identifier: r.Identifier,
            ...(r.Description !== undefined ? { Description: r.Description } : {}),
            RetentionPeriod: r.RetentionPeriod,
            ...(r.LockState ? { LockState: r.LockState } : {}),
            RuleArn: r.RuleArn,
          })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      },
    },
    {
      method: 'GET',
      path: /^\/rules\/([^/]+)$/,
      action: 'GetRule',
      run: (_input, [id], { region }) => getRule(region, id),
    },
    {
      method: 'POST',
      path: /^\/rules$/,
      action: 'CreateRule',
      run: (input, _p, { region }) => {
        const period = (input.RetentionPeriod ?? {}) as JsonObject;
        const days = period.RetentionPeriodValue;
        if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) {
          throw validation(
            'RetentionPeriod.RetentionPeriodValue must be a whole number of days from 1 to 3650',
          );
        }
        const resourceTags = ruleTags(input.ResourceTags, 'ResourceTags');
        const excludeTags = ruleTags(input.ExcludeResourceTags, 'ExcludeResourceTags');
        if (resourceTags.length > 0 && excludeTags.length > 0) {
          throw validation('ExcludeResourceTags can only be specified for Region-level retention rules');
        }
        const locked = input.LockConfiguration !== undefined;
        if (locked && resourceTags.length > 0) {
          throw validation('Only Region-level retention rules can be locked');
        }
        const rule = seedRecycleBinRule(region, {
          resourceType: resourceType(input.ResourceType),
          retentionDays: days,
          resourceTags,
          excludeTags,
          ...(locked ? { lockState: 'locked' as const } : {}),
          ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
        });
        return rule;
      },
    },
    {
      method: 'DELETE',
      path: /^\/rules\/([^/]+)$/,
      action: 'DeleteRule',
      run: (_input, [id], { region }) => {
        const rule = getRule(region, id);
        if (rule.LockState === 'locked' || rule.LockState === 'pending_unlock') {
          throw new SandboxError(
            'ConflictException',
            `Rule ${rule.Identifier} is locked and can't be deleted`,
            409,
          );
        }
        rulesOf(region).delete(rule.Identifier);
        return {};
      },
    },
  ],
};
