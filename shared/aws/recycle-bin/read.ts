/**
 * Reads a region's Recycle Bin retention rules: ListRules for EC2_IMAGE and for EBS_SNAPSHOT (each
 * paginated), then GetRule per rule, because ListRules' RuleSummary lacks what matching needs (the
 * resource tags, the exclusion tags, the status). Filtering ListRules by ResourceTags instead would
 * take a call per distinct tag of the account's AMIs and snapshots and still not find the
 * Region-level rules' exclusions; a region holds few rules (AWS's quota is 250 per type), so
 * 2 + rules calls is the least that answers the question.
 */
import type {
  RecycleBinRead,
  RecycleBinResourceType,
  RecycleBinRule,
  RuleLockState,
  RuleTag,
} from '../../recycle-bin';

/** The two calls, on whatever transport signs and sends them (wire.ts). Shapes are AWS's JSON. */
export interface RecycleBinCalls {
  listRules(input: {
    ResourceType: RecycleBinResourceType;
    NextToken?: string;
    MaxResults?: number;
  }): Promise<{
    Rules?: { Identifier?: string }[];
    NextToken?: string;
  }>;
  getRule(identifier: string): Promise<WireRule>;
}

export interface WireRule {
  Identifier?: string;
  ResourceType?: string;
  RetentionPeriod?: { RetentionPeriodValue?: number; RetentionPeriodUnit?: string };
  ResourceTags?: { ResourceTagKey?: string; ResourceTagValue?: string }[];
  ExcludeResourceTags?: { ResourceTagKey?: string; ResourceTagValue?: string }[];
  Status?: string;
  LockState?: string;
  /** Epoch seconds on the wire; a Date through the SDK. */
  LockEndTime?: number | Date;
}

const TYPES: readonly RecycleBinResourceType[] = ['EC2_IMAGE', 'EBS_SNAPSHOT'];
const LOCK_STATES = new Set(['locked', 'pending_unlock', 'unlocked']);

function tagsOf(list: WireRule['ResourceTags']): RuleTag[] {
  return (list ?? []).flatMap((t) =>
    t.ResourceTagKey === undefined
      ? []
      : [
          {
            key: t.ResourceTagKey,
            ...(t.ResourceTagValue !== undefined ? { value: t.ResourceTagValue } : {}),
          },
        ],
  );
}

/**
 * A rule as matching reads it. A rule whose retention is not a number of days is left out, which can
 * only make AMIs look less recoverable than they are: the safe side.
 */
export function ruleOf(wire: WireRule, type: RecycleBinResourceType): RecycleBinRule | undefined {
  const period = wire.RetentionPeriod;
  const days = period?.RetentionPeriodValue;
  if (
    !wire.Identifier ||
    typeof days !== 'number' ||
    !(days > 0) ||
    (period?.RetentionPeriodUnit ?? 'DAYS') !== 'DAYS'
  ) {
    return undefined;
  }
  const lock = wire.LockState;
  const end = wire.LockEndTime;
  const rule: RecycleBinRule = {
    id: wire.Identifier,
    resourceType:
      wire.ResourceType === 'EC2_IMAGE' || wire.ResourceType === 'EBS_SNAPSHOT' ? wire.ResourceType : type,
    status: wire.Status ?? 'unknown',
    retentionDays: days,
    resourceTags: tagsOf(wire.ResourceTags),
    excludeTags: tagsOf(wire.ExcludeResourceTags),
    lockState: lock && LOCK_STATES.has(lock) ? (lock as RuleLockState) : 'none',
  };
  if (end !== undefined) rule.lockEndTime = end instanceof Date ? end : new Date(end * 1000);
  return rule;
}

/** A rule deleted between ListRules and GetRule retains nothing: it is simply not there. */
async function getRuleUnlessGone(
  calls: RecycleBinCalls,
  id: string,
  type: RecycleBinResourceType,
): Promise<RecycleBinRule | undefined> {
  try {
    return ruleOf(await calls.getRule(id), type);
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** Every rule of both types, or why they could not be read (the first failure: the rest is moot). */
export async function readRecycleBinRules(calls: RecycleBinCalls): Promise<RecycleBinRead> {
  const rules: RecycleBinRule[] = [];
  let step = 'ListRules';
  try {
    for (const type of TYPES) {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        step = `ListRules ${type}`;
        const page = await calls.listRules({
          ResourceType: type,
          MaxResults: 1000,
          ...(token ? { NextToken: token } : {}),
        });
        for (const r of page.Rules ?? []) if (r.Identifier) ids.push(r.Identifier);
        token = page.NextToken;
      } while (token);
      for (const id of ids) {
        step = `GetRule ${id}`;
        const rule = await getRuleUnlessGone(calls, id, type);
        if (rule) rules.push(rule);
      }
    }
  } catch (err) {
    const e = err as { name?: string; message?: string };
    return { kind: 'failed', message: `${step} failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}` };
  }
  return { kind: 'read', rules };
}
