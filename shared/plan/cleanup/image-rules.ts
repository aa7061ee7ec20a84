/**
 * The per-AMI rules, in order: the first that returns a verdict decides, and the order makes that
 * first verdict the most useful reason. An AMI no rule decides on is a candidate for deletion, and
 * the run-wide rules (candidate-rules.ts) decide on it.
 */
import type { Image } from '../../domain';
import { TAG } from '../../tags';
import { describeUsageRefs } from '../../usage';
import type { ImageContext } from './context';
import {
  ageUnknown,
  futureTime,
  keepUntil,
  launchTimeUnreadable,
  retention,
  taggerStale,
} from './time-rules';
import { stageTags } from './stage-rules';
import type { Verdict } from './types';
import { keep } from './verdicts';

export interface ImageRule {
  name: string;
  /** One line for the docs and the plan's readers: when this rule decides. */
  summary: string;
  decide: (image: Image, ctx: ImageContext) => Verdict | undefined;
}

/** Two records for one id mean a confused read: acting on either could act on the wrong one. */
function duplicate(image: Image, ctx: ImageContext): Verdict | undefined {
  if (!ctx.isDuplicate(image)) return undefined;
  return {
    action: 'skip',
    reason: 'listed more than once by the inventory: not decided on until it is read once',
  };
}

/** Whatever an earlier round of this run met (a failed call, a reference found) is not retried. */
function held(image: Image, ctx: ImageContext): Verdict | undefined {
  const because = ctx.held?.get(image.id);
  if (because === undefined) return undefined;
  return keep('held', `tried earlier in this run and left in place (${because}); the next run re-plans it`);
}

/** Only this account's AMIs can be tagged, so only they can have opted in. */
function notOwned(image: Image): Verdict | undefined {
  if (image.ownedBySelf) return undefined;
  return keep('notOwned', `owned by account ${image.ownerId}, not this one: never deleted`);
}

/**
 * A pending, failed or deregistered AMI is EC2's to finish, not ours. A disabled one goes on only if
 * cleanup disabled it (its retirement stage, stages.ts): one somebody else disabled is theirs.
 */
function notAvailable(image: Image, ctx: ImageContext): Verdict | undefined {
  if (image.state === 'available') return undefined;
  if (image.state === 'disabled' && ctx.stage.kind === 'disabled') return undefined;
  if (image.state === 'disabled') {
    return keep(
      'other',
      `state disabled, not by cleanup (no ${TAG.autoCleanupDisabledAt} EC2 agrees with): never touched`,
    );
  }
  return keep('other', `state ${image.state}: only available AMIs are deleted`);
}

/** Deletion is opt-in: an owner who did not say AutoCleanup=true did not ask for it. */
function notOptedIn(_image: Image, ctx: ImageContext): Verdict | undefined {
  const { optIn, tagProblems } = ctx;
  if (optIn.kind === 'invalid' || (optIn.kind === 'ok' && optIn.value)) return undefined;
  const reason =
    optIn.kind === 'absent' ? 'not opted in: no AutoCleanup tag' : 'opted out: AutoCleanup=false';
  // Malformed tags on an AMI that is not opted in harm nothing here, but break the contract: report them.
  return { ...keep('notOptedIn', reason, tagProblems[0]), reported: tagProblems };
}

/** A tag value the product cannot read is never a reason to act. */
function unreadableTags(_image: Image, ctx: ImageContext): Verdict | undefined {
  const { optIn, tagProblems } = ctx;
  if (optIn.kind === 'invalid') {
    return {
      action: 'skip',
      reason: `AutoCleanup=${JSON.stringify(optIn.problem.value)} is not true or false: skipped, never deleted`,
      problem: optIn.problem,
      reported: [optIn.problem, ...tagProblems],
    };
  }
  const p = tagProblems[0];
  if (p === undefined) return undefined;
  return {
    action: 'skip',
    reason: `${p.tag}=${JSON.stringify(p.value)} is not readable (expected ${p.expected}): skipped, never deleted`,
    problem: p,
    reported: tagProblems,
  };
}

/** The run's own fresh look at the account: anything that would launch from it keeps it. */
function inUse(image: Image, ctx: ImageContext): Verdict | undefined {
  const refs = ctx.usage.refsFor(image.id);
  if (refs.length === 0) return undefined;
  return keep('inUse', `in use by ${describeUsageRefs(refs)}`);
}

/** AWS's own guard is respected, never overridden. */
function deregistrationProtected(image: Image): Verdict | undefined {
  if (!image.deregistrationProtected) return undefined;
  return keep(
    'protected',
    'deregistration protection is on: AWS guards it and this product never overrides that',
  );
}

/** Every per-AMI rule, in the order they are tried. */
export const IMAGE_RULES = [
  {
    name: 'duplicate',
    summary: 'an AMI id the inventory listed more than once is skipped until it is read once',
    decide: duplicate,
  },
  {
    name: 'held',
    summary: 'an AMI an earlier round of this run tried and left in place is kept for the rest of the run',
    decide: held,
  },
  { name: 'not-owned', summary: "another account's AMI is never deleted", decide: notOwned },
  {
    name: 'stage-tags',
    summary: `an unreadable ${TAG.autoCleanupDeprecatedAt} or ${TAG.autoCleanupDisabledAt} skips the AMI; one EC2's DeprecationTime or state contradicts is reported and removed, and the AMI kept`,
    decide: stageTags,
  },
  {
    name: 'not-available',
    summary:
      'only AMIs in the available state are deleted, and disabled ones cleanup itself disabled (its disabled stage)',
    decide: notAvailable,
  },
  { name: 'not-opted-in', summary: `an AMI without ${TAG.autoCleanup}=true is kept`, decide: notOptedIn },
  {
    name: 'unreadable-tags',
    summary: `an unreadable ${TAG.autoCleanup}, LastUsed, LastUsedRuntime, LastUsedObservedSince, ${TAG.autoCleanupRetentionDays} or ${TAG.autoCleanupKeepUntil} value skips the AMI`,
    decide: unreadableTags,
  },
  { name: 'in-use', summary: 'an AMI anything would launch from or runs from is kept', decide: inUse },
  {
    name: 'protected',
    summary: 'an AMI with deregistration protection on is kept',
    decide: deregistrationProtected,
  },
  {
    name: 'tagger-stale',
    summary: 'an AMI whose LastUsedRuntime is missing or older than the freshness window is kept',
    decide: taggerStale,
  },
  {
    name: 'future-time',
    summary:
      'an AMI whose LastUsedRuntime, LastUsed, LastUsedObservedSince or LastLaunchedTime is in the future is kept and reported',
    decide: futureTime,
  },
  {
    name: 'launch-time-unreadable',
    summary: 'an AMI whose EC2 LastLaunchedTime could not be read is kept and reported',
    decide: launchTimeUnreadable,
  },
  {
    name: 'keep-until',
    summary: `an AMI whose ${TAG.autoCleanupKeepUntil} is after now is kept until then`,
    decide: keepUntil,
  },
  {
    name: 'age-unknown',
    summary: 'an AMI never used and of unknown creation date is kept: its age cannot be told',
    decide: ageUnknown,
  },
  {
    name: 'retention',
    summary: `an AMI used (or, never used, created) within the retention period (its ${TAG.autoCleanupRetentionDays} if set) is kept`,
    decide: retention,
  },
] as const satisfies readonly ImageRule[];

export type ImageRuleName = (typeof IMAGE_RULES)[number]['name'];
