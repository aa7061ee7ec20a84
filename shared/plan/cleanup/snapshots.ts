/**
 * The snapshot half of the plan: the snapshots of the AMIs deleted in this run (snapshot-rules.ts),
 * then every other snapshot carrying TAG.pendingDeletion (mark-rules.ts).
 */
import type { Image, SnapshotLookup, SnapshotRecord } from '../../domain';
import { TAG, type TagProblem } from '../../tags';
import { MARK_RULES, type MarkContext } from './mark-rules';
import { compareText } from './order';
import { SNAPSHOT_OF_IMAGE_RULES } from './snapshot-rules';
import type {
  Candidate,
  CleanupDecision,
  CleanupRefusal,
  PlannedImageDeletion,
  PlannedPendingSnapshotDeletion,
  PlannedSnapshotUnmark,
  SnapshotDecision,
} from './types';

export interface SnapshotContext {
  decisionByImage: Map<Image, CleanupDecision>;
  refused: CleanupRefusal | undefined;
  /** AMIs an earlier round of this run tried and left in place, with what happened. */
  held: ReadonlyMap<string, string> | undefined;
  /**
   * Candidates whose deletion is put off (cap, unread launch permissions or snapshots, a failed
   * snapshot look-up, refusal), with why.
   */
  stillToCome: ReadonlyMap<string, string>;
  /** Snapshot look-ups so far; absent when `snapshots` is a full read. */
  lookups: ReadonlyMap<string, SnapshotLookup> | undefined;
}

export interface SnapshotPlan {
  deletions: PlannedImageDeletion[];
  pending: PlannedPendingSnapshotDeletion[];
  unmarks: PlannedSnapshotUnmark[];
  decisions: SnapshotDecision[];
  problems: TagProblem[];
}

export function planSnapshots(
  images: Image[],
  deleting: Candidate[],
  snapshots: SnapshotRecord[],
  context: SnapshotContext,
): SnapshotPlan {
  const deletingIds = new Set(deleting.map((c) => c.image.id));
  // Every image that stays (owned or not, any state) keeps its snapshots alive.
  const referencedBy = new Map<string, string[]>();
  for (const image of images) {
    if (deletingIds.has(image.id)) continue;
    for (const s of image.snapshotIds) referencedBy.set(s, [...(referencedBy.get(s) ?? []), image.id]);
  }
  const records = new Map<string, SnapshotRecord>();
  for (const s of [...snapshots].sort((a, b) => compareText(a.id, b.id)))
    if (!records.has(s.id)) records.set(s.id, s);

  const decisions: SnapshotDecision[] = [];
  const assigned = new Set<string>();
  const deletions = deleting.map((c) =>
    snapshotsOfImage(c, { referencedBy, records, lookups: context.lookups, assigned, decisions }),
  );
  const marks = planMarks(images, records, { ...context, referencedBy, deletingIds, assigned, decisions });
  decisions.sort((a, b) => compareText(a.snapshotId, b.snapshotId) || compareText(a.imageId, b.imageId));
  return { deletions, ...marks, decisions };
}

interface Lookups {
  referencedBy: ReadonlyMap<string, string[]>;
  records: ReadonlyMap<string, SnapshotRecord>;
  lookups: ReadonlyMap<string, SnapshotLookup> | undefined;
  /** Snapshots already deleted with an AMI earlier in this plan. */
  assigned: Set<string>;
  decisions: SnapshotDecision[];
}

function snapshotsOfImage(c: Candidate, on: Lookups): PlannedImageDeletion {
  const snapshotIds: string[] = [];
  for (const snapshotId of [...new Set(c.image.snapshotIds)].sort(compareText)) {
    if (on.assigned.has(snapshotId)) continue; // also behind an AMI earlier in this plan: deleted with that one
    const ctx = {
      image: c.image,
      users: on.referencedBy.get(snapshotId),
      record: on.records.get(snapshotId),
      lookup: on.lookups?.get(snapshotId),
    };
    for (const rule of SNAPSHOT_OF_IMAGE_RULES) {
      const v = rule.decide(ctx);
      if (v === undefined) continue;
      on.decisions.push({
        snapshotId,
        imageId: c.image.id,
        action: v.action,
        reason: v.reason,
        rule: rule.name,
      });
      if (v.action === 'delete') {
        on.assigned.add(snapshotId);
        snapshotIds.push(snapshotId);
      }
      break;
    }
  }
  return { image: c.image, snapshotIds, reason: c.reason };
}

type MarkRun = Omit<SnapshotContext, 'lookups'> & {
  referencedBy: ReadonlyMap<string, string[]>;
  deletingIds: ReadonlySet<string>;
  assigned: ReadonlySet<string>;
  decisions: SnapshotDecision[];
};

function planMarks(images: Image[], records: ReadonlyMap<string, SnapshotRecord>, run: MarkRun) {
  const imagesById = new Map(images.map((i) => [i.id, i]));
  // EC2 lists an AMI as 'deregistered' for a while after DeregisterImage: it is on its way out, so it
  // is no reason to remove a mark (but still one to keep the snapshot, as referencedBy does).
  const isListedDeregistered = (id: string) => imagesById.get(id)?.state === 'deregistered';
  const pending: PlannedPendingSnapshotDeletion[] = [];
  const unmarks: PlannedSnapshotUnmark[] = [];
  const problems: TagProblem[] = [];
  for (const record of records.values()) {
    const raw = record.tags[TAG.pendingDeletion];
    if (raw === undefined || run.assigned.has(record.id)) continue;
    const imageId = raw.trim();
    // Other AMIs that stay and use the snapshot (the one the mark names aside).
    const users = run.referencedBy.get(record.id);
    const ctx: MarkContext = {
      record,
      raw,
      imageId,
      image: imagesById.get(imageId),
      standing: (users ?? []).filter((id) => id !== imageId && !isListedDeregistered(id)),
      users,
      held: run.held,
      deletingIds: run.deletingIds,
      stillToCome: run.stillToCome,
      refused: run.refused,
      decisionOf: (image) => run.decisionByImage.get(image),
    };
    for (const rule of MARK_RULES) {
      const v = rule.decide(ctx);
      if (v === undefined) continue;
      const base = { snapshotId: record.id, imageId, action: v.action, reason: v.reason };
      run.decisions.push(
        v.problem ? { ...base, problem: v.problem, rule: rule.name } : { ...base, rule: rule.name },
      );
      if (v.problem) problems.push(v.problem);
      if (v.action === 'unmark')
        unmarks.push({ snapshotId: record.id, mark: raw, imageId, reason: v.reason });
      if (v.action === 'delete') pending.push({ snapshotId: record.id, imageId, reason: v.reason });
      break;
    }
  }
  pending.sort((a, b) => compareText(a.snapshotId, b.snapshotId));
  unmarks.sort((a, b) => compareText(a.snapshotId, b.snapshotId));
  return { pending, unmarks, problems };
}
