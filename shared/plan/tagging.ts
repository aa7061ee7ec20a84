/**
 * The tagger's decision: which owned AMIs get LastUsed=<now> (in use) and LastUsedRuntime=<now>
 * (every owned AMI it can tag, unless a usage reference could not be resolved: then only the in-use
 * ones, since the run cannot vouch for the others' LastUsed), which of the idle ones also get
 * LastUsedObservedSince=<now> because nobody watched them before this run (an outage), and which
 * in-use AMIs it can only report because another account owns them or they no longer exist.
 * Pure: `now` is a parameter, the apply step writes the tags.
 */
import type { Image, Problem, UsageRef } from '../domain';
import { TAG, formatTimestamp, readTimestampTag } from '../tags';
import { MINUTE_MS, formatDuration, formatMinutes } from './format';
import { describeUsageRefs, type UsageIndex } from '../usage';

/**
 * Image states that get tagged. Cleanup only ever deletes `available` AMIs, and a `pending` one
 * becomes available soon, so these two are all that need the tags; EC2 refuses tags on failed or
 * deregistered images, and one refused id fails a whole batched CreateTags call.
 */
export const TAGGABLE_IMAGE_STATES: ReadonlySet<string> = new Set(['available', 'pending']);

export type TaggingAction = 'tag-last-used' | 'tag-runtime' | 'report-foreign' | 'skip';

export interface TaggingDecision {
  imageId: string;
  action: TaggingAction;
  reason: string;
}

export interface ForeignImageInUse {
  imageId: string;
  /** Undefined when the AMI was not found at all (deregistered, or not visible to this account). */
  ownerId?: string;
  refs: UsageRef[];
}

export interface TaggingPlan {
  /** The formatted `now` written as the value of both tags. */
  value: string;
  /** Owned, in-use AMIs: stamp LastUsed=value (they are also in `runtime`). Sorted. */
  lastUsed: string[];
  /**
   * Owned AMIs in a taggable state whose usage this run knows: stamp LastUsedRuntime=value. Sorted.
   * Every taggable one when all usage references resolved; only the in-use ones otherwise.
   */
  runtime: string[];
  /**
   * Owned AMIs in `runtime` but not in use whose previous LastUsedRuntime was missing, unreadable, in
   * the future or older than the freshness window: their use was not observed until now, so they
   * get LastUsedObservedSince=value in the same CreateTags call as LastUsedRuntime. Sorted. (An
   * in-use one needs no such tag: its LastUsed becomes value, which says as much.)
   */
  observedSince: string[];
  /** In use but not owned (or not found): reported, never tagged. Sorted by image id. */
  foreignInUse: ForeignImageInUse[];
  /** One per image read, then one per in-use AMI that was not found; sorted by image id. */
  decisions: TaggingDecision[];
  /** Usage references that could not be resolved (passed through from the usage index for the report). */
  problems: Problem[];
}

export interface TaggingInput {
  images: Image[];
  usage: UsageIndex;
  now: Date;
  /**
   * Cleanup's freshness window: a previous LastUsedRuntime older than this means the run before
   * this one did not watch the AMI closely enough for cleanup to trust its LastUsed.
   */
  freshnessMinutes: number;
}

export function planTagging(input: TaggingInput): TaggingPlan {
  const { images, usage, now, freshnessMinutes } = input;
  if (Number.isNaN(now.getTime())) throw new RangeError('planTagging: now is not a valid date');
  if (!Number.isFinite(freshnessMinutes) || freshnessMinutes <= 0) {
    throw new RangeError(
      `planTagging: freshnessMinutes is ${String(freshnessMinutes)}; expected a number of minutes greater than 0`,
    );
  }
  const value = formatTimestamp(now);
  const lastUsed: string[] = [];
  const runtime: string[] = [];
  const observedSince: string[] = [];
  const foreignInUse: ForeignImageInUse[] = [];
  const decisions: TaggingDecision[] = [];
  const seen = new Set<string>();
  // Reasons that do not depend on the image are built once: at 100k AMIs, one copy per decision
  // was several MB of identical strings in the plan.
  const notInUseReason = `not in use: LastUsedRuntime set to ${value}, LastUsed left as it was`;
  const unresolvedReason =
    `not in use as far as this run could tell, but ${usage.unresolved.length} usage reference(s) ` +
    `could not be resolved and could point at it: LastUsedRuntime not refreshed, LastUsed left as it was`;
  const stateReasons = new Map<string, string>();
  // Keyed by the previous LastUsedRuntime as written ('' when absent): after an outage, or on a first
  // deploy, every AMI has the same one, so thousands of decisions share one reason (or one "watched").
  const blindReasons = new Map<string, string | null>();

  for (const image of [...images].sort((a, b) => cmp(a.id, b.id))) {
    if (seen.has(image.id)) continue; // a page read twice: one decision per AMI
    seen.add(image.id);
    const refs = usage.refsFor(image.id);
    const inUse = refs.length > 0;
    if (!image.ownedBySelf) {
      if (inUse) {
        foreignInUse.push({ imageId: image.id, ownerId: image.ownerId, refs });
        decisions.push({
          imageId: image.id,
          action: 'report-foreign',
          reason: `owned by account ${image.ownerId}, not this one: in use by ${describeUsageRefs(refs)}; reported, not tagged`,
        });
      } else {
        decisions.push({
          imageId: image.id,
          action: 'skip',
          reason: `owned by account ${image.ownerId}, not this one, and not in use`,
        });
      }
      continue;
    }
    if (!TAGGABLE_IMAGE_STATES.has(image.state)) {
      let reason = stateReasons.get(image.state);
      if (reason === undefined) {
        reason = `state ${image.state}: only available and pending AMIs are tagged`;
        stateReasons.set(image.state, reason);
      }
      decisions.push({ imageId: image.id, action: 'skip', reason });
      continue;
    }
    if (inUse) {
      runtime.push(image.id);
      lastUsed.push(image.id);
      decisions.push({
        imageId: image.id,
        action: 'tag-last-used',
        reason: `in use by ${describeUsageRefs(refs)}: LastUsed and LastUsedRuntime set to ${value}`,
      });
    } else if (usage.unresolved.length > 0) {
      // LastUsedRuntime vouches that LastUsed was up to date as of this run. With a reference this
      // run could not resolve, any AMI may be the one in use through it, and its LastUsed was not
      // refreshed: stamping LastUsedRuntime anyway would let cleanup trust a stale LastUsed.
      decisions.push({ imageId: image.id, action: 'skip', reason: unresolvedReason });
    } else {
      runtime.push(image.id);
      const previous = image.tags[TAG.lastUsedRuntime];
      const key = previous === undefined ? '' : `=${previous}`;
      let reason = blindReasons.get(key);
      if (reason === undefined) {
        const blind = unobservedSince(image, now, freshnessMinutes);
        reason =
          blind === undefined
            ? null
            : `not in use: LastUsedRuntime set to ${value}, LastUsed left as it was; ${blind}, so its use ` +
              `was not observed until now: ${TAG.lastUsedObservedSince} set to ${value}`;
        blindReasons.set(key, reason);
      }
      if (reason === null) {
        decisions.push({ imageId: image.id, action: 'tag-runtime', reason: notInUseReason });
      } else {
        observedSince.push(image.id);
        decisions.push({ imageId: image.id, action: 'tag-runtime', reason });
      }
    }
  }

  const missing = [...usage.inUseImageIds].filter((id) => !seen.has(id)).sort(cmp);
  for (const imageId of missing) {
    const refs = usage.refsFor(imageId);
    foreignInUse.push({ imageId, refs });
    decisions.push({
      imageId,
      action: 'report-foreign',
      reason:
        `in use by ${describeUsageRefs(refs)} but not found among the images read ` +
        `(deregistered, or owned by another account and not visible): reported, not tagged`,
    });
  }
  foreignInUse.sort((a, b) => cmp(a.imageId, b.imageId));
  decisions.sort((a, b) => cmp(a.imageId, b.imageId));

  return { value, lastUsed, runtime, observedSince, foreignInUse, decisions, problems: [...usage.problems] };
}

/**
 * Why nobody was watching this AMI's use right before this run, or undefined when the previous run
 * did (its LastUsedRuntime is readable, not in the future, and within the freshness window). A
 * future value is not trusted: it cannot say when the AMI was last looked at.
 */
function unobservedSince(image: Image, now: Date, freshnessMinutes: number): string | undefined {
  const previous = readTimestampTag(image.tags, TAG.lastUsedRuntime, image.id);
  if (previous.kind === 'absent') return `it had no ${TAG.lastUsedRuntime} (never covered by the tagger)`;
  if (previous.kind === 'invalid') {
    return `its ${TAG.lastUsedRuntime}=${JSON.stringify(previous.problem.value)} was not readable`;
  }
  const age = now.getTime() - previous.value.getTime();
  if (age < 0) return `its ${TAG.lastUsedRuntime} ${formatTimestamp(previous.value)} was in the future`;
  if (age > freshnessMinutes * MINUTE_MS) {
    return `its ${TAG.lastUsedRuntime} ${formatTimestamp(previous.value)} was ${formatDuration(age)} old > ${formatMinutes(freshnessMinutes)}`;
  }
  return undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
