/**
 * The run-wide rules, tried in order on each candidate (an AMI every per-AMI rule let through),
 * oldest-unused first and ties by id, so reruns pick the same AMIs. The rules from `cap` on take one
 * of the run's places under the cap: an AMI whose launch permissions or snapshots are still to be read
 * holds its place until they are, while one kept as shared takes none, so shared AMIs cannot starve
 * the others.
 */
import type { CleanupSettings } from './settings';
import { deprecate, disable, stageGrace, stagedDeletionNote } from './stage-rules';
import type { Sharing } from './sharing';
import type { SnapshotKnowledge } from './snapshot-knowledge';
import type { Candidate, CleanupRefusal, SnapshotLookupFailure, Verdict } from './types';
import { keep } from './verdicts';

export interface CandidateContext {
  settings: CleanupSettings;
  now: Date;
  /** AMI id -> why keepNewestPerFamily protects it. */
  familyKept: ReadonlyMap<string, string>;
  refused: CleanupRefusal | undefined;
  /** This candidate's sharing and snapshots. */
  sharing: Sharing;
  snapshots: SnapshotKnowledge;
  placesLeft: number;
}

export interface CandidateVerdict extends Verdict {
  /** Why its deletion is only put off, not called off: a pending mark naming it stays. */
  putOff?: string;
  /** Counted among the AMIs kept because they are (or may be) shared. */
  keptShared?: true;
  /** Its launch permissions are to be read before the next plan. */
  readLaunchPermissions?: true;
  lookupFailure?: SnapshotLookupFailure;
}

export interface CandidateRule {
  name: string;
  summary: string;
  /** A verdict of this rule takes one of the run's places under the cap. */
  takesPlace: boolean;
  decide: (c: Candidate, ctx: CandidateContext) => CandidateVerdict | undefined;
}

/** The newest builds of a family stay whatever their age, so there is one to roll back to. */
function family(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  const why = ctx.familyKept.get(c.image.id);
  return why === undefined ? undefined : keep('retention', `${why} (otherwise: ${c.reason})`);
}

/** A run that cannot trust its inputs deletes nothing (see refusal.ts). */
function refused(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (!ctx.refused) return undefined;
  return {
    ...keep('refused', `would be deleted (${c.reason}), but this run deletes nothing: ${ctx.refused.reason}`),
    putOff: 'this run refuses to delete',
  };
}

/** Use in the accounts it is shared with is invisible here (see sharing.ts). */
function shared(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.sharing.kind !== 'keep') return undefined;
  return { ...keep('shared', `${ctx.sharing.reason} (otherwise: ${c.reason})`), keptShared: true };
}

/** Like a failed launch-permission read: kept this run without a place; the next run looks again. */
function snapshotsUnknown(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  const s = ctx.snapshots;
  if (s.kind !== 'failed') return undefined;
  return {
    ...keep(
      'pending',
      `its snapshot ${s.snapshotId} could not be looked up (${s.message}), so whether this account owns it is unknown: kept this run, and the next run looks again (otherwise: ${c.reason})`,
    ),
    putOff: `the look-up of its snapshot ${s.snapshotId} failed this run`,
    lookupFailure: { imageId: c.image.id, snapshotId: s.snapshotId, message: s.message },
  };
}

/** The blast-radius cap: a bad day deletes at most maxDeletionsPerRun AMIs. */
function cap(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.placesLeft > 0) return undefined;
  const max = ctx.settings.maxDeletionsPerRun;
  return {
    action: 'defer',
    reason: `deferred to the next run: the cap of ${max} deletions per run was reached (${c.reason})`,
    putOff: `deferred by the cap of ${max} deletions per run`,
  };
}

/** Whether other accounts may launch it is unknown until its launch permissions are read. */
function launchPermissionsUnread(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.sharing.kind !== 'unread') return undefined;
  return {
    ...keep(
      'shared',
      `its launch permissions were not read in this run, so whether other accounts use it is unknown: kept (otherwise: ${c.reason})`,
    ),
    putOff: 'its launch permissions are still to be read',
    keptShared: true,
    readLaunchPermissions: true,
  };
}

/** Its snapshots go with it only if this account owns them, which is unknown until they are looked up. */
function snapshotsUnread(c: Candidate, ctx: CandidateContext): CandidateVerdict | undefined {
  if (ctx.snapshots.kind !== 'unread') return undefined;
  return {
    ...keep(
      'pending',
      `its snapshots were not looked up yet, so which of them this account owns is unknown: kept until they are (otherwise: ${c.reason})`,
    ),
    putOff: 'its snapshots are still to be looked up',
  };
}

/** Every rule passed. */
function eligible(c: Candidate, ctx: CandidateContext): CandidateVerdict {
  const note = ctx.sharing.kind === 'private' ? ctx.sharing.note : undefined;
  const staged = stagedDeletionNote(c.stage);
  const reason = staged ? `${staged}; ${c.reason}` : c.reason;
  return { action: 'delete', reason: note ? `${reason}; ${note}` : reason };
}

/** Every run-wide rule, in the order they are tried. */
export const CANDIDATE_RULES = [
  {
    name: 'family',
    summary: 'one of the newest keepNewestPerFamily AMIs of its familyTag family is kept',
    takesPlace: false,
    decide: family,
  },
  {
    name: 'stage-grace',
    summary:
      'an AMI cleanup deprecated or disabled is kept until its stage grace period (deprecateGraceDays, disableGraceDays) has passed by EC2 DeprecationTime',
    takesPlace: false,
    decide: stageGrace,
  },
  {
    name: 'refused',
    summary:
      'the whole run deletes nothing: the tagger is not demonstrably alive, or a usage reference could not be resolved',
    takesPlace: false,
    decide: refused,
  },
  {
    name: 'shared',
    summary:
      'an AMI public or shared with other accounts (or whose launch permissions could not be read) is kept unless deleteSharedImages',
    takesPlace: false,
    decide: shared,
  },
  {
    name: 'snapshots-unknown',
    summary: 'an AMI one of whose snapshots could not be looked up is kept this run',
    takesPlace: false,
    decide: snapshotsUnknown,
  },
  {
    name: 'cap',
    summary: 'once maxDeletionsPerRun AMIs are chosen, the rest are deferred to the next run',
    takesPlace: false,
    decide: cap,
  },
  {
    name: 'launch-permissions-unread',
    summary:
      'an AMI whose launch permissions are still to be read is kept, holding its place, until they are',
    takesPlace: true,
    decide: launchPermissionsUnread,
  },
  // Retirement stages (stages.ts): each move takes a place under the cap, like a deletion; it needs
  // the launch permissions (disabling makes a shared AMI private) but not the snapshots.
  {
    name: 'deprecate',
    summary:
      'with deprecateGraceDays set, an AMI that would be deleted is deprecated first (EnableImageDeprecation), holding a place',
    takesPlace: true,
    decide: deprecate,
  },
  {
    name: 'disable',
    summary:
      'with disableGraceDays set, an AMI whose deprecation grace passed (or that would be deleted, without a deprecated stage) is disabled (DisableImage), holding a place',
    takesPlace: true,
    decide: disable,
  },
  {
    name: 'snapshots-unread',
    summary: 'an AMI whose snapshots are still to be looked up is kept, holding its place, until they are',
    takesPlace: true,
    decide: snapshotsUnread,
  },
  { name: 'eligible', summary: 'every rule passed: the AMI is deleted', takesPlace: true, decide: eligible },
] as const satisfies readonly CandidateRule[];

export type CandidateRuleName = (typeof CANDIDATE_RULES)[number]['name'];
