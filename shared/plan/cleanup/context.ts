/** What the rules read: the run's settings and clock, and each AMI's tags read once. */
import type { Image } from '../../domain';
import {
  TAG,
  formatTimestamp,
  readOptInTag,
  readTimestampTag,
  type TagProblem,
  type TagReading,
} from '../../tags';
import type { UsageIndex } from '../../usage';
import { readOwnerTags, type OwnerTags } from './owner-tags';
import type { CleanupSettings } from './settings';
import { readStage, type StageReading } from './stages';

export interface RunContext {
  settings: CleanupSettings;
  now: Date;
  nowText: string;
  usage: UsageIndex;
  /** AMIs an earlier round of this run tried and left in place, with what happened. */
  held: ReadonlyMap<string, string> | undefined;
  isDuplicate: (image: Image) => boolean;
  /** Not in the future and at most freshnessMinutes old. */
  isFresh: (t: Date) => boolean;
}

export interface ImageContext extends RunContext, OwnerTags {
  optIn: TagReading<boolean>;
  lastUsed: TagReading<Date>;
  runtime: TagReading<Date>;
  observedSince: TagReading<Date>;
  /**
   * The unreadable tags cleanup reads besides AutoCleanup, in the order LastUsed, LastUsedRuntime,
   * LastUsedObservedSince, AutoCleanupRetentionDays, AutoCleanupKeepUntil.
   */
  tagProblems: TagProblem[];
  /** Its retirement stage, as EC2 and cleanup's stage tags agree on it (stages.ts). */
  stage: StageReading;
  /** The AMI's last activity; meaningful once its LastLaunchedTime is known to be readable and past. */
  activity: () => Activity | undefined;
}

export interface Activity {
  at: Date;
  /** "unused since ...", "never used; created ...": the start of the reason text. */
  describe: string;
}

export function imageContext(image: Image, run: RunContext): ImageContext {
  const lastUsed = readTimestampTag(image.tags, TAG.lastUsed, image.id);
  const runtime = readTimestampTag(image.tags, TAG.lastUsedRuntime, image.id);
  const observedSince = readTimestampTag(image.tags, TAG.lastUsedObservedSince, image.id);
  const owner = readOwnerTags(image.tags, image.id, run.settings);
  return {
    ...run,
    ...owner,
    optIn: readOptInTag(image.tags, TAG.autoCleanup, image.id),
    lastUsed,
    runtime,
    observedSince,
    stage: readStage(image, run.now),
    tagProblems: [lastUsed, runtime, observedSince, owner.retentionDays, owner.keepUntil].flatMap((r) =>
      r.kind === 'invalid' ? [r.problem] : [],
    ),
    activity: () =>
      lastActivity(
        lastUsed.kind === 'ok' ? lastUsed.value : undefined,
        knownDate(image.createdAt),
        observedSince.kind === 'ok' ? observedSince.value : undefined,
        image.lastLaunchedAt,
      ),
  };
}

/** An Invalid Date (from an unparsable CreationDate) is as good as no date: never a reason to act. */
export function knownDate(d: Date | undefined): Date | undefined {
  return d !== undefined && !Number.isNaN(d.getTime()) ? d : undefined;
}

/**
 * The moment the AMI was last known to matter: the latest of LastUsed, its creation (a LastUsed older
 * than the AMI itself was copied from another AMI and says nothing about this one), EC2's
 * LastLaunchedTime (it lags about a day, but a launch LastUsed missed still shows up there) and the
 * end of the last period nobody watched its use (LastUsedObservedSince: it may have been used all
 * through a tagger outage). Only ever the latest: whoever writes one of these can delay a deletion,
 * not hasten it.
 */
function lastActivity(
  lastUsed: Date | undefined,
  createdAt: Date | undefined,
  observedSince: Date | undefined,
  lastLaunched?: Date,
): Activity | undefined {
  let latest = lastUsedOrCreation(lastUsed, createdAt);
  const consider = (at: Date | undefined, describe: (at: Date) => string) => {
    if (at !== undefined && (latest === undefined || at.getTime() > latest.at.getTime())) {
      latest = { at, describe: describe(at) };
    }
  };
  consider(lastLaunched, (at) => `last launched ${formatTimestamp(at)} (EC2 LastLaunchedTime)`);
  consider(
    observedSince,
    (at) =>
      `use not observed until LastUsedObservedSince ${formatTimestamp(at)} (the tagger was not watching it before then), so counted as used then`,
  );
  return latest;
}

function lastUsedOrCreation(lastUsed: Date | undefined, createdAt: Date | undefined): Activity | undefined {
  if (lastUsed !== undefined) {
    if (createdAt !== undefined && createdAt.getTime() > lastUsed.getTime()) {
      return {
        at: createdAt,
        describe: `LastUsed ${formatTimestamp(lastUsed)} predates its creation, so unused since creation ${formatTimestamp(createdAt)}`,
      };
    }
    return { at: lastUsed, describe: `unused since ${formatTimestamp(lastUsed)}` };
  }
  if (createdAt !== undefined) {
    return { at: createdAt, describe: `never used; created ${formatTimestamp(createdAt)}` };
  }
  return undefined;
}
