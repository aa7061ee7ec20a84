/**
 * AutoCleanup's decision: which AMIs to deregister and which snapshots to delete with them, and for
 * every AMI and snapshot looked at, why and by which rule. Pure: inventory, settings and `now` in,
 * plan out.
 *
 * Deleting the wrong AMI is the worst thing this product can do, so a deletion needs every rule to
 * let the AMI through: first the per-AMI rules (image-rules.ts), then the run-wide ones
 * (candidate-rules.ts), among them the refusal of the whole run when it cannot trust its inputs
 * (refusal.ts). The snapshots follow the AMIs (snapshots.ts). rules.ts lists every rule in order.
 */
import type { Image } from '../../domain';
import { formatTimestamp, type TagProblem } from '../../tags';
import { DAY_MS, MINUTE_MS } from '../format';
import { CANDIDATE_RULES, type CandidateContext } from './candidate-rules';
import { imageContext, type RunContext } from './context';
import { protectedByFamily } from './family';
import { IMAGE_RULES } from './image-rules';
import { compareText } from './order';
import { recycleBinReport, recycleBinViews, type RecycleBinView } from './recycle-bin';
import { refusal } from './refusal';
import type { CleanupRuleName } from './rules';
import { validateCleanupSettings } from './settings';
import { sharingOf } from './sharing';
import { snapshotKnowledge } from './snapshot-knowledge';
import { planStageMoves } from './stage-rules';
import { gracesOf, projectTimeline, readStage, type Timeline } from './stages';
import { planSnapshots } from './snapshots';
import { countPlan } from './summary';
import { candidateOf } from './time-rules';
import { MAX_USAGE_REPORT_REQUESTS_PER_RUN, judgeUsageReports } from './usage-reports';
import type { UsageReportRequest } from '../../image-usage-reports';
import type {
  Candidate,
  CleanupDecision,
  CleanupInput,
  CleanupPlan,
  CleanupRefusal,
  SnapshotLookupFailure,
  Verdict,
} from './types';

export function planCleanup(input: CleanupInput): CleanupPlan {
  const { settings, now } = input;
  validateCleanupSettings(settings);
  if (Number.isNaN(now.getTime())) throw new RangeError('planCleanup: now is not a valid date');
  const images = [...input.images].sort((a, b) => compareText(a.id, b.id));
  const run = runContext(input, images);
  const { decisionByImage, candidates, problems } = decideImages(images, run);

  const readOnce = images.filter((i) => !run.isDuplicate(i));
  const refused = refusal(
    readOnce.filter((i) => i.ownedBySelf),
    input.usage,
    now,
    settings,
    run.isFresh,
  );
  const familyKept = protectedByFamily(readOnce, settings);
  const recycleBin = recycleBinViews(input.recycleBin, input.snapshots, now);
  const outcome = decideCandidates(candidates, decisionByImage, input, refused, familyKept, recycleBin);

  const stageMoves = planStageMoves(images, (i) => readStage(i, now), decisionByImage, now);
  const retirements = addTimelines(images, decisionByImage, run);

  const snapshotPlan = planSnapshots(images, refused ? [] : outcome.chosen, input.snapshots, {
    decisionByImage,
    refused,
    held: run.held,
    stillToCome: outcome.stillToCome,
    lookups: input.snapshotLookups,
  });
  problems.push(...snapshotPlan.problems);

  const plan: Omit<CleanupPlan, 'counts'> = {
    deletions: snapshotPlan.deletions,
    pendingSnapshotDeletions: snapshotPlan.pending,
    snapshotUnmarks: snapshotPlan.unmarks,
    stageMoves,
    retirements,
    decisions: images.map((i) => decisionByImage.get(i)!),
    snapshotDecisions: snapshotPlan.decisions,
    problems: problems.sort((a, b) => compareText(a.resourceId, b.resourceId) || compareText(a.tag, b.tag)),
    launchPermissionsToRead: outcome.launchPermissionsToRead,
    snapshotsToRead: outcome.snapshotsToRead,
    snapshotLookupFailures: outcome.snapshotLookupFailures,
    usageReportsToRead: outcome.usageReportsToRead,
    usageReportsToRequest: outcome.usageReportsToRequest,
  };
  if (refused) plan.refused = refused;
  const report = recycleBinReport(images, input.recycleBin, recycleBin);
  if (report) plan.recycleBin = report;
  return { ...plan, counts: countPlan(plan, outcome.keptShared.size) };
}

function runContext(input: CleanupInput, images: Image[]): RunContext {
  const { now, settings } = input;
  const freshnessMs = settings.freshnessMinutes * MINUTE_MS;
  const idCounts = new Map<string, number>();
  for (const image of images) idCounts.set(image.id, (idCounts.get(image.id) ?? 0) + 1);
  return {
    settings,
    now,
    nowText: formatTimestamp(now),
    usage: input.usage,
    held: input.earlierRounds?.held,
    isDuplicate: (image) => (idCounts.get(image.id) ?? 0) > 1,
    isFresh: (t) => t.getTime() <= now.getTime() && now.getTime() - t.getTime() <= freshnessMs,
  };
}

/** The per-AMI rules over every AMI: a decision, or a candidate for the run-wide rules. */
function decideImages(images: Image[], run: RunContext) {
  const decisionByImage = new Map<Image, CleanupDecision>();
  const candidates: Candidate[] = [];
  const problems: TagProblem[] = [];
  for (const image of images) {
    const ctx = imageContext(image, run);
    let decided = false;
    for (const rule of IMAGE_RULES) {
      const verdict = rule.decide(image, ctx);
      if (verdict === undefined) continue;
      problems.push(...(verdict.reported ?? []));
      decisionByImage.set(image, decisionOf(image.id, verdict, rule.name));
      decided = true;
      break;
    }
    if (!decided) candidates.push(candidateOf(image, ctx));
  }
  return { decisionByImage, candidates, problems };
}

/** The run-wide rules over the candidates, oldest-unused first, ties by id. */
function decideCandidates(
  candidates: Candidate[],
  decisionByImage: Map<Image, CleanupDecision>,
  input: CleanupInput,
  refused: CleanupRefusal | undefined,
  familyKept: ReadonlyMap<string, string>,
  recycleBin: (image: Image) => RecycleBinView,
) {
  const { settings } = input;
  const sorted = [...candidates].sort(
    (a, b) => a.lastActivity.getTime() - b.lastActivity.getTime() || compareText(a.image.id, b.image.id),
  );
  const knowsSnapshots = snapshotKnowledge(input.snapshots, input.snapshotLookups);
  const out = {
    chosen: [] as Candidate[],
    launchPermissionsToRead: [] as string[],
    snapshotsToRead: [] as string[],
    snapshotLookupFailures: [] as SnapshotLookupFailure[],
    usageReportsToRead: [] as string[],
    usageReportsToRequest: [] as UsageReportRequest[],
    keptShared: new Set<string>(),
    // Candidates whose deletion is put off, not called off, with why: a mark naming one stays.
    stillToCome: new Map<string, string>(),
  };
  let places = Math.max(0, settings.maxDeletionsPerRun - (input.earlierRounds?.attempted ?? 0));
  let requestsLeft = MAX_USAGE_REPORT_REQUESTS_PER_RUN - (input.usageReportsRequested ?? 0);
  for (const c of sorted) {
    const id = c.image.id;
    const sharing = sharingOf(c.image, settings, input.launchPermissions);
    const ctx: CandidateContext = {
      settings,
      now: input.now,
      familyKept,
      refused,
      sharing,
      snapshots: knowsSnapshots(c.image),
      placesLeft: places,
      recycleBin: recycleBin(c.image),
      reportRequestsLeft: requestsLeft,
    };
    if (sharing.kind === 'report') {
      const read = input.usageReports?.get(id);
      ctx.usageReport = judgeUsageReports(c.image, sharing.shared, sharing.permissions, read, input.now);
    }
    for (const rule of CANDIDATE_RULES) {
      const v = rule.decide(c, ctx);
      if (v === undefined) continue;
      if (rule.takesPlace) {
        places -= 1;
        // Its snapshots are looked up side by side with its launch permissions, not after them.
        if (ctx.snapshots.kind === 'unread') out.snapshotsToRead.push(id);
      }
      if (v.putOff !== undefined) out.stillToCome.set(id, v.putOff);
      if (v.keptShared) out.keptShared.add(id);
      if (v.readLaunchPermissions) out.launchPermissionsToRead.push(id);
      if (v.readUsageReports) out.usageReportsToRead.push(id);
      if (v.requestReport) {
        out.usageReportsToRequest.push(v.requestReport);
        requestsLeft -= 1;
      }
      if (v.lookupFailure) out.snapshotLookupFailures.push(v.lookupFailure);
      if (v.action === 'delete') out.chosen.push(c);
      decisionByImage.set(c.image, decisionOf(id, v, rule.name));
      break;
    }
  }
  return out;
}

/**
 * Each AMI's retirement timeline: from now for an AMI on its way out this run, from the end of its
 * retention (or of its AutoCleanupKeepUntil, whichever is later) for one only kept by those. Set on the
 * decision once stages are configured or it carries a stage tag; returned for every AMI that has one
 * (the deletion notice reads them), so a one-step run's decisions stay as they were.
 */
function addTimelines(
  images: Image[],
  decisionByImage: Map<Image, CleanupDecision>,
  run: RunContext,
): Map<string, Timeline> {
  const g = gracesOf(run.settings);
  const out = new Map<string, Timeline>();
  for (const image of images) {
    const d = decisionByImage.get(image);
    if (d === undefined || !image.ownedBySelf) continue;
    const stage = readStage(image, run.now);
    let from: Date | undefined;
    if (d.action === 'delete' || d.action === 'deprecate' || d.action === 'disable') from = run.now;
    else if (d.rule === 'retention' || d.rule === 'keep-until') {
      const ctx = imageContext(image, run);
      const at = ctx.activity()?.at;
      if (at !== undefined) from = new Date(at.getTime() + ctx.retention.days * DAY_MS);
      const k = ctx.keepUntil;
      if (from !== undefined && d.rule === 'keep-until' && k.kind === 'ok' && k.value > from) from = k.value;
    }
    const timeline = projectTimeline(stage, g, from);
    if (g.staged || stage.kind !== 'none') d.timeline = timeline;
    if (timeline.deletedOn !== undefined) out.set(image.id, timeline);
  }
  return out;
}

function decisionOf(imageId: string, v: Verdict, rule: CleanupRuleName): CleanupDecision {
  return {
    imageId,
    action: v.action,
    reason: v.reason,
    ...(v.problem ? { problem: v.problem } : {}),
    ...(v.keptFor ? { keptFor: v.keptFor } : {}),
    rule,
  };
}
