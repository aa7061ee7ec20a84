/**
 * Recycle Bin awareness in the cleanup plan (issue 14 §2): for every AMI, whether its deletion now
 * could be undone from the Recycle Bin and until when; the `recycle-bin-required` rule that, with
 * requireRecycleBin, keeps what no rule covers; and the words a deletion's reason adds. Pure.
 */
import type { Image, SnapshotRecord } from '../../domain';
import {
  describeRecoverability,
  recoverabilityOf,
  uncoveredParts,
  type ImageRecoverability,
  type RecycleBinRead,
} from '../../recycle-bin';
import type { CandidateContext, CandidateVerdict } from './candidate-rules';
import type { Candidate } from './types';
import { keep } from './verdicts';

/** What the plan reports: each AMI's recoverability, or why it is unknown. */
export type RecycleBinReport =
  { kind: 'read'; images: ImageRecoverability[] } | { kind: 'failed'; message: string };

/** What the run-wide rules see of the Recycle Bin for one candidate. */
export interface RecycleBinView {
  /** Undefined: the rules were not read at all (a plan made without them). */
  read: RecycleBinRead | undefined;
  recoverability?: ImageRecoverability;
}

/**
 * Per AMI, the snapshots that would be deleted with it: those of its snapshots this account owns
 * (the records read). One this account does not own stays whatever happens, so needs no rule.
 */
export function recycleBinViews(
  read: RecycleBinRead | undefined,
  snapshots: readonly SnapshotRecord[],
  now: Date,
): (image: Image) => RecycleBinView {
  if (read === undefined || read.kind === 'failed') return () => ({ read });
  const owned = new Map(snapshots.filter((s) => s.ownedBySelf).map((s) => [s.id, s]));
  const cache = new Map<string, ImageRecoverability>();
  return (image) => {
    let r = cache.get(image.id);
    if (r === undefined) {
      const mine = [...new Set(image.snapshotIds)].flatMap((id) => {
        const s = owned.get(id);
        return s ? [s] : [];
      });
      r = recoverabilityOf(image, mine, read.rules, now);
      cache.set(image.id, r);
    }
    return { read, recoverability: r };
  };
}

/** The plan's report over the AMIs this account owns (only those can be deleted). */
export function recycleBinReport(
  images: readonly Image[],
  read: RecycleBinRead | undefined,
  view: (image: Image) => RecycleBinView,
): RecycleBinReport | undefined {
  if (read === undefined) return undefined;
  if (read.kind === 'failed') return { kind: 'failed', message: read.message };
  const seen = new Set<string>();
  const out: ImageRecoverability[] = [];
  for (const image of images) {
    if (!image.ownedBySelf || seen.has(image.id)) continue;
    seen.add(image.id);
    out.push(view(image).recoverability!);
  }
  return { kind: 'read', images: out };
}

/** Appended to a deletion's reason: until when it can be undone, or that it cannot, or that it is unknown. */
export function recoverabilityNote(view: RecycleBinView): string | undefined {
  if (view.read === undefined) return undefined;
  if (view.read.kind === 'failed') {
    return `whether it is recoverable from the Recycle Bin is unknown: the retention rules could not be read (${view.read.message})`;
  }
  return describeRecoverability(view.recoverability!);
}

/**
 * `recycle-bin-required`: with requireRecycleBin, an AMI is deleted only when a rule covers it and
 * each of its snapshots that would go with it. Rules that could not be read cover nothing: the
 * region deletes no AMI this run. The AMI's own coverage is decided at once; its snapshots', once
 * they are known (until then the later rules hold it to read them).
 */
export function recycleBinRequired(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (!ctx.settings.requireRecycleBin) return undefined;
  const { read, recoverability } = ctx.recycleBin;
  if (read === undefined || read.kind === 'failed') {
    const why = read === undefined ? 'were not read' : `could not be read (${read.message})`;
    return {
      ...keep(
        'recycleBin',
        `requireRecycleBin is on and the Recycle Bin retention rules ${why}, so whether its deletion could be undone is unknown: no AMI is deregistered in this region this run (otherwise: ${c.reason})`,
      ),
      putOff: 'the Recycle Bin retention rules could not be read',
    };
  }
  const r = recoverability!;
  if (r.image.covered && ctx.snapshots.kind !== 'known') return undefined;
  const missing = uncoveredParts(r);
  if (missing.length === 0) return undefined;
  return keep(
    'recycleBin',
    `requireRecycleBin is on and no available Recycle Bin retention rule covers ${missing.join(', ')}, so its deletion could not be undone: kept (otherwise: ${c.reason})`,
  );
}
