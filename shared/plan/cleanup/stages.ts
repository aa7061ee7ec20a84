/**
 * Retirement in stages (docs/cleanup.md#stages): with deprecateGraceDays or disableGraceDays set, an
 * AMI that would be deleted is first deprecated (EnableImageDeprecation), after deprecateGraceDays
 * disabled (DisableImage), and after disableGraceDays deregistered as in a one-step run.
 *
 * Cleanup's own tags (AutoCleanupDeprecatedAt, AutoCleanupDisabledAt) say when it began a stage, but
 * anyone may write a tag: they are trusted only where EC2's own facts agree (the AMI's DeprecationTime,
 * its state), and a grace period never runs from earlier than EC2's DeprecationTime. A tag that
 * disagrees is reported and removed, and the AMI is kept for the run: the stage it claimed starts over.
 */
import type { Image } from '../../domain';
import { TAG, formatTimestamp, readTimestampTag, type TagProblem } from '../../tags';
import { DAY_MS, MINUTE_MS, formatDays } from '../format';
import type { CleanupSettings } from './settings';

/**
 * EC2 rounds DeprecateAt to the nearest minute, so the DeprecationTime it records for a deprecation
 * asked for at t lies within a minute of t. Every comparison of a stage tag with EC2's record allows
 * that minute, and no more.
 */
export const STAGE_SLACK_MS = MINUTE_MS;

/** What EC2 and cleanup's tags say of an AMI's retirement, once they are found to agree. */
export type StageReading =
  | { kind: 'none' }
  | { kind: 'deprecated'; facts: StageFacts }
  | { kind: 'disabled'; facts: StageFacts; disabledSince: Date }
  /** A stage tag that is not a timestamp: skipped, reported, never acted on. */
  | { kind: 'unreadable'; problems: TagProblem[] }
  /** A stage tag EC2's facts contradict: reported, the AMI kept, `reset` (the tags) removed. */
  | { kind: 'mismatch'; problem: TagProblem; reset: string[] };

export interface StageFacts {
  /** When the deprecated stage began, never earlier than EC2's DeprecationTime (less the minute). */
  deprecatedSince: Date;
  /** EC2's DeprecationTime is the one cleanup set (not an earlier one somebody else set). */
  deprecationIsOurs: boolean;
  /** The stage tags present, for their removal when the AMI's retirement is called off. */
  tags: string[];
}

/** An Invalid Date (an unreadable DeprecationTime) is as good as none. */
function knownDate(d: Date | undefined): Date | undefined {
  return d !== undefined && !Number.isNaN(d.getTime()) ? d : undefined;
}

export function readStage(image: Image, now: Date): StageReading {
  if (!image.ownedBySelf) return { kind: 'none' };
  const dep = readTimestampTag(image.tags, TAG.autoCleanupDeprecatedAt, image.id);
  const dis = readTimestampTag(image.tags, TAG.autoCleanupDisabledAt, image.id);
  if (dep.kind === 'absent' && dis.kind === 'absent') return { kind: 'none' };
  const problems = [dep, dis].flatMap((r) => (r.kind === 'invalid' ? [r.problem] : []));
  if (problems.length > 0) return { kind: 'unreadable', problems };
  const present = [
    dep.kind === 'ok' ? TAG.autoCleanupDeprecatedAt : '',
    dis.kind === 'ok' ? TAG.autoCleanupDisabledAt : '',
  ].filter(Boolean);
  const mismatch = (tag: string, expected: string, reset: string[]): StageReading => ({
    kind: 'mismatch',
    problem: { resourceId: image.id, tag, value: image.tags[tag] ?? '', expected },
    reset,
  });
  if (dep.kind !== 'ok') {
    return mismatch(
      TAG.autoCleanupDisabledAt,
      `a disabled stage after a deprecated one: cleanup writes ${TAG.autoCleanupDeprecatedAt} first, and this AMI has none`,
      present,
    );
  }
  const td = dep.value;
  const d = knownDate(image.deprecatedAt);
  const later = now.getTime() + STAGE_SLACK_MS;
  if (td.getTime() > later) {
    return mismatch(TAG.autoCleanupDeprecatedAt, `a time not after now (${formatTimestamp(now)})`, present);
  }
  if (d === undefined) {
    return mismatch(
      TAG.autoCleanupDeprecatedAt,
      'a deprecated AMI: EC2 shows no DeprecationTime for it (someone cancelled the deprecation, or wrote the tag)',
      present,
    );
  }
  if (d.getTime() > td.getTime() + STAGE_SLACK_MS) {
    return mismatch(
      TAG.autoCleanupDeprecatedAt,
      `a time at or after EC2's DeprecationTime ${formatTimestamp(d)} (cleanup deprecates as it writes the tag)`,
      present,
    );
  }
  const facts: StageFacts = {
    deprecatedSince: new Date(Math.max(td.getTime(), d.getTime() - STAGE_SLACK_MS)),
    deprecationIsOurs: d.getTime() >= td.getTime() - STAGE_SLACK_MS,
    tags: present,
  };
  if (dis.kind !== 'ok') return { kind: 'deprecated', facts };
  const tx = dis.value;
  if (image.state !== 'disabled') {
    return mismatch(
      TAG.autoCleanupDisabledAt,
      `a disabled AMI: EC2 says its state is ${image.state} (someone re-enabled it, or wrote the tag)`,
      [TAG.autoCleanupDisabledAt],
    );
  }
  if (tx.getTime() > later || tx.getTime() < td.getTime() || tx.getTime() < d.getTime() - STAGE_SLACK_MS) {
    return mismatch(
      TAG.autoCleanupDisabledAt,
      `a time from its deprecation (${formatTimestamp(facts.deprecatedSince)}, EC2 DeprecationTime ${formatTimestamp(d)}) to now (${formatTimestamp(now)})`,
      [TAG.autoCleanupDisabledAt],
    );
  }
  return { kind: 'disabled', facts, disabledSince: tx };
}

export interface Graces {
  deprecateMs: number;
  disableMs: number;
  deprecateDays: number;
  disableDays: number;
  /** Either stage is configured. */
  staged: boolean;
}

export function gracesOf(settings: CleanupSettings): Graces {
  const deprecateDays = settings.deprecateGraceDays ?? 0;
  const disableDays = settings.disableGraceDays ?? 0;
  return {
    deprecateDays,
    disableDays,
    deprecateMs: deprecateDays * DAY_MS,
    disableMs: disableDays * DAY_MS,
    staged: deprecateDays > 0 || disableDays > 0,
  };
}

/** What an AMI every rule let through is due for, given its stage. */
export type StageStep =
  | { kind: 'wait'; until: Date; reason: string }
  | { kind: 'deprecate' }
  | { kind: 'disable' }
  | { kind: 'delete' };

/**
 * The disabled stage's start for its grace: cleanup's tag, but never earlier than the end of the
 * deprecated stage by EC2's DeprecationTime (a lengthened deprecateGraceDays waits, never skips).
 */
function disabledStart(stage: { facts: StageFacts; disabledSince: Date }, g: Graces): number {
  return Math.max(stage.disabledSince.getTime(), stage.facts.deprecatedSince.getTime() + g.deprecateMs);
}

export function stageStep(stage: StageReading, g: Graces, now: Date): StageStep {
  if (stage.kind === 'deprecated') {
    const due = stage.facts.deprecatedSince.getTime() + g.deprecateMs;
    if (now.getTime() < due) {
      const next = g.disableMs > 0 ? 'disabled' : 'deregistered';
      return {
        kind: 'wait',
        until: new Date(due),
        reason: `deprecated since ${formatTimestamp(stage.facts.deprecatedSince)} (${formatDays(g.deprecateDays)} grace): ${next} on ${formatTimestamp(new Date(due))} unless used`,
      };
    }
    return g.disableMs > 0 ? { kind: 'disable' } : { kind: 'delete' };
  }
  if (stage.kind === 'disabled') {
    const due = disabledStart(stage, g) + g.disableMs;
    if (now.getTime() < due) {
      return {
        kind: 'wait',
        until: new Date(due),
        reason: `disabled since ${formatTimestamp(stage.disabledSince)} (${formatDays(g.disableDays)} grace): deregistered on ${formatTimestamp(new Date(due))} unless used`,
      };
    }
    return { kind: 'delete' };
  }
  if (g.deprecateMs > 0) return { kind: 'deprecate' };
  if (g.disableMs > 0) return { kind: 'disable' };
  return { kind: 'delete' };
}

/** When an AMI was or will be deprecated, disabled and deleted; undefined where not applicable. */
export interface Timeline {
  deprecatedOn?: Date;
  disabledOn?: Date;
  deletedOn?: Date;
}

/**
 * The AMI's retirement as the settings and its stage project it. `from` is when it would enter the
 * stages if it is not in one yet (undefined: it is not on its way out).
 */
export function projectTimeline(stage: StageReading, g: Graces, from: Date | undefined): Timeline {
  if (stage.kind === 'deprecated' || stage.kind === 'disabled') {
    const depOn = stage.facts.deprecatedSince;
    const disOn =
      stage.kind === 'disabled'
        ? new Date(disabledStart(stage, g))
        : g.disableMs > 0
          ? new Date(depOn.getTime() + g.deprecateMs)
          : undefined;
    const deletedOn = new Date((disOn ?? depOn).getTime() + (disOn ? g.disableMs : g.deprecateMs));
    return { deprecatedOn: depOn, ...(disOn ? { disabledOn: disOn } : {}), deletedOn };
  }
  if (from === undefined || stage.kind !== 'none') return {};
  if (!g.staged) return { deletedOn: from };
  const disOn = g.disableMs > 0 ? new Date(from.getTime() + g.deprecateMs) : undefined;
  const deletedOn = new Date((disOn ?? from).getTime() + (disOn ? g.disableMs : g.deprecateMs));
  return { deprecatedOn: from, ...(disOn ? { disabledOn: disOn } : {}), deletedOn };
}

/** "disabled on 2026-12-08 unless used" for a move's reason: the next step after this one. */
export function nextAfter(step: 'deprecate' | 'disable', g: Graces, now: Date): string {
  const date = (ms: number) => formatTimestamp(new Date(now.getTime() + ms)).slice(0, 10);
  if (step === 'deprecate' && g.disableMs > 0) return `disabled on ${date(g.deprecateMs)} unless used`;
  if (step === 'deprecate') return `deregistered on ${date(g.deprecateMs)} unless used`;
  return `deregistered on ${date(g.disableMs)} unless used`;
}
