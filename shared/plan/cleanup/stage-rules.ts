/**
 * The rules of the retirement stages (stages.ts), and the moves a plan's decisions call for: forward
 * (deprecate, disable) for an AMI the stage rules chose, back (restore) for a staged AMI a rule now
 * keeps because somebody uses or wants it, and the reset of a stage tag EC2 disagrees with.
 */
import type { Image } from '../../domain';
import { TAG, formatTimestamp } from '../../tags';
import type { CandidateContext, CandidateVerdict } from './candidate-rules';
import type { ImageContext } from './context';
import { compareText } from './order';
import { gracesOf, nextAfter, stageStep, type StageReading } from './stages';
import type { Candidate, CleanupDecision, KeepReason, PlannedStageMove, Verdict } from './types';
import { keep } from './verdicts';

/** A stage tag that is no timestamp is skipped; one EC2 contradicts is reported and reset. */
export function stageTags(_image: Image, ctx: ImageContext): Verdict | undefined {
  const { stage } = ctx;
  if (stage.kind === 'unreadable') {
    const p = stage.problems[0]!;
    return {
      action: 'skip',
      reason: `${p.tag}=${JSON.stringify(p.value)} is not readable (expected ${p.expected}): skipped, its stage neither advanced nor called off`,
      problem: p,
      reported: stage.problems,
    };
  }
  if (stage.kind !== 'mismatch') return undefined;
  const p = stage.problem;
  return {
    ...keep(
      'tagProblem',
      `${p.tag}=${JSON.stringify(p.value)} disagrees with EC2 (expected ${p.expected}): kept this run and reported; ${stage.reset.join(' and ')} removed, so that stage starts over from what EC2 says`,
      p,
    ),
    reported: [p],
  };
}

/** A stage's grace period runs from when it began by EC2's record; until it has passed, kept. */
export function stageGrace(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  const step = stageStep(c.stage, gracesOf(ctx.settings), ctx.now);
  return step.kind === 'wait' ? keep('staged', step.reason) : undefined;
}

function forward(
  kind: 'deprecate' | 'disable',
  c: Candidate,
  ctx: CandidateContext,
): CandidateVerdict | undefined {
  const g = gracesOf(ctx.settings);
  const step = stageStep(c.stage, g, ctx.now);
  if (step.kind === 'wait') return keep('staged', step.reason);
  if (step.kind !== kind) return undefined;
  const why =
    c.stage.kind === 'deprecated'
      ? `deprecated since ${formatTimestamp(c.stage.facts.deprecatedSince)}, its ${g.deprecateDays}-day grace passed`
      : c.reason;
  const also = kind === 'disable' && c.stage.kind === 'none' ? ' (deprecated too)' : '';
  return { action: kind, reason: `${kind}${also}: ${why}; ${nextAfter(kind, g, ctx.now)}` };
}

export const deprecate = (c: Candidate, ctx: CandidateContext) => forward('deprecate', c, ctx);
export const disable = (c: Candidate, ctx: CandidateContext) => forward('disable', c, ctx);

/** What a deletion's reason says of the stages it went through. */
export function stagedDeletionNote(stage: StageReading): string | undefined {
  if (stage.kind === 'disabled')
    return `disabled since ${formatTimestamp(stage.disabledSince)}, its grace passed`;
  if (stage.kind === 'deprecated')
    return `deprecated since ${formatTimestamp(stage.facts.deprecatedSince)}, its grace passed`;
  return undefined;
}

/**
 * Keeps that call a staged AMI's retirement off: somebody uses it, wants it kept (keep-until,
 * deregistration protection, AutoCleanup no longer true), or it was used within its retention (one of
 * a family's newest counts too). Other keeps (the tagger stale, a refused run, the cap, shared) only
 * pause it: nothing says it is wanted.
 */
const CALLS_OFF: ReadonlySet<KeepReason> = new Set([
  'inUse',
  'retention',
  'keepUntil',
  'notOptedIn',
  'protected',
]);

/** The moves the decisions call for, by image id; the decisions of restored AMIs say so. */
export function planStageMoves(
  images: readonly Image[],
  stageOf: (image: Image) => StageReading,
  decisionByImage: Map<Image, CleanupDecision>,
  now: Date,
): PlannedStageMove[] {
  const at = formatTimestamp(now);
  const moves: PlannedStageMove[] = [];
  const base = {
    at,
    writeTags: [],
    deprecate: false,
    disable: false,
    enable: false,
    cancelDeprecation: false,
    removeTags: [],
  };
  for (const image of images) {
    const d = decisionByImage.get(image);
    if (d === undefined) continue;
    const stage = stageOf(image);
    if (d.action === 'deprecate' || d.action === 'disable') {
      const fresh = stage.kind === 'none';
      const inEffect = image.deprecatedAt !== undefined && image.deprecatedAt.getTime() <= now.getTime();
      moves.push({
        ...base,
        imageId: image.id,
        kind: d.action,
        writeTags: [
          ...(fresh ? [TAG.autoCleanupDeprecatedAt] : []),
          ...(d.action === 'disable' ? [TAG.autoCleanupDisabledAt] : []),
        ],
        deprecate: fresh && !inEffect,
        disable: d.action === 'disable',
        reason: d.reason,
      });
    } else if (stage.kind === 'mismatch' && d.rule === 'stage-tags') {
      moves.push({ ...base, imageId: image.id, kind: 'reset', removeTags: stage.reset, reason: d.reason });
    } else if (
      (stage.kind === 'deprecated' || stage.kind === 'disabled') &&
      d.action === 'keep' &&
      CALLS_OFF.has(d.keptFor ?? 'other')
    ) {
      const enable = stage.kind === 'disabled';
      const cancel = stage.facts.deprecationIsOurs;
      const undo = [enable ? 're-enabled' : '', cancel ? 'its deprecation cancelled' : ''].filter(Boolean);
      d.reason = `${d.reason}; its retirement is called off: ${[...undo, 'stage tags removed'].join(', ')}, and its clock starts again`;
      moves.push({
        ...base,
        imageId: image.id,
        kind: 'restore',
        enable,
        cancelDeprecation: cancel,
        removeTags: stage.facts.tags,
        reason: d.reason,
      });
    }
  }
  return moves.sort((a, b) => compareText(a.imageId, b.imageId));
}
