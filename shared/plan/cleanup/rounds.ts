/** A run made in rounds (see CleanupInput.earlierRounds) reported as one plan. */
import type { TagProblem } from '../../tags';
import { compareText } from './order';
import { countPlan } from './summary';
import type { ImageRecoverability } from '../../recycle-bin';
import type { RecycleBinReport } from './recycle-bin';
import type { CleanupDecision, CleanupPlan, SnapshotDecision } from './types';

/**
 * One plan for a run made in rounds, as the run reports it: every deletion any round planned; for an
 * AMI, the round that chose it for deletion or moved it between retirement stages (what happened
 * then is the apply step's to say) or else the last round's decision; for a snapshot, the last round
 * that looked at it. An AMI deregistered in
 * an earlier round is not in the later rounds' inventory, and one left in place is only 'kept' there
 * because the run tried it: neither may hide why it was chosen.
 */
export function mergeCleanupRounds(rounds: readonly CleanupPlan[]): CleanupPlan {
  const last = rounds[rounds.length - 1];
  if (last === undefined) throw new RangeError('mergeCleanupRounds: no rounds to merge');
  if (rounds.length === 1) return last;
  const chosen = new Map<string, CleanupDecision>();
  for (const round of rounds) {
    const moved = new Set(round.stageMoves.map((m) => m.imageId));
    for (const d of round.decisions)
      if ((d.action === 'delete' || moved.has(d.imageId)) && !chosen.has(d.imageId)) chosen.set(d.imageId, d);
  }
  const decisions: CleanupDecision[] = [];
  const decided = new Set<string>();
  const snapshotDecisions: SnapshotDecision[] = [];
  const snapshotsDecided = new Set<string>();
  // Latest round first: a resource a later round decided on is not taken again from an earlier one.
  for (const round of [...rounds].reverse()) {
    const here = new Set<string>();
    for (const d of round.decisions) {
      if (decided.has(d.imageId)) continue;
      here.add(d.imageId);
      decisions.push(chosen.get(d.imageId) ?? d);
    }
    for (const id of here) decided.add(id);
    const snapshotsHere = new Set<string>();
    for (const d of round.snapshotDecisions) {
      if (snapshotsDecided.has(d.snapshotId)) continue;
      snapshotsHere.add(d.snapshotId);
      snapshotDecisions.push(d);
    }
    for (const id of snapshotsHere) snapshotsDecided.add(id);
  }
  // A stable sort keeps an inventory's duplicate ids (two 'skip' decisions) in their order.
  decisions.sort((a, b) => compareText(a.imageId, b.imageId));
  snapshotDecisions.sort(
    (a, b) => compareText(a.snapshotId, b.snapshotId) || compareText(a.imageId, b.imageId),
  );
  const plan: Omit<CleanupPlan, 'counts'> = {
    deletions: rounds.flatMap((r) => r.deletions),
    pendingSnapshotDeletions: rounds.flatMap((r) => r.pendingSnapshotDeletions),
    snapshotUnmarks: rounds.flatMap((r) => r.snapshotUnmarks),
    stageMoves: rounds.flatMap((r) => r.stageMoves),
    // The last round sees every AMI still there; those deregistered earlier have no retirement left.
    retirements: last.retirements,
    decisions,
    snapshotDecisions,
    problems: withChosenProblems(last.problems, chosen),
    launchPermissionsToRead: last.launchPermissionsToRead,
    snapshotsToRead: last.snapshotsToRead,
    // A failed look-up is not retried in the run, so the last round still keeps every AMI it kept.
    snapshotLookupFailures: last.snapshotLookupFailures,
    usageReportsToRead: last.usageReportsToRead,
    // Each round requests its own; together, what the run requested.
    usageReportsToRequest: rounds.flatMap((r) => r.usageReportsToRequest),
  };
  if (last.refused) plan.refused = last.refused;
  const recycleBin = mergeRecycleBin(rounds);
  if (recycleBin) plan.recycleBin = recycleBin;
  return { ...plan, counts: countPlan(plan, last.counts.keptShared) };
}

/**
 * Each AMI's recoverability as the latest round that saw it reported it: an AMI deregistered in an
 * earlier round is not in the later rounds' inventory, and its report is what its deletion relied on.
 */
function mergeRecycleBin(rounds: readonly CleanupPlan[]): RecycleBinReport | undefined {
  const last = rounds[rounds.length - 1]!.recycleBin;
  if (last === undefined || last.kind === 'failed') return last;
  const byImage = new Map<string, ImageRecoverability>();
  for (const round of [...rounds].reverse()) {
    if (round.recycleBin?.kind !== 'read') continue;
    for (const r of round.recycleBin.images) if (!byImage.has(r.imageId)) byImage.set(r.imageId, r);
  }
  return { kind: 'read', images: [...byImage.values()].sort((a, b) => compareText(a.imageId, b.imageId)) };
}

/**
 * The last round's problems, plus those of the AMIs an earlier round moved (a stage tag EC2 disagreed
 * with): held in the later rounds, they are not met there again.
 */
function withChosenProblems(
  problems: readonly TagProblem[],
  chosen: ReadonlyMap<string, CleanupDecision>,
): TagProblem[] {
  const key = (p: TagProblem) => `${p.resourceId}\u0000${p.tag}`;
  const seen = new Set(problems.map(key));
  const more = [...chosen.values()].flatMap((d) =>
    d.problem && !seen.has(key(d.problem)) ? [d.problem] : [],
  );
  if (more.length === 0) return [...problems];
  return [...problems, ...more].sort(
    (a, b) => compareText(a.resourceId, b.resourceId) || compareText(a.tag, b.tag),
  );
}
